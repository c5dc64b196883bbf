"""Checkout benchmark: orders per second over HTTP against the raw-SQL limit.

    .venv/bin/python bench/checkout.py [--database-url URL] [--seconds 10] [--clients 16]
                                       [--payment-method cod|wallet]

Default database: postgresql://postgres@127.0.0.1:5432/fiera_bench (dropped and created
again); a sqlite:////path URL works too (the file is replaced). What it does, in one run:

1. migrates a fresh database and seeds a small world: one B2C marketplace (CN, CNY),
   five merchants with a warehouse each, one hot variant and 20 cart variants with lots
   of stock, one buyer with an API token per client;
2. captures, through the Django test client on the real view, every statement one
   checkout executes (``connection.execute_wrapper``: SQL text, parameters, inside the
   transaction or not) for a 1-line and a 20-line cart, and counts them;
3. starts the real server (``fiera serve``) and fires checkouts from ``--clients``
   threads over keep-alive connections for ``--seconds`` seconds: POST /api/v1/checkout
   with a bearer token and a fresh Idempotency-Key each time;
4. replays the captured statements raw through the driver (psycopg or sqlite3) from the
   same number of threads for the same time, with new ids and keys substituted: the
   raw-SQL limit of exactly this checkout on this database, measured in the same run;
5. runs a flash sale (limited stock, everyone on one SKU) to check that exactly the
   stock is sold, then checks that stock equals the initial units minus every order
   line, and that every 201 answered is an order in the database.

It prints orders/s over HTTP and raw, the ratio, latency percentiles, SQL statements per
checkout for 1 and 20 lines, and where a request's time goes (SQL vs Python) in-process.

``--payment-method wallet`` pays every checkout from the buyer's CNY wallet (funded at
seeding; the merchants' payables opened as registration opens them; EUR/CNY rate of the
day): the CNY wallet pays the EUR payables through FX, so each checkout books the FX legs
(decision 0012: the buyer's wallet row is the only ledger row written; the payables, FX
and fee accounts get balance deltas). The raw replay gives each run fresh transfer and
payment ids. After the runs the deltas are rolled up and ``ledger_verify`` must be OK.
The load generator shares the machine's cores with the server, as docs/architecture.md describes.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/fiera_bench"
MARKETPLACE = "bench-cn"
ADDRESS = {
    "name": "Wang Fang",
    "line1": "浦东新区世纪大道100号",
    "city": "上海市",
    "postal_code": "200120",
    "country": "CN",
    "phone": "+86 13800138000",
}
HOT_UNITS = 50_000_000
PAYMENT = {"method": "cod"}  # --payment-method
WALLET_FUNDS = 10**13  # fen per bench buyer: never runs out
ID_BASE = 3_000_000_000  # distinctive ids: a captured id never equals a quantity or price
ID_STRIDE = 10_000_000


# --- database preparation (before Django is set up) ---------------------------------------


def prepare_database(url: str) -> None:
    """Drop and create the PostgreSQL database, or delete the SQLite file."""
    if url.startswith("sqlite"):
        path = Path(urlsplit(url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"refusing to drop a database named {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, secret_key: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = secret_key
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fiera.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# --- the bench world ----------------------------------------------------------------------


@dataclass
class Buyer:
    user_id: int
    token: str
    token_sha256: str


@dataclass
class BenchWorld:
    marketplace_id: int
    hot_variant: int
    cart_variants: list[int]  # 20 variants, 4 per merchant, 5 merchants
    flash_variant: int
    buyers: list[Buyer]


def bump_sequences() -> None:
    """Start every Fiera table's ids at its own large base (3,000,000,000 + n x 10^7), so
    ids in captured statements are unambiguous when the replay substitutes them."""
    from django.apps import apps
    from django.db import connection

    models = sorted(
        (m for m in apps.get_models() if m.__module__.startswith("fiera.")),
        key=lambda m: m._meta.db_table,
    )
    with connection.cursor() as cursor:
        for index, model in enumerate(models):
            pk = model._meta.pk
            if not model._meta.managed or pk is None or pk.get_internal_type() != "BigAutoField":
                continue
            table = model._meta.db_table
            start = ID_BASE + index * ID_STRIDE
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
                sequence = cursor.fetchone()[0]
                if sequence:
                    cursor.execute("SELECT setval(%s, %s)", [sequence, start])
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence(name, seq) VALUES (%s, %s)", [table, start]
                )


def seed(clients: int) -> BenchWorld:
    from django.utils import timezone
    from stdnum import luhn

    from fiera.accounts.models import BuyerKind, Role, User
    from fiera.accounts.roles import SYSTEM
    from fiera.accounts.services import token_issue
    from fiera.catalog.models import Price, Product, StockLevel, Variant, Warehouse
    from fiera.marketplaces.services import marketplace_create
    from fiera.merchants.models import Merchant, Store

    info = marketplace_create(
        slug=MARKETPLACE,
        name="Bench China",
        kind="b2c_domestic",
        languages=["en"],
        default_language="en",
        default_currency="CNY",
        countries={"CN": "CNY"},
        actor_role=SYSTEM,
    )
    variants: list[list[int]] = []
    for m in range(5):
        body = f"{1_000_000 + m:07d}001"
        merchant = Merchant.objects.create(
            slug=f"bench-merchant-{m}",
            legal_name=f"Bench {m} S.r.l.",
            display_name=f"Bench {m}",
            vat_number=f"IT{body}{luhn.calc_check_digit(body)}",
            region_code="IT-25",
        )
        Store.objects.create(
            merchant=merchant,
            marketplace_id=info.id,
            slug=merchant.slug,
            name=merchant.display_name,
        )
        warehouse = Warehouse.objects.create(merchant=merchant, code="main", name="Main")
        ids = []
        for p in range(6 if m == 0 else 4):
            product = Product.objects.create(
                merchant=merchant,
                slug=f"product-{p}",
                name_it=f"Prodotto {m}-{p}",
                name_en=f"Product {m}-{p}",
                name_zh=f"产品 {m}-{p}",
                hs_code="150920",
            )
            variant = Variant.objects.create(product=product, merchant=merchant, sku=f"SKU-{m}-{p}")
            Price.objects.create(
                variant=variant,
                merchant=merchant,
                marketplace_id=info.id,
                currency="CNY",
                amount_minor=19_900 + 100 * p,
                min_quantity=1,
            )
            StockLevel.objects.create(
                variant=variant, warehouse=warehouse, merchant=merchant, units_on_hand=HOT_UNITS
            )
            ids.append(variant.pk)
        variants.append(ids)
    buyers = []
    for n in range(max(clients, 1)):
        user = User(
            username=f"bench-buyer-{n}",
            role=Role.BUYER,
            buyer_kind=BuyerKind.CONSUMER,
            country="CN",
            date_joined=timezone.now(),
        )
        user.set_unusable_password()
        user.save()
        key = token_issue(user_id=user.pk, name="bench").key
        buyers.append(Buyer(user.pk, key, hashlib.sha256(key.encode()).hexdigest()))
    if PAYMENT["method"] == "wallet":
        fund_wallets(buyers, list(Merchant.objects.values_list("pk", flat=True)))
    hot, flash = variants[0][0], variants[0][5]
    cart = variants[0][1:5] + [v for merchant_variants in variants[1:] for v in merchant_variants]
    assert len(cart) == len(set(cart)) == 20 and hot not in cart and flash not in cart
    return BenchWorld(info.id, hot, cart, flash, buyers)


def fund_wallets(buyers: list[Buyer], merchant_ids: list[int]) -> None:
    """The wallet mode's world: today's EUR/CNY rate, the merchants' payables (opened as
    ``merchants.merchant.registered`` opens them), a CNY wallet per buyer funded through
    the ledger (funding -> wallet)."""
    from django.utils import timezone

    from fiera.accounts.roles import SYSTEM
    from fiera.ledger import services as ledger
    from fiera.ledger.domain import TransferSpec
    from fiera.payments import services as payments
    from fiera.payments.models import FxRate

    now = timezone.now()
    FxRate.objects.create(quote="CNY", rate_e9=7_800_000_000, date=now.date())
    for merchant_id in merchant_ids:
        payments.merchant_payable_open(merchant_id=merchant_id)
    for code, currency in (("fx_liquidity", "CNY"), ("fees", "CNY"), ("fx_liquidity", "EUR")):
        ledger.system_account(code=code, currency=currency)  # open on a running platform
    funding = ledger.system_account(code="funding", currency="CNY")
    for buyer in buyers:
        wallet = payments.wallet_open(
            user_id=buyer.user_id, currency="CNY", now=now, actor_role=SYSTEM
        )
        ledger.transfer_create(
            spec=TransferSpec(
                id=f"bench-funding:{buyer.user_id}",
                debit_account_id=funding.id,
                credit_account_id=wallet.account_id,
                amount_minor=WALLET_FUNDS,
                currency="CNY",
                code="topup",
            ),
            now=now,
        )


def ledger_report() -> tuple[bool, str]:
    """The wallet mode's check: roll the deltas up, then ``ledger_verify``."""
    from fiera.accounts.roles import SYSTEM
    from fiera.ledger import services as ledger
    from fiera.ledger.selectors import ledger_verify

    waiting = ledger_verify(actor_role=SYSTEM)
    started = time.perf_counter()
    folded = ledger.balance_deltas_apply()
    seconds = time.perf_counter() - started
    report = ledger_verify(actor_role=SYSTEM)
    return waiting.ok and report.ok, (
        f"before the roll-up: {waiting.summary()}; roll-up folded {folded} deltas in "
        f"{seconds * 1000:.0f} ms; after: {report.summary()}"
    )


