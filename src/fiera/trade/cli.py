"""Trade commands of the ``fiera`` CLI.

    fiera trade expire-rfqs     expire quotes past their validity and RFQs past their deadline

``fiera.common.runtime.setup_django()`` first, then ONE domain call per command.
"""

from __future__ import annotations

import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``trade`` to the ``fiera`` command."""
    p = subparsers.add_parser("trade", help="B2B trade: background jobs run by hand")
    tsub = p.add_subparsers(dest="trade_command", required=True)
    expire = tsub.add_parser(
        "expire-rfqs",
        help="expire quotes past their validity and RFQs past their deadline with no live quote",
    )
    expire.set_defaults(func=cmd_expire_rfqs)


def cmd_expire_rfqs(args: Any) -> int:
    """``fiera trade expire-rfqs``: how many RFQs and quotes expired."""
    from django.utils import timezone

    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.trade.services import rfqs_expire

    rfqs, quotes = rfqs_expire(now=timezone.now())
    sys.stdout.write(f"{rfqs} RFQs and {quotes} quotes expired\n")
    return 0
