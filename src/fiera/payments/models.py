"""Payments models: points of sale (outlets and their terminals) and ECB reference rates.

Outlets and terminals carry ``merchant_id``, the tenant key (distribution column under
Citus); FX rates are reference data (a replicated table).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutletStatus(models.TextChoices):
    """Rollout status of a point of sale.

    Allowed transitions (``services.OUTLET_TRANSITIONS``)::

        planned   -> pilot | live | closed
        pilot     -> live | suspended | closed
        live      -> suspended | closed
        suspended -> pilot | live | closed
        closed    -> (none: closing is final)

    Pilot and live outlets accept payments; ``opened_at`` is set when an outlet first
    opens (pilot or live) and kept through suspensions.
    """

    PLANNED = "planned", _("Planned")
    PILOT = "pilot", _("Pilot")
    LIVE = "live", _("Live")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


OPENED_STATUSES = (OutletStatus.PILOT, OutletStatus.LIVE, OutletStatus.SUSPENDED)


class Outlet(models.Model):
    """A point of sale of a merchant's network (a post office of the post-office operator)."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=32, help_text="unique per merchant, e.g. UP-015146-01")
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=5, blank=True, default="", help_text="CAP")
    municipality_code = models.CharField(max_length=6, help_text="ISTAT, six digits")
    region_code = models.CharField(max_length=6, help_text="ISO 3166-2:IT, from the municipality")
    mcc = models.CharField(max_length=4, default="9402", help_text="ISO 18245 merchant category")
    status = models.CharField(
        max_length=12, choices=OutletStatus.choices, default=OutletStatus.PLANNED
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["merchant_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="outlet_code_per_merchant"),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"),
                name="outlet_code_format",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OutletStatus.values), name="outlet_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=OPENED_STATUSES) | models.Q(opened_at__isnull=False),
                name="outlet_opened_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(municipality_code__regex=r"^[0-9]{6}$"),
                name="outlet_municipality_istat",
            ),
            models.CheckConstraint(
                condition=models.Q(region_code__regex=r"^IT-[0-9]{2}$"), name="outlet_region_iso"
            ),
            models.CheckConstraint(
                condition=models.Q(mcc__regex=r"^[0-9]{4}$"), name="outlet_mcc_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(postal_code="") | models.Q(postal_code__regex=r"^[0-9]{5}$"),
                name="outlet_postal_code_cap",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "status"], name="outlet_merchant_status"),
            models.Index(fields=["region_code", "status"], name="outlet_region_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def accepts_payments(self) -> bool:
        return self.status in (OutletStatus.PILOT, OutletStatus.LIVE)


class Terminal(models.Model):
    """A till or device at an outlet; its id goes in the QR's terminal label (62/07)."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="terminals")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    terminal_id = models.CharField(max_length=16)
    label = models.CharField(max_length=80, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")
        ordering = ["outlet_id", "terminal_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "outlet", "terminal_id"], name="terminal_id_per_outlet"
            ),
            models.CheckConstraint(
                condition=models.Q(terminal_id__regex=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$"),
                name="terminal_id_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outlet_id}/{self.terminal_id}"


class FxRate(models.Model):
    """An ECB euro reference rate: 1 ``base`` (EUR) = ``rate_e9`` / 10**9 ``quote``.

    The rate is an exact integer fixed point (nine decimals: the ECB publishes at most
    six), never a float. One row per quote currency and day.
    """

    base = models.CharField(max_length=3, default="EUR")
    quote = models.CharField(max_length=3)
    rate_e9 = models.BigIntegerField(help_text="units of quote per base unit, times 10**9")
    date = models.DateField()
    source = models.CharField(max_length=8, default="ECB")

    class Meta:
        verbose_name = _("FX rate")
        verbose_name_plural = _("FX rates")
        ordering = ["-date", "quote"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "date"], name="fx_rate_quote_date"),
            models.CheckConstraint(condition=models.Q(rate_e9__gt=0), name="fx_rate_positive"),
            models.CheckConstraint(condition=models.Q(base="EUR"), name="fx_rate_base_eur"),
            models.CheckConstraint(
                condition=models.Q(quote__regex=r"^[A-Z]{3}$") & ~models.Q(quote="EUR"),
                name="fx_rate_quote_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} 1 {self.base} = {Decimal(self.rate_e9).scaleb(-9):f} {self.quote}"


# --- wallets and money movements ---------------------------------------------------------
#
# Every amount below is integer minor units of the currency named beside it. The money
# itself lives in the ledger (``fiera.ledger``): these rows record why it moved, with the
# ids of the ledger transfers, so a request can be answered again without moving it twice.

_REQUEST_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
_CURRENCY = r"^[A-Z]{3}$"
_RATE = r"^[0-9]+(\.[0-9]+)?$"


class Wallet(models.Model):
    """A user's stored value in one currency: a ledger account that never goes below zero
    (``debits_must_not_exceed_credits``). One per user and currency."""

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    # The ledger is distributed by account owner, the wallet by user (fiera.common.citus):
    # no database foreign key between them; one wallet per account, per user.
    ledger_account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")
        ordering = ["user_id", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["user", "currency"], name="wallet_per_user_currency"),
            models.UniqueConstraint(
                fields=["user", "ledger_account"], name="wallet_ledger_account_once"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=_CURRENCY), name="wallet_currency_code"
            ),
        ]

    def __str__(self) -> str:
        return f"wallet {self.currency} of user {self.user_id}"


class TopUpStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class TopUp(models.Model):
    """A top-up request: money charged to a funding source, booked funding -> wallet.

    ``request_id`` is the client's idempotency key (unique per user); ``request_sha256``
    the fingerprint of its body. ``pending`` while the gateway's answer is not known.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="top_ups")
    request_id = models.CharField(max_length=64)
    request_sha256 = models.CharField(max_length=64)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    funding_reference = models.CharField(max_length=100)
    status = models.CharField(
        max_length=10, choices=TopUpStatus.choices, default=TopUpStatus.PENDING
    )
    gateway_reference = models.CharField(max_length=100, blank=True, default="")
    error_code = models.CharField(max_length=40, blank=True, default="")
    error_detail = models.CharField(max_length=300, blank=True, default="")
    transfer_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "request_id"], name="top_up_request_once"),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gt=0), name="top_up_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(request_id__regex=_REQUEST_ID), name="top_up_request_id"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=TopUpStatus.values), name="top_up_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=TopUpStatus.SUCCEEDED)
                | models.Q(transfer_id__isnull=False),
                name="top_up_succeeded_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"top-up {self.request_id} {self.amount_minor} {self.currency} ({self.status})"


