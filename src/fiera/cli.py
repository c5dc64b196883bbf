"""The ``fiera`` command: everything people run, in one place.

fiera demo [--merchants N] [--seed S]   build the demo world (SQLite by default)
fiera serve [--port N] [--workers N]    serve with gunicorn (production-grade)
fiera periodic [--once]                 the periodic jobs without a broker (serve starts it)
fiera migrate                           apply database migrations
fiera check                             say in plain words what is misconfigured
fiera token create USERNAME             print a new API key for a user
fiera outbox relay                      deliver pending events now
fiera scale citus-plan                  print the SQL that lays the tables out on Citus
fiera outbox failed [-v]                list deliveries parked after their last attempt
fiera outbox retry ID... | --all        put failed deliveries back in line
fiera outbox status                     count waiting, pending and failed deliveries
fiera orders expire-unpaid              cancel the orders not paid by their deadline
fiera trade release-due                 release undisputed trade-assurance payments now due
fiera trade pavilion SLUG               a pavilion's quota, applications and live figures
fiera trade pavilions-expire            end the pavilion sponsorships whose period is over
fiera partner coverage                  the 20 regions: partners, open leads, live stores
fiera partner leads SLUG                a partner's leads (--stage, --region)
fiera academy cohort SLUG               a cohort: places taken, its learners' progress
fiera academy close-attempts            submit the exam attempts whose time ran out
fiera cert verify FILE                  verify an Open Badges 3.0 credential (exit 0 valid, 1 not)
fiera cert revoke ID --reason TEXT      revoke a certificate (its bit on the status list)
fiera cert issue --cohort SLUG          issue the certificates a cohort's passed learners miss
fiera cert key                          print a new academy signing key and its did
fiera manage ARGS...                    any Django management command
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from fiera.common.runtime import setup_django


def _django() -> None:
    setup_django()


def _ensure_var_dir() -> None:
    from fiera import config

    config.VAR_DIR.mkdir(parents=True, exist_ok=True)


def cmd_migrate(args: argparse.Namespace) -> int:
    _ensure_var_dir()
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print("database is up to date")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _ensure_var_dir()
    from fiera import config

    # `make demo` serves with DEBUG off (the product's own 404/403/500 pages) and needs a
    # key of its own: generated once for this machine, then kept.
    if config.local_secret_key_ensure():
        print(f"secret key: generated {config.LOCAL_SECRET_KEY_FILE} for this machine")
    _django()
    from django.core.management import call_command

    from fiera.demo import build

    call_command("migrate", interactive=False, verbosity=0)
    summary = build.build_demo(merchants=args.merchants, seed=args.seed, reset=not args.keep)
    for line in summary:
        print(line)
    print(
        "Serve it with `make demo` (or `fiera serve`) and open http://127.0.0.1:8000/ ; "
        "the API docs are at http://127.0.0.1:8000/api/v1/docs"
    )
    cfg = config.load()
    if cfg.email.backend == "file":
        print(f"Mails (sign-up, password reset, orders) are written to {cfg.email.file_path}/")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from fiera import config

    cfg = config.load()
    found = config.problems(cfg)
    print(f"database:   {cfg.database_vendor} ({_redact(cfg.database_url)})")
    redis_text = _redact(cfg.redis_url) if cfg.redis_url else "not configured (tasks in-process)"
    print(f"redis:      {redis_text}")
    print(f"mode:       {'DEBUG (demo/development)' if cfg.debug else 'production'}")
    https = "on (redirect, HSTS, secure cookies)" if cfg.https else "off (plain HTTP)"
    if cfg.proxy_ssl_header:
        https += f", behind a proxy setting {cfg.proxy_ssl_header}"
    print(f"https:      {https}")
    print(f"api docs:   {cfg.api_docs}")
    print(
        f"sign-in:    locked for {cfg.login_cooloff_minutes} min after "
        f"{cfg.login_failure_limit} wrong passwords; per address: sign-in form "
        f"{cfg.login_rate}, API tokens {cfg.api_token_rate}"
    )
    mail = {
        "file": f"written to files in {cfg.email.file_path}",
        "smtp": f"SMTP via {cfg.email.host or '(no host)'}:{cfg.email.port}",
        "console": "printed to the console",
        "locmem": "kept in memory (tests)",
    }[cfg.email.backend]
    print(f"mail:       {mail}, from {cfg.email.from_address}; links to {cfg.base_url}")
    print(
        f"payments:   FX spread {cfg.fx_markup_bp} bp, quotes hold {cfg.fx_quote_seconds} s, "
        f"fee {cfg.payment_fee_bp} bp, settlement {cfg.settlement_currency}, "
        f"wallets {','.join(cfg.wallet_currencies)}; pay-later orders wait "
        f"{cfg.payment_timeout_minutes} min ({cfg.flash_payment_timeout_minutes} with flash-sale "
        "items)"
    )
    # --- academy certificates ---
    if cfg.academy_signing_key:
        key_text = "FIERA_ACADEMY_SIGNING_KEY"
    elif config.local_academy_key():
        key_text = f"{config.LOCAL_ACADEMY_KEY_FILE} (generated for this machine)"
    else:
        key_text = f"not set: generated into {config.LOCAL_ACADEMY_KEY_FILE} on first use"
    print(f"academy:    certificates signed by {cfg.academy_issuer_name}, key from {key_text}")
    if cfg.academy_signing_key or config.local_academy_key():
        from fiera.academy.credentials.keys import DidKeyError, key_pair_from_secret_multibase

        try:
            did = key_pair_from_secret_multibase(
                cfg.academy_signing_key or config.local_academy_key()
            ).did
        except DidKeyError:
            did = "(not a usable key)"
        print(f"            issuer {did}")
    advice = config.academy_key_advice(cfg)
    if advice:
        print(f"            warning: {advice}")
    if not found:
        found.extend(_live_problems())
    if found:
        print("\nFiera is not ready:")
        for problem in found:
            print(f"  - {problem}")
        return 1
    print("\nOK: configuration, database and migrations are in order.")
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _live_problems() -> list[str]:
    found: list[str] = []
    _ensure_var_dir()
    _django()
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.ensure_connection()
    except Exception as exc:
        return [f"cannot reach the database: {exc}".strip()]
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        found.append(f"{len(pending)} database migration(s) not applied: run `fiera migrate`.")
    if settings.CONFIG.redis_url:
        try:
            import redis

            redis.Redis.from_url(settings.CONFIG.redis_url, socket_timeout=3).ping()
        except Exception as exc:
            found.append(f"cannot reach Redis at REDIS_URL: {exc}")
    if not settings.DEBUG:
        found.extend(_deploy_problems())
    return found


_DEPLOY_WORDS = {
    "security.W004": "browsers are not told to use HTTPS only (no HSTS)",
    "security.W008": "plain HTTP requests are not redirected to HTTPS",
    "security.W012": "the session cookie is also sent over plain HTTP",
    "security.W016": "the CSRF cookie is also sent over plain HTTP",
}
_HTTPS_HINT = (
    "set FIERA_HTTPS=true when Fiera is served over HTTPS (behind a proxy that terminates TLS, "
    "also FIERA_PROXY_SSL_HEADER=X-Forwarded-Proto)"
)


def _deploy_problems() -> list[str]:
    """Django's deployment checks (``check --deploy``), each in plain words."""
    from django.core import checks

    found: list[str] = []
    https: list[str] = []
    https_ids: list[str] = []
    messages = sorted(checks.run_checks(include_deployment_checks=True), key=lambda m: m.id or "")
    for message in messages:
        if not message.is_serious(checks.WARNING) or message.is_silenced():
            continue
        words = _DEPLOY_WORDS.get(message.id or "")
        if words is not None:
            https.append(words)
            https_ids.append(message.id or "")
        elif message.id == "security.W009":
            found.append(
                f"SECRET_KEY is weak for Django: use at least 50 random characters [{message.id}]."
            )
        else:
            hint = f" {message.hint}" if message.hint else ""
            found.append(f"{message.msg}{hint} [{message.id}]")
    if https:
        found.insert(0, f"{'; '.join(https)}: {_HTTPS_HINT} [{', '.join(https_ids)}].")
    return found


