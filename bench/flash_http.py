"""The HTTP section of ``bench/flash_sale.py``: the real checkout over gunicorn, beside the
same checkout's SQL replayed raw through psycopg, in the same run and database.

Two scenarios, each measured over HTTP and raw at the same number of clients:

- **hot SKU**: one live flash sale (8 buckets, per-buyer limit 2) on one variant; every
  attempt buys 1 unit of it (the line names the flash sale);
- **10,000 SKUs**: 10,000 variants with stock, the festival live on the same
  marketplace (so the checkout runs its offers query); every attempt buys 1 unit of a
  random one (regular price and stock, no hot row).

HTTP: ``fiera serve`` (gunicorn, gthread) on a free port; ``clients`` threads with
keep-alive connections POST ``/api/v1/checkout`` (COD, a bearer token, a fresh
``Idempotency-Key``; a connection error is retried with the SAME key). Raw: the statements
one checkout executes, captured in-process on the real view (``connection.execute_wrapper``,
as ``bench/checkout.py`` does), replayed from the same number of threads, one transaction
per order, with fresh ids, keys, buyers and (10,000 SKUs) variants substituted; a replayed
flash take that returns no row rolls the order back, as the service does.

Where pgbench is installed, the hot SKU's captured checkout also runs through pgbench
(``-M simple``, ``pgbench_script``: parameters inlined, created ids from RETURNING with
``\\gset``, random buyers of a third pool, the flash take's refusals rolled back), the
orders it placed counted from the database.

Buyers take turns on the hot sale (each buyer twice, the limit, before the pool comes round
again), so "over limit" answers appear only when a pool runs out. The HTTP run and the raw
run use separate buyer pools. The hot sale's units are shared by the capture, the HTTP run
and the raw run; afterwards every unit is accounted for from the database (buckets, buyer
rows, order lines). A last, small flash sale is stormed over HTTP until it sells out (each
client stops at its first "sold out"; at most 60 s): it must sell exactly its units.

The server runs as shipped without a broker: the outbox relay (order mail, GMV tallies) on
a thread of each worker, on the same cores, work the raw replay does not do (it only
inserts the outbox rows, as the checkout does). ``broker`` (a Redis URL) makes the relay a
Celery task that nothing runs here, so that HTTP measures the request path alone.
"""

from __future__ import annotations

import hashlib
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from checkout import (  # bench/checkout.py: run from bench/
    ADDRESS,
    Buyer,
    Capture,
    Result,
    bump_sequences,
    capture_request,
    free_port,
    raw_connection,
    run_threads,
    server,
)

MARKETPLACE = "bench-flash-cn"
FESTIVAL = "bench-flash-http"
SKUS = 10_000
SKU_STOCK = 1_000_000
PRICE_MINOR = 9_900
FLASH_PRICE_MINOR = 4_900
HOT_BUCKETS = 8
HOT_LIMIT = 2
SOLD_OUT_UNITS = 300
CHECKOUT_PATH = "/api/v1/checkout"
_INSERT_TABLE = re.compile(r'^\s*INSERT\s+INTO\s+"?(\w+)"?', re.I)

PLACED, SOLD_OUT, OVER_LIMIT, OUT_OF_STOCK = "placed", "sold out", "over limit", "out of stock"
REFUSALS = {SOLD_OUT, OVER_LIMIT, OUT_OF_STOCK}


def _code(n: int) -> str:
    """The text that names SKU n in its sku and names: same length for every n, so a
    captured string can be turned into another SKU's by replacing it."""
    return f"K{n:05d}Q"


@dataclass
class Sku:
    variant: int
    product: int
    price: int
    stock: int
    code: str


@dataclass
class HttpWorld:
    marketplace: int
    merchant: int
    warehouse: int
    festival: int
    hot_variant: int
    hot_sale: int
    hot_units: int
    sold_out_variant: int
    skus: list[Sku]
    http_buyers: list[Buyer]
    raw_buyers: list[Buyer]
    pgbench_buyers: list[Buyer]
    spare_buyers: list[Buyer]  # the capture, the sold-out storm


def _buyers(prefix: str, count: int) -> list[Buyer]:
    from django.utils import timezone

    from fiera.accounts.models import ApiToken, BuyerKind, Role, User

    now = timezone.now()
    users = []
    for n in range(count):
        user = User(
            username=f"{prefix}-{n}",
            role=Role.BUYER,
            buyer_kind=BuyerKind.CONSUMER,
            country="CN",
            date_joined=now,
        )
        user.set_unusable_password()  # no key derivation: cheap
        users.append(user)
    User.objects.bulk_create(users, batch_size=2000)
    ids = list(
        User.objects.filter(username__startswith=f"{prefix}-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    keys = ["fk_" + secrets.token_urlsafe(32) for _ in ids]
    hashes = [hashlib.sha256(key.encode()).hexdigest() for key in keys]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user_id=uid, name="bench", prefix=key[3:11], key_sha256=digest)
            for uid, key, digest in zip(ids, keys, hashes, strict=True)
        ],
        batch_size=2000,
    )
    return [Buyer(uid, key, digest) for uid, key, digest in zip(ids, keys, hashes, strict=True)]