class FxQuote(models.Model):
    """A price fixed for a short time: ``sell_amount_minor`` of ``sell_currency`` buys
    ``buy_amount_minor`` of ``buy_currency``.

    ``rate`` is the ECB reference rate used (1 ``rate_base`` = ``rate`` ``rate_quote``,
    exact decimal text as published or crossed), ``markup_bp`` the stated mark-up in basis
    points (50 = 0.50 %). The payer gives ``sell_amount_minor``: ``mid_sell_minor`` of it is
    converted at the mid (reference) rate through the FX liquidity accounts and
    ``spread_minor`` (= sell - mid_sell, in the sell currency) is the mark-up, booked to
    fees. ``fixed_side`` says which amount the customer asked for (the other one is
    computed, rounded once). Executed at most once (``executed_at``).
    """

    quote_id = models.UUIDField(unique=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    sell_currency = models.CharField(max_length=3)
    buy_currency = models.CharField(max_length=3)
    sell_amount_minor = models.BigIntegerField()
    buy_amount_minor = models.BigIntegerField()
    mid_sell_minor = models.BigIntegerField()
    spread_minor = models.BigIntegerField()
    fixed_side = models.CharField(max_length=4)
    rate_base = models.CharField(max_length=3)
    rate_quote = models.CharField(max_length=3)
    rate = models.CharField(max_length=40)
    rate_date = models.DateField()
    markup_bp = models.PositiveIntegerField()
    purpose = models.CharField(max_length=16, default="convert")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("FX quote")
        verbose_name_plural = _("FX quotes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sell_amount_minor__gt=0, buy_amount_minor__gt=0)
                & models.Q(mid_sell_minor__gt=0, spread_minor__gte=0),
                name="fx_quote_amounts",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    sell_amount_minor=models.F("mid_sell_minor") + models.F("spread_minor")
                ),
                name="fx_quote_spread_is_the_difference",
            ),
            models.CheckConstraint(
                condition=~models.Q(sell_currency=models.F("buy_currency")),
                name="fx_quote_two_currencies",
            ),
            models.CheckConstraint(
                condition=models.Q(fixed_side__in=["sell", "buy"]), name="fx_quote_fixed_side"
            ),
            models.CheckConstraint(condition=models.Q(rate__regex=_RATE), name="fx_quote_rate"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="fx_quote_expires_later",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"quote {self.quote_id}: {self.sell_amount_minor} {self.sell_currency} -> "
            f"{self.buy_amount_minor} {self.buy_currency}"
        )


