"""Every order state change publishes exactly one outbox message per order, with the
order's ids, its amounts in minor units and, where the payment converted, the rate used."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fiera.accounts.roles import SYSTEM
from fiera.common.models import OutboxMessage
from fiera.orders import payment as payment_module
from fiera.orders import services
from fiera.orders.models import Order
from fiera.orders.payment import CheckoutCharge, Settled, payment_method_register
from fiera.payments import selectors as payments_selectors
from tests.orders import factories as f
from tests.payments.factories import funded_wallet, make_rates

pytestmark = pytest.mark.django_db
NOW = f.NOW
AT = NOW.isoformat()


class PaidOnTheSpot:
    code = "test-events-paid"
    label = "Paid at checkout (events test)"
    collects_on_delivery = False

    def settle_checkout(self, *, charge: CheckoutCharge, now) -> Settled:
        return Settled(paid=True)


@pytest.fixture(autouse=True)
def _paid_on_the_spot() -> Iterator[None]:
    """This module's test method, registered only while its tests run (the checkout page of
    other tests lists every registered method)."""
    payment_method_register(PaidOnTheSpot())
    yield
    payment_module._methods.pop(PaidOnTheSpot.code, None)


@pytest.fixture
def world() -> dict[str, Any]:
    market = f.marketplace()
    maker = f.merchant()
    return {
        "market": market,
        "maker": maker,
        "item": f.sku(market=market, merchant_obj=maker, price_minor=2500, stock=10),
        "buyer": f.user(),
        "staff": f.staff(merchant_obj=maker),
    }


def checkout(world: dict[str, Any], method: str = "cod", quantity: int = 2) -> Order:
    result = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug=world["market"].slug,
        country="IT",
        lines=[(world["item"].id, quantity)],
        shipping_address=f.address(),
        payment_method=method,
        now=NOW,
        actor_role=SYSTEM,
    )
    return Order.objects.get(number=result.orders[0].number)


def published(*, after: int = 0) -> list[tuple[str, dict[str, Any]]]:
    return [(m.topic, m.payload) for m in OutboxMessage.objects.filter(id__gt=after).order_by("id")]


def last_id() -> int:
    return OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0


def facts(order: Order, world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What every order event says about ``order`` (a 2 x 25.00 EUR order by default)."""
    return {
        "order_id": order.pk,
        "number": order.number,
        "checkout_id": order.checkout_id,
        "merchant_id": world["maker"].pk,
        "buyer_id": world["buyer"].pk,
        "marketplace_id": world["market"].pk,
        "status": order.status,
        "currency": "EUR",
        "subtotal_minor": order.subtotal_minor,
        "tax_minor": order.tax_minor,
        "total_minor": 5000,
        "refunded_minor": 0,
        "payment_method": "cod",
        **changes,
    }


def staff(world: dict[str, Any]) -> dict[str, Any]:
    return {"actor_id": world["staff"].pk, "actor_role": "merchant"}


def test_a_cash_on_delivery_order_publishes_shipped_then_paid_and_delivered_then_refunds(
    world,
) -> None:
    order = checkout(world)
    assert [topic for topic, _ in published()] == ["orders.checkout.placed"]  # not paid yet

    mark = last_id()
    services.order_ship(
        **staff(world), number=order.number, carrier="BRT", tracking_number="T1", now=NOW
    )
    assert published(after=mark) == [
        (
            "orders.order.shipped",
            facts(
                order, world, status="shipped", shipped_at=AT, carrier="BRT", tracking_number="T1"
            ),
        )
    ]
    mark = last_id()
    services.order_ship(
        **staff(world), number=order.number, carrier="BRT", tracking_number="T2", now=NOW
    )
    assert published(after=mark) == []  # a second package is no state change

    services.order_deliver(**staff(world), number=order.number, now=NOW)
    assert published(after=mark) == [
        ("orders.order.paid", facts(order, world, status="delivered", paid_at=AT, fx=None)),
        ("orders.order.delivered", facts(order, world, status="delivered", delivered_at=AT)),
    ]

    mark = last_id()
    services.order_refund(
        **staff(world), number=order.number, amount_minor=1200, reason="dented\x00", now=NOW
    )
    services.order_refund(
        **staff(world), number=order.number, amount_minor=3800, reason="", now=NOW
    )
    refund_ids = list(order.refunds.order_by("id").values_list("id", flat=True))
    assert published(after=mark) == [
        (
            "orders.order.refunded",
            facts(
                order,
                world,
                status="delivered",
                refunded_minor=1200,
                refund_id=refund_ids[0],
                amount_minor=1200,
                fully_refunded=False,
                refunded_at=AT,
                reason="dented",
                fx=None,
            ),
        ),
        (
            "orders.order.refunded",
            facts(
                order,
                world,
                status="refunded",
                refunded_minor=5000,
                refund_id=refund_ids[1],
                amount_minor=3800,
                fully_refunded=True,
                refunded_at=AT,
                reason="",
                fx=None,
            ),
        ),
    ]


