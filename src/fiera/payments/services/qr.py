"""Pay by QR: a consumer submits a scanned EMVCo merchant-presented payload; Fiera charges
the consumer's wallet (CNY) and credits the outlet's merchant in EUR through FX.

The answer follows Alipay+'s result status: S (paid), F (failed: no money moved, the
reason in ``result_code``), U (unknown: query the same request id later).

How a request runs:

1. Checks that need no write: the request id, the payload (``emvco.parse``; a bad one is
   422 with the tag and offset at fault), Fiera's account template (merchant id and
   outlet code), the outlet (unknown: 404 ``unknown_outlet``; not pilot or live: 409
   ``outlet_not_accepting``), the amount (tag 54 of a dynamic QR, else the request's),
   the QR's currency (the settlement currency), the consumer's wallet and the FX rate.
   Any failure here is a 4xx and nothing is written.
2. The request is recorded as U (unique per user and request id).
3. In ONE transaction that locks that row: the FX quote is created and executed, the
   ledger chain booked (wallet -> fx_liquidity CNY, wallet -> fees CNY, fx_liquidity EUR ->
   merchant payable), the Payment inserted and the row set to S; or, when the wallet is
   short, the row set to F ("insufficient_funds"). So S holds exactly when the money moved.
4. If step 3 cannot tell its outcome (a database timeout, or the fault injected by tests
   through ``set_qr_fault``), the answer is U. A retry with the same id and body drives
   step 3 again; ``qr_payment_query`` settles a U for good: S if it committed, else F
   ("not_completed") under the same row lock, so a late booking can never follow.

Idempotency: the same request id with the same body answers the recorded result; with
another body ``RequestIdReused`` (409).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext_lazy

from fiera.common.errors import Conflict, InvalidInput, NotFound
from fiera.common.parsing import is_ascii_digits, parse_id
from fiera.payments import emvco, selectors
from fiera.payments.models import Outlet, Payment, PaymentKind, QrPayment, QrStatus, Wallet
from fiera.payments.selectors import QrPaymentNotFound, QrPaymentResult
from fiera.payments.services.base import (
    CurrencyMismatch,
    InsufficientFunds,
    NoWallet,
    RequestIdReused,
    book,
    check_amount,
    check_buyer,
    check_request_id,
    check_wallet_currency,
    fingerprint,
    merchant_account_id,
    settlement_currency,
    spec,
)
from fiera.payments.services.charges import payment_record
from fiera.payments.services.fx import fx_amounts, fx_legs, fx_terms, quote_new

log = logging.getLogger(__name__)


class NotAFieraQr(InvalidInput):
    code = "not_a_fiera_qr"
    message_template = gettext_lazy("This QR code is not for a shop that takes Fiera payments.")


class UnknownOutlet(NotFound):
    code = "unknown_outlet"
    message_template = gettext_lazy(
        "The shop in this QR code is not known to Fiera; ask the shop to check its code."
    )


class OutletNotAccepting(Conflict):
    code = "outlet_not_accepting"
    message_template = gettext_lazy("This shop is not taking payments at the moment.")


class AmountRequired(InvalidInput):
    code = "amount_required"
    message_template = gettext_lazy("This QR code has no amount: enter the amount to pay.")


class AmountMismatch(InvalidInput):
    code = "amount_mismatch"
    message_template = gettext_lazy(
        "This QR code is for %(qr_amount)s, not %(amount)s; pay the amount in the code or ask the "
        "shop for a new one."
    )


class PaymentTimeout(Exception):
    """A simulated lost answer (see ``set_qr_fault``)."""


QrFault = Callable[[str], None]
_fault: QrFault | None = None


def set_qr_fault(fault: QrFault | None) -> QrFault | None:
    """Install a hook called at the stages "booked" (inside the payment transaction,
    after the ledger booked it: raising rolls it back) and "committed" (after commit:
    raising loses the answer of a payment that went through). Tests raise
    ``PaymentTimeout`` from it to reach the U paths; returns the previous hook."""
    global _fault
    previous, _fault = _fault, fault
    return previous


def _stage(name: str) -> None:
    if _fault is not None:
        _fault(name)


def _resolve(parsed: emvco.ParsedPayload, amount_minor: int | None) -> tuple[Outlet, int, str]:
    """(outlet, amount in minor units, currency) of a parsed payload, or the 4xx."""
    template = parsed.account_templates().get(emvco.FIERA_GUID)
    if template is None:
        raise NotAFieraQr(
            f"this QR code is not for a Fiera point of sale (no {emvco.FIERA_GUID} account)"
        )
    merchant_text, outlet_code = template.get("01"), template.get("02")
    merchant_id = parse_id(merchant_text) if isinstance(merchant_text, str) else None
    if merchant_id is None or not is_ascii_digits(str(merchant_text)):
        raise NotAFieraQr("the QR code's Fiera account has no merchant id (26.01)")
    if not isinstance(outlet_code, str) or not outlet_code:
        raise NotAFieraQr("the QR code names no point of sale (26.02)")
    outlet = Outlet.objects.filter(merchant_id=merchant_id, code=outlet_code).first()
    if outlet is None:
        raise UnknownOutlet(f"no point of sale {outlet_code} of merchant {merchant_text}")
    if not outlet.accepts_payments:
        raise OutletNotAccepting(
            f"the point of sale {outlet.code} is {outlet.status}: it does not take payments"
        )
    currency = parsed.currency
    if currency != settlement_currency():
        raise CurrencyMismatch(
            f"the QR code asks for {currency}; Fiera points of sale take {settlement_currency()}"
        )
    if parsed.amount_minor is not None:
        if amount_minor is not None and amount_minor != parsed.amount_minor:
            raise AmountMismatch(
                f"the QR code is for {parsed.amount_minor} {currency} minor units; "
                f"the request says {amount_minor}",
                qr_amount_minor=parsed.amount_minor,
                amount_minor=amount_minor,
                currency=currency,
            )
        return outlet, parsed.amount_minor, currency
    if amount_minor is None:
        raise AmountRequired("this QR code has no amount: key in the amount to pay")
    return outlet, check_amount(amount_minor, currency), currency


def qr_payment_submit(
    *,
    user_id: int,
    payload: str,
    request_id: str,
    now: datetime,
    amount_minor: int | None = None,
    wallet_currency: str = "CNY",
    actor_role: str,
) -> QrPaymentResult:
    """Pay the scanned ``payload`` from the user's ``wallet_currency`` wallet (see the module
    docstring for the steps, the 4xx and the S/F/U answer). ``amount_minor`` (minor units
    of the QR's currency) is for static QR codes; a dynamic one carries its amount."""
    check_buyer(actor_role=actor_role)
    request_id = check_request_id(request_id)
    if not isinstance(payload, str) or not payload.strip():
        raise emvco.MalformedPayload("the payload is empty")
    payload = payload.strip()
    if len(payload) > emvco.MAX_PAYLOAD_CHARS:
        raise emvco.MalformedPayload(
            f"the payload has {len(payload)} characters; at most {emvco.MAX_PAYLOAD_CHARS}"
        )
    if amount_minor is not None:
        check_amount(amount_minor, "EUR")
    code = check_wallet_currency(wallet_currency)
    sha = fingerprint({"payload": payload, "amount_minor": amount_minor, "wallet": code})
    row = QrPayment.objects.filter(user_id=user_id, request_id=request_id).first()
    if row is not None:
        return _replay(row, sha, now)
    outlet, amount, currency = _resolve(emvco.parse(payload), amount_minor)
    wallet = Wallet.objects.filter(user_id=user_id, currency=code).first()
    if wallet is None:
        raise NoWallet(f"you have no {code} wallet: open one and top it up")
    if code != currency:  # the rate must exist and the amount convert, before any write
        terms, _ = fx_terms(sell_currency=code, buy_currency=currency, on=now.date())
        fx_amounts(terms, sell_amount_minor=None, buy_amount_minor=amount)
    try:
        with transaction.atomic():
            row = QrPayment.objects.create(
                user_id=user_id,
                request_id=request_id,
                request_sha256=sha,
                payload=payload,
                outlet=outlet,
                merchant_id=outlet.merchant_id,
                amount_minor=amount,
                currency=currency,
                wallet=wallet,
                status=QrStatus.UNKNOWN,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:  # a concurrent duplicate recorded it first
        row = QrPayment.objects.get(user_id=user_id, request_id=request_id)
        return _replay(row, sha, now)
    return _drive(row.pk, now)


def _replay(row: QrPayment, sha: str, now: datetime) -> QrPaymentResult:
    if row.request_sha256 != sha:
        raise RequestIdReused(
            f"payment request {row.request_id} was made with another payload or amount"
        )
    if row.status == QrStatus.UNKNOWN:
        return _drive(row.pk, now)
    return selectors.qr_payment_result(row)


def _drive(pk: int, now: datetime) -> QrPaymentResult:
    """Step 3 of the module docstring; U when its outcome cannot be told."""
    try:
        with transaction.atomic():
            row = QrPayment.objects.select_for_update().select_related("wallet").get(pk=pk)
            if row.status != QrStatus.UNKNOWN:
                return selectors.qr_payment_result(row)
            try:
                with transaction.atomic():
                    payment = _book(row, now)
                    _stage("booked")
            except InsufficientFunds as exc:
                row.status = QrStatus.FAILURE
                row.error_code = InsufficientFunds.code
                row.error_detail = exc.detail[:300]
            else:
                row.status = QrStatus.SUCCESS
                row.payment = payment
            row.updated_at = now
            row.save(
                update_fields=["status", "error_code", "error_detail", "payment", "updated_at"]
            )
        _stage("committed")
    except (PaymentTimeout, OperationalError):
        log.warning("QR payment %s: outcome unknown", pk, exc_info=True)
        row = QrPayment.objects.select_related("wallet").get(pk=pk)
        return selectors.qr_payment_result(row, status=QrStatus.UNKNOWN)
    return selectors.qr_payment_result(row)


def _book(row: QrPayment, now: datetime) -> Payment:
    """Quote (when FX is needed), ledger chain and Payment row; raises InsufficientFunds."""
    wallet = row.wallet
    payable = merchant_account_id("merchant_payable", row.merchant_id)
    key = f"qr:{row.pk}"
    reference = f"qr:{row.user_id}:{row.request_id}"
    if wallet.currency == row.currency:
        book(
            [
                spec(
                    f"{key}:pay",
                    debit=wallet.ledger_account_id,
                    credit=payable,
                    amount_minor=row.amount_minor,
                    currency=row.currency,
                    code="payment",
                    reference=reference,
                )
            ],
            now,
        )
        quote, paid, spread = None, row.amount_minor, 0
    else:
        terms, rate_date = fx_terms(
            sell_currency=wallet.currency, buy_currency=row.currency, on=now.date()
        )
        quote = quote_new(
            user_id=row.user_id,
            terms=terms,
            rate_date=rate_date,
            sell_amount_minor=None,
            buy_amount_minor=row.amount_minor,
            now=now,
            purpose="qr",
            executed=True,
        )
        book(
            fx_legs(
                key=key,
                reference=reference,
                source_account_id=wallet.ledger_account_id,
                target_account_id=payable,
                sell_currency=wallet.currency,
                buy_currency=row.currency,
                mid_sell_minor=quote.mid_sell_minor,
                spread_minor=quote.spread_minor,
                buy_minor=quote.buy_amount_minor,
            ),
            now,
        )
        paid, spread = quote.sell_amount_minor, quote.spread_minor
    return payment_record(
        kind=PaymentKind.QR,
        reference=reference,
        charge_reference=reference,
        wallet=wallet,
        merchant_id=row.merchant_id,
        paid_minor=paid,
        credit_minor=row.amount_minor,
        credit_currency=row.currency,
        now=now,
        quote=quote,
        spread_minor=spread,
        outlet_id=row.outlet_id,
    )


def qr_payment_query(
    *, user_id: int, request_id: str, now: datetime, actor_role: str
) -> QrPaymentResult:
    """The result of the user's payment request (another user's is unknown: 404). A U is
    settled here for good under the row lock: the payment either committed (S) or never
    will (F, "not_completed": no money moved)."""
    check_buyer(actor_role=actor_role)
    row = (
        QrPayment.objects.select_related("wallet")
        .filter(user_id=user_id, request_id=request_id if isinstance(request_id, str) else "")
        .first()
    )
    if row is None:
        raise QrPaymentNotFound(f"no payment request {request_id!r}")
    if row.status != QrStatus.UNKNOWN:
        return selectors.qr_payment_result(row)
    with transaction.atomic():
        row = QrPayment.objects.select_for_update().select_related("wallet").get(pk=row.pk)
        if row.status == QrStatus.UNKNOWN:
            row.status = QrStatus.FAILURE
            row.error_code = "not_completed"
            row.error_detail = "the payment did not complete; no money moved"
            row.updated_at = now
            row.save(update_fields=["status", "error_code", "error_detail", "updated_at"])
    return selectors.qr_payment_result(row)
