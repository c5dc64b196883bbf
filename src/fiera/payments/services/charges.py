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
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import MERCHANT, OPERATOR, SYSTEM
from fiera.common.errors import Conflict, InvalidInput
from fiera.common.money import Money
from fiera.ledger.domain import TransferSpec
from fiera.merchants import selectors as merchant_selectors
from fiera.payments import fxmath, selectors
from fiera.payments.models import FxQuote, Payment, PaymentKind, PaymentRefund, Wallet
from fiera.payments.selectors import PaymentInfo, PaymentNotFound, RefundInfo
from fiera.payments.services.base import (
    CurrencyMismatch,
    NoWallet,
    RequestIdReused,
    book,
    check_amount,
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
    fx_legs,
    fx_terms,
    quote_new,
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
    first = payments[0]
    return Charge(
        charge_reference=charge_reference,
        payer_id=payer_id,
        amount=Money(sum(p.paid_minor for p in payments), first.paid_currency),
        credited=Money(sum(p.credit_minor for p in payments), first.credit_currency),
        rate=first.rate,
        markup_bp=first.markup_bp,
        spread=Money(sum(p.spread_minor for p in payments), first.paid_currency),
        payments=tuple(selectors.payment_info(p) for p in payments),
    )


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
    the checkout currency differs), all as one linked chain in the caller's transaction.

    The parts must add up to ``amount`` and name distinct references. No wallet in that
    currency: ``NoWallet`` (409); too little in it: ``InsufficientFunds`` (409, code
    "insufficient_funds"); nothing is written then. A retry with the same
    ``checkout_reference`` and parts returns the first charge; other parts:
    ``RequestIdReused`` (409). For trusted callers (the orders app's wallet method).
    """
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
    with transaction.atomic():
        existing = list(
            Payment.objects.filter(
                charge_reference=checkout_reference, kind=PaymentKind.CHECKOUT
            ).order_by("id")
        )
        if existing:
            same = [(p.merchant_id, p.paid_minor, p.reference, p.paid_currency) for p in existing]
            asked = [(p.merchant_id, p.amount_minor, p.reference, amount.currency) for p in parts]
            if same != asked or existing[0].payer_id != buyer_id:
                raise RequestIdReused(f"checkout {checkout_reference} was charged otherwise")
            return _charge_of(checkout_reference, buyer_id, existing)
        wallet = Wallet.objects.filter(user_id=buyer_id, currency=amount.currency).first()
        if wallet is None:
            raise NoWallet(f"you have no {amount.currency} wallet: open one and top it up")
        settle = settlement_currency()
        key = f"checkout:{_key(checkout_reference)}"
        payables = [merchant_account_id("merchant_payable", p.merchant_id) for p in parts]
        quote = None
        if amount.currency == settle:
            credits = [p.amount_minor for p in parts]
            spreads = [0] * len(parts)
            specs = [
                spec(
                    f"{key}:{i}",
                    debit=wallet.ledger_account_id,
                    credit=payable,
                    amount_minor=part.amount_minor,
                    currency=settle,
                    code="payment",
                    reference=part.reference,
                )
                for i, (part, payable) in enumerate(zip(parts, payables, strict=True))
            ]
        else:
            terms, rate_date = fx_terms(
                sell_currency=amount.currency, buy_currency=settle, on=now.date()
            )
            quote = quote_new(
                user_id=buyer_id,
                terms=terms,
                rate_date=rate_date,
                sell_amount_minor=amount.amount_minor,
                buy_amount_minor=None,
                now=now,
                purpose="checkout",
                executed=True,
            )
            ratios = [p.amount_minor for p in parts]
            credits = [
                m.amount_minor for m in Money(quote.buy_amount_minor, settle).allocate(ratios)
            ]
            spreads = [
                m.amount_minor for m in Money(quote.spread_minor, amount.currency).allocate(ratios)
            ]
            if min(credits) <= 0:
                raise AmountTooSmall("a merchant's part is too small to convert")
            liquidity = system_account_id("fx_liquidity", settle)
            sell_legs = fx_legs(
                key=key,
                reference=checkout_reference,
                source_account_id=wallet.ledger_account_id,
                target_account_id=payables[0],
                sell_currency=amount.currency,
                buy_currency=settle,
                mid_sell_minor=quote.mid_sell_minor,
                spread_minor=quote.spread_minor,
                buy_minor=quote.buy_amount_minor,
            )[:-1]  # the buy leg is split per merchant below
            specs = sell_legs + [
                spec(
                    f"{key}:buy:{i}",
                    debit=liquidity,
                    credit=payable,
                    amount_minor=credit,
                    currency=settle,
                    code=FX_CODES[2],
                    reference=part.reference,
                )
                for i, (part, payable, credit) in enumerate(
                    zip(parts, payables, credits, strict=True)
                )
            ]
        book(specs, now)
        payments = [
            payment_record(
                kind=PaymentKind.CHECKOUT,
                reference=part.reference,
                charge_reference=checkout_reference,
                wallet=wallet,
                merchant_id=part.merchant_id,
                paid_minor=part.amount_minor,
                credit_minor=credit,
                credit_currency=settle,
                now=now,
                quote=quote,
                spread_minor=spread,
            )
            for part, credit, spread in zip(parts, credits, spreads, strict=True)
        ]
    return _charge_of(checkout_reference, buyer_id, payments)


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
