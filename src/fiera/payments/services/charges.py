"""Paying with the wallet at checkout, and refunds of any wallet payment.

A checkout is paid from the buyer's wallet in the checkout currency to each merchant's
payable account in the settlement currency (EUR), all linked (all or nothing). When the
currencies differ, one FX quote for the whole checkout is executed in the same chain and
its figures are split over the merchants in proportion to their amounts
(``Money.allocate``: the parts add up exactly). Each merchant's part is one ``Payment``
with the rate and mark-up it was paid at; refunds go back at that rate.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import MERCHANT, OPERATOR, SYSTEM
from fiera.common import events
from fiera.common.errors import Conflict, InvalidInput
from fiera.common.money import Money
from fiera.ledger import services as ledger
from fiera.ledger.domain import AccountKey, DeferredLeg, TransferSpec
from fiera.ledger.services import SYSTEM_OWNER
from fiera.merchants import selectors as merchant_selectors
from fiera.payments import fxmath, selectors
from fiera.payments.models import FxQuote, Payment, PaymentKind, PaymentRefund, Wallet
from fiera.payments.selectors import PaymentInfo, PaymentNotFound, RefundInfo
from fiera.payments.services.base import (
    CurrencyMismatch,
    InsufficientFunds,
    LedgerRefused,
    NoWallet,
    RequestIdReused,
    book,
    check_amount,
    fx_markup_bp,
    fx_quote_seconds,
    merchant_account_id,
    payment_fee_bp,
    settlement_currency,
    spec,
    system_account_id,
)
from fiera.payments.services.fx import (
    FX_CODES,
    REFUND_FX_CODES,
    AmountTooSmall,
    fx_amounts,
    fx_terms,
)

MAX_REFERENCE = 150


class RefundExceedsPayment(Conflict):
    code = "refund_exceeds_payment"
    message_template = gettext_lazy("The refund is more than what is left of the payment.")


class InvalidCharge(InvalidInput):
    code = "invalid_charge"
    message_template = gettext_lazy("The payment details are not valid.")


@dataclass(frozen=True, slots=True)
class ChargePart:
    """One merchant's share of a checkout: ``amount_minor`` of the checkout currency;
    ``reference`` names it for refunds (the order number)."""

    merchant_id: int
    amount_minor: int
    reference: str


@dataclass(frozen=True, slots=True)
class Charge:
    """A checkout paid from a wallet: what left the wallet, what each merchant's payable
    got, at which rate (``rate`` "" when no FX was needed)."""

    charge_reference: str
    payer_id: int
    amount: Money
    credited: Money
    rate: str
    markup_bp: int
    spread: Money
    payments: tuple[PaymentInfo, ...]


def fee_for(credit_minor: int, fee_bp: int) -> int:
    """The merchant fee on a payment, rounded once, half up (booked at settlement)."""
    return fxmath.round_half_up(fxmath.Fraction(credit_minor * fee_bp, fxmath.BASIS_POINTS))


def _check_reference(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_REFERENCE:
        raise InvalidCharge(f"the {what} is text of 1 to {MAX_REFERENCE} characters")
    if "\x00" in value:
        raise InvalidCharge(f"the {what} contains a NUL character")
    return value


def _key(text: str) -> str:
    """A short, stable ledger key for a caller's reference of any length."""
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def payment_record(
    *,
    kind: str,
    reference: str,
    charge_reference: str,
    wallet: Wallet,
    merchant_id: int,
    paid_minor: int,
    credit_minor: int,
    credit_currency: str,
    now: datetime,
    quote: FxQuote | None = None,
    spread_minor: int = 0,
    outlet_id: int | None = None,
) -> Payment:
    """Insert the Payment row of money already booked (the caller's transaction)."""
    fee_bp = payment_fee_bp()
    return Payment.objects.create(
        payment_id=uuid.uuid4(),
        kind=kind,
        reference=reference,
        charge_reference=charge_reference,
        payer_id=wallet.user_id,
        wallet=wallet,
        merchant_id=merchant_id,
        outlet_id=outlet_id,
        paid_minor=paid_minor,
        paid_currency=wallet.currency,
        credit_minor=credit_minor,
        credit_currency=credit_currency,
        fx_quote=quote,
        rate=quote.rate if quote is not None else "",
        rate_base=quote.rate_base if quote is not None else "",
        rate_quote=quote.rate_quote if quote is not None else "",
        markup_bp=quote.markup_bp if quote is not None else 0,
        spread_minor=spread_minor,
        fee_bp=fee_bp,
        fee_minor=fee_for(credit_minor, fee_bp),
        created_at=now,
    )


