"""The demo's orders paid after checkout (fiera.demo.paylater): the README's buyer has one
awaiting payment and one cancelled unpaid, each made through the orders services (so stock,
allowance and events agree), and their pages show them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from fiera.accounts.models import User
from fiera.orders.models import Order, OrderStatus
from tests.demo.test_demo import NOW


@pytest.fixture
def world(_world: list[str], db: None) -> list[str]:
    return _world


def test_the_buyer_has_an_order_awaiting_payment_and_one_cancelled_unpaid(
    world: list[str],
) -> None:
    orders = {
        o.status: o
        for o in Order.objects.filter(buyer__username="buyer", payment_method="wallet_later")
    }
    assert set(orders) == {OrderStatus.PLACED, OrderStatus.CANCELLED}
    waiting = orders[OrderStatus.PLACED]
    assert waiting.awaiting_payment and waiting.payment_due_at > NOW
    assert orders[OrderStatus.CANCELLED].cancelled_unpaid
    assert any("pay later      2 orders" in line for line in world)
    # the random orders of the demo never use the pay-later method (buyer-b2b's B2B order
    # awaiting payment, with its proforma invoice, is fiera.demo.documents')
    assert (
        not Order.objects.filter(payment_method="wallet_later")
        .exclude(buyer__username__in=["buyer", "buyer-b2b"])
        .exists()
    )


def test_the_demo_pages_show_them(world: list[str], client: Any) -> None:
    client.force_login(User.objects.get(username="buyer"))
    listed = client.get(reverse("orders:my_orders")).content.decode()
    assert "awaiting payment, pay by" in listed and "not paid in time" in listed
    waiting = Order.objects.get(
        buyer__username="buyer", status=OrderStatus.PLACED, payment_method="wallet_later"
    )
    page = client.get(reverse("orders:order_detail", args=[waiting.number])).content.decode()
    assert "Awaiting payment" in page
    assert waiting.payment_due_at - waiting.placed_at == timedelta(minutes=30)
