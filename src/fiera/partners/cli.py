"""Partners commands of the ``fiera`` CLI.

    fiera partner coverage                 the 20 regions: partners, open leads, live stores
    fiera partner leads SLUG [--stage S] [--region IT-25]   a partner's leads

Exit codes: 0 done, 2 bad input (the reason on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fiera.accounts.roles import SYSTEM
from fiera.common.runtime import setup_django


def register(subparsers: Any) -> None:
    """Add ``partner`` to the ``fiera`` command."""
    p = subparsers.add_parser("partner", help="the partner network and its leads")
    psub = p.add_subparsers(dest="partner_command", required=True)
    cov = psub.add_parser("coverage", help="a table of the 20 regions and their coverage")
    cov.set_defaults(func=cmd_coverage)
    leads = psub.add_parser("leads", help="a partner's leads, most recently moved first")
    leads.add_argument("slug", help="the partner's short name")
    leads.add_argument("--stage", help="new, contacted, documents, store_live or lost")
    leads.add_argument("--region", help="ISO 3166-2:IT region code, e.g. IT-25")
    leads.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    leads.set_defaults(func=cmd_leads)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _fail(text: str) -> int:
    sys.stderr.write(text + "\n")
    return 2


def cmd_coverage(args: argparse.Namespace) -> int:
    setup_django()
    from fiera.partners.selectors import coverage

    found = coverage(actor_role=SYSTEM)
    _out(f"{'region':<24} {'code':<6} {'partners':>8} {'open leads':>10} {'live':>5}  status")
    for r in found.regions:
        status = {"none": "NO PARTNER", "partners": "partners", "live": "live"}[r.level]
        _out(
            f"{r.region_name:<24} {r.region_code:<6} {r.partners:>8} {r.open_leads:>10} "
            f"{r.live_merchants:>5}  {status}"
        )
    names = ", ".join(r.region_name for r in found.uncovered) or "none"
    _out(f"{found.covered} of {len(found.regions)} regions covered; without a partner: {names}")
    return 0


def cmd_leads(args: argparse.Namespace) -> int:
    setup_django()
    from fiera.common.errors import DomainError
    from fiera.partners.models import LeadStage
    from fiera.partners.selectors import lead_list, partner_id_for

    if args.stage and args.stage not in LeadStage.values:
        return _fail(f"--stage must be one of {', '.join(LeadStage.values)}")
    if not 1 <= args.limit <= 100_000:
        return _fail("--limit must be between 1 and 100000")
    try:
        partner_id = partner_id_for(slug=args.slug, actor_id=None, actor_role=SYSTEM)
        leads = lead_list(
            partner_id=partner_id,
            stage=args.stage,
            region_code=args.region,
            actor_id=None,
            actor_role=SYSTEM,
        )
        total = len(leads)
        page = leads[: args.limit]
    except DomainError as exc:
        return _fail(f"{exc.code}: {exc.context}")
    _out(f"{'id':>6}  {'stage':<10} {'region':<6} {'vat':<13} {'since':<10} firm")
    for lead in page:
        _out(
            f"{lead.id:>6}  {lead.stage:<10} {lead.region_code:<6} {lead.vat_number:<13} "
            f"{lead.stage_changed_at:%Y-%m-%d} {lead.firm_name}"
        )
    _out(f"{total} leads" + (f" ({len(page)} shown)" if len(page) < total else ""))
    return 0
