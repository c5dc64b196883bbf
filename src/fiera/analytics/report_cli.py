"""``fiera report``: a festival's, a month's, a pavilion's or a partner's report as a file
(decision 0028).

    fiera report festival SLUG [--country IT]
    fiera report month YYYY-MM
    fiera report pavilion SLUG [--from DAY] [--to DAY]
    fiera report partner SLUG [--from DAY] [--to DAY]
        [--format md|csv|xlsx|html|pdf] [--output FILE|-] [--language en|it|zh|es]

The format defaults to the output file's extension (else Markdown); the output to
``fiera-<kind>-<slug>-<language>.<format>`` in the current directory; ``-`` writes to
standard output. ``fiera.common.runtime.setup_django()`` first, then ONE domain call
(``report_builders.report_build``) and the writer. Exit 2 on a bad argument or an unknown
festival, pavilion or partner.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

FORMATS = ("md", "csv", "xlsx", "html", "pdf")
LANGUAGES = {"en": "en", "it": "it", "zh": "zh-hans", "zh-hans": "zh-hans", "es": "es"}


def _month(text: str) -> tuple[int, int]:
    found = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-11")
    return int(found.group(1)), int(found.group(2))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day like 2026-11-30") from None


def _language(text: str) -> str:
    code = text.lower().replace("_", "-")
    if code not in LANGUAGES:
        raise argparse.ArgumentTypeError(f"{text!r}: choose one of en, it, zh, es")
    return LANGUAGES[code]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default=None, help="default: from --output")
    p.add_argument(
        "--output", default=None, help="the file to write; - for standard output (default: named)"
    )
    p.add_argument("--language", type=_language, default="en", help="en, it, zh or es")
    p.set_defaults(func=cmd_report)


def register(subparsers: Any) -> None:
    """Add ``report`` to the ``fiera`` command."""
    p = subparsers.add_parser(
        "report", help="a festival's, month's, pavilion's or partner's report as a file"
    )
    rsub = p.add_subparsers(dest="report_kind", required=True, metavar="KIND")
    fest = rsub.add_parser("festival", help="a festival: its companies, countries, growth")
    fest.add_argument("key", metavar="SLUG", help="the festival's slug")
    fest.add_argument("--country", default="IT", help="the country the headline ranks (default IT)")
    _common(fest)
    month = rsub.add_parser("month", help="a calendar month of all of Fiera")
    month.add_argument("key", metavar="YYYY-MM", type=_month)
    _common(month)
    for kind, text in (
        ("pavilion", "a country pavilion: admitted companies, deals, buyer countries"),
        ("partner", "a partner: merchants onboarded, their sales, lead conversion"),
    ):
        sp = rsub.add_parser(kind, help=text)
        sp.add_argument("key", metavar="SLUG")
        sp.add_argument("--from", dest="start", type=_day, default=None, help="first day")
        sp.add_argument("--to", dest="end", type=_day, default=None, help="last day")
        _common(sp)


def cmd_report(args: Any) -> int:
    from fiera.common.runtime import setup_django

    setup_django()
    from django.utils import timezone

    from fiera.accounts.roles import SYSTEM
    from fiera.analytics import report_formats
    from fiera.analytics.report_builders import report_build
    from fiera.common.errors import DomainError

    output: str | None = args.output
    fmt = args.format
    if fmt is None:
        suffix = Path(output).suffix.lstrip(".").lower() if output and output != "-" else ""
        fmt = suffix if suffix in FORMATS else "md"
    if output == "-" and fmt in ("xlsx", "pdf") and sys.stdout.isatty():
        sys.stderr.write(f"{fmt} is a binary file: name a file with --output\n")
        return 2
    try:
        report = report_build(
            kind=args.report_kind,
            key=args.key,
            country=getattr(args, "country", "IT").upper(),
            start=getattr(args, "start", None),
            end=getattr(args, "end", None),
            language=args.language,
            actor_id=None,
            actor_role=SYSTEM,
            now=timezone.now(),
        )
        data = report_formats.write(report, fmt)
    except DomainError as exc:
        sys.stderr.write(f"{exc.code}: {exc.context}\n")
        return 2
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    path = Path(output or report_formats.file_name(report, fmt))
    path.write_bytes(data)
    sys.stdout.write(f"{path}: {report.title} ({fmt}, {len(data):,} bytes)\n")
    for sentence in report.headlines:
        sys.stdout.write(f"  {sentence}\n")
    return 0
