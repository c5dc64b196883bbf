"""Small builders for ledger tests."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

from fiera.ledger import services
from fiera.ledger.domain import AccountRecord, TransferSpec

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
_owner_ids = itertools.count(1000)


def wallet(currency: str = "EUR", owner_id: int | None = None) -> AccountRecord:
    """A consumer wallet: never below zero."""
    return services.account_open(
        code="wallet",
        owner_type="user",
        owner_id=next(_owner_ids) if owner_id is None else owner_id,
        currency=currency,
        debits_must_not_exceed_credits=True,
    )


def funding(currency: str = "EUR") -> AccountRecord:
    """The system account money enters from (no limits: it goes 'negative')."""
    return services.system_account(code="funding", currency=currency)


def tid() -> str:
    return str(uuid.uuid4())


def move(
    debit: AccountRecord,
    credit: AccountRecord,
    amount_minor: int,
    *,
    id: str | None = None,
    code: str = "payment",
    currency: str | None = None,
    **flags: object,
) -> TransferSpec:
    return TransferSpec(
        id=id or tid(),
        debit_account_id=debit.id,
        credit_account_id=credit.id,
        amount_minor=amount_minor,
        currency=currency or debit.currency,
        code=code,
        **flags,  # type: ignore[arg-type]
    )


def funded_wallet(amount_minor: int, currency: str = "EUR") -> AccountRecord:
    target = wallet(currency)
    services.transfer_create(
        spec=move(funding(currency), target, amount_minor, code="topup"), now=NOW
    )
    return target
