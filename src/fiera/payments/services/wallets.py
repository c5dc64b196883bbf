"""Wallets: open one per currency, top it up from a funding source.

Only the owner moves its wallet: these services take the owner's ``user_id`` (the API
passes the signed-in user) and ``actor_role`` (wallets are for buyers; in-process callers
such as the demo builder pass ``accounts.roles.SYSTEM``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from fiera.common.errors import Conflict, InvalidInput
from fiera.common.money import Money
from fiera.payments import selectors
from fiera.payments.gateways import FundingGateway, FundingTimeout, funding_gateway
from fiera.payments.models import TopUp, TopUpStatus, Wallet
from fiera.payments.selectors import TopUpInfo, WalletInfo
from fiera.payments.services.base import (
    RequestIdReused,
    WalletNotFound,
    book,
    check_amount,
    check_buyer,
    check_request_id,
    check_wallet_currency,
    fingerprint,
    spec,
    system_account_id,
    wallet_account_open,
)


class FundingDeclined(Conflict):
    """The funding source refused the charge; no money moved."""

    code = "funding_declined"
    message_template = gettext_lazy("Your card or bank refused the top-up; no money moved.")


class InvalidFundingReference(InvalidInput):
    code = "invalid_funding_reference"
    message_template = gettext_lazy("The top-up reference is not valid.")


def wallet_ensure(*, user_id: int, currency: str, now: datetime) -> Wallet:
    """The user's wallet row in ``currency``, opened (with its ledger account) if missing.
    Safe against a concurrent open (the unique (user, currency) decides). For services."""
    wallet = Wallet.objects.filter(user_id=user_id, currency=currency).first()
    if wallet is not None:
        return wallet
    account_id = wallet_account_open(user_id, currency)
    try:
        with transaction.atomic():
            return Wallet.objects.create(
                user_id=user_id, currency=currency, ledger_account_id=account_id, created_at=now
            )
    except IntegrityError:
        return Wallet.objects.get(user_id=user_id, currency=currency)


def wallet_open(*, user_id: int, currency: str, now: datetime, actor_role: str) -> WalletInfo:
    """Open the user's wallet in ``currency`` (one of the wallet currencies), or return the
    one already open: idempotent. The ledger account never goes below zero."""
    check_buyer(actor_role=actor_role)
    code = check_wallet_currency(currency)
    with transaction.atomic():
        wallet = wallet_ensure(user_id=user_id, currency=code, now=now)
    return selectors.wallet_info(wallet)


def _check_funding_reference(value: object) -> str:
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > 100
        or not value.isprintable()
    ):
        raise InvalidFundingReference(
            "the funding reference names the card or account to charge (1 to 100 characters)"
        )
    return value.strip()


def wallet_top_up(
    *,
    user_id: int,
    amount_minor: int,
    currency: str,
    funding_reference: str,
    request_id: str,
    now: datetime,
    gateway: FundingGateway | None = None,
    actor_role: str,
) -> TopUpInfo:
    """Charge ``amount_minor`` (minor units of ``currency``) to the funding source and book
    it funding -> the user's wallet in that currency (which must be open: 404 otherwise).

    Idempotent per (user, ``request_id``): the same id with the same body answers the
    first result (and books nothing again); with another body ``RequestIdReused`` (409).
    The attempt is recorded (``pending``) before the gateway is called, with the gateway
    reference "fiera-topup-<id>", so a lost answer (``FundingTimeout``) leaves it pending
    and a retry drives it again without charging twice. A decline raises
    ``FundingDeclined`` (409), again on every retry. Invalid input writes nothing.
    """
    check_buyer(actor_role=actor_role)
    code = check_wallet_currency(currency)
    amount = check_amount(amount_minor, code)
    request_id = check_request_id(request_id)
    reference = _check_funding_reference(funding_reference)
    sha = fingerprint({"amount_minor": amount, "currency": code, "funding_reference": reference})
    top_up = TopUp.objects.filter(user_id=user_id, request_id=request_id).first()
    if top_up is None:
        wallet = Wallet.objects.filter(user_id=user_id, currency=code).first()
        if wallet is None:
            raise WalletNotFound(f"open a {code} wallet first")
        try:
            with transaction.atomic():
                top_up = TopUp.objects.create(
                    user_id=user_id,
                    wallet=wallet,
                    request_id=request_id,
                    request_sha256=sha,
                    amount_minor=amount,
                    currency=code,
                    funding_reference=reference,
                    created_at=now,
                )
        except IntegrityError:  # a concurrent duplicate recorded it first
            top_up = TopUp.objects.get(user_id=user_id, request_id=request_id)
    if top_up.request_sha256 != sha:
        raise RequestIdReused(
            f"top-up request {request_id} was made with another amount or funding source"
        )
    if top_up.status == TopUpStatus.PENDING:
        top_up = _top_up_drive(top_up, gateway or funding_gateway(), now)
    if top_up.status == TopUpStatus.FAILED:
        raise FundingDeclined(
            f"the funding source declined: {top_up.error_detail or top_up.error_code}",
            reason=top_up.error_code,
        )
    return selectors.top_up_info(top_up)


def _top_up_drive(top_up: TopUp, gateway: FundingGateway, now: datetime) -> TopUp:
    """Ask the gateway (idempotent on the reference), then book the answer once: the row
    is locked and re-read, so concurrent drivers book at most one transfer."""
    money = Money(top_up.amount_minor, top_up.currency)
    try:
        result = gateway.charge(f"fiera-topup-{top_up.pk}", money)
    except FundingTimeout:
        return top_up
    with transaction.atomic():
        row = TopUp.objects.select_for_update().select_related("wallet").get(pk=top_up.pk)
        if row.status != TopUpStatus.PENDING:
            return row
        row.completed_at = now
        if result.approved:
            (transfer,) = book(
                [
                    spec(
                        f"topup:{row.pk}",
                        debit=system_account_id("funding", row.currency),
                        credit=row.wallet.ledger_account_id,
                        amount_minor=row.amount_minor,
                        currency=row.currency,
                        code="topup",
                        reference=f"top-up {row.request_id} via {gateway.name}",
                    )
                ],
                now,
            )
            row.status = TopUpStatus.SUCCEEDED
            row.transfer_id = transfer.id
            row.gateway_reference = result.gateway_reference[:100]
        else:
            row.status = TopUpStatus.FAILED
            row.error_code = (result.decline_code or "declined")[:40]
            row.error_detail = result.detail[:300]
        row.save(
            update_fields=[
                "status",
                "transfer_id",
                "gateway_reference",
                "error_code",
                "error_detail",
                "completed_at",
            ]
        )
    return row
