"""Amounts and ids in the payments API are JSON integers within their bounds.

`true`, `"100"` and `100.0` answer 422 and book nothing (a top-up of `true` booked 1 minor
unit); an id above 2**63-1 answers 422 (it reached the database: a 500). The multipart
outlet import that the fuzz found answering 500 (a PDF as the file, a form field with an
empty name, a merchant id above 2**63) answers 422.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fiera.payments.models import Outlet, TopUp
from tests.payments.factories import (
    bearer,
    funded_wallet,
    make_buyer,
    make_merchant,
    make_staff,
    make_user,
    pilot_outlet,
    qr_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]

API = "/api/v1"
TOO_BIG_ID = 67823948845565296640  # above 2**63 - 1: what the fuzz sent
NOT_INTEGERS = [True, False, "100", 100.0, 1.0]


def post(client: Client, path: str, body: Any, user: Any) -> Any:
    return client.post(
        API + path, json.dumps(body), content_type="application/json", **bearer(user)
    )


@pytest.mark.parametrize("amount", NOT_INTEGERS)
def test_a_top_up_amount_must_be_a_json_integer(client: Client, amount: Any) -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 0)
    body = {"amount_minor": amount, "funding_reference": "card-1", "request_id": "t-1"}
    response = post(client, "/wallets/CNY/top-ups", body, buyer)
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "invalid"
    assert not TopUp.objects.exists()


def test_other_amounts_must_be_json_integers(client: Client) -> None:
    from django.utils import timezone

    from tests.payments.factories import make_rates

    make_rates(on=timezone.now().date())
    buyer = make_buyer()
    funded_wallet(buyer, 10_000)
    payload = qr_for(pilot_outlet())
    for amount in NOT_INTEGERS:
        quote = post(client, "/fx/quotes", {"sell_amount_minor": amount}, buyer)
        assert quote.status_code == 422, (amount, quote.content)
        qr = post(
            client,
            "/qr-payments",
            {"payload": payload, "request_id": "q-1", "amount_minor": amount},
            buyer,
        )
        assert qr.status_code == 422, (amount, qr.content)
        refund = post(
            client,
            "/payments/refunds",
            {
                "payment_reference": "p-1",
                "amount_minor": amount,
                "currency": "CNY",
                "refund_reference": "r-1",
            },
            make_user("operator"),
        )
        assert refund.status_code == 422, (amount, refund.content)


@pytest.mark.parametrize("merchant_id", [TOO_BIG_ID, 2**63, 0, -1, True, "1", 1.0])
def test_an_outlet_for_a_merchant_id_that_is_not_an_id_is_422(
    client: Client, merchant_id: Any
) -> None:
    merchant = make_merchant()
    owner = make_staff(merchant, "owner")
    body = {
        "merchant_id": merchant_id,
        "code": "UP-1",
        "name": "Ufficio 1",
        "address": "Via Roma 1",
        "municipality_code": "048017",
    }
    response = post(client, "/outlets", body, owner)
    assert response.status_code == 422, response.content
    assert not Outlet.objects.exists()
    assert post(client, "/outlets", body | {"merchant_id": merchant.pk}, owner).status_code == 201


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
BOUNDARY = "fuzzboundary"


def _part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'Content-Disposition: form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"\r\nContent-Type: application/pdf'
    return f"--{BOUNDARY}\r\n{disposition}\r\n\r\n".encode() + value + b"\r\n"


def _multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("role", ["owner", "operator"])
def test_the_outlet_import_the_fuzz_broke_answers_422(client: Client, role: str) -> None:
    merchant = make_merchant()
    user = make_staff(merchant, "owner") if role == "owner" else make_user("operator")
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    for merchant_id in (str(TOO_BIG_ID), str(2**63), "0", "-1", "1e3", "true"):
        body = _multipart(
            _part("merchant_id", merchant_id.encode()),
            _part("file", PDF, "report.pdf"),
            _part("", b"something"),
        )
        response = client.post(
            f"{API}/outlets/import", body, content_type=content_type, **bearer(user)
        )
        assert response.status_code == 422, (merchant_id, response.content)
        assert response.json()["error"] == "invalid"
    # The same shape with the merchant's own id: the PDF is refused as a CSV, by line.
    body = _multipart(
        _part("merchant_id", str(merchant.pk).encode()),
        _part("file", PDF, "report.pdf"),
        _part("", b"something"),
    )
    response = client.post(f"{API}/outlets/import", body, content_type=content_type, **bearer(user))
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "outlet_import_invalid"
    assert not Outlet.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        f"/outlets/{TOO_BIG_ID}",
        f"/outlets/{2**63}/qr",
        f"/outlets?merchant_id={TOO_BIG_ID}",
        f"/outlets/rollout?merchant_id={TOO_BIG_ID}",
        f"/outlets/1/qr?amount_minor={TOO_BIG_ID}",
    ],
)
def test_ids_in_paths_and_queries_above_64_bits_are_422(client: Client, path: str) -> None:
    response = client.get(API + path, **bearer(make_user("operator")))
    assert response.status_code == 422, response.content


def test_deleting_a_token_id_above_64_bits_is_422(client: Client) -> None:
    response = client.delete(f"{API}/auth/tokens/{TOO_BIG_ID}", **bearer(make_buyer()))
    assert response.status_code == 422, response.content


@pytest.mark.parametrize("body", [[], "CNY", 1])
def test_a_wallet_is_not_opened_by_a_body_that_is_not_an_object(client: Client, body: Any) -> None:
    from fiera.payments.models import Wallet

    response = post(client, "/wallets", body, make_buyer())
    assert response.status_code == 422, response.content
    assert not Wallet.objects.exists()
