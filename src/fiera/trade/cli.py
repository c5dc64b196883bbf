"""Trade commands of the ``fiera`` CLI.

    fiera trade release-due     release held payments past the release day (trade assurance)
    fiera trade expire-rfqs     expire quotes past their validity and RFQs past their deadline
    fiera trade pavilion SLUG   a pavilion's quota, admitted/waitlisted counts, live figures
    fiera trade pavilions-expire  end the sponsorships whose period is over (what beat runs)

``fiera.common.runtime.setup_django()`` first, then ONE domain call per command.
"""

from __future__ import annotations

import sys
from typing import Any

from fiera.common.runtime import setup_django


def register(subparsers: Any) -> None:
    """Add ``trade`` to the ``fiera`` command."""
    p = subparsers.add_parser(
        "trade", help="B2B trade: background jobs run by hand, country pavilions"
    )
    tsub = p.add_subparsers(dest="trade_command", required=True)
    release = tsub.add_parser(
        "release-due",
        help="release to the suppliers the trade-assurance payments of orders delivered "
        "FIERA_TRADE_ASSURANCE_RELEASE_DAYS ago that were neither confirmed nor disputed",
    )
    release.add_argument(
        "--limit", type=int, default=100_000, help="release at most this many (default 100000)"
    )
    release.add_argument("--no-progress", action="store_true", help="no progress bar")
    release.set_defaults(func=cmd_release_due)
    expire = tsub.add_parser(
        "expire-rfqs",
        help="expire quotes past their validity and RFQs past their deadline with no live quote",
    )
    expire.set_defaults(func=cmd_expire_rfqs)
    pav = tsub.add_parser("pavilion", help="a pavilion's quota, applications and live figures")
    pav.add_argument("slug", help="the pavilion's short name")
    pav.set_defaults(func=cmd_pavilion)
    exp = tsub.add_parser(
        "pavilions-expire", help="end the sponsorships whose period is over, admit waitlisted"
    )
    exp.set_defaults(func=cmd_pavilions_expire)


def cmd_release_due(args: Any) -> int:
    """``fiera trade release-due``: a progress bar, then how many were released."""
    from django.utils import timezone
    from tqdm import tqdm

    from fiera.common.runtime import setup_django

    if args.limit < 1:
        sys.stderr.write("--limit must be at least 1\n")
        return 2
    setup_django()
    from fiera.trade.services import escrows_release_due

    with tqdm(
        desc="releasing held payments", unit=" orders", disable=args.no_progress, leave=False
    ) as bar:

        def advance(orders: int) -> None:
            bar.update(orders)

        released = escrows_release_due(now=timezone.now(), limit=args.limit, progress=advance)
    word = "payment" if released == 1 else "payments"
    sys.stdout.write(f"{released} held {word} released to the suppliers (past the release day)\n")
    return 0


def cmd_expire_rfqs(args: Any) -> int:
    """``fiera trade expire-rfqs``: how many RFQs and quotes expired."""
    from django.utils import timezone

    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.trade.services import rfqs_expire

    rfqs, quotes = rfqs_expire(now=timezone.now())
    sys.stdout.write(f"{rfqs} RFQs and {quotes} quotes expired\n")
    return 0


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def cmd_pavilion(args: Any) -> int:
    setup_django()
    from django.utils import timezone

    from fiera.common.errors import DomainError
    from fiera.trade.selectors import pavilion_get, pavilion_stats

    try:
        pavilion = pavilion_get(slug=args.slug)
        stats = pavilion_stats(slug=args.slug, now=timezone.now())
    except DomainError as exc:
        sys.stderr.write(f"{exc.code}: {exc.context}\n")
        return 2
    value = stats.deal_value
    _out(f"{pavilion.name_en} ({pavilion.slug}), run by {pavilion.partner_name}")
    _out(f"  origin           {pavilion.country}")
    _out(f"  open             {'yes' if pavilion.is_open else 'no'}")
    _out(f"  quota            {stats.quota}")
    _out(f"  admitted         {stats.admitted} ({stats.quota - stats.admitted} seats left)")
    _out(f"  waitlisted       {stats.waitlisted}")
    _out(f"  under review     {stats.pending}")
    _out(f"  active listings  {stats.listings}")
    _out(f"  inquiries        {stats.inquiries}")
    _out(f"  quotes sent      {stats.quotes}")
    _out(f"  deals            {stats.deals}")
    _out(f"  deal value       {value.format()}")
    countries = ", ".join(stats.buyer_countries) or "none"
    _out(f"  buyer countries  {len(stats.buyer_countries)}: {countries}")
    return 0


def cmd_pavilions_expire(args: Any) -> int:
    setup_django()
    from django.utils import timezone

    from fiera.trade.services import pavilion_sponsorships_end

    ended = pavilion_sponsorships_end(now=timezone.now())
    _out(f"{ended} sponsorships ended")
    return 0
