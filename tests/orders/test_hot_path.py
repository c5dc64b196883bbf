"""The lean checkout path (docs/architecture.md hot path 1) says the same as the generic code it
replaces: the hand-built JSON equals what ``CheckoutOut`` serializes to, the fast money
text equals Babel's, the raw outbox row is relayed like ``events.publish``'s."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from ninja.responses import NinjaJSONEncoder

from fiera.accounts.roles import SYSTEM
from fiera.accounts.services import token_issue
from fiera.common import events
from fiera.common.models import OutboxDelivery, OutboxMessage
from fiera.common.money import Money
from fiera.orders import services
from fiera.orders.models import Order
from fiera.orders.schemas import CheckoutOut, checkout_json, money_formatted
from tests.orders import factories as f

NOW_WITH_MICROSECONDS = datetime(2026, 3, 10, 9, 30, 15, 123456, tzinfo=UTC)


def ninja_json(result: services.CheckoutResult) -> object:
    """What django-ninja answers for ``CheckoutOut.of(result)`` (validate, dump, encode)."""
    return json.loads(json.dumps(CheckoutOut.of(result).model_dump(), cls=NinjaJSONEncoder))


def place(market, buyer, lines, country="IT", now=f.NOW, key=None):
    return services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country=country,
        lines=lines,
        shipping_address=f.address(country),
        payment_method="cod",
        idempotency_key=key,
        now=now,
        actor_role=SYSTEM,
    )


@pytest.mark.django_db
def test_checkout_json_is_what_the_schema_serializes_to_for_many_merchants():
    market = f.marketplace()
    makers = [f.merchant() for _ in range(3)]
    items = [
        f.sku(market=market, merchant_obj=makers[n % 3], price_minor=1000 + 37 * n)
        for n in range(7)
    ]
    result = place(
        market,
        f.user(),
        [(s.id, 1 + n % 3) for n, s in enumerate(items)],
        now=NOW_WITH_MICROSECONDS,
    )
    assert len(result.orders) == 3
    body = checkout_json(result)
    assert body == ninja_json(result)
    CheckoutOut.model_validate(body)  # and the schema accepts it back
    assert body["placed_at"] == "2026-03-10T09:30:15.123Z"


@pytest.mark.django_db
def test_checkout_json_with_cross_border_tax_and_replay():
    market = f.cross_border_market()
    services.cross_border_rates_load(marketplace_id=market.pk, now=f.NOW)
    item = f.sku(market=market, price_minor=12_345, hs_code="330499")
    buyer = f.user()
    result = place(market, buyer, [(item.id, 2)], country="CN", key="tax-1")
    assert result.tax_minor > 0
    assert checkout_json(result) == ninja_json(result)
    replay = place(market, buyer, [(item.id, 2)], country="CN", key="tax-1")
    assert replay.replayed
    assert checkout_json(replay) == checkout_json(result)


@pytest.mark.django_db
def test_the_http_answer_is_the_schema_and_keeps_the_query_count(client):
    market = f.marketplace()
    item = f.sku(market=market, price_minor=2599)
    token = token_issue(user_id=f.user().pk).key
    body = {
        "marketplace": market.slug,
        "country": "IT",
        "lines": [{"variant_id": item.id, "quantity": 3}],
        "shipping_address": f.address(),
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/checkout",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY="http-1",
        )
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    answer = response.json()
    CheckoutOut.model_validate(answer)
    assert answer["total"] == {"amount_minor": 7797, "currency": "EUR", "formatted": "€77.97"}
    # token, marketplace, idempotency, prices, then checkout, orders, idempotency record,
    # outbox, stock, lines in one transaction (+ BEGIN/COMMIT or savepoints)
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    statements = [q for q in queries.captured_queries if not q["sql"].startswith(control)]
    assert len(statements) == 10, [q["sql"][:60] for q in statements]


CURRENCIES = ["EUR", "USD", "CNY", "JPY", "BHD", "CHF", "GBP", "INR", "KRW", "CLF"]
LOCALES = ["en", "it", "zh-hans", "de", "fr", "es", "hi", "ar", "ja", "pt-BR"]


@given(
    amount=st.one_of(
        st.integers(min_value=0, max_value=10**15),
        st.integers(min_value=-(10**9), max_value=-1),
        st.sampled_from([0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 123_456_789]),
    ),
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(LOCALES),
)
def test_fast_money_text_is_babels(amount, currency, locale):
    assert money_formatted(amount, currency, locale) == Money(amount, currency).format(locale)


@pytest.mark.django_db(transaction=True)
def test_the_checkout_event_is_relayed_after_commit_with_the_order_ids():
    received: list[dict[str, object]] = []
    topic = "orders.checkout.placed"
    before = list(events._subscribers.get(topic, ()))  # the order mails listen too
    events.subscribe(topic, name="tests.checkout")(lambda event: received.append(event.payload))
    try:
        market = f.marketplace()
        makers = [f.merchant(), f.merchant()]
        items = [f.sku(market=market, merchant_obj=m, stock=1) for m in makers]
        result = place(market, f.user(), [(s.id, 1) for s in items])
        (payload,) = received
        assert payload["checkout_id"] == result.checkout_id
        ids = dict(Order.objects.values_list("number", "pk"))
        assert {o["number"]: o["order_id"] for o in payload["orders"]} == ids  # type: ignore[union-attr]
        assert OutboxMessage.objects.get(topic=topic).dispatched_at is not None
        delivery = OutboxDelivery.objects.get(message__topic=topic, subscriber="tests.checkout")
        assert delivery.status == "delivered"

        with pytest.raises(services.OutOfStock), transaction.atomic():
            place(market, f.user(), [(items[0].id, 1)])
        assert len(received) == 1  # a refused checkout publishes nothing
        assert OutboxMessage.objects.filter(topic=topic).count() == 1
    finally:
        events._subscribers[topic] = before  # only this test's subscriber goes