class PaymentKind(models.TextChoices):
    CHECKOUT = "checkout", _("Checkout")
    QR = "qr", _("QR at a point of sale")
    ESCROW = "escrow", _("Trade assurance")


class SettlementRun(models.Model):
    """One merchant's payout for one day: everything of the merchant not yet settled
    that happened before the end of ``day`` (UTC), net of refunds and fees.

    ``net_minor`` = gross - refunds - fees + carried_in (carried_in <= 0 is what the last
    run left owing); ``payout_minor`` = max(net, 0) and ``carried_out_minor`` = min(net, 0).
    One run per merchant and day: a rerun finds it.
    """

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    currency = models.CharField(max_length=3)
    gross_minor = models.BigIntegerField(default=0)
    refunds_minor = models.BigIntegerField(default=0)
    fees_minor = models.BigIntegerField(default=0)
    carried_in_minor = models.BigIntegerField(default=0)
    net_minor = models.BigIntegerField(default=0)
    payout_minor = models.BigIntegerField(default=0)
    carried_out_minor = models.BigIntegerField(default=0)
    payments_count = models.PositiveIntegerField(default=0)
    refunds_count = models.PositiveIntegerField(default=0)
    payout_transfer_id = models.UUIDField(null=True, blank=True)
    fee_transfer_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("settlement run")
        verbose_name_plural = _("settlement runs")
        ordering = ["-day", "merchant_id"]
        indexes = [models.Index(fields=["day"], name="settlement_run_day")]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "day"], name="settlement_run_per_day"),
            models.CheckConstraint(
                condition=models.Q(
                    gross_minor__gte=0, refunds_minor__gte=0, fees_minor__gte=0, payout_minor__gte=0
                )
                & models.Q(carried_in_minor__lte=0, carried_out_minor__lte=0),
                name="settlement_run_signs",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    net_minor=models.F("gross_minor")
                    - models.F("refunds_minor")
                    - models.F("fees_minor")
                    + models.F("carried_in_minor")
                ),
                name="settlement_run_net",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    net_minor=models.F("payout_minor") + models.F("carried_out_minor")
                ),
                name="settlement_run_payout_and_carry",
            ),
        ]

    def __str__(self) -> str:
        return f"settlement {self.day} merchant {self.merchant_id}: {self.payout_minor}"


