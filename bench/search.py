"""Search benchmark: p50/p95 server time of the storefront search page for a fixed query
mix, beside the bare SQL of the same search replayed raw in the same run.

    .venv/bin/python bench/search.py --database-url URL [--marketplace SLUG] [--rounds 20]
    .venv/bin/python bench/search.py --generate 1000000 [--database-url URL] [--rounds 20]
    .venv/bin/python bench/search.py --trade [--listings 1000000] [--database-url URL]
    .venv/bin/python bench/search.py --trade --pavilion 950 [--listings 1000000] [...]

With ``--trade``: the trade marketplace's listing and supplier search (``fiera.trade.search``,
decision 0019) on a generated marketplace, SQLite by default (see ``trade_main``); with
``--pavilion N`` too, the search on a pavilion's landing page (decision 0020, ``pavilion_main``).

Without ``--generate`` it reads an existing database (the demo: ``fiera demo``) and
changes nothing but its planner statistics (ANALYZE). With ``--generate N`` it drops and
creates the database (default postgresql://postgres@127.0.0.1:5432/fiera_bench_search),
migrates it and writes a catalog of N variants in bulk (INSERT ... SELECT over
generate_series: two variants per product, one price and one stock row per variant,
names and descriptions drawn from the demo's vocabulary with their search documents,
one merchant per 500 variants, one marketplace), then ANALYZEs it.

For each query of the mix it measures, one request at a time:

- **page**: GET /m/<marketplace>/search?... through Django's test client in this process
  (the server's whole work for the request: middleware, session, form, the search, the
  cards' covers, the template; no network), after two warm-up requests;
- **search**: ``catalog.selectors.product_search`` alone (what the page calls);
- **raw SQL**: the statements ``product_search`` executed for that query, captured with
  ``connection.execute_wrapper`` and replayed with their parameters through the bare
  driver (sqlite3 or psycopg) on a connection of its own: the floor for that search.

It prints p50 and p95 in milliseconds for each, the ratio search/raw, and the total the
page reports; the target (issue 7) is a page under 100 ms on the demo data on both engines.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import secrets
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from checkout import prepare_database  # bench/checkout.py: the scripts run from bench/

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GENERATED_URL = "postgresql://postgres@127.0.0.1:5432/fiera_bench_search"
GENERATED_MARKETPLACE = "bench-search"
VARIANTS_PER_PRODUCT = 2
VARIANTS_PER_MERCHANT = 500

# (label, query string of the search page)
QUERY_MIX: tuple[tuple[str, dict[str, str]], ...] = (
    ("browse (no words)", {}),
    ("olio", {"q": "olio"}),
    ("olive oil", {"q": "olive oil"}),
    ("橄榄油", {"q": "橄榄油"}),
    ("caffe", {"q": "caffe"}),
    ("caffè", {"q": "caffè"}),
    ("红酒", {"q": "红酒"}),
    ("咖啡", {"q": "咖啡"}),
    ("one letter: o", {"q": "o"}),
    ("no match: zzzz", {"q": "zzzz"}),
    ("olio, page 999", {"q": "olio", "page": "999"}),
    ("browse, page 999", {"page": "999"}),
    ("olio, cheapest first", {"q": "olio", "sort": "price_asc"}),
    ("vino, in stock only", {"q": "vino", "in_stock": "on"}),
)
PAGE_SIZE = 24  # catalog.views.PAGE_SIZE


# --- database -----------------------------------------------------------------------------


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fiera.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    logging.getLogger("fiera.request").setLevel(logging.WARNING)  # one line per request


def raw_connection(url: str) -> Any:
    if url.startswith("sqlite"):
        return sqlite3.connect(urlsplit(url).path, isolation_level=None)
    import psycopg

    return psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the generated catalog ----------------------------------------------------------------


def _templates() -> list[tuple[Any, ...]]:
    """(category slug, it, en, zh, description it, en, zh) from the demo's vocabulary."""
    from fiera.demo import vocabulary as vocab

    rows = []
    for type_ in vocab.PRODUCT_TYPES:
        pitch = vocab.PITCHES[type_.category.split("-", 1)[0]]
        for qualifier in type_.qualifiers:
            if "{}" in qualifier.it:
                it = qualifier.it.format(type_.name.it)
                en = qualifier.en.format(type_.name.en)
                zh = qualifier.zh.format(type_.name.zh)
            else:
                it, en, zh = qualifier.it, qualifier.en, qualifier.zh
            descriptions = (f"{it}. {pitch.it}", f"{en}. {pitch.en}", f"{zh}。{pitch.zh}")
            rows.append((type_.category, it, en, zh, *descriptions))
    return rows


