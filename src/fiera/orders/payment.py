"""How a checkout is paid: a pluggable step behind the ``PaymentMethod`` protocol.

A method is registered once at import time (``payment_method_register``) under its
``code``; the checkout names it (``"cod"``). Each method says, inside the checkout
transaction, whether the orders are paid right away (a wallet debit would be), and
whether payment is collected on delivery (cash on delivery), which lets a merchant ship
an order that is still ``placed``.

Three methods exist. Cash on delivery: the order stays ``placed`` (no fake paid flag) and
``paid_at`` is set when the merchant marks it delivered. The wallet (``WalletPayment``):
``settle_checkout`` plans the charge of the buyer's Fiera wallet in the checkout currency
(``fiera.payments.services.wallet_charge_plan``: each order's total to its merchant,
converted to EUR through FX when needed) and returns ``Settled(paid=True, fx=...,
collect=...)``; the checkout books it (``wallet_charge_book``, all or nothing) after the
stock is taken. So the orders are written ``paid`` and their
``orders.order.paid`` events carry the rate each payment recorded.
``WalletPayLater`` ("wallet_later") lets the buyer pay after checkout, within a timeout: the
orders are written ``placed`` with their ``payment_due_at`` and paid one by one
(``orders.services.order_pay``), or cancelled once overdue. A method that
collected money gives it back through ``refund_collected`` (the wallet's refunds go back
at the original rate), called by the orders services in the refund's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import Conflict, InvalidInput
from fiera.common.money import Money
from fiera.common.trade_terms import ASSURANCE
from fiera.orders.events import FxUsed
from fiera.payments import selectors as payments_selectors
from fiera.payments import services as payments


class UnknownPaymentMethod(InvalidInput):
    code = "unknown_payment_method"
    message_template = gettext_lazy("Choose one of the payment methods offered.")


@dataclass(frozen=True, slots=True)
class CheckoutCharge:
    """What a payment method is asked to settle: ids and minor units, nothing else."""

    checkout_id: int
    buyer_id: int
    marketplace_id: int
    currency: str
    total_minor: int
    order_numbers: tuple[str, ...]
    order_totals_minor: tuple[int, ...]
    merchant_ids: tuple[int, ...]
    has_flash_lines: bool = False  # some units come from a flash sale (scarce: pay sooner)


@dataclass(frozen=True, slots=True)
class Settled:
    """What ``settle_checkout`` did: ``paid`` when the orders are paid now (written
    ``paid``); ``fx`` the conversion each order's payment recorded, by order number (empty
    when nothing was converted); ``payment_due_at`` when the buyer pays later, the time
    after which the unpaid orders are cancelled (written with the orders); ``collect`` the
    writes that take the money (the wallet's ledger legs and payments), which the checkout
    runs after the stock and flash units are taken, so a buyer refused for stock never
    touches the ledger and ledger rows are locked last (decision 0012); a DomainError it
    raises refuses the checkout (it rolls back whole)."""

    paid: bool
    fx: Mapping[str, FxUsed] = field(default_factory=dict)
    payment_due_at: datetime | None = None
    collect: Callable[[], object] | None = None


NOT_SETTLED = Settled(paid=False)


@runtime_checkable
class PaymentMethod(Protocol):
    code: str
    label: str
    collects_on_delivery: bool

    def settle_checkout(self, *, charge: CheckoutCharge, now: datetime) -> Settled:
        """Called inside the checkout transaction, after the checkout row exists.

        Called before the orders are inserted, so that they are written once with their
        final status: ``Settled(paid=True)`` when they are paid now (written as ``paid``),
        ``NOT_SETTLED`` when they stay ``placed``. It should write nothing: the money is
        taken by ``Settled.collect``, which the checkout calls after the stock. Raise a
        DomainError to refuse the checkout (it rolls back).
        """
        ...


class CashOnDelivery:
    """The buyer pays the courier; nothing is settled at checkout."""

    code = "cod"
    label = gettext_noop("Cash on delivery")
    collects_on_delivery = True

    def settle_checkout(self, *, charge: CheckoutCharge, now: datetime) -> Settled:
        return NOT_SETTLED


class WalletPayment:
    """The buyer's Fiera wallet in the checkout currency pays at checkout.

    No wallet in that currency is 409 ``no_wallet``, too little in it 409
    ``insufficient_funds``; the checkout then rolls back whole. Each order's payment is
    recorded under its order number (``payments.selectors.payment_get``)."""

    code = "wallet"
    label = gettext_noop("Fiera wallet")
    collects_on_delivery = False

    def settle_checkout(self, *, charge: CheckoutCharge, now: datetime) -> Settled:
        """Works the charge out (no statement: the FX terms are cached) and returns its
        booking as ``collect``: four statements, the buyer's wallet row the only ledger
        row locked (``payments.wallet_charge_book``)."""
        plan = payments.wallet_charge_plan(
            buyer_id=charge.buyer_id,
            checkout_reference=f"checkout:{charge.checkout_id}",
            amount=Money(charge.total_minor, charge.currency),
            parts=[
                payments.ChargePart(merchant_id=merchant_id, amount_minor=total, reference=number)
                for merchant_id, total, number in zip(
                    charge.merchant_ids,
                    charge.order_totals_minor,
                    charge.order_numbers,
                    strict=True,
                )
            ],
            now=now,
        )
        return Settled(
            paid=True,
            fx={payment.reference: fx for payment in plan.payments if (fx := _fx_of(payment))},
            # no savepoint: any error rolls the whole checkout back
            collect=partial(payments.wallet_charge_book, plan=plan, now=now, savepoint=False),
        )

    def refund(self, *, order_number: str, amount: Money, reference: str, now: datetime) -> None:
        payments.wallet_refund(
            payment_reference=order_number,
            amount=amount,
            refund_reference=reference,
            now=now,
            actor_role=SYSTEM,
        )


class WalletPayLater(WalletPayment):
    """Order now, pay from the Fiera wallet within a timeout (as on the big festival
    marketplaces): the orders are written ``placed`` with ``payment_due_at`` = now +
    ``FIERA_PAYMENT_TIMEOUT_MINUTES`` (``FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES`` when a line
    comes from a flash sale, whose units are scarce). The buyer pays each order with
    ``orders.services.order_pay`` (``charge_order``); one still unpaid after its deadline is
    cancelled by ``orders.services.orders_expire_unpaid`` and its units go back on sale.
    Once paid, refunds go back to the wallet like ``WalletPayment``'s."""

    code = "wallet_later"
    label = gettext_noop("Fiera wallet: pay within %(minutes)s minutes")
    collects_on_delivery = False

    def timeout_minutes(self, *, flash: bool) -> int:
        if flash:
            return int(settings.FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES)
        return int(settings.FIERA_PAYMENT_TIMEOUT_MINUTES)

    def settle_checkout(self, *, charge: CheckoutCharge, now: datetime) -> Settled:
        minutes = self.timeout_minutes(flash=charge.has_flash_lines)
        return Settled(paid=False, payment_due_at=now + timedelta(minutes=minutes))

    def charge_order(
        self, *, buyer_id: int, merchant_id: int, number: str, amount: Money, now: datetime
    ) -> FxUsed | None:
        """Pay one order from the buyer's wallet in ``amount.currency`` (its merchant's
        payable credited, through FX when needed), in the caller's transaction; the payment
        is recorded under the order number, so a retry charges nothing twice. ``NoWallet``
        and ``InsufficientFunds`` (409) as at checkout. The conversion used, if any."""
        paid = payments.wallet_charge_for_checkout(
            buyer_id=buyer_id,
            checkout_reference=f"order:{number}",
            amount=amount,
            parts=[
                payments.ChargePart(
                    merchant_id=merchant_id, amount_minor=amount.amount_minor, reference=number
                )
            ],
            now=now,
        )
        return next((fx for payment in paid.payments if (fx := _fx_of(payment))), None)


def payment_method_label(code: str) -> str:
    """The method's name in the active language, for pages (the pay-later method says its
    timeouts)."""
    method = payment_method_get(code)
    text = gettext(method.label)
    if isinstance(method, WalletPayLater):
        minutes = method.timeout_minutes(flash=False)
        flash_minutes = method.timeout_minutes(flash=True)
        text = text % {"minutes": minutes}
        if flash_minutes != minutes:
            text += " " + gettext("(%(minutes)s for flash-sale items)") % {"minutes": flash_minutes}
    return text


@runtime_checkable
class RefundingMethod(Protocol):
    """A method that collected money at checkout and can give part of it back."""

    def refund(self, *, order_number: str, amount: Money, reference: str, now: datetime) -> None:
        """Give ``amount`` (the order's currency) back, idempotent on ``reference``; called
        inside the refund's transaction. Raise a DomainError to refuse it."""
        ...


def refund_collected(
    *, method_code: str, order_number: str, amount: Money, reference: str, now: datetime
) -> bool:
    """Give back money the order's payment method collected at checkout (the wallet);
    False when the method has nothing to give back here (cash on delivery: the merchant
    refunds the buyer directly)."""
    method = payment_method_get(method_code)
    if not isinstance(method, RefundingMethod):
        return False
    method.refund(order_number=order_number, amount=amount, reference=reference, now=now)
    return True


def collected_fx(*, method_code: str, order_number: str) -> FxUsed | None:
    """The conversion the order's payment recorded, for a method that collected it (the
    wallet; refunds go back at this rate); None when nothing was converted (one query)."""
    if not isinstance(payment_method_get(method_code), RefundingMethod):
        return None
    try:
        payment = payments_selectors.payment_get(reference=order_number, actor_role=SYSTEM)
    except payments_selectors.PaymentNotFound:
        return None
    return _fx_of(payment)


def _fx_of(payment: payments_selectors.PaymentInfo) -> FxUsed | None:
    if not payment.rate:
        return None
    return FxUsed(
        rate=payment.rate,
        rate_base=payment.rate_base,
        rate_quote=payment.rate_quote,
        markup_bp=payment.markup_bp,
        credit_minor=payment.credit.amount_minor,
        credit_currency=payment.credit.currency,
    )


_methods: dict[str, PaymentMethod] = {}


def payment_method_register(method: PaymentMethod) -> PaymentMethod:
    """Make ``method`` available under ``method.code`` (replaces one with the same code)."""
    _methods[method.code] = method
    return method


def payment_method_get(code: str) -> PaymentMethod:
    method = _methods.get(code)
    if method is None:
        known = ", ".join(sorted(_methods)) or "none"
        raise UnknownPaymentMethod(f"unknown payment method {code!r}; available: {known}")
    return method


def payment_methods() -> list[PaymentMethod]:
    """The registered methods, by code (for the checkout form)."""
    return [_methods[code] for code in sorted(_methods)]


payment_method_register(CashOnDelivery())
payment_method_register(WalletPayment())
payment_method_register(WalletPayLater())


# --- trade assurance ---

B2B_KIND = "b2b_trade"  # marketplaces.MarketplaceKind.B2B_TRADE


class AssuranceRefundPartial(Conflict):
    code = "assurance_refund_partial"
    message_template = gettext_lazy(
        "The payment of this order is held by trade assurance: it is refunded whole or not at "
        "all. To settle part of it, the buyer opens a dispute and an operator decides it."
    )


def escrow_reference(number: str) -> str:
    """The escrow reference of the order numbered ``number`` (one hold per order)."""
    return f"order:{number}"


def is_escrowed(*, payment_method: str, payment_terms: str) -> bool:
    """Whether an order paid with ``payment_method`` under ``payment_terms`` is (or will be,
    once paid) paid into escrow: the trade-assurance method at checkout, or a pay-later
    order whose terms are trade assurance (an accepted quote)."""
    return payment_method == TradeAssurance.code or (
        payment_method == WalletPayLater.code and payment_terms == ASSURANCE
    )


class TradeAssurance(WalletPayment):
    """B2B trade assurance at checkout (decision 0016): each order's total is held in
    escrow (``payments.services.escrow_hold``, reference ``order:<number>``, no timeout)
    from the buyer's wallet in the checkout currency, instead of charged; the orders are
    written ``paid`` but nothing reaches the merchant until the buyer confirms receipt or
    the release job runs (``trade.services``). Offered on B2B trade marketplaces only."""

    code = "assurance"
    label = gettext_noop(
        "Trade assurance: your payment is held and released to the supplier when you "
        "confirm receipt"
    )
    collects_on_delivery = False
    marketplace_kinds = frozenset({B2B_KIND})

    def settle_checkout(self, *, charge: CheckoutCharge, now: datetime) -> Settled:
        holds = list(
            zip(charge.merchant_ids, charge.order_totals_minor, charge.order_numbers, strict=True)
        )

        def collect() -> None:
            for merchant_id, total, number in holds:
                self.hold_order(
                    buyer_id=charge.buyer_id,
                    merchant_id=merchant_id,
                    number=number,
                    amount=Money(total, charge.currency),
                    now=now,
                )

        return Settled(paid=True, collect=collect)

    def hold_order(
        self, *, buyer_id: int, merchant_id: int, number: str, amount: Money, now: datetime
    ) -> payments_selectors.EscrowInfo:
        """Hold ``amount`` of the buyer's wallet for the order (no timeout), in the
        caller's transaction; ``NoWallet`` / ``InsufficientFunds`` (409) write nothing."""
        return payments.escrow_hold(
            buyer_id=buyer_id,
            merchant_id=merchant_id,
            reference=escrow_reference(number),
            amount=amount,
            timeout_seconds=0,
            now=now,
        )

    def refund(self, *, order_number: str, amount: Money, reference: str, now: datetime) -> None:
        """A hold still held is voided whole (``AssuranceRefundPartial``, 409, for part of
        it); a released one is refunded from the merchant's payable like a wallet payment
        (its Payment is ``escrow:order:<number>``)."""
        ref = escrow_reference(order_number)
        info = payments_selectors.escrow_get(reference=ref, now=now)
        if info.status == "released":
            payments.wallet_refund(
                payment_reference=f"escrow:{ref}",
                amount=amount,
                refund_reference=reference,
                now=now,
                actor_role=SYSTEM,
            )
            return
        if amount != info.amount:
            raise AssuranceRefundPartial(f"escrow {ref} holds {info.amount}, not {amount}")
        payments.escrow_refund(reference=ref, now=now)


def payment_methods_for(*, marketplace_kind: str) -> list[PaymentMethod]:
    """The methods offered on a marketplace of this kind (by code): a method with
    ``marketplace_kinds`` only there (trade assurance: B2B trade), the others everywhere."""
    return [
        method
        for method in payment_methods()
        if marketplace_kind in getattr(method, "marketplace_kinds", (marketplace_kind,))
    ]


payment_method_register(TradeAssurance())
