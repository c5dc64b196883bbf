"""What the money services share: their settings, the ledger accounts they use, the
errors several of them raise, request fingerprints and input checks.

Ledger accounts (``fiera.ledger``; codes and owners):

* ``wallet`` of ("user", id), per currency: never below zero (debits_must_not_exceed_credits);
* ``funding`` (system), per currency: where top-up money enters from;
* ``fx_liquidity`` (system), per currency: the FX desk; conversions sell into one and buy
  out of the other at the reference rate;
* ``fees`` (system), per currency: FX mark-ups (sell currency) and merchant fees (EUR);
* ``merchant_payable`` of ("merchant", id), in the settlement currency (EUR): what Fiera
  owes the merchant until the daily payout; it may go below zero after refunds (the
  merchant then owes it, and the next payout is reduced);
* ``payout`` of ("merchant", id), EUR: what was paid out to the merchant;
* ``escrow`` (system), per currency: trade-assurance holds.

Settings (environment variables, read by fiera.config): ``FIERA_FX_MARKUP_BP`` (50 = 0.50 %),
``FIERA_FX_QUOTE_SECONDS`` (60), ``FIERA_PAYMENT_FEE_BP`` (120 = 1.2 %),
``FIERA_SETTLEMENT_CURRENCY`` ("EUR"), ``FIERA_WALLET_CURRENCIES`` (CNY, EUR, USD, SGD,
HKD, GBP).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import BUYER as BUYER_ROLE
from fiera.accounts.roles import SYSTEM
from fiera.common.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from fiera.common.money import currency_exponent, is_currency
from fiera.ledger import services as ledger
from fiera.ledger.domain import TransferRecord, TransferResult, TransferSpec
from fiera.payments.selectors import WalletNotFound as WalletNotFound

MAX_AMOUNT_MINOR = 10**15
"""No single movement above this many minor units (EUR 10 trillion): keeps every sum far
from the ledger's 63-bit limit."""
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


# --- settings ---------------------------------------------------------------------------


def fx_markup_bp() -> int:
    return int(settings.FIERA_FX_MARKUP_BP)


def fx_quote_seconds() -> int:
    return int(settings.FIERA_FX_QUOTE_SECONDS)


def payment_fee_bp() -> int:
    return int(settings.FIERA_PAYMENT_FEE_BP)


def settlement_currency() -> str:
    return str(settings.FIERA_SETTLEMENT_CURRENCY)


def wallet_currencies() -> tuple[str, ...]:
    return tuple(settings.FIERA_WALLET_CURRENCIES)


# --- errors shared by several services --------------------------------------------------


class NoWallet(Conflict):
    """A payment needs a wallet in a currency the payer has not opened."""

    code = "no_wallet"
    message_template = gettext_lazy(
        "You have no wallet in this currency; open one and top it up, or pay another way."
    )


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    message_template = gettext_lazy(
        "Your wallet holds less than this payment; top it up or pay another way."
    )


class InvalidAmount(InvalidInput):
    code = "invalid_amount"
    message_template = gettext_lazy("The amount is not valid: enter an amount above zero.")


class CurrencyMismatch(InvalidInput):
    code = "currency_mismatch"
    message_template = gettext_lazy("The currencies do not match for this payment.")


class UnsupportedCurrency(InvalidInput):
    code = "unsupported_currency"
    message_template = gettext_lazy("Fiera does not handle payments in this currency.")


class InvalidRequestId(InvalidInput):
    code = "invalid_request_id"
    message_template = gettext_lazy("The request identifier is not valid.")


class RequestIdReused(Conflict):
    """The same request id came with another body: a retry must repeat the original."""

    code = "request_id_reused"
    message_template = gettext_lazy("This request was already made with different details.")


class WalletRoleRequired(PermissionDenied):
    code = "wallets_for_buyers"
    message_template = gettext_lazy("Wallets are for buyer accounts.")


class LedgerRefused(Conflict):
    """The ledger refused a movement for a reason no payments rule foresaw."""

    code = "ledger_refused"
    message_template = gettext_lazy(
        "The payment could not be recorded; no money moved. Please try again later."
    )


# --- checks -----------------------------------------------------------------------------


