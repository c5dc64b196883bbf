"""The trade events for analytics: each published once, in the transaction of its change,
with ids, country codes, minor units and currency, and the time; nothing on a refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from fiera.common.models import OutboxMessage
from fiera.orders.models import Order
from fiera.trade import events, services
from fiera.trade.models import Inquiry, Rfq
from tests.trade.factories import NOW, World, inquire
from tests.trade.rfq_world import ADDRESS, RfqWorld, post, quote, rfq_world

pytestmark = pytest.mark.django_db


def sent(topic: str) -> list[dict[str, Any]]:
    return [m.payload for m in OutboxMessage.objects.filter(topic=topic).order_by("id")]


@pytest.fixture
def rw(world: World) -> RfqWorld:
    return rfq_world(world)


def company(world: World, code: str = "DE") -> int:
    return services.company_create(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        legal_name="Acme Import GmbH",
        country_code=code,
        registration_number="DE123456789",
        now=NOW,
    ).id


def test_a_new_inquiry_publishes_one_event_and_a_reply_none(world: World) -> None:
    company_id = company(world)
    thread = inquire(world)
    services.inquiry_reply(
        actor_id=world.owner.pk,
        actor_role="merchant",
        inquiry_id=thread.inquiry.id,
        body="Our best price is 38 USD.",
        now=NOW + timedelta(minutes=5),
    )
    services.inquiry_reply(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        inquiry_id=thread.inquiry.id,
        body="Thanks.",
        now=NOW + timedelta(minutes=9),
    )
    assert sent(events.INQUIRY_SENT) == [
        {
            "marketplace_id": world.market.pk,
            "buyer_id": world.buyer.pk,
            "company_id": company_id,
            "buyer_country": "DE",
            "inquiry_id": thread.inquiry.id,
            "merchant_id": world.supplier.pk,
            "merchant_country": "IT",
            "region": "IT-25",
            "product_id": world.product.pk,
            "quantity": 2000,
            "sent_at": NOW.isoformat(),
        }
    ]
    message = OutboxMessage.objects.get(topic=events.INQUIRY_SENT)
    assert message.created_at == NOW


def test_without_a_company_the_buyer_country_is_the_account_country(world: World) -> None:
    world.other_buyer.country = "US"
    world.other_buyer.save(update_fields=["country"])
    inquire(world, buyer=world.other_buyer)
    inquire(world)  # no company, no country on the account
    assert [p["buyer_country"] for p in sent(events.INQUIRY_SENT)] == ["US", ""]
    assert [p["company_id"] for p in sent(events.INQUIRY_SENT)] == [None, None]


def test_a_refused_inquiry_publishes_nothing(world: World) -> None:
    with pytest.raises(services.TextEmpty):
        inquire(world, message="   ")
    with pytest.raises(services.SupplierNotFound):
        inquire(world, merchant_id=world.supplier.pk + 999, product_id=None)
    assert sent(events.INQUIRY_SENT) == []


def test_the_event_lives_and_dies_with_the_transaction(world: World) -> None:
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        inquire(world)
        assert len(sent(events.INQUIRY_SENT)) == 1  # inside: written with the inquiry
        raise Undo
    assert not Inquiry.objects.exists()
    assert sent(events.INQUIRY_SENT) == []


def test_rfq_quote_and_deal_events(rw: RfqWorld) -> None:
    company_id = company(rw.w, "US")
    rfq_id = post(rw).rfq.id
    [posted] = sent(events.RFQ_POSTED)
    assert posted == {
        "marketplace_id": rw.w.market.pk,
        "buyer_id": rw.w.buyer.pk,
        "company_id": company_id,
        "buyer_country": "US",
        "rfq_id": rfq_id,
        "category_id": rw.food.pk,
        "destination_country": "US",
        "quantity": 200,
        "unit": "piece",
        "currency": "USD",
        "target_unit_price_minor": 3900,
        "matched": 2,
        "posted_at": NOW.isoformat(),
    }
    q = quote(rw, rfq_id)
    later = NOW + timedelta(hours=2)
    services.quote_revise(
        actor_id=rw.w.owner.pk,
        actor_role="merchant",
        quote_id=q.id,
        variant_id=rw.variant.pk,
        unit_price_minor=3950,
        quantity=200,
        incoterm="FOB",
        incoterm_place="Genova",
        payment_terms="assurance",
        lead_time_days=21,
        valid_until=NOW + timedelta(days=30),
        now=later,
    )
    [quoted] = sent(events.QUOTE_SENT)  # the revision publishes nothing
    assert quoted == {
        "marketplace_id": rw.w.market.pk,
        "buyer_id": rw.w.buyer.pk,
        "company_id": company_id,
        "buyer_country": "US",
        "quote_id": q.id,
        "rfq_id": rfq_id,
        "merchant_id": rw.w.supplier.pk,
        "merchant_country": "IT",
        "region": "IT-25",
        "currency": "USD",
        "unit_price_minor": 4000,
        "quantity": 200,
        "value_minor": 800_000,
        "sent_at": NOW.isoformat(),
    }
    with pytest.raises(services.ShipToNeeded):  # refused: no deal
        services.quote_accept(actor_id=rw.w.buyer.pk, actor_role="buyer", quote_id=q.id, now=later)
    assert sent(events.QUOTE_ACCEPTED) == []
    done = services.quote_accept(
        actor_id=rw.w.buyer.pk,
        actor_role="buyer",
        quote_id=q.id,
        shipping_address=ADDRESS,
        now=later,
    )
    services.quote_accept(  # idempotent: the same deal, no second event
        actor_id=rw.w.buyer.pk, actor_role="buyer", quote_id=q.id, now=later
    )
    order = Order.objects.get(number=done.order_number)
    assert sent(events.QUOTE_ACCEPTED) == [
        {
            "marketplace_id": rw.w.market.pk,
            "buyer_id": rw.w.buyer.pk,
            "company_id": company_id,
            "buyer_country": "US",
            "quote_id": q.id,
            "rfq_id": rfq_id,
            "merchant_id": rw.w.supplier.pk,
            "merchant_country": "IT",
            "region": "IT-25",
            "order_id": order.pk,
            "order_number": order.number,
            "currency": "USD",
            "value_minor": 3950 * 200,
            "accepted_at": later.isoformat(),
        }
    ]
    assert order.total_minor == 3950 * 200


def test_refused_rfqs_and_quotes_publish_nothing(rw: RfqWorld) -> None:
    with pytest.raises(services.DeadlineRefused):
        post(rw, deadline=NOW + timedelta(minutes=5))
    assert sent(events.RFQ_POSTED) == [] and not Rfq.objects.exists()
    rfq_id = post(rw).rfq.id
    with pytest.raises(services.MoqNotMet):
        quote(rw, rfq_id, quantity=5)
    with pytest.raises(services.QuoteNeedsManager):
        quote(rw, rfq_id, user=rw.w.clerk)
    quote(rw, rfq_id)
    with pytest.raises(services.QuoteExists):
        quote(rw, rfq_id)
    assert len(sent(events.QUOTE_SENT)) == 1
