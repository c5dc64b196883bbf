"""The values the ledger takes and returns: plain frozen dataclasses, never model rows.

Other apps (payments) import these together with ``fiera.ledger.services`` and
``fiera.ledger.selectors``. Amounts are integer minor units of the ledger's currency.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fiera.common.money import Money

# uuid5 namespace for transfer ids given as text keys ("order:42:capture").
TRANSFER_ID_NAMESPACE = uuid.UUID("6f1c0c55-4d61-4f8e-9a5e-3c1f1f5a7e42")
MAX_KEY_LENGTH = 200
_MAX_UUID_INT = (1 << 128) - 1


class TransferIdError(ValueError):
    pass


def new_transfer_id() -> uuid.UUID:
    """A fresh, time-ordered transfer id (UUIDv7: 48 bits of Unix milliseconds, then
    random bits).

    Prefer it to uuid4 for new transfers: ids that grow with time land at the right end
    of the unique index, so inserting a batch touches a few index pages instead of one
    random page per transfer (TigerBeetle recommends time-based ids for the same reason).
    """
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10)) >> 4
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def parse_transfer_id(value: uuid.UUID | str | int) -> uuid.UUID:
    """The 128-bit transfer id for a UUID, a UUID's text, an integer or a text key.

    Text that is not a UUID (e.g. "order:42:capture", at most 200 characters) maps to
    its uuid5 in ``TRANSFER_ID_NAMESPACE``: the same key always gives the same id, so a
    caller can use its own idempotency key directly. As in TigerBeetle, 0 and 2**128-1
    are reserved.
    """
    if isinstance(value, uuid.UUID):
        parsed = value
    elif isinstance(value, bool):
        raise TransferIdError("a transfer id is a UUID, a text key or a 128-bit integer")
    elif isinstance(value, int):
        if not 0 < value < _MAX_UUID_INT:
            raise TransferIdError("an integer transfer id must be between 1 and 2**128-2")
        parsed = uuid.UUID(int=value)
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > MAX_KEY_LENGTH or "\x00" in text:
            raise TransferIdError(
                f"a transfer id is a UUID or a text key of 1 to {MAX_KEY_LENGTH} characters"
            )
        try:
            parsed = uuid.UUID(text)
        except ValueError:
            parsed = uuid.uuid5(TRANSFER_ID_NAMESPACE, text)
    else:
        raise TransferIdError("a transfer id is a UUID, a text key or a 128-bit integer")
    if parsed.int in (0, _MAX_UUID_INT):
        raise TransferIdError("the transfer ids 0 and 2**128-1 are reserved")
    return parsed


@dataclass(frozen=True, slots=True)
class AccountKey:
    """An account named by its unique key instead of its id (the lean paths resolve it
    inside their SQL, so the caller needs no lookup)."""

    code: str
    owner_type: str
    owner_id: int
    currency: str


@dataclass(frozen=True, slots=True)
class DeferredLeg:
    """One plain posted transfer of ``services.transfers_book_deferred``: ``id`` as for
    ``TransferSpec`` (a text key maps to its uuid5), both accounts by key, in
    ``debit.currency`` (which ``credit.currency`` must equal)."""

    id: uuid.UUID | str | int
    debit: AccountKey
    credit: AccountKey
    amount_minor: int
    code: str
    reference: str = ""


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """An account and its four balance totals (minor units, each >= 0)."""

    id: int
    currency: str
    code: str
    owner_type: str
    owner_id: int
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    created_at: datetime

    @property
    def normal_side(self) -> Literal["debit", "credit"]:
        """The side its balance grows on: "debit" for credits_must_not_exceed_debits
        accounts (funding, receivables), "credit" for every other (wallets, payables)."""
        return "debit" if self.credits_must_not_exceed_debits else "credit"

    def balance(self) -> Balance:
        return Balance.of(self)


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's balance on its normal side.

    For a credit-normal account (a wallet): posted = credits_posted - debits_posted,
    pending = credits_pending - debits_pending, and available = credits_posted -
    debits_posted - debits_pending (what can still be spent: pending debits are already
    reserved, pending credits are not yet there). Debit-normal accounts mirror it.
    """

    posted: Money
    pending: Money
    available: Money

    @classmethod
    def of(cls, account: AccountRecord) -> Balance:
        if account.normal_side == "credit":
            grow_posted, shrink_posted = account.credits_posted, account.debits_posted
            grow_pending, shrink_pending = account.credits_pending, account.debits_pending
        else:
            grow_posted, shrink_posted = account.debits_posted, account.credits_posted
            grow_pending, shrink_pending = account.debits_pending, account.credits_pending
        currency = account.currency
        return cls(
            posted=Money(grow_posted - shrink_posted, currency),
            pending=Money(grow_pending - shrink_pending, currency),
            available=Money(grow_posted - shrink_posted - shrink_pending, currency),
        )


