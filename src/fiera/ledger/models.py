"""Ledger models: double-entry accounts with their balances, and immutable transfers.

Modelled on TigerBeetle. A *ledger* is a currency: every account belongs to one, and a
transfer moves an integer amount of that currency's minor unit from a debit account to
a credit account. Balances live on the account row (four non-negative totals) and change
only in the transaction that inserts the transfer; the rules the account's flags impose
are CHECK constraints, so no code path can break them. Transfers are never updated or
deleted (a migration installs triggers that refuse it); a mistake is corrected by a new
transfer (``services.transfer_reverse``).

The write path uses raw SQL on these tables (see ``services``); a change of a column here
must be mirrored there.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    """One account of one ledger (currency), owned by a user, a merchant or the system.

    ``owner_type`` and ``owner_id`` are plain values ("user", 42), ("merchant", 7),
    ("system", 0), not foreign keys: the ledger sits below the apps that own them.
    The balances are sums of the amounts of the transfers on each side, in minor units:
    ``*_pending`` reserved by pending transfers not yet posted, voided or expired,
    ``*_posted`` final.
    """

    currency = models.CharField(max_length=3, help_text="ISO 4217: the ledger")
    code = models.CharField(max_length=32, help_text='What it is for: "wallet", "fees" ...')
    owner_type = models.CharField(max_length=16)
    owner_id = models.BigIntegerField()
    debits_must_not_exceed_credits = models.BooleanField(
        default=False, help_text="Never below zero (consumer wallets)."
    )
    credits_must_not_exceed_debits = models.BooleanField(default=False)
    debits_pending = models.BigIntegerField(default=0)
    debits_posted = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "owner_type", "owner_id", "currency"], name="ledger_account_key"
            ),
            models.CheckConstraint(
                condition=Q(debits_pending__gte=0)
                & Q(debits_posted__gte=0)
                & Q(credits_pending__gte=0)
                & Q(credits_posted__gte=0),
                name="ledger_account_balances_not_negative",
            ),
            models.CheckConstraint(
                condition=~(
                    Q(debits_must_not_exceed_credits=True) & Q(credits_must_not_exceed_debits=True)
                ),
                name="ledger_account_flags_exclusive",
            ),
            models.CheckConstraint(
                condition=Q(debits_must_not_exceed_credits=False)
                | Q(credits_posted__gte=F("debits_pending") + F("debits_posted")),
                name="ledger_account_debits_within_credits",
            ),
            models.CheckConstraint(
                condition=Q(credits_must_not_exceed_debits=False)
                | Q(debits_posted__gte=F("credits_pending") + F("credits_posted")),
                name="ledger_account_credits_within_debits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.owner_type}:{self.owner_id} {self.currency} (#{self.pk})"


class Transfer(models.Model):
    """An immutable movement of ``amount_minor`` from the debit to the credit account.

    ``transfer_id`` is the client's id (128 bits, a UUID): a retry with the same id and
    the same fields returns the original. Kinds, by flags: a plain transfer (no flag)
    moves posted amounts; ``pending`` reserves (moves *_pending) until a later transfer
    with ``post_pending`` (moves up to the reserved amount to posted, releases the rest)
    or ``void_pending`` (releases it) names it in ``pending_transfer``; ``expiry`` marks
    the void booked by ``pending_expire`` once ``expires_at`` passed. A pending transfer
    is resolved at most once (checked under the account locks). ``seq`` orders transfers as
    they were applied (per account it is the order of the balance changes).
    """

    seq = models.BigAutoField(primary_key=True)
    transfer_id = models.UUIDField(unique=True)
    # Under Citus transfers are spread by ``transfer_id`` and accounts by owner
    # (fiera.common.citus), so none of the four references is a database foreign key: the
    # write path locks both accounts (a missing one fails the transfer) and reads the
    # pending transfer it resolves, and resolves or reverses a transfer at most once by
    # checking under those locks (docs/decisions/0008-citus-distribution.md).
    debit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    credit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    code = models.CharField(max_length=32, help_text='Why: "topup", "payment", "refund" ...')
    reference = models.CharField(max_length=200, blank=True, default="")
    pending = models.BooleanField(default=False)
    post_pending = models.BooleanField(default=False)
    void_pending = models.BooleanField(default=False)
    expiry = models.BooleanField(default=False)
    linked = models.BooleanField(default=False)
    pending_transfer = models.ForeignKey(
        "self",
        to_field="transfer_id",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    reversal_of = models.ForeignKey(
        "self",
        to_field="transfer_id",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    timeout_seconds = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ledger transfer")
        verbose_name_plural = _("ledger transfers")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["debit_account", "seq"], name="ledger_transfer_debit_seq"),
            models.Index(fields=["credit_account", "seq"], name="ledger_transfer_credit_seq"),
            models.Index(
                fields=["expires_at"],
                condition=Q(pending=True),
                name="ledger_transfer_pending_expiry",
            ),
            # How a pending transfer was resolved, and whether a transfer was reversed, are
            # looked up under the account locks (they were unique indexes before Citus).
            models.Index(
                fields=["pending_transfer"],
                condition=Q(pending_transfer__isnull=False),
                name="ledger_transfer_resolution",
            ),
            models.Index(
                fields=["reversal_of"],
                condition=Q(reversal_of__isnull=False),
                name="ledger_transfer_reversal",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="ledger_transfer_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")), name="ledger_transfer_two_accounts"
            ),
            models.CheckConstraint(
                condition=(
                    Q(pending=False, post_pending=False, void_pending=False)
                    | Q(pending=True, post_pending=False, void_pending=False)
                    | Q(pending=False, post_pending=True, void_pending=False)
                    | Q(pending=False, post_pending=False, void_pending=True)
                ),
                name="ledger_transfer_one_kind",
            ),
            models.CheckConstraint(
                condition=Q(pending_transfer__isnull=True)
                | Q(post_pending=True)
                | Q(void_pending=True),
                name="ledger_transfer_pending_ref_for_resolution",
            ),
            models.CheckConstraint(
                condition=~(Q(post_pending=True) | Q(void_pending=True))
                | Q(pending_transfer__isnull=False),
                name="ledger_transfer_resolution_names_pending",
            ),
            models.CheckConstraint(
                condition=Q(expiry=False) | Q(void_pending=True),
                name="ledger_transfer_expiry_is_void",
            ),
            models.CheckConstraint(
                condition=Q(timeout_seconds=0) | Q(pending=True),
                name="ledger_transfer_timeout_for_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.amount_minor} {self.currency} {self.code}"


class BalanceDelta(models.Model):
    """A posted amount booked by a transfer but not yet added to its account's balances.

    The lean wallet checkout (``services.transfers_book_deferred``) must not lock the
    shared accounts it credits (merchant payables, FX liquidity, fees): it inserts the
    transfer and, for each such side, one delta row here. ``services.balance_deltas_apply``
    folds the deltas into ``Account`` (run by Celery beat every few seconds, and by the
    services that settle an account). Only accounts without balance limits receive deltas,
    so no rule can be broken while they wait; the readers (``selectors``) add the deltas
    not yet folded, so balances read are exact, and ``ledger_verify`` counts them.
    ``owner_id`` is the account's (the Citus distribution column, with the account).
    """

    owner_id = models.BigIntegerField()
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    debits_posted = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    transfer_seq = models.BigIntegerField(help_text="the transfer that booked it (seq)")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ledger balance delta")
        verbose_name_plural = _("ledger balance deltas")
        ordering = ["id"]
        indexes = [models.Index(fields=["account"], name="ledger_delta_account")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debits_posted__gt=0) & Q(credits_posted=0))
                | (Q(debits_posted=0) & Q(credits_posted__gt=0)),
                name="ledger_delta_one_side_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"delta {self.account_id} +{self.debits_posted}/+{self.credits_posted}"
