"""Ledger reads: accounts and balances, statements, transfers, and the invariant check.

``actor_role`` is the API caller's role (the ledger API is for operators), or
``accounts.roles.SYSTEM`` for another app's service, which does its own authorization.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from fiera.common.money import Money
from fiera.ledger import sql
from fiera.ledger.domain import (
    AccountRecord,
    Balance,
    Statement,
    StatementLine,
    TransferIdError,
    TransferRecord,
    VerifyReport,
    parse_transfer_id,
)
from fiera.ledger.errors import (
    AccountNotFound,
    InvalidTransferId,
    TransferNotFound,
    check_operator,
)
from fiera.ledger.models import Account, BalanceDelta, Transfer

_MAX_ID = (1 << 63) - 1
MAX_STATEMENT_WINDOW = 10_000


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view for several queries: a REPEATABLE READ transaction on
    PostgreSQL (unless the caller is already inside a transaction), a transaction on
    SQLite (WAL readers see one snapshot)."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if not outer and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


# The account's columns with its deltas not yet rolled up added to the posted totals
# (``BalanceDelta``): what every reader sees, so a balance read is exact between roll-ups.
_ACCOUNT_WITH_DELTAS_SQL = (
    "SELECT a.id, a.currency, a.code, a.owner_type, a.owner_id, "
    "a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits, a.debits_pending, "
    "a.debits_posted + COALESCE(d.dpo, 0), a.credits_pending, "
    "a.credits_posted + COALESCE(d.cpo, 0), a.created_at "
    f"FROM {sql.ACCOUNT_TABLE} a LEFT JOIN ({sql.DELTA_SUMS} WHERE account_id = %s "
    "GROUP BY account_id) d ON d.account_id = a.id WHERE a.id = %s"
)


def _delta_sum(column: str) -> Coalesce:
    deltas = (
        BalanceDelta.objects.filter(account_id=OuterRef("pk"))
        .order_by()
        .values("account_id")
        .annotate(total=Sum(column))
        .values("total")[:1]
    )
    return Coalesce(Subquery(deltas), Value(0), output_field=BigIntegerField())


def _account_values(qs: QuerySet[Account]) -> QuerySet[Account, tuple[Any, ...]]:
    """``qs`` as rows of ``sql.ACCOUNT_COLUMNS`` with the unapplied deltas counted."""
    columns = [
        {"debits_posted": "debits_posted_now", "credits_posted": "credits_posted_now"}.get(c, c)
        for c in sql.ACCOUNT_COLUMNS
    ]
    return qs.annotate(
        debits_posted_now=F("debits_posted") + _delta_sum("debits_posted"),
        credits_posted_now=F("credits_posted") + _delta_sum("credits_posted"),
    ).values_list(*columns)


def _account_row(account_id: int) -> AccountRecord:
    if type(account_id) is not int or not 0 < account_id <= _MAX_ID:
        raise AccountNotFound(f"no account {account_id}")
    with connection.cursor() as cursor:
        cursor.execute(_ACCOUNT_WITH_DELTAS_SQL, [account_id, account_id])
        row = cursor.fetchone()
    if row is None:
        raise AccountNotFound(f"no account {account_id}")
    return sql.account_from_row(row)


def account_get(*, account_id: int, actor_role: str) -> AccountRecord:
    """The account with its four balance totals (AccountNotFound if none)."""
    check_operator(actor_role=actor_role)
    return _account_row(account_id)


def account_get_by_key(
    *, code: str, owner_type: str, owner_id: int, currency: str
) -> AccountRecord | None:
    """The account (code, owner, currency) if it was opened, else None (nothing is created:
    ``services.account_open`` does that)."""
    row = _account_values(
        Account.objects.filter(
            code=code, owner_type=owner_type, owner_id=owner_id, currency=currency
        )
    ).first()
    return sql.account_from_row(row) if row is not None else None


def account_list(
    *,
    owner_type: str | None = None,
    owner_id: int | None = None,
    currency: str | None = None,
    code: str | None = None,
    limit: int = 200,
    offset: int = 0,
    actor_role: str,
) -> list[AccountRecord]:
    """Accounts in id order, filtered by whichever of owner, currency and code is given."""
    check_operator(actor_role=actor_role)
    qs = Account.objects.order_by("id")
    if owner_type is not None:
        qs = qs.filter(owner_type=owner_type)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if currency is not None:
        qs = qs.filter(currency=currency)
    if code is not None:
        qs = qs.filter(code=code)
    offset = max(offset, 0)
    rows = _account_values(qs)[offset : offset + max(limit, 0)]
    return [sql.account_from_row(row) for row in rows]


def account_balance(*, account_id: int) -> Balance:
    """Posted, pending and available balance on the account's normal side (see Balance)."""
    return _account_row(account_id).balance()


