"""Flash-sale benchmark: one hot SKU on PostgreSQL, three ways of taking its units.

    .venv/bin/python bench/flash_sale.py [--database-url URL] [--seconds 5] [--clients 32]
        [--buckets 4,8,16,32] [--units 20000] [--batch 64] [--keep]
        [--http-seconds 8] [--http-clients 16] [--http-rounds 2] [--workers N] [--threads 4]
        [--http-buyers 6000] [--hot-units 200000] [--broker URL] [--no-http | --http-only]

Default database: postgresql://postgres@127.0.0.1:5432/fiera_bench_flash (dropped, created
and migrated with bench/checkout.py's ``prepare_database``; dropped again at the end unless
``--keep``; DATABASE_URL is used when set). It seeds one merchant, one variant, one
festival and a pool of buyers, plus a bench-only table ``bench_flash_order`` standing for
the order rows. Every measured run gets a flash sale of its own (``--units`` units, default
50,000 so that it does not sell out during the run even at 6,000 orders/s; per-buyer limit
2, 1 unit per order, buyers drawn at random from a pool of 50,000 so that a few attempts go
over the limit), and ``--clients`` threads, each with its own psycopg connection
(autocommit off), buy from it for ``--seconds`` seconds (or ``--max-orders`` orders, or
until it sells out):

(a) **single conditional UPDATE** (bucket_count 1): per order one transaction with what
    the checkout's flash part does: the per-buyer upsert (INSERT .. ON CONFLICT DO UPDATE
    .. WHERE units + excluded.units <= limit RETURNING), the bucket UPDATE (.. WHERE
    units_left >= q RETURNING), the order-like INSERT, COMMIT;
(b) **bucketed** (bucket_count in ``--buckets``): the same, the bucket picked by a
    subselect that starts at the buyer's own bucket (buyer id mod n) and falls back to any
    bucket with units, the outer UPDATE re-checking ``units_left >= q``;
(c) **batching**: one writer thread collects the clients' requests from a queue (up to
    ``--batch`` or 2 ms), and per batch runs ONE transaction: lock the batch's buyer rows,
    ONE bucket UPDATE for the batch's total (or what is left), one multi-row buyer upsert,
    one multi-row order INSERT, COMMIT; then answers each waiting client (accepted, sold
    out, over the limit). Every client still waits for its batch's commit.

Also: (a) with 1 client (the single-connection baseline of one statement-per-order
transaction through raw psycopg), (a)'s SQL through ``pgbench -c 32 -T 6`` when pgbench
is installed, and sold-out runs (1,000 units) of (a), (b) with the largest bucket count
and (c), which must sell exactly the 1,000 units.

Per run it prints orders/s, p50/p95/p99 latency (ms, every answered attempt), units sold
vs allocated, attempts by outcome, and the checks: oversold (sum(units_sold) +
sum(units_left) == allocated, no bucket below 0, the order rows' units == sold, the
clients' accepted units == sold) and buyer-limit violations (buyer rows over the limit,
buyers whose order rows add up to more than the limit).

Then the HTTP section (bench/flash_http.py, skipped with ``--no-http``, alone with
``--http-only``), in the same database: the real checkout API (``fiera serve``: gunicorn,
``--workers`` x ``--threads``) driven by ``--http-clients`` threads POSTing
/api/v1/checkout (COD, Idempotency-Key), beside the statements of one checkout (captured
on the real view) replayed raw through psycopg from as many threads, one transaction per
order: the raw-SQL limit. Two scenarios, ``--http-seconds`` each way (in
``--http-rounds`` alternating slices): one hot SKU (a live
flash sale, 8 buckets, limit 2 per buyer) and 10,000 SKUs with stock; then a 300-unit
flash sale stormed until sold out. Printed: attempts, orders/s, p50/p95/p99, errors by
kind, units sold vs allocated and oversold from the database, HTTP/raw for both scenarios,
the hot SKU's captured checkout through pgbench where it is installed, and a compact table
at the end. Exit status 1 if any check fails (anything oversold, an
order answered but not stored, a 5xx, a replay error).
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from checkout import prepare_database, setup_django  # bench/checkout.py: run from bench/
from flash_http import Section, run_section  # bench/flash_http.py: the HTTP section

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/fiera_bench_flash"
PER_BUYER_LIMIT = 2
UNITS_PER_ORDER = 1
BUYERS = 50_000  # x the limit of 2: few attempts go over the limit
SOLD_OUT_UNITS = 1_000
BATCH_WAIT = 0.002

ORDER_TABLE = """
CREATE TABLE IF NOT EXISTS bench_flash_order (
    id bigserial PRIMARY KEY,
    buyer bigint NOT NULL,
    flash bigint NOT NULL,
    units int NOT NULL,
    at timestamptz NOT NULL
)
"""

BUYER_UPSERT = """
INSERT INTO festivals_flashsalebuyer (merchant_id, flash_sale_id, buyer_id, units, updated_at)
VALUES (%(merchant)s, %(flash)s, %(buyer)s, %(q)s, now())
ON CONFLICT (merchant_id, flash_sale_id, buyer_id) DO UPDATE
SET units = festivals_flashsalebuyer.units + excluded.units, updated_at = excluded.updated_at
WHERE festivals_flashsalebuyer.units + excluded.units <= %(limit)s
RETURNING units
"""

BUCKET_UPDATE = """
UPDATE festivals_flashsalebucket
SET units_left = units_left - %(q)s, units_sold = units_sold + %(q)s
WHERE merchant_id = %(merchant)s AND id = %(bucket)s AND units_left >= %(q)s
RETURNING units_left
"""

BUCKETED_UPDATE = """
UPDATE festivals_flashsalebucket
SET units_left = units_left - %(q)s, units_sold = units_sold + %(q)s
WHERE merchant_id = %(merchant)s AND units_left >= %(q)s AND id = (
    SELECT id FROM festivals_flashsalebucket
    WHERE merchant_id = %(merchant)s AND flash_sale_id = %(flash)s AND units_left >= %(q)s
    ORDER BY ((number - %(start)s + %(n)s) %% %(n)s) LIMIT 1
)
RETURNING number
"""

ANY_LEFT = """
SELECT EXISTS (
    SELECT 1 FROM festivals_flashsalebucket
    WHERE merchant_id = %(merchant)s AND flash_sale_id = %(flash)s AND units_left >= %(q)s
)
"""

ORDER_INSERT = """
INSERT INTO bench_flash_order (buyer, flash, units, at)
VALUES (%(buyer)s, %(flash)s, %(q)s, now())
"""

# (c): the batch's statements
BATCH_LOCK_BUYERS = """
SELECT buyer_id, units FROM festivals_flashsalebuyer
WHERE merchant_id = %(merchant)s AND flash_sale_id = %(flash)s AND buyer_id = ANY(%(buyers)s)
FOR UPDATE
"""

BATCH_BUCKET_UPDATE = """
WITH old AS (
    SELECT id, units_left FROM festivals_flashsalebucket
    WHERE merchant_id = %(merchant)s AND id = %(bucket)s FOR UPDATE
)
UPDATE festivals_flashsalebucket AS b
SET units_left = b.units_left - LEAST(old.units_left, %(total)s),
    units_sold = b.units_sold + LEAST(old.units_left, %(total)s)
