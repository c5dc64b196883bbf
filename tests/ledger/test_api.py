from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from fiera.accounts import services as accounts
from fiera.ledger import selectors
from tests.ledger.factories import funded_wallet, funding, wallet

pytestmark = pytest.mark.django_db


def _client(role: str, **extra: Any) -> Client:
    user = accounts.user_create(
        username=f"ledger-{role}-{uuid.uuid4().hex[:6]}",
        password="a-long-password",
        role=role,
        **extra,
    )
    key = accounts.token_issue(user_id=user.pk).key
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def operator() -> Client:
    return _client("operator", business_unit="Treasury")


@pytest.fixture
def buyer() -> Client:
    return _client("buyer", country="CN")


def _spec(debit: int, credit: int, amount: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "debit_account_id": debit,
        "credit_account_id": credit,
        "amount_minor": amount,
        "currency": "EUR",
        "code": "payment",
        **extra,
    }


def test_post_a_batch_with_per_item_results(operator: Client) -> None:
    w = funded_wallet(1000)
    shop = wallet()
    pending = _spec(w.id, shop.id, 200, pending=True, timeout_seconds=600)
    batch = [
        _spec(w.id, shop.id, 300),
        _spec(w.id, shop.id, 5000),
        pending,
        {"id": "capture-1", "pending_id": pending["id"], "post_pending": True, "amount_minor": 150},
        _spec(w.id, shop.id, 1, currency="USD"),
    ]
    response = operator.post("/api/v1/ledger/transfers", batch, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["error"] for r in body] == [None, "exceeds_credits", None, None, "currency_mismatch"]
    assert [r["ok"] for r in body] == [True, False, True, True, False]
    assert body[0]["transfer"]["amount_minor"] == 300 and body[0]["transfer"]["kind"] == "single"
    assert (
        body[3]["transfer"]["kind"] == "post" and body[3]["transfer"]["pending_id"] == pending["id"]
    )
    assert body[1]["transfer"] is None and body[1]["detail"]
    # A retry of the whole batch books nothing more.
    again = operator.post("/api/v1/ledger/transfers", batch, content_type="application/json").json()
    assert [r["replayed"] for r in again] == [True, False, True, True, False]
    assert selectors.account_balance(account_id=shop.id).posted.amount_minor == 450


def test_account_and_statement(operator: Client) -> None:
    w = funded_wallet(1000)
    shop = wallet()
    operator.post(
        "/api/v1/ledger/transfers",
        [_spec(w.id, shop.id, 100), _spec(w.id, shop.id, 250)],
        content_type="application/json",
    )
    account = operator.get(f"/api/v1/ledger/accounts/{w.id}").json()
    assert account["debits_posted"] == 350 and account["credits_posted"] == 1000
    assert account["balance"]["posted"]["amount_minor"] == 650
    assert account["balance"]["available"]["formatted"] == "€6.50"
    statement = operator.get(f"/api/v1/ledger/accounts/{w.id}/transfers?limit=2").json()
    assert statement["count"] == 3
    assert [(i["direction"], i["posted_balance_after_minor"]) for i in statement["items"]] == [
        ("debit", 650),
        ("debit", 900),
    ]
    rest = operator.get(f"/api/v1/ledger/accounts/{w.id}/transfers?limit=2&offset=2").json()
    assert [(i["direction"], i["posted_balance_after_minor"]) for i in rest["items"]] == [
        ("credit", 1000)
    ]


def test_transfer_detail_by_uuid_or_key(operator: Client) -> None:
    w = funded_wallet(100)
    spec = _spec(w.id, wallet().id, 10, id="order:9:pay")
    [result] = operator.post(
        "/api/v1/ledger/transfers", [spec], content_type="application/json"
    ).json()
    by_key = operator.get("/api/v1/ledger/transfers/order:9:pay")
    by_uuid = operator.get(f"/api/v1/ledger/transfers/{result['id']}")
    assert by_key.status_code == by_uuid.status_code == 200
    assert by_key.json() == by_uuid.json() == result["transfer"]
    assert operator.get(f"/api/v1/ledger/transfers/{uuid.uuid4()}").status_code == 404


