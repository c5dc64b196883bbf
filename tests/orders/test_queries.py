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


# --- the wallet-paid checkout (docs/decisions/0012-lean-wallet-checkout.md) ----------------


def wallet_checkout(market, lines, *, key: str | None, currency: str, country: str):
    """A wallet checkout by a new funded buyer; the captured statements."""
    from tests.payments.factories import funded_wallet

    buyer = f.user()
    funded_wallet(buyer, 10_000_000, currency=currency, now=f.NOW)
    with CaptureQueriesContext(connection) as ctx:
        result = services.checkout_submit(
            buyer_id=buyer.pk,
            marketplace_slug=market.slug,
            country=country,
            lines=lines,
            shipping_address=f.address(country),
            payment_method="wallet",
            idempotency_key=key,
            now=f.NOW,
            actor_role=SYSTEM,
        )
    assert {order.status for order in result.orders} == {"paid"}
    return [q["sql"] for q in ctx.captured_queries]


def registered_skus(market, count: int, merchants: int):
    """SKUs of new merchants whose payable was opened as registration opens it
    (``merchants.merchant.registered``): their first wallet sale is measured."""
    from fiera.payments.services import merchant_payable_open

    makers = [f.merchant() for _ in range(merchants)]
    for maker in makers:
        merchant_payable_open(merchant_id=maker.pk)
    return [f.sku(market=market, merchant_obj=makers[i % merchants]) for i in range(count)]


@pytest.mark.parametrize("key", [None, "same-key"])
@pytest.mark.parametrize(("currency", "country"), [("EUR", "IT"), ("CNY", "CN")])
def test_wallet_checkout_statements_1_line_and_20_lines_first_sales_included(
    key, currency, country
):
    from tests.payments.factories import make_rates

    make_rates(on=f.NOW.date())
    market = (
        f.marketplace()
        if currency == "EUR"
        else f.marketplace(countries={"CN": "CNY"}, default_currency="CNY")
    )
    warm = registered_skus(market, 1, 1)  # the day's FX terms are cached by the first
    wallet_checkout(market, [(warm[0].id, 1)], key=None, currency=currency, country=country)
    one = registered_skus(market, 1, 1)
    twenty = registered_skus(market, 20, 5)
    q1 = wallet_checkout(market, [(one[0].id, 1)], key=key, currency=currency, country=country)
    q20 = wallet_checkout(
        market, [(s.id, 2) for s in twenty], key=key, currency=currency, country=country
    )
    assert len(q1) == len(q20), (q1, q20)
    assert len(q1) <= 15, "\n".join(q1)
    for statements in (q1, q20):
        text = [s.lower() for s in statements]
        # Stock first, ledger after: the hot stock row is taken before any ledger row.
        stock = next(i for i, s in enumerate(text) if s.startswith("with") and "stocklevel" in s)
        ledger = [i for i, s in enumerate(text) if "ledger_" in s]
        assert ledger and min(ledger) > stock
        # The only ledger row written is the buyer's own wallet; nothing is locked FOR UPDATE.
        assert not any("for update" in s for s in text)
        updates = [s for s in text if s.startswith("update") and "ledger_account" in s]
        assert len(updates) == 1 and "where code = 'wallet'" in updates[0]


def test_a_merchant_without_an_open_payable_is_paid_all_the_same():
    """A merchant that never registered through ``merchant_register`` (no payable yet):
    the checkout opens it on its failure path and the payment lands."""
    from tests.payments.factories import merchant_balance

    market = f.marketplace()
    [item] = skus(market, 1, 1)
    statements = wallet_checkout(market, [(item.id, 1)], key=None, currency="EUR", country="IT")
    assert len(statements) > 15  # the one-off cost of opening the account
    order = Order.objects.get(merchant_id=item.merchant.pk)
    assert order.status == "paid" and merchant_balance(item.merchant.pk) == order.total_minor


# --- listing terms ---


def test_a_b2b_checkout_with_samples_and_terms_costs_the_storefront_statements():
    """Listing terms and sample prices come with the query that prices the variants: a B2B
    order with a sample line beside a normal line (terms snapshotted) takes as many
    statements as a storefront order of one line."""
    from fiera.catalog.models import Product, Variant

    shop = f.marketplace()
    q_shop = checkout_queries(shop, [(skus(shop, 1, 1)[0].id, 1)], key=None)
    trade = f.marketplace(kind="b2b_trade", countries={"US": "USD"}, default_currency="USD")
    items = skus(trade, 4, 2)
    Product.objects.filter(pk__in=[s.product.pk for s in items]).update(
        incoterm="FOB", incoterm_place="Genova", payment_terms="assurance", lead_time_days=10
    )
    Variant.objects.filter(pk__in=[s.id for s in items]).update(
        sample_units=2, sample_price_minor=500, sample_currency="USD"
    )
    buyer = f.user()
    with CaptureQueriesContext(connection) as ctx:
        result = services.checkout_submit(
            buyer_id=buyer.pk,
            marketplace_slug=trade.slug,
            country="US",
            lines=[(s.id, 3) for s in items],
            samples=[(s.id, 1) for s in items],
            shipping_address=f.address("US"),
            payment_method="cod",
            now=f.NOW,
            actor_role=SYSTEM,
        )
    assert len(ctx.captured_queries) == q_shop
    orders = Order.objects.filter(pk__in=[o.order_id for o in result.orders])
    assert {(o.incoterm, o.lead_time_days) for o in orders} == {("FOB", 10)}
    assert sum(len(o.lines) for o in result.orders) == 8