def _flash_sale(world_ids: dict[str, int], variant: int, units: int, buckets: int) -> int:
    from django.utils import timezone

    from fiera.festivals.models import FlashSale, FlashSaleBucket

    now = timezone.now()
    sale = FlashSale.objects.create(
        merchant_id=world_ids["merchant"],
        festival_id=world_ids["festival"],
        variant_id=variant,
        warehouse_id=world_ids["warehouse"],
        currency="CNY",
        price_minor=FLASH_PRICE_MINOR,
        quantity=units,
        per_buyer_limit=HOT_LIMIT,
        bucket_count=buckets,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        created_at=now - timedelta(hours=1),
    )
    FlashSaleBucket.objects.bulk_create(
        FlashSaleBucket(
            merchant_id=world_ids["merchant"],
            flash_sale=sale,
            number=n,
            units_left=units // buckets + (1 if n < units % buckets else 0),
        )
        for n in range(buckets)
    )
    return int(sale.pk)


def seed(hot_units: int, pool: int) -> HttpWorld:
    """Marketplace, merchant, 10,000 SKUs + the hot SKU + the sold-out SKU, a live festival
    with the hot flash sale, and three pools of buyers with an API token each. Call after
    ``bump_sequences``: the captured ids must be unambiguous."""
    from django.db import connection
    from django.utils import timezone
    from stdnum import luhn

    from fiera.accounts.roles import SYSTEM
    from fiera.catalog.models import Price, Product, StockLevel, Variant, Warehouse
    from fiera.festivals.models import Festival
    from fiera.marketplaces.services import marketplace_create
    from fiera.merchants.models import Merchant, Store
    from fiera.payments.models import FxRate

    now = timezone.now()
    info = marketplace_create(
        slug=MARKETPLACE,
        name="Bench Flash China",
        kind="b2c_domestic",
        languages=["en"],
        default_language="en",
        default_currency="CNY",
        countries={"CN": "CNY"},
        actor_role=SYSTEM,
    )
    body = "3000000001"
    merchant = Merchant.objects.create(
        slug="bench-flash-http",
        legal_name="Bench Flash HTTP S.r.l.",
        display_name="Bench Flash HTTP",
        vat_number=f"IT{body}{luhn.calc_check_digit(body)}",
        region_code="IT-25",
    )
    Store.objects.create(
        merchant=merchant, marketplace_id=info.id, slug=merchant.slug, name=merchant.display_name
    )
    warehouse = Warehouse.objects.create(merchant=merchant, code="main", name="Main")
    count = SKUS + 2  # the 10,000, then the hot SKU and the sold-out SKU
    codes = [_code(n) for n in range(count)]
    Product.objects.bulk_create(
        (
            Product(
                merchant=merchant,
                slug=f"item-{code.lower()}",
                name_it=f"Articolo {code}",
                name_en=f"Item {code}",
                name_zh=f"商品 {code}",
                hs_code="150920",
            )
            for code in codes
        ),
        batch_size=2000,
    )
    products = dict(
        Product.objects.filter(merchant=merchant).values_list("slug", "pk")
    )  # slug -> id
    Variant.objects.bulk_create(
        (
            Variant(product_id=products[f"item-{code.lower()}"], merchant=merchant, sku=f"B-{code}")
            for code in codes
        ),
        batch_size=2000,
    )
    variants = dict(Variant.objects.filter(merchant=merchant).values_list("sku", "pk"))
    Price.objects.bulk_create(
        (
            Price(
                variant_id=variants[f"B-{code}"],
                merchant=merchant,
                marketplace_id=info.id,
                currency="CNY",
                amount_minor=PRICE_MINOR,
                min_quantity=1,
            )
            for code in codes
        ),
        batch_size=2000,
    )
    StockLevel.objects.bulk_create(
        (
            StockLevel(
                variant_id=variants[f"B-{code}"],
                warehouse=warehouse,
                merchant=merchant,
                units_on_hand=SKU_STOCK,
            )
            for code in codes
        ),
        batch_size=2000,
    )
    prices = dict(Price.objects.filter(merchant=merchant).values_list("variant_id", "pk"))
    stocks = dict(StockLevel.objects.filter(merchant=merchant).values_list("variant_id", "pk"))
    skus = [
        Sku(
            variants[f"B-{code}"],
            products[f"item-{code.lower()}"],
            prices[variants[f"B-{code}"]],
            stocks[variants[f"B-{code}"]],
            code,
        )
        for code in codes
    ]
    festival = Festival.objects.create(
        slug=FESTIVAL,
        name="Bench Flash HTTP 11.11",
        warmup_starts_at=now - timedelta(days=1),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        is_published=True,
        created_at=now - timedelta(days=2),
    )
    festival.marketplaces.add(info.id)
    ids = {"merchant": merchant.pk, "festival": festival.pk, "warehouse": warehouse.pk}
    hot_sale = _flash_sale(ids, skus[SKUS].variant, hot_units, HOT_BUCKETS)
    for quote, rate in (("CNY", "7.8"), ("USD", "1.05")):  # the GMV tallies' USD figures
        FxRate.objects.update_or_create(
            quote=quote, date=now.date(), defaults={"rate_e9": int(Decimal(rate) * 10**9)}
        )
    world = HttpWorld(
        marketplace=info.id,
        merchant=merchant.pk,
        warehouse=warehouse.pk,
        festival=festival.pk,
        hot_variant=skus[SKUS].variant,
        hot_sale=hot_sale,
        hot_units=hot_units,
        sold_out_variant=skus[SKUS + 1].variant,
        skus=skus[:SKUS],
        http_buyers=_buyers("bench-http-buyer", pool),
        raw_buyers=_buyers("bench-raw-buyer", pool),
        pgbench_buyers=_buyers("bench-pgb-buyer", pool),
        spare_buyers=_buyers("bench-spare-buyer", max(SOLD_OUT_UNITS, 64)),
    )
    # Fresh statistics, as autovacuum would have them on a live database: planned with the
    # statistics of empty tables, the checkout's pricing join walks all 10,000 products of
    # the merchant for each line (25 s per checkout, measured)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return world


