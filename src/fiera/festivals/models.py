"""Festivals: the event, who takes part, festival prices, flash sales and live GMV tallies.

Tables and where Citus keeps them (``fiera.common.citus.PLAN``):

- ``Festival`` and ``Participation``: reference tables (a handful of festivals, a few
  thousand applications), read by every festival page.
- ``FestivalPrice``, ``FlashSale``, ``FlashSaleBucket``, ``FlashSaleBuyer``: distributed by
  merchant with the catalog (primary keys (merchant_id, id), composite links to the variant
  and the warehouse), so a flash-sale checkout line is a single-node write beside its stock.
- ``FestivalOrder`` and ``GmvTally``: distributed by merchant; written by the order events'
  subscriber (``fiera.festivals.tallies``), read by the rankings without scanning orders.
- ``GmvMerchantTotal`` (distributed by merchant), ``GmvMinute`` and ``GmvBuyerCountry``
  (local to the coordinator): rollups of ``GmvTally`` written with the same deltas in the same
  transaction; the rankings, totals and series read them (a few thousand rows per
  festival, not one per order).

Money is in integer minor units of ``currency``; tallies are in US cents (the reporting
currency), converted at the rate recorded on the ``FestivalOrder`` when it was counted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

REPORTING_CURRENCY = "USD"


class Festival(models.Model):
    """A shopping festival on one or more marketplaces: ``starts_at`` .. ``ends_at`` (stored
    in UTC; ``timezone`` is the IANA zone its pages show times in), with a warm-up from
    ``warmup_starts_at`` (festival prices shown, not yet sold at). Growth is measured against
    ``baseline_festival`` (the previous edition) or, when none, the window of the same length
    just before ``starts_at``."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_it = models.CharField(_("Italian name"), max_length=120, blank=True, default="")
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    description_it = models.TextField(_("Italian description"), blank=True, default="")
    description_zh = models.TextField(_("Chinese description"), blank=True, default="")
    name_es = models.CharField(_("Spanish name"), max_length=120, blank=True, default="")
    description_es = models.TextField(_("Spanish description"), blank=True, default="")
    marketplaces = models.ManyToManyField(
        "marketplaces.Marketplace", related_name="+", verbose_name=_("marketplaces")
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    warmup_starts_at = models.DateTimeField(_("warm-up starts"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    baseline_festival = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous edition"),
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("festival")
        verbose_name_plural = _("festivals")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="festival_starts_before_end"
            ),
            models.CheckConstraint(
                condition=Q(warmup_starts_at__lte=F("starts_at")),
                name="festival_warmup_before_start",
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="festival_window")]

    def __str__(self) -> str:
        return self.name


class ParticipationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Participation(models.Model):
    """A merchant's application to take part in a festival, and the operator's answer. Only
    approved merchants may set festival prices and flash sales."""

    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="participations")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=ParticipationStatus.choices, default=ParticipationStatus.APPLIED
    )
    pitch = models.TextField(_("why take part"), blank=True, default="")
    decision_note = models.TextField(_("decision note"), blank=True, default="")
    applied_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["festival", "merchant"], name="participation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} in {self.festival_id}: {self.status}"