def _charge_of(charge_reference: str, payer_id: int, payments: Sequence[Payment]) -> Charge:
    return _charge_of_infos(
        charge_reference, payer_id, tuple(selectors.payment_info(p) for p in payments)
    )


def _charge_of_infos(
    charge_reference: str, payer_id: int, payments: tuple[PaymentInfo, ...]
) -> Charge:
    first = payments[0]
    return Charge(
        charge_reference=charge_reference,
        payer_id=payer_id,
        amount=Money(sum(p.paid.amount_minor for p in payments), first.paid.currency),
        credited=Money(sum(p.credit.amount_minor for p in payments), first.credit.currency),
        rate=first.rate,
        markup_bp=first.markup_bp,
        spread=Money(sum(p.spread.amount_minor for p in payments), first.paid.currency),
        payments=payments,
    )


@dataclass(frozen=True, slots=True)
class ChargePlan:
    """A wallet charge worked out and not yet booked (``wallet_charge_plan``): the parts,
    each one's credit in the settlement currency and share of the FX spread, the FX terms
    (None when no conversion is needed) and the payments it will record."""

    buyer_id: int
    checkout_reference: str
    amount: Money
    settle: str
    parts: tuple[ChargePart, ...]
    credits: tuple[int, ...]
    spreads: tuple[int, ...]
    terms: fxmath.FxTerms | None
    fx: fxmath.FxAmounts | None
    payments: tuple[PaymentInfo, ...]

    def charge(self) -> Charge:
        return _charge_of_infos(self.checkout_reference, self.buyer_id, self.payments)


def fx_terms_cached(*, sell_currency: str, buy_currency: str, on: date) -> fxmath.FxTerms:
    """``fx_terms`` through the cache (per pair, ECB day of ``on`` and mark-up, for
    ``FIERA_FX_QUOTE_SECONDS``, the life of a quote): a checkout reads no rate row after
    the first of a minute. A rate loaded for the day shows within that time."""
    key = f"fiera:fx-terms:{sell_currency}:{buy_currency}:{on.isoformat()}:{fx_markup_bp()}"
    found = cache.get(key)
    if isinstance(found, fxmath.FxTerms):
        return found
    terms, _rate_date = fx_terms(sell_currency=sell_currency, buy_currency=buy_currency, on=on)
    cache.set(key, terms, timeout=max(fx_quote_seconds(), 1))
    return terms


