"""Ledger transfers per second: the service layer and the HTTP API beside raw SQL.

    .venv/bin/python bench/ledger.py [--database-url URL] [--seconds 5] [--batch 100]

Default database: postgresql://postgres@127.0.0.1:5432/fiera_bench_ledger, dropped and
created afresh (a sqlite:///path URL works too: the file is replaced). It opens a funding
account and --wallets consumer wallets, then measures, one client each, --seconds apiece:

- single: one transfer per transaction;
- batch: --batch transfers per call (one transaction);

each three ways: the same SQL run raw through the driver (psycopg / sqlite3: lock the two
rows, insert, update balances, commit; the statements are ``fiera.ledger.sql``'s), the
service layer (``transfer_create`` / ``transfers_create``), and HTTP (``fiera serve`` as a
subprocess, POST /api/v1/ledger/transfers with 1 and with --batch transfers per request,
an operator's token). The three take turns in short slices, so that the disk's fsync
latency and a neighbour's load weigh on them alike. Transfer ids are time-ordered
(``new_transfer_id``, UUIDv7) everywhere. Then it prints the rates, each as a share of
the raw-SQL rate, the batched/single ratio, and checks the ledger (``ledger_verify``).

Targets: service single >= 50% of raw single; service batched >= 5x service single.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from fiera.ledger.domain import new_transfer_id  # noqa: E402 - after the path is set

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/fiera_bench_ledger"
CURRENCY = "EUR"


def reset_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(urlparse(url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fiera.settings")
    os.environ.setdefault("FIERA_HOME", str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def open_world(wallets: int) -> tuple[int, list[int], str]:
    """A funding account, ``wallets`` funded wallets, and an operator's API key."""
    from django.utils import timezone

    from fiera.accounts import services as accounts
    from fiera.accounts.roles import SYSTEM
    from fiera.ledger import services
    from fiera.ledger.domain import TransferSpec

    funding = services.system_account(code="funding", currency=CURRENCY)
    ids = [
        services.account_open(
            code="wallet",
            owner_type="user",
            owner_id=i,
            currency=CURRENCY,
            debits_must_not_exceed_credits=True,
        ).id
        for i in range(1, wallets + 1)
    ]
    services.transfers_create(
        transfers=[
            TransferSpec(
                id=new_transfer_id(),
                debit_account_id=funding.id,
                credit_account_id=w,
                amount_minor=10**12,
                currency=CURRENCY,
                code="topup",
            )
            for w in ids
        ],
        now=timezone.now(),
        actor_role=SYSTEM,
    )
    user = accounts.user_create(
        username=f"bench-{secrets.token_hex(3)}",
        password=secrets.token_urlsafe(16),
        role="operator",
        business_unit="bench",
    )
    return funding.id, ids, accounts.token_issue(user_id=user.pk, name="bench").key


def pair(rng: random.Random, ids: list[int]) -> tuple[int, int]:
    debit, credit = rng.sample(ids, 2)
    return debit, credit


def measure(
    seconds: float, steps: dict[str, Callable[[], int]], slice_s: float = 0.25
) -> dict[str, float]:
    """Transfers per second of each step (a call returning how many it booked).

    The steps take turns in short slices until each has run ``seconds``, so that a
    passing disturbance (a checkpoint, a neighbour's load, the disk's fsync latency)
    weighs on all of them alike and their ratios stay fair.
    """
    for step in steps.values():  # warm up: connections, caches, prepared statements
        for _ in range(3):
            step()
    done = dict.fromkeys(steps, 0)
    spent = dict.fromkeys(steps, 0.0)
    while min(spent.values()) < seconds:
        for name, step in steps.items():
            start = time.perf_counter()
            deadline = start + slice_s
            while time.perf_counter() < deadline:
                done[name] += step()
            spent[name] += time.perf_counter() - start
    return {name: done[name] / spent[name] for name in steps}


# --- raw SQL through the driver -------------------------------------------------------


class Raw:
    """The service's statements, with the parameters built by hand: no ORM, no checks."""

    def __init__(self, url: str) -> None:
        from fiera.ledger import sql

        self.sql = sql
        self.vendor = "sqlite" if url.startswith("sqlite") else "postgresql"
        if self.vendor == "postgresql":
            import psycopg

            self.conn: Any = psycopg.connect(url, autocommit=False)
            self.mark = "%s"
        else:
            self.conn = sqlite3.connect(urlparse(url).path, isolation_level=None, timeout=20)
            self.conn.executescript(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            )
            self.mark = "?"

    def _q(self, text: str) -> str:
        return text if self.mark == "%s" else text.replace("%s", "?")

    def book(self, transfers: list[tuple[int, int]]) -> int:
        sql, vendor = self.sql, self.vendor
        now = datetime.now(UTC)
        created = sql.datetime_param(vendor, now)
        accounts = sorted({a for t in transfers for a in t})
        rows = []
        deltas: dict[int, list[int]] = {a: [0, 0, 0, 0] for a in accounts}
        for debit, credit in transfers:
            transfer_id = sql.uuid_param(vendor, new_transfer_id())
            rows.append((
                transfer_id, debit, credit, 1, CURRENCY, "payment", "",
                False, False, False, False, False, None, None, 0, None, created,
            ))  # fmt: skip
            deltas[debit][1] += 1
            deltas[credit][3] += 1
        changes = [(a, *deltas[a]) for a in accounts]  # (id, dp, dpo, cp, cpo)
        cur = self.conn.cursor()
        if vendor == "sqlite":
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(
            self._q(sql.lock_accounts_sql(vendor, len(accounts))), sql.in_params(vendor, accounts)
        )
        cur.fetchall()
        inserted = sql.execute_write(
            cur, vendor, self._q(sql.insert_transfers_sql(vendor)), sql.insert_params(vendor, rows)
        )
        sql.execute_write(
            cur,
            vendor,
            self._q(sql.update_balances_sql(vendor)),
            sql.update_params(vendor, changes),
        )
        if vendor == "sqlite":
            cur.execute("COMMIT")
        else:
            self.conn.commit()
        assert inserted == len(transfers)
        return inserted

    def close(self) -> None:
        self.conn.close()


