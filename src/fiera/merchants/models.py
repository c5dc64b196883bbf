from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanySize(models.TextChoices):
    SME = "sme", _("SME")
    LARGE = "large", _("Large enterprise")


class VerificationLevel(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    REGISTERED = "registered", _("Registry checked")  # VAT and chamber of commerce checked
    AUDITED = "audited", _("Audited on site")


class StaffRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    CLERK = "clerk", _("Clerk")


class Sector(models.Model):
    """A business sector (fashion, agri-food ...) with the ATECO 2025 divisions it spans."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, help_text="in English; the default")
    name_it = models.CharField(max_length=80, blank=True, default="")
    name_zh = models.CharField(max_length=80, blank=True, default="")
    name_es = models.CharField(max_length=80, blank=True, default="")
    ateco_codes = models.JSONField(default=list, help_text='ATECO 2025 codes, e.g. ["14", "15"]')

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Merchant(models.Model):
    """A company that sells. Its id is the tenant key of every catalog and order row."""

    slug = models.SlugField(max_length=80, unique=True)
    legal_name = models.CharField(max_length=200)
    display_name = models.CharField(max_length=120)
    vat_number = models.CharField(max_length=16, unique=True, help_text="e.g. IT01234567890")
    country = models.CharField(max_length=2, default="IT")
    region_code = models.CharField(max_length=6, blank=True, default="", help_text="ISO 3166-2:IT")
    municipality_code = models.CharField(max_length=6, blank=True, default="", help_text="ISTAT")
    town = models.CharField(max_length=120, blank=True, default="")
    size = models.CharField(max_length=8, choices=CompanySize.choices, default=CompanySize.SME)
    ateco_code = models.CharField(max_length=10, blank=True, default="", help_text="ATECO 2025")
    sectors = models.ManyToManyField(Sector, blank=True, related_name="merchants")
    verification_level = models.CharField(
        max_length=12, choices=VerificationLevel.choices, default=VerificationLevel.UNVERIFIED
    )
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["display_name"]
        indexes = [models.Index(fields=["region_code"])]
        constraints = [
            # Normalised EU VAT id: country prefix + compact number; Italian ones IT + 11 digits.
            models.CheckConstraint(
                condition=models.Q(vat_number__regex=r"^[A-Z]{2}[0-9A-Z+*]{2,14}$")
                & (
                    ~models.Q(vat_number__startswith="IT")
                    | models.Q(vat_number__regex=r"^IT[0-9]{11}$")
                ),
                name="merchant_vat_normalised",
            ),
            models.CheckConstraint(
                condition=models.Q(region_code="") | models.Q(region_code__regex=r"^IT-[0-9]{2}$"),
                name="merchant_region_iso",
            ),
            models.CheckConstraint(
                condition=models.Q(municipality_code="")
                | models.Q(municipality_code__regex=r"^[0-9]{6}$"),
                name="merchant_municipality_istat",
            ),
            models.CheckConstraint(
                condition=models.Q(size__in=CompanySize.values), name="merchant_size_known"
            ),
            models.CheckConstraint(
                condition=models.Q(verification_level__in=VerificationLevel.values),
                name="merchant_verification_known",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class Store(models.Model):
    """A merchant's flagship store on one marketplace."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="stores")
    marketplace = models.ForeignKey(
        "marketplaces.Marketplace", on_delete=models.PROTECT, related_name="+"
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    description_it = models.TextField(blank=True, default="")
    description_en = models.TextField(blank=True, default="")
    description_zh = models.TextField(blank=True, default="")
    logo = models.ImageField(upload_to="stores/logos/", blank=True, default="")
    is_featured = models.BooleanField(
        default=False, help_text="shown among the featured stores on the marketplace's home page"
    )
    is_active = models.BooleanField(default=True)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["marketplace", "slug"], name="store_slug_per_marketplace"
            ),
            models.UniqueConstraint(
                fields=["merchant", "marketplace"], name="one_store_per_marketplace"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StaffMembership(models.Model):
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=8, choices=StaffRole.choices, default=StaffRole.CLERK)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "merchant"], name="staff_once_per_merchant"),
            models.CheckConstraint(
                condition=models.Q(role__in=StaffRole.values), name="staff_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.merchant_id} ({self.role})"
