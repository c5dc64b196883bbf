"""Analytics tables: sales facts and rollups, written by the order events' subscribers
(``fiera.analytics.rollups``) and rebuilt from the orders by ``analytics_rebuild``.

Money is in US cents (``*_usd_minor``) at the ECB reference rate of the order's placed day,
recorded on ``OrderFact.usd_rate``. Tables and where Citus keeps them
(``fiera.common.citus.PLAN``):

- ``OrderFact``, ``SalesCell``, ``MerchantDay``, ``MerchantMonth``, ``MerchantActivity``:
  distributed by merchant (primary keys (merchant_id, id)), beside the merchant's orders.
- ``SalesRollup``: local to the coordinator, where the outbox relay runs (a few rows per
  day and dimension value, no merchant): the navigator the operator's queries read.
- ``MerchantSet`` and its members, days and months: local too (sums over merchants of
  several shards), for the questions about a set of merchants (partners, pavilions).

Merchant, marketplace and category ids are plain integer columns (no foreign keys): these
rows describe history and are written off the order's transaction by the relay.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderFact(models.Model):
    """One placed order as analytics counted it: what it added to the cells (at
    ``usd_rate``, recorded when it was counted), so that a cancellation or refund takes off
    exactly what was added (idempotency as ``festivals.FestivalOrder``). ``categories`` maps
    a category id (as a string) to [usd_minor, units] counted now, ``placed_categories`` the
    same when it was placed (a refund lowers from it, so that several partial refunds split
    exactly as one of their sum would: the rebuild's answer); ``uncounted_at`` is set
    when the order stops counting (cancelled or refunded in full); ``shipped_day`` when its
    first package was counted."""

    merchant_id = models.BigIntegerField()
    order_id = models.BigIntegerField()
    day = models.DateField(help_text="UTC day the order was placed")
    marketplace_id = models.BigIntegerField()
    merchant_country = models.CharField(max_length=2)
    region = models.CharField(max_length=6, blank=True, default="")
    buyer_country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField()
    usd_rate = models.CharField(max_length=32, help_text="1 unit of currency in USD")
    gmv_usd_minor = models.BigIntegerField(help_text="what the order counts for now")
    units = models.IntegerField()
    categories = models.JSONField(default=dict)
    placed_categories = models.JSONField(
        default=dict, help_text="what it counted for when placed: refunds lower from this"
    )
    counted_at = models.DateTimeField()
    uncounted_at = models.DateTimeField(null=True, blank=True)
    shipped_day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("order fact")
        verbose_name_plural = _("order facts")
        constraints = [
            models.UniqueConstraint(fields=["merchant_id", "order_id"], name="order_fact_once"),
        ]
        indexes = [models.Index(fields=["day"], name="order_fact_day")]

    def __str__(self) -> str:
        return f"order {self.order_id} of {self.merchant_id}"


class SalesCell(models.Model):
    """Orders, units and GMV per merchant x UTC day x marketplace x buyer country x
    category (the fine cells scoped queries read). ``orders`` counts an order once, on the
    cell of the lowest category id among its lines (0: none)."""

    merchant_id = models.BigIntegerField()
    day = models.DateField()
    marketplace_id = models.BigIntegerField()
    buyer_country = models.CharField(max_length=2)
    category_id = models.BigIntegerField()
    merchant_country = models.CharField(max_length=2)
    region = models.CharField(max_length=6, blank=True, default="")
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("sales cell")
        verbose_name_plural = _("sales cells")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant_id", "day", "marketplace_id", "buyer_country", "category_id"],
                name="sales_cell_key",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="sales_cell_day")]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day} {self.marketplace_id} {self.category_id}"


class Grain(models.TextChoices):
    DAY = "d", _("Daily")
    MONTH = "m", _("Monthly")


class RollupDim(models.TextChoices):
    ALL = "all", _("All")
    MERCHANT_COUNTRY = "merchant_country", _("Merchant country")
    BUYER_COUNTRY = "buyer_country", _("Buyer country")
    REGION = "region", _("Region")
    CATEGORY = "category", _("Category")


class SalesRollup(models.Model):
    """Orders, units and GMV per grain ('d' day, 'm' month) x period (the day, or the first
    of the month) x marketplace x one dimension (``dim``) value (``dim_key``: a country or
    region code, a category id as text, "" for ``all``). Written with the same deltas in the
    same transaction as ``SalesCell``; the operator's queries with at most one dimension
    read it. ``packages``: the orders' first packages on the UTC day they shipped, in the
    ``all``, ``merchant_country`` and ``region`` rows (packages are not per buyer country
    or category: those rows carry 0)."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.DateField()
    marketplace_id = models.BigIntegerField()
    dim = models.CharField(max_length=16, choices=RollupDim.choices)
    dim_key = models.CharField(max_length=24, blank=True, default="")
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)
    packages = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("sales rollup")
        verbose_name_plural = _("sales rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "dim", "period", "marketplace_id", "dim_key"],
                name="sales_rollup_key",
            ),
            models.CheckConstraint(condition=Q(grain__in=["d", "m"]), name="sales_rollup_grain"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.period} {self.marketplace_id} {self.dim}={self.dim_key}"


