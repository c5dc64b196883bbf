"""The ledger's domain errors, each with a stable ``code``.

``fiera.ledger.services`` re-exports them (``from fiera.ledger.services import
ExceedsCredits``). In a batch (``transfers_create``) the same codes come back per
transfer in ``TransferResult.error`` instead of being raised; ``transfer_create`` raises
the class of the code. The codes follow TigerBeetle's create_transfers results where one
exists.
"""

from __future__ import annotations

from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.common.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

# --- who may call -----------------------------------------------------------------------


class LedgerOperatorsOnly(PermissionDenied):
    code = "ledger_operators_only"


def check_operator(*, actor_role: str) -> None:
    """Let operators and the system actor (another app's service, the CLI) in.

    The API passes the signed-in user's role; every other role is refused.
    """
    if actor_role not in (OPERATOR, SYSTEM):
        raise LedgerOperatorsOnly("the ledger is open to operators only")


# --- accounts ---------------------------------------------------------------------------


class AccountNotFound(NotFound):
    code = "account_not_found"


class InvalidAccount(InvalidInput):
    code = "invalid_account"


class AccountExistsWithDifferentFlags(Conflict):
    code = "account_exists_with_different_flags"


# --- a batch as a whole -----------------------------------------------------------------


class BatchTooLarge(InvalidInput):
    code = "batch_too_large"


# --- one transfer: the input itself (checked before any query) --------------------------


class InvalidTransferId(InvalidInput):
    code = "invalid_transfer_id"


class FlagsAreMutuallyExclusive(InvalidInput):
    code = "flags_are_mutually_exclusive"


class DebitAccountIdRequired(InvalidInput):
    code = "debit_account_id_required"


class CreditAccountIdRequired(InvalidInput):
    code = "credit_account_id_required"


class AccountsMustBeDifferent(InvalidInput):
    code = "accounts_must_be_different"


class AmountMustBePositive(InvalidInput):
    code = "amount_must_be_positive"


class InvalidCurrency(InvalidInput):
    code = "invalid_currency"


class CodeRequired(InvalidInput):
    code = "code_required"


class InvalidCode(InvalidInput):
    code = "invalid_code"


class InvalidReference(InvalidInput):
    code = "invalid_reference"


class PendingIdRequired(InvalidInput):
    code = "pending_id_required"


class PendingIdMustNotBeSet(InvalidInput):
    code = "pending_id_must_not_be_set"


class PendingIdMustBeDifferent(InvalidInput):
    code = "pending_id_must_be_different"


class TimeoutReservedForPendingTransfer(InvalidInput):
    code = "timeout_reserved_for_pending_transfer"


class InvalidTimeout(InvalidInput):
    code = "invalid_timeout"


class LinkedEventChainOpen(InvalidInput):
    code = "linked_event_chain_open"


# --- one transfer: against the stored state ---------------------------------------------


class DebitAccountNotFound(NotFound):
    code = "debit_account_not_found"


class CreditAccountNotFound(NotFound):
    code = "credit_account_not_found"


class CurrencyMismatch(InvalidInput):
    """Both accounts (and a post/void's pending transfer) must be of the transfer's currency."""

    code = "currency_mismatch"


class TransferIdReused(Conflict):
    """The id exists with different fields: a retry must repeat the original exactly."""

    code = "transfer_id_reused"


class ExceedsCredits(Conflict):
    """The debit account has debits_must_not_exceed_credits and too little (insufficient funds)."""

    code = "exceeds_credits"


class ExceedsDebits(Conflict):
    code = "exceeds_debits"


class OverflowsBalance(Conflict):
    code = "overflows_balance"


class PendingTransferNotFound(NotFound):
    code = "pending_transfer_not_found"


class PendingTransferNotPending(InvalidInput):
    code = "pending_transfer_not_pending"


class PendingTransferHasDifferentAccounts(InvalidInput):
    code = "pending_transfer_has_different_accounts"


class PendingTransferHasDifferentAmount(InvalidInput):
    code = "pending_transfer_has_different_amount"


class ExceedsPendingTransferAmount(InvalidInput):
    code = "exceeds_pending_transfer_amount"


class PendingTransferAlreadyPosted(Conflict):
    code = "pending_transfer_already_posted"


class PendingTransferAlreadyVoided(Conflict):
    code = "pending_transfer_already_voided"


class PendingTransferExpired(Conflict):
    """Its timeout passed: whether or not ``pending_expire`` has booked the release yet."""

    code = "pending_transfer_expired"


class LinkedEventFailed(Conflict):
    code = "linked_event_failed"


class TransferNotFound(NotFound):
    code = "transfer_not_found"


class TransferNotReversible(InvalidInput):
    code = "transfer_not_reversible"


class TransferAlreadyReversed(Conflict):
    code = "transfer_already_reversed"


TRANSFER_ERRORS: dict[str, type[DomainError]] = {
    cls.code: cls
    for cls in (
        InvalidTransferId,
        FlagsAreMutuallyExclusive,
        DebitAccountIdRequired,
        CreditAccountIdRequired,
        AccountsMustBeDifferent,
        AmountMustBePositive,
        InvalidCurrency,
        CodeRequired,
        InvalidCode,
        InvalidReference,
        PendingIdRequired,
        PendingIdMustNotBeSet,
        PendingIdMustBeDifferent,
        TimeoutReservedForPendingTransfer,
        InvalidTimeout,
        LinkedEventChainOpen,
        DebitAccountNotFound,
        CreditAccountNotFound,
        CurrencyMismatch,
        TransferIdReused,
        ExceedsCredits,
        ExceedsDebits,
        OverflowsBalance,
        PendingTransferNotFound,
        PendingTransferNotPending,
        PendingTransferHasDifferentAccounts,
        PendingTransferHasDifferentAmount,
        ExceedsPendingTransferAmount,
        PendingTransferAlreadyPosted,
        PendingTransferAlreadyVoided,
        PendingTransferExpired,
        LinkedEventFailed,
        TransferNotFound,
        TransferNotReversible,
        TransferAlreadyReversed,
    )
}
