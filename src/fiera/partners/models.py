"""Partner organisations, the regions they cover, their staff, and their onboarding
pipeline: leads (firms) moving from ``new`` to ``store_live``, where the firm is a merchant
attributed to the partner (at most one partner per merchant: a unique column)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PartnerType(models.TextChoices):
    TRADE_AGENCY = "trade_agency", _("Trade agency")
    CONSULTANCY = "consultancy", _("Consultancy")
    DIGITAL_AGENCY = "digital_agency", _("Digital agency")
    BANK = "bank", _("Bank")
    ASSOCIATION = "association", _("Trade association")


class PartnerRole(models.TextChoices):
    ADMIN = "admin", _("Partner admin")
    STAFF = "staff", _("Partner staff")


class LeadStage(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    DOCUMENTS = "documents", _("Documents")
    STORE_LIVE = "store_live", _("Store live")
    LOST = "lost", _("Lost")


class Partner(models.Model):
    """An organisation that brings firms onto Fiera (a trade agency, a bank ...)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    type = models.CharField(max_length=16, choices=PartnerType.choices)
    website = models.URLField(max_length=200, blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=PartnerType.values), name="partner_type_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerRegion(models.Model):
    """A region (ISO 3166-2:IT) the partner covers."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="regions")
    region_code = models.CharField(max_length=6, help_text="ISO 3166-2:IT, e.g. IT-25")

    class Meta:
        verbose_name = _("partner region")
        verbose_name_plural = _("partner regions")
        ordering = ["region_code"]
        indexes = [models.Index(fields=["region_code"])]
        constraints = [
            models.UniqueConstraint(fields=["partner", "region_code"], name="partner_region_once"),
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^IT-[0-9]{2}$"), name="partner_region_iso"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.region_code}"


class PartnerStaff(models.Model):
    """A person working for a partner: an account with the ``partner`` role."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8, choices=PartnerRole.choices, default=PartnerRole.STAFF)

    class Meta:
        verbose_name = _("partner staff member")
        verbose_name_plural = _("partner staff")
        constraints = [
            # one partner per person: a partner account acts for exactly one organisation
            models.UniqueConstraint(fields=["user"], name="partner_staff_one_partner"),
            models.CheckConstraint(
                condition=Q(role__in=PartnerRole.values), name="partner_staff_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.partner_id} ({self.role})"


class Lead(models.Model):
    """A firm a partner is bringing onto Fiera.

    ``vat_number`` is a normalised Italian VAT id ("IT" + 11 digits). A firm is an open lead
    of one partner at a time (unique VAT among leads not lost). ``merchant`` is set when the
    stage is ``store_live`` and only then; a merchant is attributed to at most one lead.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="leads")
    firm_name = models.CharField(max_length=200)
    vat_number = models.CharField(max_length=13, help_text="IT + 11 digits")
    region_code = models.CharField(max_length=6, help_text="ISO 3166-2:IT")
    sector_slug = models.SlugField(max_length=40, blank=True, default="")
    contact_name = models.CharField(max_length=120, blank=True, default="")
    contact_email = models.EmailField(max_length=254, blank=True, default="")
    stage = models.CharField(max_length=12, choices=LeadStage.choices, default=LeadStage.NEW)
    lost_reason = models.CharField(max_length=300, blank=True, default="")
    merchant = models.OneToOneField(
        "merchants.Merchant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField()
    stage_changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-stage_changed_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "stage"]),
            models.Index(fields=["region_code", "stage"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=LeadStage.values), name="lead_stage_known"
            ),
            models.CheckConstraint(
                condition=Q(vat_number__regex=r"^IT[0-9]{11}$"), name="lead_vat_italian"
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^IT-[0-9]{2}$"), name="lead_region_iso"
            ),
            models.CheckConstraint(
                condition=(Q(stage=LeadStage.STORE_LIVE) & Q(merchant__isnull=False))
                | (~Q(stage=LeadStage.STORE_LIVE) & Q(merchant__isnull=True)),
                name="lead_merchant_iff_live",
            ),
            models.CheckConstraint(
                condition=Q(stage=LeadStage.LOST) | Q(lost_reason=""),
                name="lead_reason_only_when_lost",
            ),
            models.UniqueConstraint(
                fields=["vat_number"],
                condition=~Q(stage=LeadStage.LOST),
                name="lead_one_open_per_firm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm_name} ({self.stage})"


class LeadEvent(models.Model):
    """One step of a lead's history: the stage it left and entered, who moved it, when.
    ``actor_id`` is the account that acted (None: the platform, e.g. the demo builder)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(max_length=12, blank=True, default="")
    to_stage = models.CharField(max_length=12, choices=LeadStage.choices)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_stage__in=LeadStage.values), name="lead_event_stage_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage} -> {self.to_stage}"
