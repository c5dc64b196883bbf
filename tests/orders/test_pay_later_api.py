"""POST /api/v1/orders/{number}/pay: the buyer pays a pay-later order once; everyone else is
refused (another buyer 404, merchants and operators 403, no sign-in 401); overdue, short
wallets and cash-on-delivery orders get their translated 409s; orders show
``payment_due_at``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fiera.accounts.roles import BUYER
from fiera.orders import services
from fiera.orders.models import Order, OrderStatus
from fiera.orders.schemas import checkout_json
from tests.orders import factories as f
from tests.orders.test_api import Api
from tests.orders.test_hot_path import ninja_json
from tests.payments.factories import balance, funded_wallet, make_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    make_rates(on=timezone.now().date() - timedelta(days=1))
    market = f.marketplace(slug="dopo")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=1_250, stock=5)
    buyer = f.user()
    funded_wallet(buyer, 10_000, currency="EUR", now=timezone.now() - timedelta(days=1))
    return {
        "item": item,
        "buyer": buyer,
        "api": Api(client, buyer),
        "staff_api": Api(client, f.staff(merchant_obj=maker)),
        "operator_api": Api(client, f.user(role="operator")),
        "other_api": Api(client, f.user()),
        "anonymous": Api(client),
    }


def checkout(world, *, method="wallet_later") -> dict:
    response = world["api"].post(
        "/checkout",
        {
            "marketplace": "dopo",
            "country": "IT",
            "lines": [{"variant_id": world["item"].id, "quantity": 2}],
            "shipping_address": f.address(),
            "payment_method": method,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()["orders"][0]


def test_the_buyer_pays_once_and_the_order_shows_its_deadline(world):
    number = checkout(world)["number"]
    got = world["api"].get(f"/orders/{number}").json()
    assert got["status"] == "placed" and got["payment_method"] == "wallet_later"
    due = Order.objects.get(number=number).payment_due_at
    assert got["payment_due_at"].replace("Z", "+00:00").startswith(due.isoformat()[:19])
    listed = world["api"].get("/orders").json()["items"]
    assert listed[0]["payment_due_at"] is not None
    paid = world["api"].post(f"/orders/{number}/pay")
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid" and paid.json()["paid_at"]
    again = world["api"].post(f"/orders/{number}/pay")
    assert again.status_code == 200 and again.json()["paid_at"] == paid.json()["paid_at"]
    assert balance(world["buyer"], "EUR") == 10_000 - 2_500


def test_others_are_refused(world):
    number = checkout(world)["number"]
    assert world["other_api"].post(f"/orders/{number}/pay").status_code == 404
    for api in (world["staff_api"], world["operator_api"]):
        refused = api.post(f"/orders/{number}/pay")
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Only the buyer who placed an order pays for it."
    assert world["anonymous"].post(f"/orders/{number}/pay").status_code == 401
    assert world["api"].post("/orders/F999999-1/pay").status_code == 404
    assert world["api"].post("/orders/bad%20number/pay").status_code in (404, 422)
    assert Order.objects.get(number=number).status == OrderStatus.PLACED
    assert balance(world["buyer"], "EUR") == 10_000


def test_overdue_short_wallet_and_cod_get_clear_conflicts(world):
    late = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug="dopo",
        country="IT",
        lines=[(world["item"].id, 1)],
        shipping_address=f.address(),
        payment_method="wallet_later",
        now=timezone.now() - timedelta(hours=1),
        actor_role=BUYER,
    ).orders[0]
    overdue = world["api"].post(f"/orders/{late.number}/pay", HTTP_ACCEPT_LANGUAGE="it")
    assert overdue.status_code == 409
    assert overdue.json()["error"] == "payment_overdue"
    assert "annullato" in overdue.json()["detail"]
    assert Order.objects.get(number=late.number).status == OrderStatus.CANCELLED
    cod = checkout(world, method="cod")["number"]
    not_payable = world["api"].post(f"/orders/{cod}/pay")
    assert (not_payable.status_code, not_payable.json()["error"]) == (409, "order_not_payable")
    poor = Api(world["api"].client, f.user())
    poor_world = {**world, "api": poor}
    number = checkout(poor_world)["number"]
    no_wallet = poor.post(f"/orders/{number}/pay")
    assert (no_wallet.status_code, no_wallet.json()["error"]) == (409, "no_wallet")


def test_the_merchant_cannot_ship_it_before_it_is_paid(world):
    number = checkout(world)["number"]
    shipped = world["staff_api"].post(
        f"/orders/{number}/shipments", {"carrier": "BRT", "tracking_number": "T-9"}
    )
    assert shipped.status_code == 409
    assert "not paid yet" in shipped.json()["detail"]
    world["api"].post(f"/orders/{number}/pay")
    shipped = world["staff_api"].post(
        f"/orders/{number}/shipments", {"carrier": "BRT", "tracking_number": "T-9"}
    )
    assert shipped.status_code == 201


def test_the_checkout_answer_states_the_deadline_and_its_retry_answers_the_same(world):
    body = {
        "marketplace": "dopo",
        "country": "IT",
        "lines": [{"variant_id": world["item"].id, "quantity": 1}],
        "shipping_address": f.address(),
        "payment_method": "wallet_later",
    }
    first = world["api"].post("/checkout", body, HTTP_IDEMPOTENCY_KEY="later-1")
    assert first.status_code == 201
    due = Order.objects.get(number=first.json()["orders"][0]["number"]).payment_due_at
    stated = first.json()["payment_due_at"]
    assert stated is not None and stated.startswith(due.strftime("%Y-%m-%dT%H:%M:%S"))
    replay = world["api"].post("/checkout", body, HTTP_IDEMPOTENCY_KEY="later-1")
    assert replay.status_code == 201 and replay.json() == first.json()
    result = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug="dopo",
        country="IT",
        lines=[(world["item"].id, 1)],
        shipping_address=f.address(),
        payment_method="wallet_later",
        now=timezone.now(),
        actor_role=BUYER,
    )
    assert checkout_json(result) == ninja_json(result)  # the hand-built body = the schema's
    cod = world["api"].post("/checkout", {**body, "payment_method": "cod"})
    assert cod.json()["payment_due_at"] is None
