"""The raw SQL of the ledger's hot path, shared by the services and ``bench/ledger.py``.

Why raw SQL: a batch of N transfers is five statements whatever N is (BEGIN, lock the
accounts, insert the transfers, update the balances, COMMIT), which the ORM cannot
express (``SELECT ... FOR UPDATE`` of plain tuples, ``INSERT ... SELECT FROM unnest(...)
ON CONFLICT DO NOTHING``, ``UPDATE ... FROM unnest(...)``); on SQLite the writes are
``executemany`` loops in C. Placeholders are ``%s`` (Django's cursor; the bench turns
them into ``?`` for sqlite3). Only fixed fragments and placeholders are joined here,
never values.

The texts depend on the vendor ("postgresql" or "sqlite") and on the number of rows, so
they are cached.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.utils.dateparse import parse_datetime

from fiera.ledger.domain import AccountRecord, TransferRecord

ACCOUNT_TABLE = "ledger_account"
TRANSFER_TABLE = "ledger_transfer"

ACCOUNT_COLUMNS = (
    "id",
    "currency",
    "code",
    "owner_type",
    "owner_id",
    "debits_must_not_exceed_credits",
    "credits_must_not_exceed_debits",
    "debits_pending",
    "debits_posted",
    "credits_pending",
    "credits_posted",
    "created_at",
)

# What the write path needs of a locked account.
LOCK_COLUMNS = (
    "id",
    "currency",
    "debits_must_not_exceed_credits",
    "credits_must_not_exceed_debits",
    "debits_pending",
    "debits_posted",
    "credits_pending",
    "credits_posted",
)

TRANSFER_COLUMNS = (
    "transfer_id",
    "debit_account_id",
    "credit_account_id",
    "amount_minor",
    "currency",
    "code",
    "reference",
    "pending",
    "post_pending",
    "void_pending",
    "expiry",
    "linked",
    "pending_transfer_id",
    "reversal_of_id",
    "timeout_seconds",
    "expires_at",
    "created_at",
)

# PostgreSQL: every statement binds one array per column (``unnest`` / ``= ANY``), so
# its text is short and constant (the driver caches its parsing) and one statement takes
# a whole batch. SQLite: writes run one row's statement under ``executemany``; lookups
# with ``IN (...)`` go in chunks (its limit of bound variables is 32766).
SQLITE_CHUNK = 1000
POSTGRESQL_CHUNK = 100_000

_PG_TYPES = {
    "transfer_id": "uuid",
    "debit_account_id": "bigint",
    "credit_account_id": "bigint",
    "amount_minor": "bigint",
    "currency": "text",
    "code": "text",
    "reference": "text",
    "pending": "boolean",
    "post_pending": "boolean",
    "void_pending": "boolean",
    "expiry": "boolean",
    "linked": "boolean",
    "pending_transfer_id": "uuid",
    "reversal_of_id": "uuid",
    "timeout_seconds": "integer",
    "expires_at": "timestamptz",
    "created_at": "timestamptz",
}


def chunk_size(vendor: str) -> int:
    return POSTGRESQL_CHUNK if vendor == "postgresql" else SQLITE_CHUNK


def _placeholders(n: int, cast: str = "") -> str:
    one = f"%s{cast}"
    return ", ".join([one] * n)


def _in(vendor: str, column: str, n: int, pg_type: str) -> str:
    """``column IN (...)``: one array parameter on PostgreSQL, ``n`` on SQLite."""
    if vendor == "postgresql":
        return f"{column} = ANY(%s::{pg_type}[])"
    return f"{column} IN ({_placeholders(n)})"


def in_params(vendor: str, values: list[Any]) -> list[Any]:
    return [values] if vendor == "postgresql" else values


@lru_cache(maxsize=256)
def lock_accounts_sql(vendor: str, n: int) -> str:
    """Read (and on PostgreSQL lock, in id order so that two batches never deadlock) the
    balance rows of ``n`` accounts (parameters: ``in_params(ids)``). On SQLite the
    IMMEDIATE transaction already holds the database's write lock."""
    sql = (
        f"SELECT {', '.join(LOCK_COLUMNS)} FROM {ACCOUNT_TABLE} "
        f"WHERE {_in(vendor, 'id', n, 'bigint')} ORDER BY id"
    )
    return sql + " FOR UPDATE" if vendor == "postgresql" else sql