def test_a_placed_order_cancelled_publishes_one_cancelled_message(world) -> None:
    order = checkout(world)
    mark = last_id()
    services.order_cancel(
        actor_id=world["buyer"].pk,
        actor_role="buyer",
        number=order.number,
        reason="changed my mind",
        now=NOW,
    )
    assert published(after=mark) == [
        (
            "orders.order.cancelled",
            facts(order, world, status="cancelled", cancelled_at=AT, reason="changed my mind"),
        )
    ]


def test_refused_transitions_publish_nothing(world) -> None:
    order = checkout(world)
    services.order_ship(
        **staff(world), number=order.number, carrier="BRT", tracking_number="T1", now=NOW
    )
    other = checkout(world)
    mark = last_id()
    with pytest.raises(services.TrackingNumberTaken):
        services.order_ship(
            **staff(world), number=other.number, carrier="BRT", tracking_number="T1", now=NOW
        )
    with pytest.raises(services.BadTransition):
        services.order_cancel(**staff(world), number=order.number, now=NOW)
    assert published(after=mark) == []
    assert Order.objects.get(pk=other.pk).status == "placed"


def test_an_order_paid_at_checkout_publishes_paid_in_the_checkout_insert(world) -> None:
    with CaptureQueriesContext(connection) as queries:
        order = checkout(world, method="test-events-paid")
    outbox_inserts = [q for q in queries.captured_queries if "common_outboxmessage" in q["sql"]]
    assert len(outbox_inserts) == 1  # the checkout's event and the order's, one statement
    topics = [topic for topic, _ in published()]
    assert topics == ["orders.checkout.placed", "orders.order.paid"]
    assert published()[1][1] == facts(
        order, world, status="paid", payment_method="test-events-paid", paid_at=AT, fx=None
    )


def test_a_wallet_checkout_in_another_currency_publishes_the_rate_and_refunds_at_it() -> None:
    make_rates(on=NOW.date())
    market = f.marketplace(countries={"CN": "CNY"}, default_currency="CNY")
    makers = [f.merchant(), f.merchant()]
    items = [
        f.sku(market=market, merchant_obj=maker, price_minor=price)
        for maker, price in zip(makers, (6_000, 4_000), strict=True)
    ]
    buyer = f.user()
    funded_wallet(buyer, 20_000, now=NOW)
    result = services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country="CN",
        lines=[(item.id, 1) for item in items],
        shipping_address=f.address("CN", city="Shanghai", postal_code="200000"),
        payment_method="wallet",
        now=NOW,
        actor_role="buyer",
    )
    paid = [payload for topic, payload in published() if topic == "orders.order.paid"]
    assert sorted(p["number"] for p in paid) == sorted(o.number for o in result.orders)
    for payload in paid:
        payment = payments_selectors.payment_get(reference=payload["number"], actor_role=SYSTEM)
        assert payload["fx"] == {
            "rate": "7.8",
            "rate_base": payment.rate_base,
            "rate_quote": payment.rate_quote,
            "markup_bp": payment.markup_bp,
            "credit_minor": payment.credit.amount_minor,
            "credit_currency": "EUR",
        }
        assert payload["currency"] == "CNY" and payload["status"] == "paid"
        assert payload["total_minor"] == payment.paid.amount_minor
    assert sum(p["fx"]["credit_minor"] for p in paid) == 1_276  # CNY 100.00 at 7.8 + 0.5 %

    order = Order.objects.get(number=result.orders[0].number)
    mark = last_id()
    services.order_cancel(
        actor_id=f.staff(merchant_obj=order.merchant).pk,
        actor_role="merchant",
        number=order.number,
        now=NOW,
    )
    ((topic, refunded),) = published(after=mark)  # a paid order cancelled: one refund
    assert topic == "orders.order.refunded"
    first_paid = next(p for p in paid if p["number"] == order.number)
    assert refunded["fx"] == first_paid["fx"]
    assert (refunded["status"], refunded["fully_refunded"], refunded["reason"]) == (
        "refunded",
        True,
        "cancelled",
    )
    assert refunded["amount_minor"] == refunded["refunded_minor"] == order.total_minor
