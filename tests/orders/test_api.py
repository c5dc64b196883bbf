"""HTTP contract of the orders API, its errors and its denials."""

from __future__ import annotations

import json

import pytest

from fiera.accounts.services import token_issue
from fiera.orders.models import CartLine, Checkout, Order
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client, user=None):
        self.client = client
        self.headers = {}
        if user is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token_issue(user_id=user.pk).key}"

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, **self.headers)

    def post(self, path, body=None, **headers):
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            **self.headers,
            **headers,
        )

    def delete(self, path):
        return self.client.delete(f"/api/v1{path}", **self.headers)


@pytest.fixture
def world(client):
    market = f.marketplace(slug="bottega")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=1250, stock=5)
    buyer = f.user()
    staff = f.staff(merchant_obj=maker)
    return {
        "market": market,
        "maker": maker,
        "item": item,
        "buyer": buyer,
        "staff": staff,
        "api": Api(client, buyer),
        "staff_api": Api(client, staff),
        "client": client,
    }


def checkout_body(world, quantity=2, **overrides):
    body = {
        "marketplace": world["market"].slug,
        "country": "IT",
        "lines": [{"variant_id": world["item"].id, "quantity": quantity}],
        "shipping_address": f.address(),
        "payment_method": "cod",
    }
    body.update(overrides)
    return body


def place(world, **overrides):
    response = world["api"].post("/checkout", checkout_body(world, **overrides))
    assert response.status_code == 201, response.content
    return response.json()


def test_checkout_contract(world):
    response = world["api"].post("/checkout", checkout_body(world), HTTP_IDEMPOTENCY_KEY="abc")
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {"checkout_id", "currency", "subtotal", "tax", "total", "orders"}
    assert body["currency"] == "EUR"
    assert body["total"] == {"amount_minor": 2500, "currency": "EUR", "formatted": "€25.00"}
    (order,) = body["orders"]
    assert order["merchant_id"] == world["maker"].pk
    assert order["status"] == "placed"
    assert order["number"] == f"F{body['checkout_id']:06d}-1"
    assert order["lines"][0]["quantity"] == 2
    assert order["lines"][0]["unit_price_minor"] == 1250
    assert "Idempotent-Replayed" not in response.headers


