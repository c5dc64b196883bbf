"""The checkout's query count does not grow with lines or merchants, and the HTTP request
stays under 20 queries with authentication included (docs/architecture.md hot path 1)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fiera.accounts.roles import SYSTEM
from fiera.accounts.services import token_issue
from fiera.orders import services
from fiera.orders.models import Order
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


def skus(market, count: int, merchants: int):
    makers = [f.merchant() for _ in range(merchants)]
    return [f.sku(market=market, merchant_obj=makers[i % merchants]) for i in range(count)]


def checkout_queries(market, lines, *, key: str | None) -> int:
    buyer = f.user()
    country = market.countries.first().country
    with CaptureQueriesContext(connection) as ctx:
        services.checkout_submit(
            buyer_id=buyer.pk,
            marketplace_slug=market.slug,
            country=country,
            lines=lines,
            shipping_address=f.address(country),
            payment_method="cod",
            idempotency_key=key,
            now=f.NOW,
            actor_role=SYSTEM,
        )
    return len(ctx.captured_queries)


@pytest.mark.parametrize("key", [None, "same-key"])
def test_same_queries_for_1_line_and_20_lines_over_5_merchants(key):
    market = f.marketplace()
    one = skus(market, 1, 1)
    twenty = skus(market, 20, 5)
    q1 = checkout_queries(market, [(one[0].id, 1)], key=key)
    q20 = checkout_queries(market, [(s.id, 2) for s in twenty], key=key)
    assert Order.objects.count() == 1 + 5
    assert q1 == q20
    assert q1 <= 12, q1


def test_cross_border_checkout_adds_two_queries_whatever_the_lines():
    market = f.cross_border_market()
    services.cross_border_rates_load(marketplace_id=market.pk, now=f.NOW)
    one = skus(market, 1, 1)
    twenty = skus(market, 20, 5)
    q1 = checkout_queries(market, [(one[0].id, 1)], key="k")
    q20 = checkout_queries(market, [(s.id, 1) for s in twenty], key="k")
    assert q1 == q20
    assert q1 <= 14, q1


def post_checkout(client, token, market, lines, key):
    body = {
        "marketplace": market.slug,
        "country": "IT",
        "lines": [{"variant_id": v, "quantity": q} for v, q in lines],
        "shipping_address": f.address(),
        "payment_method": "cod",
    }
    return client.post(
        "/api/v1/checkout",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_http_checkout_is_under_20_queries_with_auth_and_constant(client):
    market = f.marketplace()
    one = skus(market, 1, 1)
    twenty = skus(market, 20, 5)
    counts = []
    for lines in ([(one[0].id, 1)], [(s.id, 1) for s in twenty]):
        token = token_issue(user_id=f.user().pk).key
        with CaptureQueriesContext(connection) as ctx:
            response = post_checkout(client, token, market, lines, "http-key")
        assert response.status_code == 201, response.content
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] < 20, counts
