"""Analytics dashboard: its questions read from the rollups vs the same questions as
GROUP BY over the orders, in the same run.

    .venv/bin/python bench/analytics.py [--orders 10000000] [--merchants 3000] [--keep]
    .venv/bin/python bench/analytics.py --orders 200000 \\
        --database-url sqlite:///var/bench_analytics.sqlite3      # a quick look on SQLite

Default database: DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/fiera_bench_analytics
(dropped and created again, dropped at the end unless --keep; a SQLite file is replaced). What
it does:

1. migrates, seeds ``--merchants`` merchants over 30 countries (a third Italian, spread over
   the 20 regions by ``region_code``), 30 categories, four products per merchant, five
   marketplaces in EUR, USD, CNY, GBP and JPY, one buyer, and ONE ECB-style rate per currency
   on the day before the first order (so every day's ``fx_rate`` lookup finds it);
2. inserts ``--orders`` checkouts, orders and order lines straight into the tables with
   INSERT .. SELECT over a series (chunks of 1,000,000 with progress): two years of orders
   (2024-12-01 .. 2026-11-30, evenly spread), 1 to 3 lines each (1.36 on average, products of
   different categories), a skewed merchant mix, 50 buyer countries (the checkout's country),
   2 % cancelled, 1 % partly and 0.5 % fully refunded, 80 % shipped 1-3 days after placing;
3. builds the analytics tables in bulk SQL exactly as the order events' subscribers would have
   written them (``build_rollups``): per order and category the USD total at the recorded rate
   split over the categories in proportion to the lines (cumulative half-even, shares adding up
   exactly), lowered to (total - refunded) on a refund, taken off on a cancellation or a full
   refund, the order counted once in its lowest category (``fiera.common.reporting``'s rule,
   in integer SQL); then ``SalesCell``, ``SalesRollup`` (day and month rows for 'all',
   merchant_country, buyer_country, region, category; packages on the shipped day in the
   'all', merchant_country and region rows), ``MerchantDay`` and ``MerchantMonth`` (orders,
   units, GMV, packages per marketplace and in the all-marketplace rows of marketplace 0)
   and ``OrderFact`` with INSERT .. SELECT .. GROUP BY;
4. ANALYZE, then for each dashboard question: the answer through ``fiera.analytics.selectors``
   (rollups) and the same question as a GROUP BY over the orders (joined to merchants where it
   needs them), both checked equal, each timed p50 of 5 after one warm-up; prints a table
   (question, rollup ms, scan ms, ratio, rollup as % of the scan, PASS/FAIL for >= 100x and
   < 1 %, the SQL statements one answer runs, and "tables-SQL ms": the same question as the
   plainest SQL over the analytics tables, without the query layer, also checked equal: what
   the tables allow) and the table sizes. Exit status 1 when an answer differs.

Options: ``--keep`` keeps the database; ``--reuse`` times the questions again on a kept one
(after a change to the query layer, without generating again); ``--no-facts`` skips
``OrderFact`` (no question reads it: saves minutes and gigabytes at 10M).

What differs from a live system, on purpose: the rates are flat (one per currency: the
subscribers would look up each day's rate and find that one); the loaded tables' secondary
indexes are built after the load and the foreign-key triggers are off during it (PostgreSQL;
the tables end as the migrations made them); a cancelled or fully refunded order leaves its
cells with zeros, as the live subscribers leave them (the rebuild writes no such rows);
``OrderFact.counted_at`` is the placed time. tests/analytics/test_bench_bulk.py checks, for
2,000 orders, that the bulk tables equal what ``analytics_rebuild`` writes and that every
question answers alike three ways.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/fiera_bench_analytics"
COUNTRIES = (
    *("IT", "CN", "US", "DE", "FR", "ES", "GB", "JP", "KR", "NL", "BE", "AT", "CH", "PL", "SE"),
    *("DK", "FI", "NO", "PT", "IE", "GR", "CZ", "HU", "RO", "AU", "CA", "BR", "MX", "IN", "TR"),
)
BUYER_COUNTRIES = (
    *("CN", "US", "IT", "DE", "FR", "GB", "JP", "KR", "ES", "NL", "BE", "AT", "CH", "PL", "SE"),
    *("DK", "FI", "NO", "PT", "IE", "GR", "CZ", "HU", "RO", "AU", "CA", "BR", "MX", "IN", "TR"),
    *("SG", "MY", "TH", "VN", "ID", "PH", "HK", "TW", "AE", "SA", "IL", "ZA", "EG", "MA", "NG"),
    *("AR", "CL", "CO", "PE", "NZ"),
)
# (slug, currency, ECB rate EUR->currency on the seed day; None for EUR itself)
MARKETS = (
    ("bench-cn", "CNY", "7.6543"),
    ("bench-us", "USD", "1.0512"),
    ("bench-eu", "EUR", None),
    ("bench-uk", "GBP", "0.83215"),
    ("bench-jp", "JPY", "161.87"),
)
TAXED_MARKET = 0  # the cross-border one: 9.1 % tax on each line (rounded half up)
CATEGORIES = 30
PRODUCTS_PER_MERCHANT = 4
START = date(2024, 12, 1)  # the first order's day
DAYS = 730  # two years: the last order is placed on 2026-11-30
RATE_DAY = START - timedelta(days=1)
CHUNK = 1_000_000
STAGE = "bench_order_category"  # one row per order x category: the subscriber's arithmetic


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- SQL dialect (PostgreSQL and SQLite) ----------------------------------------------------


@dataclass(frozen=True)
class Sql:
    vendor: str

    @property
    def pg(self) -> bool:
        return self.vendor == "postgresql"

    def series(self, first: int, last: int) -> str:
        """A CTE ``s(g)`` of the integers first..last (to be put after WITH)."""
        if self.pg:
            return f"s(g) AS (SELECT generate_series({first}::bigint, {last}::bigint))"
        return f"s(g) AS (SELECT {first} UNION ALL SELECT g + 1 FROM s WHERE g < {last})"

    @property
    def with_(self) -> str:
        return "WITH" if self.pg else "WITH RECURSIVE"

    def at(self, seconds: str) -> str:
        """The timestamp ``seconds`` after START 00:00 UTC."""
        if self.pg:
            return (
                f"(TIMESTAMPTZ '{START.isoformat()} 00:00:00+00' "
                f"+ ({seconds}) * INTERVAL '1 second')"
            )
        return (
            f"strftime('%Y-%m-%d %H:%M:%S', '{START.isoformat()}', "
            f"'+' || ({seconds}) || ' seconds')"
        )

    def day(self, ts: str) -> str:
        return f"(({ts}) AT TIME ZONE 'UTC')::date" if self.pg else f"date({ts})"

    def month(self, day: str) -> str:
        return f"date_trunc('month', {day})::date" if self.pg else f"strftime('%Y-%m-01', {day})"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def json_categories(self, cat: str, usd: str, units: str) -> str:
        if self.pg:
            return f"json_object_agg(CAST({cat} AS TEXT), json_build_array({usd}, {units}))::jsonb"
        return f"json_group_object(CAST({cat} AS TEXT), json_array({usd}, {units}))"

    def date_param(self, value: date) -> str:
        return f"DATE '{value.isoformat()}'" if self.pg else f"'{value.isoformat()}'"

    def ts_param(self, value: date) -> str:
        """Midnight UTC of ``value`` as a literal comparable with a datetime column."""
        if self.pg:
            return f"TIMESTAMPTZ '{value.isoformat()} 00:00:00+00'"
        return f"'{value.isoformat()} 00:00:00'"


def half_even_div(num: str, den: str) -> str:
    """``num / den`` rounded half-even, both non-negative integers (integer SQL only: on
    PostgreSQL a SUM of bigints is numeric, so sums are cast back to BIGINT first)."""
    return (
        f"(CASE WHEN 2 * (({num}) % ({den})) > ({den}) THEN ({num}) / ({den}) + 1 "
        f"WHEN 2 * (({num}) % ({den})) = ({den}) THEN ({num}) / ({den}) + (({num}) / ({den})) % 2 "
        f"ELSE ({num}) / ({den}) END)"
    )


@dataclass(frozen=True)
class Rate:
    """USD per unit of ``currency`` = ``numerator`` / 10**``scale``, and the shift from the
    currency's minor unit to US cents."""

    currency: str
    rate: Decimal
    numerator: int
    scale: int
    shift: int

    def usd_minor(self, amount: str) -> str:
        """SQL: ``amount`` (minor units of the currency) in US cents, half-even, exact."""
        exponent = self.shift - self.scale
        if exponent >= 0:
            return f"(({amount}) * {self.numerator * 10**exponent})"
        return half_even_div(f"({amount}) * {self.numerator}", str(10**-exponent))