def generate(variants: int) -> str:
    """Write a catalog of ``variants`` variants in bulk; returns the marketplace slug."""
    from django.db import connection, transaction
    from stdnum import luhn

    from fiera.accounts.roles import SYSTEM
    from fiera.catalog import search
    from fiera.catalog.models import Category, Warehouse
    from fiera.demo import vocabulary as vocab
    from fiera.marketplaces.services import marketplace_create
    from fiera.merchants.models import Merchant, Store

    started = time.perf_counter()
    info = marketplace_create(
        slug=GENERATED_MARKETPLACE,
        name="Bench search",
        kind="b2c_domestic",
        languages=["en", "it", "zh-hans"],
        default_language="en",
        default_currency="EUR",
        countries={"IT": "EUR"},
        actor_role=SYSTEM,
    )
    for root_slug, (root_name, children) in vocab.CATEGORY_TREE.items():
        root = Category.objects.create(
            slug=root_slug, name_it=root_name.it, name_en=root_name.en, name_zh=root_name.zh
        )
        for slug, name in children:
            Category.objects.create(
                slug=slug, parent=root, name_it=name.it, name_en=name.en, name_zh=name.zh
            )
    categories = dict(Category.objects.values_list("slug", "pk"))
    merchant_count = max(1, variants // VARIANTS_PER_MERCHANT)
    merchants = []
    for m in range(merchant_count):
        body = f"{1_000_000 + m:07d}001"
        merchants.append(
            Merchant(
                slug=f"bench-{m}",
                legal_name=f"Bench {m} S.r.l.",
                display_name=f"Bench {m}",
                vat_number=f"IT{body}{luhn.calc_check_digit(body)}",
                region_code="IT-25",
            )
        )
    merchants = Merchant.objects.bulk_create(merchants, batch_size=1000)
    Store.objects.bulk_create(
        [
            Store(merchant=m, marketplace_id=info.id, slug=m.slug, name=m.display_name)
            for m in merchants
        ],
        batch_size=1000,
    )
    Warehouse.objects.bulk_create(
        [Warehouse(merchant=m, code="main", name="Main") for m in merchants], batch_size=1000
    )
    templates = [
        (k, categories.get(t[0]), *t[1:], search.document(t[1:4]), search.document(t[4:7]))
        for k, t in enumerate(_templates())
    ]
    products = max(1, variants // VARIANTS_PER_PRODUCT)
    first_merchant = min(m.pk for m in merchants)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_template (k int PRIMARY KEY, category_id bigint, "
            "name_it text, name_en text, name_zh text, description_it text, "
            "description_en text, description_zh text, search_names text, "
            "search_descriptions text)"
        )
        cursor.executemany(
            "INSERT INTO bench_template VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            templates,
        )
        print(f"  {len(templates)} name templates; writing {products:,} products ...", flush=True)
        cursor.execute(
            "INSERT INTO catalog_product (merchant_id, slug, category_id, name_it, name_en, "
            "name_zh, description_it, description_en, description_zh, hs_code, "
            "origin_country, is_active, created_at, search_names, search_descriptions, "
            "incoterm, incoterm_place, payment_terms) "
            "SELECT %s + (g %% %s), 'p-' || g, t.category_id, t.name_it, t.name_en, "
            "t.name_zh, t.description_it, t.description_en, t.description_zh, '090121', "
            "'IT', TRUE, now() - g * interval '1 second', t.search_names, "
            "t.search_descriptions, '', '', '' "
            "FROM generate_series(1, %s) g JOIN bench_template t ON t.k = g %% %s",
            [first_merchant, merchant_count, products, len(templates)],
        )
        print(f"  writing {products * VARIANTS_PER_PRODUCT:,} variants ...", flush=True)
        cursor.execute(
            "INSERT INTO catalog_variant (product_id, merchant_id, sku, label, attributes, "
            "weight_grams, min_order_quantity, is_active, sample_units, sample_currency) "
            "SELECT p.id, p.merchant_id, 'SKU-' || p.id || '-' || n, '', '{}', 500, 1, TRUE, "
            "0, '' "
            "FROM catalog_product p CROSS JOIN generate_series(1, %s) n",
            [VARIANTS_PER_PRODUCT],
        )
        print("  writing prices and stock ...", flush=True)
        cursor.execute(
            "INSERT INTO catalog_price (variant_id, merchant_id, marketplace_id, currency, "
            "amount_minor, min_quantity) "
            "SELECT v.id, v.merchant_id, %s, 'EUR', 500 + (v.id * 7919) %% 20000, 1 "
            "FROM catalog_variant v",
            [info.id],
        )
        cursor.execute(
            "INSERT INTO catalog_stocklevel (variant_id, warehouse_id, merchant_id, "
            "units_on_hand, updated_at) "
            "SELECT v.id, w.id, v.merchant_id, (v.id %% %s) * 3, now() "
            "FROM catalog_variant v JOIN catalog_warehouse w ON w.merchant_id = v.merchant_id",
            [5],
        )
    print(f"  ANALYZE ... ({time.perf_counter() - started:.0f} s so far)", flush=True)
    analyze()
    print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return GENERATED_MARKETPLACE


# --- measuring ----------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index] * 1000


def timed(function: Callable[[], Any], rounds: int) -> list[float]:
    function()
    function()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def search_arguments(params: dict[str, str], marketplace_id: int, currency: str) -> dict[str, Any]:
    """The arguments the search page passes to product_search for ``params``."""
    page = int(params.get("page", "1"))
    return {
        "marketplace_id": marketplace_id,
        "currency": currency,
        "q": params.get("q") or None,
        "in_stock_only": params.get("in_stock") == "on",
        "sort": params.get("sort") or "relevance",
        "limit": PAGE_SIZE,
        "offset": (page - 1) * PAGE_SIZE,
    }


def capture(arguments: dict[str, Any]) -> list[tuple[str, Any]]:
    from django.db import connection

    from fiera.catalog import selectors

    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        selectors.product_search(**arguments)
    return statements


def replay(raw: Any, statements: list[tuple[str, Any]], vendor: str) -> Callable[[], None]:
    prepared = [
        (sql.replace("%s", "?") if vendor == "sqlite" else sql, list(params or []))
        for sql, params in statements
    ]

    def run() -> None:
        for sql, params in prepared:
            cursor = raw.cursor()
            cursor.execute(sql, params)
            cursor.fetchall()
            cursor.close()

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--generate", type=int, default=0, metavar="VARIANTS")
    parser.add_argument("--marketplace", default=None, help="slug (default: the first active)")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--trade",
        action="store_true",
        help="the trade marketplace's listing and supplier search (see trade_main)",
    )
    parser.add_argument("--listings", type=int, default=TRADE_LISTINGS, help="with --trade")
    parser.add_argument(
        "--regenerate", action="store_true", help="with --trade: rebuild the cached database"
    )
    parser.add_argument(
        "--pavilion",
        type=int,
        default=0,
        metavar="COMPANIES",
        help="with --trade: the pavilion landing page's search instead, COMPANIES of the "
        "generated suppliers admitted (e.g. 950; see pavilion_main)",
    )
    args = parser.parse_args(argv)
    if args.trade:
        return trade_main(args)
    url = args.database_url or (DEFAULT_GENERATED_URL if args.generate else None)
    if not url:
        parser.error("--database-url is required without --generate")
    if args.generate:
        if url.startswith("sqlite"):
            parser.error("--generate writes with PostgreSQL's generate_series: use PostgreSQL")
        print(f"preparing {url.split('@')[-1]} ...", flush=True)
        prepare_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from fiera.catalog import selectors
    from fiera.marketplaces.models import Marketplace

    if args.generate:
        call_command("migrate", interactive=False, verbosity=0)
        slug = generate(args.generate)
    else:
        analyze()  # a database fresh from bulk loads has no planner statistics yet
        slug = args.marketplace or str(
            Marketplace.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("slug", flat=True)[0]
        )
    marketplace = Marketplace.objects.get(slug=slug)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM catalog_product), "
            "(SELECT COUNT(*) FROM catalog_variant), (SELECT COUNT(*) FROM catalog_price)"
        )
        products, variants, prices = cursor.fetchone()
    raw = raw_connection(url)
    client = Client()
    print(
        f"\nSearch benchmark on {vendor} ({url.split('@')[-1]}): {products:,} products, "
        f"{variants:,} variants, {prices:,} prices; marketplace {slug} "
        f"({marketplace.default_currency}); {args.rounds} rounds, one request at a time"
    )
    header = (
        f"  {'query':<24} {'results':>8}  {'page p50':>8} {'p95':>7}  "
        f"{'search p50':>10} {'p95':>7}  {'raw SQL p50':>11} {'p95':>7}  {'search/raw':>10}"
    )
    print(header)
    worst_page = 0.0
    for label, params in QUERY_MIX:
        url_path = f"/m/{slug}/search?{urlencode(params)}" if params else f"/m/{slug}/search"
        response = client.get(url_path)
        if response.status_code != 200:
            print(f"  {label:<24} HTTP {response.status_code}")
            continue
        arguments = search_arguments(params, marketplace.pk, marketplace.default_currency)
        found = selectors.product_search(**arguments)
        page_times = timed(functools.partial(client.get, url_path), args.rounds)
        search_times = timed(functools.partial(selectors.product_search, **arguments), args.rounds)
        statements = [s for s in capture(arguments) if "catalog_product" in s[0]]
        raw_times = timed(replay(raw, statements, vendor), args.rounds)
        total = f"{found.total:,}{'' if found.total_exact else '+'}"
        ratio = statistics.median(search_times) / statistics.median(raw_times)
        worst_page = max(worst_page, percentile(page_times, 95))
        print(
            f"  {label:<24} {total:>8}  {percentile(page_times, 50):8.1f} "
            f"{percentile(page_times, 95):7.1f}  {percentile(search_times, 50):10.1f} "
            f"{percentile(search_times, 95):7.1f}  {percentile(raw_times, 50):11.1f} "
            f"{percentile(raw_times, 95):7.1f}  {ratio:9.2f}x",
            flush=True,
        )
    raw.close()
    print(
        f"\nms; page = the whole request in-process (test client), search = "
        f"product_search, raw SQL = its statements through the bare driver. "
        f"Worst page p95: {worst_page:.1f} ms (target on the demo data: under 100 ms)."
    )
    return 0


