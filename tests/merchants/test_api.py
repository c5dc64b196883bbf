from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fiera.accounts.roles import SYSTEM
from fiera.merchants.services import staff_add
from tests.marketplaces.factories import make_marketplace
from tests.merchants.factories import (
    bearer,
    italian_vat,
    make_merchant,
    make_user,
    wrong_check_digit,
)

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _register_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "legal_name": "Oleificio Sole S.r.l.",
        "display_name": "Oleificio Sole",
        "vat_number": italian_vat(),
        "region_code": "IT-75",
        "municipality_code": "072006",  # Bari
        "size": "sme",
        "ateco_code": "10.41.10",
        "sector_slugs": ["food-wine"],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def operator() -> Any:
    return make_user("operator")


def test_sectors_are_public(client: Client, sectors: None) -> None:
    response = client.get("/api/v1/sectors")
    assert response.status_code == 200
    assert "fashion" in {s["slug"] for s in response.json()}


def test_operator_registers(client: Client, operator: Any, sectors: None) -> None:
    owner = make_user("merchant")
    payload = _register_payload(owner_user_id=owner.pk)
    response = client.post("/api/v1/merchants", payload, content_type=JSON, **bearer(operator))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["vat_number"] == payload["vat_number"]
    assert (body["town"], body["region_name"]) == ("Bari", "Puglia")
    assert [s["slug"] for s in body["sectors"]] == ["food-wine"]
    again = client.post("/api/v1/merchants", payload, content_type=JSON, **bearer(operator))
    assert again.status_code == 409
    assert again.json()["error"] == "vat_taken"


@pytest.mark.parametrize(
    ("overrides", "error", "fragment"),
    [
        ({"vat_number": wrong_check_digit(italian_vat(7001))}, "invalid_vat", "check digit"),
        ({"region_code": "IT-00"}, "invalid_location", "IT-00"),
        ({"municipality_code": "015146"}, "invalid_location", "Milano (MI) is not in Puglia"),
        ({"ateco_code": "10.99"}, "invalid_ateco", "10.99"),
        ({"sector_slugs": ["nope"]}, "unknown_sector", "nope"),
    ],
)
def test_register_validation_is_422_with_precise_detail(
    client: Client,
    operator: Any,
    sectors: None,
    overrides: dict[str, Any],
    error: str,
    fragment: str,
) -> None:
    response = client.post(
        "/api/v1/merchants", _register_payload(**overrides), content_type=JSON, **bearer(operator)
    )
    assert response.status_code == 422
    assert response.json()["error"] == error
    assert fragment in response.json()["detail"]


@pytest.mark.parametrize("role", ["buyer", "merchant"])
def test_register_denied_to_non_operators(client: Client, role: str, sectors: None) -> None:
    response = client.post(
        "/api/v1/merchants", _register_payload(), content_type=JSON, **bearer(make_user(role))
    )
    assert response.status_code == 403


def test_unauthenticated_gets_401(client: Client) -> None:
    info = make_merchant()
    for response in (
        client.get("/api/v1/merchants"),
        client.get(f"/api/v1/merchants/{info.id}"),
        client.post("/api/v1/merchants", _register_payload(), content_type=JSON),
        client.get(f"/api/v1/merchants/{info.id}/stores"),
    ):
        assert response.status_code == 401
        assert response.json()["error"] == "unauthenticated"


def test_list_operator_sees_all_filtered_and_paged(client: Client, operator: Any) -> None:
    make_merchant(display_name="Alfa")
    make_merchant(display_name="Beta", region_code="IT-52", municipality_code="048017")
    make_merchant(display_name="Gamma")
    response = client.get("/api/v1/merchants?limit=2", **bearer(operator))
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 3
    assert [m["display_name"] for m in page["items"]] == ["Alfa", "Beta"]
    page = client.get("/api/v1/merchants?limit=2&offset=2", **bearer(operator)).json()
    assert [m["display_name"] for m in page["items"]] == ["Gamma"]
    tuscan = client.get("/api/v1/merchants?region_code=IT-52", **bearer(operator)).json()
    assert [m["display_name"] for m in tuscan["items"]] == ["Beta"]


def test_list_staff_sees_only_their_own(client: Client) -> None:
    owner = make_user("merchant")
    mine = make_merchant(owner_user_id=owner.pk)
    make_merchant()
    page = client.get("/api/v1/merchants", **bearer(owner)).json()
    assert [m["id"] for m in page["items"]] == [mine.id]
    assert page["count"] == 1