def wallet_charge_plan(
    *,
    buyer_id: int,
    checkout_reference: str,
    amount: Money,
    parts: Sequence[ChargePart],
    now: datetime,
) -> ChargePlan:
    """Check and work out a checkout's wallet charge without writing anything (no
    statement, the FX terms cached): what ``wallet_charge_book`` will book, split over the
    merchants in proportion to their amounts (``Money.allocate``: the parts add up
    exactly). Raises the input errors of ``wallet_charge_for_checkout``."""
    checkout_reference = _check_reference(checkout_reference, "checkout reference")
    check_amount(amount.amount_minor, amount.currency)
    if not parts:
        raise InvalidCharge("a charge needs at least one merchant part")
    for part in parts:
        check_amount(part.amount_minor, amount.currency, what="merchant part")
        _check_reference(part.reference, "part reference")
    if sum(p.amount_minor for p in parts) != amount.amount_minor:
        raise InvalidCharge("the merchant parts do not add up to the amount")
    if len({p.reference for p in parts}) != len(parts):
        raise InvalidCharge("each merchant part needs its own reference")
    settle = settlement_currency()
    terms = None
    figures = None
    if amount.currency == settle:
        credits = [p.amount_minor for p in parts]
        spreads = [0] * len(parts)
    else:
        terms = fx_terms_cached(sell_currency=amount.currency, buy_currency=settle, on=now.date())
        figures = fx_amounts(terms, sell_amount_minor=amount.amount_minor, buy_amount_minor=None)
        ratios = [p.amount_minor for p in parts]
        credits = [m.amount_minor for m in Money(figures.buy_minor, settle).allocate(ratios)]
        spreads = [
            m.amount_minor for m in Money(figures.spread_minor, amount.currency).allocate(ratios)
        ]
        if min(credits) <= 0:
            raise AmountTooSmall("a merchant's part is too small to convert")
    fee_bp = payment_fee_bp()
    rate = f"{terms.rate:f}" if terms is not None else ""
    infos = tuple(
        PaymentInfo(
            payment_id=str(uuid.uuid4()),
            kind=str(PaymentKind.CHECKOUT),
            reference=part.reference,
            charge_reference=checkout_reference,
            payer_id=buyer_id,
            merchant_id=part.merchant_id,
            outlet_id=None,
            paid=Money(part.amount_minor, amount.currency),
            credit=Money(credit, settle),
            rate=rate,
            rate_base=terms.rate_base if terms is not None else "",
            rate_quote=terms.rate_quote if terms is not None else "",
            markup_bp=terms.markup_bp if terms is not None else 0,
            spread=Money(spread, amount.currency),
            fee_bp=fee_bp,
            fee=Money(fee_for(credit, fee_bp), settle),
            refunded_paid=Money(0, amount.currency),
            refunded_credit=Money(0, settle),
            settlement_run_id=None,
            created_at=now,
        )
        for part, credit, spread in zip(parts, credits, spreads, strict=True)
    )
    return ChargePlan(
        buyer_id=buyer_id,
        checkout_reference=checkout_reference,
        amount=amount,
        settle=settle,
        parts=tuple(parts),
        credits=tuple(credits),
        spreads=tuple(spreads),
        terms=terms,
        fx=figures,
        payments=infos,
    )


def _legs(plan: ChargePlan) -> list[DeferredLeg]:
    """The ledger transfers of a charge (the ids the charge always had): wallet ->
    each payable; through FX, wallet -> fx_liquidity and fees (sell currency), then
    fx_liquidity -> each payable (settlement currency)."""
    key = f"checkout:{_key(plan.checkout_reference)}"
    sell = plan.amount.currency
    wallet = AccountKey("wallet", "user", plan.buyer_id, sell)

    def payable(part: ChargePart) -> AccountKey:
        return AccountKey("merchant_payable", "merchant", part.merchant_id, plan.settle)

    def system(code: str, currency: str) -> AccountKey:
        return AccountKey(code, SYSTEM_OWNER, 0, currency)

    if plan.fx is None:
        return [
            DeferredLeg(
                id=f"{key}:{i}",
                debit=wallet,
                credit=payable(part),
                amount_minor=part.amount_minor,
                code="payment",
                reference=part.reference[:200],
            )
            for i, part in enumerate(plan.parts)
        ]
    reference = plan.checkout_reference[:200]
    legs = [
        DeferredLeg(
            id=f"{key}:sell",
            debit=wallet,
            credit=system("fx_liquidity", sell),
            amount_minor=plan.fx.mid_sell_minor,
            code=FX_CODES[0],
            reference=reference,
        )
    ]
    if plan.fx.spread_minor:
        legs.append(
            DeferredLeg(
                id=f"{key}:spread",
                debit=wallet,
                credit=system("fees", sell),
                amount_minor=plan.fx.spread_minor,
                code=FX_CODES[1],
                reference=reference,
            )
        )
    legs += [
        DeferredLeg(
            id=f"{key}:buy:{i}",
            debit=system("fx_liquidity", plan.settle),
            credit=payable(part),
            amount_minor=credit,
            code=FX_CODES[2],
            reference=part.reference[:200],
        )
        for i, (part, credit) in enumerate(zip(plan.parts, plan.credits, strict=True))
    ]
    return legs