ALL_MARKETPLACES = 0  # MerchantDay/MerchantMonth rows summed over every marketplace


class MerchantDay(models.Model):
    """Orders, units, GMV and packages (first packages, on the UTC day they shipped) per
    merchant x UTC day x marketplace, and the same summed over every marketplace in the
    rows of ``marketplace_id`` 0 (``ALL_MARKETPLACES``): the scoped questions without a
    buyer country or category read it, and active merchants (a distinct count of the
    merchants with ``orders`` > 0) for the partial edge months of a period."""

    merchant_id = models.BigIntegerField()
    day = models.DateField()
    marketplace_id = models.BigIntegerField()
    merchant_country = models.CharField(max_length=2)
    region = models.CharField(max_length=6, blank=True, default="")
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)
    packages = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("merchant day figure")
        verbose_name_plural = _("merchant day figures")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant_id", "day", "marketplace_id"], name="merchant_day_key"
            ),
        ]
        indexes = [  # the active merchants of a range: read from the index alone (PostgreSQL)
            models.Index(
                fields=["marketplace_id", "day", "region", "merchant_id", "orders"],
                name="merchant_day_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day}: {self.orders}"


class MerchantMonth(models.Model):
    """``MerchantDay`` per month (its first day): the whole months of a period."""

    merchant_id = models.BigIntegerField()
    month = models.DateField(help_text="the first day of the month")
    marketplace_id = models.BigIntegerField()
    merchant_country = models.CharField(max_length=2)
    region = models.CharField(max_length=6, blank=True, default="")
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)
    packages = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("merchant month figure")
        verbose_name_plural = _("merchant month figures")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant_id", "month", "marketplace_id"], name="merchant_month_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["marketplace_id", "month", "region", "merchant_id", "orders"],
                name="merchant_month_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.month}: {self.orders}"


DAY_BITS = 61  # days per MerchantActivity word: a positive bigint in every database
WORDS = 6  # words per year: 6 x 61 = 366 days


def day_bit(index: int) -> tuple[int, int]:
    """(word, mask) of the day of the year ``index`` (0 for 1 January)."""
    return index // DAY_BITS, 1 << (index % DAY_BITS)


def day_words(indexes: list[int]) -> list[int]:
    """The ``WORDS`` words with the days ``indexes`` (0-based) set."""
    words = [0] * WORDS
    for index in indexes:
        word, mask = day_bit(index)
        words[word] |= mask
    return words


def span_masks(first: int, last: int) -> dict[int, int]:
    """Per word, the mask of the days ``first`` .. ``last`` (0-based, inclusive)."""
    masks: dict[int, int] = {}
    for word in range(first // DAY_BITS, last // DAY_BITS + 1):
        low = max(first, word * DAY_BITS) - word * DAY_BITS
        high = min(last, word * DAY_BITS + DAY_BITS - 1) - word * DAY_BITS
        masks[word] = ((1 << (high + 1)) - 1) ^ ((1 << low) - 1)
    return masks


class MerchantActivity(models.Model):
    """On which days of a year a merchant was active (``MerchantDay.orders`` > 0), a bit
    per day in six bigint words (``w0`` .. ``w5``, 61 days each: 1 January is bit 0 of
    ``w0``), per merchant x marketplace (``ALL_MARKETPLACES`` rows too) x the merchant country
    and region of its ``MerchantDay`` rows. The distinct active merchants of any period read
    one row per merchant and year, whatever the period's length, testing the period's days
    with a bitwise AND (both engines) from the covering index alone (PostgreSQL), where
    ``MerchantDay`` would give a row per merchant and day (decision 0026)."""

    merchant_id = models.BigIntegerField()
    marketplace_id = models.BigIntegerField()
    year = models.IntegerField()
    merchant_country = models.CharField(max_length=2)
    region = models.CharField(max_length=6, blank=True, default="")
    w0 = models.BigIntegerField(default=0)
    w1 = models.BigIntegerField(default=0)
    w2 = models.BigIntegerField(default=0)
    w3 = models.BigIntegerField(default=0)
    w4 = models.BigIntegerField(default=0)
    w5 = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("merchant activity")
        verbose_name_plural = _("merchant activities")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant_id", "marketplace_id", "year", "merchant_country", "region"],
                name="merchant_activity_key",
            ),
        ]
        indexes = [  # active merchants: read from the index alone (PostgreSQL)
            models.Index(
                fields=[
                    "marketplace_id",
                    "year",
                    "region",
                    "merchant_country",
                    "merchant_id",
                    *(f"w{i}" for i in range(WORDS)),
                ],
                name="merchant_activity_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.year}: {len(self.active_days())} days"

    def active_days(self) -> list[int]:
        """The active days of the year, 1 for 1 January."""
        words = [getattr(self, f"w{i}") for i in range(WORDS)]
        return [
            word * DAY_BITS + bit + 1
            for word, value in enumerate(words)
            for bit in range(DAY_BITS)
            if value >> bit & 1
        ]


class MerchantSet(models.Model):
    """A set of merchants asked about together (a partner's, a pavilion's: any scope of more
    than one merchant), named by the fingerprint of its sorted ids: the first question
    about a set sums its members' ``MerchantDay``/``MerchantMonth`` rows into
    ``MerchantSetDay``/``MerchantSetMonth`` once, the order events' subscriber then keeps
    them (``fiera.analytics.merchant_sets``). A set not read for ``SETS_KEPT_DAYS`` is
    dropped; a changed membership is a new set (decision 0026)."""

    fingerprint = models.CharField(max_length=64, unique=True)
    merchants = models.IntegerField()
    built_at = models.DateTimeField()
    read_on = models.DateField(help_text="the last UTC day a question read it")

    class Meta:
        verbose_name = _("merchant set")
        verbose_name_plural = _("merchant sets")

    def __str__(self) -> str:
        return f"{self.merchants} merchants ({self.fingerprint[:12]})"


class MerchantSetMember(models.Model):
    merchant_set_id = models.BigIntegerField()
    merchant_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("merchant set member")
        verbose_name_plural = _("merchant set members")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant_set_id", "merchant_id"], name="merchant_set_member_key"
            ),
        ]
        indexes = [models.Index(fields=["merchant_id"], name="merchant_set_member_of")]

    def __str__(self) -> str:
        return f"{self.merchant_set_id}: {self.merchant_id}"