class Payment(models.Model):
    """Money a wallet paid to a merchant (one row per merchant of a checkout, per QR
    payment, per released escrow).

    The payer gave ``paid_minor`` of ``paid_currency`` (its wallet's); the merchant's
    payable got ``credit_minor`` of ``credit_currency`` (the settlement currency, EUR).
    When they differ, FX was used: ``rate``/``markup_bp`` are the quote's and
    ``spread_minor`` (paid currency) the mark-up booked to fees; refunds use these, never
    a new rate. ``fee_minor`` (credit currency, ``fee_bp`` of the credit, rounded once) is
    the merchant's fee, booked at settlement. ``refunded_*`` add up what refunds returned.
    ``reference`` identifies the payment for its caller (an order number, a QR request);
    ``charge_reference`` groups the payments of one checkout.
    """

    payment_id = models.UUIDField(db_index=True)  # unique per merchant (constraint below)
    kind = models.CharField(max_length=10, choices=PaymentKind.choices)
    reference = models.CharField(max_length=200, db_index=True)  # unique per merchant
    charge_reference = models.CharField(max_length=200)
    payer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    # The wallet and the FX quote live with the payer, the payment with the merchant: no
    # database foreign keys across the two (fiera.common.citus).
    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, related_name="payments", db_constraint=False
    )
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey(
        "Outlet", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    paid_minor = models.BigIntegerField()
    paid_currency = models.CharField(max_length=3)
    credit_minor = models.BigIntegerField()
    credit_currency = models.CharField(max_length=3)
    fx_quote = models.ForeignKey(
        FxQuote,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
    )
    rate = models.CharField(max_length=40, blank=True, default="")
    rate_base = models.CharField(max_length=3, blank=True, default="")
    rate_quote = models.CharField(max_length=3, blank=True, default="")
    markup_bp = models.PositiveIntegerField(default=0)
    spread_minor = models.BigIntegerField(default=0)
    fee_bp = models.PositiveIntegerField(default=0)
    fee_minor = models.BigIntegerField(default=0)
    refunded_paid_minor = models.BigIntegerField(default=0)
    refunded_credit_minor = models.BigIntegerField(default=0)
    refunded_spread_minor = models.BigIntegerField(default=0)
    settlement_run = models.ForeignKey(
        SettlementRun, on_delete=models.PROTECT, related_name="payments", null=True, blank=True
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["charge_reference"], name="payment_charge_reference"),
            models.Index(
                fields=["merchant", "created_at"],
                condition=models.Q(settlement_run__isnull=True),
                name="payment_unsettled",
            ),
            models.Index(fields=["payer", "created_at"], name="payment_payer"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "payment_id"], name="payment_id_once"),
            models.UniqueConstraint(
                fields=["merchant", "reference"], name="payment_reference_once"
            ),
            models.CheckConstraint(
                condition=models.Q(paid_minor__gt=0, credit_minor__gt=0)
                & models.Q(spread_minor__gte=0, fee_minor__gte=0),
                name="payment_amounts",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_paid_minor__gte=0)
                & models.Q(refunded_paid_minor__lte=models.F("paid_minor"))
                & models.Q(refunded_credit_minor__gte=0)
                & models.Q(refunded_credit_minor__lte=models.F("credit_minor"))
                & models.Q(refunded_spread_minor__gte=0)
                & models.Q(refunded_spread_minor__lte=models.F("spread_minor")),
                name="payment_refunds_within_paid",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_currency=models.F("credit_currency"), rate="")
                | (~models.Q(paid_currency=models.F("credit_currency")) & ~models.Q(rate="")),
                name="payment_rate_when_fx",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=PaymentKind.values), name="payment_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"payment {self.reference}: {self.paid_minor} {self.paid_currency}"