@lru_cache(maxsize=16)
def insert_transfers_sql(vendor: str) -> str:
    """Insert transfers, skipping any whose transfer id (or resolved pending transfer, or
    reversed transfer) exists already; the row count says how many went in.

    PostgreSQL: one statement for the whole batch, one array per column (``unnest``).
    SQLite: one row's statement, run with ``executemany`` (the loop runs in C).
    Parameters: ``insert_params``; run it with ``execute_write``.
    """
    columns = ", ".join(TRANSFER_COLUMNS)
    if vendor == "postgresql":
        arrays = ", ".join(f"%s::{_PG_TYPES[c]}[]" for c in TRANSFER_COLUMNS)
        source = f"SELECT * FROM unnest({arrays})"
    else:
        source = "VALUES (" + _placeholders(len(TRANSFER_COLUMNS)) + ")"
    return f"INSERT INTO {TRANSFER_TABLE} ({columns}) {source} ON CONFLICT DO NOTHING"


def insert_params(vendor: str, rows: list[tuple[Any, ...]]) -> list[Any]:
    """Rows of ``transfer_params`` as ``insert_transfers_sql`` binds them."""
    if vendor == "postgresql":
        return [list(column) for column in zip(*rows, strict=True)]
    return rows


@lru_cache(maxsize=16)
def update_balances_sql(vendor: str) -> str:
    """Add deltas to account balances (parameters: ``update_params``; run it with
    ``execute_write``): one statement for all accounts on PostgreSQL, one row's statement
    under ``executemany`` on SQLite. The CHECK constraints of the account table re-check
    every balance rule the service checked before."""
    if vendor == "postgresql":
        return (
            "WITH v(id, dp, dpo, cp, cpo) AS (SELECT * FROM unnest("
            "%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[])) "
            f"UPDATE {ACCOUNT_TABLE} AS a SET "
            "debits_pending = a.debits_pending + v.dp, "
            "debits_posted = a.debits_posted + v.dpo, "
            "credits_pending = a.credits_pending + v.cp, "
            "credits_posted = a.credits_posted + v.cpo "
            "FROM v WHERE a.id = v.id"
        )
    return (
        f"UPDATE {ACCOUNT_TABLE} SET debits_pending = debits_pending + %s, "
        "debits_posted = debits_posted + %s, credits_pending = credits_pending + %s, "
        "credits_posted = credits_posted + %s WHERE id = %s"
    )


def update_params(vendor: str, deltas: list[tuple[int, int, int, int, int]]) -> list[Any]:
    """``deltas``: (account id, debits_pending, debits_posted, credits_pending,
    credits_posted) per account."""
    if vendor == "postgresql":
        return [list(column) for column in zip(*deltas, strict=True)]
    return [(dp, dpo, cp, cpo, account_id) for account_id, dp, dpo, cp, cpo in deltas]


def execute_write(cursor: Any, vendor: str, text: str, params: list[Any]) -> int:
    """Run a write built above (``execute`` on PostgreSQL, ``executemany`` on SQLite) with
    any DB-API cursor; returns the number of rows written."""
    if vendor == "postgresql":
        cursor.execute(text, params)
    else:
        cursor.executemany(text, params)
    return int(cursor.rowcount)


@lru_cache(maxsize=256)
def transfers_by_id_sql(vendor: str, n: int) -> str:
    return (
        f"SELECT {', '.join(TRANSFER_COLUMNS)} FROM {TRANSFER_TABLE} "
        f"WHERE {_in(vendor, 'transfer_id', n, 'uuid')}"
    )


