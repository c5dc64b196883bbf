"""Quantities, ids and amounts in the orders API are JSON integers: `true`, `"2"` and `2.0`
answer 422 and nothing is placed or changed (pydantic took `true` as 1)."""

from __future__ import annotations

from typing import Any

import pytest

from fiera.orders.models import CartLine, Checkout, Order
from tests.orders import factories as f
from tests.orders.test_api import Api, checkout_body, place

pytestmark = pytest.mark.django_db

NOT_INTEGERS = [True, False, "2", "1", 2.0, 1.0, None, [1], {"n": 1}]


@pytest.fixture
def world(client: Any) -> dict[str, Any]:
    market = f.marketplace(slug="bottega")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=1250, stock=5)
    buyer = f.user()
    staff = f.staff(merchant_obj=maker)
    return {
        "market": market,
        "item": item,
        "api": Api(client, buyer),
        "staff_api": Api(client, staff),
    }


@pytest.mark.parametrize("quantity", NOT_INTEGERS)
def test_checkout_refuses_a_quantity_that_is_not_an_integer(world: dict, quantity: Any) -> None:
    response = world["api"].post("/checkout", checkout_body(world, quantity=quantity))
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "invalid"
    assert not Checkout.objects.exists() and not Order.objects.exists()


@pytest.mark.parametrize("variant_id", [True, "1", 1.0, 2**63, 67823948845565296640, 0, -1])
def test_checkout_refuses_a_variant_id_that_is_not_an_id(world: dict, variant_id: Any) -> None:
    lines = [{"variant_id": variant_id, "quantity": 1}]
    response = world["api"].post("/checkout", checkout_body(world, lines=lines))
    assert response.status_code == 422, response.content
    assert not Order.objects.exists()


def test_quote_and_cart_refuse_true_as_a_quantity(world: dict) -> None:
    variant_id = world["item"].id
    quote = world["api"].post(
        "/checkout/quote",
        {
            "marketplace": "bottega",
            "country": "IT",
            "lines": [{"variant_id": variant_id, "quantity": True}],
        },
    )
    assert quote.status_code == 422, quote.content
    for quantity in (True, "1", 1.0):
        line = world["api"].post(
            "/carts/bottega/lines", {"variant_id": variant_id, "quantity": quantity}
        )
        assert line.status_code == 422, (quantity, line.content)
    assert not CartLine.objects.exists()
    ok = world["api"].post("/carts/bottega/lines", {"variant_id": variant_id, "quantity": 1})
    assert ok.status_code == 200, ok.content


def test_refund_amount_must_be_a_json_integer(world: dict) -> None:
    number = place(world)["orders"][0]["number"]
    staff = world["staff_api"]
    staff.post(f"/orders/{number}/shipments", {"carrier": "BRT", "tracking_number": "B1"})
    assert staff.post(f"/orders/{number}/deliver").status_code == 200
    for amount in (True, "100", 100.0):
        response = world["staff_api"].post(f"/orders/{number}/refunds", {"amount_minor": amount})
        assert response.status_code == 422, (amount, response.content)
    assert Order.objects.get(number=number).refunds.count() == 0
    ok = world["staff_api"].post(f"/orders/{number}/refunds", {"amount_minor": 100})
    assert ok.status_code == 201, ok.content
