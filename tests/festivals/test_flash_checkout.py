"""Buying at festival prices and in flash sales through THE checkout
(``orders.services.checkout_submit``): prices, every refusal, the per-buyer limit, units
given back on cancel, the idempotent retry, and the statement counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fiera.accounts.roles import BUYER, SYSTEM
from fiera.common.errors import DomainError
from fiera.festivals import offers
from fiera.festivals.models import (
    Festival,
    FestivalPrice,
    FlashSale,
    FlashSaleBucket,
    FlashSaleBuyer,
)
from fiera.orders import services
from fiera.orders.models import Order, OrderLine
from tests.orders import factories as f

pytestmark = pytest.mark.django_db

NOW = f.NOW
HOUR = timedelta(hours=1)


def festival(market, *, starts=NOW - HOUR, ends=NOW + 24 * HOUR, published=True) -> Festival:
    fest = Festival.objects.create(
        slug=f"fest-{Festival.objects.count() + 1}-{market.pk}",
        name="11.11",
        warmup_starts_at=starts - 24 * HOUR,
        starts_at=starts,
        ends_at=ends,
        is_published=published,
        created_at=NOW - 48 * HOUR,
    )
    fest.marketplaces.add(market)
    return fest


def festival_price(fest: Festival, item, price_minor: int, currency: str = "EUR") -> None:
    FestivalPrice.objects.create(
        merchant=item.merchant,
        festival=fest,
        variant=item.variant,
        currency=currency,
        price_minor=price_minor,
        created_at=NOW - 48 * HOUR,
    )


def flash_sale(
    fest: Festival,
    item,
    *,
    price_minor: int = 500,
    quantity: int = 10,
    limit: int = 2,
    buckets: int = 1,
    starts=NOW - HOUR,
    ends=NOW + HOUR,
    closed_at=None,
    currency: str = "EUR",
) -> FlashSale:
    sale = FlashSale.objects.create(
        merchant=item.merchant,
        festival=fest,
        variant=item.variant,
        warehouse=item.warehouse,
        currency=currency,
        price_minor=price_minor,
        quantity=quantity,
        per_buyer_limit=limit,
        bucket_count=buckets,
        starts_at=starts,
        ends_at=ends,
        created_at=NOW - 48 * HOUR,
        closed_at=closed_at,
    )
    FlashSaleBucket.objects.bulk_create(
        FlashSaleBucket(
            merchant=item.merchant,
            flash_sale=sale,
            number=n,
            units_left=quantity // buckets + (1 if n < quantity % buckets else 0),
        )
        for n in range(buckets)
    )
    return sale


def buy(market, buyer, lines, *, now=NOW, key=None, method="cod", expected=None, named=None):
    return services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country="IT",
        lines=lines,
        shipping_address=f.address(),
        payment_method=method,
        idempotency_key=key,
        now=now,
        actor_role=SYSTEM,
        expected_prices=expected,
        flash_sale_ids=named,
    )


def units_left(sale: FlashSale) -> int:
    return sum(FlashSaleBucket.objects.filter(flash_sale=sale).values_list("units_left", flat=True))


def held(sale: FlashSale, buyer) -> int:
    row = FlashSaleBuyer.objects.filter(flash_sale=sale, buyer=buyer).first()
    return 0 if row is None else row.units


# prices -------------------------------------------------------------------------------


def test_festival_price_replaces_the_list_price_while_the_festival_runs_and_takes_stock():
    market = f.marketplace()
    item = f.sku(market=market, price_minor=1000, stock=5)
    festival_price(festival(market), item, 800)
    result = buy(market, f.user(), [(item.id, 2)])
    line = result.orders[0].lines[0]
    assert (line.unit_price_minor, line.line_total_minor) == (800, 1600)
    stored = OrderLine.objects.get()
    assert (stored.price_kind, stored.flash_sale_id, stored.unit_price_minor) == (
        "festival",
        None,
        800,
    )
    assert item.stock() == 3


@pytest.mark.parametrize(
    "when, published", [(NOW - 2 * HOUR, True), (NOW + 25 * HOUR, True), (NOW, False)]
)
def test_list_price_before_and_after_the_festival_and_when_unpublished(when, published):
    market = f.marketplace()
    item = f.sku(market=market, price_minor=1000)
    festival_price(festival(market, published=published), item, 800)
    result = buy(market, f.user(), [(item.id, 1)], now=when)
    assert result.orders[0].lines[0].unit_price_minor == 1000
    assert OrderLine.objects.get().price_kind == "list"


def test_festival_price_only_on_the_festivals_marketplaces():
    market, other = f.marketplace(), f.marketplace()
    item = f.sku(market=market, price_minor=1000)
    festival_price(festival(other), item, 800)
    assert buy(market, f.user(), [(item.id, 1)]).orders[0].lines[0].unit_price_minor == 1000


def test_flash_line_takes_units_from_the_buckets_not_from_the_stock():
    market = f.marketplace()
    item = f.sku(market=market, price_minor=1000, stock=7)
    fest = festival(market)
    festival_price(fest, item, 800)
    sale = flash_sale(fest, item, price_minor=500, quantity=12, limit=3, buckets=4)
    buyer = f.user()
    result = buy(market, buyer, [(item.id, 3)], named={item.id: sale.pk})
    assert result.orders[0].lines[0].unit_price_minor == 500
    line = OrderLine.objects.get()
    assert (line.price_kind, line.flash_sale_id, line.warehouse_id) == (
        "flash",
        sale.pk,
        item.warehouse.pk,
    )
    assert item.stock() == 7
    assert units_left(sale) == 9
    assert held(sale, buyer) == 3
    # the buyer's bucket (buyer_id % 4) was taken from
    bucket = FlashSaleBucket.objects.get(flash_sale=sale, number=buyer.pk % 4)
    assert bucket.units_sold == 3


def test_a_live_flash_sale_prices_the_variant_without_being_named():
    market = f.marketplace()
    item = f.sku(market=market, price_minor=1000, stock=7)
    sale = flash_sale(festival(market), item, price_minor=500, quantity=10)
    buy(market, f.user(), [(item.id, 1)])
    assert OrderLine.objects.get().flash_sale_id == sale.pk
    assert units_left(sale) == 9


def test_a_sold_out_flash_sale_not_named_falls_back_to_the_festival_price():
    market = f.marketplace()
    item = f.sku(market=market, price_minor=1000, stock=7)
    fest = festival(market)
    festival_price(fest, item, 800)
    sale = flash_sale(fest, item, quantity=1)
    FlashSaleBucket.objects.filter(flash_sale=sale).update(units_left=0, units_sold=1)
    buy(market, f.user(), [(item.id, 1)])
    assert OrderLine.objects.get().price_kind == "festival"
    assert item.stock() == 6


def test_the_next_bucket_serves_when_the_buyers_bucket_is_empty():
    market = f.marketplace()
    item = f.sku(market=market)
    sale = flash_sale(festival(market), item, quantity=4, buckets=2, limit=2)
    buyer = f.user()
    FlashSaleBucket.objects.filter(flash_sale=sale, number=buyer.pk % 2).update(
        units_left=0, units_sold=2
    )
    buy(market, buyer, [(item.id, 2)], named={item.id: sale.pk})
    assert units_left(sale) == 0
    assert FlashSaleBucket.objects.get(flash_sale=sale, number=(buyer.pk + 1) % 2).units_sold == 2


def test_the_quote_shows_the_festival_price():
    from fiera.orders.selectors import checkout_quote

    market = f.marketplace()
    item = f.sku(market=market, price_minor=1000)
    festival_price(festival(market), item, 800)
    quote = checkout_quote(
        buyer_id=f.user().pk,
        marketplace_slug=market.slug,
        country="IT",
        lines=[(item.id, 1)],
        now=NOW,
    )
    assert quote.groups[0].lines[0].unit_price_minor == 800


# refusals -----------------------------------------------------------------------------


def refused(market, buyer, lines, **kwargs) -> DomainError:
    orders_before = Order.objects.count()
    with pytest.raises(DomainError) as excinfo:
        buy(market, buyer, lines, **kwargs)
    assert Order.objects.count() == orders_before
    assert excinfo.value.status == 409
    return excinfo.value


def test_a_changed_price_is_refused_with_the_old_and_new_price_and_nothing_written():
    market = f.marketplace()
    item = f.sku(market=market, price_minor=1000, stock=5)
    festival_price(festival(market), item, 800)
    error = refused(market, f.user(), [(item.id, 1)], expected={item.id: 1000})
    assert error.code == "price_changed"
    assert error.params["old_price_minor"] == 1000
    assert error.params["new_price_minor"] == 800
    assert "8,00" in str(error.message()) or "8.00" in str(error.message())
    assert item.stock() == 5
    assert buy(market, f.user(), [(item.id, 1)], expected={item.id: 800}).total_minor == 800


def test_flash_sale_before_its_start_says_when_it_starts():
    market = f.marketplace()
    item = f.sku(market=market)
    sale = flash_sale(festival(market), item, starts=NOW + HOUR, ends=NOW + 2 * HOUR)
    error = refused(market, f.user(), [(item.id, 1)], named={item.id: sale.pk})
    assert error.code == "flash_sale_not_started"
    assert error.params["starts_at"] == (NOW + HOUR).isoformat()
    assert units_left(sale) == 10


@pytest.mark.parametrize("closed", [False, True])
def test_flash_sale_after_its_end_or_closed_is_refused(closed):
    market = f.marketplace()
    item = f.sku(market=market)
    if closed:
        sale = flash_sale(festival(market), item, closed_at=NOW - HOUR)
    else:
        sale = flash_sale(festival(market), item, starts=NOW - 3 * HOUR, ends=NOW - HOUR)
    error = refused(market, f.user(), [(item.id, 1)], named={item.id: sale.pk})
    assert error.code == "flash_sale_ended"


def test_flash_sale_refused_when_no_festival_is_near():
    market = f.marketplace()
    item = f.sku(market=market)
    fest = festival(market, starts=NOW + 48 * HOUR, ends=NOW + 72 * HOUR)
    sale = flash_sale(fest, item, starts=NOW + 48 * HOUR, ends=NOW + 49 * HOUR)
    error = refused(market, f.user(), [(item.id, 1)], named={item.id: sale.pk})
    assert error.code == "flash_sale_not_started"


def test_a_sold_out_flash_sale_is_refused():
    market = f.marketplace()
    item = f.sku(market=market)
    sale = flash_sale(festival(market), item, quantity=1, limit=1)
    buy(market, f.user(), [(item.id, 1)], named={item.id: sale.pk})
    error = refused(market, f.user(), [(item.id, 1)], named={item.id: sale.pk})
    assert error.code == "flash_sale_sold_out"
    assert units_left(sale) == 0


def test_sold_out_between_quote_and_take_is_refused_and_nothing_written():
    market = f.marketplace()
    item = f.sku(market=market)
    sale = flash_sale(festival(market), item, quantity=3, limit=3)
    buyer = f.user()
    # the snapshot says 3 left, but only 1 is when the UPDATE runs
    taken = offers.offers_for(
        marketplace_id=market.pk, currency="EUR", variant_ids=[item.id], now=NOW
    )
    assert taken.by_variant[item.id].flash_sale_id == sale.pk
    FlashSaleBucket.objects.filter(flash_sale=sale).update(units_left=1, units_sold=2)
    error = refused(market, buyer, [(item.id, 2)], named={item.id: sale.pk})
    assert error.code == "flash_sale_sold_out"
    assert held(sale, buyer) == 0  # the counter's upsert was rolled back


def test_the_per_buyer_limit_says_the_limit_and_what_the_buyer_holds():
    market = f.marketplace()
    item = f.sku(market=market)
    sale = flash_sale(festival(market), item, quantity=10, limit=2)
    buyer = f.user()
    buy(market, buyer, [(item.id, 2)], named={item.id: sale.pk})
    error = refused(market, buyer, [(item.id, 1)], named={item.id: sale.pk})
    assert error.code == "flash_sale_limit"
    assert (error.params["limit"], error.params["held"]) == (2, 2)
    assert "2" in str(error.message())
    error = refused(market, f.user(), [(item.id, 3)], named={item.id: sale.pk})
    assert error.code == "flash_sale_limit"
    assert units_left(sale) == 8
    buy(market, f.user(), [(item.id, 2)], named={item.id: sale.pk})
    assert units_left(sale) == 6


def test_a_flash_sale_of_another_variant_is_refused():
    market = f.marketplace()
    item, other = f.sku(market=market), f.sku(market=market)
    sale = flash_sale(festival(market), other)
    error = refused(market, f.user(), [(item.id, 1)], named={item.id: sale.pk})
    assert error.code == "flash_sale_not_for_item"


# cancel and retry ---------------------------------------------------------------------


def test_cancel_gives_the_units_back_to_a_bucket_and_the_buyers_counter():
    market = f.marketplace()
    item = f.sku(market=market, stock=5)
    plain = f.sku(market=market, merchant_obj=item.merchant, stock=5)
    sale = flash_sale(festival(market), item, quantity=10, limit=2, buckets=3)
    buyer = f.user()
    result = buy(market, buyer, [(item.id, 2), (plain.id, 1)], named={item.id: sale.pk})
    assert (units_left(sale), held(sale, buyer), plain.stock()) == (8, 2, 4)
    services.order_cancel(
        actor_id=buyer.pk, actor_role=BUYER, number=result.orders[0].number, now=NOW
    )
    assert (units_left(sale), held(sale, buyer), plain.stock(), item.stock()) == (10, 0, 5, 5)
    assert (
        sum(FlashSaleBucket.objects.filter(flash_sale=sale).values_list("units_sold", flat=True))
        == 0
    )
    buy(market, buyer, [(item.id, 2)], named={item.id: sale.pk})  # may buy again


def test_cancel_after_the_flash_sale_closed_gives_the_units_to_the_warehouse():
    market = f.marketplace()
    item = f.sku(market=market, stock=5)
    sale = flash_sale(festival(market), item, quantity=10, limit=2)
    buyer = f.user()
    result = buy(market, buyer, [(item.id, 2)], named={item.id: sale.pk})
    FlashSale.objects.filter(pk=sale.pk).update(closed_at=NOW)
    services.order_cancel(
        actor_id=buyer.pk, actor_role=BUYER, number=result.orders[0].number, now=NOW
    )
    assert item.stock() == 7
    assert units_left(sale) == 8
    sale.refresh_from_db()
    assert sale.units_returned == 2
    assert held(sale, buyer) == 0


def test_the_idempotent_retry_returns_the_same_order_and_takes_units_once():
    market = f.marketplace()
    item = f.sku(market=market)
    sale = flash_sale(festival(market), item, quantity=10, limit=2)
    buyer = f.user()
    first = buy(market, buyer, [(item.id, 2)], key="k-1", named={item.id: sale.pk})
    again = buy(market, buyer, [(item.id, 2)], key="k-1", named={item.id: sale.pk})
    assert again.replayed and not first.replayed
    assert again.orders[0].number == first.orders[0].number
    assert Order.objects.count() == 1
    assert (units_left(sale), held(sale, buyer)) == (8, 2)
    with pytest.raises(services.IdempotencyKeyReused):
        buy(market, buyer, [(item.id, 1)], key="k-1", named={item.id: sale.pk})


# statement counts ---------------------------------------------------------------------


def test_offers_cost_no_statement_when_no_festival_is_near():
    market = f.marketplace()
    item = f.sku(market=market)
    festival(market, starts=NOW + 48 * HOUR, ends=NOW + 72 * HOUR)
    offers.festival_windows()
    with CaptureQueriesContext(connection) as ctx:
        found = offers.offers_for(
            marketplace_id=market.pk, currency="EUR", variant_ids=[item.id], now=NOW
        )
    assert found.by_variant == {}
    assert len(ctx.captured_queries) == 0
    with CaptureQueriesContext(connection) as ctx:
        offers.offers_for(
            marketplace_id=market.pk, currency="EUR", variant_ids=[item.id], now=NOW + 50 * HOUR
        )
    assert len(ctx.captured_queries) == 1


def count_statements(market, lines, named) -> int:
    buyer = f.user()
    offers.festival_windows()
    with CaptureQueriesContext(connection) as ctx:
        buy(market, buyer, lines, named=named)
    return len(ctx.captured_queries)


def test_a_flash_checkout_costs_the_same_statements_for_1_and_5_flash_lines():
    market = f.marketplace()
    fest = festival(market)
    items = [f.sku(market=market) for _ in range(6)]
    plain = [f.sku(market=market) for _ in range(19)]
    sales = [flash_sale(fest, item, quantity=10) for item in items]
    one = count_statements(market, [(items[0].id, 1)], {items[0].id: sales[0].pk})
    five = count_statements(
        market,
        [(i.id, 1) for i in items[1:]],
        {i.id: s.pk for i, s in zip(items[1:], sales[1:], strict=True)},
    )
    mixed = count_statements(
        market,
        [(items[0].id, 1), *((p.id, 1) for p in plain)],
        {items[0].id: sales[0].pk},
    )
    # all-flash checkouts take no stock: the mixed one adds the stock UPDATE
    assert (one, mixed) == (five, five + 1), (one, five, mixed)
    assert mixed <= 14, mixed


# the API ------------------------------------------------------------------------------


def test_the_api_buys_in_a_flash_sale_refuses_with_the_reason_and_replays_a_retry(client):
    from django.utils import timezone

    from tests.orders.test_api import Api

    now = timezone.now()
    market = f.marketplace()
    item = f.sku(market=market, price_minor=1000)
    fest = festival(market, starts=now - HOUR, ends=now + HOUR)
    sale = flash_sale(fest, item, price_minor=400, starts=now - HOUR, ends=now + HOUR)
    later = flash_sale(fest, f.sku(market=market), starts=now + HOUR / 2, ends=now + HOUR)
    buyer = f.user()
    api = Api(client, buyer)
    body = {
        "marketplace": market.slug,
        "country": "IT",
        "shipping_address": f.address(),
        "lines": [{"variant_id": item.id, "quantity": 1, "flash_sale_id": sale.pk}],
    }
    quote = api.post(
        "/checkout/quote", {"marketplace": market.slug, "country": "IT", "lines": body["lines"]}
    )
    assert quote.status_code == 200, quote.json()
    line = quote.json()["orders"][0]["lines"][0]
    assert (line["price_kind"], line["flash_sale_id"]) == ("flash", sale.pk)
    assert line["unit_price"]["amount_minor"] == 400

    stale = {**body, "lines": [{**body["lines"][0], "unit_price_minor": 1000}]}
    refused = api.post("/checkout", stale)
    assert refused.status_code == 409
    assert refused.json()["error"] == "price_changed"
    assert refused.json()["new_price_minor"] == 400

    first = api.post("/checkout", body, HTTP_IDEMPOTENCY_KEY="flash-1")
    again = api.post("/checkout", body, HTTP_IDEMPOTENCY_KEY="flash-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["orders"][0]["number"] == first.json()["orders"][0]["number"]
    assert units_left(sale) == 9

    early = {
        **body,
        "lines": [{"variant_id": later.variant_id, "quantity": 1, "flash_sale_id": later.pk}],
    }
    refused = api.post("/checkout", early)
    assert refused.status_code == 409
    assert refused.json()["error"] == "flash_sale_not_started"
    assert refused.json()["starts_at"] == later.starts_at.isoformat()