def cmd_serve(args: argparse.Namespace) -> int:
    from fiera import config

    found = config.problems(config.load())
    if found:
        print("Fiera will not start:", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    _ensure_var_dir()
    _django()
    from gunicorn.app.base import BaseApplication

    from fiera.wsgi import application

    # gthread, 2 x cores processes x 4 threads (keep-alive, slow clients do not hold a
    # process): on 2 cores, sync workers and 2-8 processes x 1-8 threads all measured within
    # the bench's noise (about +-10% orders/s) of this, so the defaults stay.
    workers = args.workers or max(2, (os.cpu_count() or 1) * 2)
    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": args.threads,
        "accesslog": "-" if args.access_log else None,
        "errorlog": "-",
        "graceful_timeout": 10,
        "timeout": 60,
        # Load and warm the app once in the master, then fork: without this every worker
        # imported the URLconf, every API router and built ~500 pydantic schemas on its
        # first request (about 1.7 s of CPU each, measured), stalling the first requests
        # after every start or worker restart. A code change needs a restart, not a HUP.
        "preload_app": True,
    }

    class FieraServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            from django.db import connections
            from django.urls import get_resolver

            get_resolver().url_patterns  # noqa: B018 - imports every URLconf and API schema
            connections.close_all()  # no database connection may cross the fork
            return application

    from django.conf import settings

    periodic = None
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker, so no `celery beat`: the periodic jobs (expiry of unpaid orders, the
        # ledger's roll-up, the outbox's stragglers...) run in a process of their own.
        periodic = subprocess.Popen([sys.executable, "-m", "fiera.cli", "periodic"])
    print(f"Fiera is serving on http://{args.host}:{args.port}/  (API docs: /api/v1/docs)")
    try:
        FieraServer().run()
    finally:
        if periodic is not None:
            periodic.terminate()
            periodic.wait(timeout=10)
    return 0


def cmd_periodic(args: argparse.Namespace) -> int:
    """Run the jobs of ``CELERY_BEAT_SCHEDULE`` at their intervals in this process, for a
    Fiera without a broker (``fiera serve`` starts it); with ``--once`` each job runs once."""
    _django()
    import logging
    import time

    from django.conf import settings
    from django.db import close_old_connections, connection

    from fiera.celery import app

    app.loader.import_default_modules()
    log = logging.getLogger("fiera.periodic")
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    jobs = {
        name: (str(entry["task"]), float(entry["schedule"])) for name, entry in schedule.items()
    }
    due = dict.fromkeys(jobs, 0.0)
    failed = 0
    while True:
        for name, (task, every) in jobs.items():
            if time.monotonic() < due[name]:
                continue
            due[name] = time.monotonic() + every
            try:
                result = app.tasks[task].apply(throw=True).get(disable_sync_subtasks=False)
            except Exception:
                failed += 1
                log.exception("periodic job %s failed; it runs again in %.0f s", name, every)
            else:
                if result:
                    log.info("periodic job %s: %s", name, result)
            finally:
                if not connection.in_atomic_block:  # a test's transaction stays open
                    close_old_connections()
        if args.once:
            return 1 if failed else 0
        time.sleep(max(0.2, min(due.values()) - time.monotonic()))


def cmd_token(args: argparse.Namespace) -> int:
    _django()
    from fiera.accounts.models import User
    from fiera.accounts.services import token_issue

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"no user named {args.username!r}", file=sys.stderr)
        return 2
    print(token_issue(user_id=user.pk, name=args.name).key)
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    _django()
    from fiera.common.events import relay

    print(f"delivered {relay()} event(s)")
    return 0


