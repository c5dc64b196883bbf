"""How a checkout is paid: a pluggable step behind the ``PaymentMethod`` protocol.

A method is registered once at import time (``payment_method_register``) under its
``code``; the checkout names it (``"cod"``). Each method says, inside the checkout
transaction, whether the orders are paid right away (a wallet debit would be), and
whether payment is collected on delivery (cash on delivery), which lets a merchant ship
an order that is still ``placed``.

Only cash on delivery exists for now: the order stays ``placed`` (no fake paid flag) and
``paid_at`` is set when the merchant marks it delivered. The payments issue adds a wallet
method whose ``settle_checkout`` debits the buyer and returns True (orders move to paid).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from fiera.common.errors import InvalidInput


class UnknownPaymentMethod(InvalidInput):
    code = "unknown_payment_method"


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


@runtime_checkable
class PaymentMethod(Protocol):
    code: str
    label: str
    collects_on_delivery: bool

    def settle_checkout(self, *, charge: CheckoutCharge, now: datetime) -> bool:
        """Called inside the checkout transaction, after the checkout row exists.

        Called before the orders are inserted, so that they are written once with their
        final status: return True when they are paid now (written as ``paid``), False
        when they stay ``placed``. Raise a DomainError to refuse the checkout (it rolls back).
        """
        ...


class CashOnDelivery:
    """The buyer pays the courier; nothing is settled at checkout."""

    code = "cod"
    label = "Cash on delivery"
    collects_on_delivery = True

    def settle_checkout(self, *, charge: CheckoutCharge, now: datetime) -> bool:
        return False


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