# --- trade: the B2B marketplace's listing and supplier search ------------------------------
#
#     .venv/bin/python bench/search.py --trade [--database-url URL] [--listings 1000000]
#                                      [--rounds 20] [--regenerate]
#
# Generates (once: the database is kept and reused while it holds the same number of
# listings; --regenerate rebuilds it) a trade marketplace with ``--listings`` products,
# one variant and one USD price each, over one merchant per TRADE_PER_MERCHANT listings
# spread over the 20 Italian regions, each with a supplier profile; a third of them with
# a valid business licence, a fifth with a valid on-site audit, some with expired checks;
# MOQs 1/10/50/100/500, origins mostly IT. Bulk SQL: INSERT ... SELECT over
# generate_series (PostgreSQL) or a recursive CTE (SQLite). Then, for each query of
# TRADE_MIX, p50/p95 of GET /api/v1/trade/search/... (test client, in process), of
# ``fiera.trade.search`` alone, and of its statements replayed through the bare driver.

TRADE_LISTINGS = 1_000_000
TRADE_PER_MERCHANT = 500
TRADE_MARKETPLACE = "bench-trade"
DEFAULT_TRADE_URL = f"sqlite:///{ROOT / 'var' / 'bench_trade_search.sqlite3'}"

# (label, kind, API query string)
TRADE_MIX: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("browse (no words)", "listings", {}),
    ("olio", "listings", {"q": "olio"}),
    ("olive oil", "listings", {"q": "olive oil"}),
    ("橄榄油", "listings", {"q": "橄榄油"}),
    ("vino, audit", "listings", {"q": "vino", "level": "audit"}),
    ("olio, MOQ<=50, licence", "listings", {"q": "olio", "max_moq": "50", "level": "licence"}),
    ("pecorino, IT-52, IT", "listings", {"q": "pecorino", "region": "IT-52", "origin": "IT"}),
    ("category food, ES", "listings", {"category": "food", "origin": "ES"}),
    ("audit only, page 50", "listings", {"level": "audit", "offset": "980"}),
    ("no match: zzzz", "listings", {"q": "zzzz"}),
    ("suppliers: browse", "suppliers", {}),
    ("suppliers: olio", "suppliers", {"q": "olio"}),
    ("suppliers: 红酒, audit", "suppliers", {"q": "红酒", "level": "audit"}),
    ("suppliers: bench 7", "suppliers", {"q": "bench 7"}),
    ("suppliers: IT-25, MOQ<=10", "suppliers", {"region": "IT-25", "max_moq": "10"}),
)


