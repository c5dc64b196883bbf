"""The events the orders app publishes through the outbox (``fiera.common.events``).

Each event is a frozen dataclass of plain values (ids, minor units, ISO codes and times,
FX rates as decimal strings), published in the transaction of the change it reports, so
it exists if and only if the change committed. Subscribers receive ``payload()`` as the
event's payload and key their idempotency on the event id (docs/decisions/0003-*).

Topics:
- ``orders.checkout.placed``: the checkout result (``CheckoutResult.as_json()``), one per
  checkout, with its orders.
- ``orders.order.paid``: the order's money was collected: at checkout by a method that
  settles at once (the wallet; ``fx`` says at which rate when it converted), on delivery
  for cash on delivery.
- ``orders.order.shipped``: the first package left (later packages publish nothing).
- ``orders.order.delivered``.
- ``orders.order.cancelled``: a placed order was cancelled (nothing was collected).
- ``orders.order.refunded``: money was given back, once per refund, partial ones included;
  ``fully_refunded`` says whether the order is now ``refunded`` (a paid order cancelled by
  its merchant is refunded in full: one ``refunded`` event, no ``cancelled``).

Every order event carries the order's ids (order, number, checkout, merchant, buyer,
marketplace), its amounts in minor units of ``currency``, its payment method and its status
after the change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

from fiera.common.events import publish_many
from fiera.orders.models import Order


@dataclass(frozen=True, slots=True)
class FxUsed:
    """The conversion a payment recorded: 1 ``rate_base`` = ``rate`` ``rate_quote`` (the
    reference rate, as a decimal string), ``markup_bp`` on top, and what the merchant's
    payable was credited in ``credit_currency``."""

    rate: str
    rate_base: str
    rate_quote: str
    markup_bp: int
    credit_minor: int
    credit_currency: str


@dataclass(frozen=True, slots=True)
class OrderEvent:
    topic: ClassVar[str]

    order_id: int
    number: str
    checkout_id: int
    merchant_id: int
    buyer_id: int
    marketplace_id: int
    status: str  # after the change
    currency: str
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    refunded_minor: int
    payment_method: str

    def payload(self) -> dict[str, Any]:
        """The fields as plain JSON values (``fx`` as an object or null)."""
        data: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            data[field.name] = _fx_json(value) if isinstance(value, FxUsed) else value
        return data


def _fx_json(fx: FxUsed) -> dict[str, Any]:
    return {field.name: getattr(fx, field.name) for field in dataclasses.fields(fx)}


@dataclass(frozen=True, slots=True)
class OrderPaid(OrderEvent):
    topic: ClassVar[str] = "orders.order.paid"
    paid_at: str
    fx: FxUsed | None


@dataclass(frozen=True, slots=True)
class OrderShipped(OrderEvent):
    topic: ClassVar[str] = "orders.order.shipped"
    shipped_at: str
    carrier: str
    tracking_number: str


@dataclass(frozen=True, slots=True)
class OrderDelivered(OrderEvent):
    topic: ClassVar[str] = "orders.order.delivered"
    delivered_at: str


@dataclass(frozen=True, slots=True)
class OrderCancelled(OrderEvent):
    topic: ClassVar[str] = "orders.order.cancelled"
    cancelled_at: str
    reason: str


@dataclass(frozen=True, slots=True)
class OrderRefunded(OrderEvent):
    topic: ClassVar[str] = "orders.order.refunded"
    refund_id: int
    amount_minor: int  # this refund, in ``currency``
    fully_refunded: bool
    refunded_at: str
    reason: str
    fx: FxUsed | None  # the payment's rate: the wallet gives refunds back at it


def order_facts(order: Order) -> dict[str, Any]:
    """The fields every order event carries, from the order as it is after the change."""
    return {
        "order_id": order.pk,
        "number": order.number,
        "checkout_id": order.checkout_id,
        "merchant_id": order.merchant_id,
        "buyer_id": order.buyer_id,
        "marketplace_id": order.marketplace_id,
        "status": str(order.status),
        "currency": order.currency,
        "subtotal_minor": order.subtotal_minor,
        "tax_minor": order.tax_minor,
        "total_minor": order.total_minor,
        "refunded_minor": order.refunded_minor,
        "payment_method": order.payment_method,
    }


class _PlacedOrder(Protocol):
    @property
    def order_id(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def merchant_id(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def subtotal_minor(self) -> int: ...
    @property
    def tax_minor(self) -> int: ...
    @property
    def total_minor(self) -> int: ...


def paid_at_checkout(
    *,
    checkout_id: int,
    buyer_id: int,
    marketplace_id: int,
    payment_method: str,
    orders: Sequence[_PlacedOrder],
    fx: Mapping[str, FxUsed],
    now: datetime,
) -> list[OrderPaid]:
    """One ``orders.order.paid`` per order of a checkout its payment method settled at once
    (built from the placed orders: no query)."""
    paid_at = now.isoformat()
    return [
        OrderPaid(
            order_id=order.order_id,
            number=order.number,
            checkout_id=checkout_id,
            merchant_id=order.merchant_id,
            buyer_id=buyer_id,
            marketplace_id=marketplace_id,
            status="paid",
            currency=order.currency,
            subtotal_minor=order.subtotal_minor,
            tax_minor=order.tax_minor,
            total_minor=order.total_minor,
            refunded_minor=0,
            payment_method=payment_method,
            paid_at=paid_at,
            fx=fx.get(order.number),
        )
        for order in orders
    ]


def events_publish(
    events: Sequence[OrderEvent | tuple[str, dict[str, Any]]], *, now: datetime
) -> None:
    """Publish in the caller's transaction, all in ONE outbox INSERT."""
    publish_many(
        [event if isinstance(event, tuple) else (event.topic, event.payload()) for event in events],
        now=now,
    )