FROM old WHERE b.merchant_id = %(merchant)s AND b.id = old.id
RETURNING LEAST(old.units_left, %(total)s)
"""

BATCH_GIVE_BACK = """
UPDATE festivals_flashsalebucket
SET units_left = units_left + %(units)s, units_sold = units_sold - %(units)s
WHERE merchant_id = %(merchant)s AND id = %(bucket)s
"""

BATCH_BUYER_UPSERT = """
INSERT INTO festivals_flashsalebuyer (merchant_id, flash_sale_id, buyer_id, units, updated_at)
SELECT %(merchant)s, %(flash)s, t.buyer, t.units, now()
FROM unnest(%(buyers)s::bigint[], %(units)s::int[]) AS t(buyer, units)
ON CONFLICT (merchant_id, flash_sale_id, buyer_id) DO UPDATE
SET units = festivals_flashsalebuyer.units + excluded.units, updated_at = excluded.updated_at
WHERE festivals_flashsalebuyer.units + excluded.units <= %(limit)s
RETURNING buyer_id
"""

BATCH_ORDER_INSERT = """
INSERT INTO bench_flash_order (buyer, flash, units, at)
SELECT t.buyer, %(flash)s, t.units, now()
FROM unnest(%(buyers)s::bigint[], %(units)s::int[]) AS t(buyer, units)
"""


def _pgbench_sql(sql: str) -> str:
    """A statement above on one line, its %(name)s parameters as pgbench's :name."""
    return " ".join(re.sub(r"%\((\w+)\)s", r":\1", sql).split())


# (a)'s transaction for pgbench: the same three statements; the two conditional ones
# wrapped so that \gset always gets a row (0 or 1) and \if can roll back as the clients do
PGBENCH_SCRIPT = "\n".join(
    [
        "\\set buyer random(:lo, :hi)",
        "BEGIN;",
        f"WITH u AS ({_pgbench_sql(BUYER_UPSERT)}) SELECT count(*) AS held FROM u \\gset",
        "\\if :held",
        f"WITH b AS ({_pgbench_sql(BUCKET_UPDATE)}) SELECT count(*) AS got FROM b \\gset",
        "\\if :got",
        f"{_pgbench_sql(ORDER_INSERT)};",
        "COMMIT;",
        "\\else",
        "ROLLBACK;",
        "\\endif",
        "\\else",
        "ROLLBACK;",
        "\\endif",
        "",
    ]
)

ACCEPTED, SOLD_OUT, OVER_LIMIT = "accepted", "sold out", "over limit"
_HOT = threading.local()  # .at: when this thread's bucket UPDATE returned (its row locked)


# --- the world ----------------------------------------------------------------------------