def _trade_generated(listings: int) -> bool:
    """True when the database already holds the generated trade marketplace of that size."""
    from django.db import connection

    with connection.cursor() as cursor:
        if "marketplaces_marketplace" not in connection.introspection.table_names(cursor):
            return False
        cursor.execute(
            "SELECT COUNT(*) FROM marketplaces_marketplace WHERE slug = %s", [TRADE_MARKETPLACE]
        )
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT COUNT(*) FROM catalog_product")
        return int(cursor.fetchone()[0]) == listings


def generate_trade(listings: int) -> None:
    """Write the trade marketplace (see the section's comment) in bulk."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone
    from stdnum import luhn

    from fiera.accounts.roles import SYSTEM
    from fiera.catalog import search
    from fiera.catalog.models import Category
    from fiera.common.reference import italian_regions
    from fiera.demo import vocabulary as vocab
    from fiera.marketplaces.services import marketplace_create
    from fiera.merchants.models import Merchant, Store
    from fiera.trade.models import SupplierProfile, SupplierVerification

    started = time.perf_counter()
    now = timezone.now()
    info = marketplace_create(
        slug=TRADE_MARKETPLACE,
        name="Bench trade",
        kind="b2b_trade",
        languages=["en", "it", "zh-hans"],
        default_language="en",
        default_currency="USD",
        countries={"US": "USD", "DE": "USD", "CN": "USD"},
        actor_role=SYSTEM,
    )
    for root_slug, (root_name, children) in vocab.CATEGORY_TREE.items():
        root = Category.objects.create(
            slug=root_slug, name_it=root_name.it, name_en=root_name.en, name_zh=root_name.zh
        )
        for slug, name in children:
            Category.objects.create(
                slug=slug, parent=root, name_it=name.it, name_en=name.en, name_zh=name.zh
            )
    categories = dict(Category.objects.values_list("slug", "pk"))
    regions = [r.code for r in italian_regions()]
    count = max(1, listings // TRADE_PER_MERCHANT)
    merchants = []
    for m in range(count):
        body = f"{2_000_000 + m:07d}001"
        merchants.append(
            Merchant(
                slug=f"bench-{m}",
                legal_name=f"Bench {m} S.r.l.",
                display_name=f"Bench {m}",
                vat_number=f"IT{body}{luhn.calc_check_digit(body)}",
                region_code=regions[m % len(regions)],
            )
        )
    merchants = Merchant.objects.bulk_create(merchants, batch_size=1000)
    Store.objects.bulk_create(
        [
            Store(merchant=m, marketplace_id=info.id, slug=m.slug, name=m.display_name)
            for m in merchants
        ],
        batch_size=1000,
    )
    pitches = list(vocab.PITCHES.values())
    profiles = SupplierProfile.objects.bulk_create(
        [
            SupplierProfile(
                merchant=m,
                capabilities_it=pitches[k % len(pitches)].it,
                capabilities_en=pitches[k % len(pitches)].en,
                capabilities_zh=pitches[k % len(pitches)].zh,
                updated_at=now,
                search_document=search.document(
                    [
                        m.display_name,
                        pitches[k % len(pitches)].it,
                        pitches[k % len(pitches)].en,
                        pitches[k % len(pitches)].zh,
                    ]
                ),
            )
            for k, m in enumerate(merchants)
        ],
        batch_size=1000,
    )
    checks = []
    for k, profile in enumerate(profiles):
        for kind, every, days in (("licence", 3, 300), ("audit", 5, 200), ("licence", 7, -10)):
            if k % every == 0:
                checks.append(
                    SupplierVerification(
                        profile=profile,
                        kind=kind,
                        inspection_body="Bench Inspect" if kind == "audit" else "",
                        evidence="trade/evidence/bench.pdf",
                        checked_at=now - timedelta(days=400),
                        expires_at=now + timedelta(days=days),
                    )
                )
    SupplierVerification.objects.bulk_create(checks, batch_size=1000)
    templates = [
        (k, categories.get(t[0]), *t[1:], search.document(t[1:4]), search.document(t[4:7]))
        for k, t in enumerate(_templates())
    ]
    first = min(m.pk for m in merchants)
    sqlite = connection.vendor == "sqlite"
    series = (
        "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %s) "
        "SELECT g FROM s) gs"
        if sqlite
        else "generate_series(1, %s) gs(g)"
    )
    created = (
        "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || g || ' seconds')"
        if sqlite
        else "now() - g * interval '1 second'"
    )
    origin = "CASE g %% 10 WHEN 0 THEN 'ES' WHEN 1 THEN 'FR' WHEN 2 THEN 'CN' ELSE 'IT' END"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_template (k int PRIMARY KEY, category_id bigint, "
            "name_it text, name_en text, name_zh text, description_it text, "
            "description_en text, description_zh text, search_names text, "
            "search_descriptions text)"
        )
        cursor.executemany(
            "INSERT INTO bench_template VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            templates,
        )
        print(f"  {count:,} suppliers; writing {listings:,} listings ...", flush=True)
        cursor.execute(
            "INSERT INTO catalog_product (merchant_id, slug, category_id, name_it, name_en, "
            "name_zh, description_it, description_en, description_zh, hs_code, "
            "origin_country, is_active, created_at, search_names, search_descriptions, "
            "incoterm, incoterm_place, payment_terms) "
            f"SELECT %s + (g %% %s), 'p-' || g, t.category_id, t.name_it, t.name_en, "
            f"t.name_zh, t.description_it, t.description_en, t.description_zh, '090121', "
            f"{origin}, TRUE, {created}, t.search_names, t.search_descriptions, '', '', '' "
            f"FROM {series} JOIN bench_template t ON t.k = g %% %s",
            [first, count, listings, len(templates)],
        )
        print(f"  writing variants and prices ... ({time.perf_counter() - started:.0f} s)")
        cursor.execute(
            "INSERT INTO catalog_variant (product_id, merchant_id, sku, label, attributes, "
            "weight_grams, min_order_quantity, is_active, sample_units, sample_currency) "
            "SELECT p.id, p.merchant_id, 'SKU-' || p.id, '', '{}', 500, "
            "CASE p.id %% 5 WHEN 0 THEN 1 WHEN 1 THEN 10 WHEN 2 THEN 50 WHEN 3 THEN 100 "
            "ELSE 500 END, TRUE, 0, '' FROM catalog_product p",
            [],
        )
        cursor.execute(
            "INSERT INTO catalog_price (variant_id, merchant_id, marketplace_id, currency, "
            "amount_minor, min_quantity) "
            "SELECT v.id, v.merchant_id, %s, 'USD', 300 + (v.id * 7919) %% 20000, 1 "
            "FROM catalog_variant v",
            [info.id],
        )
        cursor.execute("DROP TABLE bench_template")
    print(f"  ANALYZE ... ({time.perf_counter() - started:.0f} s so far)", flush=True)
    analyze()
    print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)


def _trade_schema() -> None:
    """Migrate the bench database."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def trade_capture(call: Callable[[], Any]) -> list[tuple[str, Any]]:
    from django.db import connection

    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        call()
    return statements