def body_for(variant_ids: list[int]) -> dict[str, Any]:
    return {
        "marketplace": MARKETPLACE,
        "country": "CN",
        "lines": [{"variant_id": v, "quantity": 1} for v in variant_ids],
        "shipping_address": ADDRESS,
        "payment_method": PAYMENT["method"],
    }


# --- capture: the statements of one checkout -----------------------------------------------


@dataclass
class Statement:
    sql: str
    params: Any
    many: bool
    in_transaction: bool
    seconds: float = 0.0


@dataclass
class Capture:
    statements: list[Statement]
    status: int
    seconds: float
    created_ids: dict[str, list[int]] = field(default_factory=dict)  # table -> new ids
    idempotency_key: str = ""
    buyer: Buyer | None = None
    lines: int = 0
    django_count: int = 0  # CaptureQueriesContext: also logs BEGIN (SQLite) and COMMIT

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def count_sql(self) -> int:
        """Statements other than transaction control (BEGIN, COMMIT, savepoints)."""
        return sum(1 for s in self.statements if not _is_transaction_control(s.sql))

    @property
    def sql_seconds(self) -> float:
        return sum(s.seconds for s in self.statements)


def _is_transaction_control(sql: str) -> bool:
    return bool(
        re.match(
            r"\s*(BEGIN|COMMIT|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", sql, re.I
        )
    )