def account_statement(
    *, account_id: int, limit: int = 50, offset: int = 0, actor_role: str
) -> Statement:
    """The transfers touching the account, newest first, each with its direction and the
    account's posted balance right after it, plus the total count.

    Raw SQL: two index range scans (debit side, credit side, each on (account, seq))
    merged, so a page costs O(offset + limit) rows however busy the account is; the
    running balance walks back from the account's current posted balance, read in the
    same snapshot. ``offset + limit`` is capped at MAX_STATEMENT_WINDOW.
    """
    check_operator(actor_role=actor_role)
    limit = min(max(limit, 1), 200)
    offset = min(max(offset, 0), MAX_STATEMENT_WINDOW - limit)
    window = offset + limit
    columns = ", ".join(sql.TRANSFER_COLUMNS)
    with _snapshot():
        account = _account_row(account_id)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT seq, {columns} FROM (SELECT seq, {columns} FROM {sql.TRANSFER_TABLE} "
                "WHERE debit_account_id = %s ORDER BY seq DESC LIMIT %s) AS d "
                f"UNION ALL SELECT seq, {columns} FROM (SELECT seq, {columns} "
                f"FROM {sql.TRANSFER_TABLE} WHERE credit_account_id = %s "
                "ORDER BY seq DESC LIMIT %s) AS c ORDER BY seq DESC LIMIT %s",
                [account_id, window, account_id, window, window],
            )
            rows = cursor.fetchall()
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM {sql.TRANSFER_TABLE} WHERE debit_account_id = %s)"
                f" + (SELECT COUNT(*) FROM {sql.TRANSFER_TABLE} WHERE credit_account_id = %s)",
                [account_id, account_id],
            )
            count_row = cursor.fetchone()
    count = int(count_row[0]) if count_row else 0
    sign = 1 if account.normal_side == "credit" else -1
    posted = sign * (account.credits_posted - account.debits_posted)
    lines: list[StatementLine] = []
    for position, row in enumerate(rows):
        transfer = sql.transfer_from_row(row[1:])
        direction: Any = "debit" if transfer.debit_account_id == account_id else "credit"
        if position >= offset:
            lines.append(
                StatementLine(
                    transfer=transfer,
                    direction=direction,
                    posted_balance_after=Money(posted, account.currency),
                )
            )
        if transfer.moves_posted:
            effect = transfer.amount_minor if direction == "credit" else -transfer.amount_minor
            posted -= sign * effect
    return Statement(account=account, count=count, lines=lines)


def transfer_get(*, transfer_id: uuid.UUID | str | int, actor_role: str) -> TransferRecord:
    """The transfer with this id (a UUID, or the text key it was booked with)."""
    check_operator(actor_role=actor_role)
    try:
        key = parse_transfer_id(transfer_id)
    except TransferIdError as exc:
        raise InvalidTransferId(str(exc)) from None
    row = Transfer.objects.filter(transfer_id=key).values_list(*sql.TRANSFER_COLUMNS).first()
    if row is None:
        raise TransferNotFound(f"no transfer {key}")
    return sql.transfer_from_row(row)


_RECOMPUTE_SQL = f"""
SELECT a.id, a.currency, a.debits_pending, a.debits_posted + COALESCE(u.dpo, 0),
       a.credits_pending, a.credits_posted + COALESCE(u.cpo, 0),
       COALESCE(s.dp, 0), COALESCE(s.dpo, 0), COALESCE(s.cp, 0), COALESCE(s.cpo, 0)
FROM {sql.ACCOUNT_TABLE} a
LEFT JOIN ({sql.DELTA_SUMS} GROUP BY account_id) u ON u.account_id = a.id
LEFT JOIN (
    SELECT account_id, SUM(dp) AS dp, SUM(dpo) AS dpo, SUM(cp) AS cp, SUM(cpo) AS cpo
    FROM (
        SELECT t.debit_account_id AS account_id,
               CASE WHEN t.pending AND r.seq IS NULL THEN t.amount_minor ELSE 0 END AS dp,
               CASE WHEN t.pending OR t.void_pending THEN 0 ELSE t.amount_minor END AS dpo,
               0 AS cp, 0 AS cpo
        FROM {sql.TRANSFER_TABLE} t
        LEFT JOIN {sql.TRANSFER_TABLE} r
               ON t.pending AND r.pending_transfer_id = t.transfer_id
        UNION ALL
        SELECT t.credit_account_id,
               0, 0,
               CASE WHEN t.pending AND r.seq IS NULL THEN t.amount_minor ELSE 0 END,
               CASE WHEN t.pending OR t.void_pending THEN 0 ELSE t.amount_minor END
        FROM {sql.TRANSFER_TABLE} t
        LEFT JOIN {sql.TRANSFER_TABLE} r
               ON t.pending AND r.pending_transfer_id = t.transfer_id
    ) x
    GROUP BY account_id
) s ON s.account_id = a.id
ORDER BY a.id
"""