def test_retry_with_the_same_key_answers_201_with_the_same_body(world):
    first = world["api"].post("/checkout", checkout_body(world), HTTP_IDEMPOTENCY_KEY="retry-1")
    again = world["api"].post("/checkout", checkout_body(world), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Checkout.objects.count() == 1
    assert world["item"].stock() == 3


def test_same_key_with_another_body_is_409(world):
    world["api"].post("/checkout", checkout_body(world), HTTP_IDEMPOTENCY_KEY="k")
    response = world["api"].post("/checkout", checkout_body(world, 1), HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_key_reused"


def test_out_of_stock_is_409_json(world):
    response = world["api"].post("/checkout", checkout_body(world, 6))
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "out_of_stock"
    assert body["skus"] == [world["item"].variant.sku]


def test_invalid_bodies_are_422(world):
    assert world["api"].post("/checkout", checkout_body(world, 0)).status_code == 422
    assert world["api"].post("/checkout", checkout_body(world, country="X")).status_code == 422
    no_address = checkout_body(world)
    del no_address["shipping_address"]
    assert world["api"].post("/checkout", no_address).status_code == 422
    response = world["api"].post("/checkout", checkout_body(world, marketplace="nowhere"))
    assert response.status_code == 404
    nul = checkout_body(world, shipping_address=f.address(name="Ada\u0000"))
    assert world["api"].post("/checkout", nul).status_code == 400  # refused by the API parser
    assert world["api"].get("/orders/F1%00").status_code in {404, 422}
    response = world["api"].post("/checkout", checkout_body(world, lines=[]))
    assert (response.status_code, response.json()["error"]) == (422, "empty_checkout")


def test_checkout_needs_a_signed_in_buyer(world):
    assert Api(world["client"]).post("/checkout", checkout_body(world)).status_code == 401
    response = world["staff_api"].post("/checkout", checkout_body(world))
    assert (response.status_code, response.json()["error"]) == (403, "buyers_only")


def test_session_auth_works_too(world):
    client = world["client"]
    client.force_login(world["buyer"])
    response = client.post(
        "/api/v1/checkout", data=json.dumps(checkout_body(world)), content_type="application/json"
    )
    assert response.status_code == 201


def test_cart_endpoints_and_checkout_from_cart(world):
    api = world["api"]
    slug = world["market"].slug
    item = world["item"]
    response = api.post(f"/carts/{slug}/lines", {"variant_id": item.id, "quantity": 1})
    assert response.status_code == 200
    response = api.post(
        f"/carts/{slug}/lines", {"variant_id": item.id, "quantity": 2, "mode": "add"}
    )
    cart = response.json()
    assert [(line["variant_id"], line["quantity"]) for line in cart["lines"]] == [(item.id, 3)]
    assert cart["subtotal"]["amount_minor"] == 3750
    assert cart["can_check_out"] is True
    assert api.get(f"/carts/{slug}").json()["lines"][0]["quantity"] == 3

    quote = api.post("/checkout/quote", {"marketplace": slug, "country": "IT", "from_cart": True})
    assert quote.status_code == 200
    assert quote.json()["total"]["amount_minor"] == 3750
    assert world["item"].stock() == 5

    body = checkout_body(world, from_cart=True)
    del body["lines"]
    placed = api.post("/checkout", body)
    assert placed.status_code == 201
    assert placed.json()["total"]["amount_minor"] == 3750
    assert not CartLine.objects.exists()

    api.post(f"/carts/{slug}/lines", {"variant_id": item.id, "quantity": 1})
    emptied = api.delete(f"/carts/{slug}/lines/{item.id}")
    assert (emptied.status_code, emptied.json()["lines"]) == (200, [])


def test_cart_errors(world):
    api = world["api"]
    slug = world["market"].slug
    response = api.post(f"/carts/{slug}/lines", {"variant_id": 999999, "quantity": 1})
    assert (response.status_code, response.json()["error"]) == (422, "variant_unavailable")
    moq = f.sku(market=world["market"], moq=6)
    response = api.post(f"/carts/{slug}/lines", {"variant_id": moq.id, "quantity": 5})
    assert (response.status_code, response.json()["error"]) == (422, "below_minimum_order")
    assert Api(world["client"]).get(f"/carts/{slug}").status_code == 401
    response = world["staff_api"].post(
        f"/carts/{slug}/lines", {"variant_id": moq.id, "quantity": 6}
    )
    assert response.status_code == 403


def test_quote_shows_cross_border_tax(client):
    market = f.cross_border_market()
    from fiera.orders import services

    services.cross_border_rates_load(marketplace_id=market.pk, now=f.NOW)
    cream = f.sku(market=market, price_minor=10000, hs_code="330499")
    api = Api(client, f.user())
    response = api.post(
        "/checkout/quote",
        {
            "marketplace": market.slug,
            "country": "CN",
            "lines": [{"variant_id": cream.id, "quantity": 1}],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["tax"]["amount_minor"] == 2306
    assert body["orders"][0]["lines"][0]["consumption_tax_rate"] == "0.15"
    assert body["cross_border"]["annual_left"]["amount_minor"] == 2600000
    assert body["cross_border"]["tax_share"] == "0.7"


def test_order_list_by_role(world, client):
    place(world)
    place(world, quantity=1)
    other_maker_item = f.sku(market=world["market"], stock=5)
    place(world, lines=[{"variant_id": other_maker_item.id, "quantity": 1}])
    mine = world["api"].get("/orders").json()
    assert mine["count"] == 3
    assert world["staff_api"].get("/orders").json()["count"] == 2
    assert Api(client, f.user()).get("/orders").json()["count"] == 0
    assert Api(client, f.user(role="operator")).get("/orders").json()["count"] == 3
    page = world["api"].get("/orders", limit=1, offset=1).json()
    assert (page["count"], len(page["items"])) == (3, 1)
    assert world["api"].get("/orders", status="shipped").json()["count"] == 0
    assert world["api"].get("/orders", status="bogus").status_code == 422
    assert Api(client).get("/orders").status_code == 401


def test_order_lifecycle_over_http(world):
    number = place(world)["orders"][0]["number"]
    staff = world["staff_api"]
    detail = world["api"].get(f"/orders/{number}")
    assert detail.status_code == 200
    assert detail.json()["shipping_address"]["city"] == "Torino"

    shipped = staff.post(f"/orders/{number}/shipments", {"carrier": "BRT", "tracking_number": "B1"})
    assert shipped.status_code == 201
    assert shipped.json()["status"] == "shipped"
    assert shipped.json()["shipments"][0]["tracking_number"] == "B1"

    cancel = world["api"].post(f"/orders/{number}/cancel")
    assert cancel.status_code == 409
    assert cancel.json() == {
        "error": "bad_transition",
        "detail": "This order has already shipped, so it can no longer be cancelled. When it "
        "arrives, you can ask the shop for a refund.",
        "context": f"order {number} is shipped and cannot become cancelled",
        "from_status": "shipped",
        "to_status": "cancelled",
    }

    delivered = staff.post(f"/orders/{number}/deliver")
    assert (delivered.status_code, delivered.json()["status"]) == (200, "delivered")
    assert delivered.json()["paid_at"] is not None

    too_much = staff.post(f"/orders/{number}/refunds", {"amount_minor": 2501, "reason": "x"})
    assert (too_much.status_code, too_much.json()["error"]) == (422, "refund_exceeds_total")
    refunded = staff.post(f"/orders/{number}/refunds", {"amount_minor": 2500, "reason": "broken"})
    assert (refunded.status_code, refunded.json()["status"]) == (201, "refunded")
    assert refunded.json()["refunds"][0]["amount"]["amount_minor"] == 2500


def test_buyer_cancels_while_placed(world):
    number = place(world)["orders"][0]["number"]
    response = world["api"].post(f"/orders/{number}/cancel", {"reason": "changed my mind"})
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert world["item"].stock() == 5


def test_denials(world, client):
    number = place(world)["orders"][0]["number"]
    other_buyer = Api(client, f.user())
    other_staff = Api(client, f.staff(merchant_obj=f.merchant()))
    assert other_buyer.get(f"/orders/{number}").status_code == 404
    assert other_buyer.post(f"/orders/{number}/cancel").status_code == 404
    assert other_staff.get(f"/orders/{number}").status_code == 404
    assert (
        other_staff.post(
            f"/orders/{number}/shipments", {"carrier": "X", "tracking_number": "1"}
        ).status_code
        == 404
    )
    response = world["api"].post(
        f"/orders/{number}/shipments", {"carrier": "X", "tracking_number": "1"}
    )
    assert response.status_code == 403
    assert world["api"].post(f"/orders/{number}/deliver").status_code == 403
    assert world["api"].post(f"/orders/{number}/refunds", {"amount_minor": 1}).status_code == 403
    anonymous = Api(client)
    assert anonymous.get(f"/orders/{number}").status_code == 401
    assert anonymous.post(f"/orders/{number}/cancel").status_code == 401
    assert world["api"].get("/orders/F999999-9").status_code == 404
    assert Order.objects.get(number=number).status == "placed"
