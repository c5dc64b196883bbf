"""Festival country ranking: read from the GMV rollup vs a GROUP BY over the orders.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/fiera_bench_ftally \\
        .venv/bin/python bench/festival_ranking.py [--orders 10000000] [--merchants 2000]

PostgreSQL only. The database named in DATABASE_URL is dropped and created again (and
dropped at the end unless --keep). What it does:

1. migrates, seeds ``--merchants`` merchants over 30 countries, three marketplaces, one buyer
   and a published 24-hour festival on the marketplaces;
2. inserts ``--orders`` orders straight into orders_order with INSERT .. SELECT over
   generate_series (in chunks of 1,000,000, printing progress): plausible columns, placed
   over the festival's 24 hours, 2 % cancelled, a few partly refunded, 8 buyer countries;
3. builds their tallies with one INSERT .. SELECT .. GROUP BY into festivals_gmvtally (the
   cells the live subscriber would have written: minute x merchant x marketplace x buyer
   country; one category), converting EUR at 1.05 half-even;
4. builds the rollups (GmvMerchantTotal, GmvMinute) from the cells with INSERT .. SELECT ..
   GROUP BY (``tallies.rebuild_rollups``), as the subscriber keeps them beside the cells;
5. ANALYZE, then times (p50 of 5 runs each, after one warm-up) the top-10 country ranking
   through ``fiera.festivals.figures.country_ranking`` (the rollup) against the equivalent
   GROUP BY over orders joined to merchants and over the tally cells, checks that all give
   the same countries, times ``figures.festival_live`` (the dashboard's poll), and prints
   the times, the ratio and the table sizes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkout import prepare_database, setup_django  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/fiera_bench_ftally"
COUNTRIES = [
    *("IT", "CN", "US", "DE", "FR", "ES", "GB", "JP", "KR", "NL", "BE", "AT", "CH", "PL", "SE"),
    *("DK", "FI", "NO", "PT", "IE", "GR", "CZ", "HU", "RO", "AU", "CA", "BR", "MX", "IN", "TR"),
]
BUYER_COUNTRIES = ("CN", "IT", "US", "DE", "FR", "ES", "JP", "KR")
START = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)
CHUNK = 1_000_000


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def seed(merchants: int) -> tuple[int, list[int], int, int]:
    from django.contrib.auth import get_user_model

    from fiera.festivals.models import Festival
    from fiera.marketplaces.models import Marketplace
    from fiera.merchants.models import Merchant

    now = datetime.now(UTC)
    Merchant.objects.bulk_create(
        [
            Merchant(
                slug=f"maker-{i}",
                legal_name=f"Maker {i} S.r.l.",
                display_name=f"Maker {i}",
                vat_number=f"IT{i:011d}",
                country=COUNTRIES[i % len(COUNTRIES)],
                created_at=now,
            )
            for i in range(merchants)
        ],
        batch_size=5_000,
    )
    markets = [
        Marketplace.objects.create(
            slug=f"market-{i}",
            name=f"Market {i}",
            kind="b2c_domestic",
            default_currency="EUR",
            languages=["en"],
            default_language="en",
        )
        for i in range(3)
    ]
    buyer = get_user_model().objects.create(
        username="bench-buyer",
        role="buyer",
        buyer_kind="consumer",
        password="!",  # noqa: S106 (unusable)
    )
    fest = Festival.objects.create(
        slug="bench-1111",
        name="11.11 bench",
        warmup_starts_at=START - timedelta(days=1),
        starts_at=START,
        ends_at=START + timedelta(days=1),
        is_published=True,
        created_at=now,
    )
    fest.marketplaces.set(markets)
    first = Merchant.objects.order_by("id").values_list("id", flat=True).first()
    assert first is not None
    return fest.pk, [m.pk for m in markets], buyer.pk, int(first)


def insert_orders(
    n: int, *, markets: list[int], buyer_id: int, first_merchant: int, merchants: int
) -> None:
    from django.db import connection

    from fiera.orders.models import Order

    table = Order._meta.db_table
    buyer_list = "ARRAY[" + ",".join(f"'{c}'" for c in BUYER_COUNTRIES) + "]"
    market_list = "ARRAY[" + ",".join(str(m) for m in markets) + "]"
    # every NOT NULL column: computed ones here, the rest from the model's defaults
    computed = {
        "checkout_id": "g",
        "number": "'B' || g",
        "buyer_id": str(buyer_id),
        # a skewed merchant mix: a few merchants sell much more than the rest
        "merchant_id": f"{first_merchant} + floor(power(random(), 2) * {merchants})::int",
        "marketplace_id": f"({market_list})[1 + g %% {len(markets)}]",
        "status": "CASE WHEN g %% 50 = 0 THEN 'cancelled' WHEN g %% 97 = 0 THEN 'delivered' "
        "ELSE 'placed' END",
        "currency": "'EUR'",
        "subtotal_minor": "t.total",
        "tax_minor": "0",
        "total_minor": "t.total",
        "refunded_minor": "CASE WHEN g %% 97 = 0 THEN t.total / 3 ELSE 0 END",
        "payment_method": "'cod'",
        "ship_name": "'Bench Buyer'",
        "ship_line1": "'Via Roma 1'",
        "ship_city": "'Milano'",
        "ship_postal_code": "'20100'",
        "ship_country": f"({buyer_list})[1 + (g / 7) %% {len(BUYER_COUNTRIES)}]",
        "placed_at": f"'{START.isoformat()}'::timestamptz + (g %% 86400) * interval '1 second'",
    }
    columns, exprs, params = [], [], []
    for field in Order._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in computed:
            columns.append(field.column)
            exprs.append(computed[field.column])
        elif not field.null:
            columns.append(field.column)
            exprs.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    done = 0
    while done < n:
        upto = min(done + CHUNK, n)
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
            f"FROM generate_series({done + 1}::bigint, {upto}::bigint) AS g, "
            "LATERAL (SELECT (500 + (g * 7919) %% 49500)::bigint AS total) AS t"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        done = upto
        log(f"orders: {done:,} / {n:,}")


def build_tallies(festival_id: int) -> None:
    from django.db import connection

    from fiera.festivals.models import GmvTally
    from fiera.merchants.models import Merchant
    from fiera.orders.models import Order

    usd = "round((o.total_minor - o.refunded_minor) * 1.05)"  # numeric: half-even not needed here
    sql = (
        f"INSERT INTO {GmvTally._meta.db_table} (merchant_id, festival_id, phase, minute, "
        "marketplace_id, merchant_country, buyer_country, category_id, orders, units, "
        "gmv_usd_minor) "
        f"SELECT o.merchant_id, %s, 'live', date_trunc('minute', o.placed_at), o.marketplace_id, "
        f"m.country, o.ship_country, 0, count(*), 2 * count(*), sum({usd})::bigint "
        f"FROM {Order._meta.db_table} o JOIN {Merchant._meta.db_table} m ON m.id = o.merchant_id "
        "WHERE o.status <> 'cancelled' "
        "GROUP BY o.merchant_id, date_trunc('minute', o.placed_at), o.marketplace_id, m.country, "
        "o.ship_country"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [festival_id])
        log(f"tallies: {cursor.rowcount:,} cells")
        cursor.execute("ANALYZE")


def build_rollups(festival_id: int) -> tuple[int, int]:
    """The rollups the live subscriber writes beside the cells (GmvMerchantTotal,
    GmvMinute), built with INSERT .. SELECT .. GROUP BY over the generated cells
    (``fiera.festivals.tallies.rebuild_rollups``); their row counts."""
    from django.db import connection

    from fiera.festivals import tallies

    tallies.rebuild_rollups(festival_id=festival_id)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE festivals_gmvmerchanttotal")
        cursor.execute("ANALYZE festivals_gmvminute")
        cursor.execute(
            "SELECT (SELECT count(*) FROM festivals_gmvmerchanttotal), "
            "(SELECT count(*) FROM festivals_gmvminute)"
        )
        merchant_rows, minute_rows = cursor.fetchone()
    log(f"rollups: {merchant_rows:,} merchant rows, {minute_rows:,} minute rows")
    return int(merchant_rows), int(minute_rows)


def over_cells(festival_id: int) -> list[tuple[str, int, int]]:
    """The ranking as it read the tally cells before the rollup (for comparison)."""
    from django.db import connection

    sql = (
        "SELECT merchant_country, sum(gmv_usd_minor)::bigint AS gmv, "
        "count(DISTINCT merchant_id) FILTER (WHERE orders > 0) "
        "FROM festivals_gmvtally WHERE festival_id = %s AND phase = 'live' "
        "GROUP BY merchant_country ORDER BY gmv DESC, merchant_country LIMIT 10"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [festival_id])
        return [(c, int(g), int(n)) for c, g, n in cursor.fetchall()]


def over_orders(festival_id: int, markets: list[int]) -> list[tuple[str, int, int]]:
    from django.db import connection

    sql = (
        "SELECT m.country, sum(round((o.total_minor - o.refunded_minor) * 1.05))::bigint AS gmv, "
        "count(DISTINCT o.merchant_id) FROM orders_order o "
        "JOIN merchants_merchant m ON m.id = o.merchant_id "
        "WHERE o.marketplace_id = ANY(%s) AND o.placed_at >= %s AND o.placed_at < %s "
        "AND o.status <> 'cancelled' GROUP BY m.country ORDER BY gmv DESC, m.country LIMIT 10"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [markets, START, START + timedelta(days=1)])
        return [(c, int(g), int(n)) for c, g, n in cursor.fetchall()]


def timed(func, runs: int = 5) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    func()  # warm-up
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--merchants", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help="do not drop the database after")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        raise SystemExit("this bench needs PostgreSQL (DATABASE_URL=postgresql://...)")
    prepare_database(url)
    setup_django(url, "bench-festival-ranking-secret-key-0123456789")
    try:
        from django.core.management import call_command

        from fiera.accounts.roles import SYSTEM
        from fiera.festivals import figures

        call_command("migrate", verbosity=0)
        festival_id, markets, buyer_id, first = seed(args.merchants)
        t0 = time.perf_counter()
        insert_orders(
            args.orders,
            markets=markets,
            buyer_id=buyer_id,
            first_merchant=first,
            merchants=args.merchants,
        )
        log(f"inserted {args.orders:,} orders in {time.perf_counter() - t0:.0f} s")
        build_tallies(festival_id)
        rollup_rows, minute_rows = build_rollups(festival_id)

        def ranking() -> list[tuple[str, int, int]]:
            rows = figures.country_ranking(festival_id=festival_id, actor_role=SYSTEM, limit=10)
            return [(r.country, r.gmv_usd_minor, r.merchants) for r in rows]

        def live() -> object:
            return figures.festival_live(
                slug="bench-1111", now=START + timedelta(hours=12), actor_role=SYSTEM
            )

        tally_s, from_tallies = timed(ranking)
        orders_s, from_orders = timed(lambda: over_orders(festival_id, markets))
        same = from_tallies == from_orders
        cells_s, from_cells = timed(lambda: over_cells(festival_id))
        same = same and from_cells == from_orders
        live_s, _ = timed(live)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('orders_order')), "
                "pg_size_pretty(pg_total_relation_size('festivals_gmvtally')), "
                "(SELECT count(*) FROM festivals_gmvtally)"
            )
            orders_size, tally_size, cells = cursor.fetchone()
        print()
        print(f"orders: {args.orders:,} ({orders_size}); tally cells: {cells:,} ({tally_size})")
        print(f"merchants: {args.merchants:,} over {len(COUNTRIES)} countries")
        print(f"rollups: GmvMerchantTotal {rollup_rows:,} rows, GmvMinute {minute_rows:,} rows")
        print(
            "top-10 countries from the rollup (figures.country_ranking): "
            f"{tally_s * 1000:.2f} ms p50"
        )
        print(f"same, GROUP BY over the tally cells: {cells_s * 1000:.1f} ms p50")
        print(f"same, GROUP BY over orders JOIN merchants: {orders_s * 1000:.1f} ms p50")
        print(f"ratio orders / rollup: {orders_s / tally_s:.0f}x; same answer: {same}")
        print(f"figures.festival_live (the dashboard's 3 s poll): {live_s * 1000:.2f} ms p50")
        print("top 3:", from_tallies[:3])
        return 0 if same else 1
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            from urllib.parse import urlsplit, urlunsplit

            import psycopg

            parts = urlsplit(url)
            admin = urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
            log("database dropped")


if __name__ == "__main__":
    raise SystemExit(main())