# The columns of a checkout's Payment rows, as ``_payments_insert_sql`` writes them (the
# wallet's id comes from a join; ``tests/payments/test_lean_charge.py`` holds this list
# equal to the model's columns).
PAYMENT_COLUMNS = (
    "payment_id",
    "kind",
    "reference",
    "charge_reference",
    "payer_id",
    "merchant_id",
    "paid_minor",
    "paid_currency",
    "credit_minor",
    "credit_currency",
    "rate",
    "rate_base",
    "rate_quote",
    "markup_bp",
    "spread_minor",
    "fee_bp",
    "fee_minor",
    "refunded_paid_minor",
    "refunded_credit_minor",
    "refunded_spread_minor",
    "created_at",
)
PAYMENT_NULL_COLUMNS = ("outlet_id", "fx_quote_id", "settlement_run_id")


@lru_cache(maxsize=64)
def _payments_insert_sql(n: int) -> str:
    """ONE statement for the ``n`` Payment rows of a charge, the wallet's id joined in by
    (user, currency); RETURNING their ids (none: no wallet row)."""
    table = Payment._meta.db_table
    row = "(" + ", ".join(["%s"] * len(PAYMENT_COLUMNS)) + ")"
    listed = ", ".join(PAYMENT_COLUMNS)
    return (
        f"WITH v({listed}) AS (VALUES {', '.join([row] * n)}) "
        f"INSERT INTO {table} ({listed}, wallet_id, {', '.join(PAYMENT_NULL_COLUMNS)}) "
        f"SELECT {', '.join('v.' + c for c in PAYMENT_COLUMNS)}, w.id, NULL, NULL, NULL "
        f"FROM v, {Wallet._meta.db_table} w WHERE w.user_id = %s AND w.currency = %s "
        "RETURNING id"
    )


def _payment_values(info: PaymentInfo, at: Any) -> tuple[Any, ...]:
    payment_id = uuid.UUID(info.payment_id)
    return (
        payment_id if connection.vendor == "postgresql" else payment_id.hex,
        info.kind,
        info.reference,
        info.charge_reference,
        info.payer_id,
        info.merchant_id,
        info.paid.amount_minor,
        info.paid.currency,
        info.credit.amount_minor,
        info.credit.currency,
        info.rate,
        info.rate_base,
        info.rate_quote,
        info.markup_bp,
        info.spread.amount_minor,
        info.fee_bp,
        info.fee.amount_minor,
        0,
        0,
        0,
        at,
    )


def wallet_charge_book(*, plan: ChargePlan, now: datetime, savepoint: bool = True) -> Charge:
    """Book a planned charge in the caller's transaction: four statements whatever the
    number of merchants, and no lock on any shared row (decision 0012).

    The ledger legs go through ``ledger.transfers_book_deferred`` (transfers INSERT, the
    buyer's wallet debited by one conditional UPDATE, the other sides as balance deltas),
    then the Payment rows in ONE INSERT. No wallet in that currency: ``NoWallet`` (409);
    too little in it: ``InsufficientFunds`` (409); nothing is written then (a savepoint
    undoes the legs already inserted). ``savepoint=False`` saves its two statements for a
    caller whose transaction rolls back whole on any error (the checkout): an error then
    dooms that transaction. A retry of a booked charge (same reference) finds the ledger
    legs booked and returns the first charge; other parts: ``RequestIdReused`` (409)."""
    with transaction.atomic(savepoint=savepoint):
        return _book(plan, now)


def _book(plan: ChargePlan, now: datetime) -> Charge:
    payer = AccountKey("wallet", "user", plan.buyer_id, plan.amount.currency)
    try:
        replayed = ledger.transfers_book_deferred(payer=payer, legs=_legs(plan), now=now)
    except ledger.AccountNotFound:
        raise NoWallet(
            f"you have no {plan.amount.currency} wallet: open one and top it up"
        ) from None
    except ledger.ExceedsCredits as exc:
        raise InsufficientFunds(f"not enough money in the wallet: {exc.detail}") from None
    except ledger.TransferIdReused:
        raise RequestIdReused(f"checkout {plan.checkout_reference} was charged otherwise") from None
    except (ledger.InvalidAccount, ledger.CurrencyMismatch) as exc:
        raise LedgerRefused(f"the ledger refused the movement: {exc.detail}") from None
    if replayed:
        return _replayed_charge(plan)
    at = connection.ops.adapt_datetimefield_value(now)
    params: list[Any] = [v for info in plan.payments for v in _payment_values(info, at)]
    with connection.cursor() as cursor:
        cursor.execute(
            _payments_insert_sql(len(plan.payments)),
            [*params, plan.buyer_id, plan.amount.currency],
        )
        if len(cursor.fetchall()) != len(plan.payments):
            raise NoWallet(f"you have no {plan.amount.currency} wallet: open one and top it up")
    return plan.charge()


