"""Trade assurance pages: the buyer's order page (held payment, confirm receipt, open a
dispute), the console order page, the assurance page with the thread and evidence, the
operator's queue with the decision form; denials; Italian and Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from fiera.trade.models import Dispute
from tests.trade.assurance_world import World, make_world, place, ship
from tests.trade.factories import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def _shipped(world: World):
    now = timezone.now()
    order = place(world, at=now - timedelta(days=3))
    ship(world, order, at=now - timedelta(days=2))
    return order


def _as(client: Client, user, language: str = "en") -> Client:
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_buyer_order_page_and_confirm(client: Client, world: World) -> None:
    order = _shipped(world)
    page = _as(client, world.buyer).get(f"/account/orders/{order.number}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Payment held by trade assurance" in html
    assert 'id="confirm-receipt"' in html and 'id="open-dispute"' in html
    done = client.post(f"/trade/orders/{order.number}/confirm-receipt", follow=True)
    assert "Payment released to the supplier" in done.content.decode()
    assert 'id="confirm-receipt"' not in done.content.decode()


def test_console_order_page_shows_the_escrow(client: Client, world: World) -> None:
    order = _shipped(world)
    page = _as(client, world.clerk).get(f"/console/orders/{order.number}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Payment held by trade assurance" in html
    assert 'id="confirm-receipt"' not in html
    assert f"/trade/orders/{order.number}/assurance/" in html


def test_dispute_pages(client: Client, world: World) -> None:
    order = _shipped(world)
    buyer = _as(client, world.buyer)
    page = buyer.get(f"/trade/orders/{order.number}/assurance/")
    assert page.status_code == 200 and 'name="statement"' in page.content.decode()
    opened = buyer.post(
        f"/trade/orders/{order.number}/dispute",
        {"reason": "damaged", "statement": "Broken <script>alert(1)</script>"},
        follow=True,
    )
    html = opened.content.decode()
    assert "Broken &lt;script&gt;" in html and "<script>alert(1)" not in html
    dispute = Dispute.objects.get()
    sent = buyer.post(
        f"/trade/disputes/{dispute.pk}/messages",
        {"body": "Photos", "evidence": SimpleUploadedFile("proof.pdf", PDF)},
        follow=True,
    )
    assert "proof" in sent.content.decode()
    message = dispute.messages.get()
    evidence_url = f"/trade/disputes/{dispute.pk}/evidence/{message.pk}"
    got = buyer.get(evidence_url)
    assert (
        got.status_code == 200 and got.content == PDF and got["Content-Type"] == "application/pdf"
    )
    # the dispute's thread on the buyer's order page and on the console's
    mine = buyer.get(f"/account/orders/{order.number}/").content.decode()
    assert 'class="dispute-panel"' in mine and "Broken &lt;script&gt;" in mine
    assert evidence_url in mine
    console = Client()
    _as(console, world.clerk)
    shown = console.get(f"/console/orders/{order.number}/").content.decode()
    assert 'class="dispute-panel"' in shown and "Photos" in shown
    blocked = buyer.post(f"/trade/orders/{order.number}/confirm-receipt", follow=True)
    assert "A dispute is open on this order" in blocked.content.decode()
    # strangers
    stranger = Client()
    _as(stranger, world.other_buyer)
    assert stranger.get(f"/trade/orders/{order.number}/assurance/").status_code == 404
    assert stranger.get(evidence_url).status_code == 404
    assert stranger.get("/trade/disputes/").status_code == 200
    assert order.number not in stranger.get("/trade/disputes/").content.decode()
    other_shop = Client()
    _as(other_shop, world.other_owner)
    assert other_shop.get(f"/trade/orders/{order.number}/assurance/").status_code == 404
    assert Client().get(f"/trade/orders/{order.number}/assurance/").status_code == 302
    # the supplier answers and cannot decide
    supplier = Client()
    _as(supplier, world.owner)
    assert supplier.get(evidence_url).status_code == 200
    refused = supplier.post(
        f"/trade/disputes/{dispute.pk}/decision", {"outcome": "rejected", "reason": "no"}
    )
    assert refused.status_code == 403
    # the operator's queue and decision
    operator = Client()
    _as(operator, world.operator)
    queue = operator.get("/trade/disputes/?status=open").content.decode()
    assert "Dispute queue" in queue and order.number in queue and 'name="outcome"' in queue
    decided = operator.post(
        f"/trade/disputes/{dispute.pk}/decision",
        {"outcome": "upheld", "reason": "The photos show it.", "next": "queue"},
        follow=True,
    )
    assert "The dispute is decided." in decided.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == "upheld"
    after = buyer.get(f"/trade/orders/{order.number}/assurance/").content.decode()
    assert "Payment refunded to the buyer" in after and "The photos show it." in after


@pytest.mark.parametrize(
    ("language", "held"),
    [("it", "Pagamento trattenuto dalla garanzia commerciale"), ("zh-hans", "交易担保托管货款")],
)
def test_pages_in_italian_and_chinese(
    client: Client, world: World, language: str, held: str
) -> None:
    order = _shipped(world)
    html = (
        _as(client, world.buyer, language).get(f"/account/orders/{order.number}/").content.decode()
    )
    assert held in html
    page = client.get(f"/trade/orders/{order.number}/assurance/").content.decode()
    assert "Open a dispute" not in page and "Confirm receipt" not in page


def test_checkout_page_offers_trade_assurance_on_b2b_only(client: Client, world: World) -> None:
    buyer = _as(client, world.buyer)
    for market, item in ((world.market, world.item), (world.shop, world.shop_item)):
        buyer.post(f"/m/{market.slug}/cart/add", {"variant_id": item.id, "quantity": "1"})
    b2b = buyer.get(f"/m/{world.market.slug}/checkout/").content.decode()
    assert 'value="assurance"' in b2b and "your payment is held" in b2b
    shop = buyer.get(f"/m/{world.shop.slug}/checkout/").content.decode()
    assert 'value="wallet"' in shop and 'value="assurance"' not in shop


def test_operators_read_disputes_in_the_admin(client: Client, world: World) -> None:
    from tests.orders import factories as f

    order = _shipped(world)
    buyer = Client()
    _as(buyer, world.buyer).post(
        f"/trade/orders/{order.number}/dispute", {"reason": "other", "statement": "Late"}
    )
    dispute = Dispute.objects.get()
    admin = f.user(role="operator")
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/trade/dispute/").status_code == 200
    assert client.get(f"/admin/trade/dispute/{dispute.pk}/change/").status_code == 200
    assert client.get("/admin/trade/dispute/add/").status_code == 403
