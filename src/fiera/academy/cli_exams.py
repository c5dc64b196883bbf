"""The exams' commands of the ``fiera`` CLI (registered by ``fiera.academy.cli``).

    fiera academy close-attempts      submit the exam attempts whose time ran out

Exit codes: 0 done, 2 bad input (the reason on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _academy_commands(subparsers: Any) -> Any:
    """The sub-commands of ``fiera academy``: another feature may have added the ``academy``
    command already (then its sub-commands are extended), else it is added here."""
    existing = subparsers.choices.get("academy")
    if existing is None:
        existing = subparsers.add_parser("academy", help="courses, tests and certificates")
        return existing.add_subparsers(dest="academy_command", required=True)
    if existing._subparsers is None:
        return existing.add_subparsers(dest="academy_command", required=True)
    return existing._subparsers._group_actions[0]


def register(subparsers: Any) -> None:
    """Add ``academy close-attempts`` to the ``fiera`` command."""
    sub = _academy_commands(subparsers)
    close = sub.add_parser(
        "close-attempts",
        help="submit the exam attempts past their deadline with the answers saved before it",
    )
    close.add_argument("--no-progress", action="store_true", help="no progress bar")
    close.set_defaults(func=cmd_close_attempts)


def cmd_close_attempts(args: argparse.Namespace) -> int:
    """``fiera academy close-attempts``: a progress bar, then how many were submitted."""
    from django.utils import timezone
    from tqdm import tqdm

    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.academy.services import attempts_close_due

    with tqdm(
        desc="closing attempts", unit=" attempts", disable=args.no_progress, leave=False
    ) as bar:

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(1)

        closed = attempts_close_due(now=timezone.now(), progress=advance)
    word = "attempt" if closed == 1 else "attempts"
    sys.stdout.write(f"{closed} {word} past the deadline submitted and marked\n")
    return 0
