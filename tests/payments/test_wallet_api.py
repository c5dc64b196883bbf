"""The HTTP contract of wallets, FX, pay by QR, refunds and settlement: statuses, bodies,
and the denials (another user's wallet 404, a buyer running settlement 403, no
credentials 401)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fiera.payments.gateways import InMemoryFundingGateway, set_funding_gateway
from fiera.payments.services import PaymentTimeout, set_qr_fault
from tests.payments.factories import (
    bearer,
    funded_wallet,
    make_buyer,
    make_merchant,
    make_rates,
    make_staff,
    make_user,
    pilot_outlet,
    qr_for,
    snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]

API = "/api/v1"


@pytest.fixture(autouse=True)
def _rates_today() -> None:
    from django.utils import timezone

    make_rates(on=timezone.now().date())


def post(client: Client, path: str, body: dict[str, Any], user: Any) -> Any:
    return client.post(
        API + path, json.dumps(body), content_type="application/json", **bearer(user)
    )


def get(client: Client, path: str, user: Any) -> Any:
    return client.get(API + path, **bearer(user))


def test_open_top_up_read_and_statement(client: Client) -> None:
    buyer = make_buyer()
    opened = post(client, "/wallets", {"currency": "CNY"}, buyer)
    assert opened.status_code == 201 and opened.json()["currency"] == "CNY"
    body = {"amount_minor": 50_000, "funding_reference": "card-1", "request_id": "t-1"}
    first = post(client, "/wallets/CNY/top-ups", body, buyer)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "succeeded"
    assert first.json()["amount"] == {
        "amount_minor": 50_000,
        "currency": "CNY",
        "formatted": "CN¥500.00",
    }
    again = post(client, "/wallets/CNY/top-ups", body, buyer)
    assert again.status_code == 201 and again.json() == first.json()
    clash = post(client, "/wallets/CNY/top-ups", body | {"amount_minor": 1}, buyer)
    assert clash.status_code == 409 and clash.json()["error"] == "request_id_reused"
    wallets = get(client, "/wallets", buyer).json()
    assert [(w["currency"], w["available"]["amount_minor"]) for w in wallets] == [("CNY", 50_000)]
    assert get(client, "/wallets/cny", buyer).json()["posted"]["amount_minor"] == 50_000
    statement = get(client, "/wallets/CNY/statement?limit=1", buyer).json()
    assert statement["count"] == 1 and statement["lines"][0]["code"] == "topup"
    assert statement["lines"][0]["balance_after"]["amount_minor"] == 50_000


def test_top_up_errors(client: Client) -> None:
    buyer = make_buyer()
    post(client, "/wallets", {"currency": "CNY"}, buyer)
    body = {"amount_minor": 500, "funding_reference": "card-1", "request_id": "t-1"}
    assert post(client, "/wallets/USD/top-ups", body, buyer).json()["error"] == "wallet_not_found"
    bad = post(client, "/wallets/CNY/top-ups", body | {"amount_minor": 0}, buyer)
    assert bad.status_code == 422
    bad_id = post(client, "/wallets/CNY/top-ups", body | {"request_id": "a b"}, buyer)
    assert bad_id.status_code == 422
    declined = post(client, "/wallets/CNY/top-ups", body | {"amount_minor": 10**9}, buyer)
    assert declined.status_code == 409 and declined.json()["error"] == "funding_declined"


def test_a_pending_top_up_is_202(client: Client) -> None:
    buyer = make_buyer()
    post(client, "/wallets", {"currency": "CNY"}, buyer)
    gateway = InMemoryFundingGateway(timeouts=1)
    previous = set_funding_gateway(gateway)
    try:
        body = {"amount_minor": 500, "funding_reference": "card-1", "request_id": "t-1"}
        assert post(client, "/wallets/CNY/top-ups", body, buyer).status_code == 202
        assert post(client, "/wallets/CNY/top-ups", body, buyer).status_code == 201
    finally:
        set_funding_gateway(previous)


def test_another_users_wallet_is_404_and_operators_may_read(client: Client) -> None:
    owner, other, operator = make_buyer(), make_buyer(), make_user("operator")
    funded_wallet(owner, 1_000)
    for path in (
        f"/wallets?user_id={owner.pk}",
        f"/wallets/CNY?user_id={owner.pk}",
        f"/wallets/CNY/statement?user_id={owner.pk}",
    ):
        denied = get(client, path, other)
        assert denied.status_code == 404, path
        assert denied.json()["error"] == "wallet_not_found"
        assert get(client, path, operator).status_code == 200, path
    assert get(client, "/wallets/CNY", other).status_code == 404  # has none of its own


def test_no_credentials_is_401(client: Client) -> None:
    for method, path in (
        ("get", "/wallets"),
        ("get", "/wallets/CNY/statement"),
        ("post", "/wallets/CNY/top-ups"),
        ("post", "/qr-payments"),
        ("get", "/qr-payments/x-1"),
        ("post", "/settlement/runs"),
        ("get", "/settlement/runs"),
    ):
        response = getattr(client, method)(API + path, content_type="application/json")
        assert response.status_code == 401, path


def test_merchants_cannot_open_wallets(client: Client) -> None:
    merchant_user = make_user("merchant")
    response = post(client, "/wallets", {"currency": "CNY"}, merchant_user)
    assert response.status_code == 403 and response.json()["error"] == "wallets_for_buyers"


def test_fx_quote_and_conversion(client: Client) -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 20_000)
    quote = post(
        client,
        "/fx/quotes",
        {"sell_currency": "CNY", "buy_currency": "EUR", "sell_amount_minor": 10_000},
        buyer,
    )
    assert quote.status_code == 201, quote.content
    data = quote.json()
    assert data["buy"]["amount_minor"] == 1_276 and data["spread"]["amount_minor"] == 50
    assert data["rate"] == "7.8" and data["markup_bp"] == 50
    done = post(client, "/fx/conversions", {"quote_id": data["quote_id"]}, buyer)
    assert done.status_code == 200 and done.json()["executed_at"]
    assert get(client, "/wallets/EUR", buyer).json()["available"]["amount_minor"] == 1_276
    other = post(client, "/fx/conversions", {"quote_id": data["quote_id"]}, make_buyer())
    assert other.status_code == 404


def test_pay_by_qr_s_f_u_and_query(client: Client) -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 10_000)
    payload = qr_for(outlet, 1250)
    paid = post(client, "/qr-payments", {"payload": payload, "request_id": "q-1"}, buyer)
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "S"
    assert paid.json()["payment"]["paid"]["amount_minor"] == 9_799
    assert (
        post(client, "/qr-payments", {"payload": payload, "request_id": "q-1"}, buyer).json()
        == paid.json()
    )
    failed = post(client, "/qr-payments", {"payload": payload, "request_id": "q-2"}, buyer)
    assert failed.status_code == 409
    assert failed.json()["error"] == "insufficient_funds" and failed.json()["status"] == "F"
    assert get(client, "/qr-payments/q-2", buyer).json()["status"] == "F"
    funded_wallet(buyer, 10_000)

    def lose(stage: str) -> None:
        if stage == "booked":
            raise PaymentTimeout("lost")

    previous = set_qr_fault(lose)
    try:
        unknown = post(client, "/qr-payments", {"payload": payload, "request_id": "q-3"}, buyer)
    finally:
        set_qr_fault(previous)
    assert unknown.status_code == 202 and unknown.json()["status"] == "U"
    settled = get(client, "/qr-payments/q-3", buyer)
    assert settled.status_code == 200 and settled.json()["status"] == "F"
    assert get(client, "/qr-payments/q-1", make_buyer()).status_code == 404


def test_pay_by_qr_4xx(client: Client) -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 10_000)
    before = snapshot()
    bad = post(
        client,
        "/qr-payments",
        {"payload": qr_for(outlet, 100)[:-1] + "Z", "request_id": "b"},
        buyer,
    )
    assert bad.status_code == 422 and bad.json()["tag"] == "63"
    static = post(client, "/qr-payments", {"payload": qr_for(outlet), "request_id": "b"}, buyer)
    assert static.status_code == 422 and static.json()["error"] == "amount_required"
    assert snapshot() == before


def test_refunds_by_the_merchant(client: Client) -> None:
    buyer, merchant = make_buyer(), make_merchant()
    outlet = pilot_outlet(merchant)
    funded_wallet(buyer, 20_000)
    paid = post(
        client, "/qr-payments", {"payload": qr_for(outlet, 1250), "request_id": "q-1"}, buyer
    )
    reference = paid.json()["payment"]["reference"]
    owner = make_staff(merchant, "owner")
    body = {
        "payment_reference": reference,
        "amount_minor": 1250,
        "currency": "EUR",
        "refund_reference": "rf-1",
    }
    assert post(client, "/payments/refunds", body, buyer).status_code == 404
    refunded = post(client, "/payments/refunds", body, owner)
    assert refunded.status_code == 201, refunded.content
    assert refunded.json()["paid"]["amount_minor"] == 9_799
    assert (
        post(client, "/payments/refunds", body | {"refund_reference": "rf-2"}, owner).status_code
        == 409
    )
    assert get(client, "/wallets/CNY", buyer).json()["available"]["amount_minor"] == 20_000


def test_settlement_is_for_operators(client: Client) -> None:
    buyer, operator = make_buyer(), make_user("operator")
    denied = post(client, "/settlement/runs", {"day": "2025-03-01"}, buyer)
    assert denied.status_code == 403 and denied.json()["error"] == "settlement_operators_only"
    assert get(client, "/settlement/runs", make_user("merchant")).status_code == 403
    ran = post(client, "/settlement/runs", {"day": "2025-03-01"}, operator)
    assert ran.status_code == 200 and ran.json()["created"] == 0
    assert get(client, "/settlement/runs", operator).json()["count"] == 0
    assert get(client, "/settlement/runs/99", operator).status_code == 404
    future = post(client, "/settlement/runs", {"day": "2999-01-01"}, operator)
    assert future.status_code == 409 and future.json()["error"] == "day_not_over"