@lru_cache(maxsize=256)
def resolutions_sql(vendor: str, n: int) -> str:
    """How each of ``n`` pending transfers was resolved, if it was."""
    return (
        f"SELECT pending_transfer_id, post_pending, expiry FROM {TRANSFER_TABLE} "
        f"WHERE {_in(vendor, 'pending_transfer_id', n, 'uuid')}"
    )


@lru_cache(maxsize=256)
def reversals_sql(vendor: str, n: int) -> str:
    return (
        f"SELECT reversal_of_id FROM {TRANSFER_TABLE} "
        f"WHERE {_in(vendor, 'reversal_of_id', n, 'uuid')}"
    )


# --- values in and out ------------------------------------------------------------------


def uuid_param(vendor: str, value: uuid.UUID | None) -> Any:
    """A UUID as the column stores it: uuid on PostgreSQL, 32 hex digits on SQLite (as
    Django's UUIDField does)."""
    if value is None:
        return None
    return value if vendor == "postgresql" else value.hex


def datetime_param(vendor: str, value: datetime | None) -> Any:
    """An aware datetime as Django stores it: timestamptz on PostgreSQL, UTC text on SQLite."""
    if value is None:
        return None
    if vendor == "postgresql":
        return value
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def to_uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed_or_none = parse_datetime(str(value))
        if parsed_or_none is None:
            raise ValueError(f"not a datetime: {value!r}")
        parsed = parsed_or_none
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def transfer_params(vendor: str, t: TransferRecord, created_at: Any = None) -> tuple[Any, ...]:
    """The row of ``TRANSFER_COLUMNS`` for ``t``; ``created_at`` may pass the already
    converted ``datetime_param`` of ``t.created_at`` (the same for a whole batch)."""
    return (
        uuid_param(vendor, t.id),
        t.debit_account_id,
        t.credit_account_id,
        t.amount_minor,
        t.currency,
        t.code,
        t.reference,
        t.pending,
        t.post_pending,
        t.void_pending,
        t.expiry,
        t.linked,
        uuid_param(vendor, t.pending_id),
        uuid_param(vendor, t.reversal_of),
        t.timeout_seconds,
        datetime_param(vendor, t.expires_at) if t.expires_at is not None else None,
        datetime_param(vendor, t.created_at) if created_at is None else created_at,
    )


def transfer_from_row(row: tuple[Any, ...]) -> TransferRecord:
    """A row of ``TRANSFER_COLUMNS`` (in that order) as a TransferRecord."""
    transfer_id = to_uuid(row[0])
    created_at = to_datetime(row[16])
    assert transfer_id is not None and created_at is not None
    return TransferRecord(
        id=transfer_id,
        debit_account_id=int(row[1]),
        credit_account_id=int(row[2]),
        amount_minor=int(row[3]),
        currency=row[4],
        code=row[5],
        reference=row[6],
        pending=bool(row[7]),
        post_pending=bool(row[8]),
        void_pending=bool(row[9]),
        expiry=bool(row[10]),
        linked=bool(row[11]),
        pending_id=to_uuid(row[12]),
        reversal_of=to_uuid(row[13]),
        timeout_seconds=int(row[14]),
        expires_at=to_datetime(row[15]),
        created_at=created_at,
    )


def account_from_row(row: tuple[Any, ...]) -> AccountRecord:
    """A row of ``ACCOUNT_COLUMNS`` (in that order) as an AccountRecord."""
    created_at = to_datetime(row[11])
    assert created_at is not None
    return AccountRecord(
        id=int(row[0]),
        currency=row[1],
        code=row[2],
        owner_type=row[3],
        owner_id=int(row[4]),
        debits_must_not_exceed_credits=bool(row[5]),
        credits_must_not_exceed_debits=bool(row[6]),
        debits_pending=int(row[7]),
        debits_posted=int(row[8]),
        credits_pending=int(row[9]),
        credits_posted=int(row[10]),
        created_at=created_at,
    )


# --- deferred postings (the lean wallet checkout) and their roll-up ----------------------

