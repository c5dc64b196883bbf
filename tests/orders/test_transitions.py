"""Order states: every allowed transition, every refused one, who may do what."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from fiera.accounts.roles import SYSTEM
from fiera.catalog.models import StockMovement
from fiera.catalog.selectors import movement_reason_text
from fiera.orders import payment as payment_module
from fiera.orders import services
from fiera.orders.models import Order, OrderStatus, Refund, Shipment
from fiera.orders.payment import (
    NOT_SETTLED,
    CheckoutCharge,
    Settled,
    payment_method_register,
)
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


class PrepaidCard:
    """A method that is neither paid at checkout nor collected on delivery."""

    code = "test-card"
    label = "Card (test)"
    collects_on_delivery = False

    def settle_checkout(self, *, charge: CheckoutCharge, now) -> Settled:
        return NOT_SETTLED


class PaidAtCheckout:
    """A method that settles the whole checkout inside its transaction (as the wallet)."""

    code = "test-paid"
    label = "Paid at checkout (test)"
    collects_on_delivery = False

    def settle_checkout(self, *, charge: CheckoutCharge, now) -> Settled:
        return Settled(paid=True)


@pytest.fixture(autouse=True)
def _test_methods() -> Iterator[None]:
    """This module's test methods, registered only while its tests run (the checkout page of
    other tests lists every registered method)."""
    for method in (PrepaidCard(), PaidAtCheckout()):
        payment_method_register(method)
    yield
    for code in (PrepaidCard.code, PaidAtCheckout.code):
        payment_module._methods.pop(code, None)


@pytest.fixture
def world():
    market = f.marketplace()
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=2500, stock=10)
    return {
        "market": market,
        "maker": maker,
        "item": item,
        "buyer": f.user(),
        "staff": f.staff(merchant_obj=maker),
        "operator": f.user(role="operator"),
    }


def order_in(world, status: str, payment_method: str = "cod") -> Order:
    """An order of 2 units (total 50.00 EUR) driven to ``status`` through the services
    (a paid order is paid at checkout)."""
    if status == "paid":
        payment_method = "test-paid"
    result = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug=world["market"].slug,
        country="IT",
        lines=[(world["item"].id, 2)],
        shipping_address=f.address(),
        payment_method=payment_method,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    number = result.orders[0].number
    staff = world["staff"].pk
    if status in {"shipped", "delivered", "refunded"}:
        services.order_ship(
            actor_id=staff,
            actor_role="merchant",
            number=number,
            carrier="BRT",
            tracking_number=f"T-{number}",
            now=f.NOW,
        )
    if status in {"delivered", "refunded"}:
        services.order_deliver(actor_id=staff, actor_role="merchant", number=number, now=f.NOW)
    if status == "refunded":
        services.order_refund(
            actor_id=staff,
            actor_role="merchant",
            number=number,
            amount_minor=5000,
            reason="",
            now=f.NOW,
        )
    if status == "cancelled":
        services.order_cancel(
            actor_id=world["buyer"].pk, actor_role="buyer", number=number, now=f.NOW
        )
    return Order.objects.get(number=number)


def as_staff(world):
    return {"actor_id": world["staff"].pk, "actor_role": "merchant"}


def test_placed_order_cancelled_by_its_buyer_puts_the_stock_back(world):
    order = order_in(world, "placed")
    assert world["item"].stock() == 8
    cancelled = services.order_cancel(
        actor_id=world["buyer"].pk, actor_role="buyer", number=order.number, now=f.NOW
    )
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.cancelled_at == f.NOW
    assert world["item"].stock() == 10


def test_placed_order_cancelled_by_staff_or_operator(world):
    for actor in (as_staff(world), {"actor_id": world["operator"].pk, "actor_role": "operator"}):
        order = order_in(world, "placed")
        assert services.order_cancel(**actor, number=order.number, now=f.NOW).status == "cancelled"
    assert world["item"].stock() == 10


def test_cod_order_ships_while_placed_and_payment_is_collected_on_delivery(world):
    order = order_in(world, "placed")
    shipped = services.order_ship(
        **as_staff(world), number=order.number, carrier="BRT", tracking_number="123", now=f.NOW
    )
    assert shipped.status == OrderStatus.SHIPPED
    assert shipped.paid_at is None
    assert [(s.carrier, s.tracking_number) for s in shipped.shipments.all()] == [("BRT", "123")]
    delivered = services.order_deliver(**as_staff(world), number=order.number, now=f.NOW)
    assert delivered.status == OrderStatus.DELIVERED
    assert delivered.paid_at == f.NOW
    assert delivered.shipments.get().delivered_at == f.NOW
    assert world["item"].stock() == 8  # delivered goods stay sold


def test_more_packages_may_follow_while_shipped(world):
    order = order_in(world, "shipped")
    again = services.order_ship(
        **as_staff(world), number=order.number, carrier="DHL", tracking_number="2", now=f.NOW
    )
    assert again.status == OrderStatus.SHIPPED
    assert again.shipments.count() == 2


def test_tracking_number_is_unique_per_carrier(world):
    first = order_in(world, "placed")
    second = order_in(world, "placed")
    services.order_ship(
        **as_staff(world), number=first.number, carrier="BRT", tracking_number="X1", now=f.NOW
    )
    with pytest.raises(services.TrackingNumberTaken) as excinfo:
        services.order_ship(
            **as_staff(world), number=second.number, carrier="BRT", tracking_number="X1", now=f.NOW
        )
    assert excinfo.value.status == 409
    assert Order.objects.get(pk=second.pk).status == OrderStatus.PLACED  # rolled back
    services.order_ship(
        **as_staff(world), number=second.number, carrier="GLS", tracking_number="X1", now=f.NOW
    )
    assert Shipment.objects.count() == 2


def test_order_not_paid_on_delivery_cannot_ship_until_paid(world):
    order = order_in(world, "placed", payment_method="test-card")
    with pytest.raises(services.BadTransition) as excinfo:
        services.order_ship(
            **as_staff(world), number=order.number, carrier="BRT", tracking_number="9", now=f.NOW
        )
    assert excinfo.value.extra == {"from_status": "placed", "to_status": "shipped"}
    assert "not paid" in excinfo.value.detail
    paid = order_in(world, "paid", payment_method="test-card")
    shipped = services.order_ship(
        **as_staff(world), number=paid.number, carrier="BRT", tracking_number="9", now=f.NOW
    )
    assert shipped.status == OrderStatus.SHIPPED


def test_paid_order_cancelled_by_staff_is_refunded_in_full_and_restocked(world):
    order = order_in(world, "paid")
    refunded = services.order_cancel(**as_staff(world), number=order.number, now=f.NOW)
    assert refunded.status == OrderStatus.REFUNDED
    assert refunded.refunded_minor == refunded.total_minor == 5000
    assert Refund.objects.get(order=order).amount_minor == 5000
    assert world["item"].stock() == 10


def test_units_given_back_are_in_the_stock_audit_trail(world):
    cancelled = order_in(world, "cancelled")
    refunded = order_in(world, "paid")
    services.order_refund(
        **as_staff(world), number=refunded.number, amount_minor=5000, reason="", now=f.NOW
    )
    rows = [
        (m.kind, m.delta, m.units_after, m.actor_id, m.reason, m.warehouse_id)
        for m in StockMovement.objects.order_by("id")
    ]
    home = world["item"].warehouse.pk
    assert rows == [
        ("release", 2, 10, world["buyer"].pk, f"fiera:order-cancelled:{cancelled.number}", home),
        ("release", 2, 10, world["staff"].pk, f"fiera:order-refunded:{refunded.number}", home),
    ]
    assert world["item"].stock() == 10
    # what a person reads: the platform's reason in their language
    assert movement_reason_text(rows[0][4]) == f"Back from order {cancelled.number}, cancelled"
    with translation.override("it"):
        assert movement_reason_text(rows[1][4]) == (
            f"Rientrati dall'ordine {refunded.number}, rimborsato per intero"
        )


def test_paid_order_cancelled_by_its_buyer_before_shipping_is_refunded_and_restocked(world):
    order = order_in(world, "paid")
    refunded = services.order_cancel(
        actor_id=world["buyer"].pk, actor_role="buyer", number=order.number, now=f.NOW
    )
    assert refunded.status == OrderStatus.REFUNDED
    assert refunded.refunded_minor == refunded.total_minor
    assert refunded.cancelled_at == f.NOW
    assert world["item"].stock() == 10


@pytest.mark.parametrize("status", ["shipped", "delivered"])
def test_buyer_cannot_cancel_once_shipped_and_is_told_why(world, status):
    order = order_in(world, status)
    with pytest.raises(services.BadTransition) as excinfo:
        services.order_cancel(
            actor_id=world["buyer"].pk, actor_role="buyer", number=order.number, now=f.NOW
        )
    assert excinfo.value.code == "bad_transition"
    assert "already shipped" in excinfo.value.message()
    assert OrderStatus(type(order).objects.get(pk=order.pk).status) == status


def test_paid_order_partial_refund_keeps_it_paid_and_full_refund_restocks(world):
    order = order_in(world, "paid")
    partial = services.order_refund(
        **as_staff(world), number=order.number, amount_minor=1000, reason="dent", now=f.NOW
    )
    assert (partial.status, partial.refunded_minor) == (OrderStatus.PAID, 1000)
    assert world["item"].stock() == 8
    full = services.order_refund(
        **as_staff(world), number=order.number, amount_minor=4000, reason="", now=f.NOW
    )
    assert (full.status, full.refunded_minor, full.refunded_at) == (
        OrderStatus.REFUNDED,
        5000,
        f.NOW,
    )
    assert world["item"].stock() == 10


def test_delivered_order_refunds_partially_then_fully_by_operator(world):
    order = order_in(world, "delivered")
    operator = {"actor_id": world["operator"].pk, "actor_role": "operator"}
    first = services.order_refund(
        **operator, number=order.number, amount_minor=1999, reason="late", now=f.NOW
    )
    assert (first.status, first.refunded_minor) == (OrderStatus.DELIVERED, 1999)
    with pytest.raises(services.RefundExceedsTotal) as excinfo:
        services.order_refund(
            **operator, number=order.number, amount_minor=3002, reason="", now=f.NOW
        )
    assert excinfo.value.status == 422
    assert excinfo.value.extra["left_minor"] == 3001
    last = services.order_refund(
        **operator, number=order.number, amount_minor=3001, reason="", now=f.NOW
    )
    assert last.status == OrderStatus.REFUNDED
    assert [r.amount_minor for r in last.refunds.all()] == [1999, 3001]
    assert world["item"].stock() == 8  # delivered goods are not restocked by a refund


@pytest.mark.parametrize(
    ("status", "action", "to"),
    [
        ("placed", "deliver", "delivered"),
        ("placed", "refund", "refunded"),
        ("shipped", "cancel", "cancelled"),
        ("shipped", "refund", "refunded"),
        ("delivered", "cancel", "cancelled"),
        ("delivered", "ship", "shipped"),
        ("delivered", "deliver", "delivered"),
        ("cancelled", "cancel", "cancelled"),
        ("cancelled", "ship", "shipped"),
        ("cancelled", "deliver", "delivered"),
        ("cancelled", "refund", "refunded"),
        ("refunded", "refund", "refunded"),
        ("refunded", "ship", "shipped"),
        ("refunded", "cancel", "cancelled"),
        ("paid", "deliver", "delivered"),
    ],
)
def test_refused_transitions_name_from_and_to(world, status, action, to):
    order = order_in(world, status)
    stock_before = world["item"].stock()
    call = {
        "cancel": lambda: services.order_cancel(**as_staff(world), number=order.number, now=f.NOW),
        "ship": lambda: services.order_ship(
            **as_staff(world), number=order.number, carrier="X", tracking_number="y", now=f.NOW
        ),
        "deliver": lambda: services.order_deliver(
            **as_staff(world), number=order.number, now=f.NOW
        ),
        "refund": lambda: services.order_refund(
            **as_staff(world), number=order.number, amount_minor=1, reason="", now=f.NOW
        ),
    }[action]
    with pytest.raises(services.BadTransition) as excinfo:
        call()
    assert excinfo.value.status == 409
    assert excinfo.value.code == "bad_transition"
    assert excinfo.value.extra["from_status"] == status
    assert excinfo.value.extra["to_status"] == to
    assert Order.objects.get(pk=order.pk).status == status
    assert world["item"].stock() == stock_before


def test_roles_buyer_cannot_ship_deliver_or_refund(world):
    order = order_in(world, "placed")
    buyer = {"actor_id": world["buyer"].pk, "actor_role": "buyer"}
    with pytest.raises(services.PermissionDenied):
        services.order_ship(
            **buyer, number=order.number, carrier="X", tracking_number="1", now=f.NOW
        )
    with pytest.raises(services.PermissionDenied):
        services.order_deliver(**buyer, number=order.number, now=f.NOW)
    with pytest.raises(services.PermissionDenied):
        services.order_refund(**buyer, number=order.number, amount_minor=1, reason="", now=f.NOW)


def test_operator_may_not_ship(world):
    order = order_in(world, "placed")
    with pytest.raises(services.PermissionDenied):
        services.order_ship(
            actor_id=world["operator"].pk,
            actor_role="operator",
            number=order.number,
            carrier="X",
            tracking_number="1",
            now=f.NOW,
        )


def test_other_tenants_see_nothing(world):
    order = order_in(world, "placed")
    stranger_staff = f.staff(merchant_obj=f.merchant())
    other_buyer = f.user()
    for actor in (
        {"actor_id": stranger_staff.pk, "actor_role": "merchant"},
        {"actor_id": other_buyer.pk, "actor_role": "buyer"},
    ):
        with pytest.raises(services.OrderNotFound):
            services.order_cancel(**actor, number=order.number, now=f.NOW)
        with pytest.raises(services.OrderNotFound):
            services.order_ship(
                **actor, number=order.number, carrier="X", tracking_number="1", now=f.NOW
            )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_refund_must_be_positive(world):
    order = order_in(world, "delivered")
    with pytest.raises(services.InvalidInput):
        services.order_refund(
            **as_staff(world), number=order.number, amount_minor=0, reason="", now=f.NOW
        )


def test_unknown_order_is_not_found(world):
    with pytest.raises(services.OrderNotFound):
        services.order_deliver(**as_staff(world), number="F999999-1", now=f.NOW)
