"""The payments HTTP contract: outlets, their QR, the CSV import, QR parsing, FX rates;
and the denials (anonymous 401, wrong role 403, another tenant's outlet 404)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fiera.payments import emvco
from fiera.payments.models import FxRate, Outlet
from tests.payments.factories import bearer, make_merchant, make_outlet, make_staff, make_user

pytestmark = pytest.mark.django_db

HEADER = "code,name,address,municipality_code,postal_code,mcc,status,terminal_ids\n"


@pytest.fixture
def world() -> dict[str, object]:
    merchant, other = make_merchant(), make_merchant("Altra Rete")
    return {
        "merchant": merchant,
        "other": other,
        "operator": make_user("operator"),
        "owner": make_staff(merchant, "owner"),
        "clerk": make_staff(merchant, "clerk"),
        "outsider": make_staff(other, "owner"),
        "buyer": make_user("buyer"),
        "outlet": make_outlet(merchant, code="UP-015146-01", status="live"),
        "other_outlet": make_outlet(other, code="RM-1", municipality_code="058091"),
    }


def test_anonymous_callers_get_401(client: Client, world: dict) -> None:
    outlet = world["outlet"]
    for method, path in [
        ("get", "/api/v1/outlets"),
        ("get", "/api/v1/outlets/rollout"),
        ("get", f"/api/v1/outlets/{outlet.id}"),
        ("get", f"/api/v1/outlets/{outlet.id}/qr"),
        ("post", "/api/v1/qr/parse"),
        ("patch", f"/api/v1/outlets/{outlet.id}/status"),
    ]:
        response = getattr(client, method)(path, content_type="application/json")
        assert response.status_code == 401, path
        assert response.json()["error"] == "unauthenticated"


def test_operator_lists_all_and_staff_only_their_own(client: Client, world: dict) -> None:
    response = client.get("/api/v1/outlets", **bearer(world["operator"]))
    assert response.status_code == 200
    assert response.json()["count"] == 2
    response = client.get("/api/v1/outlets", **bearer(world["clerk"]))
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["code"] == "UP-015146-01"
    assert body["items"][0]["region_name"] == "Lombardia"
    assert body["items"][0]["status"] == "live"
    filtered = client.get(
        "/api/v1/outlets?region=IT-62&status=planned", **bearer(world["operator"])
    )
    assert [o["code"] for o in filtered.json()["items"]] == ["RM-1"]
    bad = client.get("/api/v1/outlets?region=IT-99", **bearer(world["operator"]))
    assert bad.status_code == 422
    assert client.get("/api/v1/outlets", **bearer(world["buyer"])).status_code == 403


def test_outlet_of_another_company_is_404(client: Client, world: dict) -> None:
    path = f"/api/v1/outlets/{world['other_outlet'].id}"
    response = client.get(path, **bearer(world["owner"]))
    assert response.status_code == 404
    assert response.json()["error"] == "outlet_not_found"
    assert client.get(f"{path}/qr", **bearer(world["owner"])).status_code == 404
    assert client.get(path, **bearer(world["operator"])).status_code == 200
    assert client.get("/api/v1/outlets/999999", **bearer(world["operator"])).status_code == 404


def test_create_outlet_rules(client: Client, world: dict) -> None:
    payload = {
        "merchant_id": world["merchant"].pk,
        "code": "UP-048017-01",
        "name": "Ufficio postale Firenze",
        "address": "Via Pellicceria 3",
        "municipality_code": "048017",
    }
    response = client.post(
        "/api/v1/outlets", payload, content_type="application/json", **bearer(world["owner"])
    )
    assert response.status_code == 201, response.content
    assert response.json()["region_code"] == "IT-52"
    assert response.json()["status"] == "planned"
    again = client.post(
        "/api/v1/outlets", payload, content_type="application/json", **bearer(world["operator"])
    )
    assert again.status_code == 409
    assert again.json()["error"] == "outlet_code_taken"
    clerk = client.post(
        "/api/v1/outlets",
        {**payload, "code": "C2"},
        content_type="application/json",
        **bearer(world["clerk"]),
    )
    assert clerk.status_code == 403
    outsider = client.post(
        "/api/v1/outlets",
        {**payload, "code": "C3"},
        content_type="application/json",
        **bearer(world["outsider"]),
    )
    assert outsider.status_code == 404
    buyer = client.post(
        "/api/v1/outlets",
        {**payload, "code": "C4"},
        content_type="application/json",
        **bearer(world["buyer"]),
    )
    assert buyer.status_code == 403
    bad = client.post(
        "/api/v1/outlets",
        {**payload, "code": "C5", "municipality_code": "999999"},
        content_type="application/json",
        **bearer(world["operator"]),
    )
    assert bad.status_code == 422
    assert "municipality_code" in bad.json()["detail"]
    assert "999999" in bad.json()["context"]


def test_status_transitions_over_http(client: Client, world: dict) -> None:
    path = f"/api/v1/outlets/{world['outlet'].id}/status"
    ok = client.patch(
        path, {"status": "suspended"}, content_type="application/json", **bearer(world["owner"])
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "suspended"
    refused = client.patch(
        path, {"status": "planned"}, content_type="application/json", **bearer(world["owner"])
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "outlet_transition"
    assert "cannot change to this status" in refused.json()["detail"]
    assert "cannot become planned" in refused.json()["context"]
    clerk = client.patch(
        path, {"status": "live"}, content_type="application/json", **bearer(world["clerk"])
    )
    assert clerk.status_code == 403
    outsider = client.patch(
        path, {"status": "live"}, content_type="application/json", **bearer(world["outsider"])
    )
    assert outsider.status_code == 404


def test_terminal_add_over_http(client: Client, world: dict) -> None:
    path = f"/api/v1/outlets/{world['outlet'].id}/terminals"
    ok = client.post(
        path,
        {"terminal_id": "T2", "label": "Sportello 2"},
        content_type="application/json",
        **bearer(world["owner"]),
    )
    assert ok.status_code == 201
    assert ok.json()["terminal_id"] == "T2"
    taken = client.post(
        path, {"terminal_id": "T2"}, content_type="application/json", **bearer(world["operator"])
    )
    assert taken.status_code == 409


def test_qr_of_an_outlet(client: Client, world: dict) -> None:
    path = f"/api/v1/outlets/{world['outlet'].id}/qr"
    static = client.get(path, **bearer(world["clerk"]))
    assert static.status_code == 200
    body = static.json()
    assert body["mode"] == "static"
    assert body["svg"].startswith("<svg")
    assert emvco.parse(body["payload"]).amount_minor is None
    dynamic = client.get(
        f"{path}?amount_minor=4990&currency=EUR&bill=RACC-7", **bearer(world["operator"])
    )
    parsed = emvco.parse(dynamic.json()["payload"])
    assert (parsed.amount_minor, parsed.bill_number, parsed.mode) == (4990, "RACC-7", "dynamic")
    bad = client.get(f"{path}?amount_minor=-1", **bearer(world["operator"]))
    assert bad.status_code == 422
    bad_currency = client.get(f"{path}?amount_minor=100&currency=XYZ", **bearer(world["operator"]))
    assert bad_currency.status_code == 422


def test_rollout_over_http(client: Client, world: dict) -> None:
    response = client.get("/api/v1/outlets/rollout", **bearer(world["operator"]))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert body["by_status"]["live"] == 1
    assert {r["region_code"] for r in body["regions"]} == {"IT-25", "IT-62"}
    mine = client.get("/api/v1/outlets/rollout", **bearer(world["owner"])).json()
    assert mine["total"] == 1
    assert client.get("/api/v1/outlets/rollout", **bearer(world["buyer"])).status_code == 403


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("outlets.csv", text.encode(), content_type="text/csv")


def test_csv_import_over_http(client: Client, world: dict) -> None:
    merchant = world["merchant"]
    good = HEADER + "UP-1,Ufficio 1,Via Roma 1,048017,50123,,planned,T1\n"
    response = client.post(
        "/api/v1/outlets/import",
        {"merchant_id": merchant.pk, "file": _upload(good)},
        **bearer(world["owner"]),
    )
    assert response.status_code == 200, response.content
    assert response.json()["outlets_created"] == 1

    bad = HEADER + "UP-2,Ufficio 2,Via Roma 2,048017,,,planned,\nUP-3,Ufficio 3,Via Roma 3,1,,,,\n"
    response = client.post(
        "/api/v1/outlets/import",
        {"merchant_id": merchant.pk, "file": _upload(bad)},
        **bearer(world["operator"]),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "outlet_import_invalid"
    assert body["errors"] == [
        {
            "line": 3,
            "column": "municipality_code",
            "message": "'1' is not an ISTAT code (six digits)",
        }
    ]
    assert not Outlet.objects.filter(code="UP-2").exists()

    for user, status in (("clerk", 403), ("outsider", 404), ("buyer", 403)):
        denied = client.post(
            "/api/v1/outlets/import",
            {"merchant_id": merchant.pk, "file": _upload(good)},
            **bearer(world[user]),
        )
        assert denied.status_code == status, user


def test_qr_parse_over_http(client: Client, world: dict) -> None:
    payload = emvco.build(
        merchant_name="Rete Postale",
        merchant_city="Milano",
        country="IT",
        currency="EUR",
        mcc="9402",
        accounts=[emvco.fiera_account(merchant_id=1)],
        amount_minor=250,
    )
    ok = client.post(
        "/api/v1/qr/parse",
        {"payload": payload},
        content_type="application/json",
        **bearer(world["buyer"]),
    )
    assert ok.status_code == 200
    assert ok.json()["amount_minor"] == 250
    assert ok.json()["fields"]["26"] == {"00": "it.fiera", "01": "1"}
    broken = payload[:-4] + ("0000" if payload[-4:] != "0000" else "1111")
    bad = client.post(
        "/api/v1/qr/parse",
        {"payload": broken},
        content_type="application/json",
        **bearer(world["buyer"]),
    )
    assert bad.status_code == 422
    assert bad.json()["error"] == "qr_crc_mismatch"
    assert bad.json()["detail"].startswith("This QR code is damaged or was changed")
    assert bad.json()["context"].startswith("CRC mismatch: payload says")
    assert bad.json()["tag"] == "63"
    assert bad.json()["offset"] == len(payload) - 8


def test_fx_rates_are_public(client: Client) -> None:
    for quote, rate in (("USD", 1_095_600_000), ("JPY", 155_680_000_000)):
        FxRate.objects.create(quote=quote, date=date(2024, 1, 2), rate_e9=rate)
    response = client.get("/api/v1/fx/rates?base=USD&quote=JPY&on=2024-01-03")
    assert response.status_code == 200
    body = response.json()
    assert body["rate"] == "142.0956553"
    assert body["method"] == "cross"
    assert body["rate_date"] == "2024-01-02"
    assert [leg["rate"] for leg in body["legs"]] == ["1.0956", "155.68"]
    missing = client.get("/api/v1/fx/rates?quote=USD&on=1998-12-31")
    assert missing.status_code == 404
    assert missing.json()["error"] == "fx_rate_not_found"
    assert client.get("/api/v1/fx/rates?quote=XYZ&on=2024-01-02").status_code == 422