class PaymentRefund(models.Model):
    """Part or all of a payment given back, at the payment's own rate: ``paid_minor``
    returns to the wallet (``spread_minor`` of it from fees), ``credit_minor`` leaves the
    merchant's payable. ``reference`` is the caller's idempotency key (unique per merchant)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=200, db_index=True)
    paid_minor = models.BigIntegerField()
    credit_minor = models.BigIntegerField()
    spread_minor = models.BigIntegerField(default=0)
    settlement_run = models.ForeignKey(
        SettlementRun, on_delete=models.PROTECT, related_name="refunds", null=True, blank=True
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("payment refund")
        verbose_name_plural = _("payment refunds")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["merchant", "created_at"],
                condition=models.Q(settlement_run__isnull=True),
                name="refund_unsettled",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "reference"], name="payment_refund_reference_once"
            ),
            models.CheckConstraint(
                condition=models.Q(paid_minor__gt=0, credit_minor__gte=0, spread_minor__gte=0),
                name="payment_refund_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.reference}: {self.paid_minor}"


class QrStatus(models.TextChoices):
    """Alipay+-style result status: S success, F failure, U unknown (query it later)."""

    SUCCESS = "S", _("Paid")
    FAILURE = "F", _("Failed")
    UNKNOWN = "U", _("Unknown")


class QrPayment(models.Model):
    """A consumer's payment request for a scanned merchant-presented QR code.

    ``request_id`` is the client's idempotency key (unique per user). ``U`` while the
    outcome is not known; the money moves in the same transaction that sets ``S``, so
    ``S`` holds exactly when the ledger has the payment.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    request_id = models.CharField(max_length=64)
    request_sha256 = models.CharField(max_length=64)
    payload = models.CharField(max_length=512)
    # The request lives with the payer; the outlet and the payment with the merchant: no
    # database foreign keys across the two (fiera.common.citus).
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=1, choices=QrStatus.choices, default=QrStatus.UNKNOWN)
    error_code = models.CharField(max_length=40, blank=True, default="")
    error_detail = models.CharField(max_length=300, blank=True, default="")
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("QR payment")
        verbose_name_plural = _("QR payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "request_id"], name="qr_payment_request_once"),
            models.UniqueConstraint(fields=["user", "payment"], name="qr_payment_payment_once"),
            models.CheckConstraint(
                condition=models.Q(request_id__regex=_REQUEST_ID), name="qr_payment_request_id"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gt=0), name="qr_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=QrStatus.values), name="qr_payment_status_known"
            ),
            models.CheckConstraint(
                condition=(models.Q(status=QrStatus.SUCCESS) & models.Q(payment__isnull=False))
                | (~models.Q(status=QrStatus.SUCCESS) & models.Q(payment__isnull=True)),
                name="qr_payment_success_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"qr {self.request_id} ({self.status})"


class EscrowStatus(models.TextChoices):
    HELD = "held", _("Held")
    RELEASED = "released", _("Released")
    REFUNDED = "refunded", _("Refunded")
    EXPIRED = "expired", _("Expired")


class Escrow(models.Model):
    """Trade assurance: the buyer's money reserved by a pending ledger transfer (wallet ->
    escrow) until the order is delivered (posted, then paid to the merchant) or disputed
    (voided). An unresolved hold expires at ``expires_at`` (the ledger voids it)."""

    reference = models.CharField(max_length=200, db_index=True)  # unique per merchant
    buyer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    # The wallet lives with the buyer (another co-location group): no database foreign key.
    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    pending_transfer_id = models.UUIDField(db_index=True)  # unique per merchant
    status = models.CharField(max_length=10, choices=EscrowStatus.choices)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("escrow")
        verbose_name_plural = _("escrows")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "reference"], name="escrow_reference_once"),
            models.UniqueConstraint(
                fields=["merchant", "pending_transfer_id"], name="escrow_pending_transfer_once"
            ),
            models.UniqueConstraint(fields=["merchant", "payment"], name="escrow_payment_once"),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gt=0), name="escrow_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EscrowStatus.values), name="escrow_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=EscrowStatus.RELEASED) | models.Q(payment__isnull=False),
                name="escrow_released_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"escrow {self.reference} ({self.status})"
