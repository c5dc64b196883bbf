"""bench/analytics.py measures the tables it builds in bulk SQL: they must be what the
subscribers write, or the bench times the wrong thing. For a small generated world:

- the generated orders are consistent (totals = lines, checkouts = orders, lines of the
  order's merchant) although the bench loads them with foreign-key triggers off on PostgreSQL;
- the bulk tables equal, row for row, what ``analytics_rebuild`` (the subscribers'
  arithmetic) writes from the same orders (rows that count nothing aside: the live
  subscribers leave those behind a cancellation, the rebuild never writes them);
- every dashboard question the bench times answers the same through
  ``fiera.analytics.selectors`` as the bench's GROUP BY over the orders (and as its plain
  SQL over the analytics tables).
"""

from __future__ import annotations

from typing import Any

import pytest
from bench import analytics as bench

from fiera.accounts.roles import SYSTEM
from fiera.analytics import services
from fiera.analytics.models import (
    MerchantActivity,
    MerchantDay,
    MerchantMonth,
    OrderFact,
    SalesCell,
    SalesRollup,
)

pytestmark = pytest.mark.django_db

ORDERS = 2_000

MEASURED: dict[Any, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # model: (key columns, measures: a row whose measures are all 0 counts nothing)
    SalesCell: (
        ("merchant_id", "day", "marketplace_id", "buyer_country", "category_id"),
        ("merchant_country", "region", "orders", "units", "gmv_usd_minor"),
    ),
    SalesRollup: (
        ("grain", "period", "marketplace_id", "dim", "dim_key"),
        ("orders", "units", "gmv_usd_minor", "packages"),
    ),
    MerchantDay: (
        ("merchant_id", "day", "marketplace_id"),
        ("merchant_country", "region", "orders", "units", "gmv_usd_minor", "packages"),
    ),
    MerchantMonth: (
        ("merchant_id", "month", "marketplace_id"),
        ("merchant_country", "region", "orders", "units", "gmv_usd_minor", "packages"),
    ),
    MerchantActivity: (
        ("merchant_id", "marketplace_id", "year", "merchant_country", "region"),
        ("w0", "w1", "w2", "w3", "w4", "w5"),
    ),
}
FACT_COLUMNS = (
    "merchant_id",
    "order_id",
    "day",
    "marketplace_id",
    "merchant_country",
    "region",
    "buyer_country",
    "currency",
    "total_minor",
    "usd_rate",
    "gmv_usd_minor",
    "units",
    "categories",
    "placed_categories",
    "shipped_day",
)


def _counting(model: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    keys, measures = MEASURED[model]
    numbers = [m for m in measures if m not in ("merchant_country", "region")]
    out = {}
    for row in model.objects.values_list(*keys, *measures):
        key, values = row[: len(keys)], row[len(keys) :]
        named = dict(zip(measures, values, strict=True))
        if any(named[m] for m in numbers):
            out[key] = values
    return out


def _facts() -> dict[int, tuple[Any, ...]]:
    return {row[1]: row for row in OrderFact.objects.values_list(*FACT_COLUMNS)}


@pytest.fixture
def world() -> bench.World:
    world = bench.seed(60)
    bench.insert_orders(world, ORDERS, chunk=700)
    bench.build_rollups(world, chunk=900)
    return world


def test_the_generated_orders_are_consistent(world: bench.World) -> None:
    checks = {
        "order totals are their lines'": (
            "SELECT COUNT(*) FROM orders_order o WHERE o.subtotal_minor <> (SELECT "
            "SUM(l.line_total_minor) FROM orders_orderline l WHERE l.order_id = o.id) "
            "OR o.tax_minor <> (SELECT SUM(l.tax_minor) FROM orders_orderline l "
            "WHERE l.order_id = o.id)"
        ),
        "lines are the order's merchant's": (
            "SELECT COUNT(*) FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id "
            "JOIN catalog_variant v ON v.id = l.variant_id "
            "JOIN catalog_warehouse w ON w.id = l.warehouse_id "
            "WHERE v.merchant_id <> o.merchant_id OR l.merchant_id <> o.merchant_id "
            "OR w.merchant_id <> o.merchant_id"
        ),
        "checkouts are their orders'": (
            "SELECT COUNT(*) FROM orders_order o LEFT JOIN orders_checkout c "
            "ON c.id = o.checkout_id WHERE c.id IS NULL OR c.country <> o.ship_country "
            "OR c.total_minor <> o.total_minor OR c.marketplace_id <> o.marketplace_id "
            "OR c.currency <> o.currency"
        ),
        "orders without lines": (
            "SELECT COUNT(*) FROM orders_order o WHERE NOT EXISTS "
            "(SELECT 1 FROM orders_orderline l WHERE l.order_id = o.id)"
        ),
    }
    for what, sql in checks.items():
        assert bench._rows(sql) == [(0,)], what
    statuses = dict(bench._rows("SELECT status, COUNT(*) FROM orders_order GROUP BY status"))
    assert statuses["cancelled"] == ORDERS // 50
    assert statuses["refunded"] > 0 and statuses["delivered"] > 0
    (categories,) = bench._rows(
        "SELECT COUNT(DISTINCT COALESCE(p.category_id, 0)) FROM orders_orderline l "
        "JOIN catalog_variant v ON v.id = l.variant_id "
        "JOIN catalog_product p ON p.id = v.product_id"
    )
    assert categories[0] > 20  # category questions are real ones
    assert len(world.italian) == 20 and world.orders == ORDERS


def test_the_bulk_tables_are_what_the_rebuild_writes(world: bench.World) -> None:
    bulk = {model: _counting(model) for model in MEASURED}
    bulk_facts = _facts()
    assert len(bulk_facts) == ORDERS
    assert all(bulk.values())
    report = services.analytics_rebuild(since=None, actor_role=SYSTEM)
    assert report.orders_read == ORDERS
    for model in MEASURED:
        assert _counting(model) == bulk[model], model.__name__
    assert _facts() == bulk_facts


def test_the_bench_questions_answer_alike_from_rollups_and_orders(world: bench.World) -> None:
    merchant, partner = bench.pick_scopes(world)
    asked = bench.questions(world, merchant, partner)
    assert len(asked) >= 13
    for question in asked:
        from_rollups, from_orders = question.rollup(), question.scan()
        assert from_rollups == from_orders, question.name
        assert question.tables() == from_orders, question.name
    kpis = asked[0].scan()
    assert all(value for value, _previous in kpis.values()), kpis  # not all zeros
