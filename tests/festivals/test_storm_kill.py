"""A flash-sale storm against a running server (gunicorn, PostgreSQL) in which one worker
process is killed with SIGKILL mid-storm, and the clients retry with the SAME
Idempotency-Key: nothing oversold, every 201 is an order in the database, each key made at
most one checkout (a retry after the kill got the order the key already had), and the GMV
tallies, once the outbox is relayed, equal the orders.

The server is ``fiera serve`` (gthread, 2 workers x 4 threads, the app preloaded in the
master) on a free port, pointed at the test database; without a broker its outbox relay
runs on a thread, as in production without Celery.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from fiera.accounts import services as account_services
from fiera.common import events
from fiera.festivals import tallies
from fiera.festivals.models import FestivalOrder, FlashSale, FlashSaleBucket, GmvTally
from fiera.festivals.simulate import CHECKOUT_PATH, Plan, Target, _body, _Client
from fiera.orders.models import Checkout, IdempotencyRecord, Order, OrderLine
from tests.festivals.test_simulate import _festival_with_flash_sale
from tests.orders import factories as f
from tests.payments.factories import make_rates

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

UNITS = 60
BUCKETS = 8
LIMIT = 2
BUYERS = 70
ATTEMPTS = 3  # keys per buyer: demand 70 x 2 (the limit) = 140 units for 60
THREADS = 40
TRIES = 10  # per key: a connection error or a 5xx is retried with the same key
KILL_AFTER = 0.15  # share of the keys done when one worker is killed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{db['NAME']}"


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/")
        conn.getresponse().read()
        conn.close()
        return True
    except (OSError, http.client.HTTPException):
        return False


def _children(master: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == master and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _workers(master: int) -> list[int]:
    """The gunicorn master's worker processes, from /proc: its children, less the process
    that runs the periodic jobs (``fiera periodic``, started by ``fiera serve`` without a
    broker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == master and fields[0] != "Z" and b"periodic" not in command:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "REDIS_URL", "FIERA_REQUIRE_POSTGRES"}
    }
    env.update(
        DATABASE_URL=_database_url(),
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        FIERA_HOME=str(tmp_path),
    )
    fiera = Path(sys.executable).parent / "fiera"
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [str(fiera), "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "the server did not start:\n" + (tmp_path / "server.log").read_text()
                )
            time.sleep(0.2)
        while len(_workers(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        yield port, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@dataclass
class Seen:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: int = 0
    connection_errors: int = 0
    connection_errors_after_kill: int = 0
    server_errors: int = 0
    created_after_kill: int = 0
    exhausted: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    # key -> the order numbers of each 201 it got (the first and any replays)
    created: dict[str, list[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(list))
    buyer_of: dict[str, str] = field(default_factory=dict)
    killed: bool = False


def _checkout(client: _Client, body: bytes, token: str, key: str, seen: Seen) -> None:
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": key,
    }
    for _try in range(TRIES):
        try:
            status, data, _replayed = client.post(CHECKOUT_PATH, body, headers)
        except (OSError, http.client.HTTPException):
            with seen.lock:
                seen.connection_errors += 1
                seen.connection_errors_after_kill += seen.killed
            time.sleep(0.25)
            continue
        with seen.lock:
            seen.statuses[status] += 1
        if status >= 500:
            with seen.lock:
                seen.server_errors += 1
            time.sleep(0.25)
            continue
        parsed = json.loads(data) if data else {}
        with seen.lock:
            if status == 201:
                numbers = tuple(sorted(str(o["number"]) for o in parsed["orders"]))
                seen.created[key].append(numbers)
                seen.created_after_kill += seen.killed
            else:
                seen.codes[str(parsed.get("error") or status)] += 1
        return
    with seen.lock:
        seen.exhausted += 1


def test_a_worker_killed_mid_storm_loses_nothing_and_sells_no_more_than_allocated(
    server: tuple[int, subprocess.Popen[bytes]],
) -> None:
    started = time.perf_counter()
    port, proc = server
    make_rates(on=timezone.now().date())
    sale = _festival_with_flash_sale(quantity=UNITS, buckets=BUCKETS)
    FlashSale.objects.filter(pk=sale.pk).update(per_buyer_limit=LIMIT)
    market = sale.festival.marketplaces.get()
    buyers = [f.user() for _ in range(BUYERS)]  # no password: no slow key derivation
    tokens = [account_services.token_issue(user_id=b.pk, name="storm").key for b in buyers]
    plan = Plan(
        festival_slug=sale.festival.slug,
        marketplace_slug=market.slug,
        country="IT",
        currency="EUR",
        hot=Target(sale.variant_id, sale.pk, sale.price_minor),
        others=(),
        tokens=tuple(tokens),
        flash_sale_ids=(sale.pk,),
    )
    body = _body(plan, plan.hot, "cod")
    jobs = [(token, f"kill-{uuid.uuid4().hex}") for _round in range(ATTEMPTS) for token in tokens]
    seen = Seen()
    index = [0]
    take = threading.Lock()

    def work() -> None:
        client = _Client(f"http://127.0.0.1:{port}", timeout=30.0)
        try:
            while True:
                with take:
                    if index[0] >= len(jobs):
                        return
                    token, key = jobs[index[0]]
                    index[0] += 1
                _checkout(client, body, token, key, seen)
                with seen.lock:
                    seen.done += 1
        finally:
            client.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    victims = _workers(proc.pid)
    assert len(victims) == 2, victims
    deadline = time.monotonic() + 60
    while seen.done < KILL_AFTER * len(jobs) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert seen.done < len(jobs), "the storm ended before the kill"
    os.kill(victims[0], signal.SIGKILL)
    with seen.lock:
        seen.killed = True
        done_at_kill = seen.done
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)
    # the master replaced the killed worker
    respawn = time.monotonic() + 15
    while time.monotonic() < respawn:
        workers = _workers(proc.pid)
        if len(workers) == 2 and victims[0] not in workers:
            break
        time.sleep(0.1)
    assert victims[0] not in _workers(proc.pid) and len(_workers(proc.pid)) == 2
    # without a broker, `fiera serve` also runs the periodic jobs, in a process of its own
    assert len(_children(proc.pid)) == 3
    storm_seconds = time.perf_counter() - started

    print(
        f"\nstorm: {len(jobs)} keys, {THREADS} threads, killed worker {victims[0]} after "
        f"{done_at_kill} keys; connection errors {seen.connection_errors} "
        f"({seen.connection_errors_after_kill} after the kill), 5xx {seen.server_errors}, "
        f"201s after the kill {seen.created_after_kill}, "
        f"replayed 201s {sum(len(a) - 1 for a in seen.created.values())}, "
        f"statuses {dict(seen.statuses)}, codes {dict(seen.codes)}, "
        f"{storm_seconds:.1f} s"
    )
    # the kill was felt (requests and keep-alive connections on the killed worker broke),
    # and every key still got an answer within its retries
    assert seen.connection_errors > 0
    assert seen.exhausted == 0
    assert seen.done == len(jobs)
    assert set(seen.codes) <= {"flash_sale_sold_out", "flash_sale_limit"}, seen.codes

    # 0 oversold: the buckets hold exactly the allocation, every unit sold once
    buckets = FlashSaleBucket.objects.filter(flash_sale=sale).aggregate(
        left=Sum("units_left"), sold=Sum("units_sold")
    )
    assert buckets["left"] + buckets["sold"] == UNITS
    assert 0 <= buckets["sold"] <= UNITS
    assert buckets["sold"] == UNITS  # demand (140) exceeds the allocation
    lines = OrderLine.objects.filter(flash_sale_id=sale.pk).aggregate(n=Sum("quantity"))["n"]
    assert lines == buckets["sold"]
    per_buyer = Counter(Order.objects.values_list("buyer_id", flat=True))
    assert max(per_buyer.values()) <= LIMIT

    # every 201 is an order; each key kept one answer (a replay is the first 201's orders)
    for key, answers in seen.created.items():
        assert len(set(answers)) == 1, (key, answers)
    numbers = {n for answers in seen.created.values() for n in answers[0]}
    assert len(numbers) == sum(len(a[0]) for a in seen.created.values())
    assert set(Order.objects.values_list("number", flat=True)) == numbers
    assert Order.objects.count() == len(numbers) == UNITS

    # each key made at most one checkout, and every checkout belongs to a key
    records = IdempotencyRecord.objects.filter(key__startswith="kill-")
    assert records.count() == Checkout.objects.count() == len(seen.created)
    assert set(records.values_list("key", flat=True)) == set(seen.created)
    assert set(records.values_list("checkout_id", flat=True)) == set(
        Checkout.objects.values_list("pk", flat=True)
    )
    for record in records:
        recorded = tuple(sorted(str(o["number"]) for o in record.result["orders"]))
        assert seen.created[record.key][0] == recorded

    # the GMV tallies equal the orders once the outbox is relayed (the server is stopped
    # first: what its relay thread had claimed and not finished is due again)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    while events.relay(now=timezone.now() + timedelta(days=1), batch_size=200):
        pass
    counted = FestivalOrder.objects.filter(festival=sale.festival, phase="live")
    assert counted.count() == UNITS
    assert sum(fo.total_minor for fo in counted) == sum(
        Order.objects.values_list("total_minor", flat=True)
    )
    expected = sum(
        tallies.to_usd_minor(fo.total_minor, fo.currency, Decimal(fo.usd_rate)) for fo in counted
    )
    cells = GmvTally.objects.filter(festival=sale.festival, phase="live").aggregate(
        gmv=Sum("gmv_usd_minor"), orders=Sum("orders"), units=Sum("units")
    )
    assert cells == {"gmv": expected, "orders": UNITS, "units": UNITS}
    assert time.perf_counter() - started < 90
