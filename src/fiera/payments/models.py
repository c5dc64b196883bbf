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
        ordering = ["outlet_id", "terminal_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "terminal_id"], name="terminal_id_per_outlet"
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