def trade_database(args: argparse.Namespace, url: str) -> None:
    """Set Django up on ``url``, generating the trade marketplace unless it is there."""
    os.environ["DATABASE_URL"] = url
    if args.regenerate:
        print(f"preparing {url.split('@')[-1]} ...", flush=True)
        prepare_database(url)
    elif url.startswith("sqlite"):
        Path(urlsplit(url).path).parent.mkdir(parents=True, exist_ok=True)
    else:
        import psycopg

        parts = urlsplit(url)
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            name = parts.path.lstrip("/")
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                prepare_database(url)
    setup_django(url)
    from django.db import connection

    if not _trade_generated(args.listings):
        if not args.regenerate:
            connection.close()
            prepare_database(url)
        print(f"generating {args.listings:,} listings in {url.split('@')[-1]} ...", flush=True)
        _trade_schema()
        generate_trade(args.listings)
    else:
        print(f"reusing the generated database {url.split('@')[-1]} (--regenerate rebuilds it)")
        analyze()


def trade_main(args: argparse.Namespace) -> int:
    url = args.database_url or DEFAULT_TRADE_URL
    trade_database(args, url)
    if args.pavilion:
        return pavilion_main(args, url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from fiera.trade import search as trade_search

    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM catalog_product), "
            "(SELECT COUNT(*) FROM trade_supplierprofile), "
            "(SELECT COUNT(*) FROM trade_supplierverification)"
        )
        listings, profiles, checks = cursor.fetchone()
    raw = raw_connection(url)
    client = Client()
    now = timezone.now()
    print(
        f"\nTrade search benchmark on {vendor} ({url.split('@')[-1]}): {listings:,} listings, "
        f"{profiles:,} suppliers, {checks:,} verifications; {args.rounds} rounds, one at a time"
    )
    print(
        f"  {'query':<28} {'results':>8}  {'API p50':>7} {'p95':>7}  {'search p50':>10} "
        f"{'p95':>7}  {'raw SQL p50':>11} {'p95':>7}  {'search/raw p95':>14}"
    )
    worst = 0.0
    for label, kind, params in TRADE_MIX:
        path = (
            f"/api/v1/trade/search/{kind}?{urlencode({**params, 'marketplace': TRADE_MARKETPLACE})}"
        )
        reply = client.get(path)
        if reply.status_code != 200:
            print(f"  {label:<28} HTTP {reply.status_code} {reply.content[:200]!r}")
            continue
        arguments = {
            "kind": kind,
            "marketplace_slug": TRADE_MARKETPLACE,
            "now": now,
            **{k: v for k, v in params.items() if k not in ("offset",)},
            "offset": int(params.get("offset", "0")),
        }
        if "max_moq" in arguments:
            arguments["max_moq"] = int(arguments["max_moq"])
        call = functools.partial(trade_search.trade_search, **arguments)
        found = call()
        api_times = timed(functools.partial(client.get, path), args.rounds)
        search_times = timed(call, args.rounds)
        statements = [
            s
            for s in trade_capture(call)
            if "catalog_product" in s[0] or "trade_supplierprofile" in s[0]
        ]
        raw_times = timed(replay(raw, statements, vendor), args.rounds)
        total = f"{found.total:,}{'' if found.total_exact else '+'}"
        ratio = percentile(search_times, 95) / percentile(raw_times, 95)
        worst = max(worst, percentile(api_times, 95))
        print(
            f"  {label:<28} {total:>8}  {percentile(api_times, 50):7.1f} "
            f"{percentile(api_times, 95):7.1f}  {percentile(search_times, 50):10.1f} "
            f"{percentile(search_times, 95):7.1f}  {percentile(raw_times, 50):11.1f} "
            f"{percentile(raw_times, 95):7.1f}  {ratio:13.2f}x",
            flush=True,
        )
    raw.close()
    print(
        f"\nms; API = the whole GET in-process (test client), search = fiera.trade.search "
        f"(marketplace lookup, filter checks, the search statements), raw SQL = its search "
        f"statements through the bare driver. Worst API p95: {worst:.1f} ms."
    )
    return 0