_BAD_RESOLUTIONS_SQL = f"""
SELECT r.transfer_id, p.transfer_id, p.pending, r.amount_minor, p.amount_minor,
       r.debit_account_id, p.debit_account_id, r.credit_account_id, p.credit_account_id
FROM {sql.TRANSFER_TABLE} r
JOIN {sql.TRANSFER_TABLE} p ON p.transfer_id = r.pending_transfer_id
WHERE NOT p.pending
   OR r.debit_account_id <> p.debit_account_id
   OR r.credit_account_id <> p.credit_account_id
   OR r.amount_minor > p.amount_minor
   OR (r.void_pending AND r.amount_minor <> p.amount_minor)
"""


_BAD_DELTAS_SQL = f"""
SELECT d.id, d.account_id FROM {sql.DELTA_TABLE} d
LEFT JOIN {sql.TRANSFER_TABLE} t ON t.seq = d.transfer_seq
WHERE t.seq IS NULL
   OR (d.credits_posted > 0
       AND (t.credit_account_id <> d.account_id OR t.amount_minor <> d.credits_posted))
   OR (d.debits_posted > 0
       AND (t.debit_account_id <> d.account_id OR t.amount_minor <> d.debits_posted))
"""


def ledger_verify(*, actor_role: str) -> VerifyReport:
    """Check the ledger's invariants in one snapshot; name every account that breaks one.

    1. Per currency, the debits equal the credits: sum(debits_posted) = sum(credits_posted)
       and sum(debits_pending) = sum(credits_pending) over all accounts.
    2. Every account's four totals equal what its transfers add up to: posted from plain
       transfers and posts, pending from pending transfers not yet posted, voided or
       expired.
    3. Every post or void names a pending transfer between the same accounts and does not
       exceed its amount (a void releases exactly it).

    Balances include the ``BalanceDelta`` rows not yet rolled up (counted in
    ``unapplied_deltas``); each must be one side of its transfer.

    A full scan of both tables: an operator's check (``fiera ledger verify``), not a hot
    path.
    """
    check_operator(actor_role=actor_role)
    problems: list[str] = []
    broken: list[int] = []
    totals: dict[str, list[int]] = {}
    with _snapshot(), connection.cursor() as cursor:
        cursor.execute(_RECOMPUTE_SQL)
        rows = cursor.fetchall()
        cursor.execute(f"SELECT COUNT(*) FROM {sql.TRANSFER_TABLE}")
        count_row = cursor.fetchone()
        cursor.execute(_BAD_RESOLUTIONS_SQL)
        bad_resolutions = cursor.fetchall()
        cursor.execute(f"SELECT COUNT(*) FROM {sql.DELTA_TABLE}")
        deltas_row = cursor.fetchone()
        cursor.execute(_BAD_DELTAS_SQL)
        bad_deltas = cursor.fetchall()
    names = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
    for row in rows:
        account_id, currency = int(row[0]), str(row[1])
        stored = [int(v) for v in row[2:6]]
        recomputed = [int(v) for v in row[6:10]]
        sums = totals.setdefault(currency, [0, 0, 0, 0])
        for i, value in enumerate(stored):
            sums[i] += value
        if stored != recomputed:
            wrong = ", ".join(
                f"{name} {s} (transfers say {r})"
                for name, s, r in zip(names, stored, recomputed, strict=True)
                if s != r
            )
            problems.append(f"account {account_id} ({currency}): {wrong}")
            broken.append(account_id)
    for currency, (dp, dpo, cp, cpo) in sorted(totals.items()):
        if dpo != cpo:
            problems.append(f"{currency}: debits_posted {dpo} != credits_posted {cpo}")
        if dp != cp:
            problems.append(f"{currency}: debits_pending {dp} != credits_pending {cp}")
    for bad in bad_resolutions:
        problems.append(
            f"transfer {sql.to_uuid(bad[0])} does not match the pending transfer "
            f"{sql.to_uuid(bad[1])} it resolves"
        )
    for delta_id, account_id in bad_deltas:
        problems.append(f"balance delta {delta_id} of account {account_id} matches no transfer")
        broken.append(int(account_id))
    return VerifyReport(
        unapplied_deltas=int(deltas_row[0]) if deltas_row else 0,
        accounts=len(rows),
        transfers=int(count_row[0]) if count_row else 0,
        currencies=len(totals),
        problems=problems,
        broken_account_ids=broken,
    )
