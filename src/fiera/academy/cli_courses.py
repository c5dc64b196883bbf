"""The courses' commands of the ``fiera`` CLI.

    fiera academy cohort SLUG      a cohort: places taken, and its learners' progress

Exit codes: 0 done, 2 bad input (the reason on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fiera.accounts.roles import SYSTEM
from fiera.common.runtime import setup_django


def register(subparsers: Any) -> None:
    """Add ``academy`` to the ``fiera`` command."""
    p = subparsers.add_parser("academy", help="the academy: courses, cohorts, workshops")
    psub = p.add_subparsers(dest="academy_command", required=True)
    # --- courses ---
    cohort = psub.add_parser("cohort", help="a cohort's places and its learners' progress")
    cohort.add_argument("slug", help="the cohort's short name, e.g. masterclass-2026")
    cohort.set_defaults(func=cmd_cohort)


def cmd_cohort(args: argparse.Namespace) -> int:
    setup_django()
    from fiera.academy.courses import cohort_enrolments, cohort_get
    from fiera.common.errors import DomainError

    try:
        card = cohort_get(slug=args.slug)
        rows = cohort_enrolments(
            cohort_slug=args.slug, language="en", actor_id=None, actor_role=SYSTEM
        )
    except DomainError as exc:
        sys.stderr.write(f"{exc.message()}\n")
        return 2
    taken = card.capacity - card.places_left
    done = sum(1 for e in rows if e.completed_at)
    average = sum(e.percent for e in rows) // len(rows) if rows else 0
    sys.stdout.write(
        f"{card.name} ({card.slug}): {card.starts_on} - {card.ends_on}, "
        f"{', '.join(card.languages)}\n"
        f"places {taken}/{card.capacity}, enrolments {len(rows)}, completed {done}, "
        f"average progress {average} %\n"
    )
    return 0
