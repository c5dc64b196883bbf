"""Ledger writes: open accounts, book transfers (single, batched, two-phase, linked),
expire pending transfers, reverse transfers. Every money movement of Fiera goes here.

How a batch is booked (``transfers_create``; hot path 2 of docs/architecture.md), in ONE transaction
of five statements whatever the batch size:

1. (only for post/void) read the pending transfers they name: immutable rows;
2. ``SELECT ... FOR UPDATE`` the balance rows of every account involved, in id order, so
   that concurrent batches queue on shared accounts and never deadlock (SQLite: the
   IMMEDIATE transaction holds the write lock already);
3. apply every transfer in memory, in order, checking each rule (flags, currencies,
   pending state, limits) against the balances as the earlier transfers left them; a
   failed transfer changes nothing and the others go on; a linked chain that fails is
   undone as a whole;
4. one ``INSERT ... ON CONFLICT DO NOTHING`` of the new transfers;
5. one ``UPDATE`` adding each account's net deltas (see ``fiera.ledger.sql``).

Idempotency without an extra query on the happy path: a retried id makes the INSERT skip
a row; the transaction is then rolled back and the batch re-run with a lookup of its ids
(after the lock, so it sees what concurrent batches committed). The lookup also runs when
a transfer fails, so a retry of a transfer that drained its account answers with the
original result instead of "exceeds_credits". The DB constraints (unique ids, balances
within the flags) back these checks up; that a pending transfer is resolved, and a transfer
reversed, at most once is checked after the account locks, which every resolution or reversal
of one transfer takes on the same two accounts (no unique index: under Citus transfers are
spread by id, docs/decisions/0008-citus-distribution.md).

Raw SQL (``fiera.ledger.sql``) is used on this path because the ORM would cost a query
per row; reads and account opening use the ORM.

If a caller wraps these services in its own ``transaction.atomic()``, the account rows
stay locked until that outer transaction ends: keep it short.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from fiera.common.money import is_currency
from fiera.ledger import sql
from fiera.ledger.domain import (
    TRANSFER_ID_NAMESPACE,
    AccountKey,
    AccountRecord,
    DeferredLeg,
    TransferIdError,
    TransferRecord,
    TransferResult,
    TransferSpec,
    parse_transfer_id,
)
from fiera.ledger.errors import (
    TRANSFER_ERRORS,
    AccountExistsWithDifferentFlags,
    AccountNotFound,
    AccountsMustBeDifferent,
    AmountMustBePositive,
    BatchTooLarge,
    CodeRequired,
    CreditAccountIdRequired,
    CreditAccountNotFound,
    CurrencyMismatch,
    DebitAccountIdRequired,
    DebitAccountNotFound,
    ExceedsCredits,
    ExceedsDebits,
    ExceedsPendingTransferAmount,
    FlagsAreMutuallyExclusive,
    InvalidAccount,
    InvalidCode,
    InvalidCurrency,
    InvalidReference,
    InvalidTimeout,
    InvalidTransferId,
    LedgerOperatorsOnly,
    LinkedEventChainOpen,
    LinkedEventFailed,
    OverflowsBalance,
    PendingIdMustBeDifferent,
    PendingIdMustNotBeSet,
    PendingIdRequired,
    PendingTransferAlreadyPosted,
    PendingTransferAlreadyVoided,
    PendingTransferExpired,
    PendingTransferHasDifferentAccounts,
    PendingTransferHasDifferentAmount,
    PendingTransferNotFound,
    PendingTransferNotPending,
    TimeoutReservedForPendingTransfer,
    TransferAlreadyReversed,
    TransferIdReused,
    TransferNotFound,
    TransferNotReversible,
    check_operator,
)
from fiera.ledger.models import Account, Transfer

__all__ = [
    "MAX_BATCH",
    "AccountExistsWithDifferentFlags",
    "AccountNotFound",
    "AccountsMustBeDifferent",
    "AmountMustBePositive",
    "BatchTooLarge",
    "CodeRequired",
    "CreditAccountIdRequired",
    "CreditAccountNotFound",
    "CurrencyMismatch",
    "DebitAccountIdRequired",
    "DebitAccountNotFound",
    "ExceedsCredits",
    "ExceedsDebits",
    "ExceedsPendingTransferAmount",
    "FlagsAreMutuallyExclusive",
    "InvalidAccount",
    "InvalidCode",
    "InvalidCurrency",
    "InvalidReference",
    "InvalidTimeout",
    "InvalidTransferId",
    "LedgerOperatorsOnly",
    "LinkedEventChainOpen",
    "LinkedEventFailed",
    "OverflowsBalance",
    "PendingIdMustBeDifferent",
    "PendingIdMustNotBeSet",
    "PendingIdRequired",
    "PendingTransferAlreadyPosted",
    "PendingTransferAlreadyVoided",
    "PendingTransferExpired",
    "PendingTransferHasDifferentAccounts",
    "PendingTransferHasDifferentAmount",
    "PendingTransferNotFound",
    "PendingTransferNotPending",
    "TimeoutReservedForPendingTransfer",
    "TransferAlreadyReversed",
    "TransferIdReused",
    "TransferNotFound",
    "TransferNotReversible",
    "account_open",
    "balance_deltas_apply",
    "pending_expire",
    "system_account",
    "transfer_create",
    "transfer_reverse",
    "transfers_book_deferred",
    "transfers_create",
]

MAX_BATCH = 8189  # TigerBeetle's batch size
MAX_AMOUNT = (1 << 63) - 1  # a BigInteger column; also the bound of debits/credits sums
MAX_TIMEOUT_SECONDS = (1 << 31) - 1
SYSTEM_OWNER = "system"
_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_OWNER_TYPE = re.compile(r"[a-z][a-z0-9_]{0,15}")
_REFERENCE_MAX = 200
_ATTEMPTS = 5


# --- accounts ---------------------------------------------------------------------------


def _record(account: Account) -> AccountRecord:
    return AccountRecord(
        id=account.pk,
        currency=account.currency,
        code=account.code,
        owner_type=account.owner_type,
        owner_id=account.owner_id,
        debits_must_not_exceed_credits=account.debits_must_not_exceed_credits,
        credits_must_not_exceed_debits=account.credits_must_not_exceed_debits,
        debits_pending=account.debits_pending,
        debits_posted=account.debits_posted,
        credits_pending=account.credits_pending,
        credits_posted=account.credits_posted,
        created_at=account.created_at,
    )


def account_open(
    *,
    code: str,
    owner_type: str,
    owner_id: int,
    currency: str,
    debits_must_not_exceed_credits: bool = False,
    credits_must_not_exceed_debits: bool = False,
) -> AccountRecord:
    """The account (code, owner, currency), opened with zero balances if it did not exist.

    Idempotent on that key, and safe when two callers open it at once (INSERT ... ON
    CONFLICT DO NOTHING, then read). Asking again with other flags raises
    AccountExistsWithDifferentFlags: flags never change. Consumer wallets are opened
    with ``debits_must_not_exceed_credits`` (never below zero). The balances returned are
    the stored totals, without the balance deltas not yet rolled up: read balances through
    ``selectors``.
    """
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise InvalidAccount("code: lower-case letters, digits and _ (at most 32), e.g. 'wallet'")
    if not isinstance(owner_type, str) or not _OWNER_TYPE.fullmatch(owner_type):
        raise InvalidAccount("owner_type: lower-case letters, digits and _ (at most 16)")
    if type(owner_id) is not int or not 0 <= owner_id <= MAX_AMOUNT:
        raise InvalidAccount("owner_id: an integer >= 0")
    if not isinstance(currency, str) or not is_currency(currency):
        raise InvalidCurrency(f"{currency!r} is not an ISO 4217 currency with a minor unit")
    if debits_must_not_exceed_credits and credits_must_not_exceed_debits:
        raise InvalidAccount(
            "debits_must_not_exceed_credits and credits_must_not_exceed_debits exclude each other"
        )
    key = {"code": code, "owner_type": owner_type, "owner_id": owner_id, "currency": currency}
    account = Account.objects.filter(**key).first()
    if account is None:
        Account.objects.bulk_create(
            [
                Account(
                    **key,
                    debits_must_not_exceed_credits=debits_must_not_exceed_credits,
                    credits_must_not_exceed_debits=credits_must_not_exceed_debits,
                )
            ],
            ignore_conflicts=True,
        )
        account = Account.objects.get(**key)
    if (
        account.debits_must_not_exceed_credits != debits_must_not_exceed_credits
        or account.credits_must_not_exceed_debits != credits_must_not_exceed_debits
    ):
        raise AccountExistsWithDifferentFlags(
            f"account {account.pk} ({code} {owner_type}:{owner_id} {currency}) exists with "
            "other flags"
        )
    return _record(account)


def system_account(*, code: str, currency: str) -> AccountRecord:
    """The platform's own account ``code`` in ``currency`` (owner ("system", 0), no balance
    limits: funding and settlement accounts may run either way). Idempotent."""
    return account_open(code=code, owner_type=SYSTEM_OWNER, owner_id=0, currency=currency)


# --- transfers: the public entry points -------------------------------------------------


def transfers_create(
    *, transfers: Sequence[TransferSpec], now: datetime, actor_role: str
) -> list[TransferResult]:
    """Book a batch (at most MAX_BATCH) in one transaction; one result per spec, in order.

    Each transfer succeeds or fails on its own (TigerBeetle's create_transfers), except
    linked chains (all or nothing). A spec whose id exists with the same fields is a
    retry: ``ok`` with ``replayed`` and the original transfer; with other fields it fails
    with "transfer_id_reused". ``now`` stamps the transfers and decides expiry.
    ``actor_role`` is the API caller's role (operators only), or ``SYSTEM`` for another
    app's service.
    """
    check_operator(actor_role=actor_role)
    if len(transfers) > MAX_BATCH:
        raise BatchTooLarge(f"at most {MAX_BATCH} transfers per batch, got {len(transfers)}")
    _check_now(now)
    items = [_normalize(index, spec) for index, spec in enumerate(transfers)]
    return _book(items, now)


def transfer_create(*, spec: TransferSpec, now: datetime) -> TransferRecord:
    """Book one transfer and return it, or raise the error of its result code (e.g.
    ExceedsCredits, CurrencyMismatch, TransferIdReused). A retry with the same id and
    fields returns the original transfer. See ``transfers_create``."""
    _check_now(now)
    return _raise_or_transfer(_book([_normalize(0, spec)], now)[0])


def transfer_reverse(
    *,
    transfer_id: uuid.UUID | str | int,
    new_id: uuid.UUID | str | int,
    now: datetime,
    reference: str = "",
) -> TransferRecord:
    """Undo a posted transfer by booking its opposite (code "reversal", ``reversal_of`` its
    id); history is never changed. Only plain transfers and posts can be reversed, each
    once (TransferAlreadyReversed), and the reversal obeys the balance limits like any
    transfer (a spent top-up cannot be reversed: ExceedsCredits). Idempotent on
    ``new_id``."""
    _check_now(now)
    try:
        original_id = parse_transfer_id(transfer_id)
    except TransferIdError as exc:
        raise InvalidTransferId(str(exc)) from None
    with connection.cursor() as cursor:
        original = _fetch_transfers([original_id], cursor).get(original_id)
    if original is None:
        raise TransferNotFound(f"no transfer {original_id}")
    if not original.moves_posted:
        raise TransferNotReversible(
            f"transfer {original_id} is a {original.kind} transfer: post or void it instead"
        )
    spec = TransferSpec(
        id=new_id,
        debit_account_id=original.credit_account_id,
        credit_account_id=original.debit_account_id,
        amount_minor=original.amount_minor,
        currency=original.currency,
        code="reversal",
        reference=reference or f"reversal of {original_id}",
    )
    item = _normalize(0, spec)
    item.reversal_of = original_id
    return _raise_or_transfer(_book([item], now)[0])


def pending_expire(*, now: datetime, limit: int = 1000) -> int:
    """Void every pending transfer whose timeout has passed at ``now`` and that is not yet
    resolved; returns how many were voided. Each void is a transfer with the flags
    ``void_pending`` and ``expiry``, a deterministic id (uuid5 of "expiry:<pending id>")
    and the pending's code, so two concurrent runs book it once. Run it periodically
    (the Celery task ``fiera.ledger.pending_expire`` or ``fiera ledger expire``); posting
    an expired transfer is refused even before it runs."""
    _check_now(now)
    booked = 0
    while True:
        due = list(
            Transfer.objects.filter(pending=True, expires_at__lte=now)
            .filter(~Exists(Transfer.objects.filter(pending_transfer_id=OuterRef("transfer_id"))))
            .order_by("expires_at", "seq")
            .values_list("transfer_id", flat=True)[:limit]
        )
        if not due:
            return booked
        items = []
        for index, pending_id in enumerate(due):
            item = _Item(index=index, id=uuid.uuid5(TRANSFER_ID_NAMESPACE, f"expiry:{pending_id}"))
            item.void = True
            item.expiry = True
            item.pending_id = pending_id
            items.append(item)
        created = sum(1 for r in _book(items, now) if r.ok and not r.replayed)
        booked += created
        if len(due) < limit or created == 0:
            return booked


# --- normalizing one spec (no query) ----------------------------------------------------


@dataclass(slots=True)
class _Item:
    """A spec after the checks that need no query. ``error`` set means it fails as is."""

    index: int
    id: uuid.UUID | None = None
    error: str | None = None
    detail: str = ""
    debit: int | None = None
    credit: int | None = None
    amount: int | None = None
    currency: str | None = None
    code: str = ""
    reference: str = ""
    pending: bool = False
    post: bool = False
    void: bool = False
    linked: bool = False
    expiry: bool = False
    pending_id: uuid.UUID | None = None
    reversal_of: uuid.UUID | None = None
    timeout_seconds: int = 0

    def fail(self, code: str, detail: str) -> _Item:
        self.error = code
        self.detail = detail
        return self


def _is_account_id(value: object) -> bool:
    return type(value) is int and 0 < value <= MAX_AMOUNT


def _normalize(index: int, spec: TransferSpec) -> _Item:
    item = _Item(index=index, linked=spec.linked is True)
    try:
        item.id = parse_transfer_id(spec.id)
    except TransferIdError as exc:
        return item.fail(InvalidTransferId.code, str(exc))
    item.pending = spec.pending is True
    item.post = spec.post_pending is True
    item.void = spec.void_pending is True
    if item.pending + item.post + item.void > 1:
        return item.fail(
            FlagsAreMutuallyExclusive.code,
            "pending, post_pending and void_pending exclude each other",
        )
    reference = spec.reference
    if not isinstance(reference, str) or len(reference) > _REFERENCE_MAX or "\x00" in reference:
        return item.fail(
            InvalidReference.code, f"reference: text of at most {_REFERENCE_MAX} characters"
        )
    item.reference = reference
    code = spec.code
    if code and (not isinstance(code, str) or not _CODE.fullmatch(code)):
        return item.fail(InvalidCode.code, "code: lower-case letters, digits and _ (at most 32)")
    item.code = code or ""
    timeout = spec.timeout_seconds
    if type(timeout) is not int or not 0 <= timeout <= MAX_TIMEOUT_SECONDS:
        return item.fail(InvalidTimeout.code, f"timeout_seconds: 0 to {MAX_TIMEOUT_SECONDS}")
    if timeout and not item.pending:
        return item.fail(
            TimeoutReservedForPendingTransfer.code, "only a pending transfer can have a timeout"
        )
    item.timeout_seconds = timeout
    amount = spec.amount_minor
    if amount is not None and (type(amount) is not int or amount <= 0):
        return item.fail(AmountMustBePositive.code, "amount_minor must be a positive integer")
    if amount is not None and amount > MAX_AMOUNT:
        return item.fail(OverflowsBalance.code, f"amount_minor must be at most {MAX_AMOUNT}")
    item.amount = amount
    currency = spec.currency
    if currency is not None and (not isinstance(currency, str) or not is_currency(currency)):
        return item.fail(InvalidCurrency.code, f"{currency!r} is not an ISO 4217 currency code")
    item.currency = currency

    if item.post or item.void:
        if spec.pending_id is None:
            return item.fail(
                PendingIdRequired.code, "post_pending and void_pending need pending_id"
            )
        try:
            item.pending_id = parse_transfer_id(spec.pending_id)
        except TransferIdError as exc:
            return item.fail(InvalidTransferId.code, f"pending_id: {exc}")
        if item.pending_id == item.id:
            return item.fail(PendingIdMustBeDifferent.code, "pending_id must name another transfer")
        # Accounts may be given (then they must match the pending transfer's).
        item.debit = spec.debit_account_id
        item.credit = spec.credit_account_id
        return item

    if spec.pending_id is not None:
        return item.fail(
            PendingIdMustNotBeSet.code, "pending_id is for post_pending and void_pending only"
        )
    if spec.debit_account_id is None:
        return item.fail(DebitAccountIdRequired.code, "debit_account_id is required")
    if spec.credit_account_id is None:
        return item.fail(CreditAccountIdRequired.code, "credit_account_id is required")
    if spec.debit_account_id == spec.credit_account_id:
        return item.fail(AccountsMustBeDifferent.code, "debit and credit account are the same")
    if not _is_account_id(spec.debit_account_id):
        return item.fail(DebitAccountNotFound.code, f"no account {spec.debit_account_id!r}")
    if not _is_account_id(spec.credit_account_id):
        return item.fail(CreditAccountNotFound.code, f"no account {spec.credit_account_id!r}")
    if amount is None:
        return item.fail(AmountMustBePositive.code, "amount_minor is required")
    if currency is None:
        return item.fail(InvalidCurrency.code, "currency is required")
    if not item.code:
        return item.fail(CodeRequired.code, 'code is required, e.g. "topup" or "payment"')
    item.debit = spec.debit_account_id
    item.credit = spec.credit_account_id
    return item


def _check_now(now: datetime) -> None:
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")


def _raise_or_transfer(result: TransferResult) -> TransferRecord:
    if result.error is not None:
        raise TRANSFER_ERRORS[result.error](result.detail)
    assert result.transfer is not None
    return result.transfer


# --- booking a batch --------------------------------------------------------------------


class _Retry(Exception):
    """An INSERT skipped a row (the id exists now): roll back and re-run with a lookup."""


def _book(items: list[_Item], now: datetime) -> list[TransferResult]:
    if not items:
        return []
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                return _apply(items, now, lookup=attempt > 0)
        except _Retry:
            continue
    raise RuntimeError("the ledger could not book a batch after repeated id conflicts")


class _Account:
    __slots__ = ("cmned", "cp", "cpo", "currency", "dmnec", "dp", "dpo", "initial")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.currency: str = row[1]
        self.dmnec = bool(row[2])
        self.cmned = bool(row[3])
        self.dp, self.dpo, self.cp, self.cpo = int(row[4]), int(row[5]), int(row[6]), int(row[7])
        self.initial = (self.dp, self.dpo, self.cp, self.cpo)

    def reset(self) -> None:
        self.dp, self.dpo, self.cp, self.cpo = self.initial

    def deltas(self) -> tuple[int, int, int, int]:
        dp, dpo, cp, cpo = self.initial
        return self.dp - dp, self.dpo - dpo, self.cp - cp, self.cpo - cpo


def _apply(items: list[_Item], now: datetime, *, lookup: bool) -> list[TransferResult]:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        pending_ids = list(
            {i.pending_id for i in items if i.error is None and i.pending_id is not None}
        )
        pendings = _fetch_transfers(pending_ids, cursor) if pending_ids else {}
        account_ids: set[int] = set()
        for item in items:
            if item.error is not None:
                continue
            if item.pending_id is not None:
                found = pendings.get(item.pending_id)
                if found is not None:
                    account_ids.add(found.debit_account_id)
                    account_ids.add(found.credit_account_id)
            else:
                assert item.debit is not None and item.credit is not None
                account_ids.add(item.debit)
                account_ids.add(item.credit)
        accounts = _lock_accounts(vendor, sorted(account_ids), cursor)
        resolutions = _fetch_resolutions(pending_ids, cursor) if pending_ids else {}
        reversal_ids = [i.reversal_of for i in items if i.reversal_of is not None]
        reversed_ids = _fetch_reversed(reversal_ids, cursor) if reversal_ids else set()
        all_ids = [i.id for i in items if i.id is not None]
        existing = _fetch_transfers(all_ids, cursor) if lookup and all_ids else {}

        state = _State(now, accounts, pendings, dict(resolutions), set(reversed_ids), existing)
        results = state.run(items)
        if not lookup and any(r.error and items[r.index].error is None for r in results):
            # A failure may be a retry of a transfer that succeeded before: look up.
            existing = _fetch_transfers(all_ids, cursor)
            if existing:
                for account in accounts.values():
                    account.reset()
                state = _State(now, accounts, pendings, resolutions, reversed_ids, existing)
                results = state.run(items)

        new_rows = list(state.created.values())
        if new_rows:
            created_at = sql.datetime_param(vendor, now)  # every new row's
            inserted = sql.execute_write(
                cursor,
                vendor,
                sql.insert_transfers_sql(vendor),
                sql.insert_params(
                    vendor, [sql.transfer_params(vendor, row, created_at) for row in new_rows]
                ),
            )
            if inserted != len(new_rows):
                raise _Retry
            deltas = []
            for account_id, account in accounts.items():
                dp, dpo, cp, cpo = account.deltas()
                if dp or dpo or cp or cpo:
                    deltas.append((account_id, dp, dpo, cp, cpo))
            if deltas:
                sql.execute_write(
                    cursor,
                    vendor,
                    sql.update_balances_sql(vendor),
                    sql.update_params(vendor, deltas),
                )
    return results


def _chunks(vendor: str, values: Sequence[Any]) -> list[list[Any]]:
    size = sql.chunk_size(vendor)
    if len(values) <= size:
        return [list(values)] if values else []
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


def _fetch_transfers(ids: Sequence[uuid.UUID], cursor: Any) -> dict[uuid.UUID, TransferRecord]:
    vendor = connection.vendor
    found: dict[uuid.UUID, TransferRecord] = {}
    for chunk in _chunks(vendor, ids):
        cursor.execute(
            sql.transfers_by_id_sql(vendor, len(chunk)),
            sql.in_params(vendor, [sql.uuid_param(vendor, i) for i in chunk]),
        )
        for row in cursor.fetchall():
            record = sql.transfer_from_row(row)
            found[record.id] = record
    return found


def _lock_accounts(vendor: str, ids: list[int], cursor: Any) -> dict[int, _Account]:
    accounts: dict[int, _Account] = {}
    for chunk in _chunks(vendor, ids):
        cursor.execute(sql.lock_accounts_sql(vendor, len(chunk)), sql.in_params(vendor, chunk))
        for row in cursor.fetchall():
            accounts[int(row[0])] = _Account(row)
    return accounts


def _fetch_resolutions(pending_ids: list[uuid.UUID], cursor: Any) -> dict[uuid.UUID, str]:
    vendor = connection.vendor
    resolved: dict[uuid.UUID, str] = {}
    for chunk in _chunks(vendor, pending_ids):
        cursor.execute(
            sql.resolutions_sql(vendor, len(chunk)),
            sql.in_params(vendor, [sql.uuid_param(vendor, i) for i in chunk]),
        )
        for pending_id, posted, expiry in cursor.fetchall():
            key = sql.to_uuid(pending_id)
            assert key is not None
            resolved[key] = "posted" if posted else "expired" if expiry else "voided"
    return resolved


def _fetch_reversed(ids: list[uuid.UUID], cursor: Any) -> set[uuid.UUID]:
    vendor = connection.vendor
    found: set[uuid.UUID] = set()
    for chunk in _chunks(vendor, ids):
        cursor.execute(
            sql.reversals_sql(vendor, len(chunk)),
            sql.in_params(vendor, [sql.uuid_param(vendor, i) for i in chunk]),
        )
        for (value,) in cursor.fetchall():
            key = sql.to_uuid(value)
            assert key is not None
            found.add(key)
    return found


class _Failed(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class _State:
    """The batch applied in memory, with an undo log for linked chains."""

    now: datetime
    accounts: dict[int, _Account]
    pendings: dict[uuid.UUID, TransferRecord]
    resolutions: dict[uuid.UUID, str]
    reversed_ids: set[uuid.UUID]
    existing: dict[uuid.UUID, TransferRecord]
    created: dict[uuid.UUID, TransferRecord] = field(default_factory=dict)
    undo: list[tuple[str, Any, Any]] = field(default_factory=list)

    def run(self, items: list[_Item]) -> list[TransferResult]:
        results: list[TransferResult | None] = [None] * len(items)
        n = len(items)
        start = 0
        while start < n:
            end = start
            while end < n and items[end].linked:
                end += 1
            if end == n:  # the chain is still open at the end of the batch
                for k in range(start, n - 1):
                    results[k] = _failure(
                        items[k], LinkedEventFailed.code, "the linked chain failed"
                    )
                results[n - 1] = _failure(
                    items[n - 1],
                    LinkedEventChainOpen.code,
                    "the last transfer of a batch cannot be linked (the chain is open)",
                )
                break
            chain = range(start, end + 1)
            mark = len(self.undo)
            failed: TransferResult | None = None
            outcomes: list[TransferResult] = []
            for k in chain:
                outcome = self.one(items[k])
                if outcome.error is not None:
                    failed = outcome
                    break
                outcomes.append(outcome)
            if failed is not None and len(chain) > 1:
                self.rollback(mark)
                for k in chain:
                    results[k] = (
                        failed
                        if k == failed.index
                        else _failure(items[k], LinkedEventFailed.code, "the linked chain failed")
                    )
            else:
                for outcome in outcomes:
                    results[outcome.index] = outcome
                if failed is not None:
                    results[failed.index] = failed
            start = end + 1
        return [r for r in results if r is not None]

    def rollback(self, mark: int) -> None:
        while len(self.undo) > mark:
            kind, key, value = self.undo.pop()
            if kind == "balance":
                account, old = key, value
                account.dp, account.dpo, account.cp, account.cpo = old
            elif kind == "created":
                del self.created[key]
            elif kind == "resolved":
                del self.resolutions[key]
            elif kind == "reversed":
                self.reversed_ids.discard(key)

    def _save(self, account: _Account) -> None:
        self.undo.append(("balance", account, (account.dp, account.dpo, account.cp, account.cpo)))

    def one(self, item: _Item) -> TransferResult:
        if item.error is not None:
            return _failure(item, item.error, item.detail)
        assert item.id is not None
        prior = self.created.get(item.id) or self.existing.get(item.id)
        if prior is not None:
            difference = _difference(item, prior)
            if difference:
                return _failure(
                    item,
                    TransferIdReused.code,
                    f"transfer {item.id} exists with a different {difference}",
                )
            return TransferResult(index=item.index, id=item.id, transfer=prior, replayed=True)
        try:
            record = self._resolve(item) if item.pending_id is not None else self._move(item)
        except _Failed as failure:
            return _failure(item, failure.code, failure.detail)
        self.created[record.id] = record
        self.undo.append(("created", record.id, None))
        return TransferResult(index=item.index, id=item.id, transfer=record)

    def _move(self, item: _Item) -> TransferRecord:
        """A plain or pending transfer."""
        assert item.debit is not None and item.credit is not None and item.amount is not None
        assert item.id is not None and item.currency is not None
        debit = self.accounts.get(item.debit)
        if debit is None:
            raise _Failed(DebitAccountNotFound.code, f"no account {item.debit}")
        credit = self.accounts.get(item.credit)
        if credit is None:
            raise _Failed(CreditAccountNotFound.code, f"no account {item.credit}")
        if debit.currency != item.currency or credit.currency != item.currency:
            raise _Failed(
                CurrencyMismatch.code,
                f"a {item.currency} transfer between a {debit.currency} and a "
                f"{credit.currency} account",
            )
        if item.reversal_of is not None and item.reversal_of in self.reversed_ids:
            raise _Failed(TransferAlreadyReversed.code, f"transfer {item.reversal_of} is reversed")
        amount = item.amount
        debits = debit.dp + debit.dpo + amount
        credits = credit.cp + credit.cpo + amount
        if debit.dmnec and debits > debit.cpo:
            raise _Failed(
                ExceedsCredits.code,
                f"account {item.debit} has {debit.cpo - debit.dpo - debit.dp} available, "
                f"{amount} needed",
            )
        if credit.cmned and credits > credit.dpo:
            raise _Failed(
                ExceedsDebits.code,
                f"account {item.credit} may take at most {credit.dpo - credit.cpo - credit.cp}",
            )
        if debits > MAX_AMOUNT or credits > MAX_AMOUNT:
            raise _Failed(OverflowsBalance.code, "the balance would overflow")
        self._save(debit)
        self._save(credit)
        if item.pending:
            debit.dp += amount
            credit.cp += amount
        else:
            debit.dpo += amount
            credit.cpo += amount
        if item.reversal_of is not None:
            self.reversed_ids.add(item.reversal_of)
            self.undo.append(("reversed", item.reversal_of, None))
        return TransferRecord(
            id=item.id,
            debit_account_id=item.debit,
            credit_account_id=item.credit,
            amount_minor=amount,
            currency=item.currency,
            code=item.code,
            reference=item.reference,
            pending=item.pending,
            post_pending=False,
            void_pending=False,
            expiry=False,
            linked=item.linked,
            pending_id=None,
            reversal_of=item.reversal_of,
            timeout_seconds=item.timeout_seconds,
            expires_at=(
                self.now + timedelta(seconds=item.timeout_seconds) if item.timeout_seconds else None
            ),
            created_at=self.now,
        )

    def _resolve(self, item: _Item) -> TransferRecord:
        """A post or void of a pending transfer (stored, or created earlier in the batch)."""
        assert item.pending_id is not None and item.id is not None
        pid = item.pending_id
        pending = self.created.get(pid) or self.pendings.get(pid)
        if pending is None:
            raise _Failed(PendingTransferNotFound.code, f"no transfer {pid}")
        if not pending.pending:
            raise _Failed(PendingTransferNotPending.code, f"transfer {pid} is not pending")
        if (item.debit is not None and item.debit != pending.debit_account_id) or (
            item.credit is not None and item.credit != pending.credit_account_id
        ):
            raise _Failed(
                PendingTransferHasDifferentAccounts.code,
                f"transfer {pid} is between accounts {pending.debit_account_id} and "
                f"{pending.credit_account_id}",
            )
        if item.currency is not None and item.currency != pending.currency:
            raise _Failed(CurrencyMismatch.code, f"transfer {pid} is in {pending.currency}")
        state = self.resolutions.get(pid)
        if state == "posted":
            raise _Failed(PendingTransferAlreadyPosted.code, f"transfer {pid} is already posted")
        if state == "voided":
            raise _Failed(PendingTransferAlreadyVoided.code, f"transfer {pid} is already voided")
        if state == "expired" or (
            not item.expiry and pending.expires_at is not None and self.now >= pending.expires_at
        ):
            raise _Failed(PendingTransferExpired.code, f"transfer {pid} expired")
        reserved = pending.amount_minor
        if item.post:
            amount = reserved if item.amount is None else item.amount
            if amount > reserved:
                raise _Failed(
                    ExceedsPendingTransferAmount.code,
                    f"transfer {pid} reserved {reserved}, {amount} asked",
                )
        else:
            if item.amount is not None and item.amount != reserved:
                raise _Failed(
                    PendingTransferHasDifferentAmount.code,
                    f"a void releases the whole {reserved} of transfer {pid}",
                )
            amount = reserved
        debit = self.accounts[pending.debit_account_id]
        credit = self.accounts[pending.credit_account_id]
        self._save(debit)
        self._save(credit)
        debit.dp -= reserved
        credit.cp -= reserved
        if item.post:
            debit.dpo += amount
            credit.cpo += amount
        self.resolutions[pid] = "posted" if item.post else "expired" if item.expiry else "voided"
        self.undo.append(("resolved", pid, None))
        return TransferRecord(
            id=item.id,
            debit_account_id=pending.debit_account_id,
            credit_account_id=pending.credit_account_id,
            amount_minor=amount,
            currency=pending.currency,
            code=item.code or pending.code,
            reference=item.reference or pending.reference,
            pending=False,
            post_pending=item.post,
            void_pending=item.void,
            expiry=item.expiry,
            linked=item.linked,
            pending_id=pid,
            reversal_of=None,
            timeout_seconds=0,
            expires_at=None,
            created_at=self.now,
        )


def _failure(item: _Item, code: str, detail: str) -> TransferResult:
    return TransferResult(index=item.index, id=item.id, error=code, detail=detail)


def _difference(item: _Item, prior: TransferRecord) -> str:
    """The first field in which a retry differs from the stored transfer ("" if none).

    For posts and voids the fields left empty (accounts, amount, currency, code,
    reference) default to the pending transfer's, so they match whatever was stored.
    """
    if (item.pending, item.post, item.void, item.linked) != (
        prior.pending,
        prior.post_pending,
        prior.void_pending,
        prior.linked,
    ) or item.expiry != prior.expiry:
        return "flags"
    if item.pending_id != prior.pending_id:
        return "pending_id"
    if item.reversal_of != prior.reversal_of:
        return "reversal_of"
    resolution = item.post or item.void
    checks: list[tuple[str, object, object]] = [
        ("debit_account_id", item.debit, prior.debit_account_id),
        ("credit_account_id", item.credit, prior.credit_account_id),
        ("amount_minor", item.amount, prior.amount_minor),
        ("currency", item.currency, prior.currency),
        ("code", item.code or None, prior.code),
        ("reference", (item.reference or None) if resolution else item.reference, prior.reference),
    ]
    for name, given, stored in checks:
        if given is None and resolution:
            continue
        if given != stored:
            return name
    if item.timeout_seconds != prior.timeout_seconds:
        return "timeout_seconds"
    return ""


# --- deferred postings: the lean wallet checkout ------------------------------------------


def _check_key(key: AccountKey, what: str) -> None:
    if not isinstance(key, AccountKey):
        raise InvalidAccount(f"{what}: an AccountKey")
    if not _CODE.fullmatch(key.code) or not _OWNER_TYPE.fullmatch(key.owner_type):
        raise InvalidAccount(f"{what}: code and owner_type are lower-case names")
    if type(key.owner_id) is not int or not 0 <= key.owner_id <= MAX_AMOUNT:
        raise InvalidAccount(f"{what}: owner_id is an integer >= 0")
    if not is_currency(key.currency):
        raise InvalidCurrency(f"{what}: {key.currency!r} is not an ISO 4217 currency")


def transfers_book_deferred(
    *, payer: AccountKey, legs: Sequence[DeferredLeg], now: datetime
) -> bool:
    """Book ``legs`` (plain posted transfers, linked: all or nothing) in the caller's
    transaction, taking NO lock on a shared account: the hot path of the wallet-paid
    checkout (docs/decisions/0012-lean-wallet-checkout.md). True when every leg was booked
    before with the same fields (a retry: nothing is written).

    Two statements on PostgreSQL, three on SQLite, whatever the number of legs: one INSERT
    of the transfers resolving every account by key (``sql.deferred_transfers_sql``) with,
    on PostgreSQL in the same statement, one ``BalanceDelta`` per other side (the credit
    accounts, and the debit accounts that are not the payer; SQLite inserts them in a third
    statement), folded into the balances later by ``balance_deltas_apply``; then one
    conditional UPDATE debiting ``payer`` within its limit (the only account row written,
    so the only lock: the payer's own). Those accounts must have no balance limit (a limited one
    refuses the leg), so nothing they allow can depend on a delta not yet folded.

    Every leg's debit is ``payer`` or a deferred account; the legs debiting ``payer`` are
    what it pays. Missing deferred accounts are opened (without limits) on the failure
    path, which costs a few statements once per account: open them ahead (e.g. a
    merchant's payable when it registers) to keep the first payment as lean. Raises
    ``AccountNotFound`` (no payer account), ``ExceedsCredits`` (the payer has too little),
    ``TransferIdReused`` (an id booked otherwise), ``InvalidAccount`` (a deferred
    account has a balance limit); the caller's transaction must then roll back (it
    may hold the legs already inserted).
    """
    _check_now(now)
    _check_key(payer, "payer")
    if not legs or len(legs) > MAX_BATCH:
        raise BatchTooLarge(f"1 to {MAX_BATCH} legs")
    rows: list[tuple[Any, ...]] = []
    ids: list[uuid.UUID] = []
    deferred_debit_ids: list[uuid.UUID] = []
    paid = 0
    vendor = connection.vendor
    last = len(legs) - 1
    for n, leg in enumerate(legs):
        try:
            transfer_id = parse_transfer_id(leg.id)
        except TransferIdError as exc:
            raise InvalidTransferId(str(exc)) from None
        _check_key(leg.debit, "debit")
        _check_key(leg.credit, "credit")
        if leg.credit == payer:
            raise InvalidAccount("the payer is only debited here")
        if leg.debit == leg.credit:
            raise AccountsMustBeDifferent("debit and credit account are the same")
        if leg.debit.currency != leg.credit.currency:
            raise CurrencyMismatch("both accounts of a leg are in its currency")
        amount = leg.amount_minor
        if type(amount) is not int or not 0 < amount <= MAX_AMOUNT:
            raise AmountMustBePositive("amount_minor must be a positive integer")
        if not isinstance(leg.code, str) or not _CODE.fullmatch(leg.code):
            raise InvalidCode("code: lower-case letters, digits and _ (at most 32)")
        if not isinstance(leg.reference, str) or len(leg.reference) > _REFERENCE_MAX:
            raise InvalidReference(f"reference: text of at most {_REFERENCE_MAX} characters")
        is_payer = leg.debit == payer
        if is_payer:
            paid += amount
        else:
            deferred_debit_ids.append(transfer_id)
        ids.append(transfer_id)
        rows.append(
            (
                n,
                sql.uuid_param(vendor, transfer_id),
                leg.debit.code,
                leg.debit.owner_type,
                leg.debit.owner_id,
                leg.credit.code,
                leg.credit.owner_type,
                leg.credit.owner_id,
                leg.debit.currency,
                amount,
                leg.code,
                leg.reference,
                n < last,
                is_payer,
            )
        )
    if paid == 0 or paid > MAX_AMOUNT:
        raise InvalidAccount("at least one leg debits the payer")
    created_at = sql.datetime_param(vendor, now)
    params = [value for row in rows for value in row] + [created_at]
    text = sql.deferred_transfers_sql(vendor, len(rows))
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        inserted = len(cursor.fetchall())
        if inserted != len(rows):
            if inserted == 0 and _deferred_replay(legs, ids, payer, cursor):
                return True
            inserted += _deferred_open_and_retry(legs, payer, text, params, cursor)
            if inserted != len(rows):
                raise TransferIdReused(
                    "some of these transfers were booked before with other accounts or amounts"
                )
        cursor.execute(
            sql.PAYER_DEBIT_SQL,
            [paid, payer.code, payer.owner_type, payer.owner_id, payer.currency, paid],
        )
        if cursor.fetchone() is None:
            raise _payer_refusal(payer, paid)
        if vendor == "postgresql":
            return False  # the deltas went in with the transfers
        cursor.execute(
            sql.deltas_insert_sql(vendor, len(ids), len(deferred_debit_ids)),
            sql.in_params(vendor, [sql.uuid_param(vendor, i) for i in ids])
            + (
                sql.in_params(vendor, [sql.uuid_param(vendor, i) for i in deferred_debit_ids])
                if deferred_debit_ids
                else []
            ),
        )
    return False


def _account_ids_by_key(keys: set[AccountKey]) -> dict[AccountKey, int]:
    query = Q()
    for key in keys:
        query |= Q(
            code=key.code, owner_type=key.owner_type, owner_id=key.owner_id, currency=key.currency
        )
    return {
        AccountKey(code, owner_type, owner_id, currency): account_id
        for account_id, code, owner_type, owner_id, currency in Account.objects.filter(
            query
        ).values_list("id", "code", "owner_type", "owner_id", "currency")
    }


def _deferred_replay(
    legs: Sequence[DeferredLeg], ids: list[uuid.UUID], payer: AccountKey, cursor: Any
) -> bool:
    """True when every leg exists with the same fields (a retry); failure path only."""
    found = _fetch_transfers(ids, cursor)
    if not found:
        return False
    if len(found) != len(ids):
        raise TransferIdReused("some of these transfers were booked before, not all")
    accounts = _account_ids_by_key({leg.debit for leg in legs} | {leg.credit for leg in legs})
    for transfer_id, leg in zip(ids, legs, strict=True):
        stored = found[transfer_id]
        if (
            stored.debit_account_id,
            stored.credit_account_id,
            stored.amount_minor,
            stored.code,
            stored.reference,
            stored.moves_posted,
        ) != (
            accounts.get(leg.debit),
            accounts.get(leg.credit),
            leg.amount_minor,
            leg.code,
            leg.reference,
            True,
        ):
            raise TransferIdReused(f"transfer {transfer_id} exists with different fields")
    return True


def _deferred_open_and_retry(
    legs: Sequence[DeferredLeg], payer: AccountKey, text: str, params: list[Any], cursor: Any
) -> int:
    """Failure path: open the missing deferred accounts (no limits) and insert the legs
    that could not be; a missing payer is ``AccountNotFound``. Returns how many went in."""
    keys = {leg.debit for leg in legs} | {leg.credit for leg in legs}
    existing = _account_ids_by_key(keys)
    if payer not in existing:
        raise AccountNotFound(
            f"no {payer.code} account of {payer.owner_type}:{payer.owner_id} in {payer.currency}"
        )
    limited = Account.objects.filter(pk__in=[existing[k] for k in keys - {payer} if k in existing])
    limited = limited.filter(
        Q(debits_must_not_exceed_credits=True) | Q(credits_must_not_exceed_debits=True)
    )
    limited_id = limited.values_list("id", flat=True).first()
    if limited_id is not None:
        raise InvalidAccount(f"account {limited_id} has a balance limit: it cannot be deferred")
    # Nothing missing now means a concurrent transaction opened the accounts after the
    # first INSERT's snapshot: inserting again sees them (READ COMMITTED, a new statement).
    missing = keys - set(existing)
    for key in sorted(missing, key=lambda k: (k.code, k.owner_type, k.owner_id, k.currency)):
        account_open(
            code=key.code, owner_type=key.owner_type, owner_id=key.owner_id, currency=key.currency
        )
    cursor.execute(text, params)
    return len(cursor.fetchall())


def _payer_refusal(payer: AccountKey, amount: int) -> Exception:
    account = Account.objects.filter(
        code=payer.code,
        owner_type=payer.owner_type,
        owner_id=payer.owner_id,
        currency=payer.currency,
    ).first()
    if account is None:
        return AccountNotFound(f"no {payer.code} account of {payer.owner_type}:{payer.owner_id}")
    available = account.credits_posted - account.debits_posted - account.debits_pending
    return ExceedsCredits(f"account {account.pk} has {available} available, {amount} needed")


def balance_deltas_apply(*, account_ids: Sequence[int] | None = None) -> int:
    """Fold the unapplied ``BalanceDelta`` rows (of ``account_ids``, or all) into their
    accounts' balances, in one transaction; returns how many deltas were folded.

    PostgreSQL: lock the accounts that have deltas in id order (as every batch of
    transfers does: no deadlock), then ONE statement deletes their deltas and adds the
    sums (``DELETE ... RETURNING`` in a CTE). SQLite: the IMMEDIATE transaction holds the
    write lock; the deltas are deleted with RETURNING and the sums added. Deltas committed
    after the lock wait for the next run. Run it every few seconds (Celery beat
    ``fiera.ledger.balance_deltas_apply``, ``fiera ledger roll-up``); readers and
    ``ledger_verify`` are exact without it.
    """
    vendor = connection.vendor
    ids = None if account_ids is None else sorted({int(i) for i in account_ids})
    if ids == []:
        return 0
    folded = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                sql.deltas_lock_sql(None if ids is None else len(ids)),
                [] if ids is None else [ids],
            )
            locked = [int(row[0]) for row in cursor.fetchall()]
            if not locked:
                return 0
            cursor.execute(sql.FOLD_SQL_POSTGRESQL, [locked])
            folded = sum(int(row[0]) for row in cursor.fetchall())
        else:
            cursor.execute(sql.deltas_take_sqlite(None if ids is None else len(ids)), ids or [])
            sums: dict[int, list[int]] = {}
            for account_id, debits, credits in cursor.fetchall():
                total = sums.setdefault(int(account_id), [0, 0])
                total[0] += int(debits)
                total[1] += int(credits)
                folded += 1
            if sums:
                cursor.executemany(
                    sql.FOLD_UPDATE_SQLITE,
                    [(dpo, cpo, account_id) for account_id, (dpo, cpo) in sorted(sums.items())],
                )
    return folded
