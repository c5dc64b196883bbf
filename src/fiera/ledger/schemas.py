from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, RootModel

from fiera.common.schemas import MoneyOut
from fiera.ledger.domain import (
    AccountRecord,
    Statement,
    StatementLine,
    TransferRecord,
    TransferResult,
    TransferSpec,
    VerifyReport,
)


class BalanceOut(Schema):
    """On the account's normal side: available = posted minus pending debits (wallets)."""

    posted: MoneyOut
    pending: MoneyOut
    available: MoneyOut


class AccountOut(Schema):
    id: int
    currency: str
    code: str
    owner_type: str
    owner_id: int
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    normal_side: Literal["debit", "credit"]
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    balance: BalanceOut
    created_at: datetime

    @classmethod
    def of(cls, account: AccountRecord) -> AccountOut:
        balance = account.balance()
        return cls(
            id=account.id,
            currency=account.currency,
            code=account.code,
            owner_type=account.owner_type,
            owner_id=account.owner_id,
            debits_must_not_exceed_credits=account.debits_must_not_exceed_credits,
            credits_must_not_exceed_debits=account.credits_must_not_exceed_debits,
            normal_side=account.normal_side,
            debits_pending=account.debits_pending,
            debits_posted=account.debits_posted,
            credits_pending=account.credits_pending,
            credits_posted=account.credits_posted,
            balance=BalanceOut(
                posted=MoneyOut.of(balance.posted),
                pending=MoneyOut.of(balance.pending),
                available=MoneyOut.of(balance.available),
            ),
            created_at=account.created_at,
        )


class TransferOut(BaseModel):
    """A booked transfer. ``amount_minor`` in minor units of ``currency``.

    The transfer schemas are plain pydantic models, built with ``model_construct`` from
    values the ledger has already typed: a batch of 100 results costs no validation
    (ninja's Schema wraps each object in a getter, which cost more than booking them).
    """

    id: str
    kind: Literal["single", "pending", "post", "void", "expiry"]
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
    pending_id: str | None
    reversal_of: str | None
    timeout_seconds: int
    expires_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, t: TransferRecord) -> TransferOut:
        return cls.model_construct(
            id=str(t.id),
            kind=t.kind,
            debit_account_id=t.debit_account_id,
            credit_account_id=t.credit_account_id,
            amount_minor=t.amount_minor,
            currency=t.currency,
            code=t.code,
            reference=t.reference,
            pending=t.pending,
            post_pending=t.post_pending,
            void_pending=t.void_pending,
            expiry=t.expiry,
            linked=t.linked,
            pending_id=str(t.pending_id) if t.pending_id else None,
            reversal_of=str(t.reversal_of) if t.reversal_of else None,
            timeout_seconds=t.timeout_seconds,
            expires_at=t.expires_at,
            created_at=t.created_at,
        )


class TransferIn(BaseModel):
    """One transfer of a batch (TigerBeetle's create_transfers event).

    ``id``: a UUID, or any text key (at most 200 characters) that maps to one; a retry
    with the same id and fields returns the original. Plain and pending transfers need
    both accounts, ``amount_minor`` > 0 (minor units), ``currency`` and ``code``. A post
    or void names ``pending_id``; a post's amount may be less than the pending amount.
    ``linked`` ties this transfer's outcome to the next one's. Types are strict (no
    "12" for 12, no false for 0), as the schema says.
    """

    model_config = ConfigDict(strict=True)

    id: str = Field(..., examples=["3f2a6c1e-8b0d-4c7e-9f1a-2b3c4d5e6f70"])
    debit_account_id: int | None = None
    credit_account_id: int | None = None
    amount_minor: int | None = None
    currency: str | None = Field(None, examples=["EUR"])
    code: str = Field("", examples=["topup"])
    reference: str = ""
    pending: bool = False
    post_pending: bool = False
    void_pending: bool = False
    linked: bool = False
    pending_id: str | None = None
    timeout_seconds: int = 0

    def spec(self) -> TransferSpec:
        return TransferSpec(
            id=self.id,
            debit_account_id=self.debit_account_id,
            credit_account_id=self.credit_account_id,
            amount_minor=self.amount_minor,
            currency=self.currency,
            code=self.code,
            reference=self.reference,
            pending=self.pending,
            post_pending=self.post_pending,
            void_pending=self.void_pending,
            linked=self.linked,
            pending_id=self.pending_id,
            timeout_seconds=self.timeout_seconds,
        )


class TransferResultOut(BaseModel):
    """``ok`` with the transfer (``replayed``: it existed with the same fields), or the
    stable ``error`` code and a ``detail``."""

    index: int
    id: str | None
    ok: bool
    replayed: bool
    error: str | None
    detail: str
    transfer: TransferOut | None

    @classmethod
    def of(cls, r: TransferResult) -> TransferResultOut:
        return cls.model_construct(
            index=r.index,
            id=str(r.id) if r.id else None,
            ok=r.ok,
            replayed=r.replayed,
            error=r.error,
            detail=r.detail,
            transfer=TransferOut.of(r.transfer) if r.transfer else None,
        )


class TransferResultsOut(RootModel[list[TransferResultOut]]):
    """One result per transfer of the batch, in the batch's order."""

    @classmethod
    def of(cls, results: list[TransferResult]) -> TransferResultsOut:
        return cls.model_construct([TransferResultOut.of(r) for r in results])


class StatementLineOut(Schema):
    direction: Literal["debit", "credit"]
    posted_balance_after_minor: int
    transfer: TransferOut

    @classmethod
    def of(cls, line: StatementLine) -> StatementLineOut:
        return cls(
            direction=line.direction,
            posted_balance_after_minor=line.posted_balance_after.amount_minor,
            transfer=TransferOut.of(line.transfer),
        )


class StatementOut(Schema):
    account: AccountOut
    count: int
    items: list[StatementLineOut]

    @classmethod
    def of(cls, statement: Statement) -> StatementOut:
        return cls(
            account=AccountOut.of(statement.account),
            count=statement.count,
            items=[StatementLineOut.of(line) for line in statement.lines],
        )


class VerifyOut(Schema):
    ok: bool
    accounts: int
    transfers: int
    currencies: int
    problems: list[str]
    broken_account_ids: list[int]

    @classmethod
    def of(cls, report: VerifyReport) -> VerifyOut:
        return cls(
            ok=report.ok,
            accounts=report.accounts,
            transfers=report.transfers,
            currencies=report.currencies,
            problems=report.problems,
            broken_account_ids=report.broken_account_ids,
        )