TransferKind = Literal["single", "pending", "post", "void", "expiry"]


@dataclass(frozen=True, slots=True)
class TransferSpec:
    """One transfer to create (the event of TigerBeetle's create_transfers).

    - plain (no flag): moves ``amount_minor`` (> 0) of ``currency`` from the debit to the
      credit account, both of that currency; ``code`` says why ("topup", "payment").
    - ``pending``: reserves the amount (debits_pending / credits_pending) until posted,
      voided or, when ``timeout_seconds`` > 0, expired that many seconds after ``now``.
    - ``post_pending`` / ``void_pending`` with ``pending_id``: resolves that pending
      transfer. Accounts, currency and code default to the pending's (if given they
      must match); a post's ``amount_minor`` may be less than the pending amount (the
      rest is released) and defaults to all of it; a void's must be None or equal.
    - ``linked``: this transfer and the next in the batch succeed or fail together; a
      chain ends at the first transfer without the flag.

    ``id`` is the client's idempotency key (see ``parse_transfer_id``).
    """

    id: uuid.UUID | str | int
    debit_account_id: int | None = None
    credit_account_id: int | None = None
    amount_minor: int | None = None
    currency: str | None = None
    code: str = ""
    reference: str = ""
    pending: bool = False
    post_pending: bool = False
    void_pending: bool = False
    linked: bool = False
    pending_id: uuid.UUID | str | int | None = None
    timeout_seconds: int = 0


@dataclass(frozen=True, slots=True)
class TransferRecord:
    """A booked transfer, as stored (immutable)."""

    id: uuid.UUID
    debit_account_id: int
    credit_account_id: int
    amount_minor: int
    currency: str
    code: str
    reference: str
    pending: bool
    post_pending: bool
    void_pending: bool
    expiry: bool
    linked: bool
    pending_id: uuid.UUID | None
    reversal_of: uuid.UUID | None
    timeout_seconds: int
    expires_at: datetime | None
    created_at: datetime

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def kind(self) -> TransferKind:
        if self.pending:
            return "pending"
        if self.post_pending:
            return "post"
        if self.void_pending:
            return "expiry" if self.expiry else "void"
        return "single"

    @property
    def moves_posted(self) -> bool:
        """True when it changed posted balances (plain transfers and posts)."""
        return not (self.pending or self.void_pending)


@dataclass(frozen=True, slots=True)
class TransferResult:
    """The outcome of one spec of a batch, at the spec's ``index``.

    ``error`` is None when the transfer exists now: then ``transfer`` is the booked row,
    and ``replayed`` says it existed before this call with the same fields (a retry:
    nothing was booked again). Otherwise ``error`` is a stable code (the ``code`` of the
    matching exception in ``services``) and ``detail`` says why in words.
    """

    index: int
    id: uuid.UUID | None
    error: str | None = None
    detail: str = ""
    transfer: TransferRecord | None = None
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A transfer as seen from one account, with that account's posted balance (on its
    normal side) right after it."""

    transfer: TransferRecord
    direction: Literal["debit", "credit"]
    posted_balance_after: Money


@dataclass(frozen=True, slots=True)
class Statement:
    account: AccountRecord
    count: int
    lines: list[StatementLine]


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of ``ledger_verify``: ``ok`` or the problems, each naming what broke."""

    accounts: int
    transfers: int
    currencies: int
    problems: list[str]
    broken_account_ids: list[int]
    unapplied_deltas: int = 0  # BalanceDelta rows not yet folded (counted in the balances)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            waiting = (
                f" ({self.unapplied_deltas} balance deltas not yet rolled up, counted)"
                if self.unapplied_deltas
                else ""
            )
            return (
                f"OK: {self.accounts} accounts, {self.transfers} transfers in "
                f"{self.currencies} currencies{waiting}"
            )
        return f"BROKEN: {len(self.problems)} problem(s)\n" + "\n".join(
            f"  - {p}" for p in self.problems
        )