class MerchantSetDay(models.Model):
    """``MerchantDay`` summed over a set's members: per set x UTC day x marketplace, and
    the ``ALL_MARKETPLACES`` rows."""

    merchant_set_id = models.BigIntegerField()
    day = models.DateField()
    marketplace_id = models.BigIntegerField()
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)
    packages = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("merchant set day figure")
        verbose_name_plural = _("merchant set day figures")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant_set_id", "day", "marketplace_id"], name="merchant_set_day_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_set_id} {self.day}: {self.orders}"


class MerchantSetMonth(models.Model):
    """``MerchantSetDay`` per month (its first day)."""

    merchant_set_id = models.BigIntegerField()
    month = models.DateField(help_text="the first day of the month")
    marketplace_id = models.BigIntegerField()
    orders = models.IntegerField(default=0)
    units = models.IntegerField(default=0)
    gmv_usd_minor = models.BigIntegerField(default=0)
    packages = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("merchant set month figure")
        verbose_name_plural = _("merchant set month figures")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant_set_id", "month", "marketplace_id"],
                name="merchant_set_month_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_set_id} {self.month}: {self.orders}"


# --- feeds ---
# The B2B trade and academy figures (docs/decisions/0029-analytics-feeds.md), written by
# ``fiera.analytics.feeds`` from the trade and academy events and rebuilt from their tables.


