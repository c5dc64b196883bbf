"""Orders commands of the ``fiera`` CLI.

``fiera.common.runtime.setup_django()`` first, then ONE domain call per command.
"""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add ``orders`` to the ``fiera`` command."""
    p = subparsers.add_parser("orders", help="orders: background jobs run by hand")
    osub = p.add_subparsers(dest="orders_command", required=True)
    expire = osub.add_parser(
        "expire-unpaid",
        help="cancel the orders not paid by their deadline (their units go back on sale)",
    )
    expire.add_argument(
        "--limit", type=int, default=100_000, help="cancel at most this many (default 100000)"
    )
    expire.add_argument("--no-progress", action="store_true", help="no progress bar")
    expire.set_defaults(func=cmd_expire_unpaid)


def cmd_expire_unpaid(args: Any) -> int:
    """``fiera orders expire-unpaid``: a progress bar, then how many were cancelled."""
    import sys

    from django.utils import timezone
    from tqdm import tqdm

    from fiera.common.runtime import setup_django

    if args.limit < 1:
        sys.stderr.write("--limit must be at least 1\n")
        return 2
    setup_django()
    from fiera.orders.services import orders_expire_unpaid

    with tqdm(
        desc="cancelling unpaid orders", unit=" orders", disable=args.no_progress, leave=False
    ) as bar:

        def advance(orders: int) -> None:
            bar.update(orders)

        cancelled = orders_expire_unpaid(now=timezone.now(), limit=args.limit, progress=advance)
    word = "order" if cancelled == 1 else "orders"
    sys.stdout.write(f"{cancelled} unpaid {word} cancelled (past their payment deadline)\n")
    return 0