def usd_case(rates: Sequence[Rate], currency: str, amount: str) -> str:
    whens = " ".join(f"WHEN '{r.currency}' THEN {r.usd_minor(amount)}" for r in rates)
    return f"(CASE {currency} {whens} END)"


# --- the world ----------------------------------------------------------------------------


@dataclass
class World:
    sql: Sql
    merchants: int
    first_merchant: int
    first_variant: int
    first_warehouse: int
    markets: list[int]
    currencies: list[str]
    rates: list[Rate]
    buyer_id: int
    checkout_base: int = 0
    orders: int = 0
    first_order: int = 0
    last_order: int = 0
    italian: list[int] = field(default_factory=list)

    def market_case(self, index: str, values: Sequence[str]) -> str:
        whens = " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values))
        return f"(CASE {index} {whens} END)"


def _contiguous(ids: list[int], what: str) -> int:
    if ids != list(range(ids[0], ids[0] + len(ids))):
        raise SystemExit(f"the seeded {what} ids are not contiguous")
    return ids[0]


def seed(merchants: int) -> World:
    """Merchants, categories, products, warehouses, marketplaces, rates and a buyer."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from fiera.catalog.models import Category, Product, Variant, Warehouse
    from fiera.common.reference import italian_regions
    from fiera.marketplaces.models import Marketplace
    from fiera.merchants.models import Merchant
    from fiera.payments.models import FxRate

    regions = [r.code for r in italian_regions()]
    now = datetime.now(UTC)
    rows = []
    for i in range(merchants):
        country = "IT" if i % 3 == 0 else COUNTRIES[1 + i % (len(COUNTRIES) - 1)]
        rows.append(
            Merchant(
                slug=f"bench-maker-{i}",
                legal_name=f"Bench Maker {i} S.r.l.",
                display_name=f"Bench Maker {i}",
                vat_number=f"IT{i:011d}",
                country=country,
                region_code=regions[(i // 3) % len(regions)] if country == "IT" else "",
                created_at=now,
            )
        )
    Merchant.objects.bulk_create(rows, batch_size=5_000)
    merchant_rows = list(
        Merchant.objects.filter(slug__startswith="bench-maker-")
        .order_by("id")
        .values_list("id", "country")
    )
    merchant_ids = [m for m, _ in merchant_rows]
    first_merchant = _contiguous(merchant_ids, "merchant")
    categories = Category.objects.bulk_create(
        [
            Category(
                slug=f"bench-cat-{c}",
                name_it=f"Categoria {c}",
                name_en=f"Category {c}",
                name_zh=f"类别 {c}",
            )
            for c in range(CATEGORIES)
        ]
    )
    category_ids = sorted(c.pk for c in categories) or list(
        Category.objects.filter(slug__startswith="bench-cat-")
        .order_by("id")
        .values_list("id", flat=True)
    )
    products = []
    for mi, merchant_id in enumerate(merchant_ids):
        for v in range(PRODUCTS_PER_MERCHANT):
            no_category = (mi + v) % 17 == 0
            products.append(
                Product(
                    merchant_id=merchant_id,
                    slug=f"p{v}",
                    category_id=None
                    if no_category
                    else category_ids[(mi * 7 + v * 11) % len(category_ids)],
                    name_it=f"Prodotto {v}",
                    name_en=f"Product {v}",
                    name_zh=f"产品 {v}",
                    hs_code="640399",
                )
            )
    Product.objects.bulk_create(products, batch_size=5_000)
    product_ids = list(
        Product.objects.filter(merchant_id__gte=first_merchant)
        .order_by("merchant_id", "slug")
        .values_list("id", "merchant_id")
    )
    Variant.objects.bulk_create(
        [
            Variant(product_id=pid, merchant_id=mid, sku=f"SKU-{mid}-{n % PRODUCTS_PER_MERCHANT}")
            for n, (pid, mid) in enumerate(product_ids)
        ],
        batch_size=5_000,
    )
    variant_ids = list(
        Variant.objects.filter(merchant_id__gte=first_merchant)
        .order_by("merchant_id", "sku")
        .values_list("id", flat=True)
    )
    first_variant = _contiguous(variant_ids, "variant")
    Warehouse.objects.bulk_create(
        [Warehouse(merchant_id=m, code="main", name="Main") for m in merchant_ids],
        batch_size=5_000,
    )
    warehouse_ids = list(
        Warehouse.objects.filter(merchant_id__gte=first_merchant)
        .order_by("merchant_id")
        .values_list("id", flat=True)
    )
    first_warehouse = _contiguous(warehouse_ids, "warehouse")
    markets, currencies = [], []
    for slug, currency, ecb in MARKETS:
        markets.append(
            Marketplace.objects.create(
                slug=slug,
                name=slug.replace("-", " ").title(),
                kind="b2c_cross_border" if currency == "CNY" else "b2c_domestic",
                default_currency=currency,
                languages=["en"],
                default_language="en",
            ).pk
        )
        currencies.append(currency)
        if ecb is not None:
            FxRate.objects.get_or_create(
                quote=currency,
                date=RATE_DAY,
                defaults={"rate_e9": int(Decimal(ecb) * 10**9), "source": "BENCH"},
            )
    buyer = get_user_model().objects.create(
        username=f"bench-analytics-buyer-{first_merchant}",
        role="buyer",
        buyer_kind="consumer",
        password="!",  # noqa: S106 (unusable)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM orders_checkout")
        (checkout_base,) = cursor.fetchone()
    return World(
        sql=Sql(connection.vendor),
        merchants=merchants,
        first_merchant=first_merchant,
        first_variant=first_variant,
        first_warehouse=first_warehouse,
        markets=markets,
        currencies=currencies,
        rates=_rates(currencies),
        buyer_id=buyer.pk,
        checkout_base=int(checkout_base),
        italian=[m for m, c in merchant_rows if c == "IT"],
    )


def _rates(currencies: Sequence[str]) -> list[Rate]:
    """Each currency's USD rate on START as ``fx_rate`` answers it (the seeded rates)."""
    from fiera.common.money import currency_exponent
    from fiera.payments import selectors as payment_selectors

    rates = []
    for currency in currencies:
        rate = payment_selectors.fx_rate(base=currency, quote="USD", on=START).rate
        _sign, digits, exponent = rate.as_tuple()
        numerator = int("".join(map(str, digits)))
        scale = -int(exponent)
        if scale < 0:
            numerator, scale = numerator * 10**-scale, 0
        shift = currency_exponent("USD") - currency_exponent(currency)
        rates.append(Rate(currency, rate, numerator, scale, shift))
    return rates


# --- the orders ---------------------------------------------------------------------------
#
# Everything is a function of the series number g (1..n), in integer SQL, so that the
# checkout, the order and its lines agree without reading each other back.


def _n_lines(g: str) -> str:
    return (
        f"(1 + CASE WHEN {g} % 4 = 0 THEN 1 ELSE 0 END + CASE WHEN {g} % 9 = 0 THEN 1 ELSE 0 END)"
    )


def _quantity(g: str, k: str) -> str:
    return f"(1 + ({g} + {k}) % 3)"


def _unit_price(g: str, k: str) -> str:
    return f"(300 + ({g} * 7919 + {k} * 104729) % 9700)"


def _line_total(g: str, k: str) -> str:
    return f"({_unit_price(g, k)} * {_quantity(g, k)})"


def _line_tax(g: str, k: str, market_index: str) -> str:
    return (
        f"(CASE WHEN {market_index} = {TAXED_MARKET} "
        f"THEN ({_line_total(g, k)} * 91 + 500) / 1000 ELSE 0 END)"
    )


def _market_index(g: str) -> str:
    return f"((({g}) * 40503) % 65521 % {len(MARKETS)})"