def _replayed_charge(plan: ChargePlan) -> Charge:
    existing = list(
        Payment.objects.filter(
            charge_reference=plan.checkout_reference, kind=PaymentKind.CHECKOUT
        ).order_by("id")
    )
    same = [(p.merchant_id, p.paid_minor, p.reference, p.paid_currency) for p in existing]
    asked = [(p.merchant_id, p.amount_minor, p.reference, plan.amount.currency) for p in plan.parts]
    if same != asked or existing[0].payer_id != plan.buyer_id:
        raise RequestIdReused(f"checkout {plan.checkout_reference} was charged otherwise")
    return _charge_of(plan.checkout_reference, plan.buyer_id, existing)


def wallet_charge_for_checkout(
    *,
    buyer_id: int,
    checkout_reference: str,
    amount: Money,
    parts: Sequence[ChargePart],
    now: datetime,
) -> Charge:
    """Pay a checkout from the buyer's wallet in ``amount.currency``: each part's amount
    goes to its merchant's payable (converted to the settlement currency through FX when
    the checkout currency differs), all as one linked chain in the caller's transaction:
    ``wallet_charge_plan`` then ``wallet_charge_book`` (four statements, no shared lock).

    The parts must add up to ``amount`` and name distinct references. No wallet in that
    currency: ``NoWallet`` (409); too little in it: ``InsufficientFunds`` (409, code
    "insufficient_funds"); the caller's transaction must then roll back (nothing stays).
    A retry with the same ``checkout_reference`` and parts returns the first charge;
    other parts: ``RequestIdReused`` (409). For trusted callers (the orders app's wallet
    method).
    """
    plan = wallet_charge_plan(
        buyer_id=buyer_id,
        checkout_reference=checkout_reference,
        amount=amount,
        parts=parts,
        now=now,
    )
    return wallet_charge_book(plan=plan, now=now)


def _check_refunder(payment: Payment, actor_id: int | None, actor_role: str) -> None:
    """``SYSTEM`` callers and operators refund any payment; a merchant's owners and
    managers their own merchant's; for anyone else the payment does not exist."""
    if actor_role in (OPERATOR, SYSTEM):
        return
    if actor_role == MERCHANT and actor_id is not None:
        role = merchant_selectors.staff_role_of(user_id=actor_id, merchant_id=payment.merchant_id)
        if role in merchant_selectors.MANAGING_ROLES:
            return
        if role is not None:
            raise merchant_selectors.StaffRoleTooLow("refunds need an owner or a manager")
    raise PaymentNotFound(f"no payment {payment.reference!r}")


def _refund_specs(
    payment: Payment, key: str, *, paid: int, credit: int, spread: int
) -> list[TransferSpec]:
    wallet_account = payment.wallet.ledger_account_id
    payable = merchant_account_id("merchant_payable", payment.merchant_id)
    reference = f"refund of {payment.reference}"
    if payment.paid_currency == payment.credit_currency:
        return [
            spec(
                f"{key}:0",
                debit=payable,
                credit=wallet_account,
                amount_minor=paid,
                currency=payment.paid_currency,
                code="refund",
                reference=reference,
            )
        ]
    specs = []
    if credit:
        specs.append(
            spec(
                f"{key}:buy",
                debit=payable,
                credit=system_account_id("fx_liquidity", payment.credit_currency),
                amount_minor=credit,
                currency=payment.credit_currency,
                code=REFUND_FX_CODES[2],
                reference=reference,
            )
        )
    if paid - spread:
        specs.append(
            spec(
                f"{key}:sell",
                debit=system_account_id("fx_liquidity", payment.paid_currency),
                credit=wallet_account,
                amount_minor=paid - spread,
                currency=payment.paid_currency,
                code=REFUND_FX_CODES[0],
                reference=reference,
            )
        )
    if spread:
        specs.append(
            spec(
                f"{key}:spread",
                debit=system_account_id("fees", payment.paid_currency),
                credit=wallet_account,
                amount_minor=spread,
                currency=payment.paid_currency,
                code=REFUND_FX_CODES[1],
                reference=reference,
            )
        )
    return specs


