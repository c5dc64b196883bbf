"""Trade assurance over the API: the escrow on the order, confirm receipt, disputes with
messages and evidence, the operator's decision, and the denials."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from fiera.accounts.services import token_issue
from tests.trade.assurance_world import World, make_world, place, ship
from tests.trade.factories import PDF

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def world() -> World:
    return make_world()


def _h(user: Any, language: str = "en") -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}",
        "HTTP_ACCEPT_LANGUAGE": language,
    }


def _post(client: Client, url: str, user: Any, body: Any = None, **kw: Any) -> Any:
    return client.post(url, body or {}, content_type="application/json", **_h(user, **kw))


def _shipped(world: World) -> Any:
    now = timezone.now()
    order = place(world, at=now - timedelta(days=3))
    ship(world, order, at=now - timedelta(days=2))
    return order


def test_the_order_shows_its_escrow(client: Client, world: World) -> None:
    order = _shipped(world)
    got = client.get(f"{API}/orders/{order.number}", **_h(world.buyer))
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["payment_method"] == "assurance" and body["payment_terms"] == "assurance"
    assert body["escrow"]["status"] == "held"
    assert body["escrow"]["amount"]["amount_minor"] == order.total_minor
    info = client.get(f"{API}/trade/orders/{order.number}/assurance", **_h(world.owner)).json()
    assert info["escrow_status"] == "held" and info["side"] == "supplier"
    assert not info["can_confirm"]
    mine = client.get(f"{API}/trade/orders/{order.number}/assurance", **_h(world.buyer)).json()
    assert mine["can_confirm"] and mine["can_dispute"]
    stranger = client.get(f"{API}/trade/orders/{order.number}/assurance", **_h(world.other_buyer))
    assert stranger.status_code == 404
    assert client.get(f"{API}/trade/orders/{order.number}/assurance").status_code == 401


def test_confirm_receipt(client: Client, world: World) -> None:
    order = _shipped(world)
    url = f"{API}/trade/orders/{order.number}/confirm-receipt"
    assert _post(client, url, world.owner).status_code == 403
    assert _post(client, url, world.other_buyer).status_code == 404
    done = _post(client, url, world.buyer)
    assert done.status_code == 200, done.content
    assert done.json()["escrow_status"] == "released"
    assert done.json()["order_status"] == "delivered"
    again = _post(
        client,
        f"{API}/trade/orders/{order.number}/disputes",
        world.buyer,
        {"reason": "damaged", "statement": "Broken"},
    )
    assert again.status_code == 409 and again.json()["error"] == "escrow_not_held"


def test_dispute_flow(client: Client, world: World) -> None:
    order = _shipped(world)
    opened = _post(
        client,
        f"{API}/trade/orders/{order.number}/disputes",
        world.buyer,
        {"reason": "quantity_short", "statement": "Ordered 2 cases, got <b>1</b>."},
    )
    assert opened.status_code == 201, opened.content
    dispute = opened.json()
    assert dispute["status"] == "open" and dispute["statement"] == "Ordered 2 cases, got <b>1</b>."
    twice = _post(
        client,
        f"{API}/trade/orders/{order.number}/disputes",
        world.buyer,
        {"reason": "other", "statement": "again"},
    )
    assert twice.status_code == 409 and twice.json()["error"] == "already_disputed"
    blocked = _post(client, f"{API}/trade/orders/{order.number}/confirm-receipt", world.buyer)
    assert blocked.status_code == 409 and blocked.json()["error"] == "dispute_open"
    url = f"{API}/trade/disputes/{dispute['id']}"
    sent = client.post(
        f"{url}/messages",
        {"body": "Packing list attached", "evidence": SimpleUploadedFile("list.pdf", PDF)},
        **_h(world.owner),
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["messages"][0]["evidence_name"].endswith(".pdf")
    bad = client.post(
        f"{url}/messages",
        {"evidence": SimpleUploadedFile("x.pdf", b"not a pdf")},
        **_h(world.buyer),
    )
    assert bad.status_code == 422 and bad.json()["error"] == "evidence_refused", bad.content
    assert (
        client.post(f"{url}/messages", {"body": "hi"}, **_h(world.other_owner)).status_code == 404
    )
    assert client.get(url, **_h(world.other_buyer)).status_code == 404
    assert client.get(url, **_h(world.clerk)).json()["side"] == "supplier"
    listed = client.get(f"{API}/trade/disputes?status=open", **_h(world.operator)).json()
    assert [d["id"] for d in listed["items"]] == [dispute["id"]]
    assert client.get(f"{API}/trade/disputes", **_h(world.other_buyer)).json()["items"] == []
    decision = {"outcome": "upheld", "reason": "One case missing on the photos."}
    assert _post(client, f"{url}/decision", world.owner, decision).status_code == 403
    assert (
        _post(
            client, f"{url}/decision", world.operator, {"outcome": "maybe", "reason": "x"}
        ).status_code
        == 422
    )
    decided = _post(client, f"{url}/decision", world.operator, decision)
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "upheld"
    assert decided.json()["decision_reason"] == "One case missing on the photos."
    assert _post(client, f"{url}/decision", world.operator, decision).status_code == 409
    order_now = client.get(f"{API}/orders/{order.number}", **_h(world.buyer)).json()
    assert order_now["status"] == "refunded" and order_now["escrow"]["status"] == "refunded"


def test_dispute_errors_are_translated(client: Client, world: World) -> None:
    order = place(world)  # not shipped
    refused = _post(
        client,
        f"{API}/trade/orders/{order.number}/disputes",
        world.buyer,
        {"reason": "damaged", "statement": "x"},
        language="it",
    )
    assert refused.status_code == 409 and refused.json()["error"] == "order_not_shipped"
    assert "ships" not in refused.json()["detail"]
    bad = _post(
        client,
        f"{API}/trade/orders/{order.number}/disputes",
        world.buyer,
        {"reason": "bored", "statement": "x"},
    )
    assert bad.status_code == 422
    plain = place(world, method="wallet")
    not_escrowed = client.get(f"{API}/trade/orders/{plain.number}/assurance", **_h(world.buyer))
    assert not_escrowed.status_code == 409 and not_escrowed.json()["error"] == "order_not_escrowed"


def test_checkout_api_offers_assurance_on_b2b_only(client: Client, world: World) -> None:
    body = {
        "marketplace": world.shop.slug,
        "country": "US",
        "lines": [{"variant_id": world.shop_item.id, "quantity": 1}],
        "shipping_address": {
            "name": "Ada",
            "line1": "1 Main St",
            "city": "Austin",
            "postal_code": "73301",
            "country": "US",
        },
        "payment_method": "assurance",
    }
    refused = _post(client, f"{API}/checkout", world.buyer, body)
    assert refused.status_code == 422, refused.content
    assert refused.json()["error"] == "payment_method_not_offered"