# --- pavilion: the search on a pavilion's landing page -------------------------------------
#
#     .venv/bin/python bench/search.py --trade --pavilion 950 [--listings 1000000]
#                                      [--database-url URL] [--rounds 20]
#
# On the generated trade marketplace (above), a pavilion whose admitted companies are the
# first COMPANIES generated suppliers (written directly: the bench's listings have mixed
# origins, which the application rules would refuse). For each query of PAVILION_MIX,
# p50/p95 of GET /trade/pavilions/<slug>/ (test client, in process: the search, the
# companies by region, the cached live figures, the template), of the selector the page
# calls (``trade.selectors.pavilion_listing_search``) and of its search statements replayed
# through the bare driver.

PAVILION_SLUG = "bench-pavilion"
PAVILION_PAGE_SIZE = 12  # trade.views.PAVILION_PAGE_SIZE

# (label, landing page query string)
PAVILION_MIX: tuple[tuple[str, dict[str, str]], ...] = (
    ("browse (no words)", {}),
    ("browse, page 40", {"page": "40"}),
    ("olio", {"q": "olio"}),
    ("olive oil", {"q": "olive oil"}),
    ("橄榄油", {"q": "橄榄油"}),
    ("no match: zzzz", {"q": "zzzz"}),
    ("category food", {"category": "food"}),
    ("barolo, category wine", {"q": "barolo", "category": "wine"}),
)