def test_list_denied_to_buyers(client: Client) -> None:
    response = client.get("/api/v1/merchants", **bearer(make_user("buyer")))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden_role"


def test_detail_denials(client: Client, operator: Any) -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    other_staff = make_user("merchant")
    make_merchant(owner_user_id=other_staff.pk)
    url = f"/api/v1/merchants/{info.id}"
    assert client.get(url, **bearer(owner)).status_code == 200
    assert client.get(url, **bearer(operator)).json()["id"] == info.id
    other = client.get(url, **bearer(other_staff))
    missing = client.get("/api/v1/merchants/999999", **bearer(other_staff))
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"] == missing.json()["error"] == "merchant_not_found"
    assert client.get(url, **bearer(make_user("buyer"))).status_code == 403


def test_patch(client: Client) -> None:
    owner = make_user("merchant")
    clerk = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    staff_add(merchant_id=info.id, user_id=clerk.pk, role="clerk", actor_role=SYSTEM)
    url = f"/api/v1/merchants/{info.id}"
    response = client.patch(url, {"description": "Hand-made"}, content_type=JSON, **bearer(owner))
    assert response.status_code == 200
    assert response.json()["description"] == "Hand-made"
    assert response.json()["display_name"] == info.display_name
    denied = client.patch(url, {"description": "x"}, content_type=JSON, **bearer(clerk))
    assert (denied.status_code, denied.json()["error"]) == (403, "staff_role")
    bad = client.patch(url, {"ateco_code": "ZZ"}, content_type=JSON, **bearer(owner))
    assert bad.status_code == 422


def test_verify_operator_only(client: Client, operator: Any) -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    url = f"/api/v1/merchants/{info.id}/verify"
    denied = client.post(url, {"level": "audited"}, content_type=JSON, **bearer(owner))
    assert denied.status_code == 403
    response = client.post(url, {"level": "registered"}, content_type=JSON, **bearer(operator))
    assert response.status_code == 200
    assert response.json()["verification_level"] == "registered"


def test_stores(client: Client) -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    market = make_marketplace()
    url = f"/api/v1/merchants/{info.id}/stores"
    created = client.post(
        url, {"marketplace_id": market.id, "name": "Sole"}, content_type=JSON, **bearer(owner)
    )
    assert created.status_code == 201, created.content
    assert created.json()["slug"] == "sole"
    again = client.post(
        url, {"marketplace_id": market.id, "name": "Sole 2"}, content_type=JSON, **bearer(owner)
    )
    assert (again.status_code, again.json()["error"]) == (409, "store_exists")
    listed = client.get(url, **bearer(owner))
    assert [s["id"] for s in listed.json()] == [created.json()["id"]]
    closed = client.patch(
        f"{url}/{created.json()['id']}", {"is_active": False}, content_type=JSON, **bearer(owner)
    )
    assert closed.json()["is_active"] is False
    stranger = make_user("merchant")
    assert client.get(url, **bearer(stranger)).status_code == 404
    assert client.get(url, **bearer(make_user("buyer"))).status_code == 403
    unknown_market = client.post(
        url, {"marketplace_id": 999999, "name": "X"}, content_type=JSON, **bearer(owner)
    )
    assert unknown_market.status_code == 404


def test_staff_endpoints(client: Client) -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    newcomer = make_user("merchant")
    url = f"/api/v1/merchants/{info.id}/staff"
    response = client.post(
        url, {"user_id": newcomer.pk, "role": "manager"}, content_type=JSON, **bearer(owner)
    )
    assert response.status_code == 201
    assert {s["user_id"]: s["role"] for s in response.json()} == {
        owner.pk: "owner",
        newcomer.pk: "manager",
    }
    by_manager = client.post(
        url, {"user_id": make_user().pk, "role": "clerk"}, content_type=JSON, **bearer(newcomer)
    )
    assert (by_manager.status_code, by_manager.json()["error"]) == (403, "staff_role")
    buyer = make_user("buyer")
    not_merchant = client.post(
        url, {"user_id": buyer.pk, "role": "clerk"}, content_type=JSON, **bearer(owner)
    )
    assert (not_merchant.status_code, not_merchant.json()["error"]) == (422, "user_not_merchant")
    assert client.get(url, **bearer(newcomer)).status_code == 200
    last = client.delete(f"{url}/{owner.pk}", **bearer(owner))
    assert (last.status_code, last.json()["error"]) == (409, "last_owner")
    removed = client.delete(f"{url}/{newcomer.pk}", **bearer(owner))
    assert removed.status_code == 204