def _fiera_tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every Fiera table with an auto-incremented key."""
    from django.apps import apps

    return sorted(
        (m._meta.db_table, str(m._meta.pk.column))
        for m in apps.get_models()
        if m.__module__.startswith("fiera.")
        and m._meta.managed
        and m._meta.pk is not None
        and m._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}
    )


def _max_ids(tables: list[tuple[str, str]]) -> dict[str, int]:
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table, pk in tables:
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
            found[table] = int(cursor.fetchone()[0])
    return found


_CLIENTS: dict[str, Any] = {}


def capture_checkout(buyer: Buyer, variant_ids: list[int]) -> Capture:
    """One checkout of ``variant_ids`` (``capture_request``)."""
    return capture_request(buyer, json.dumps(body_for(variant_ids)), len(variant_ids))


def capture_request(buyer: Buyer, body: str | bytes, lines: int) -> Capture:
    """One checkout (``body``, the JSON of POST /api/v1/checkout) through the Django test
    client on the real view, every statement recorded with its parameters and whether it
    ran inside the transaction, and the ids it created (``bench/flash_http.py`` too)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    tables = _fiera_tables()
    before = _max_ids(tables)
    statements: list[Statement] = []

    def record(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(
                Statement(
                    sql, params, many, connection.in_atomic_block, time.perf_counter() - started
                )
            )

    key = str(uuid.uuid4())
    client = _CLIENTS.setdefault("client", Client())  # one handler: middleware loads once
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(record):
        response = client.post(
            "/api/v1/checkout",
            data=body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
            HTTP_AUTHORIZATION=f"Bearer {buyer.token}",
        )
    seconds = time.perf_counter() - started
    after = _max_ids(tables)
    created: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        for table, pk in tables:
            if after[table] > before[table]:
                cursor.execute(
                    f'SELECT "{pk}" FROM "{table}" WHERE "{pk}" > %s ORDER BY "{pk}"',
                    [before[table]],
                )
                created[table] = [int(r[0]) for r in cursor.fetchall()]
    if response.status_code != 201:
        raise SystemExit(
            f"capture checkout failed: {response.status_code} {response.content[:500]!r}"
        )
    return Capture(
        statements,
        response.status_code,
        seconds,
        created,
        key,
        buyer,
        lines,
        django_count=len(queries.captured_queries),
    )


def profile_in_process(
    buyers: list[Buyer], variant_ids: list[int], rounds: int
) -> tuple[float, float]:
    """Average wall and SQL milliseconds of a checkout through the test client."""
    total = sql = 0.0
    for n in range(rounds):
        capture = capture_checkout(buyers[n % len(buyers)], variant_ids)
        total += capture.seconds
        sql += capture.sql_seconds
    return total / rounds * 1000, sql / rounds * 1000


def cprofile_in_process(buyers: list[Buyer], variant_ids: list[int], rounds: int, top: int) -> str:
    """cProfile of ``rounds`` checkouts through the test client: the top functions by own time."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    client = _CLIENTS.setdefault("client", Client())
    bodies = [json.dumps(body_for(variant_ids)) for _ in range(rounds)]
    profiler = cProfile.Profile()
    profiler.enable()
    for n, body in enumerate(bodies):
        client.post(
            "/api/v1/checkout",
            data=body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
            HTTP_AUTHORIZATION=f"Bearer {buyers[n % len(buyers)].token}",
        )
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    groups: Counter[str] = Counter()
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        groups[_area(filename, function)] += row[2]
    total = sum(groups.values()) or 1.0
    out.write(f"Own time by area over {rounds} checkouts (cProfile inflates Python time):\n")
    for area, seconds in groups.most_common():
        out.write(f"  {area:<42} {seconds / rounds * 1000:7.2f} ms  {seconds / total:5.0%}\n")
    out.write("\nPhases (cumulative, per checkout, under cProfile):\n")
    for label, file_end, function in _PHASES:
        seconds = sum(
            row[3]
            for (filename, _line, name), row in stats.stats.items()  # type: ignore[attr-defined]
            if name == function and filename.endswith(file_end)
        )
        if seconds:
            out.write(f"  {label:<42} {seconds / rounds * 1000:7.2f} ms\n")
    out.write("\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


_PHASES = (
    ("whole request (test client)", "django/test/client.py", "request"),
    ("ninja operation (parse, call, serialize)", "ninja/operation.py", "run"),
    ("  token authentication", "fiera/accounts/auth.py", "authenticate"),
    ("  input parsing and validation", "ninja/operation.py", "_get_values"),
    ("  checkout service", "fiera/orders/services.py", "checkout_submit"),
    ("    marketplace lookup", "fiera/marketplaces/selectors.py", "marketplace_get"),
    ("    idempotency lookup", "fiera/orders/services.py", "_replay"),
    ("    price variants (raw SQL)", "fiera/catalog/reservations.py", "checkout_variants_priced"),
    ("    quote", "fiera/orders/pricing.py", "quote_compute"),
    ("    write transaction", "fiera/orders/services.py", "_checkout_write"),
    ("      outbox events (one INSERT)", "fiera/common/events.py", "publish_many"),
    ("      stock reservation (raw SQL)", "fiera/catalog/reservations.py", "stock_reserve"),
    ("  response schema (CheckoutOut.of)", "fiera/orders/schemas.py", "of"),
    ("  response serialization", "ninja/operation.py", "_result_to_response"),
)


_AREAS = (
    ("sqlite3.Cursor", "database driver (sqlite3)"),
    ("sqlite3.Connection", "database driver (sqlite3)"),
    ("psycopg", "database driver (psycopg)"),
    ("/django/db/models/sql/", "Django ORM: SQL compiler"),
    ("/django/db/models/", "Django ORM: models, querysets"),
    ("/django/db/", "Django DB layer (backends, transactions)"),
    ("/django/test/", "test client (not in the server)"),
    ("/django/", "Django request handling, middleware"),
    ("/ninja/", "django-ninja (parsing, schemas)"),
    ("/pydantic", "pydantic (validation, serialization)"),
    ("/fiera/", "Fiera code"),
    ("json", "json"),
)


def _area(filename: str, function: str) -> str:
    text = f"{filename} {function}"
    for needle, area in _AREAS:
        if needle in text:
            return area
    return "other (stdlib, builtins)"


# --- raw replay ----------------------------------------------------------------------------

_INSERT_TABLE = re.compile(r'^\s*INSERT\s+INTO\s+"?(\w+)"?', re.I)


class Replayer:
    """Re-executes a capture through the bare driver with fresh ids and keys.

    Ids created by the capture (distinctive thanks to ``bump_sequences``) are replaced by
    the ids the replay's own INSERT ... RETURNING statements produce; the buyer, token
    hash and Idempotency-Key by the client's; strings (order numbers, JSON payloads) get
    the same substitutions. Which parameters change is worked out once, here, so a replay
    does little Python. Statements that ran inside Django's atomic block run inside one
    BEGIN ... COMMIT; the stock UPDATE must touch every line, or the transaction is rolled
    back and counted as out of stock, as the service does.
    """

    def __init__(self, capture: Capture, vendor: str, stock_table: str) -> None:
        assert capture.buyer is not None
        self.capture = capture
        self.vendor = vendor
        self.begin = "BEGIN IMMEDIATE" if vendor == "sqlite" else "BEGIN"
        created = {i for ids in capture.created_ids.values() for i in ids}
        self.variable_ints = created | {capture.buyer.user_id}
        self.variable_texts = [capture.idempotency_key, capture.buyer.token_sha256] + [
            str(i) for i in sorted(created)
        ]
        self.steps: list[tuple[str, Any, bool, bool, str, str | None, list[int]]] = []
        for step in capture.statements:
            if re.match(r"\s*BEGIN\b", step.sql, re.I):
                continue  # the replay opens its own transaction
            sql = step.sql
            if vendor == "sqlite":
                sql = re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%")
            upper = sql.upper()
            match = _INSERT_TABLE.match(sql)
            if match and "RETURNING" in upper:
                kind, table = "insert", match.group(1)
            elif "UPDATE" in upper and stock_table.upper() in upper and "RETURNING" in upper:
                kind, table = "stock", None
            else:
                kind, table = "other", None
            params = step.params
            slots: list[int] = []
            if not step.many and isinstance(params, (list, tuple)):
                slots = [i for i, value in enumerate(params) if self._variable(value)]
                params = list(params)
            self.steps.append((sql, params, step.many, step.in_transaction, kind, table, slots))

    def _variable(self, value: Any) -> bool:
        if isinstance(value, bool) or value is None:
            return False
        if isinstance(value, uuid.UUID) or (isinstance(value, str) and _HEX_UUID.fullmatch(value)):
            return True  # a transfer or payment id (SQLite stores 32 hex digits)
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

    def _substitute(
        self,
        value: Any,
        ints: dict[int, int],
        texts: list[tuple[str, str]],
        uuids: dict[Any, uuid.UUID],
    ) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, uuid.UUID):
            return uuids.setdefault(value, uuid.uuid4())
        if isinstance(value, str) and _HEX_UUID.fullmatch(value):
            return uuids.setdefault(value, uuid.uuid4()).hex
        if isinstance(value, int):
            return ints.get(value, value)
        if isinstance(value, str):
            for old, new in texts:
                if old in value:
                    value = value.replace(old, new)
            return value
        if isinstance(value, (list, tuple)):
            return type(value)(self._substitute(v, ints, texts, uuids) for v in value)
        if isinstance(value, dict):
            return {k: self._substitute(v, ints, texts, uuids) for k, v in value.items()}
        obj = getattr(value, "obj", None)
        if obj is not None:
            return type(value)(self._substitute(obj, ints, texts, uuids))
        return value

    def run_once(self, conn: Any, buyer: Buyer) -> bool:
        """One checkout; True when placed, False when out of stock (rolled back)."""
        capture = self.capture
        assert capture.buyer is not None
        uuids: dict[Any, uuid.UUID] = {}  # fresh transfer and payment ids per run
        ints: dict[int, int] = {capture.buyer.user_id: buyer.user_id}
        texts = [
            (capture.idempotency_key, str(uuid.uuid4())),
            (capture.buyer.token_sha256, buyer.token_sha256),
            (str(capture.buyer.user_id), str(buyer.user_id)),
        ]
        pending = {table: list(ids) for table, ids in capture.created_ids.items()}
        in_transaction = False
        cursor = conn.cursor()
        try:
            for sql, params, many, transactional, kind, table, slots in self.steps:
                if transactional and not in_transaction:
                    cursor.execute(self.begin)
                    in_transaction = True
                elif not transactional and in_transaction:
                    cursor.execute("COMMIT")
                    in_transaction = False
                if many:
                    cursor.executemany(sql, self._substitute(params, ints, texts, uuids))
                else:
                    if slots:
                        params = list(params)
                        for i in slots:
                            params[i] = self._substitute(params[i], ints, texts, uuids)
                    cursor.execute(sql, params)
                if kind == "insert":
                    old_ids = pending.get(table or "", [])
                    for row in cursor.fetchall():
                        if old_ids:
                            old, new = old_ids.pop(0), int(row[0])
                            ints[old] = new
                            texts.append((str(old), str(new)))
                elif kind == "stock":
                    if len(cursor.fetchall()) != capture.lines:
                        cursor.execute("ROLLBACK")
                        return False
                elif cursor.description is not None:
                    cursor.fetchall()
            if in_transaction:
                cursor.execute("COMMIT")
            return True
        except Exception:
            if in_transaction:
                cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.close()


_HEX_UUID = re.compile(r"[0-9a-f]{32}")


def raw_connection(url: str) -> Any:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(
            urlsplit(url).path, isolation_level=None, timeout=20, check_same_thread=False
        )
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=20000",
        ):
            conn.execute(f"PRAGMA {pragma}")
        return conn
    import psycopg

    return psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)


# --- load ---------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    seconds: float
    ok: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def run_threads(
    name: str, clients: int, seconds: float, work: Callable[[int, float, Result], None]
) -> Result:
    result = Result(name, seconds)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    barrier = threading.Barrier(clients)
    partials = [Result(name, seconds) for _ in range(clients)]

    def body(index: int) -> None:
        barrier.wait()
        work(index, deadline, partials[index])

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    with lock:
        for part in partials:
            result.ok += part.ok
            result.statuses.update(part.statuses)
            result.errors.update(part.errors)
            result.latencies.extend(part.latencies)
    return result


def http_load(
    port: int,
    buyers: list[Buyer],
    clients: int,
    seconds: float,
    variants: Callable[[], list[int]],
    name: str,
    until_sold_out: bool = False,
) -> Result:
    def work(index: int, deadline: float, out: Result) -> None:
        buyer = buyers[index % len(buyers)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            body = json.dumps(body_for(variants())).encode()
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {buyer.token}",
                "Idempotency-Key": str(uuid.uuid4()),
            }
            started = time.perf_counter()
            response: http.client.HTTPResponse | None = None
            payload = b""
            for attempt in range(3):
                try:
                    conn.request("POST", "/api/v1/checkout", body=body, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                    break
                except (http.client.HTTPException, OSError) as exc:
                    # A dropped keep-alive connection: reconnect and retry with the same
                    # Idempotency-Key (a retry never places a second order).
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    response = None
                    if attempt == 2:
                        out.errors[type(exc).__name__] += 1
            if response is None:
                continue
            out.latencies.append(time.perf_counter() - started)
            out.statuses[response.status] += 1
            if response.status == 201:
                out.ok += 1
            elif response.status == 409:
                code = json.loads(payload or b"{}").get("error", "conflict")
                out.errors[f"409 {code}"] += 1
                if until_sold_out and code == "out_of_stock":
                    break
            else:
                out.errors[f"{response.status} {payload[:120]!r}"] += 1
        conn.close()

    return run_threads(name, clients, seconds, work)


def raw_load(
    url: str, replayer: Replayer, buyers: list[Buyer], clients: int, seconds: float, name: str
) -> Result:
    def work(index: int, deadline: float, out: Result) -> None:
        buyer = buyers[index % len(buyers)]
        conn = raw_connection(url)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    placed = replayer.run_once(conn, buyer)
                except Exception as exc:  # counted and shown; the run goes on
                    out.errors[f"{type(exc).__name__}: {str(exc)[:100]}"] += 1
                    continue
                out.latencies.append(time.perf_counter() - started)
                if placed:
                    out.ok += 1
                else:
                    out.errors["out_of_stock"] += 1
        finally:
            conn.close()

    return run_threads(name, clients, seconds, work)


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(
    url: str, secret_key: str, port: int, workers: int, threads: int
) -> Iterator[subprocess.Popen[bytes]]:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY=secret_key,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    fiera = Path(sys.executable).with_name("fiera")
    command = [
        str(fiera),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    log = open(ROOT / "var" / "bench-server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.time() > deadline:
                raise SystemExit(
                    f"the server did not start; see {ROOT / 'var' / 'bench-server.log'}"
                )
            time.sleep(0.2)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# --- checks -------------------------------------------------------------------------------


def stock_report(world: BenchWorld) -> tuple[bool, str]:
    """Every variant's stock = initial units - units in order lines; never negative."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.variant_id, s.units_on_hand, COALESCE(SUM(l.quantity), 0) "
            "FROM catalog_stocklevel s LEFT JOIN orders_orderline l ON l.variant_id = s.variant_id "
            "GROUP BY s.variant_id, s.units_on_hand"
        )
        rows = cursor.fetchall()
    flash = next(r for r in rows if r[0] == world.flash_variant)
    wrong = [r for r in rows if r[0] != world.flash_variant and r[1] + r[2] != HOT_UNITS]
    negative = [r for r in rows if r[1] < 0]
    ok = not wrong and not negative and flash[1] + flash[2] == FLASH_UNITS and flash[1] >= 0
    return ok, (
        f"{len(rows)} stock rows: {'consistent' if not wrong else f'{len(wrong)} INCONSISTENT'}, "
        f"{'none' if not negative else len(negative)} negative; flash SKU {flash[2]} sold of "
        f"{FLASH_UNITS}, {flash[1]} left"
    )