def _fill(model: Any, computed: dict[str, str]) -> tuple[list[str], list[str]]:
    """Columns and SQL expressions for every NOT NULL column of ``model``: ``computed`` ones,
    the rest as literals of the model's defaults."""
    from django.db import connection

    columns, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.column in computed:
            columns.append(f.column)
            exprs.append(computed[f.column])
        elif not f.primary_key and not f.null:
            value = f.get_db_prep_save(f.get_default(), connection)
            columns.append(f.column)
            exprs.append(_literal(value))
    missing = set(computed) - set(columns)
    if missing:
        raise SystemExit(f"{model.__name__}: no columns {sorted(missing)}")
    return columns, exprs


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    text = getattr(value, "adapted", value)  # psycopg Jsonb
    if not isinstance(text, str):
        import json

        text = json.dumps(text)
    return "'" + str(text).replace("'", "''") + "'"


LOADED = ("orders_checkout", "orders_order", "orders_orderline")


@contextmanager
def bulk_load(vendor: str, tables: Sequence[str] = LOADED) -> Iterator[None]:
    """On PostgreSQL, load as one loads a warehouse: the secondary indexes and unique
    constraints of the loaded tables dropped and built again after (but the order's
    checkout index, which the lines' insert reads), and the foreign-key triggers off
    (``session_replication_role = replica``: the rows are consistent by construction;
    tests/analytics/test_bench_bulk.py checks it). The tables end as the migrations made
    them. Nothing on SQLite."""
    from django.db import connection

    if vendor != "postgresql":
        yield
        return
    saved: list[tuple[str, str, str | None, str]] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid), c.conname, "
                "pg_get_constraintdef(c.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid "
                "AND c.conrelid = x.indrelid AND c.contype IN ('u', 'x') "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
                [table],
            )
            for name, indexdef, conname, condef in cursor.fetchall():
                if table == "orders_order" and indexdef.endswith("(checkout_id)"):
                    continue
                saved.append((table, indexdef, conname, condef))
                if conname:
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"')
                else:
                    cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '512MB'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            t0 = time.perf_counter()
            for table, indexdef, conname, condef in saved:
                if conname:
                    cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{conname}" {condef}')
                else:
                    cursor.execute(indexdef)
            cursor.execute("RESET maintenance_work_mem")
            log(f"{len(saved)} indexes built again in {time.perf_counter() - t0:.0f} s")


def insert_orders(world: World, n: int, *, chunk: int = CHUNK) -> None:
    """``n`` checkouts, orders and their lines, in chunks (progress printed)."""
    from django.db import connection

    from fiera.orders.models import Checkout, Order, OrderLine

    sql = world.sql
    mk = _market_index("g")
    span = DAYS * 86400
    placed = sql.at(f"((g - 1) * {span}) / {n}")
    markets = world.market_case(mk, [str(m) for m in world.markets])
    currency = world.market_case(mk, [f"'{c}'" for c in world.currencies])
    buyers = "(CASE bi " + " ".join(f"WHEN {i} THEN '{c}'" for i, c in enumerate(BUYER_COUNTRIES))
    buyers += " END)"
    subtotal = " + ".join(
        f"CASE WHEN {_n_lines('g')} >= {k} THEN {_line_total('g', str(k))} ELSE 0 END"
        for k in (1, 2, 3)
    )
    tax = " + ".join(
        f"CASE WHEN {_n_lines('g')} >= {k} THEN {_line_tax('g', str(k), mk)} ELSE 0 END"
        for k in (1, 2, 3)
    )
    base = world.checkout_base
    # t: the series with what every table needs (market index, buyer country index, amounts)
    t_cte = (
        f"t AS (SELECT g, ({subtotal}) AS sub, ({tax}) AS tax, "
        f"(((g * 40503 + 7) % 65521) * ((g * 40503 + 7) % 65521) * {len(BUYER_COUNTRIES)}) "
        f"/ {65521 * 65521} AS bi FROM s)"
    )
    cancelled = "g % 50 = 0"
    fully = f"(g % 211 = 0 AND NOT {cancelled})"
    partly = f"(g % 97 = 0 AND NOT {cancelled} AND NOT {fully})"
    shipped = f"(NOT {cancelled} AND ({fully} OR {partly} OR g % 10 < 8))"
    day = "INTERVAL '1 day'" if sql.pg else None

    def plus_days(ts: str, days: str) -> str:
        if sql.pg:
            return f"({ts} + ({days}) * {day})"
        return f"strftime('%Y-%m-%d %H:%M:%S', {ts}, '+' || ({days}) || ' days')"

    checkout_cols, checkout_exprs = _fill(
        Checkout,
        {
            "id": f"{base} + g",
            "buyer_id": str(world.buyer_id),
            "marketplace_id": markets,
            "country": buyers,
            "currency": currency,
            "subtotal_minor": "sub",
            "tax_minor": "tax",
            "total_minor": "sub + tax",
            "payment_method": "'cod'",
            "cross_border": f"CASE WHEN {mk} = {TAXED_MARKET} THEN TRUE ELSE FALSE END"
            if sql.pg
            else f"CASE WHEN {mk} = {TAXED_MARKET} THEN 1 ELSE 0 END",
            "order_count": "1",
            "placed_at": placed,
        },
    )
    merchant = (
        f"{world.first_merchant} + (((g * 2654435761) % 65536) * ((g * 2654435761) % 65536) "
        f"* {world.merchants}) / 4294967296"
    )
    order_cols, order_exprs = _fill(
        Order,
        {
            "checkout_id": f"{base} + g",
            "number": "'B' || g",
            "buyer_id": str(world.buyer_id),
            "merchant_id": merchant,
            "marketplace_id": markets,
            "status": f"CASE WHEN {cancelled} THEN 'cancelled' WHEN {fully} THEN 'refunded' "
            f"WHEN {shipped} THEN 'delivered' ELSE 'placed' END",
            "currency": currency,
            "subtotal_minor": "sub",
            "tax_minor": "tax",
            "total_minor": "sub + tax",
            "refunded_minor": f"CASE WHEN {fully} THEN sub + tax WHEN {partly} "
            "THEN (sub + tax) / 3 ELSE 0 END",
            "payment_method": "'cod'",
            "ship_name": "'Bench Buyer'",
            "ship_line1": "'Via Roma 1'",
            "ship_city": "'Milano'",
            "ship_postal_code": "'20100'",
            "ship_country": buyers,
            "placed_at": placed,
            "shipped_at": f"CASE WHEN {shipped} THEN {plus_days(placed, '1 + g % 3')} END",
            "delivered_at": f"CASE WHEN {shipped} THEN {plus_days(placed, '5 + g % 3')} END",
            "cancelled_at": f"CASE WHEN {cancelled} THEN {plus_days(placed, '1')} END",
            "refunded_at": f"CASE WHEN {fully} OR {partly} THEN {plus_days(placed, '9')} END",
        },
    )
    g_of_order = f"(o.checkout_id - {base})"
    omk = _market_index(g_of_order)
    line_cols, line_exprs = _fill(
        OrderLine,
        {
            "order_id": "o.id",
            "merchant_id": "o.merchant_id",
            "variant_id": f"{world.first_variant} + (o.merchant_id - {world.first_merchant}) * "
            f"{PRODUCTS_PER_MERCHANT} + ({g_of_order} + k.k * 3) % {PRODUCTS_PER_MERCHANT}",
            "warehouse_id": f"{world.first_warehouse} + o.merchant_id - {world.first_merchant}",
            "sku": f"'SKU-' || o.merchant_id || '-' || (({g_of_order} + k.k * 3) % "
            f"{PRODUCTS_PER_MERCHANT})",
            "name_it": "'Prodotto'",
            "name_en": "'Product'",
            "name_zh": "'产品'",
            "quantity": _quantity(g_of_order, "k.k"),
            "unit_price_minor": _unit_price(g_of_order, "k.k"),
            "line_total_minor": _line_total(g_of_order, "k.k"),
            "tax_minor": _line_tax(g_of_order, "k.k", omk),
        },
    )
    three = "(SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3)"
    done = 0
    with bulk_load(sql.vendor), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM orders_order")
        (before,) = cursor.fetchone()
        while done < n:
            upto = min(done + chunk, n)
            head = f"{sql.with_} {sql.series(done + 1, upto)}, {t_cte} "
            cursor.execute(
                head + f"INSERT INTO {Checkout._meta.db_table} ({', '.join(checkout_cols)}) "
                f"SELECT {', '.join(checkout_exprs)} FROM t"
            )
            cursor.execute(
                head + f"INSERT INTO {Order._meta.db_table} ({', '.join(order_cols)}) "
                f"SELECT {', '.join(order_exprs)} FROM t ORDER BY g"
            )
            cursor.execute(
                f"INSERT INTO {OrderLine._meta.db_table} ({', '.join(line_cols)}) "
                f"SELECT {', '.join(line_exprs)} FROM {Order._meta.db_table} o "
                f"JOIN {three} k ON k.k <= {_n_lines(g_of_order)} "
                f"WHERE o.checkout_id > {base + done} AND o.checkout_id <= {base + upto} "
                "ORDER BY o.id, k.k"
            )
            done = upto
            log(f"orders: {done:,} / {n:,}")
        cursor.execute("SELECT MIN(id), MAX(id) FROM orders_order WHERE id > %s", [before])
        first, last = cursor.fetchone()
        if sql.pg:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('orders_checkout', 'id'), "
                "(SELECT MAX(id) FROM orders_checkout))"
            )
    world.orders, world.first_order, world.last_order = n, int(first), int(last)


