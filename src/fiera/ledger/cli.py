"""``fiera ledger ...``: check the ledger, list balances, expire pending transfers.

fiera ledger verify                       exit 0 "OK: ..." or 1 with the broken accounts
fiera ledger balances [--owner user:42] [--currency EUR] [--code wallet]
fiera ledger expire                       void pending transfers past their timeout
fiera ledger roll-up                      fold deferred balance deltas into the accounts
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fiera.accounts.roles import SYSTEM


def _say(text: str, *, error: bool = False) -> None:
    (sys.stderr if error else sys.stdout).write(text + "\n")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("ledger", help="the double-entry ledger: verify, balances, expire")
    sub = p.add_subparsers(dest="ledger_command", required=True)

    v = sub.add_parser(
        "verify", help="check that debits equal credits and balances equal transfers"
    )
    v.set_defaults(func=cmd_verify)

    b = sub.add_parser("balances", help="list accounts and their balances")
    b.add_argument("--owner", help="OWNER_TYPE:ID, e.g. user:42 or merchant:7 or system:0")
    b.add_argument("--currency", help="ISO 4217 code, e.g. EUR")
    b.add_argument("--code", help='account code, e.g. "wallet"')
    b.add_argument("--limit", type=int, default=200)
    b.set_defaults(func=cmd_balances)

    e = sub.add_parser("expire", help="void the pending transfers whose timeout passed")
    e.set_defaults(func=cmd_expire)

    r = sub.add_parser(
        "roll-up", help="fold the balance deltas of deferred postings into their accounts"
    )
    r.set_defaults(func=cmd_roll_up)


def cmd_verify(args: argparse.Namespace) -> int:
    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.ledger.selectors import ledger_verify

    report = ledger_verify(actor_role=SYSTEM)
    _say(report.summary(), error=not report.ok)
    return 0 if report.ok else 1


def _owner(text: str | None) -> tuple[str | None, int | None]:
    if not text:
        return None, None
    from fiera.common.parsing import parse_id

    kind, _, number = text.partition(":")
    owner_id = parse_id(number)
    if not kind or owner_id is None:
        raise SystemExit(f"--owner must look like user:42, got {text!r}")
    return kind, owner_id


def cmd_balances(args: argparse.Namespace) -> int:
    owner_type, owner_id = _owner(args.owner)
    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.ledger.selectors import account_list

    accounts = account_list(
        owner_type=owner_type,
        owner_id=owner_id,
        currency=args.currency,
        code=args.code,
        limit=args.limit,
        actor_role=SYSTEM,
    )
    if not accounts:
        _say("no accounts")
        return 0
    _say(f"{'id':>6}  {'owner':<16} {'code':<16} {'posted':>18} {'pending':>16} {'available':>18}")
    for account in accounts:
        balance = account.balance()
        owner = f"{account.owner_type}:{account.owner_id}"
        _say(
            f"{account.id:>6}  {owner:<16} {account.code:<16} {balance.posted!s:>18} "
            f"{balance.pending!s:>16} {balance.available!s:>18}"
        )
    return 0


def cmd_expire(args: argparse.Namespace) -> int:
    from fiera.common.runtime import setup_django

    setup_django()
    from django.utils import timezone

    from fiera.ledger.services import pending_expire

    _say(f"voided {pending_expire(now=timezone.now())} expired pending transfer(s)")
    return 0


def cmd_roll_up(args: argparse.Namespace) -> int:
    from fiera.common.runtime import setup_django

    setup_django()
    from fiera.ledger.services import balance_deltas_apply

    _say(f"folded {balance_deltas_apply()} balance delta(s) into their accounts")
    return 0
