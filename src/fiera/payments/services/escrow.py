"""Trade assurance (escrow) for B2B orders: a service API for the trade app.

``escrow_hold`` reserves the buyer's money with a PENDING ledger transfer wallet ->
escrow (the wallet's available balance drops at once; nothing is posted).
``escrow_release`` (delivery) posts it and, in the same linked chain, pays the escrow
account out to the merchant's payable (through FX when the hold's currency is not the
settlement currency), recording a Payment that the daily settlement pays out.
``escrow_refund`` (dispute) voids it: the reservation is released, nothing moved.
A hold with ``timeout_seconds`` expires then: the ledger's ``pending_expire`` voids it and
a release is refused (``EscrowExpired``).

Callers are trusted (the trade app authorizes its users); each call is idempotent on
the escrow ``reference``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import Conflict
from fiera.common.money import Money
from fiera.ledger import services as ledger
from fiera.ledger.domain import TransferSpec
from fiera.payments import selectors
from fiera.payments.models import Escrow, EscrowStatus, PaymentKind, Wallet
from fiera.payments.selectors import EscrowInfo, EscrowNotFound
from fiera.payments.services.base import (
    InvalidAmount,
    NoWallet,
    RequestIdReused,
    book,
    check_amount,
    ledger_error,
    merchant_account_id,
    settlement_currency,
    spec,
    system_account_id,
)
from fiera.payments.services.charges import payment_record
from fiera.payments.services.fx import fx_legs, fx_terms, quote_new

MAX_TIMEOUT_SECONDS = 366 * 24 * 3600


class EscrowExpired(Conflict):
    code = "escrow_expired"
    message_template = gettext_lazy("The held payment has expired.")


class EscrowResolved(Conflict):
    """The hold was already released or refunded the other way."""

    code = "escrow_resolved"
    message_template = gettext_lazy("The held payment was already released or refunded.")


def _key(reference: str) -> str:
    return "escrow:" + hashlib.sha256(reference.encode()).hexdigest()[:40]


def _check_reference(reference: object) -> str:
    if not isinstance(reference, str) or not reference.strip() or len(reference) > 200:
        raise InvalidAmount("an escrow reference is text of 1 to 200 characters")
    return reference


def escrow_hold(
    *,
    buyer_id: int,
    merchant_id: int,
    reference: str,
    amount: Money,
    timeout_seconds: int,
    now: datetime,
) -> EscrowInfo:
    """Reserve ``amount`` of the buyer's wallet in ``amount.currency`` for ``merchant_id``
    until released or refunded, at most ``timeout_seconds`` (0: no expiry).
    ``InsufficientFunds`` / ``NoWallet`` (409) write nothing. The same reference again
    returns the hold; with other terms ``RequestIdReused`` (409)."""
    reference = _check_reference(reference)
    check_amount(amount.amount_minor, amount.currency)
    if type(timeout_seconds) is not int or not 0 <= timeout_seconds <= MAX_TIMEOUT_SECONDS:
        raise InvalidAmount(f"timeout_seconds: 0 to {MAX_TIMEOUT_SECONDS}")
    with transaction.atomic():
        existing = Escrow.objects.filter(reference=reference).first()
        if existing is not None:
            same = (
                existing.buyer_id,
                existing.merchant_id,
                existing.amount_minor,
                existing.currency,
            )
            if same != (buyer_id, merchant_id, amount.amount_minor, amount.currency):
                raise RequestIdReused(f"escrow {reference} was opened with other terms")
            return selectors.escrow_info(existing, now=now)
        wallet = Wallet.objects.filter(user_id=buyer_id, currency=amount.currency).first()
        if wallet is None:
            raise NoWallet(f"the buyer has no {amount.currency} wallet")
        hold = TransferSpec(
            id=f"{_key(reference)}:hold",
            debit_account_id=wallet.ledger_account_id,
            credit_account_id=system_account_id("escrow", amount.currency),
            amount_minor=amount.amount_minor,
            currency=amount.currency,
            code="escrow_hold",
            reference=reference,
            pending=True,
            timeout_seconds=timeout_seconds,
        )
        results = ledger.transfers_create(transfers=[hold], now=now, actor_role=SYSTEM)
        if results[0].error is not None or results[0].transfer is None:
            raise ledger_error(results)
        escrow = Escrow.objects.create(
            reference=reference,
            buyer_id=buyer_id,
            merchant_id=merchant_id,
            wallet=wallet,
            amount_minor=amount.amount_minor,
            currency=amount.currency,
            pending_transfer_id=results[0].transfer.id,
            status=EscrowStatus.HELD,
            created_at=now,
            expires_at=now + timedelta(seconds=timeout_seconds) if timeout_seconds else None,
        )
    return selectors.escrow_info(escrow, now=now)


def _locked(reference: str) -> Escrow:
    escrow = (
        Escrow.objects.select_for_update()
        .select_related("wallet")
        .filter(reference=reference if isinstance(reference, str) else "")
        .first()
    )
    if escrow is None:
        raise EscrowNotFound(f"no escrow {reference!r}")
    return escrow


def _expired(escrow: Escrow, now: datetime) -> bool:
    return escrow.expires_at is not None and now >= escrow.expires_at


def escrow_release(*, reference: str, now: datetime) -> EscrowInfo:
    """Delivery: post the hold and pay it to the merchant's payable (one linked chain),
    recording a Payment (kind "escrow", reference "escrow:<reference>") at the FX rate of
    ``now`` when the hold is not in the settlement currency. Releasing again returns it;
    a refunded hold is ``EscrowResolved``, an expired one ``EscrowExpired`` (409)."""
    with transaction.atomic():
        escrow = _locked(reference)
        if escrow.status == EscrowStatus.RELEASED:
            return selectors.escrow_info(escrow, now=now)
        if escrow.status == EscrowStatus.REFUNDED:
            raise EscrowResolved(f"escrow {reference} was refunded to the buyer")
        if escrow.status == EscrowStatus.EXPIRED or _expired(escrow, now):
            raise EscrowExpired(f"escrow {reference} expired; the buyer has the money back")
        key = _key(reference)
        settle = settlement_currency()
        escrow_account = system_account_id("escrow", escrow.currency)
        payable = merchant_account_id("merchant_payable", escrow.merchant_id)
        post = TransferSpec(
            id=f"{key}:post", post_pending=True, pending_id=escrow.pending_transfer_id
        )
        quote = None
        if escrow.currency == settle:
            pay = [
                spec(
                    f"{key}:pay",
                    debit=escrow_account,
                    credit=payable,
                    amount_minor=escrow.amount_minor,
                    currency=settle,
                    code="escrow_release",
                    reference=reference,
                )
            ]
            credit, spread = escrow.amount_minor, 0
        else:
            terms, rate_date = fx_terms(
                sell_currency=escrow.currency, buy_currency=settle, on=now.date()
            )
            quote = quote_new(
                user_id=escrow.buyer_id,
                terms=terms,
                rate_date=rate_date,
                sell_amount_minor=escrow.amount_minor,
                buy_amount_minor=None,
                now=now,
                purpose="escrow",
                executed=True,
            )
            pay = fx_legs(
                key=key,
                reference=reference,
                source_account_id=escrow_account,
                target_account_id=payable,
                sell_currency=escrow.currency,
                buy_currency=settle,
                mid_sell_minor=quote.mid_sell_minor,
                spread_minor=quote.spread_minor,
                buy_minor=quote.buy_amount_minor,
            )
            credit, spread = quote.buy_amount_minor, quote.spread_minor
        book([post, *pay], now)
        escrow.payment = payment_record(
            kind=PaymentKind.ESCROW,
            reference=f"escrow:{reference}",
            charge_reference=f"escrow:{reference}",
            wallet=escrow.wallet,
            merchant_id=escrow.merchant_id,
            paid_minor=escrow.amount_minor,
            credit_minor=credit,
            credit_currency=settle,
            now=now,
            quote=quote,
            spread_minor=spread,
        )
        escrow.status = EscrowStatus.RELEASED
        escrow.resolved_at = now
        escrow.save(update_fields=["payment", "status", "resolved_at"])
    return selectors.escrow_info(escrow, now=now)


def escrow_refund(*, reference: str, now: datetime) -> EscrowInfo:
    """Dispute: void the hold, so the buyer's wallet has the money available again.
    Refunding again returns it; a released hold is ``EscrowResolved`` (409); an expired
    one reads "expired" (the ledger's expiry gives the money back)."""
    with transaction.atomic():
        escrow = _locked(reference)
        if escrow.status == EscrowStatus.REFUNDED:
            return selectors.escrow_info(escrow, now=now)
        if escrow.status == EscrowStatus.RELEASED:
            raise EscrowResolved(f"escrow {reference} was released to the merchant")
        if escrow.status == EscrowStatus.EXPIRED or _expired(escrow, now):
            escrow.status = EscrowStatus.EXPIRED
            escrow.resolved_at = escrow.resolved_at or now
            escrow.save(update_fields=["status", "resolved_at"])
            return selectors.escrow_info(escrow, now=now)
        void = TransferSpec(
            id=f"{_key(reference)}:void", void_pending=True, pending_id=escrow.pending_transfer_id
        )
        book([void], now)
        escrow.status = EscrowStatus.REFUNDED
        escrow.resolved_at = now
        escrow.save(update_fields=["status", "resolved_at"])
    return selectors.escrow_info(escrow, now=now)