# --- the analytics tables, in bulk ----------------------------------------------------------


def _exec(sql: str, params: Sequence[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def build_stage(world: World, *, chunk: int = CHUNK) -> None:
    """``bench_order_category``: per order x category what the subscriber counts now
    (orders, units, US cents), with the order's merchant, marketplace, buyer country, day."""
    sql = world.sql
    _exec(f"DROP TABLE IF EXISTS {STAGE}")
    _exec(
        f"CREATE TABLE {STAGE} (order_id bigint NOT NULL, merchant_id bigint NOT NULL, "
        "marketplace_id bigint NOT NULL, buyer_country varchar(2) NOT NULL, day date NOT NULL, "
        "category_id bigint NOT NULL, orders integer NOT NULL, units integer NOT NULL, "
        "usd bigint NOT NULL, placed_usd bigint NOT NULL, placed_units integer NOT NULL)"
    )
    usd_total = usd_case(world.rates, "o.currency", "o.total_minor")
    target = usd_case(world.rates, "o.currency", "o.total_minor - o.refunded_minor")
    part = "PARTITION BY order_id ORDER BY category_id"
    first = world.first_order
    while first <= world.last_order:
        last = min(first + chunk - 1, world.last_order)
        stmt = (
            f"INSERT INTO {STAGE} (order_id, merchant_id, marketplace_id, buyer_country, day, "
            "category_id, orders, units, usd, placed_usd, placed_units) "
            "WITH l AS ("
            "SELECT ol.order_id, COALESCE(p.category_id, 0) AS category_id, "
            "CAST(SUM(ol.line_total_minor + ol.tax_minor) AS BIGINT) AS w, "
            "CAST(SUM(ol.quantity) AS BIGINT) AS units "
            "FROM orders_orderline ol JOIN catalog_variant v ON v.id = ol.variant_id "
            "JOIN catalog_product p ON p.id = v.product_id "
            f"WHERE ol.order_id BETWEEN {first} AND {last} "
            "GROUP BY ol.order_id, COALESCE(p.category_id, 0)), "
            "o AS ("
            "SELECT o.id, o.merchant_id, o.marketplace_id, o.ship_country, "
            f"{sql.day('o.placed_at')} AS day, {usd_total} AS usd_total, "
            f"CASE WHEN o.refunded_minor > 0 THEN {target} END AS target, "
            "CASE WHEN o.status = 'cancelled' OR o.refunded_minor >= o.total_minor "
            "THEN 0 ELSE 1 END AS counted "
            f"FROM orders_order o WHERE o.id BETWEEN {first} AND {last}), "
            "c AS (SELECT l.order_id, l.category_id, l.units, o.merchant_id, o.marketplace_id, "
            "o.ship_country, o.day, o.usd_total, o.target, o.counted, "
            f"CAST(SUM(l.w) OVER ({part}) AS BIGINT) AS cum, "
            "CAST(SUM(l.w) OVER (PARTITION BY l.order_id) AS BIGINT) AS wsum, "
            "MIN(l.category_id) OVER (PARTITION BY l.order_id) AS lowest "
            "FROM l JOIN o ON o.id = l.order_id), "
            # split(): the USD total over the categories by weight, cumulative half-even
            "c1 AS (SELECT c.*, CASE WHEN wsum = 0 THEN CASE WHEN category_id = lowest "
            f"THEN usd_total ELSE 0 END ELSE {half_even_div('usd_total * cum', 'wsum')} END "
            "AS upto FROM c), "
            f"c2 AS (SELECT c1.*, upto - COALESCE(LAG(upto) OVER ({part}), 0) AS share "
            "FROM c1), "
            # reduced(): a partial refund lowers the shares to the target, split by the shares
            f"c3 AS (SELECT c2.*, CAST(SUM(share) OVER ({part}) AS BIGINT) AS cum2 FROM c2), "
            "c4 AS (SELECT c3.*, CASE WHEN target IS NULL THEN NULL WHEN usd_total = 0 THEN "
            f"CASE WHEN category_id = lowest THEN {sql.least('target', 'usd_total')} ELSE 0 END "
            f"ELSE {half_even_div(sql.least('target', 'usd_total') + ' * cum2', 'usd_total')} "
            "END AS upto2 FROM c3) "
            "SELECT order_id, merchant_id, marketplace_id, ship_country, day, category_id, "
            "CASE WHEN counted = 1 AND category_id = lowest THEN 1 ELSE 0 END, "
            "counted * units, "
            "counted * CASE WHEN target IS NULL THEN share "
            f"ELSE upto2 - COALESCE(LAG(upto2) OVER ({part}), 0) END, "
            "share, units FROM c4"
        )
        rows = _exec(stmt)
        log(f"order x category rows: orders {last - world.first_order + 1:,}, +{rows:,} rows")
        first = last + 1


def build_rollups(world: World, *, facts: bool = True, chunk: int = CHUNK) -> dict[str, float]:
    """Every analytics table the subscribers keep, from the stage and the orders; the
    seconds each took."""
    from fiera.analytics.models import (
        MerchantDay,
        MerchantMonth,
        SalesCell,
        SalesRollup,
    )

    sql = world.sql
    took: dict[str, float] = {}

    def step(name: str, run: Callable[[], Any]) -> None:
        t0 = time.perf_counter()
        run()
        took[name] = time.perf_counter() - t0
        log(f"{name}: {took[name]:.1f} s")

    if sql.pg:
        _exec("SET work_mem = '256MB'")  # the bulk GROUP BYs only: reset before the timing
    step("order x category", lambda: build_stage(world, chunk=chunk))
    from fiera.analytics.models import OrderFact

    loaded = [
        m._meta.db_table for m in (SalesCell, SalesRollup, MerchantDay, MerchantMonth, OrderFact)
    ]
    with bulk_load(sql.vendor, loaded):
        _build_tables(world, step, facts=facts, chunk=chunk)
    if sql.pg:
        _exec("RESET work_mem")
    return took


def _build_tables(
    world: World, step: Callable[[str, Callable[[], Any]], None], *, facts: bool, chunk: int
) -> None:
    from fiera.analytics.models import (
        MerchantDay,
        MerchantMonth,
        SalesCell,
        SalesRollup,
    )

    sql = world.sql
    cell = SalesCell._meta.db_table
    step(
        "SalesCell",
        lambda: _exec(
            f"INSERT INTO {cell} (merchant_id, day, marketplace_id, buyer_country, category_id, "
            "merchant_country, region, orders, units, gmv_usd_minor) "
            "SELECT s.merchant_id, s.day, s.marketplace_id, s.buyer_country, s.category_id, "
            "m.country, m.region_code, SUM(s.orders), SUM(s.units), SUM(s.usd) "
            f"FROM {STAGE} s JOIN merchants_merchant m ON m.id = s.merchant_id "
            "GROUP BY s.merchant_id, s.day, s.marketplace_id, s.buyer_country, s.category_id, "
            "m.country, m.region_code"
        ),
    )
    # the first packages: per merchant x shipped day x marketplace, with the merchant's place
    shipped = "bench_shipped"
    shipped_day = sql.day("o.shipped_at")

    def packages() -> None:
        _exec(f"DROP TABLE IF EXISTS {shipped}")
        _exec(
            f"CREATE TABLE {shipped} AS SELECT o.merchant_id, {shipped_day} AS day, "
            "o.marketplace_id, m.country AS merchant_country, m.region_code AS region, "
            "COUNT(*) AS packages FROM orders_order o "
            "JOIN merchants_merchant m ON m.id = o.merchant_id "
            f"WHERE o.shipped_at IS NOT NULL AND o.id BETWEEN {world.first_order} "
            f"AND {world.last_order} "
            f"GROUP BY o.merchant_id, {shipped_day}, o.marketplace_id, m.country, m.region_code"
        )

    step("packages", packages)
    rollup = SalesRollup._meta.db_table
    dims = {
        "all": "''",
        "merchant_country": "merchant_country",
        "buyer_country": "buyer_country",
        "region": "region",
        "category": sql.text("category_id"),
    }
    package_dims = ("all", "merchant_country", "region")

    def rollups() -> None:
        for grain, period in (("d", "day"), ("m", sql.month("day"))):
            for dim, key in dims.items():
                group = f"GROUP BY {period}, marketplace_id" + ("" if dim == "all" else f", {key}")
                if dim in package_dims:  # sales and packages, outer-joined on the key
                    source = (
                        f"SELECT {period} AS p, marketplace_id AS mk, {key} AS k, "
                        "SUM(orders) AS o, SUM(units) AS u, SUM(gmv_usd_minor) AS g, "
                        f"0 AS n FROM {cell} {group} UNION ALL "
                        f"SELECT {period}, marketplace_id, {key}, 0, 0, 0, SUM(packages) "
                        f"FROM {shipped} {group}"
                    )
                    _exec(
                        f"INSERT INTO {rollup} (grain, period, marketplace_id, dim, dim_key, "
                        "orders, units, gmv_usd_minor, packages) "
                        f"SELECT '{grain}', p, mk, '{dim}', k, SUM(o), SUM(u), SUM(g), SUM(n) "
                        f"FROM ({source}) x GROUP BY p, mk, k"
                    )
                    continue
                _exec(
                    f"INSERT INTO {rollup} (grain, period, marketplace_id, dim, dim_key, orders, "
                    "units, gmv_usd_minor, packages) "
                    f"SELECT '{grain}', {period}, marketplace_id, '{dim}', {key}, SUM(orders), "
                    f"SUM(units), SUM(gmv_usd_minor), 0 FROM {cell} {group}"
                )

    step("SalesRollup", rollups)
    merchant_day = MerchantDay._meta.db_table

    def merchant_days() -> None:
        for market in ("marketplace_id", "0"):
            by = "merchant_id, day, merchant_country, region" + (
                ", marketplace_id" if market != "0" else ""
            )
            source = (
                f"SELECT merchant_id, day, {market} AS mk, merchant_country, region, "
                "SUM(orders) AS o, SUM(units) AS u, SUM(gmv_usd_minor) AS g, 0 AS n "
                f"FROM {cell} GROUP BY {by} UNION ALL "
                f"SELECT merchant_id, day, {market}, merchant_country, region, 0, 0, 0, "
                f"SUM(packages) FROM {shipped} GROUP BY {by}"
            )
            _exec(
                f"INSERT INTO {merchant_day} (merchant_id, day, marketplace_id, "
                "merchant_country, region, orders, units, gmv_usd_minor, packages) "
                "SELECT merchant_id, day, mk, merchant_country, region, SUM(o), SUM(u), "
                f"SUM(g), SUM(n) FROM ({source}) x "
                "GROUP BY merchant_id, day, mk, merchant_country, region"
            )

    step("MerchantDay", merchant_days)
    merchant_month = MerchantMonth._meta.db_table
    step(
        "MerchantMonth",
        lambda: _exec(
            f"INSERT INTO {merchant_month} (merchant_id, month, marketplace_id, "
            "merchant_country, region, orders, units, gmv_usd_minor, packages) "
            f"SELECT merchant_id, {sql.month('day')}, marketplace_id, merchant_country, region, "
            "SUM(orders), SUM(units), SUM(gmv_usd_minor), SUM(packages) "
            f"FROM {merchant_day} "
            f"GROUP BY merchant_id, {sql.month('day')}, marketplace_id, merchant_country, region"
        ),
    )
    _exec(f"DROP TABLE {shipped}")
    step("MerchantActivity", build_activity)
    if facts:
        step("OrderFact", lambda: build_facts(world, chunk=chunk))


def build_activity() -> None:
    """``MerchantActivity`` from the merchant days, as the rebuild writes it (the same
    function: a day's bit is set where the merchant day has orders)."""
    from fiera.analytics.rollups import activity_from_days

    activity_from_days(None)


def build_facts(world: World, *, chunk: int = CHUNK) -> None:
    """``OrderFact``: one row per order as the subscriber records it (the rate as a decimal
    string, what it counts now per category, when it stopped counting, its shipped day)."""
    from fiera.analytics.models import OrderFact

    sql = world.sql
    rate = "(CASE o.currency " + " ".join(
        f"WHEN '{r.currency}' THEN '{r.rate}'" for r in world.rates
    )
    rate += " END)"
    first = world.first_order
    while first <= world.last_order:
        last = min(first + chunk - 1, world.last_order)
        _exec(
            f"INSERT INTO {OrderFact._meta.db_table} (merchant_id, order_id, day, "
            "marketplace_id, merchant_country, region, buyer_country, currency, total_minor, "
            "usd_rate, gmv_usd_minor, units, categories, placed_categories, counted_at, "
            "uncounted_at, shipped_day) "
            "SELECT o.merchant_id, o.id, MIN(s.day), o.marketplace_id, m.country, "
            f"m.region_code, o.ship_country, o.currency, o.total_minor, {rate}, SUM(s.usd), "
            f"SUM(s.units), {sql.json_categories('s.category_id', 's.usd', 's.units')}, "
            f"{sql.json_categories('s.category_id', 's.placed_usd', 's.placed_units')}, "
            "o.placed_at, CASE WHEN o.status = 'cancelled' THEN o.cancelled_at "
            "WHEN o.refunded_minor >= o.total_minor THEN o.refunded_at END, "
            f"{sql.day('o.shipped_at')} "
            f"FROM orders_order o JOIN {STAGE} s ON s.order_id = o.id "
            "JOIN merchants_merchant m ON m.id = o.merchant_id "
            f"WHERE o.id BETWEEN {first} AND {last} "
            "GROUP BY o.id, o.merchant_id, o.marketplace_id, m.country, m.region_code, "
            "o.ship_country, o.currency, o.total_minor, o.status, o.cancelled_at, "
            "o.refunded_minor, o.refunded_at, o.shipped_at, o.placed_at"
        )
        first = last + 1


# --- the dashboard's questions --------------------------------------------------------------

LAST_DAY = START + timedelta(days=DAYS - 1)  # 2026-11-30


@dataclass
class Question:
    name: str
    rollup: Callable[[], Any]  # through fiera.analytics.selectors
    scan: Callable[[], Any]  # the same question as GROUP BY over the orders
    tables: Callable[[], Any]  # plain SQL over the analytics tables (no query layer)


def _rows(sql: str) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(r) for r in cursor.fetchall()]


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _months(first: date, last: date) -> list[date]:
    out, at = [], first.replace(day=1)
    while at <= last:
        out.append(at)
        at = (at + timedelta(days=32)).replace(day=1)
    return out


class Scans:
    """The dashboard's questions answered by GROUP BY over the orders (what one would run
    without the rollups): the same definitions as the subscribers', in SQL."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.sql = world.sql
        self.gmv = usd_case(world.rates, "o.currency", "o.total_minor - o.refunded_minor")
        self.counted = "o.status <> 'cancelled' AND o.refunded_minor < o.total_minor"

    def _in(self, column: str, first: date, last: date) -> str:
        return (
            f"{column} >= {self.sql.ts_param(first)} AND "
            f"{column} < {self.sql.ts_param(last + timedelta(days=1))}"
        )

    @staticmethod
    def _merchants(merchant_ids: frozenset[int] | None) -> str:
        if merchant_ids is None:
            return ""
        return f" AND o.merchant_id IN ({', '.join(str(m) for m in sorted(merchant_ids))})"

    def kpis(
        self, first: date, last: date, merchant_ids: frozenset[int] | None = None
    ) -> dict[str, tuple[int, int]]:
        """gmv, orders, packages, active merchants: (this period, the one before)."""
        prev_first = first - (last - first) - timedelta(days=1)
        cur = self.sql.ts_param(first)
        only = self._merchants(merchant_ids)
        sales = _rows(
            f"SELECT CASE WHEN o.placed_at >= {cur} THEN 1 ELSE 0 END, SUM({self.gmv}), "
            "COUNT(*), COUNT(DISTINCT o.merchant_id) FROM orders_order o "
            f"WHERE {self.counted} AND {self._in('o.placed_at', prev_first, last)}{only} "
            "GROUP BY 1"
        )
        packages = _rows(
            f"SELECT CASE WHEN o.shipped_at >= {cur} THEN 1 ELSE 0 END, COUNT(*) "
            f"FROM orders_order o WHERE {self._in('o.shipped_at', prev_first, last)}{only} "
            "GROUP BY 1"
        )
        by = {int(r[0]): r for r in sales}
        packs = {int(r[0]): int(r[1]) for r in packages}

        def pair(i: int) -> tuple[int, int]:
            return (int(by[1][i]) if 1 in by else 0, int(by[0][i]) if 0 in by else 0)

        return {
            "gmv": pair(1),
            "orders": pair(2),
            "packages": (packs.get(1, 0), packs.get(0, 0)),
            "active_merchants": pair(3),
        }

    def series(
        self,
        first: date,
        last: date,
        *,
        grain: str = "day",
        measure: str = "gmv",
        merchant_ids: frozenset[int] | None = None,
    ) -> list[tuple[str, int]]:
        column = "o.shipped_at" if measure == "packages" else "o.placed_at"
        bucket = self.sql.day(column)
        if grain == "month":
            bucket = self.sql.month(bucket)
        value = "COUNT(*)" if measure == "packages" else f"SUM({self.gmv})"
        where = "TRUE" if measure == "packages" else self.counted
        if not self.sql.pg and where == "TRUE":
            where = "1 = 1"
        got = {
            _iso(k): int(v)
            for k, v in _rows(
                f"SELECT {bucket}, {value} FROM orders_order o WHERE {where} AND "
                f"{self._in(column, first, last)}{self._merchants(merchant_ids)} GROUP BY 1"
            )
        }
        buckets = _days(first, last) if grain == "day" else _months(first, last)
        return [(b.isoformat(), got.get(b.isoformat(), 0)) for b in buckets]

    def breakdown(self, dimension: str, first: date, last: date, top: int = 10) -> Any:
        key = {
            "merchant_country": "m.country",
            "buyer_country": "o.ship_country",
            "marketplace": self.sql.text("o.marketplace_id"),
        }[dimension]
        join = " JOIN merchants_merchant m ON m.id = o.merchant_id" if key.startswith("m.") else ""
        rows = _rows(
            f"SELECT {key}, SUM({self.gmv}) FROM orders_order o{join} "
            f"WHERE {self.counted} AND {self._in('o.placed_at', first, last)} GROUP BY 1"
        )
        ranked = sorted(((str(k), int(v)) for k, v in rows), key=lambda r: (-r[1], r[0]))
        return ranked[:top], sum(v for _, v in ranked)

    def regions(self, first: date, last: date) -> list[tuple[str, int, int, int]]:
        """Per Italian region: merchants, active merchants and GMV (all 20, zeros included)."""
        from fiera.common.reference import italian_regions

        merchants = dict(
            _rows("SELECT region_code, COUNT(*) FROM merchants_merchant GROUP BY region_code")
        )
        rows = _rows(
            "SELECT m.region_code, COUNT(DISTINCT o.merchant_id), SUM("
            f"{self.gmv}) FROM orders_order o JOIN merchants_merchant m ON m.id = o.merchant_id "
            f"WHERE {self.counted} AND {self._in('o.placed_at', first, last)} "
            "AND m.region_code <> '' GROUP BY 1"
        )
        got = {str(r[0]): (int(r[1]), int(r[2])) for r in rows}
        return sorted(
            (r.code, int(merchants.get(r.code, 0)), *got.get(r.code, (0, 0)))
            for r in italian_regions()
        )

    def active(self, first: date, last: date) -> int:
        (row,) = _rows(
            "SELECT COUNT(DISTINCT o.merchant_id) FROM orders_order o "
            f"WHERE {self.counted} AND {self._in('o.placed_at', first, last)}"
        )
        return int(row[0])


class Tables:
    """The same questions as the plainest SQL over the analytics tables (no query layer):
    the floor the tables themselves allow, beside what the selectors take."""

    def __init__(self, world: World) -> None:
        self.sql = world.sql

    def _d(self, value: date) -> str:
        return self.sql.date_param(value)

    def _ranges(self, first: date, last: date) -> str:
        """SalesRollup rows covering first..last: whole months from 'm', edges from 'd'."""
        from fiera.analytics.query import Period, split_months

        months, edges = split_months(Period(first, last))
        parts = [
            f"(grain = 'd' AND period BETWEEN {self._d(a)} AND {self._d(b)})" for a, b in edges
        ]
        if months is not None:
            parts.append(
                f"(grain = 'm' AND period BETWEEN {self._d(months[0])} AND {self._d(months[1])})"
            )
        return "(" + " OR ".join(parts) + ")"

    def _active_rows(self, first: date, last: date, columns: str) -> str:
        """merchant_id (and ``columns``) of the active merchants' activity rows: per year
        the period touches, one of the period's day bits set."""
        from fiera.analytics.models import span_masks

        parts = []
        for year in range(first.year, last.year + 1):
            a, b = max(first, date(year, 1, 1)), min(last, date(year, 12, 31))
            masks = span_masks(a.timetuple().tm_yday - 1, b.timetuple().tm_yday - 1)
            bits = " OR ".join(f"(w{word} & {mask}) <> 0" for word, mask in masks.items())
            parts.append(f"(year = {year} AND ({bits}))")
        return (
            f"SELECT merchant_id{columns} FROM analytics_merchantactivity "
            f"WHERE marketplace_id = 0 AND ({' OR '.join(parts)})"
        )

    @staticmethod
    def _in(merchant_ids: frozenset[int]) -> str:
        return f"merchant_id IN ({', '.join(str(m) for m in sorted(merchant_ids))})"

    @staticmethod
    def _set(merchant_ids: frozenset[int]) -> int | None:
        """The merchant set of ``merchant_ids`` when the selectors built one (two merchants
        or more): its rows are then the plainest SQL for the question."""
        from fiera.analytics import merchant_sets

        if len(merchant_ids) < merchant_sets.MIN_MERCHANTS:
            return None
        found = _rows(
            "SELECT id FROM analytics_merchantset "
            f"WHERE fingerprint = '{merchant_sets.fingerprint(merchant_ids)}'"
        )
        return int(found[0][0]) if found else None

    def kpis(
        self, first: date, last: date, merchant_ids: frozenset[int] | None = None
    ) -> dict[str, tuple[int, int]]:
        prev_first = first - (last - first) - timedelta(days=1)
        prev_last = first - timedelta(days=1)
        cur = self._d(first)
        span = f"BETWEEN {self._d(prev_first)} AND {self._d(last)}"
        if merchant_ids is None:
            rows = _rows(
                f"SELECT CASE WHEN period >= {cur} THEN 1 ELSE 0 END, SUM(gmv_usd_minor), "
                f"SUM(orders), SUM(packages) FROM analytics_salesrollup WHERE dim = 'all' "
                f"AND grain = 'd' AND period {span} GROUP BY 1"
            )
            active = {1: self.active(first, last), 0: self.active(prev_first, prev_last)}
        elif (merchant_set := self._set(merchant_ids)) is not None:
            rows = _rows(
                f"SELECT CASE WHEN day >= {cur} THEN 1 ELSE 0 END, SUM(gmv_usd_minor), "
                "SUM(orders), SUM(packages) FROM analytics_merchantsetday "
                f"WHERE merchant_set_id = {merchant_set} AND marketplace_id = 0 AND day {span} "
                "GROUP BY 1"
            )
            active = {
                1: self.active(first, last, merchant_ids),
                0: self.active(prev_first, prev_last, merchant_ids),
            }
        else:
            rows = _rows(
                f"SELECT CASE WHEN day >= {cur} THEN 1 ELSE 0 END, SUM(gmv_usd_minor), "
                "SUM(orders), SUM(packages), "
                "COUNT(DISTINCT CASE WHEN orders > 0 THEN merchant_id END) "
                f"FROM analytics_merchantday WHERE marketplace_id = 0 AND day {span} "
                f"AND {self._in(merchant_ids)} GROUP BY 1"
            )
            active = {int(r[0]): r[4] for r in rows}
        sales = [r[:3] for r in rows]
        packages = {int(r[0]): r[3] for r in rows}
        by = {int(r[0]): r for r in sales}

        def pair(i: int) -> tuple[int, int]:
            return (int(by[1][i]) if 1 in by else 0, int(by[0][i]) if 0 in by else 0)

        return {
            "gmv": pair(1),
            "orders": pair(2),
            "packages": (int(packages.get(1, 0)), int(packages.get(0, 0))),
            "active_merchants": (int(active.get(1) or 0), int(active.get(0) or 0)),
        }

    def series(
        self,
        first: date,
        last: date,
        *,
        grain: str = "day",
        measure: str = "gmv",
        merchant_ids: frozenset[int] | None = None,
    ) -> list[tuple[str, int]]:
        span = f"BETWEEN {self._d(first)} AND {self._d(last)}"
        column = "packages" if measure == "packages" else "gmv_usd_minor"
        merchant_set = self._set(merchant_ids) if merchant_ids is not None else None
        if merchant_set is not None:
            table = "analytics_merchantsetmonth" if grain == "month" else "analytics_merchantsetday"
            at = "month" if grain == "month" else "day"
            sql = (
                f"SELECT {at}, SUM({column}) FROM {table} WHERE marketplace_id = 0 "
                f"AND {at} {span} AND merchant_set_id = {merchant_set}"
            )
        elif merchant_ids is not None:
            table = "analytics_merchantmonth" if grain == "month" else "analytics_merchantday"
            at = "month" if grain == "month" else "day"
            sql = (
                f"SELECT {at}, SUM({column}) FROM {table} WHERE marketplace_id = 0 "
                f"AND {at} {span} AND {self._in(merchant_ids)}"
            )
        else:
            g = "m" if grain == "month" else "d"
            sql = (
                f"SELECT period, SUM({column}) FROM analytics_salesrollup "
                f"WHERE dim = 'all' AND grain = '{g}' AND period {span}"
            )
        got = {_iso(k): int(v) for k, v in _rows(sql + " GROUP BY 1")}
        buckets = _days(first, last) if grain == "day" else _months(first, last)
        return [(b.isoformat(), got.get(b.isoformat(), 0)) for b in buckets]

    def breakdown(self, dimension: str, first: date, last: date, top: int = 10) -> Any:
        dim, key = (
            ("all", "marketplace_id") if dimension == "marketplace" else (dimension, "dim_key")
        )
        rows = _rows(
            f"SELECT {key}, SUM(gmv_usd_minor) FROM analytics_salesrollup WHERE dim = '{dim}' "
            f"AND {self._ranges(first, last)} GROUP BY 1"
        )
        ranked = sorted(((str(k), int(v)) for k, v in rows if v), key=lambda r: (-r[1], r[0]))
        return ranked[:top], sum(v for _, v in ranked)

    def regions(self, first: date, last: date) -> list[tuple[str, int, int, int]]:
        from fiera.common.reference import italian_regions

        merchants = dict(
            _rows("SELECT region_code, COUNT(*) FROM merchants_merchant GROUP BY region_code")
        )
        gmv = dict(
            _rows(
                "SELECT dim_key, SUM(gmv_usd_minor) FROM analytics_salesrollup "
                f"WHERE dim = 'region' AND {self._ranges(first, last)} GROUP BY 1"
            )
        )
        active = dict(
            _rows(
                "SELECT region, COUNT(DISTINCT merchant_id) FROM "
                f"({self._active_rows(first, last, ', region')}) x GROUP BY region"
            )
        )
        return sorted(
            (
                r.code,
                int(merchants.get(r.code, 0)),
                int(active.get(r.code, 0)),
                int(gmv.get(r.code, 0)),
            )
            for r in italian_regions()
        )

    def active(self, first: date, last: date, merchant_ids: frozenset[int] | None = None) -> int:
        rows = self._active_rows(first, last, "")
        if merchant_ids is not None:
            rows += f" AND {self._in(merchant_ids)}"
        (row,) = _rows(f"SELECT COUNT(DISTINCT merchant_id) FROM ({rows}) x")
        return int(row[0])


class Rollups:
    """The same questions through ``fiera.analytics.selectors``, normalised like ``Scans``."""

    def __init__(self, world: World) -> None:
        from fiera.analytics import selectors

        self.q = selectors
        self.all = selectors.Scope(kind="all", merchant_ids=None, label="all")
        self.filters = selectors.Filters()

    def scope(self, merchant_ids: frozenset[int] | None, kind: str = "partner") -> Any:
        if merchant_ids is None:
            return self.all
        return self.q.Scope(kind=kind, merchant_ids=merchant_ids, label=kind)

    def period(self, first: date, last: date) -> Any:
        return self.q.Period(first, last)

    def kpis(
        self, first: date, last: date, merchant_ids: frozenset[int] | None = None
    ) -> dict[str, tuple[int, int]]:
        kind = "merchant" if merchant_ids is not None and len(merchant_ids) == 1 else "partner"
        kpis = self.q.analytics_kpis(
            period=self.period(first, last),
            filters=self.filters,
            scope=self.scope(merchant_ids, kind),
        )
        wanted = ("gmv", "orders", "packages", "active_merchants")
        return {k.measure: (k.value, k.previous) for k in kpis if k.measure in wanted}

    def series(
        self,
        first: date,
        last: date,
        *,
        grain: str = "day",
        measure: str = "gmv",
        merchant_ids: frozenset[int] | None = None,
    ) -> list[tuple[str, int]]:
        kind = "merchant" if merchant_ids is not None and len(merchant_ids) == 1 else "partner"
        points = self.q.analytics_series(
            measure=measure,
            period=self.period(first, last),
            filters=self.filters,
            scope=self.scope(merchant_ids, kind),
            grain=grain,
        )
        return [(p.day.isoformat(), p.value) for p in points]

    def breakdown(self, dimension: str, first: date, last: date, top: int = 10) -> Any:
        b = self.q.analytics_breakdown(
            measure="gmv",
            dimension=dimension,
            period=self.period(first, last),
            filters=self.filters,
            scope=self.all,
            top=top,
        )
        ranked = sorted(((str(r.key), r.value) for r in b.rows), key=lambda r: (-r[1], r[0]))
        return ranked, b.total

    def regions(self, first: date, last: date) -> list[tuple[str, int, int, int]]:
        figures = self.q.analytics_regions(
            period=self.period(first, last), filters=self.filters, scope=self.all
        )
        return sorted((f.code, f.merchants, f.active_merchants, f.gmv) for f in figures)

    def active(self, first: date, last: date) -> int:
        return int(
            self.q.analytics_total(
                measure="active_merchants",
                period=self.period(first, last),
                filters=self.filters,
                scope=self.all,
            )
        )


def questions(world: World, merchant: int, partner: frozenset[int]) -> list[Question]:
    scans, rollups, tables = Scans(world), Rollups(world), Tables(world)
    d90 = (LAST_DAY - timedelta(days=89), LAST_DAY)
    year = (LAST_DAY - timedelta(days=364), LAST_DAY)
    months = (date(LAST_DAY.year - 1, LAST_DAY.month, 1) + timedelta(days=31), LAST_DAY)
    months = (months[0].replace(day=1), LAST_DAY)  # the 12 months ending with LAST_DAY's
    one = frozenset({merchant})
    out: list[Question] = []

    def ask(name: str, call: Callable[[Any], Any]) -> None:
        out.append(Question(name, lambda: call(rollups), lambda: call(scans), lambda: call(tables)))

    ask("KPIs, 90 days vs the 90 before", lambda s: s.kpis(*d90))
    ask("GMV by day, 90 days", lambda s: s.series(*d90))
    ask("GMV by month, 12 months", lambda s: s.series(*months, grain="month"))
    ask("top-10 merchant countries, year", lambda s: s.breakdown("merchant_country", *year))
    ask("top-10 buyer countries, year", lambda s: s.breakdown("buyer_country", *year))
    ask("region map (20 regions), year", lambda s: s.regions(*year))
    ask("marketplace comparison, 90 days", lambda s: s.breakdown("marketplace", *d90))
    ask("active merchants, year", lambda s: s.active(*year))
    ask("packages per day, 90 days", lambda s: s.series(*d90, measure="packages"))
    ask("one merchant: KPIs, 90 days", lambda s: s.kpis(*d90, merchant_ids=one))
    ask("one merchant: GMV by day, 90 days", lambda s: s.series(*d90, merchant_ids=one))
    ask("partner (100 merchants): KPIs, 90 d", lambda s: s.kpis(*d90, merchant_ids=partner))
    ask(
        "partner (100 merchants): GMV by day",
        lambda s: s.series(*d90, merchant_ids=partner),
    )
    return out


def timed(func: Callable[[], Any], runs: int = 5) -> tuple[float, Any]:
    func()  # warm-up
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def pick_scopes(world: World) -> tuple[int, frozenset[int]]:
    """A mid-sized merchant (the 300th of the skewed mix: ~0.09 % of the orders) and a
    partner-like set of 100 Italian merchants (every third Italian one)."""
    merchant = world.first_merchant + min(world.merchants - 1, world.merchants // 10)
    partner = frozenset(world.italian[::3][:100])
    return merchant, partner


def table_sizes(world: World) -> list[tuple[str, int, str]]:
    from fiera.analytics import models as analytics_models

    tables = ["orders_order", "orders_orderline", "orders_checkout", STAGE]
    tables += [
        m._meta.db_table
        for m in (
            analytics_models.OrderFact,
            analytics_models.SalesCell,
            analytics_models.SalesRollup,
            analytics_models.MerchantDay,
            analytics_models.MerchantMonth,
            analytics_models.MerchantActivity,
        )
    ]
    out = []
    for table in tables:
        (count,) = _rows(f"SELECT COUNT(*) FROM {table}")[0]
        size = ""
        if world.sql.pg:
            size = str(_rows(f"SELECT pg_size_pretty(pg_total_relation_size('{table}'))")[0][0])
        out.append((table, int(count), size))
    return out


def run_questions(world: World, runs: int = 5) -> bool:
    """Time every question both ways and print the table ("queries": the SQL statements
    one answer through the selectors runs); False when an answer differs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    merchant, partner = pick_scopes(world)
    from django.utils import timezone

    from fiera.analytics import merchant_sets

    stale = _rows(
        "SELECT id FROM analytics_merchantset "
        f"WHERE fingerprint = '{merchant_sets.fingerprint(partner)}'"
    )
    merchant_sets.drop([int(r[0]) for r in stale])
    t0 = time.perf_counter()
    merchant_sets.merchant_set_for(partner, now=timezone.now())
    log(
        f"the partner's merchant set ({len(partner)} merchants) summed on its first question "
        f"in {(time.perf_counter() - t0) * 1000:.0f} ms"
    )
    print()
    header = f"{'question':<40} {'rollup ms':>10} {'scan ms':>10} {'ratio':>8} {'% scan':>8}"
    print(header + "  >=100x  <1%   same  queries  tables-SQL ms")
    ok = True
    worst_ratio, worst_share = float("inf"), 0.0
    for q in questions(world, merchant, partner):
        rollup_s, from_rollup = timed(q.rollup, runs)
        scan_s, from_scan = timed(q.scan, runs)
        tables_s, from_tables = timed(q.tables, runs)
        with CaptureQueriesContext(connection) as captured:
            q.rollup()
        same = from_rollup == from_scan == from_tables
        ok = ok and same
        ratio = scan_s / rollup_s if rollup_s else float("inf")
        share = 100 * rollup_s / scan_s if scan_s else 0.0
        worst_ratio, worst_share = min(worst_ratio, ratio), max(worst_share, share)
        print(
            f"{q.name:<40} {rollup_s * 1000:>10.2f} {scan_s * 1000:>10.1f} {ratio:>7.0f}x "
            f"{share:>7.3f}%  {'PASS' if ratio >= 100 else 'FAIL':<6} "
            f"{'PASS' if share < 1 else 'FAIL':<5} {'yes' if same else 'NO':<5} "
            f"{len(captured.captured_queries):>5}    {tables_s * 1000:>10.2f}"
        )
        if not same:
            print(f"   rollup: {str(from_rollup)[:300]}")
            print(f"   scan:   {str(from_scan)[:300]}")
            print(f"   tables: {str(from_tables)[:300]}")
    print(
        f"\nworst ratio {worst_ratio:.0f}x (target >= 100x), worst rollup share of its scan "
        f"{worst_share:.3f} % (target < 1 %); every answer equal: {ok}"
    )
    return ok


def analyze(world: World) -> None:
    """ANALYZE; on PostgreSQL the analytics tables are VACUUMed too (what autovacuum does
    after a load on a live system): their visibility map lets the active-merchant counts
    read the covering index alone."""
    from fiera.analytics import models as analytics_models

    t0 = time.perf_counter()
    if world.sql.pg:
        for model in (analytics_models.MerchantDay, analytics_models.MerchantMonth):
            _exec(f"VACUUM {model._meta.db_table}")
    _exec("ANALYZE")
    log(f"(VACUUM and) ANALYZE: {time.perf_counter() - t0:.0f} s")


def load_world() -> World:
    """The world of a database the bench generated before (``--keep``), for ``--reuse``."""
    from django.db import connection

    from fiera.analytics.models import SalesCell
    from fiera.marketplaces.models import Marketplace
    from fiera.merchants.models import Merchant

    merchants = list(
        Merchant.objects.filter(slug__startswith="bench-maker-")
        .order_by("id")
        .values_list("id", "country")
    )
    if not merchants or not SalesCell.objects.exists():
        raise SystemExit("no generated bench world in this database: run without --reuse")
    by_slug = dict(Marketplace.objects.values_list("slug", "id"))
    (first, last, count) = _rows("SELECT MIN(id), MAX(id), COUNT(*) FROM orders_order")[0]
    world = World(
        sql=Sql(connection.vendor),
        merchants=len(merchants),
        first_merchant=merchants[0][0],
        first_variant=0,
        first_warehouse=0,
        markets=[by_slug[slug] for slug, _c, _r in MARKETS],
        currencies=[c for _s, c, _r in MARKETS],
        rates=[],
        buyer_id=0,
        orders=int(count),
        first_order=int(first),
        last_order=int(last),
        italian=[m for m, c in merchants if c == "IT"],
    )
    world.rates = _rates(world.currencies)
    return world


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--merchants", type=int, default=3_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-facts", action="store_true", help="skip OrderFact (not read)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database after")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the questions again on a database kept by --keep (no generation; kept)",
    )
    args = parser.parse_args()
    url = args.database_url
    from bench.checkout import prepare_database, setup_django

    if args.reuse:
        args.keep = True
    else:
        prepare_database(url)
    setup_django(url, "bench-analytics-secret-key-0123456789-abcdefghij")
    try:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if args.reuse:
            world = load_world()
            from fiera.analytics.models import MerchantActivity

            if not MerchantActivity.objects.exists():  # kept before the table existed
                t0 = time.perf_counter()
                build_activity()
                log(f"MerchantActivity: {time.perf_counter() - t0:.1f} s")
                _exec(f"ANALYZE {MerchantActivity._meta.db_table}")
            args.orders, args.merchants = world.orders, world.merchants
        else:
            t0 = time.perf_counter()
            world = seed(args.merchants)
            log(f"seeded {args.merchants:,} merchants in {time.perf_counter() - t0:.0f} s")
            t0 = time.perf_counter()
            insert_orders(world, args.orders)
            took = time.perf_counter() - t0
            log(f"inserted {args.orders:,} orders with their lines in {took:.0f} s")
            t0 = time.perf_counter()
            build_rollups(world, facts=not args.no_facts)
            log(f"built the analytics tables in {time.perf_counter() - t0:.0f} s")
            analyze(world)
        ok = run_questions(world, args.runs)
        print()
        print(f"{'table':<28} {'rows':>14} {'size':>10}")
        for table, count, size in table_sizes(world):
            print(f"{table:<28} {count:>14,} {size:>10}")
        print(
            f"\n{args.orders:,} orders, {args.merchants:,} merchants in {len(COUNTRIES)} "
            f"countries, {len(BUYER_COUNTRIES)} buyer countries, {len(MARKETS)} marketplaces, "
            f"{CATEGORIES} categories, {START} .. {LAST_DAY}; database {world.sql.vendor}"
        )
        return 0 if ok else 1
    finally:
        if not args.keep and url.startswith("postgres"):
            from urllib.parse import urlsplit, urlunsplit

            import psycopg
            from django.db import connections

            connections.close_all()
            parts = urlsplit(url)
            admin = urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
            log("database dropped")


if __name__ == "__main__":
    raise SystemExit(main())