# --- HTTP -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    fiera = ROOT / ".venv" / "bin" / "fiera"
    command = [str(fiera), "serve", "--port", str(port), "--workers", str(workers)]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit(f"fiera serve exited: {log.read().decode()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("fiera serve did not answer within 60 s")


class Http:
    def __init__(self, port: int, key: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def book(self, transfers: list[tuple[int, int]]) -> int:
        body = json.dumps(
            [
                {
                    "id": str(new_transfer_id()),
                    "debit_account_id": debit,
                    "credit_account_id": credit,
                    "amount_minor": 1,
                    "currency": CURRENCY,
                    "code": "payment",
                }
                for debit, credit in transfers
            ]
        )
        self.conn.request("POST", "/api/v1/ledger/transfers", body=body, headers=self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}: {payload[:500]!r}")
        results = json.loads(payload)
        ok = sum(1 for r in results if r["ok"])
        assert ok == len(transfers), results[:3]
        return ok


# --- main -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=5.0, help="per figure (default 5)")
    parser.add_argument("--batch", type=int, default=100, help="transfers per batch (default 100)")
    parser.add_argument("--wallets", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="fiera serve processes (default 2)")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()

    url = args.database_url
    reset_database(url)
    setup_django(url)
    from django.db import connection
    from django.utils import timezone

    from fiera.accounts.roles import SYSTEM
    from fiera.ledger import selectors, services
    from fiera.ledger.domain import TransferSpec

    _, ids, key = open_world(args.wallets)
    rng = random.Random(7)
    vendor = connection.vendor
    batch = args.batch

    def specs(n: int) -> list[TransferSpec]:
        out = []
        for _ in range(n):
            debit, credit = pair(rng, ids)
            out.append(
                TransferSpec(
                    id=new_transfer_id(),
                    debit_account_id=debit,
                    credit_account_id=credit,
                    amount_minor=1,
                    currency=CURRENCY,
                    code="payment",
                )
            )
        return out

    def service_single() -> int:
        services.transfer_create(spec=specs(1)[0], now=timezone.now())
        return 1

    def service_batch() -> int:
        results = services.transfers_create(
            transfers=specs(batch), now=timezone.now(), actor_role=SYSTEM
        )
        assert all(r.ok for r in results)
        return len(results)

    raw = Raw(url)
    port = free_port()
    server = None if args.skip_http else start_server(url, port, args.workers)
    client = None if server is None else Http(port, key)
    print(
        f"ledger bench on {vendor} ({urlparse(url).path.lstrip('/')}), {args.wallets} wallets, "
        f"{args.seconds:g} s per figure, one client",
        flush=True,
    )
    try:
        single: dict[str, Callable[[], int]] = {
            "single raw": lambda: raw.book([pair(rng, ids)]),
            "single service": service_single,
        }
        batched: dict[str, Callable[[], int]] = {
            "batch raw": lambda: raw.book([pair(rng, ids) for _ in range(batch)]),
            "batch service": service_batch,
        }
        if client is not None:
            single["single HTTP"] = lambda: client.book([pair(rng, ids)])
            batched["batch HTTP"] = lambda: client.book([pair(rng, ids) for _ in range(batch)])
        rates = measure(args.seconds, single)
        rates.update(measure(args.seconds, batched))
    finally:
        raw.close()
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()

    print(f"\n{'':26}{'transfers/s':>12}{'of raw SQL':>12}")
    for mode, label in (("single", "1 per transaction"), ("batch", f"{batch} per call")):
        base = rates[f"{mode} raw"]
        for way in ("raw", "service", "HTTP"):
            name = f"{mode} {way}"
            if name in rates:
                share = "" if way == "raw" else f"{rates[name] / base:>11.0%}"
                print(f"{label:<18}{way:<8}{rates[name]:>12,.0f}{share:>12}")
    single_share = rates["single service"] / rates["single raw"]
    batch_gain = rates["batch service"] / rates["single service"]
    print(
        f"\nservice single / raw single: {single_share:.0%} (target >= 50%: "
        f"{'met' if single_share >= 0.5 else 'MISSED'})"
    )
    print(
        f"service batched / service single: {batch_gain:.1f}x (target >= 5x: "
        f"{'met' if batch_gain >= 5 else 'MISSED'})"
    )
    report = selectors.ledger_verify(actor_role=SYSTEM)
    print(f"ledger_verify: {report.summary()}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