def check_amount(amount_minor: object, currency: str, *, what: str = "amount") -> int:
    """A positive whole number of minor units of ``currency`` (at most MAX_AMOUNT_MINOR)."""
    if type(amount_minor) is not int:
        raise InvalidAmount(f"the {what} must be a whole number of {currency} minor units")
    if amount_minor <= 0:
        raise InvalidAmount(f"the {what} must be more than zero")
    if amount_minor > MAX_AMOUNT_MINOR:
        raise InvalidAmount(f"the {what} is too large")
    return amount_minor


def check_currency(currency: object) -> str:
    if not isinstance(currency, str) or not is_currency(currency) or currency != currency.upper():
        raise UnsupportedCurrency(f"{currency!r} is not an ISO 4217 currency code")
    currency_exponent(currency)
    return currency


def check_wallet_currency(currency: object) -> str:
    code = check_currency(currency.strip().upper() if isinstance(currency, str) else currency)
    if code not in wallet_currencies():
        raise UnsupportedCurrency(
            f"wallets are kept in {', '.join(wallet_currencies())}; not in {code}"
        )
    return code


def check_request_id(request_id: object) -> str:
    if not isinstance(request_id, str) or not REQUEST_ID.fullmatch(request_id):
        raise InvalidRequestId(
            "a request id is 1 to 64 letters, digits, '.', '_', ':' or '-' (a UUID will do)"
        )
    return request_id


def check_buyer(*, actor_role: str) -> None:
    """Wallets move for buyers (consumers and businesses) and ``SYSTEM`` callers."""
    if actor_role not in (BUYER_ROLE, SYSTEM):
        raise WalletRoleRequired("wallets are for buyers")


def fingerprint(body: dict[str, Any]) -> str:
    """SHA-256 of the request body in canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# --- ledger -----------------------------------------------------------------------------


def system_account_id(code: str, currency: str) -> int:
    return ledger.system_account(code=code, currency=currency).id


def merchant_account_id(code: str, merchant_id: int, currency: str | None = None) -> int:
    """The merchant's ``merchant_payable`` or ``payout`` account (settlement currency)."""
    return ledger.account_open(
        code=code,
        owner_type="merchant",
        owner_id=merchant_id,
        currency=currency or settlement_currency(),
    ).id


def wallet_account_open(user_id: int, currency: str) -> int:
    return ledger.account_open(
        code="wallet",
        owner_type="user",
        owner_id=user_id,
        currency=currency,
        debits_must_not_exceed_credits=True,
    ).id


def spec(
    key: str,
    *,
    debit: int,
    credit: int,
    amount_minor: int,
    currency: str,
    code: str,
    reference: str,
) -> TransferSpec:
    """A plain transfer whose id is the text ``key`` (uuid5: the same key, the same id)."""
    return TransferSpec(
        id=key,
        debit_account_id=debit,
        credit_account_id=credit,
        amount_minor=amount_minor,
        currency=currency,
        code=code,
        reference=reference[:200],
    )


def linked(specs: Sequence[TransferSpec]) -> list[TransferSpec]:
    """The specs as one all-or-nothing chain (each but the last flagged ``linked``)."""
    last = len(specs) - 1
    return [replace(s, linked=i < last) for i, s in enumerate(specs)]


def ledger_error(results: Sequence[TransferResult]) -> DomainError:
    """The payments error for a failed batch: the first failure that is not only "the
    linked chain failed". Insufficient funds is ``InsufficientFunds``."""
    failed = [r for r in results if r.error is not None]
    root = next((r for r in failed if r.error != "linked_event_failed"), failed[0])
    if root.error == ledger.ExceedsCredits.code:
        return InsufficientFunds(f"not enough money in the wallet: {root.detail}")
    if root.error == ledger.TransferIdReused.code:
        return RequestIdReused(f"this request was already booked otherwise: {root.detail}")
    return LedgerRefused(f"the ledger refused the movement ({root.error}): {root.detail}")


def book(specs: Sequence[TransferSpec], now: Any) -> list[TransferRecord]:
    """Book ``specs`` as one linked chain; raise the payments error when it fails (nothing
    is booked then). A retry of the same keys returns the transfers booked the first time."""
    results = ledger.transfers_create(transfers=linked(specs), now=now, actor_role=SYSTEM)
    if any(r.error is not None for r in results):
        raise ledger_error(results)
    return [r.transfer for r in results if r.transfer is not None]
