from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fiera.accounts.services import token_issue
from tests.trade.factories import PDF, World

pytestmark = pytest.mark.django_db
API = "/api/v1/trade"


def _h(user: Any, language: str = "en") -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}",
        "HTTP_ACCEPT_LANGUAGE": language,
    }


def _post(client: Client, url: str, user: Any, body: Any, **kw: Any) -> Any:
    return client.post(url, body, content_type="application/json", **_h(user, **kw))


def _inquiry(client: Client, world: World, user: Any | None = None) -> Any:
    return _post(
        client,
        f"{API}/inquiries",
        user or world.buyer,
        {
            "marketplace": "trade",
            "merchant_id": world.supplier.pk,
            "product_id": world.product.pk,
            "subject": "Olive oil <b>bulk</b>",
            "quantity": 500,
            "message": "Price for 500 cans?",
        },
    )


def test_company_flow(client: Client, world: World) -> None:
    assert client.get(f"{API}/companies/mine", **_h(world.buyer)).json() is None
    made = _post(
        client,
        f"{API}/companies",
        world.buyer,
        {"legal_name": "Acme", "country": "US", "registration_number": "A-1"},
    )
    assert made.status_code == 201, made.content
    cid = made.json()["id"]
    assert client.get(f"{API}/companies/{cid}", **_h(world.other_buyer)).status_code == 404
    assert client.get(f"{API}/companies", **_h(world.buyer)).status_code == 403
    queue = client.get(f"{API}/companies?verified=false", **_h(world.operator)).json()
    assert [c["id"] for c in queue["items"]] == [cid]
    denied = _post(client, f"{API}/companies/{cid}/verification", world.buyer, {"verified": True})
    assert denied.status_code == 403
    ok = _post(client, f"{API}/companies/{cid}/verification", world.operator, {"verified": True})
    assert ok.json()["verified"] is True
    again = _post(
        client,
        f"{API}/companies",
        world.buyer,
        {"legal_name": "Acme 2", "country": "US", "registration_number": "B-1"},
        language="it",
    )
    assert again.status_code == 409
    assert again.json()["error"] == "already_in_company"


def test_supplier_profile_and_verification(client: Client, world: World) -> None:
    url = f"{API}/suppliers/{world.supplier.pk}"
    body = {"capabilities_en": "OEM", "main_markets": ["US"], "export_share_pct": 40}
    put = client.put(url, body, content_type="application/json", **_h(world.owner))
    assert put.status_code == 200 and put.json()["level"] == "none"
    clerk = client.put(url, body, content_type="application/json", **_h(world.clerk))
    assert clerk.status_code == 403
    other = client.put(url, body, content_type="application/json", **_h(world.other_owner))
    assert other.status_code == 404
    form = {
        "kind": "audit",
        "inspection_body": "SGS",
        "checked_at": "2026-01-01T00:00:00Z",
        "expires_at": "2099-01-01T00:00:00Z",
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(user: Any) -> Any:
        data = {**form, "evidence": SimpleUploadedFile("audit.pdf", PDF, "application/pdf")}
        return client.post(f"{url}/verifications", data, **_h(user))

    assert upload(world.owner).status_code == 403
    assert upload(world.operator).status_code == 201
    public = client.get(url, **_h(world.buyer)).json()
    assert (public["level"], public["level_body"]) == ("audit", "SGS")
    assert "evidence" not in public["verifications"][0]
    listed = client.get(f"{API}/suppliers?level=audit", **_h(world.buyer)).json()
    assert [s["merchant_id"] for s in listed["items"]] == [world.supplier.pk]
    assert client.get(f"{API}/suppliers/999999", **_h(world.buyer)).status_code == 404


def test_inquiry_flow_and_denials(client: Client, world: World) -> None:
    made = _inquiry(client, world)
    assert made.status_code == 201, made.content
    iid = made.json()["inquiry"]["id"]
    thread = f"{API}/inquiries/{iid}"
    assert client.get(thread, **_h(world.other_buyer)).status_code == 404
    assert client.get(thread, **_h(world.other_owner)).status_code == 404
    assert client.get(thread, **_h(world.operator)).json()["side"] == "operator"
    assert client.get(f"{API}/inquiries/unread", **_h(world.clerk)).json() == {"unread": 1}
    reply = _post(client, f"{thread}/messages", world.clerk, {"body": "USD 38"})
    assert reply.status_code == 201 and reply.json()["inquiry"]["status"] == "answered"
    assert _post(client, f"{thread}/messages", world.operator, {"body": "x"}).status_code == 403
    assert _post(client, f"{thread}/messages", world.other_owner, {"body": "x"}).status_code == 404
    inbox = client.get(f"{API}/inquiries", **_h(world.buyer)).json()
    assert inbox["count"] == 1 and inbox["items"][0]["unread"] == 1
    read = _post(client, f"{thread}/read", world.buyer, {})
    assert read.json()["inquiry"]["unread"] == 0
    mine = client.get(f"{API}/inquiries?merchant_id={world.other.pk}", **_h(world.owner))
    assert mine.status_code == 404
    assert _post(client, f"{thread}/close", world.clerk, {}).status_code == 403
    assert _post(client, f"{thread}/close", world.buyer, {}).status_code == 200
    closed = _post(client, f"{thread}/messages", world.buyer, {"body": "x"}, language="zh-hans")
    assert closed.status_code == 409 and closed.json()["error"] == "inquiry_closed"


def test_inquiry_quota_answers_429(client: Client, world: World, settings: Any) -> None:
    settings.FIERA_TRADE_INQUIRIES_PER_DAY = 1
    assert _inquiry(client, world).status_code == 201
    second = _inquiry(client, world)
    assert second.status_code == 429
    assert second.json()["error"] == "inquiry_quota" and second.json()["limit"] == 1


def test_bad_bodies_answer_4xx(client: Client, world: World) -> None:
    url = f"{API}/inquiries"
    base = {
        "marketplace": "trade",
        "merchant_id": world.supplier.pk,
        "subject": "s",
        "quantity": 1,
        "message": "m",
    }
    for change in (
        {"quantity": "5"},
        {"quantity": True},
        {"merchant_id": 0},
        {"message": "x" * 4001},
        {"marketplace": "nope"},
    ):
        answer = _post(client, url, world.buyer, {**base, **change})
        assert 400 <= answer.status_code < 500, change
    assert client.get(url).status_code == 401