def sold_out_sale(world: HttpWorld) -> int:
    ids = {"merchant": world.merchant, "festival": world.festival, "warehouse": world.warehouse}
    return _flash_sale(ids, world.sold_out_variant, SOLD_OUT_UNITS, HOT_BUCKETS)


def body_for(variant: int, flash_sale: int | None) -> bytes:
    line: dict[str, int] = {"variant_id": variant, "quantity": 1}
    if flash_sale is not None:
        line["flash_sale_id"] = flash_sale
    return json.dumps(
        {
            "marketplace": MARKETPLACE,
            "country": "CN",
            "lines": [line],
            "shipping_address": ADDRESS,
            "payment_method": "cod",
        }
    ).encode()


# --- capture ------------------------------------------------------------------------------


def capture(buyer: Buyer, variant: int, flash_sale: int | None) -> Capture:
    """One checkout of one unit of ``variant`` (in ``flash_sale``) on the real view, with
    every statement recorded (``bench/checkout.py``'s ``capture_request``)."""
    return capture_request(buyer, body_for(variant, flash_sale), 1)


# --- raw replay ---------------------------------------------------------------------------


class CheckoutReplayer:
    """Re-executes one captured checkout through the bare driver, one transaction per order.

    Substituted per order (the captured values are distinctive thanks to
    ``bump_sequences``): the ids the capture created (by the ids the replay's own
    ``INSERT ... RETURNING`` produce), the buyer's id and token hash, the Idempotency-Key,
    any UUID (a fresh one), and, for the 10,000 SKUs, the SKU's variant, product, price and
    stock-level ids and its code in texts (order lines copy the sku and names); in strings
    too (order numbers, JSON). The flash take's start bucket is recomputed from the buyer, as
    ``festivals.offers`` does. The conditional statements are checked as the service checks
    them: the buyer upsert and the bucket UPDATE must return a row, the stock UPDATE must
    touch the line; otherwise the order is rolled back and counted as refused. Which
    parameters change is worked out once, here, so a replay does little Python.
    """

    def __init__(self, capture: Capture, sku: Sku | None, bucket_count: int) -> None:
        assert capture.buyer is not None
        self.capture = capture
        self.sku = sku
        self.bucket_count = max(bucket_count, 1)
        created = {i for ids in capture.created_ids.values() for i in ids}
        self.variable_ints = created | {capture.buyer.user_id}
        self.variable_texts = [capture.idempotency_key, capture.buyer.token_sha256] + [
            str(i) for i in sorted(created)
        ]
        if sku is not None:
            self.variable_ints |= {sku.variant, sku.product, sku.price, sku.stock}
            self.variable_texts += [sku.code] + [
                str(i) for i in (sku.variant, sku.product, sku.price, sku.stock)
            ]
        # (sql, params, many, in transaction, special, RETURNING-id table, variable slots)
        self.steps: list[tuple[str, Any, bool, bool, str, str | None, list[int]]] = []
        for step in capture.statements:
            sql = step.sql
            if re.match(r"\s*BEGIN\b", sql, re.I):
                continue  # the replay opens its own transaction
            upper = sql.upper()
            special = ""
            if re.match(r'\s*INSERT\s+INTO\s+"?festivals_flashsalebuyer', sql, re.I):
                special = "flash_buyer"
            elif "FESTIVALS_FLASHSALEBUCKET" in upper and re.match(r"\s*WITH\s+v\(", sql, re.I):
                special = "flash_bucket"
            elif "UPDATE" in upper and "CATALOG_STOCKLEVEL" in upper and "RETURNING" in upper:
                special = "stock"
            match = _INSERT_TABLE.match(sql)
            table = match.group(1) if match and "RETURNING" in upper and not special else None
            params = step.params
            slots: list[int] = []
            if not step.many and isinstance(params, (list, tuple)):
                params = list(params)
                slots = [i for i, value in enumerate(params) if self._variable(value)]
            self.steps.append((sql, params, step.many, step.in_transaction, special, table, slots))
        self.flash_statements = sum(1 for s in self.steps if s[4].startswith("flash"))

    def _variable(self, value: Any) -> bool:
        if isinstance(value, bool) or value is None:
            return False
        if isinstance(value, uuid.UUID):
            return True
        if isinstance(value, int):
            return value in self.variable_ints
        if isinstance(value, str):
            return any(text in value for text in self.variable_texts)
        if isinstance(value, (list, tuple)):
            return any(self._variable(v) for v in value)
        if isinstance(value, dict):
            return any(self._variable(v) for v in value.values())
        obj = getattr(value, "obj", None)  # psycopg's Json/Jsonb wrappers
        return obj is not None and self._variable(obj)

    def _swap(self, value: Any, ints: dict[int, int], texts: list[tuple[str, str]]) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, uuid.UUID):
            return uuid.uuid4()
        if isinstance(value, int):
            return ints.get(value, value)
        if isinstance(value, str):
            for old, new in texts:
                if old in value:
                    value = value.replace(old, new)
            return value
        if isinstance(value, (list, tuple)):
            return type(value)(self._swap(v, ints, texts) for v in value)
        if isinstance(value, dict):
            return {k: self._swap(v, ints, texts) for k, v in value.items()}
        obj = getattr(value, "obj", None)
        if obj is not None:
            return type(value)(self._swap(obj, ints, texts))
        return value

    def run(self, conn: Any, buyer: Buyer, sku: Sku | None) -> str:
        """One checkout; PLACED, or why it was rolled back."""
        capture = self.capture
        assert capture.buyer is not None
        ints: dict[int, int] = {capture.buyer.user_id: buyer.user_id}
        texts = [
            (capture.idempotency_key, str(uuid.uuid4())),
            (capture.buyer.token_sha256, buyer.token_sha256),
            (str(capture.buyer.user_id), str(buyer.user_id)),
        ]
        if self.sku is not None and sku is not None:
            old, new = self.sku, sku
            for a, b in (
                (old.variant, new.variant),
                (old.product, new.product),
                (old.price, new.price),
                (old.stock, new.stock),
            ):
                ints[a] = b
                texts.append((str(a), str(b)))
            texts.append((old.code, new.code))
        pending = {table: list(ids) for table, ids in capture.created_ids.items()}
        in_transaction = False
        cursor = conn.cursor()
        try:
            for sql, params, many, transactional, special, table, slots in self.steps:
                if transactional and not in_transaction:
                    cursor.execute("BEGIN")
                    in_transaction = True
                elif not transactional and in_transaction:
                    cursor.execute("COMMIT")
                    in_transaction = False
                if many:
                    cursor.executemany(sql, self._swap(params, ints, texts))
                    continue
                if slots or special == "flash_bucket":
                    params = list(params)
                    for i in slots:
                        params[i] = self._swap(params[i], ints, texts)
                    if special == "flash_bucket":  # (merchant, sale, units, start) per line
                        for i in range(3, len(params), 4):
                            params[i] = buyer.user_id % self.bucket_count
                cursor.execute(sql, params)
                rows = cursor.fetchall() if cursor.description is not None else []
                if special and not rows:
                    cursor.execute("ROLLBACK")
                    return {"flash_buyer": OVER_LIMIT, "flash_bucket": SOLD_OUT}.get(
                        special, OUT_OF_STOCK
                    )
                if table is not None:
                    old_ids = pending.get(table, [])
                    for row in rows:
                        if old_ids:
                            old_id, new_id = old_ids.pop(0), int(row[0])
                            ints[old_id] = new_id
                            texts.append((str(old_id), str(new_id)))
            if in_transaction:
                cursor.execute("COMMIT")
            return PLACED
        except Exception:
            if in_transaction:
                cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.close()