class FestivalPrice(models.Model):
    """The price of a variant during the festival (from ``starts_at``; shown from the
    warm-up), in ``currency``: the marketplace's price list of that currency is replaced by
    this one while the festival runs."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="prices")
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    currency = models.CharField(max_length=3)
    price_minor = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("festival price")
        verbose_name_plural = _("festival prices")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "festival", "variant", "currency"],
                name="festival_price_once",
            ),
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="festival_price_positive"),
        ]
        indexes = [models.Index(fields=["festival", "variant"], name="festival_price_variant")]

    def __str__(self) -> str:
        return f"{self.variant_id} at {self.price_minor} {self.currency}"


class FlashSale(models.Model):
    """A limited quantity of a variant at ``price_minor`` from ``starts_at`` (until
    ``ends_at`` or sold out), at most ``per_buyer_limit`` units per buyer.

    The ``quantity`` units are set aside from ``warehouse``'s stock when the flash sale is
    created, and split over ``bucket_count`` rows (``FlashSaleBucket``) so that concurrent
    buyers of one hot SKU do not all queue on one row; unsold units go back to the stock
    when it is closed (``closed_at``)."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="flash_sales")
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    currency = models.CharField(max_length=3)
    price_minor = models.BigIntegerField()
    quantity = models.PositiveIntegerField(help_text="units set aside for the flash sale")
    per_buyer_limit = models.PositiveIntegerField(default=1)
    bucket_count = models.PositiveSmallIntegerField(default=1)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    units_returned = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("flash sale")
        verbose_name_plural = _("flash sales")
        constraints = [
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="flash_price_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="flash_quantity_positive"),
            models.CheckConstraint(condition=Q(per_buyer_limit__gt=0), name="flash_limit_positive"),
            models.CheckConstraint(
                condition=Q(bucket_count__gte=1, bucket_count__lte=64), name="flash_buckets_1_64"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="flash_starts_before_end"
            ),
        ]
        indexes = [
            models.Index(fields=["festival", "starts_at"], name="flash_festival_start"),
            models.Index(fields=["variant", "starts_at"], name="flash_variant_start"),
        ]

    def __str__(self) -> str:
        return f"flash sale {self.pk}: {self.quantity} x {self.variant_id}"


class FlashSaleBucket(models.Model):
    """One share of a flash sale's units. Taking units is one conditional UPDATE
    (``units_left >= wanted``), so a bucket never goes below zero (the CHECK backs it)."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    flash_sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="buckets")
    number = models.PositiveSmallIntegerField()
    units_left = models.IntegerField()
    units_sold = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("flash-sale bucket")
        verbose_name_plural = _("flash-sale buckets")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "flash_sale", "number"], name="flash_bucket_once"
            ),
            models.CheckConstraint(condition=Q(units_left__gte=0), name="flash_bucket_not_below_0"),
            models.CheckConstraint(condition=Q(units_sold__gte=0), name="flash_bucket_sold_ge_0"),
        ]

    def __str__(self) -> str:
        return f"bucket {self.number} of {self.flash_sale_id}: {self.units_left} left"


class FlashSaleBuyer(models.Model):
    """How many units of a flash sale a buyer holds (ordered and not given back): one
    conditional upsert per checkout enforces the per-buyer limit under concurrency."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    # No database foreign key (db_constraint=False): one would make PostgreSQL take FOR KEY
    # SHARE on the hot flash-sale row at every buyer upsert. The only writer is
    # ``offers.flash_take``, which names a flash sale it has just read; a flash sale is
    # never deleted while it has buyers (flash sales are closed, not deleted, and a
    # festival's deletion cascades in Django).
    flash_sale = models.ForeignKey(
        FlashSale, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    buyer = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    units = models.IntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("flash-sale buyer")
        verbose_name_plural = _("flash-sale buyers")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "flash_sale", "buyer"], name="flash_buyer_once"
            ),
            models.CheckConstraint(condition=Q(units__gte=0), name="flash_buyer_units_ge_0"),
        ]

    def __str__(self) -> str:
        return f"buyer {self.buyer_id}: {self.units} of {self.flash_sale_id}"


class TallyPhase(models.TextChoices):
    LIVE = "live", _("Festival")
    BASELINE = "baseline", _("Baseline")