def cmd_outbox_failed(args: argparse.Namespace) -> int:
    _django()
    from fiera.common.events import outbox_failed_list

    parked = outbox_failed_list(limit=args.limit)
    if not parked:
        print("no failed deliveries")
        return 0
    for row in parked:
        print(
            f"{row.delivery_id}\t{row.failed_at:%Y-%m-%d %H:%M:%S}\t{row.topic} "
            f"#{row.message_id} -> {row.subscriber}\t{row.attempts} attempt(s)\t{row.error}"
        )
        if args.verbose:
            print(f"  payload: {json.dumps(row.payload, sort_keys=True)}")
            print("  " + row.detail.replace("\n", "\n  "))
    print(
        f"{len(parked)} failed deliver{'y' if len(parked) == 1 else 'ies'}; retry with "
        "`fiera outbox retry ID` or `fiera outbox retry --all`"
    )
    return 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    _django()
    from django.utils import timezone

    from fiera.common.events import outbox_retry

    if args.all == bool(args.ids):
        print(
            "name the deliveries to retry (IDs from `fiera outbox failed`) or --all",
            file=sys.stderr,
        )
        return 2
    retried = outbox_retry(delivery_ids=None if args.all else args.ids, now=timezone.now())
    missing = sorted(set(args.ids) - set(retried))
    if missing:
        print("not failed (or unknown): " + ", ".join(map(str, missing)), file=sys.stderr)
    print(f"{len(retried)} deliver{'y' if len(retried) == 1 else 'ies'} put back in line")
    return 1 if missing else 0