def wallet_refund(
    *,
    payment_reference: str,
    amount: Money,
    refund_reference: str,
    now: datetime,
    actor_id: int | None = None,
    actor_role: str,
) -> RefundInfo:
    """Give back part or all of a wallet payment, at the payment's own rate.

    ``amount`` is in the payer's currency (what goes back to the wallet) or in the
    merchant's (what leaves the payable); the other side is the same share of the
    payment, computed on the cumulative refunded share so that refunds add up exactly to
    the payment (``fxmath.refund_share``); the FX mark-up goes back in proportion. Never
    more than is left (``RefundExceedsPayment``, 409); another currency is
    ``CurrencyMismatch`` (422). Idempotent per ``refund_reference``: the same reference and
    amount return the first refund, another amount ``RequestIdReused`` (409). Locks the
    payment row; runs in the caller's transaction when there is one (orders refunds).
    """
    refund_reference = _check_reference(refund_reference, "refund reference")
    check_amount(amount.amount_minor, amount.currency, what="refund")
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("wallet")
            .filter(reference=payment_reference)
            .first()
        )
        if payment is None:
            raise PaymentNotFound(f"no payment {payment_reference!r}")
        _check_refunder(payment, actor_id, actor_role)
        existing = PaymentRefund.objects.filter(reference=refund_reference).first()
        if existing is not None:
            side = (
                existing.paid_minor
                if amount.currency == payment.paid_currency
                else existing.credit_minor
            )
            if existing.payment_id != payment.pk or side != amount.amount_minor:
                raise RequestIdReused(f"refund {refund_reference} was made otherwise")
            return selectors.refund_info(existing, payment)
        if amount.currency == payment.paid_currency:
            total, done = payment.paid_minor, payment.refunded_paid_minor
        elif amount.currency == payment.credit_currency:
            total, done = payment.credit_minor, payment.refunded_credit_minor
        else:
            raise CurrencyMismatch(
                f"payment {payment.reference} was in {payment.paid_currency}"
                f"/{payment.credit_currency}, not {amount.currency}"
            )
        left = total - done
        if amount.amount_minor > left:
            raise RefundExceedsPayment(
                f"at most {Money(left, amount.currency)} is left to refund on {payment.reference}",
                left_minor=left,
            )
        cumulative = done + amount.amount_minor

        def share(whole: int, already: int) -> int:
            return fxmath.refund_share(
                total=whole, already=already, share_num=cumulative, share_den=total
            )

        paid = share(payment.paid_minor, payment.refunded_paid_minor)
        credit = share(payment.credit_minor, payment.refunded_credit_minor)
        spread = share(payment.spread_minor, payment.refunded_spread_minor)
        if paid <= 0:
            raise AmountTooSmall("the refund is too small to give anything back to the wallet")
        spread = min(spread, paid)
        book(
            _refund_specs(
                payment, f"refund:{_key(refund_reference)}", paid=paid, credit=credit, spread=spread
            ),
            now,
        )
        refund = PaymentRefund.objects.create(
            payment=payment,
            merchant_id=payment.merchant_id,
            reference=refund_reference,
            paid_minor=paid,
            credit_minor=credit,
            spread_minor=spread,
            created_at=now,
        )
        payment.refunded_paid_minor += paid
        payment.refunded_credit_minor += credit
        payment.refunded_spread_minor += spread
        payment.save(
            update_fields=["refunded_paid_minor", "refunded_credit_minor", "refunded_spread_minor"]
        )
    return selectors.refund_info(refund, payment)


def merchant_payable_open(*, merchant_id: int) -> int:
    """Open the merchant's payable account (settlement currency) if it is not open yet;
    its id. Idempotent. Done when a merchant registers, so that the wallet checkout finds
    it (a checkout that does not opens it on its failure path, at a few statements' cost)."""
    return merchant_account_id("merchant_payable", merchant_id)


def on_merchant_registered(event: events.Event) -> None:
    """Outbox subscriber of ``merchants.merchant.registered``: open the payable."""
    merchant_payable_open(merchant_id=int(event.payload["merchant_id"]))