DELTA_TABLE = "ledger_balancedelta"

# One row of VALUES per leg of ``transfers_book_deferred``: the accounts by key.
DEFERRED_COLUMNS = (
    "n",
    "transfer_id",
    "debit_code",
    "debit_owner_type",
    "debit_owner_id",
    "credit_code",
    "credit_owner_type",
    "credit_owner_id",
    "currency",
    "amount_minor",
    "code",
    "reference",
    "linked",
    "payer_debit",
)

_NO_LIMITS = "NOT {a}.debits_must_not_exceed_credits AND NOT {a}.credits_must_not_exceed_debits"


@lru_cache(maxsize=64)
def deferred_transfers_sql(vendor: str, n: int) -> str:
    """Insert ``n`` plain posted transfers whose accounts are resolved by key in the same
    statement (parameters: ``DEFERRED_COLUMNS`` per row, then ``created_at``). A credit
    account, and a debit account that is not the payer, must have no balance limit (their
    balances change later, through deltas); a row whose account is missing or limited is
    not inserted, nor one whose id exists. RETURNING the ids inserted.

    On PostgreSQL the same statement also inserts the balance deltas of the rows it
    inserted (a data-modifying CTE: one round trip); SQLite (>= 3.35) runs
    ``deltas_insert_sql`` next."""
    row = "(" + _placeholders(len(DEFERRED_COLUMNS)) + ")"
    values = f"WITH v({', '.join(DEFERRED_COLUMNS)}) AS (VALUES {', '.join([row] * n)}) "
    if vendor == "postgresql":
        return (
            values + f", t AS ({_deferred_insert()} RETURNING seq, transfer_id, debit_account_id, "
            "credit_account_id, amount_minor, created_at), "
            f"x AS (INSERT INTO {DELTA_TABLE} "
            "(owner_id, account_id, debits_posted, credits_posted, transfer_seq, created_at) "
            "SELECT a.owner_id, a.id, 0, t.amount_minor, t.seq, t.created_at "
            f"FROM t JOIN {ACCOUNT_TABLE} a ON a.id = t.credit_account_id "
            "UNION ALL SELECT a.owner_id, a.id, t.amount_minor, 0, t.seq, t.created_at "
            "FROM t JOIN v ON v.transfer_id = t.transfer_id "
            f"JOIN {ACCOUNT_TABLE} a ON a.id = t.debit_account_id WHERE NOT v.payer_debit) "
            "SELECT transfer_id FROM t"
        )
    return values + _deferred_insert() + " RETURNING transfer_id"


def _deferred_insert() -> str:
    return (
        f"INSERT INTO {TRANSFER_TABLE} ({', '.join(TRANSFER_COLUMNS)}) "
        "SELECT v.transfer_id, d.id, c.id, v.amount_minor, v.currency, v.code, v.reference, "
        "FALSE, FALSE, FALSE, FALSE, v.linked, NULL, NULL, 0, NULL, %s "
        f"FROM v, {ACCOUNT_TABLE} d, {ACCOUNT_TABLE} c "
        "WHERE d.code = v.debit_code AND d.owner_type = v.debit_owner_type "
        "AND d.owner_id = v.debit_owner_id AND d.currency = v.currency "
        "AND c.code = v.credit_code AND c.owner_type = v.credit_owner_type "
        "AND c.owner_id = v.credit_owner_id AND c.currency = v.currency "
        f"AND {_NO_LIMITS.format(a='c')} "
        f"AND (v.payer_debit OR ({_NO_LIMITS.format(a='d')})) "
        "ORDER BY v.n ON CONFLICT DO NOTHING"
    )


PAYER_DEBIT_SQL = (
    f"UPDATE {ACCOUNT_TABLE} SET debits_posted = debits_posted + %s "
    "WHERE code = %s AND owner_type = %s AND owner_id = %s AND currency = %s "
    "AND (NOT debits_must_not_exceed_credits "
    "OR debits_posted + debits_pending + %s <= credits_posted) RETURNING id"
)
"""Debit the payer's posted balance by key, only within its limit (parameters: amount,
code, owner_type, owner_id, currency, amount); no row back: missing or too little."""


