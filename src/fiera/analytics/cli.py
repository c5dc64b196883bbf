"""Analytics commands of the ``fiera`` CLI.

    fiera analytics rebuild [--since YYYY-MM-DD] [--no-progress]

``fiera.common.runtime.setup_django()`` first, then ONE domain call per command.
"""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add ``analytics`` to the ``fiera`` command."""
    p = subparsers.add_parser("analytics", help="sales rollups and the analytics query layer")
    asub = p.add_subparsers(dest="analytics_command", required=True)
    rebuild = asub.add_parser(
        "rebuild",
        help="rebuild the sales rollups from the orders (orders written without events)",
    )
    rebuild.add_argument(
        "--since",
        default=None,
        help="rebuild from the first day of this date's month (YYYY-MM-DD); default: all",
    )
    rebuild.add_argument("--no-progress", action="store_true")
    rebuild.set_defaults(func=cmd_rebuild)


def cmd_rebuild(args: Any) -> int:
    """``fiera analytics rebuild``: one transaction, with a progress bar of orders read."""
    import sys
    from datetime import date

    from tqdm import tqdm

    from fiera.accounts.roles import SYSTEM
    from fiera.common.runtime import setup_django

    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            sys.stderr.write(f"error: --since {args.since!r} is not a date (YYYY-MM-DD)\n")
            return 2
    setup_django()
    from fiera.analytics.services import analytics_rebuild
    from fiera.common.errors import DomainError

    with tqdm(
        desc="rebuilding the sales rollups", unit=" orders", disable=args.no_progress, leave=False
    ) as bar:

        def advance(orders: int) -> None:
            bar.update(orders)

        try:
            report = analytics_rebuild(since=since, actor_role=SYSTEM, progress=advance)
        except DomainError as exc:
            sys.stderr.write(f"error: {exc.detail}\n")
            return 2
    where = f"from {report.since}" if report.since else "all"
    sys.stdout.write(
        f"analytics rebuilt ({where}): {report.orders_read} orders read, "
        f"{report.orders_counted} counted\n"
    )
    return 0