class FestivalOrder(models.Model):
    """One order as a festival counted it: the USD figures it added to the tallies (at
    ``usd_rate``, the rate recorded when it was counted), so that a cancellation or refund
    takes off exactly what was added. ``categories`` maps a category id (as a string) to
    [usd_minor, units] of the order's lines in it."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="+")
    order_id = models.BigIntegerField()
    phase = models.CharField(max_length=8, choices=TallyPhase.choices)
    minute = models.DateTimeField()
    marketplace_id = models.BigIntegerField()
    merchant_country = models.CharField(max_length=2)
    buyer_country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField()
    usd_rate = models.CharField(max_length=32, help_text="1 unit of currency in USD")
    gmv_usd_minor = models.BigIntegerField(help_text="what the order counts for now")
    units = models.IntegerField()
    categories = models.JSONField(default=dict)
    counted_at = models.DateTimeField()
    uncounted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("festival order")
        verbose_name_plural = _("festival orders")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "festival", "order_id"], name="festival_order_once"
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.order_id} in {self.festival_id}"


class GmvTally(models.Model):
    """GMV per festival x phase x minute x marketplace x merchant x buyer country x category,
    in US cents. ``orders`` counts an order once: on the row of the lowest category id among
    its lines, so that summing ``orders`` over categories gives the number of orders."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(max_length=8, choices=TallyPhase.choices)
    minute = models.DateTimeField()
    marketplace_id = models.BigIntegerField()
    merchant_country = models.CharField(max_length=2)
    buyer_country = models.CharField(max_length=2)
    category_id = models.BigIntegerField()
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("GMV tally")
        verbose_name_plural = _("GMV tallies")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "merchant",
                    "festival",
                    "phase",
                    "minute",
                    "marketplace_id",
                    "buyer_country",
                    "category_id",
                ],
                name="gmv_tally_cell",
            ),
        ]
        indexes = [
            models.Index(fields=["festival", "phase", "minute"], name="gmv_tally_minute"),
            models.Index(
                fields=["festival", "phase", "merchant_country"], name="gmv_tally_country"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.festival_id} {self.minute:%Y-%m-%d %H:%M} {self.merchant_id}"


class GmvMerchantTotal(models.Model):
    """GMV per festival x phase x merchant x marketplace, in US cents: the rollup of
    ``GmvTally`` the rankings, totals and marketplace split read (a few thousand rows per
    festival instead of about one per order). Written by the order events' subscriber in
    the same transaction and with the same deltas as the tally cells; distributed by
    merchant beside them."""

    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(max_length=8, choices=TallyPhase.choices)
    marketplace_id = models.BigIntegerField()
    merchant_country = models.CharField(max_length=2)
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("GMV merchant total")
        verbose_name_plural = _("GMV merchant totals")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "festival", "phase", "marketplace_id"],
                name="gmv_merchant_total",
            ),
        ]
        indexes = [
            models.Index(fields=["festival", "phase"], name="gmv_merchant_total_fest"),
        ]

    def __str__(self) -> str:
        return f"{self.festival_id} {self.phase} {self.merchant_id} {self.marketplace_id}"


class GmvMinute(models.Model):
    """GMV per festival x phase x minute, in US cents: the rollup of ``GmvTally`` the
    per-minute series and growth read (1,440 rows per festival day). One row per minute is
    a hot row, but it is written by the order events' subscriber (the outbox relay, off the
    checkout), never in the order's transaction; so a checkout never waits on it. Local to
    the Citus coordinator, where the relay runs (``fiera.common.citus.PLAN``)."""

    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(max_length=8, choices=TallyPhase.choices)
    minute = models.DateTimeField()
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("GMV minute")
        verbose_name_plural = _("GMV minutes")
        constraints = [
            models.UniqueConstraint(fields=["festival", "phase", "minute"], name="gmv_minute"),
        ]

    def __str__(self) -> str:
        return f"{self.festival_id} {self.phase} {self.minute:%Y-%m-%d %H:%M}"


class GmvBuyerCountry(models.Model):
    """GMV per festival x phase x buyer country, in US cents: the rollup of ``GmvTally`` the
    buyer-country ranking reads (at most one row per country and phase). Like
    ``GmvMinute``, written only by the order events' subscriber (the outbox relay), with
    the same deltas in the same transaction as the tally cells; local to the Citus
    coordinator (``fiera.common.citus.PLAN``)."""

    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(max_length=8, choices=TallyPhase.choices)
    buyer_country = models.CharField(max_length=2)
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("GMV per buyer country")
        verbose_name_plural = _("GMV per buyer country")
        constraints = [
            models.UniqueConstraint(
                fields=["festival", "phase", "buyer_country"], name="gmv_buyer_country"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.festival_id} {self.phase} {self.buyer_country}"