def test_verify(operator: Client) -> None:
    funded_wallet(100)
    body = operator.get("/api/v1/ledger/verify").json()
    assert body["ok"] is True and body["accounts"] == 2 and body["transfers"] == 1
    assert body["problems"] == []


def test_unknown_account_is_404(operator: Client) -> None:
    response = operator.get("/api/v1/ledger/accounts/987654")
    assert response.status_code == 404
    assert response.json()["error"] == "account_not_found"
    for account_id in (1 << 70, 1 << 63, 0, -1):  # not an id at all: the schema says 1..2**63-1
        response = operator.get(f"/api/v1/ledger/accounts/{account_id}")
        assert response.status_code == 422, account_id
        assert response.json()["error"] == "invalid"
    assert operator.get("/api/v1/ledger/accounts/987654/transfers").status_code == 404


def test_batch_errors_as_a_whole(operator: Client) -> None:
    too_many = [{"id": str(i)} for i in range(8190)]
    response = operator.post("/api/v1/ledger/transfers", too_many, content_type="application/json")
    assert response.status_code == 422 and response.json()["error"] == "batch_too_large"
    response = operator.post(
        "/api/v1/ledger/transfers", {"not": "a list"}, content_type="application/json"
    )
    assert response.status_code == 422


def test_odd_input_is_an_item_error_never_a_500(operator: Client) -> None:
    source = funding()
    # A NUL character anywhere in a body is refused by the API parser before the ledger sees it
    # (PostgreSQL cannot store it): the whole request is a 400, never a 500.
    nul = operator.post(
        "/api/v1/ledger/transfers", [{"id": "a\x00b"}], content_type="application/json"
    )
    assert nul.status_code == 400 and nul.json()["error"] == "bad_request"
    batch = [
        {"id": "a b" * 100},
        {
            "id": "x",
            "debit_account_id": 1 << 80,
            "credit_account_id": source.id,
            "amount_minor": 1,
            "currency": "EUR",
            "code": "topup",
        },
        {
            "id": "y",
            "debit_account_id": source.id,
            "credit_account_id": 2,
            "amount_minor": 1 << 80,
            "currency": "EUR",
            "code": "topup",
        },
        {"id": "z", "pending_id": "nope", "void_pending": True},
        {
            "id": "w",
            "pending": True,
            "timeout_seconds": 1 << 40,
            "debit_account_id": source.id,
            "credit_account_id": 2,
            "amount_minor": 1,
            "currency": "EUR",
            "code": "topup",
        },
    ]
    response = operator.post("/api/v1/ledger/transfers", batch, content_type="application/json")
    assert response.status_code == 200
    assert [r["error"] for r in response.json()] == [
        "invalid_transfer_id",
        "debit_account_not_found",
        "overflows_balance",
        "pending_transfer_not_found",
        "invalid_timeout",
    ]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/ledger/accounts/1"),
        ("get", "/api/v1/ledger/accounts/1/transfers"),
        ("get", "/api/v1/ledger/transfers/x"),
        ("get", "/api/v1/ledger/verify"),
        ("post", "/api/v1/ledger/transfers"),
    ],
)
def test_only_operators(method: str, path: str, buyer: Client) -> None:
    w = funded_wallet(100)
    merchant = _client("merchant")
    for client in (buyer, merchant):
        kwargs: dict[str, Any] = {}
        if method == "post":
            kwargs = {"data": [_spec(w.id, wallet().id, 1)], "content_type": "application/json"}
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 403, response.content
        assert response.json()["error"] == "ledger_operators_only"
    anonymous = getattr(Client(), method)(path)
    assert anonymous.status_code == 401
    assert selectors.account_balance(account_id=w.id).posted.amount_minor == 100