@dataclass
class World:
    merchant: int
    festival: int
    variant: int
    warehouse: int
    buyers: list[int]


@dataclass
class Sale:
    id: int
    merchant: int
    units: int
    limit: int
    buckets: list[int]  # bucket ids by number


def seed() -> World:
    from django.db import connection
    from django.utils import timezone
    from stdnum import luhn

    from fiera.accounts.models import BuyerKind, Role, User
    from fiera.catalog.models import Product, Variant, Warehouse
    from fiera.festivals.models import Festival
    from fiera.merchants.models import Merchant

    now = timezone.now()
    body = "2000000001"  # 10 digits + the Luhn check digit: an Italian VAT number
    merchant = Merchant.objects.create(
        slug="bench-flash",
        legal_name="Bench Flash S.r.l.",
        display_name="Bench Flash",
        vat_number=f"IT{body}{luhn.calc_check_digit(body)}",
        region_code="IT-25",
    )
    warehouse = Warehouse.objects.create(merchant=merchant, code="main", name="Main")
    product = Product.objects.create(
        merchant=merchant,
        slug="hot",
        name_it="Prodotto caldo",
        name_en="Hot product",
        name_zh="爆款",
        hs_code="150920",
    )
    variant = Variant.objects.create(product=product, merchant=merchant, sku="HOT-1")
    festival = Festival.objects.create(
        slug="bench-11-11",
        name="Bench 11.11",
        warmup_starts_at=now - timedelta(days=1),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        is_published=True,
        created_at=now,
    )
    users = []
    for n in range(BUYERS):
        user = User(
            username=f"bench-flash-buyer-{n}",
            role=Role.BUYER,
            buyer_kind=BuyerKind.CONSUMER,
            country="CN",
            date_joined=now,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=2000)
    buyers = list(
        User.objects.filter(username__startswith="bench-flash-buyer-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(ORDER_TABLE)
    return World(merchant.pk, festival.pk, variant.pk, warehouse.pk, buyers)


def new_sale(world: World, units: int, bucket_count: int) -> Sale:
    from django.db import transaction
    from django.utils import timezone

    from fiera.festivals.models import FlashSale, FlashSaleBucket

    now = timezone.now()
    with transaction.atomic():
        sale = FlashSale.objects.create(
            merchant_id=world.merchant,
            festival_id=world.festival,
            variant_id=world.variant,
            warehouse_id=world.warehouse,
            currency="CNY",
            price_minor=9_900,
            quantity=units,
            per_buyer_limit=PER_BUYER_LIMIT,
            bucket_count=bucket_count,
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
            created_at=now,
        )
        buckets = FlashSaleBucket.objects.bulk_create(
            FlashSaleBucket(
                merchant_id=world.merchant,
                flash_sale=sale,
                number=n,
                units_left=units // bucket_count + (1 if n < units % bucket_count else 0),
            )
            for n in range(bucket_count)
        )
    return Sale(sale.pk, world.merchant, units, PER_BUYER_LIMIT, [b.pk for b in buckets])


# --- results and checks -------------------------------------------------------------------


@dataclass
class Result:
    name: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, every answered attempt
    outcomes: Counter[str] = field(default_factory=Counter)
    accepted_units: int = 0
    holds: list[float] = field(default_factory=list)  # bucket UPDATE returned .. COMMIT done
    commits: list[float] = field(default_factory=list)  # COMMIT alone
    note: str = ""

    def hold_text(self) -> str:
        if not self.holds:
            return ""
        holds = sorted(self.holds)
        return (
            f"bucket row held (UPDATE returned .. COMMIT returned): mean "
            f"{sum(holds) / len(holds) * 1000:.2f} ms, p95 "
            f"{holds[int(len(holds) * 0.95)] * 1000:.2f} ms; COMMIT alone mean "
            f"{sum(self.commits) / len(self.commits) * 1000:.2f} ms"
        )

    @property
    def rate(self) -> float:
        return self.outcomes[ACCEPTED] / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000


@dataclass
class Check:
    allocated: int
    sold: int
    left: int
    order_units: int
    buyer_units: int
    negative_buckets: int
    buyers_over_limit: int
    order_buyers_over_limit: int
    client_units: int | None

    @property
    def oversold(self) -> int:
        return max(0, self.sold - self.allocated, self.order_units - self.allocated)

    @property
    def limit_violations(self) -> int:
        return self.buyers_over_limit + self.order_buyers_over_limit

    @property
    def ok(self) -> bool:
        return (
            self.sold + self.left == self.allocated
            and self.negative_buckets == 0
            and self.order_units == self.sold == self.buyer_units
            and (self.client_units is None or self.client_units == self.sold)
            and self.oversold == 0
            and self.limit_violations == 0
        )


def row_of(conn: Any, sql: str, params: list[Any]) -> tuple[Any, ...]:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return tuple(row)


def check(url: str, sale: Sale, client_units: int | None) -> Check:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        sold, left, negative = row_of(
            conn,
            "SELECT COALESCE(SUM(units_sold), 0), COALESCE(SUM(units_left), 0), "
            "COUNT(*) FILTER (WHERE units_left < 0) "
            "FROM festivals_flashsalebucket WHERE merchant_id = %s AND flash_sale_id = %s",
            [sale.merchant, sale.id],
        )
        (order_units,) = row_of(
            conn,
            "SELECT COALESCE(SUM(units), 0) FROM bench_flash_order WHERE flash = %s",
            [sale.id],
        )
        buyer_units, over = row_of(
            conn,
            "SELECT COALESCE(SUM(units), 0), COUNT(*) FILTER (WHERE units > %s) "
            "FROM festivals_flashsalebuyer WHERE merchant_id = %s AND flash_sale_id = %s",
            [sale.limit, sale.merchant, sale.id],
        )
        (order_over,) = row_of(
            conn,
            "SELECT COUNT(*) FROM (SELECT buyer FROM bench_flash_order WHERE flash = %s "
            "GROUP BY buyer HAVING SUM(units) > %s) t",
            [sale.id, sale.limit],
        )
    return Check(
        sale.units,
        int(sold),
        int(left),
        int(order_units),
        int(buyer_units),
        int(negative),
        int(over),
        int(order_over),
        client_units,
    )


# --- (a) and (b): one transaction per order -----------------------------------------------


def buy_single(cur: Any, sale: Sale, buyer: int, q: int) -> str:
    params = {
        "merchant": sale.merchant,
        "flash": sale.id,
        "buyer": buyer,
        "q": q,
        "limit": sale.limit,
        "bucket": sale.buckets[0],
    }
    cur.execute(BUYER_UPSERT, params)
    if cur.fetchone() is None:
        return OVER_LIMIT
    cur.execute(BUCKET_UPDATE, params)
    if cur.fetchone() is None:
        return SOLD_OUT
    _HOT.at = time.perf_counter()
    cur.execute(ORDER_INSERT, params)
    return ACCEPTED


def buy_bucketed(cur: Any, sale: Sale, buyer: int, q: int) -> str:
    n = len(sale.buckets)
    params = {
        "merchant": sale.merchant,
        "flash": sale.id,
        "buyer": buyer,
        "q": q,
        "limit": sale.limit,
        "start": buyer % n,
        "n": n,
    }
    cur.execute(BUYER_UPSERT, params)
    if cur.fetchone() is None:
        return OVER_LIMIT
    # the subselect's pick may be drained by the time its row lock is granted (the outer
    # re-check then updates nothing): try again while some bucket still has units
    for _ in range(n + 1):
        cur.execute(BUCKETED_UPDATE, params)
        if cur.fetchone() is not None:
            _HOT.at = time.perf_counter()
            cur.execute(ORDER_INSERT, params)
            return ACCEPTED
        cur.execute(ANY_LEFT, params)
        if not cur.fetchone()[0]:
            return SOLD_OUT
    return SOLD_OUT


def load_per_order(
    url: str,
    sale: Sale,
    buyers: list[int],
    clients: int,
    seconds: float,
    max_orders: int,
    buy: Callable[[Any, Sale, int, int], str],
    name: str,
    stop_when_sold_out: bool,
) -> Result:
    import psycopg

    result = Result(name, clients)
    lock = threading.Lock()
    stop = threading.Event()
    connections = [psycopg.connect(url, autocommit=False) for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        rng = random.Random(index)
        conn = connections[index]
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()
        holds: list[float] = []
        commits: list[float] = []
        units = 0
        barrier.wait()
        with conn.cursor() as cur:
            while not stop.is_set():
                buyer = rng.choice(buyers)
                started = time.perf_counter()
                try:
                    outcome = buy(cur, sale, buyer, UNITS_PER_ORDER)
                    if outcome == ACCEPTED:
                        committing = time.perf_counter()
                        conn.commit()
                        done = time.perf_counter()
                        holds.append(done - _HOT.at)
                        commits.append(done - committing)
                    else:
                        conn.rollback()
                except psycopg.Error as exc:
                    conn.rollback()
                    outcome = f"error {type(exc).__name__}"
                latencies.append(time.perf_counter() - started)
                outcomes[outcome] += 1
                if outcome == ACCEPTED:
                    units += UNITS_PER_ORDER
                    if max_orders and outcomes[ACCEPTED] * clients >= max_orders:
                        break
                if outcome == SOLD_OUT and stop_when_sold_out:
                    break
        with lock:
            result.latencies.extend(latencies)
            result.outcomes.update(outcomes)
            result.accepted_units += units
            result.holds.extend(holds)
            result.commits.extend(commits)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    deadline = started + seconds
    while any(t.is_alive() for t in threads) and time.perf_counter() < deadline:
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    for conn in connections:
        conn.close()
    result.note = result.hold_text()
    return result


# --- (c): batching ------------------------------------------------------------------------


@dataclass
class Request:
    buyer: int
    q: int
    done: threading.Event = field(default_factory=threading.Event)
    outcome: str = ""


class BatchWriter:
    """One thread, one connection: takes up to ``batch`` requests (or what arrives within
    2 ms of the first), applies them in one transaction, answers each."""

    def __init__(self, url: str, sale: Sale, batch: int) -> None:
        import psycopg

        self.sale = sale
        self.batch = batch
        self.requests: queue.Queue[Request] = queue.Queue()
        self.conn = psycopg.connect(url, autocommit=False)
        self.stop = threading.Event()
        self.batches: list[int] = []
        self.statements: list[float] = []  # per batch: its statements, before COMMIT
        self.holds: list[float] = []
        self.commits: list[float] = []
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        import psycopg

        while not self.stop.is_set():
            try:
                first = self.requests.get(timeout=0.05)
            except queue.Empty:
                continue
            batch = [first]
            until = time.perf_counter() + BATCH_WAIT
            while len(batch) < self.batch:
                left = until - time.perf_counter()
                if left <= 0:
                    break
                try:
                    batch.append(self.requests.get(timeout=left))
                except queue.Empty:
                    break
            self.batches.append(len(batch))
            try:
                _HOT.at = 0.0
                started = time.perf_counter()
                self.apply(batch)
                committing = time.perf_counter()
                self.conn.commit()
                done = time.perf_counter()
                self.statements.append(committing - started)
                self.commits.append(done - committing)
                if _HOT.at:
                    self.holds.append(done - _HOT.at)
            except psycopg.Error as exc:
                self.conn.rollback()
                for request in batch:
                    request.outcome = f"error {type(exc).__name__}"
            for request in batch:
                request.done.set()
        self.conn.close()

    def apply(self, batch: list[Request]) -> None:
        sale = self.sale
        base = {"merchant": sale.merchant, "flash": sale.id, "limit": sale.limit}
        with self.conn.cursor() as cur:
            cur.execute(BATCH_LOCK_BUYERS, {**base, "buyers": sorted({r.buyer for r in batch})})
            held: dict[int, int] = dict(cur.fetchall())
            wanted = []
            for request in batch:  # in arrival order
                if held.get(request.buyer, 0) + request.q > sale.limit:
                    request.outcome = OVER_LIMIT
                else:
                    held[request.buyer] = held.get(request.buyer, 0) + request.q
                    wanted.append(request)
            if not wanted:
                return
            total = sum(r.q for r in wanted)
            cur.execute(BATCH_BUCKET_UPDATE, {**base, "bucket": sale.buckets[0], "total": total})
            row = cur.fetchone()
            _HOT.at = time.perf_counter()
            remaining = int(row[0]) if row else 0
            by_buyer: Counter[int] = Counter()
            for request in wanted:
                if request.q <= remaining:
                    remaining -= request.q
                    request.outcome = ACCEPTED
                    by_buyer[request.buyer] += request.q
                else:
                    request.outcome = SOLD_OUT
            if remaining:
                cur.execute(
                    BATCH_GIVE_BACK, {**base, "bucket": sale.buckets[0], "units": remaining}
                )
            if not by_buyer:
                return
            buyers = list(by_buyer)
            units = [by_buyer[b] for b in buyers]
            cur.execute(BATCH_BUYER_UPSERT, {**base, "buyers": buyers, "units": units})
            if len(cur.fetchall()) != len(buyers):  # a writer elsewhere got in between
                raise RuntimeError("buyer rows changed under the batch")
            accepted = [r for r in wanted if r.outcome == ACCEPTED]
            cur.execute(
                BATCH_ORDER_INSERT,
                {**base, "buyers": [r.buyer for r in accepted], "units": [r.q for r in accepted]},
            )


def load_batched(
    url: str,
    sale: Sale,
    buyers: list[int],
    clients: int,
    seconds: float,
    max_orders: int,
    batch: int,
    name: str,
    stop_when_sold_out: bool,
) -> Result:
    result = Result(name, clients)
    writer = BatchWriter(url, sale, batch)
    writer.thread.start()
    lock = threading.Lock()
    stop = threading.Event()
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        rng = random.Random(index)
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()
        units = 0
        barrier.wait()
        while not stop.is_set():
            request = Request(rng.choice(buyers), UNITS_PER_ORDER)
            started = time.perf_counter()
            writer.requests.put(request)
            request.done.wait()
            latencies.append(time.perf_counter() - started)
            outcomes[request.outcome] += 1
            if request.outcome == ACCEPTED:
                units += request.q
                if max_orders and outcomes[ACCEPTED] * clients >= max_orders:
                    break
            if request.outcome == SOLD_OUT and stop_when_sold_out:
                break
        with lock:
            result.latencies.extend(latencies)
            result.outcomes.update(outcomes)
            result.accepted_units += units

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    deadline = started + seconds
    while any(t.is_alive() for t in threads) and time.perf_counter() < deadline:
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    writer.stop.set()
    writer.thread.join()
    if writer.batches:
        sizes = sorted(writer.batches)
        result.note = (
            f"{len(sizes)} batches, mean {sum(sizes) / len(sizes):.1f} requests, "
            f"median {sizes[len(sizes) // 2]}, max {sizes[-1]}; per batch: statements "
            f"{sum(writer.statements) / len(sizes) * 1000:.2f} ms, then COMMIT "
            f"{sum(writer.commits) / len(sizes) * 1000:.2f} ms"
        )
        result.holds, result.commits = writer.holds, writer.commits
        if result.holds:
            result.note += "\n  " + " " * 24 + " " + result.hold_text()
    return result


# --- pgbench ------------------------------------------------------------------------------


def run_pgbench(url: str, sale: Sale, buyers: list[int], clients: int, seconds: int) -> Result:
    result = Result("pgbench (a)", clients)
    lo, hi = min(buyers), max(buyers)
    assert hi - lo + 1 == len(buyers), "buyer ids are not contiguous"
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "flash.sql"
        script.write_text(PGBENCH_SCRIPT)
        command = [
            "pgbench",
            "-n",
            "-M",
            "prepared",
            "-c",
            str(clients),
            "-j",
            str(min(clients, os.cpu_count() or 1)),
            "-T",
            str(seconds),
            "-l",
            "--log-prefix",
            str(Path(tmp) / "log"),
            "-f",
            str(script),
            "-D",
            f"lo={lo}",
            "-D",
            f"hi={hi}",
            "-D",
            f"merchant={sale.merchant}",
            "-D",
            f"flash={sale.id}",
            "-D",
            f"bucket={sale.buckets[0]}",
            "-D",
            f"limit={sale.limit}",
            "-D",
            f"q={UNITS_PER_ORDER}",
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            result.note = f"pgbench failed: {done.stderr.strip()[-400:]}"
            return result
        for log in Path(tmp).glob("log*"):
            for row in log.read_text().splitlines():
                fields = row.split()
                if len(fields) >= 3:
                    result.latencies.append(int(fields[2]) / 1e6)
        tps = re.search(r"tps = ([0-9.]+)", done.stdout)
        result.note = f"pgbench: {tps.group(1) if tps else '?'} scripts/s (any outcome)"
    result.seconds = float(seconds)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        (orders,) = row_of(
            conn, "SELECT COUNT(*) FROM bench_flash_order WHERE flash = %s", [sale.id]
        )
    result.outcomes[ACCEPTED] = int(orders)
    result.outcomes["other (over limit / sold out)"] = len(result.latencies) - int(orders)
    return result


# --- main ---------------------------------------------------------------------------------


def line(result: Result, checked: Check) -> str:
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result.outcomes.items()))
    text = (
        f"  {result.name:<24} {result.rate:8.1f} orders/s  "
        f"p50 {result.percentile(50):6.1f}  p95 {result.percentile(95):6.1f}  "
        f"p99 {result.percentile(99):6.1f} ms  "
        f"sold {checked.sold}/{checked.allocated}  oversold {checked.oversold}  "
        f"limit violations {checked.limit_violations}  "
        f"{'ok' if checked.ok else 'CHECK FAILED'}\n"
        f"  {'':<24} {result.seconds:.1f} s, {result.clients} clients; {outcomes}"
    )
    if result.note:
        text += f"\n  {'':<24} {result.note}"
    if not checked.ok:
        text += f"\n  {'':<24} {checked}"
    return text


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sql_section(
    args: argparse.Namespace, url: str, bucket_counts: list[int]
) -> tuple[bool, list[tuple[Result, Check]]]:
    """The SQL-level strategies on one hot flash sale: (every check passed, the runs)."""
    from django.db import connection, connections

    world = seed()
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connections.close_all()

    rows: list[tuple[Result, Check]] = []

    def measured(name: str, units: int, bucket_count: int, run: Callable[[Sale], Result]) -> None:
        sale = new_sale(world, units, bucket_count)
        connections.close_all()
        print(f"  running {name} ...", flush=True)
        result = run(sale)
        client_units = None if name.startswith("pgbench") else result.accepted_units
        checked = check(url, sale, client_units)
        rows.append((result, checked))
        print(line(result, checked), flush=True)

    def per_order(
        name: str, clients: int, buy: Callable[..., str], sold_out: bool = True
    ) -> Callable[[Sale], Result]:
        return lambda sale: load_per_order(
            url,
            sale,
            world.buyers,
            clients,
            args.seconds,
            args.max_orders,
            buy,
            name,
            sold_out,
        )

    def batched(name: str, sold_out: bool = True) -> Callable[[Sale], Result]:
        return lambda sale: load_batched(
            url,
            sale,
            world.buyers,
            args.clients,
            args.seconds,
            args.max_orders,
            args.batch,
            name,
            sold_out,
        )

    print(
        f"\nFlash-sale benchmark on PostgreSQL {version} ({url.split('@')[-1]}), "
        f"synchronous_commit={sync}, {os.cpu_count()} cores shared by PostgreSQL and the "
        f"load generator; {args.clients} clients, {args.seconds:.0f} s per run, "
        f"{args.units} units, per-buyer limit {PER_BUYER_LIMIT}, {len(world.buyers)} buyers, "
        f"{UNITS_PER_ORDER} unit per order",
        flush=True,
    )
    c = args.clients
    measured("(a) 1 client (baseline)", args.units, 1, per_order("(a) 1 client", 1, buy_single))
    measured("(a) single UPDATE", args.units, 1, per_order("(a) single UPDATE", c, buy_single))
    for n in bucket_counts:
        name = f"(b) {n} buckets"
        measured(name, args.units, n, per_order(name, c, buy_bucketed))
    measured(f"(c) batching, B={args.batch}", args.units, 1, batched(f"(c) batch B={args.batch}"))
    if shutil.which("pgbench"):
        measured(
            "pgbench (a)",
            args.units,
            1,
            lambda sale: run_pgbench(url, sale, world.buyers, c, args.pgbench_seconds),
        )
    else:
        print("  pgbench is not installed: no pgbench comparison", flush=True)

    print(f"\nSold-out runs ({SOLD_OUT_UNITS} units; must sell exactly {SOLD_OUT_UNITS}):")
    measured("(a) sold out", SOLD_OUT_UNITS, 1, per_order("(a) sold out", c, buy_single, True))
    if bucket_counts:
        n = max(bucket_counts)
        measured(
            f"(b) {n} buckets sold out",
            SOLD_OUT_UNITS,
            n,
            per_order(f"(b) {n} buckets sold out", c, buy_bucketed, True),
        )
    measured("(c) sold out", SOLD_OUT_UNITS, 1, batched("(c) sold out", True))

    print("\nSummary (orders/s; ratio against (a) with the same clients):")
    base = next((r for r, _ in rows if r.name == "(a) single UPDATE"), None)
    for result, checked in rows:
        ratio = f"{result.rate / base.rate:6.2f}x" if base and base.rate else ""
        print(
            f"  {result.name:<26} {result.rate:8.1f}  {ratio}  p99 {result.percentile(99):6.1f} "
            f"ms  oversold {checked.oversold}  limit violations {checked.limit_violations}"
        )
    sold_out_ok = all(c.sold == SOLD_OUT_UNITS for r, c in rows if r.name.endswith("sold out"))
    good = all(checked.ok for _, checked in rows) and sold_out_ok
    print(
        f"\nChecks: {'all ok' if good else 'FAILED'} (0 oversold, 0 over the buyer limit, "
        f"orders == units sold, sold-out runs sold every unit: {sold_out_ok})"
    )
    return good, rows


def http_section(args: argparse.Namespace, url: str) -> Section:
    """The real checkout over HTTP beside its SQL replayed raw (bench/flash_http.py)."""
    print(
        f"\nHTTP: the checkout API (POST /api/v1/checkout, COD, Idempotency-Key) on gunicorn "
        f"beside the same checkout's statements replayed raw through psycopg; "
        f"{os.cpu_count()} cores shared by PostgreSQL, gunicorn and the load generator",
        flush=True,
    )
    return run_section(
        url,
        clients=args.http_clients,
        seconds=args.http_seconds,
        workers=args.workers,
        threads=args.threads,
        pool=args.http_buyers,
        hot_units=args.hot_units,
        broker=args.broker,
        rounds=args.http_rounds,
    )


def summary(
    args: argparse.Namespace, rows: list[tuple[Result, Check]], section: Section | None
) -> str:
    """The compact table at the end."""
    out = ["", "Summary"]
    if section is not None:
        out.append(
            f"  HTTP vs raw SQL, {section.clients} clients each, gunicorn {section.workers} "
            f"workers x {section.threads} threads:"
        )
        out.append(
            f"  {'scenario':<14} {'HTTP/s':>8} {'raw/s':>8} {'HTTP/raw':>9} {'p50':>7} "
            f"{'p95':>7} {'p99':>7} {'queries':>8} {'oversold':>9}"
        )
        for s in section.scenarios:
            out.append(
                f"  {s.name:<14} {s.http.rate:8.1f} {s.raw.rate:8.1f} {s.ratio:9.0%} "
                f"{s.http.percentile(50):7.1f} {s.http.percentile(95):7.1f} "
                f"{s.http.percentile(99):7.1f} {s.statements:8d} {s.oversold:9d}"
            )
        for s in section.scenarios:
            if s.pgbench is not None:
                ratio = f"{s.http.rate / s.pgbench.rate:9.0%}" if s.pgbench.rate else f"{'':>9}"
                out.append(
                    f"  {s.name + ' pgb':<14} {'':>8} {s.pgbench.rate:8.1f} {ratio} "
                    f"{s.pgbench.percentile(50):7.1f} {s.pgbench.percentile(95):7.1f} "
                    f"{s.pgbench.percentile(99):7.1f}  (the captured checkout through pgbench; "
                    f"latencies: pgbench's)"
                )
        if section.sold_out and section.sold_out_check:
            checked = section.sold_out_check
            out.append(
                f"  {'sold out':<14} {section.sold_out.rate:8.1f} {'':>8} {'':>9} "
                f"{section.sold_out.percentile(50):7.1f} {section.sold_out.percentile(95):7.1f} "
                f"{section.sold_out.percentile(99):7.1f} {'':>8} {checked.oversold:9d}  "
                f"({checked.sold} of {checked.allocated} sold)"
            )
        out.append("  (latencies: HTTP, ms; raw SQL latencies are in the lines above)")
    if rows:
        out.append(f"  hot row, SQL strategies ({args.clients} clients, orders/s, p99 ms):")
        for result, checked in rows:
            if result.name.endswith("sold out"):
                continue
            out.append(
                f"    {result.name:<26} {result.rate:8.1f}  p99 {result.percentile(99):6.1f}  "
                f"oversold {checked.oversold}"
            )
        hot = section.scenarios[0] if section and section.scenarios else None
        batching = next((r for r, _ in rows if r.name.startswith("(c)")), None)
        if hot and batching and hot.raw.rate:
            out.append(
                f"  batching (c) {batching.rate:.0f}/s is {batching.rate / hot.raw.rate:.1f}x the "
                f"hot SKU's raw checkout ({hot.raw.rate:.0f}/s, one transaction per order) and "
                f"{batching.rate / hot.http.rate if hot.http.rate else 0:.1f}x its HTTP rate"
            )
    if not shutil.which("pgbench"):
        out.append("  pgbench: not installed, no pgbench lines")
    else:
        out.append(
            "  pgbench: 'pgbench (a)' is the hot row's flash transaction alone; 'hot SKU pgb' "
            "the whole captured checkout (-M simple); the 10,000 SKUs have no pgbench line"
        )
    if section is not None:
        targets = ", ".join(
            f"{s.name} {s.ratio:.0%} {'met' if s.ratio >= 0.5 else 'NOT met'}"
            for s in section.scenarios
        )
        out.append(f"  target HTTP >= 50% of raw: {targets}; oversold {section.oversold}")
        out.append(f"  {section.stored_text}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seconds", type=float, default=5.0, help="per strategy (default 5)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--buckets", default="4,8,16,32", help="bucket counts for (b)")
    parser.add_argument(
        "--units", type=int, default=50_000, help="units per measured sale (default 50,000)"
    )
    parser.add_argument("--batch", type=int, default=64, help="most requests per batch (c)")
    parser.add_argument(
        "--max-orders", type=int, default=0, help="also stop a run after about this many orders"
    )
    parser.add_argument("--pgbench-seconds", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    http = parser.add_argument_group("HTTP section (bench/flash_http.py)")
    http.add_argument(
        "--http-seconds", type=float, default=8.0, help="per HTTP or raw run (default 8)"
    )
    http.add_argument("--http-clients", type=int, default=16, help="HTTP and raw (default 16)")
    http.add_argument(
        "--http-rounds",
        type=int,
        default=2,
        help="HTTP and raw take turns, this many slices each (default 2)",
    )
    http.add_argument(
        "--workers",
        type=int,
        default=max(2, 2 * (os.cpu_count() or 1)),
        help="gunicorn processes (default 2 x cores)",
    )
    http.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    http.add_argument(
        "--http-buyers", type=int, default=6_000, help="buyers per pool, HTTP and raw (6,000)"
    )
    http.add_argument(
        "--hot-units", type=int, default=200_000, help="the hot flash sale's units (200,000)"
    )
    http.add_argument(
        "--broker",
        default="",
        help="e.g. redis://127.0.0.1:6379/3: the server queues its outbox relay there (no "
        "worker runs it), so HTTP measures the request path alone; default: the relay runs "
        "on a thread of each worker, as shipped without a broker",
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--no-http", action="store_true", help="only the SQL strategies")
    only.add_argument("--http-only", action="store_true", help="only the HTTP section")
    args = parser.parse_args(argv)
    url = args.database_url
    if not url.startswith("postgres"):
        raise SystemExit("bench/flash_sale.py measures PostgreSQL: give a postgres:// URL")
    url = re.sub(r"^postgres://", "postgresql://", url)
    if "bench" not in urlsplit(url).path:
        # DATABASE_URL often names a working database: this one is dropped and created again
        raise SystemExit(f"refusing to drop {urlsplit(url).path.lstrip('/')!r}: use a *bench* name")
    bucket_counts = [int(n) for n in args.buckets.split(",") if n.strip()]

    print(f"preparing {url.split('@')[-1]} ...", flush=True)
    prepare_database(url)
    setup_django(url, secrets.token_urlsafe(50))
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    good = True
    rows: list[tuple[Result, Check]] = []
    if not args.http_only:
        good, rows = sql_section(args, url, bucket_counts)
    section = None
    if not args.no_http:
        section = http_section(args, url)
        good = section.ok and good
    print(summary(args, rows, section))
    print(f"\nExit: {'0, every check passed' if good else '1, a CHECK FAILED'}")
    if not args.keep:
        drop_database(url)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
