"""The ledger's domain errors, each with a stable ``code``.

``fiera.ledger.services`` re-exports them (``from fiera.ledger.services import
ExceedsCredits``). In a batch (``transfers_create``) the same codes come back per
transfer in ``TransferResult.error`` instead of being raised; ``transfer_create`` raises
the class of the code. The codes follow TigerBeetle's create_transfers results where one
exists.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.common.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

# --- who may call -----------------------------------------------------------------------


class LedgerOperatorsOnly(PermissionDenied):
    code = "ledger_operators_only"
    message_template = gettext_lazy("Only a Fiera operator can see or change the ledger.")


def check_operator(*, actor_role: str) -> None:
    """Let operators and the system actor (another app's service, the CLI) in.

    The API passes the signed-in user's role; every other role is refused.
    """
    if actor_role not in (OPERATOR, SYSTEM):
        raise LedgerOperatorsOnly("the ledger is open to operators only")


# --- accounts ---------------------------------------------------------------------------


class AccountNotFound(NotFound):
    code = "account_not_found"
    message_template = gettext_lazy("This account does not exist.")


class InvalidAccount(InvalidInput):
    code = "invalid_account"
    message_template = gettext_lazy("The account details are not valid.")


class AccountExistsWithDifferentFlags(Conflict):
    code = "account_exists_with_different_flags"
    message_template = gettext_lazy("This account already exists with other settings.")


# --- a batch as a whole -----------------------------------------------------------------


class BatchTooLarge(InvalidInput):
    code = "batch_too_large"
    message_template = gettext_lazy(
        "Too many movements in one request; send them in smaller batches."
    )


# --- one transfer: the input itself (checked before any query) --------------------------


class InvalidTransferId(InvalidInput):
    code = "invalid_transfer_id"
    message_template = gettext_lazy("The movement's identifier is not valid.")


class FlagsAreMutuallyExclusive(InvalidInput):
    code = "flags_are_mutually_exclusive"
    message_template = gettext_lazy("These options cannot be used together on one movement.")


class DebitAccountIdRequired(InvalidInput):
    code = "debit_account_id_required"
    message_template = gettext_lazy("Say which account the money comes from.")


class CreditAccountIdRequired(InvalidInput):
    code = "credit_account_id_required"
    message_template = gettext_lazy("Say which account the money goes to.")


class AccountsMustBeDifferent(InvalidInput):
    code = "accounts_must_be_different"
    message_template = gettext_lazy("Money cannot move from an account to the same account.")


class AmountMustBePositive(InvalidInput):
    code = "amount_must_be_positive"
    message_template = gettext_lazy("The amount must be more than zero.")


class InvalidCurrency(InvalidInput):
    code = "invalid_currency"
    message_template = gettext_lazy("This currency is not one Fiera keeps accounts in.")


class CodeRequired(InvalidInput):
    code = "code_required"
    message_template = gettext_lazy("The movement needs a type code.")


class InvalidCode(InvalidInput):
    code = "invalid_code"
    message_template = gettext_lazy("The movement's type code is not valid.")


class InvalidReference(InvalidInput):
    code = "invalid_reference"
    message_template = gettext_lazy("The movement's reference is not valid.")


class PendingIdRequired(InvalidInput):
    code = "pending_id_required"
    message_template = gettext_lazy("Say which held amount to confirm or release.")


class PendingIdMustNotBeSet(InvalidInput):
    code = "pending_id_must_not_be_set"
    message_template = gettext_lazy(
        "Only confirming or releasing a held amount names another movement."
    )


class PendingIdMustBeDifferent(InvalidInput):
    code = "pending_id_must_be_different"
    message_template = gettext_lazy("A movement cannot confirm or release itself.")


class TimeoutReservedForPendingTransfer(InvalidInput):
    code = "timeout_reserved_for_pending_transfer"
    message_template = gettext_lazy("Only a held amount can have an expiry time.")


class InvalidTimeout(InvalidInput):
    code = "invalid_timeout"
    message_template = gettext_lazy("The expiry time is not valid.")


class LinkedEventChainOpen(InvalidInput):
    code = "linked_event_chain_open"
    message_template = gettext_lazy("A group of linked movements was left unfinished.")


# --- one transfer: against the stored state ---------------------------------------------


class DebitAccountNotFound(NotFound):
    code = "debit_account_not_found"
    message_template = gettext_lazy("The account the money should come from does not exist.")


class CreditAccountNotFound(NotFound):
    code = "credit_account_not_found"
    message_template = gettext_lazy("The account the money should go to does not exist.")


class CurrencyMismatch(InvalidInput):
    """Both accounts (and a post/void's pending transfer) must be of the transfer's currency."""

    code = "currency_mismatch"
    message_template = gettext_lazy("The accounts and the movement must be in the same currency.")


class TransferIdReused(Conflict):
    """The id exists with different fields: a retry must repeat the original exactly."""

    code = "transfer_id_reused"
    message_template = gettext_lazy("This movement was already recorded with different details.")


class ExceedsCredits(Conflict):
    """The debit account has debits_must_not_exceed_credits and too little (insufficient funds)."""

    code = "exceeds_credits"
    message_template = gettext_lazy("There is not enough money in the account.")


class ExceedsDebits(Conflict):
    code = "exceeds_debits"
    message_template = gettext_lazy("This movement would take the account beyond its limit.")


class OverflowsBalance(Conflict):
    code = "overflows_balance"
    message_template = gettext_lazy("This amount is too large for the account.")


class PendingTransferNotFound(NotFound):
    code = "pending_transfer_not_found"
    message_template = gettext_lazy("The held amount does not exist.")


class PendingTransferNotPending(InvalidInput):
    code = "pending_transfer_not_pending"
    message_template = gettext_lazy("This movement is not a held amount.")


class PendingTransferHasDifferentAccounts(InvalidInput):
    code = "pending_transfer_has_different_accounts"
    message_template = gettext_lazy("The held amount is between other accounts.")


class PendingTransferHasDifferentAmount(InvalidInput):
    code = "pending_transfer_has_different_amount"
    message_template = gettext_lazy("The amount differs from the held amount.")


class ExceedsPendingTransferAmount(InvalidInput):
    code = "exceeds_pending_transfer_amount"
    message_template = gettext_lazy("The amount is more than the held amount.")


class PendingTransferAlreadyPosted(Conflict):
    code = "pending_transfer_already_posted"
    message_template = gettext_lazy("The held amount was already confirmed.")


class PendingTransferAlreadyVoided(Conflict):
    code = "pending_transfer_already_voided"
    message_template = gettext_lazy("The held amount was already released.")


class PendingTransferExpired(Conflict):
    """Its timeout passed: whether or not ``pending_expire`` has booked the release yet."""

    code = "pending_transfer_expired"
    message_template = gettext_lazy("The held amount has expired.")


class LinkedEventFailed(Conflict):
    code = "linked_event_failed"
    message_template = gettext_lazy(
        "Another movement in the same group was refused, so none was recorded."
    )


class TransferNotFound(NotFound):
    code = "transfer_not_found"
    message_template = gettext_lazy("This movement does not exist.")


class TransferNotReversible(InvalidInput):
    code = "transfer_not_reversible"
    message_template = gettext_lazy("This movement cannot be reversed.")


class TransferAlreadyReversed(Conflict):
    code = "transfer_already_reversed"
    message_template = gettext_lazy("This movement was already reversed.")


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
