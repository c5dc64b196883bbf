"""The RFQ pages: post an RFQ, the supplier's "RFQs for you" and quote form, the buyer's
quotes side by side with Accept; denials; text escaped; Italian and Chinese."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fiera.orders.models import Order
from fiera.trade.models import Quote, Rfq
from tests.trade.factories import World, business_buyer
from tests.trade.rfq_world import RfqWorld, post, quote, rfq_world
from tests.trade.test_pages import _as

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(world: World) -> RfqWorld:
    return rfq_world(world)


def _live_rfq(rw: RfqWorld) -> int:
    now = timezone.now()
    return int(post(rw, now=now, deadline=now + timedelta(days=10)).rfq.id)


def _live_quote(rw: RfqWorld, rfq_id: int, **extra: Any) -> Any:
    now = timezone.now()
    return quote(rw, rfq_id, now=now, valid_until=now + timedelta(days=20), **extra)


def test_buyer_posts_an_rfq(client: Client, rw: RfqWorld) -> None:
    c = _as(client, rw.w.buyer)
    form = c.get("/trade/rfqs/new")
    assert form.status_code == 200 and "Olive oil" in form.content.decode()
    day = (timezone.now() + timedelta(days=7)).date().isoformat()
    bad = c.post(
        "/trade/rfqs/new",
        {
            "product": "Oil",
            "category_id": rw.food.pk,
            "quantity": "0",
            "unit": "piece",
            "destination_country": "US",
            "deadline": day,
        },
    )
    assert bad.status_code == 422
    done = c.post(
        "/trade/rfqs/new",
        {
            "product": "Oil <b>tins</b>",
            "category_id": rw.food.pk,
            "quantity": "300",
            "unit": "carton",
            "target_price": "39.50",
            "destination_country": "US",
            "deadline": day,
            "description": "Private label",
        },
    )
    assert done.status_code == 302, done.content
    rfq = Rfq.objects.get()
    assert rfq.target_unit_price_minor == 3950
    page = c.get(done["Location"]).content.decode()
    assert "Oil &lt;b&gt;tins&lt;/b&gt;" in page and "<b>tins" not in page
    assert "/trade/rfqs/new" in c.get("/trade/rfqs/").content.decode()
    assert _as(Client(), rw.w.owner).get("/trade/rfqs/new").status_code == 403
    assert Client().get("/trade/rfqs/new").status_code == 302  # to the sign-in


def test_supplier_quotes_and_revises_from_the_page(client: Client, rw: RfqWorld) -> None:
    rfq_id = _live_rfq(rw)
    c = _as(client, rw.w.owner, "it")
    listed = c.get("/trade/rfqs/").content.decode()
    assert f"/trade/rfqs/{rfq_id}/" in listed
    page = c.get(f"/trade/rfqs/{rfq_id}/")
    assert page.status_code == 200 and 'name="variant_id"' in page.content.decode()
    valid = (timezone.now() + timedelta(days=15)).date().isoformat()
    body = {
        "variant_id": rw.variant.pk,
        "unit_price": "40.00",
        "quantity": "5",
        "incoterm": "FOB",
        "incoterm_place": "Genova",
        "payment_terms": "assurance",
        "lead_time_days": "20",
        "valid_until": valid,
    }
    moq = c.post(f"/trade/rfqs/{rfq_id}/quote", body)
    assert moq.status_code == 422 and "10" in moq.content.decode()
    body["quantity"] = "100"
    assert c.post(f"/trade/rfqs/{rfq_id}/quote", body).status_code == 302
    body["unit_price"] = "38.00"
    assert c.post(f"/trade/rfqs/{rfq_id}/quote", body).status_code == 302
    q = Quote.objects.get()
    assert (q.version, q.status) == (2, "revised")
    twice = c.post(f"/trade/rfqs/{rfq_id}/quote", body)
    assert twice.status_code == 409
    # a clerk reads but cannot quote; another merchant and another buyer get 404
    assert _as(Client(), rw.w.clerk).get(f"/trade/rfqs/{rfq_id}/").status_code == 200
    assert _as(Client(), rw.w.clerk).post(f"/trade/rfqs/{rfq_id}/quote", body).status_code == 403
    assert _as(Client(), rw.w.other_buyer).get(f"/trade/rfqs/{rfq_id}/").status_code == 404
    assert _as(Client(), business_buyer()).get(f"/trade/rfqs/{rfq_id}/").status_code == 404


def test_buyer_compares_and_accepts(client: Client, rw: RfqWorld) -> None:
    rfq_id = _live_rfq(rw)
    mine = _live_quote(rw, rfq_id)
    _live_quote(rw, rfq_id, user=rw.w.other_owner, variant_id=rw.other_variant.pk, quantity=3)
    c = _as(client, rw.w.buyer, "zh-hans")
    html = c.get(f"/trade/rfqs/{rfq_id}/").content.decode()
    assert (
        html.count('class="card quote') == 2
        and "Lanificio Blu" in html
        and "Oleificio Rossi" in html
    )
    # the supplier sees only its own quote
    theirs = _as(Client(), rw.w.owner).get(f"/trade/rfqs/{rfq_id}/").content.decode()
    assert "Lanificio Blu" not in theirs
    assert _as(Client(), rw.w.owner).post(f"/trade/quotes/{mine.id}/accept").status_code == 403
    done = c.post(
        f"/trade/quotes/{mine.id}/accept",
        {"name": "Acme", "line1": "1 Main St", "city": "Boston", "postal_code": "02110"},
    )
    assert done.status_code == 302
    order = Order.objects.get()
    assert order.quote_ref and order.incoterm == "FOB"
    after = c.get(f"/trade/rfqs/{rfq_id}/").content.decode()
    assert order.number in after
    assert (
        _as(Client(), rw.w.other_buyer).post(f"/trade/quotes/{mine.id}/accept").status_code == 404
    )


def test_operator_reads_all(client: Client, rw: RfqWorld) -> None:
    rfq_id = _live_rfq(rw)
    c = _as(client, rw.w.operator)
    assert f"/trade/rfqs/{rfq_id}/" in c.get("/trade/rfqs/").content.decode()
    assert c.get(f"/trade/rfqs/{rfq_id}/").status_code == 200
    assert c.post(f"/trade/rfqs/{rfq_id}/close").status_code == 302  # refused, with a message
    assert Rfq.objects.get().status == "open"


def test_admin_lists_rfqs_and_quotes(client: Client, rw: RfqWorld) -> None:
    rfq_id = _live_rfq(rw)
    q = _live_quote(rw, rfq_id)
    client.force_login(f_user_operator())
    for path in (
        "/admin/trade/rfq/",
        f"/admin/trade/rfq/{rfq_id}/change/",
        "/admin/trade/quote/",
        f"/admin/trade/quote/{q.id}/change/",
    ):
        assert client.get(path).status_code == 200, path


def f_user_operator() -> Any:
    from tests.catalog import factories as f

    return f.user("operator", is_superuser=True, is_staff=True)


def test_rfq_and_quote_texts_are_plain_text_for_every_reader(client: Client, rw: RfqWorld) -> None:
    """What a buyer writes in an RFQ and a supplier in a quote's note is shown as text on
    every page that shows it: the buyer's list and RFQ, the supplier's list and RFQ, the
    operators' view."""
    now = timezone.now()
    rfq_id = int(
        post(
            rw,
            now=now,
            deadline=now + timedelta(days=10),
            product="Tins <script>alert(1)</script>",
            description="Private label <img src=x onerror=alert(2)>",
        ).rfq.id
    )
    _live_quote(rw, rfq_id, note="Price <b>firm</b> until May")
    readers = (rw.w.buyer, rw.w.clerk, rw.w.operator)
    for user in readers:
        c = _as(client, user)
        for url in ("/trade/rfqs/", f"/trade/rfqs/{rfq_id}/"):
            html = c.get(url).content.decode()
            for raw in ("<script>alert(1)", "<img src=x", "<b>firm"):
                assert raw not in html, (user.username, url, raw)
        page = c.get(f"/trade/rfqs/{rfq_id}/").content.decode()
        assert "Tins &lt;script&gt;alert(1)&lt;/script&gt;" in page, user.username
        assert "&lt;img src=x onerror=alert(2)&gt;" in page, user.username
        assert "Price &lt;b&gt;firm&lt;/b&gt; until May" in page, user.username