FLASH_UNITS = 500


def set_flash_stock(world: BenchWorld) -> None:
    from fiera.catalog.models import StockLevel

    StockLevel.objects.filter(variant_id=world.flash_variant).update(units_on_hand=FLASH_UNITS)


def count_checkouts() -> int:
    from fiera.orders.models import Checkout

    return Checkout.objects.count()


# --- main ---------------------------------------------------------------------------------


def line(result: Result, extra: str = "") -> str:
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(result.errors.items())) or "none"
    return (
        f"  {result.name:<22} {result.rate:8.1f} orders/s  "
        f"({result.ok} in {result.seconds:.1f} s)  "
        f"p50 {result.percentile(50):6.1f} ms  p95 {result.percentile(95):6.1f} ms  "
        f"errors: {errors}{extra}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--workers",
        type=int,
        default=max(2, (os.cpu_count() or 1) * 2),
        help="server processes (default 2 x cores)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per server process")
    parser.add_argument(
        "--payment-method",
        choices=["cod", "wallet"],
        default="cod",
        help="cash on delivery, or the buyer's CNY wallet through FX (decision 0012)",
    )
    parser.add_argument(
        "--profile-rounds",
        type=int,
        default=50,
        help="in-process checkouts timed for the SQL/Python split",
    )
    parser.add_argument(
        "--cprofile",
        type=int,
        default=0,
        metavar="N",
        help="also print the top N functions (cProfile, in-process, 1 line)",
    )
    args = parser.parse_args(argv)
    PAYMENT["method"] = args.payment_method
    url = args.database_url
    secret_key = secrets.token_urlsafe(50)
    (ROOT / "var").mkdir(exist_ok=True)

    print(f"preparing {url.split('@')[-1]} ...", flush=True)
    prepare_database(url)
    setup_django(url, secret_key)
    from django.core.management import call_command
    from django.db import connection, connections

    from fiera.catalog.models import StockLevel

    call_command("migrate", interactive=False, verbosity=0)
    bump_sequences()
    world = seed(args.clients)
    vendor = connection.vendor

    if PAYMENT["method"] == "wallet":
        capture_checkout(world.buyers[0], [world.hot_variant])  # caches the day's FX terms
    one = capture_checkout(world.buyers[0], [world.hot_variant])
    twenty = capture_checkout(world.buyers[0], world.cart_variants)
    ms_one, sql_one = profile_in_process(world.buyers, [world.hot_variant], args.profile_rounds)
    ms_twenty, sql_twenty = profile_in_process(
        world.buyers, world.cart_variants, max(5, args.profile_rounds // 5)
    )
    profile_text = (
        cprofile_in_process(world.buyers, [world.hot_variant], args.profile_rounds, args.cprofile)
        if args.cprofile
        else ""
    )
    stock_table = StockLevel._meta.db_table
    connections.close_all()

    port = free_port()
    print(
        f"serving on :{port} with {args.workers} workers x {args.threads} threads; "
        f"{args.clients} clients, {args.seconds:.0f} s per run",
        flush=True,
    )
    results: list[tuple[Result, Result]] = []
    with server(url, secret_key, port, args.workers, args.threads):
        before = count_checkouts()
        connections.close_all()
        http_one = http_load(
            port,
            world.buyers,
            args.clients,
            args.seconds,
            lambda: [world.hot_variant],
            "HTTP 1 line",
        )
        http_twenty = http_load(
            port,
            world.buyers,
            args.clients,
            args.seconds,
            lambda: world.cart_variants,
            "HTTP 20 lines",
        )
        accepted = http_one.ok + http_twenty.ok
        stored = count_checkouts() - before
        connections.close_all()
        raw_one = raw_load(
            url,
            Replayer(one, vendor, stock_table),
            world.buyers,
            args.clients,
            args.seconds,
            "raw SQL 1 line",
        )
        raw_twenty = raw_load(
            url,
            Replayer(twenty, vendor, stock_table),
            world.buyers,
            args.clients,
            args.seconds,
            "raw SQL 20 lines",
        )
        results = [(http_one, raw_one), (http_twenty, raw_twenty)]
        set_flash_stock(world)
        connections.close_all()
        flash = http_load(
            port,
            world.buyers,
            args.clients,
            max(args.seconds, 5),
            lambda: [world.flash_variant],
            "HTTP flash sale",
            until_sold_out=True,
        )
    stock_ok, stock_text = stock_report(world)
    ledger_ok, ledger_text = ledger_report() if PAYMENT["method"] == "wallet" else (True, "")
    server_errors = sum(
        n for r in (http_one, http_twenty, flash) for s, n in r.statuses.items() if s >= 500
    )
    transport = sum(sum(r.errors.values()) for r in (http_one, http_twenty, flash)) - sum(
        n
        for r in (http_one, http_twenty, flash)
        for k, n in r.errors.items()
        if k.startswith("409")
    )

    paid_by = (
        "the CNY wallet (FX to the EUR payables)"
        if PAYMENT["method"] == "wallet"
        else "cash on delivery"
    )
    print(
        f"\nCheckout benchmark on {vendor} ({url.split('@')[-1]}), {args.clients} clients, "
        f"{os.cpu_count()} cores shared by server and load generator, paid by {paid_by}"
    )
    for http_result, raw_result in results:
        print(line(http_result))
        print(line(raw_result))
        ratio = http_result.rate / raw_result.rate if raw_result.rate else 0.0
        print(f"  {'ratio HTTP/raw':<22} {ratio:8.0%}")
    print(line(flash))
    print("\nQueries per checkout (CaptureQueriesContext, Django test client on the real view):")
    for capture in (one, twenty):
        print(
            f"  {capture.lines:>2} line(s): {capture.django_count} queries "
            f"({capture.count_sql} statements + BEGIN/COMMIT/savepoints), "
            f"{capture.sql_seconds * 1000:.1f} ms in SQL"
        )
    print("\nWhere a checkout's time goes (in-process, test client, one at a time):")
    print(
        f"   1 line : {ms_one:6.2f} ms per checkout, {sql_one:6.2f} ms in the driver "
        f"({sql_one / ms_one:.0%}), {ms_one - sql_one:6.2f} ms Python"
    )
    print(
        f"  20 lines: {ms_twenty:6.2f} ms per checkout, {sql_twenty:6.2f} ms in the driver "
        f"({sql_twenty / ms_twenty:.0%}), {ms_twenty - sql_twenty:6.2f} ms Python"
    )
    if profile_text:
        print(profile_text)
    print("\nChecks:")
    print(f"  5xx answers: {server_errors}; transport errors: {transport}")
    print(
        f"  every 201 is a stored checkout: {accepted} answered, {stored} stored "
        f"({'ok' if accepted == stored else 'MISMATCH'})"
    )
    print(
        f"  flash sale: {flash.ok} sold of {FLASH_UNITS} units "
        f"({'no oversell' if flash.ok <= FLASH_UNITS else 'OVERSOLD'})"
    )
    print(f"  stock: {stock_text}")
    if ledger_text:
        print(f"  ledger: {ledger_text}")
    print(
        "\nTargets (issue): HTTP >= 50% of raw on PostgreSQL; same statement count for 1 and "
        f"20 lines, under 20: {one.django_count} / {twenty.django_count}"
    )
    good = (
        server_errors == 0
        and stock_ok
        and accepted == stored
        and flash.ok <= FLASH_UNITS
        and one.django_count == twenty.django_count
        and ledger_ok
    )
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