@lru_cache(maxsize=256)
def deltas_insert_sql(vendor: str, n: int, debits: int) -> str:
    """One delta per credit side of ``n`` transfers, and per debit side of ``debits`` of
    them (the deferred debits), read back from the transfers just inserted with each
    account's owner (parameters: ``in_params`` of the n ids, then of the ``debits`` ids).
    SQLite's; PostgreSQL's ``deferred_transfers_sql`` inserts them itself."""
    credit = (
        f"SELECT a.owner_id, a.id, 0, t.amount_minor, t.seq, t.created_at "
        f"FROM {TRANSFER_TABLE} t, {ACCOUNT_TABLE} a "
        f"WHERE {_in(vendor, 't.transfer_id', n, 'uuid')} AND a.id = t.credit_account_id"
    )
    text = (
        f"INSERT INTO {DELTA_TABLE} "
        "(owner_id, account_id, debits_posted, credits_posted, transfer_seq, created_at) " + credit
    )
    if debits:
        text += (
            f" UNION ALL SELECT a.owner_id, a.id, t.amount_minor, 0, t.seq, t.created_at "
            f"FROM {TRANSFER_TABLE} t, {ACCOUNT_TABLE} a "
            f"WHERE {_in(vendor, 't.transfer_id', debits, 'uuid')} "
            "AND a.id = t.debit_account_id"
        )
    return text


@lru_cache(maxsize=64)
def deltas_lock_sql(n: int | None) -> str:
    """PostgreSQL: lock (in id order, as ``lock_accounts_sql`` does, so a roll-up and a
    batch of transfers never deadlock) the accounts that have deltas; ``n`` given: only
    those of ``in_params(ids)``."""
    where = (
        f"id IN (SELECT account_id FROM {DELTA_TABLE})"
        if n is None
        else f"id = ANY(%s::bigint[]) AND id IN (SELECT account_id FROM {DELTA_TABLE})"
    )
    return f"SELECT id FROM {ACCOUNT_TABLE} WHERE {where} ORDER BY id FOR UPDATE"


FOLD_SQL_POSTGRESQL = (
    f"WITH d AS (DELETE FROM {DELTA_TABLE} WHERE account_id = ANY(%s::bigint[]) "
    "RETURNING account_id, debits_posted, credits_posted), "
    "s AS (SELECT account_id, SUM(debits_posted) AS dpo, SUM(credits_posted) AS cpo, "
    "COUNT(*) AS n FROM d GROUP BY account_id) "
    f"UPDATE {ACCOUNT_TABLE} AS a SET debits_posted = a.debits_posted + s.dpo, "
    "credits_posted = a.credits_posted + s.cpo FROM s WHERE a.id = s.account_id RETURNING s.n"
)
"""Fold the deltas of the locked accounts ``%s`` into their balances, in one statement."""


@lru_cache(maxsize=64)
def deltas_take_sqlite(n: int | None) -> str:
    """SQLite (the IMMEDIATE transaction holds the write lock): remove the deltas (of ``n``
    accounts, or all) and return them, for ``FOLD_UPDATE_SQLITE``."""
    where = "" if n is None else f" WHERE account_id IN ({_placeholders(n)})"
    return f"DELETE FROM {DELTA_TABLE}{where} RETURNING account_id, debits_posted, credits_posted"


FOLD_UPDATE_SQLITE = (
    f"UPDATE {ACCOUNT_TABLE} SET debits_posted = debits_posted + %s, "
    "credits_posted = credits_posted + %s WHERE id = %s"
)

# What readers add to an account's stored posted totals: its deltas not yet folded.
DELTA_SUMS = (
    f"SELECT account_id, SUM(debits_posted) AS dpo, SUM(credits_posted) AS cpo FROM {DELTA_TABLE}"
)
