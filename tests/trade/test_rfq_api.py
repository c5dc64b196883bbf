"""The RFQ and quote API: the flow end to end and its denials (decision 0017)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.trade.factories import World, business_buyer
from tests.trade.rfq_world import ADDRESS, RfqWorld, rfq_world
from tests.trade.test_api import _h, _post

pytestmark = pytest.mark.django_db
API = "/api/v1/trade"


@pytest.fixture
def rw(world: World) -> RfqWorld:
    return rfq_world(world)


def _rfq(client: Client, rw: RfqWorld, user: Any = None) -> Any:
    return _post(
        client,
        f"{API}/rfqs",
        user or rw.w.buyer,
        {
            "marketplace": "trade",
            "category_id": rw.food.pk,
            "product": "Olive oil <script>",
            "quantity": 300,
            "unit": "carton",
            "target_unit_price_minor": 3900,
            "destination_country": "US",
            "deadline": (timezone.now() + timedelta(days=10)).isoformat(),
        },
    )


def _quote_body(rw: RfqWorld, **extra: Any) -> dict[str, Any]:
    body = {
        "variant_id": rw.variant.pk,
        "unit_price_minor": 4000,
        "quantity": 100,
        "incoterm": "FOB",
        "incoterm_place": "Genova",
        "payment_terms": "assurance",
        "lead_time_days": 14,
        "valid_until": (timezone.now() + timedelta(days=20)).isoformat(),
    }
    body.update(extra)
    return body


def test_rfq_flow_and_denials(client: Client, rw: RfqWorld) -> None:
    made = _rfq(client, rw)
    assert made.status_code == 201, made.content
    rfq_id = made.json()["rfq"]["id"]
    assert made.json()["rfq"]["matched"] == 2
    assert _rfq(client, rw, user=rw.w.owner).status_code == 403
    assert client.post(f"{API}/rfqs", {}, content_type="application/json").status_code == 401
    # who sees it
    assert client.get(f"{API}/rfqs/{rfq_id}", **_h(rw.w.other_buyer)).status_code == 404
    assert client.get(f"{API}/rfqs/{rfq_id}", **_h(business_buyer())).status_code == 404
    seen = client.get(f"{API}/rfqs/{rfq_id}", **_h(rw.w.clerk)).json()
    assert seen["side"] == "supplier" and seen["rfq"]["target_unit_price_minor"] == 3900
    assert client.get(f"{API}/rfqs", **_h(rw.w.other_buyer)).json()["items"] == []
    assert [r["id"] for r in client.get(f"{API}/rfqs", **_h(rw.w.clerk)).json()["items"]] == [
        rfq_id
    ]
    # quoting
    url = f"{API}/rfqs/{rfq_id}/quotes"
    assert _post(client, url, rw.w.clerk, _quote_body(rw)).status_code == 403
    assert _post(client, url, rw.w.buyer, _quote_body(rw)).status_code == 404
    moq = _post(client, url, rw.w.owner, _quote_body(rw, quantity=5))
    assert moq.status_code == 422 and moq.json()["error"] == "moq_not_met"
    sent = _post(client, url, rw.w.owner, _quote_body(rw))
    assert sent.status_code == 201, sent.content
    qid = sent.json()["id"]
    other = _post(
        client, url, rw.w.other_owner, _quote_body(rw, variant_id=rw.other_variant.pk, quantity=3)
    )
    assert other.status_code == 201
    assert client.get(f"{API}/quotes/{other.json()['id']}", **_h(rw.w.owner)).status_code == 404
    mine = client.get(f"{API}/rfqs/{rfq_id}", **_h(rw.w.owner)).json()
    assert [q["id"] for q in mine["quotes"]] == [qid]
    both = client.get(f"{API}/rfqs/{rfq_id}", **_h(rw.w.buyer)).json()
    assert len(both["quotes"]) == 2 and both["rfq"]["unread"] == 2
    assert _post(client, f"{API}/rfqs/{rfq_id}/read", rw.w.buyer, {}).json()["rfq"]["unread"] == 0
    # one revision
    rev = f"{API}/quotes/{qid}/revisions"
    assert (
        _post(client, rev, rw.w.manager, _quote_body(rw, unit_price_minor=3850)).status_code == 201
    )
    twice = _post(client, rev, rw.w.owner, _quote_body(rw, unit_price_minor=3800))
    assert twice.status_code == 409 and twice.json()["error"] == "quote_revised_twice"
    # acceptance
    acc = f"{API}/quotes/{qid}/accept"
    assert _post(client, acc, rw.w.owner, {}).status_code == 403
    assert _post(client, acc, rw.w.other_buyer, {}).status_code == 404
    assert _post(client, acc, rw.w.operator, {}).status_code == 403
    nowhere = _post(client, acc, rw.w.buyer, {})
    assert nowhere.status_code == 422 and nowhere.json()["error"] == "ship_to_needed"
    ship = {k: v for k, v in ADDRESS.items() if k != "country"}
    done = _post(client, acc, rw.w.buyer, {"shipping_address": ship})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "accepted" and body["order_number"]
    assert body["versions"][-1]["unit_price_minor"] == 3850
    again = _post(client, acc, rw.w.buyer, {"shipping_address": ship})
    assert again.json()["order_number"] == body["order_number"]
    order = client.get(f"/api/v1/orders/{body['order_number']}", **_h(rw.w.buyer))
    assert order.status_code == 200
    closed = _post(client, f"{API}/rfqs/{rfq_id}/close", rw.w.buyer, {})
    assert closed.status_code == 409 and closed.json()["error"] == "rfq_not_open"


def test_quota_answers_429(client: Client, rw: RfqWorld, settings: Any) -> None:
    settings.FIERA_TRADE_QUOTES_PER_MONTH = 1
    first = _rfq(client, rw).json()["rfq"]["id"]
    second = _rfq(client, rw).json()["rfq"]["id"]
    assert (
        _post(client, f"{API}/rfqs/{first}/quotes", rw.w.owner, _quote_body(rw)).status_code == 201
    )
    refused = _post(
        client, f"{API}/rfqs/{second}/quotes", rw.w.owner, _quote_body(rw), language="it"
    )
    assert refused.status_code == 429 and refused.json()["error"] == "quote_quota"


def test_withdraw_and_decline(client: Client, rw: RfqWorld) -> None:
    rfq_id = _rfq(client, rw).json()["rfq"]["id"]
    qid = _post(client, f"{API}/rfqs/{rfq_id}/quotes", rw.w.owner, _quote_body(rw)).json()["id"]
    assert _post(client, f"{API}/quotes/{qid}/withdraw", rw.w.clerk, {}).status_code == 403
    assert _post(client, f"{API}/quotes/{qid}/decline", rw.w.owner, {}).status_code == 403
    assert (
        _post(client, f"{API}/quotes/{qid}/withdraw", rw.w.owner, {}).json()["status"]
        == "withdrawn"
    )
    late = _post(client, f"{API}/quotes/{qid}/decline", rw.w.buyer, {})
    assert late.status_code == 409
    assert client.get(f"{API}/quotes/{qid}", **_h(rw.w.operator)).status_code == 200


def test_accepting_an_expired_quote_is_a_clear_409(client: Client, rw: RfqWorld) -> None:
    """Past its validity a quote cannot be accepted, even before the expiry job ran: 409
    ``quote_expired`` with a sentence in the reader's language, and no order placed."""
    from fiera.orders.models import Order
    from fiera.trade.models import Quote, QuoteVersion

    rfq_id = _rfq(client, rw).json()["rfq"]["id"]
    qid = _post(client, f"{API}/rfqs/{rfq_id}/quotes", rw.w.owner, _quote_body(rw)).json()["id"]
    past = timezone.now() - timedelta(minutes=1)
    Quote.objects.filter(pk=qid).update(valid_until=past)
    QuoteVersion.objects.filter(quote_id=qid).update(valid_until=past)
    ship = {k: v for k, v in ADDRESS.items() if k != "country"}
    orders = Order.objects.count()
    late = _post(client, f"{API}/quotes/{qid}/accept", rw.w.buyer, {"shipping_address": ship})
    assert late.status_code == 409 and late.json()["error"] == "quote_expired"
    assert "ask the supplier for a new one" in late.json()["detail"]
    italian = _post(
        client,
        f"{API}/quotes/{qid}/accept",
        rw.w.buyer,
        {"shipping_address": ship},
        language="it",
    )
    assert italian.status_code == 409 and "non è più valida" in italian.json()["detail"]
    assert Order.objects.count() == orders
    assert client.get(f"{API}/quotes/{qid}", **_h(rw.w.buyer)).json()["status"] == "submitted"
