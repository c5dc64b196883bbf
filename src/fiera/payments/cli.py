"""Payments commands of the ``fiera`` CLI.

    fiera qr make --merchant-name N --city C --country IT --currency EUR --mcc 5999
                  --account-id ID [--amount 12.50] [--bill B] [--terminal T]
                  [--alt-language zh --alt-name N --alt-city C] [--svg FILE | --png FILE]
    fiera qr parse PAYLOAD [--lenient]          JSON of the fields, or the error (exit 2)
    fiera outlets import --merchant ID|SLUG FILE.csv
    fiera outlets rollout [--merchant ID|SLUG]
    fiera fx import [FILE | --bundled] [--since 2024-01-01]
    fiera fx rate QUOTE [--base EUR] [--on 2024-01-02]
    fiera settlement run [--day YYYY-MM-DD] [--no-progress]

``fiera qr`` needs no database. Exit codes: 0 done, 2 bad input (the reason on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from fiera.accounts.roles import SYSTEM
from fiera.common.runtime import setup_django


def register(subparsers: Any) -> None:
    """Add ``qr``, ``outlets``, ``fx`` and ``settlement`` to the ``fiera`` command."""
    p = subparsers.add_parser("qr", help="EMVCo merchant-presented QR codes (no database)")
    qsub = p.add_subparsers(dest="qr_command", required=True)
    make = qsub.add_parser("make", help="print a payload; optionally save it as SVG or PNG")
    make.add_argument("--merchant-name", required=True, help="printable ASCII, at most 25")
    make.add_argument("--city", required=True, help="printable ASCII, at most 15")
    make.add_argument("--country", default="IT", help="ISO 3166-1 alpha-2 (default IT)")
    make.add_argument("--currency", default="EUR", help="ISO 4217 (default EUR)")
    make.add_argument("--mcc", default="5999", help="merchant category code (default 5999)")
    make.add_argument("--account-id", required=True, help="merchant id in Fiera's template 26")
    make.add_argument("--guid", default="it.fiera", help="template 26's identifier")
    make.add_argument("--amount", help="major units, e.g. 12.50: makes a dynamic QR")
    make.add_argument("--bill", default="", help="bill number (62/01)")
    make.add_argument("--reference", default="", help="reference label (62/05)")
    make.add_argument("--terminal", default="", help="terminal label (62/07)")
    make.add_argument("--postal-code", default="")
    make.add_argument("--alt-language", help="ISO 639-1 of the alternate name, e.g. zh")
    make.add_argument("--alt-name", help="merchant name in that language (any script)")
    make.add_argument("--alt-city", default="", help="city in that language")
    out = make.add_mutually_exclusive_group()
    out.add_argument("--svg", type=Path, help="also write the QR as SVG to this file")
    out.add_argument("--png", type=Path, help="also write the QR as PNG to this file")
    make.add_argument("--scale", type=int, default=8, help="PNG pixels per module (default 8)")
    make.set_defaults(func=cmd_qr_make)
    parse = qsub.add_parser(
        "parse",
        help="check and decode a payload; JSON on stdout (with its warnings, also on stderr)",
    )
    parse.add_argument("payload")
    parse.add_argument(
        "--lenient",
        action="store_true",
        help="warn instead of refusing values out of format (PayNow's long bill numbers)",
    )
    parse.set_defaults(func=cmd_qr_parse)

    p = subparsers.add_parser("outlets", help="points of sale")
    osub = p.add_subparsers(dest="outlets_command", required=True)
    imp = osub.add_parser(
        "import",
        help="import a CSV of outlets, all or nothing",
        description=(
            "Import a UTF-8 CSV of outlets with a header row. Required columns: code, name, "
            "address, municipality_code (ISTAT, six digits). Optional: postal_code (CAP), mcc "
            "(default 9402), status (planned, pilot, live or suspended; default planned), "
            "terminal_ids (separated by ';'). Every line is checked first; if any is bad, "
            "nothing is imported, the problems are listed and the exit code is 2."
        ),
    )
    imp.add_argument("--merchant", required=True, help="the merchant's id or slug")
    imp.add_argument("file", type=Path, help="the CSV file")
    imp.add_argument("--no-progress", action="store_true")
    imp.set_defaults(func=cmd_outlets_import)
    roll = osub.add_parser("rollout", help="outlet counts per status and region")
    roll.add_argument("--merchant", help="the merchant's id or slug (default: all)")
    roll.set_defaults(func=cmd_outlets_rollout)

    p = subparsers.add_parser("fx", help="ECB euro reference rates")
    fsub = p.add_subparsers(dest="fx_command", required=True)
    fim = fsub.add_parser("import", help="import ECB rates (CSV, XML or zip), idempotently")
    source = fim.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="eurofxref-hist.csv/.zip or .xml")
    source.add_argument("--bundled", action="store_true", help="the offline history (1999-)")
    fim.add_argument("--since", type=date.fromisoformat, help="skip rates before this date")
    fim.add_argument("--no-progress", action="store_true")
    fim.set_defaults(func=cmd_fx_import)
    rate = fsub.add_parser("rate", help="print 1 BASE in QUOTE on a date")
    rate.add_argument("quote")
    rate.add_argument("--base", default="EUR")
    rate.add_argument("--on", type=date.fromisoformat, default=None, help="default today")
    rate.set_defaults(func=cmd_fx_rate)

    p = subparsers.add_parser("settlement", help="merchant payouts")
    ssub = p.add_subparsers(dest="settlement_command", required=True)
    run = ssub.add_parser(
        "run",
        help="settle a day for every merchant (idempotent)",
        description=(
            "Pay out each merchant's payments of the day (UTC), net of refunds and fees. "
            "Running a day again changes nothing and prints the same runs."
        ),
    )
    run.add_argument(
        "--day", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: yesterday)"
    )
    run.add_argument("--no-progress", action="store_true")
    run.set_defaults(func=cmd_settlement_run)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _fail(message: str) -> int:
    _err(f"error: {message}")
    return 2


# --- qr -----------------------------------------------------------------------------------


def cmd_qr_make(args: argparse.Namespace) -> int:
    from fiera.common.money import Money, MoneyError
    from fiera.payments import emvco

    try:
        amount_minor = (
            Money.from_major(args.amount, args.currency.upper()).amount_minor
            if args.amount is not None
            else None
        )
        alternate = None
        if args.alt_language or args.alt_name:
            if not (args.alt_language and args.alt_name):
                return _fail("--alt-language and --alt-name go together")
            alternate = emvco.AlternateLanguage(args.alt_language, args.alt_name, args.alt_city)
        payload = emvco.build(
            merchant_name=args.merchant_name,
            merchant_city=args.city,
            country=args.country.upper(),
            currency=args.currency.upper(),
            mcc=args.mcc,
            accounts=[emvco.MerchantAccount(guid=args.guid, data={"01": args.account_id})],
            amount_minor=amount_minor,
            postal_code=args.postal_code,
            bill_number=args.bill,
            reference_label=args.reference,
            terminal_label=args.terminal,
            alternate=alternate,
        )
    except (emvco.EmvQrError, MoneyError) as exc:
        return _fail(str(exc))
    if args.svg:
        args.svg.write_text(emvco.render_svg(payload), encoding="utf-8")
    if args.png:
        args.png.write_bytes(emvco.render_png(payload, scale=args.scale))
    _out(payload)
    return 0


def cmd_qr_parse(args: argparse.Namespace) -> int:
    from fiera.payments import emvco

    try:
        parsed = emvco.parse(args.payload.strip("\r\n"), strict=not args.lenient)
    except emvco.EmvQrError as exc:
        return _fail(str(exc))
    for warning in parsed.warnings:
        _err(f"warning: {warning.detail}")
    _out(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))
    return 0


# --- outlets ------------------------------------------------------------------------------


def _merchant_id(ref: str) -> int:
    """A merchant id from an id or a slug (raises MerchantNotFound)."""
    from fiera.common.parsing import parse_id
    from fiera.merchants import selectors as merchant_selectors

    merchant_id = parse_id(ref)
    if merchant_id is not None:
        if merchant_id in merchant_selectors.merchant_summaries(merchant_ids=[merchant_id]):
            return merchant_id
    else:
        narrowed = merchant_selectors.merchant_list(search=ref.replace("-", " "), actor_role=SYSTEM)
        for listing in (narrowed, merchant_selectors.merchant_list(actor_role=SYSTEM)):
            for start in range(0, len(listing), 500):
                for merchant in listing[start : start + 500]:
                    if merchant.slug == ref:
                        return merchant.id
    raise merchant_selectors.MerchantNotFound(f"no merchant {ref!r}")


def cmd_outlets_import(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from fiera.common.errors import DomainError
    from fiera.payments import services

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    try:
        report = services.outlets_import_csv(
            merchant_id=_merchant_id(args.merchant),
            file=data,
            now=timezone.now(),
            progress=not args.no_progress,
            actor_role=SYSTEM,
        )
    except services.OutletImportInvalid as exc:
        _err(f"{args.file}: {exc.detail}")
        for error in exc.errors:
            _err(f"  {error}")
        _err(f"\nFormat: {services.CSV_FORMAT_HELP}")
        return 2
    except DomainError as exc:
        return _fail(exc.detail)
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(report.by_status.items()))
    _out(
        f"imported {report.outlets_created} outlet(s) ({statuses}) and "
        f"{report.terminals_created} terminal(s) for merchant {report.merchant_id}"
    )
    return 0


def cmd_outlets_rollout(args: argparse.Namespace) -> int:
    setup_django()
    from fiera.common.errors import DomainError
    from fiera.payments import selectors

    try:
        merchant_id = _merchant_id(args.merchant) if args.merchant else None
        summary = selectors.outlet_rollout(merchant_id=merchant_id, actor_role=SYSTEM)
    except DomainError as exc:
        return _fail(exc.detail)
    statuses = list(summary.by_status)
    _out(f"{'region':<28}" + "".join(f"{s:>10}" for s in statuses) + f"{'total':>10}")
    for region in summary.regions:
        name = region.region_name or region.region_code
        counts = "".join(f"{region.by_status[s]:>10}" for s in statuses)
        _out(f"{name[:27]:<28}{counts}{region.total:>10}")
    counts = "".join(f"{summary.by_status[s]:>10}" for s in statuses)
    _out(f"{'all regions':<28}{counts}{summary.total:>10}")
    return 0


# --- fx -----------------------------------------------------------------------------------


def cmd_fx_import(args: argparse.Namespace) -> int:
    setup_django()
    from fiera.common.errors import DomainError
    from fiera.payments import services

    try:
        if args.bundled:
            report = services.fx_rates_import_bundled(
                since=args.since, progress=not args.no_progress
            )
        else:
            report = services.fx_rates_import_file(
                data=args.file.read_bytes(),
                name=args.file.name,
                since=args.since,
                progress=not args.no_progress,
            )
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    except DomainError as exc:
        return _fail(exc.detail)
    span = f", {report.first_date} to {report.last_date}" if report.first_date is not None else ""
    _out(
        f"read {report.read} rate(s) of {report.currencies} currencies{span}: "
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    )
    return 0


def cmd_fx_rate(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from fiera.common.errors import DomainError
    from fiera.payments import selectors

    try:
        info = selectors.fx_rate(
            base=args.base, quote=args.quote, on=args.on or timezone.localdate()
        )
    except DomainError as exc:
        return _fail(exc.detail)
    _out(
        f"1 {info.base} = {info.rate:f} {info.quote} "
        f"(ECB {info.rate_date.isoformat()}, {info.method})"
    )
    return 0


# --- settlement ---------------------------------------------------------------------------


def cmd_settlement_run(args: argparse.Namespace) -> int:
    setup_django()
    from datetime import timedelta

    from django.utils import timezone

    from fiera.common.errors import DomainError
    from fiera.common.money import Money
    from fiera.payments import services

    now = timezone.now()
    day = args.day or (now.date() - timedelta(days=1))
    try:
        report = services.settlement_run(
            day=day, now=now, progress=not args.no_progress, actor_role=SYSTEM
        )
    except DomainError as exc:
        return _fail(exc.detail)
    for run in report.runs:
        name = (run.merchant_name or f"merchant {run.merchant_id}")[:30]
        _out(
            f"{name:<30} {run.payments_count:>6} payments {run.refunds_count:>5} refunds  "
            f"net {run.net}  payout {run.payout}"
        )
    currency = report.runs[0].payout.currency if report.runs else "EUR"
    _out(
        f"settled {day.isoformat()}: {len(report.runs)} merchant(s), {report.created} new run(s), "
        f"{report.existing} already settled; payouts {Money(report.payout_minor, currency)}"
    )
    return 0
