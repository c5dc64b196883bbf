"""Festivals commands of the ``fiera`` CLI.

``fiera.common.runtime.setup_django()`` first, then ONE domain call per command.
"""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add ``festival`` to the ``fiera`` command."""
    p = subparsers.add_parser("festival", help="shopping festivals: flash sales and live GMV")
    fsub = p.add_subparsers(dest="festival_command", required=True)
    _ = fsub  # each part of the app adds its subcommands below

    close = fsub.add_parser(
        "close-ended", help="close the flash sales that have ended: unsold units back to stock"
    )
    close.set_defaults(func=cmd_close_ended)

    retally = fsub.add_parser(
        "retally",
        help="rebuild a festival's GMV tallies from the orders (orders written without events)",
    )
    retally.add_argument("slug", help="the festival's slug")
    retally.add_argument("--no-progress", action="store_true")
    retally.set_defaults(func=cmd_retally)

    sim = fsub.add_parser(
        "simulate", help="a storm of flash-sale checkouts against a running server (loopback)"
    )
    sim.add_argument("--url", default="http://127.0.0.1:8000")
    sim.add_argument("--festival", default=None, help="slug (default: the festival live now)")
    sim.add_argument("--buyers", type=int, default=200)
    sim.add_argument("--concurrency", type=int, default=32, help="threads")
    sim.add_argument("--attempts", type=int, default=3, help="checkouts per buyer")
    sim.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
    sim.add_argument("--payment", choices=("cod", "wallet"), default="cod")
    sim.add_argument(
        "--hot-share", type=float, default=0.8, help="share of attempts on the hottest flash sale"
    )
    sim.add_argument("--seed", type=int, default=None)
    sim.add_argument("--no-progress", action="store_true")
    sim.set_defaults(func=cmd_simulate)


def cmd_close_ended(args: Any) -> int:
    """``fiera festival close-ended``: one line per flash sale closed, then a total."""
    import sys

    from django.utils import timezone

    from fiera.accounts.roles import SYSTEM
    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.festivals.services import flash_sales_close_ended

    closed = flash_sales_close_ended(actor_role=SYSTEM, now=timezone.now())
    for sale in closed:
        sys.stdout.write(
            f"closed flash sale {sale.pk} (variant {sale.variant_id}, warehouse "
            f"{sale.warehouse_id}): {sale.units_returned} units back to stock\n"
        )
    sys.stdout.write(f"{len(closed)} flash sales closed\n")
    return 0


def cmd_retally(args: Any) -> int:
    """``fiera festival retally SLUG``: rebuild in one transaction, with a progress bar."""
    import sys

    from django.utils import timezone
    from tqdm import tqdm

    from fiera.accounts.roles import SYSTEM
    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.common.errors import DomainError
    from fiera.festivals.tallies import festival_retally_by_slug

    with tqdm(
        desc=f"retallying {args.slug}", unit=" orders", disable=args.no_progress, leave=False
    ) as bar:

        def advance(orders: int) -> None:
            bar.update(orders)

        try:
            report = festival_retally_by_slug(
                slug=args.slug, now=timezone.now(), actor_role=SYSTEM, progress=advance
            )
        except DomainError as exc:
            sys.stderr.write(f"error: {exc.detail}\n")
            return 2
    sys.stdout.write(
        f"{args.slug}: {report.orders_read} orders read, {report.orders_counted} counted "
        "(festival or baseline window)\n"
    )
    return 0


def cmd_simulate(args: Any) -> int:
    """``fiera festival simulate``: set up buyers, storm the checkout, print what happened;
    exit 1 when a flash sale was oversold."""
    import sys
    from collections.abc import Callable

    from django.utils import timezone
    from tqdm import tqdm

    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.common.errors import DomainError
    from fiera.festivals.simulate import simulate

    bars: list[Any] = []

    def progress_factory(total: int) -> Callable[[int], None]:
        bar = tqdm(total=total, desc="checkouts", unit=" att", disable=args.no_progress)
        bars.append(bar)

        def advance(attempts: int) -> None:
            bar.update(attempts)

        return advance

    try:
        report = simulate(
            url=args.url,
            festival_slug=args.festival,
            buyers=args.buyers,
            concurrency=args.concurrency,
            attempts=args.attempts,
            seconds=args.seconds,
            payment=args.payment,
            hot_share=args.hot_share,
            now=timezone.now(),
            seed=args.seed,
            progress_factory=progress_factory,
        )
    except DomainError as exc:
        sys.stderr.write(f"error: {exc.detail}\n")
        return 2
    finally:
        for bar in bars:
            bar.close()
    sys.stdout.write("\n".join(report.lines()) + "\n")
    return 0 if report.oversold == 0 else 1