# --- load ---------------------------------------------------------------------------------


class Turns:
    """Which buyer buys next: each buyer ``times`` in a row, round the pool."""

    def __init__(self, buyers: list[Buyer], times: int) -> None:
        self.buyers = buyers
        self.times = times
        self.counter = itertools.count()
        self.lock = threading.Lock()

    def next(self) -> Buyer:
        with self.lock:
            n = next(self.counter)
        return self.buyers[(n // self.times) % len(self.buyers)]


def _kind(status: int, payload: bytes) -> str:
    if status >= 500:
        return f"{status}"
    try:
        code = str(json.loads(payload or b"{}").get("error") or status)
    except ValueError:
        code = str(status)
    return {
        "flash_sale_sold_out": SOLD_OUT,
        "flash_sale_limit": OVER_LIMIT,
        "out_of_stock": OUT_OF_STOCK,
    }.get(code, f"{status} {code}")


def http_load(
    port: int,
    turns: Turns,
    clients: int,
    seconds: float,
    body: Callable[[random.Random], bytes],
    name: str,
    until_sold_out: bool = False,
) -> Result:
    def work(index: int, deadline: float, out: Result) -> None:
        rng = random.Random(index)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            buyer = turns.next()
            payload_out = body(rng)
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {buyer.token}",
                "Idempotency-Key": f"bench-{uuid.uuid4().hex}",
            }
            started = time.perf_counter()
            response: http.client.HTTPResponse | None = None
            payload = b""
            for attempt in range(3):  # a dropped connection: again with the SAME key
                try:
                    conn.request("POST", CHECKOUT_PATH, body=payload_out, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                    break
                except (http.client.HTTPException, OSError) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    response = None
                    if attempt == 2:
                        out.errors[f"connection {type(exc).__name__}"] += 1
            if response is None:
                continue
            out.latencies.append(time.perf_counter() - started)
            out.statuses[response.status] += 1
            if response.status == 201:
                if response.getheader("Idempotent-Replayed") == "true":
                    out.errors["replayed 201"] += 1
                else:
                    out.ok += 1
                continue
            kind = _kind(response.status, payload)
            out.errors[kind] += 1
            if until_sold_out and kind == SOLD_OUT:
                break
        conn.close()

    return run_threads(name, clients, seconds, work)


def raw_load(
    url: str,
    replayer: CheckoutReplayer,
    turns: Turns,
    clients: int,
    seconds: float,
    skus: list[Sku] | None,
    name: str,
) -> Result:
    def work(index: int, deadline: float, out: Result) -> None:
        rng = random.Random(1000 + index)
        conn = raw_connection(url)
        try:
            while time.perf_counter() < deadline:
                buyer = turns.next()
                sku = rng.choice(skus) if skus else None
                started = time.perf_counter()
                try:
                    outcome = replayer.run(conn, buyer, sku)
                except Exception as exc:  # counted and shown; the run goes on
                    out.errors[f"{type(exc).__name__}: {str(exc)[:100]}"] += 1
                    continue
                out.latencies.append(time.perf_counter() - started)
                if outcome == PLACED:
                    out.ok += 1
                else:
                    out.errors[outcome] += 1
        finally:
            conn.close()

    return run_threads(name, clients, seconds, work)


# --- checks -------------------------------------------------------------------------------


@dataclass
class FlashCheck:
    allocated: int
    sold: int
    left: int
    negative_buckets: int
    line_units: int
    buyer_units: int
    buyers_over_limit: int
    expected: int  # units the clients were told were sold (201s + replays placed + captures)

    @property
    def oversold(self) -> int:
        return max(0, self.sold - self.allocated, self.line_units - self.allocated)

    @property
    def ok(self) -> bool:
        return (
            self.oversold == 0
            and self.sold + self.left == self.allocated
            and self.negative_buckets == 0
            and self.line_units == self.sold == self.buyer_units == self.expected
            and self.buyers_over_limit == 0
        )

    def text(self) -> str:
        return (
            f"sold {self.sold}/{self.allocated}, left {self.left}, order lines {self.line_units}, "
            f"buyer rows {self.buyer_units}, answered as sold {self.expected}, "
            f"oversold {self.oversold}, buyers over the limit {self.buyers_over_limit}, "
            f"negative buckets {self.negative_buckets}: {'ok' if self.ok else 'CHECK FAILED'}"
        )


def flash_check(url: str, sale: int, expected: int) -> FlashCheck:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        sold, left, negative = conn.execute(
            "SELECT COALESCE(SUM(units_sold), 0), COALESCE(SUM(units_left), 0), "
            "COUNT(*) FILTER (WHERE units_left < 0) FROM festivals_flashsalebucket "
            "WHERE flash_sale_id = %s",
            [sale],
        ).fetchone() or (0, 0, 0)
        (allocated,) = conn.execute(
            "SELECT quantity FROM festivals_flashsale WHERE id = %s", [sale]
        ).fetchone() or (0,)
        (lines,) = conn.execute(
            "SELECT COALESCE(SUM(quantity), 0) FROM orders_orderline WHERE flash_sale_id = %s",
            [sale],
        ).fetchone() or (0,)
        buyer_units, over = conn.execute(
            "SELECT COALESCE(SUM(b.units), 0), COUNT(*) FILTER (WHERE b.units > s.per_buyer_limit) "
            "FROM festivals_flashsalebuyer b JOIN festivals_flashsale s ON s.id = b.flash_sale_id "
            "WHERE b.flash_sale_id = %s",
            [sale],
        ).fetchone() or (0, 0)
    return FlashCheck(
        int(allocated),
        int(sold),
        int(left),
        int(negative),
        int(lines),
        int(buyer_units),
        int(over),
        expected,
    )


@dataclass
class StockCheck:
    skus: int
    inconsistent: int
    negative: int
    line_units: int
    expected: int

    @property
    def oversold(self) -> int:
        return self.negative

    @property
    def ok(self) -> bool:
        return self.inconsistent == 0 and self.negative == 0 and self.line_units == self.expected

    def text(self) -> str:
        return (
            f"{self.skus} SKUs: stock + order lines = initial stock on "
            f"{self.skus - self.inconsistent} ({self.inconsistent} not), {self.negative} "
            f"negative; {self.line_units} units in order lines, answered as sold "
            f"{self.expected}: {'ok' if self.ok else 'CHECK FAILED'}"
        )


def stock_check(url: str, variants: list[int], expected: int) -> StockCheck:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT s.variant_id, s.units_on_hand, COALESCE(l.units, 0) FROM catalog_stocklevel s "
            "LEFT JOIN (SELECT variant_id, SUM(quantity) AS units FROM orders_orderline "
            "WHERE variant_id = ANY(%s) GROUP BY variant_id) l ON l.variant_id = s.variant_id "
            "WHERE s.variant_id = ANY(%s)",
            [variants, variants],
        ).fetchall()
    return StockCheck(
        len(rows),
        sum(1 for r in rows if r[1] + r[2] != SKU_STOCK),
        sum(1 for r in rows if r[1] < 0),
        sum(int(r[2]) for r in rows),
        expected,
    )


def checkouts_stored(url: str, prefix: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        (n,) = conn.execute(
            "SELECT COUNT(*) FROM orders_idempotencyrecord WHERE key LIKE %s", [prefix + "%"]
        ).fetchone() or (0,)
    return int(n)


def unexpected(result: Result) -> int:
    """Answers other than an order or a refusal the checkout may give (5xx, other 4xx,
    connection errors, exceptions in the replay)."""
    return sum(n for kind, n in result.errors.items() if kind not in REFUSALS)


def pgbench_script(url: str, capture: Capture, bucket_count: int) -> str:
    """The captured checkout as a pgbench script (``-M simple``): each statement with its
    captured parameters inlined; the ids its INSERTs created taken from their RETURNING
    with ``\\gset`` and substituted (pgbench replaces ``:name`` in string literals too:
    order numbers, JSON); the buyer drawn at random from ``:lo``..``:hi``, a fresh
    Idempotency-Key per order; the flash take's conditional statements wrapped so that
    ``\\if`` rolls back when one returns no row, as the service does."""
    import psycopg

    assert capture.buyer is not None
    swaps: list[tuple[str, str]] = [
        (f"'{capture.idempotency_key}'", "'pgb-:client_id-:key'"),
        (str(capture.buyer.user_id), ":buyer"),
    ]
    lines = [
        "\\set buyer random(:lo, :hi)",
        "\\set key random(1, 1000000000000000)",
        f"\\set start :buyer % {max(bucket_count, 1)}",
    ]
    opened = 0
    in_transaction = False
    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        cursor = conn.cursor()
        for step in capture.statements:
            if re.match(r"\s*BEGIN\b", step.sql, re.I):
                continue
            if step.in_transaction and not in_transaction:
                lines.append("BEGIN;")
                in_transaction = True
            elif not step.in_transaction and in_transaction:
                lines.append("COMMIT;")
                in_transaction = False
            text = cursor.mogrify(step.sql, step.params) if step.params else step.sql
            text = " ".join(text.split())
            for old, new in swaps:
                text = text.replace(old, new)
            upper = text.upper()
            match = _INSERT_TABLE.match(text)
            if re.match(r"INSERT\s+INTO\s+\"?festivals_flashsalebuyer", text, re.I):
                lines += [f"WITH u AS ({text}) SELECT count(*) AS held FROM u \\gset", "\\if :held"]
                opened += 1
            elif "FESTIVALS_FLASHSALEBUCKET" in upper and text.upper().startswith("WITH V("):
                text = re.sub(r"CAST\(\d+ AS INTEGER\)\)\)", "CAST(:start AS INTEGER)))", text)
                lines += [f"WITH t AS ({text}) SELECT count(*) AS got FROM t \\gset", "\\if :got"]
                opened += 1
            elif match and " RETURNING ID" in upper and capture.created_ids.get(match.group(1)):
                table = match.group(1)
                name = f"v_{table}"
                text = re.sub(r" RETURNING id\b", f" RETURNING id AS {name}", text, flags=re.I)
                lines.append(f"{text} \\gset")
                swaps.append((str(capture.created_ids[table][0]), f":{name}"))
            else:
                lines.append(f"{text};")
    if in_transaction:
        lines.append("COMMIT;")
    for _ in range(opened):
        lines += ["\\else", "ROLLBACK;", "\\endif"]
    return "\n".join(lines) + "\n"


def run_pgbench(
    url: str, capture: Capture, buyers: list[Buyer], clients: int, seconds: float
) -> Result:
    """The captured hot-SKU checkout through pgbench; orders counted from the database."""
    import subprocess
    import tempfile
    from pathlib import Path

    import psycopg

    result = Result("hot SKU, pgbench", 0.0)
    ids = sorted(b.user_id for b in buyers)
    assert ids[-1] - ids[0] + 1 == len(ids), "buyer ids are not contiguous"
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "checkout.sql"
        script.write_text(pgbench_script(url, capture, HOT_BUCKETS))
        command = [
            "pgbench", "-n", "-M", "simple", "-c", str(clients),
            "-j", str(min(clients, os.cpu_count() or 1)), "-T", str(max(1, round(seconds))),
            "-l", "--log-prefix", str(Path(tmp) / "log"), "-f", str(script),
            "-D", f"lo={ids[0]}", "-D", f"hi={ids[-1]}", url,
        ]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        result.seconds = time.perf_counter() - started
        if done.returncode != 0:
            result.errors["pgbench failed"] += 1
            result.note = f"pgbench failed: {done.stderr.strip()[-400:]}"
            return result
        for log in Path(tmp).glob("log*"):
            for row in log.read_text().splitlines():
                fields = row.split()
                if len(fields) >= 3:
                    result.latencies.append(int(fields[2]) / 1e6)
        tps = re.search(r"tps = ([0-9.]+)", done.stdout)
        result.note = f"pgbench: {tps.group(1) if tps else '?'} scripts/s (any outcome)"
    result.seconds = float(max(1, round(seconds)))
    with psycopg.connect(url, autocommit=True) as conn:
        (placed,) = conn.execute(
            "SELECT COUNT(*) FROM orders_idempotencyrecord WHERE key LIKE 'pgb-%%'"
        ).fetchone() or (0,)
    result.ok = int(placed)
    if len(result.latencies) > result.ok:  # rolled back: over the limit (or sold out)
        result.errors[OVER_LIMIT] = len(result.latencies) - result.ok
    return result


def merge(results: list[Result]) -> Result:
    merged = Result(results[0].name, 0.0)
    for part in results:
        merged.seconds += part.seconds
        merged.ok += part.ok
        merged.statuses.update(part.statuses)
        merged.errors.update(part.errors)
        merged.latencies.extend(part.latencies)
    return merged


def alternate(
    rounds: int,
    seconds: float,
    run_http: Callable[[float], Result],
    run_raw: Callable[[float], Result],
) -> tuple[Result, Result]:
    """HTTP and raw in turns, ``rounds`` slices of ``seconds / rounds`` each, so that the
    load of a shared machine drifting during the run weighs on both sides alike."""
    rounds = max(1, rounds)
    https, raws = [], []
    for _ in range(rounds):
        https.append(run_http(seconds / rounds))
        raws.append(run_raw(seconds / rounds))
    return merge(https), merge(raws)


def forget_queued(broker: str) -> None:
    """Drop the relay tasks the run queued (nothing consumed them)."""
    import redis

    client = redis.Redis.from_url(broker)
    client.delete("celery", *client.keys("_kombu.binding*"))


# --- the section --------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    http: Result
    raw: Result
    check_text: str
    ok: bool
    oversold: int
    statements: int
    pgbench: Result | None = None  # the captured checkout through pgbench (hot SKU)

    @property
    def ratio(self) -> float:
        return self.http.rate / self.raw.rate if self.raw.rate else 0.0


@dataclass
class Section:
    scenarios: list[Scenario] = field(default_factory=list)
    sold_out: Result | None = None
    sold_out_check: FlashCheck | None = None
    stored_ok: bool = True
    stored_text: str = ""
    workers: int = 0
    threads: int = 0
    clients: int = 0

    @property
    def ok(self) -> bool:
        return (
            all(s.ok for s in self.scenarios)
            and self.stored_ok
            and self.sold_out is not None
            and not unexpected(self.sold_out)
            and self.sold_out_check is not None
            and self.sold_out_check.ok
            and self.sold_out_check.sold == SOLD_OUT_UNITS
        )

    @property
    def oversold(self) -> int:
        return sum(s.oversold for s in self.scenarios) + (
            self.sold_out_check.oversold if self.sold_out_check else 0
        )


def result_line(result: Result) -> str:
    errors = ", ".join(f"{k} {v}" for k, v in sorted(result.errors.items())) or "none"
    attempts = result.ok + sum(result.errors.values())
    return (
        f"  {result.name:<24} {result.rate:8.1f} orders/s  p50 {result.percentile(50):6.1f}  "
        f"p95 {result.percentile(95):6.1f}  p99 {result.percentile(99):6.1f} ms\n"
        f"  {'':<24} {attempts} attempts, {result.ok} orders in {result.seconds:.1f} s; "
        f"refused/errors: {errors}"
    )


def run_section(
    url: str,
    *,
    clients: int,
    seconds: float,
    workers: int,
    threads: int,
    pool: int,
    hot_units: int,
    broker: str = "",
    rounds: int = 2,
) -> Section:
    """Seed, capture, serve, measure both scenarios and the sold-out storm; print as it goes."""
    from django.db import connections

    from checkout import ROOT

    (ROOT / "var").mkdir(exist_ok=True)
    secret_key = secrets.token_urlsafe(50)
    os.environ["SECRET_KEY"] = secret_key
    started = time.perf_counter()
    bump_sequences()
    world = seed(hot_units, pool)
    spare = world.spare_buyers
    capture(spare[2], world.skus[1].variant, None)  # the first request warms the process
    hot_capture = capture(spare[0], world.hot_variant, world.hot_sale)
    sku_capture = capture(spare[1], world.skus[0].variant, None)
    hot_replayer = CheckoutReplayer(hot_capture, None, HOT_BUCKETS)
    sku_replayer = CheckoutReplayer(sku_capture, world.skus[0], HOT_BUCKETS)
    connections.close_all()
    print(
        f"  HTTP section set up in {time.perf_counter() - started:.1f} s: {SKUS} SKUs, hot flash "
        f"sale of {hot_units} units in {HOT_BUCKETS} buckets (limit {HOT_LIMIT} per buyer), "
        f"{3 * pool + len(world.spare_buyers)} buyers with tokens; one checkout = "
        f"{hot_capture.django_count} queries "
        f"(hot SKU, {hot_replayer.flash_statements} of them the flash take) / "
        f"{sku_capture.django_count} (regular SKU)",
        flush=True,
    )
    print(
        f"  in-process (test client, one at a time, warm): hot SKU "
        f"{hot_capture.seconds * 1000:.1f} ms per checkout, "
        f"{hot_capture.sql_seconds * 1000:.1f} ms of it in SQL; regular SKU "
        f"{sku_capture.seconds * 1000:.1f} ms, {sku_capture.sql_seconds * 1000:.1f} ms in SQL",
        flush=True,
    )
    section = Section(workers=workers, threads=threads, clients=clients)
    port = free_port()
    print(
        f"  serving on :{port}: gunicorn {workers} workers x {threads} threads; "
        f"{clients} clients, {seconds:.0f} s per run, in {rounds} turns",
        flush=True,
    )
    for key in ("CELERY_BROKER_URL", "REDIS_URL"):
        os.environ.pop(key, None)
    if broker:  # the outbox relay becomes a Celery task that no worker runs here
        os.environ["CELERY_BROKER_URL"] = broker
        print(
            f"  outbox relay: tasks queued on {broker}, not run (the request path alone)",
            flush=True,
        )
    else:
        print(
            "  outbox relay: on a thread of each gunicorn worker (no broker, as shipped): the "
            "subscribers (order mail, GMV tallies) run on the same cores; --broker takes them off",
            flush=True,
        )
    skus = world.skus
    with server(url, secret_key, port, workers, threads):
        # warm every worker (imports, caches) before measuring
        warm = http_load(
            port,
            Turns(spare[3:], 1),
            clients,
            2.0,
            lambda rng: body_for(rng.choice(skus).variant, None),
            "warm-up",
        )
        print(f"  warm-up: {warm.ok} orders in {warm.seconds:.1f} s", flush=True)

        print(f"  running hot SKU, HTTP and raw SQL in turns ({rounds} each) ...", flush=True)
        http_turns, raw_turns = (
            Turns(world.http_buyers, HOT_LIMIT),
            Turns(world.raw_buyers, HOT_LIMIT),
        )
        hot_http, hot_raw = alternate(
            rounds,
            seconds,
            lambda t: http_load(
                port,
                http_turns,
                clients,
                t,
                lambda rng: body_for(world.hot_variant, world.hot_sale),
                "hot SKU, HTTP",
            ),
            lambda t: raw_load(url, hot_replayer, raw_turns, clients, t, None, "hot SKU, raw SQL"),
        )
        print(result_line(hot_http), flush=True)
        print(result_line(hot_raw), flush=True)
        hot_pgbench = None
        if shutil.which("pgbench"):
            print("  running hot SKU, the captured checkout through pgbench ...", flush=True)
            hot_pgbench = run_pgbench(url, hot_capture, world.pgbench_buyers, clients, seconds)
            print(result_line(hot_pgbench), flush=True)
            if hot_pgbench.note:
                print(f"  {'':<24} {hot_pgbench.note}", flush=True)
        else:
            print("  pgbench is not installed: no pgbench line for the captured checkout")
        placed_pgbench = hot_pgbench.ok if hot_pgbench else 0
        hot = flash_check(url, world.hot_sale, 1 + hot_http.ok + hot_raw.ok + placed_pgbench)
        print(f"  {'':<24} check: {hot.text()}", flush=True)
        section.scenarios.append(
            Scenario(
                "hot SKU",
                hot_http,
                hot_raw,
                hot.text(),
                hot.ok
                and not unexpected(hot_http)
                and not unexpected(hot_raw)
                and (hot_pgbench is None or not hot_pgbench.errors["pgbench failed"]),
                hot.oversold,
                hot_capture.django_count,
                hot_pgbench,
            )
        )

        print(f"  running {SKUS:,} SKUs, HTTP and raw SQL in turns ({rounds} each) ...", flush=True)
        http_turns, raw_turns = Turns(world.http_buyers, 1), Turns(world.raw_buyers, 1)
        sku_http, sku_raw = alternate(
            rounds,
            seconds,
            lambda t: http_load(
                port,
                http_turns,
                clients,
                t,
                lambda rng: body_for(rng.choice(skus).variant, None),
                f"{SKUS:,} SKUs, HTTP",
            ),
            lambda t: raw_load(
                url, sku_replayer, raw_turns, clients, t, skus, f"{SKUS:,} SKUs, raw SQL"
            ),
        )
        print(result_line(sku_http), flush=True)
        print(result_line(sku_raw), flush=True)
        # 2: the capture that warmed the process and the captured checkout
        stock = stock_check(url, [s.variant for s in skus], 2 + warm.ok + sku_http.ok + sku_raw.ok)
        print(f"  {'':<24} check: {stock.text()}", flush=True)
        section.scenarios.append(
            Scenario(
                f"{SKUS:,} SKUs",
                sku_http,
                sku_raw,
                stock.text(),
                stock.ok and not unexpected(sku_http) and not unexpected(sku_raw),
                stock.oversold,
                sku_capture.django_count,
            )
        )

        sale = sold_out_sale(world)
        connections.close_all()
        print(f"  running the sold-out storm ({SOLD_OUT_UNITS} units) over HTTP ...", flush=True)
        section.sold_out = http_load(
            port,
            Turns(world.http_buyers[::-1], 1),
            clients,
            max(seconds, 60.0),  # every client stops at its first "sold out"
            lambda rng: body_for(world.sold_out_variant, sale),
            "sold-out storm, HTTP",
            until_sold_out=True,
        )
        section.sold_out_check = flash_check(url, sale, section.sold_out.ok)
        print(result_line(section.sold_out), flush=True)
        print(f"  {'':<24} check: {section.sold_out_check.text()}", flush=True)
    if broker:
        forget_queued(broker)
    answered = warm.ok + hot_http.ok + sku_http.ok + section.sold_out.ok
    stored = checkouts_stored(url, "bench-")
    section.stored_ok = answered == stored
    section.stored_text = (
        f"every HTTP 201 is a stored checkout: {answered} answered, {stored} idempotency "
        f"records ({'ok' if section.stored_ok else 'MISMATCH'})"
    )
    print(f"  {section.stored_text}", flush=True)
    return section