def cmd_outbox_status(args: argparse.Namespace) -> int:
    _django()
    from django.utils import timezone

    from fiera.common.events import outbox_status

    status = outbox_status(now=timezone.now())
    print(f"messages waiting for a subscriber or a relay: {status.waiting_messages}")
    print(
        f"deliveries pending: {status.pending_deliveries} "
        f"(claimed by a relay now: {status.claimed_deliveries})"
    )
    print(f"deliveries failed (see `fiera outbox failed`): {status.failed_deliveries}")
    print(f"deliveries done: {status.delivered_deliveries}")
    return 1 if status.failed_deliveries else 0


def cmd_citus_plan(args: argparse.Namespace) -> int:
    _django()
    from fiera.common.citus import plan_sql

    print("-- Fiera on Citus: run on the coordinator after `fiera migrate` (fiera.common.citus).")
    for statement in plan_sql():
        print(statement)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fiera manage", *args.rest])
    return 0


def _app_commands() -> list[Any]:
    """Each app that has commands exposes ``register(subparsers)`` in its ``cli`` module.

    The modules are named here, not discovered, so the dependency stays visible. An app's
    command handler calls ``fiera.common.runtime.setup_django()`` first, then ONE domain call.
    """
    registers: list[Any] = []
    for module_name in APP_CLI_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        registers.append(module.register)
    return registers


APP_CLI_MODULES = (
    "fiera.ledger.cli",
    "fiera.payments.cli",
    "fiera.orders.cli",
    "fiera.festivals.cli",
    "fiera.partners.cli",
    "fiera.trade.cli",
    # --- academy ---
    # --- academy exams ---
    "fiera.academy.cli",
    # --- core (analytics) ---
    "fiera.analytics.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fiera", description="Fiera: cross-border commerce.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="build the demo world (resets the demo database)")
    p.add_argument("--merchants", type=int, default=400, help="how many merchants (default 400)")
    p.add_argument("--seed", type=int, default=11, help="random seed, for a repeatable world")
    p.add_argument(
        "--keep", action="store_true", help="add to the existing data instead of resetting"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve the web pages and the API with gunicorn")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=0, help="processes (default 2 x cores)")
    p.add_argument("--threads", type=int, default=4, help="threads per process")
    p.add_argument(
        "--access-log",
        action="store_true",
        help="also print gunicorn's access log (Combined Log Format: client, size, agent); "
        "every request already gets one fiera.request line (method, path, status, ms)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "periodic",
        help="run the periodic jobs (Celery beat's schedule) in this process, without a broker; "
        "`fiera serve` starts it when no broker is configured",
    )
    p.add_argument("--once", action="store_true", help="run each job once and exit")
    p.set_defaults(func=cmd_periodic)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("check", help="say what is misconfigured, in plain words")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("token", help="API keys")
    tsub = p.add_subparsers(dest="token_command", required=True)
    tc = tsub.add_parser("create", help="print a new API key for USERNAME")
    tc.add_argument("username")
    tc.add_argument("--name", default="cli")
    tc.set_defaults(func=cmd_token)

    p = sub.add_parser("outbox", help="the event outbox")
    osub = p.add_subparsers(dest="outbox_command", required=True)
    osub.add_parser("relay", help="deliver pending events now").set_defaults(func=cmd_outbox)
    of = osub.add_parser("failed", help="list deliveries parked after their last attempt")
    of.add_argument("--limit", type=int, default=200)
    of.add_argument("-v", "--verbose", action="store_true", help="with payloads and tracebacks")
    of.set_defaults(func=cmd_outbox_failed)
    orr = osub.add_parser("retry", help="put failed deliveries back in line")
    orr.add_argument("ids", nargs="*", type=int, metavar="ID")
    orr.add_argument("--all", action="store_true", help="every failed delivery")
    orr.set_defaults(func=cmd_outbox_retry)
    osub.add_parser("status", help="count waiting, pending and failed deliveries").set_defaults(
        func=cmd_outbox_status
    )

    p = sub.add_parser("scale", help="running past one machine")
    ssub = p.add_subparsers(dest="scale_command", required=True)
    ssub.add_parser(
        "citus-plan", help="print the SQL that distributes the tables on Citus"
    ).set_defaults(func=cmd_citus_plan)

    for register in _app_commands():
        register(sub)

    p = sub.add_parser("manage", help="run a Django management command")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
