from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MarketplaceKind(models.TextChoices):
    B2C_DOMESTIC = "b2c_domestic", _("B2C domestic")
    B2C_CROSS_BORDER = "b2c_cross_border", _("B2C cross-border")
    B2B_TRADE = "b2b_trade", _("B2B trade")
    REGIONAL = "regional", _("Regional multi-country")


class Marketplace(models.Model):
    """A storefront with its own buyers, countries and currencies.

    A marketplace either lists the countries it sells to (``MarketplaceCountry``, each
    with its currency) or is ``worldwide`` and sells everywhere in ``default_currency``.
    """

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, help_text="in English; the default")
    name_it = models.CharField(max_length=120, blank=True, default="")
    name_zh = models.CharField(max_length=120, blank=True, default="")
    name_es = models.CharField(max_length=120, blank=True, default="")
    kind = models.CharField(max_length=24, choices=MarketplaceKind.choices)
    worldwide = models.BooleanField(default=False)
    default_currency = models.CharField(max_length=3, help_text="ISO 4217")
    languages = models.JSONField(default=list, help_text='e.g. ["zh-hans", "en"]')
    default_language = models.CharField(max_length=8, default="en")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("marketplace")
        verbose_name_plural = _("marketplaces")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MarketplaceKind.values), name="marketplace_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(default_currency__regex=r"^[A-Z]{3}$"),
                name="marketplace_currency_iso",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MarketplaceCountry(models.Model):
    marketplace = models.ForeignKey(Marketplace, on_delete=models.CASCADE, related_name="countries")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    currency = models.CharField(max_length=3, help_text="ISO 4217")

    class Meta:
        verbose_name = _("marketplace country")
        verbose_name_plural = _("marketplace countries")
        ordering = ["marketplace_id", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["marketplace", "country"], name="marketplace_country_once"
            ),
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="marketplace_country_iso"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"),
                name="marketplace_country_currency_iso",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.marketplace_id}:{self.country} ({self.currency})"
