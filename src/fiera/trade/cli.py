"""Trade commands of the ``fiera`` CLI.

    fiera trade pavilion SLUG        a pavilion's quota, admitted/waitlisted counts, live figures
    fiera trade pavilions-expire     end the sponsorships whose period is over (what beat runs)

Exit codes: 0 done, 2 bad input (the reason on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fiera.common.runtime import setup_django


def register(subparsers: Any) -> None:
    """Add ``trade`` to the ``fiera`` command."""
    p = subparsers.add_parser("trade", help="B2B trade: country pavilions")
    tsub = p.add_subparsers(dest="trade_command", required=True)
    pav = tsub.add_parser("pavilion", help="a pavilion's quota, applications and live figures")
    pav.add_argument("slug", help="the pavilion's short name")
    pav.set_defaults(func=cmd_pavilion)
    exp = tsub.add_parser(
        "pavilions-expire", help="end the sponsorships whose period is over, admit waitlisted"
    )
    exp.set_defaults(func=cmd_pavilions_expire)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def cmd_pavilion(args: argparse.Namespace) -> int:
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
    _out(f"  deals            {stats.deals}")
    _out(f"  deal value       {value.currency} {value.amount_minor} (minor units)")
    countries = ", ".join(stats.buyer_countries) or "none"
    _out(f"  buyer countries  {len(stats.buyer_countries)}: {countries}")
    return 0


def cmd_pavilions_expire(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from fiera.trade.services import pavilion_sponsorships_end

    ended = pavilion_sponsorships_end(now=timezone.now())
    _out(f"{ended} sponsorships ended")
    return 0