class FeedKind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry sent")
    RFQ = "rfq", _("RFQ posted")
    QUOTE = "quote", _("Quote sent")
    DEAL = "deal", _("Deal closed")
    ENROLMENT = "enrolment", _("Enrolment")
    CERTIFICATE = "certificate", _("Certificate issued")


TRADE_KINDS = ("inquiry", "rfq", "quote", "deal")
ACADEMY_KINDS = ("enrolment", "certificate")


class FeedFact(models.Model):
    """One trade or academy happening as analytics counted it, once per (``kind``,
    ``source_id``): the inquiry, RFQ or quote (quote and deal: the quote's id), the
    enrolment or the certificate. Its day row (``TradeDay``/``AcademyDay``) got exactly
    this; a redelivered event finds the fact and adds nothing. ``at`` is the time it
    happened (an enrolment made again moves to its new time). Deals: ``value_minor`` of
    ``currency`` in US cents at ``usd_rate`` (the ECB reference rate of the deal's day)."""

    kind = models.CharField(max_length=12, choices=FeedKind.choices)
    source_id = models.BigIntegerField()
    at = models.DateTimeField()
    day = models.DateField(help_text="UTC day of at")
    marketplace_id = models.BigIntegerField(default=0)
    merchant_id = models.BigIntegerField(default=0, help_text="the supplier; 0: none")
    merchant_country = models.CharField(max_length=2, blank=True, default="")
    region = models.CharField(max_length=6, blank=True, default="")
    buyer_country = models.CharField(
        max_length=2, blank=True, default="", help_text="the buyer's, or the learner's"
    )
    course_id = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, blank=True, default="")
    value_minor = models.BigIntegerField(default=0)
    usd_rate = models.CharField(max_length=32, blank=True, default="")
    value_usd_minor = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("trade or academy fact")
        verbose_name_plural = _("trade and academy facts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="feed_fact_once"),
            models.CheckConstraint(
                condition=Q(kind__in=TRADE_KINDS + ACADEMY_KINDS), name="feed_fact_kind"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="feed_fact_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id}"


class TradeDay(models.Model):
    """Inquiries, RFQs, quotes and deals per UTC day x kind x marketplace x supplier
    (``merchant_id`` 0 for RFQs, which have none) x buyer country, with the supplier's
    country and region; ``value_usd_minor``: the deals' value in US cents."""

    day = models.DateField()
    kind = models.CharField(max_length=12, choices=FeedKind.choices)
    marketplace_id = models.BigIntegerField()
    merchant_id = models.BigIntegerField()
    merchant_country = models.CharField(max_length=2, blank=True, default="")
    region = models.CharField(max_length=6, blank=True, default="")
    buyer_country = models.CharField(max_length=2, blank=True, default="")
    count = models.IntegerField(default=0)
    value_usd_minor = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("trade day figure")
        verbose_name_plural = _("trade day figures")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "kind",
                    "marketplace_id",
                    "merchant_id",
                    "merchant_country",
                    "region",
                    "buyer_country",
                ],
                name="trade_day_key",
            ),
            models.CheckConstraint(condition=Q(kind__in=TRADE_KINDS), name="trade_day_kind"),
        ]
        indexes = [models.Index(fields=["kind", "day"], name="trade_day_kind_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.merchant_id}: {self.count}"


class AcademyDay(models.Model):
    """Enrolments and certificates per UTC day x kind x course x learner's country ("":
    unknown)."""

    day = models.DateField()
    kind = models.CharField(max_length=12, choices=FeedKind.choices)
    course_id = models.BigIntegerField()
    country = models.CharField(max_length=2, blank=True, default="")
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("academy day figure")
        verbose_name_plural = _("academy day figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "course_id", "country"], name="academy_day_key"
            ),
            models.CheckConstraint(condition=Q(kind__in=ACADEMY_KINDS), name="academy_day_kind"),
        ]
        indexes = [models.Index(fields=["kind", "day"], name="academy_day_kind_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.course_id}: {self.count}"