def pavilion_admit(companies: int) -> Any:
    """The bench pavilion with the first ``companies`` generated suppliers admitted (made
    again when the number differs); returns its ``PavilionInfo``."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from fiera.marketplaces.models import Marketplace
    from fiera.merchants.models import Merchant
    from fiera.partners.models import Partner
    from fiera.trade import selectors
    from fiera.trade.models import Pavilion, PavilionApplication

    now = timezone.now()
    with transaction.atomic():
        pavilion = Pavilion.objects.filter(slug=PAVILION_SLUG).first()
        if pavilion is not None and pavilion.admitted_count == companies:
            return selectors.pavilion_get(slug=PAVILION_SLUG)
        if pavilion is not None:
            PavilionApplication.objects.filter(pavilion=pavilion).delete()
            pavilion.delete()
        partner, _ = Partner.objects.get_or_create(
            slug="bench-agency",
            defaults={"name": "Bench agency", "type": "trade_agency", "created_at": now},
        )
        merchants = list(
            Merchant.objects.filter(slug__startswith="bench-")
            .order_by("pk")
            .values_list("pk", flat=True)[:companies]
        )
        pavilion = Pavilion.objects.create(
            slug=PAVILION_SLUG,
            name_it="Padiglione bench",
            name_en="Bench pavilion",
            name_zh="基准馆",
            marketplace=Marketplace.objects.get(slug=TRADE_MARKETPLACE),
            partner=partner,
            country="IT",
            quota=max(len(merchants), 1),
            admitted_count=len(merchants),
            created_at=now,
        )
        PavilionApplication.objects.bulk_create(
            [
                PavilionApplication(
                    pavilion=pavilion,
                    merchant_id=mid,
                    motivation="bench",
                    status="admitted",
                    created_at=now,
                    decided_at=now,
                    admitted_at=now,
                    sponsorship_ends_at=now + timedelta(days=730),
                )
                for mid in merchants
            ],
            batch_size=1000,
        )
    analyze()
    return selectors.pavilion_get(slug=PAVILION_SLUG)


def pavilion_main(args: argparse.Namespace, url: str) -> int:
    from django.db import connection
    from django.test import Client

    from fiera.trade import selectors

    pavilion = pavilion_admit(args.pavilion)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM catalog_product), "
            "(SELECT COUNT(*) FROM trade_supplierprofile), "
            "(SELECT COUNT(*) FROM catalog_product p JOIN trade_pavilionapplication a "
            "ON a.merchant_id = p.merchant_id AND a.status = 'admitted' AND a.pavilion_id = %s)",
            [pavilion.id],
        )
        listings, suppliers, theirs = cursor.fetchone()
    raw = raw_connection(url)
    if vendor == "postgresql":  # as the search plans its statements (SET LOCAL, decision 0020)
        raw.execute("SET jit = off")
    client = Client()
    print(
        f"\nPavilion search benchmark on {vendor} ({url.split('@')[-1]}): {listings:,} "
        f"listings, {suppliers:,} suppliers; pavilion of {pavilion.admitted:,} admitted "
        f"companies holding {theirs:,} listings; {args.rounds} rounds, one at a time"
    )
    print(
        f"  {'query':<24} {'results':>8}  {'page p50':>8} {'p95':>7}  {'search p50':>10} "
        f"{'p95':>7}  {'raw SQL p50':>11} {'p95':>7}  {'search/raw p95':>14}"
    )
    worst = 0.0
    for label, params in PAVILION_MIX:
        path = f"/trade/pavilions/{PAVILION_SLUG}/?{urlencode(params)}"
        reply = client.get(path)
        if reply.status_code != 200:
            print(f"  {label:<24} HTTP {reply.status_code}")
            continue
        page = int(params.get("page", "1"))
        call = functools.partial(
            selectors.pavilion_listing_search,
            pavilion=pavilion,
            q=params.get("q") or None,
            category_slug=params.get("category") or None,
            limit=PAVILION_PAGE_SIZE,
            offset=(page - 1) * PAVILION_PAGE_SIZE,
        )
        found = call()
        page_times = timed(functools.partial(client.get, path), args.rounds)
        search_times = timed(call, args.rounds)
        statements = [s for s in trade_capture(call) if "catalog_product" in s[0]]
        raw_times = timed(replay(raw, statements, vendor), args.rounds)
        total = f"{found.total:,}{'' if found.total_exact else '+'}"
        ratio = percentile(search_times, 95) / percentile(raw_times, 95)
        worst = max(worst, percentile(search_times, 95))
        print(
            f"  {label:<24} {total:>8}  {percentile(page_times, 50):8.1f} "
            f"{percentile(page_times, 95):7.1f}  {percentile(search_times, 50):10.1f} "
            f"{percentile(search_times, 95):7.1f}  {percentile(raw_times, 50):11.1f} "
            f"{percentile(raw_times, 95):7.1f}  {ratio:13.2f}x",
            flush=True,
        )
    raw.close()
    print(
        f"\nms; page = GET /trade/pavilions/<slug>/ in-process (test client), search = "
        f"trade.selectors.pavilion_listing_search (admitted companies, the search, the "
        f"covers), raw SQL = its search statements through the bare driver. Worst search "
        f"p95: {worst:.1f} ms."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
