"""B2B trade: buyer companies and their members, supplier profiles of merchants with
their verifications (evidence and expiry), and inquiries (one buyer to one supplier)
with their message threads. Rules live in ``services``/``selectors``."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Company admin")
    MEMBER = "member", _("Company member")


class EmployeesBand(models.TextChoices):
    MICRO = "1-9", _("1-9 employees")
    SMALL = "10-49", _("10-49 employees")
    MEDIUM = "50-249", _("50-249 employees")
    LARGE = "250+", _("250 or more employees")


class VerificationKind(models.TextChoices):
    """Ordered: a later kind is a higher level (``none`` is the absence of any)."""

    LICENCE = "licence", _("Business licence checked")
    AUDIT = "audit", _("On-site audit")


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class MessageSide(models.TextChoices):
    BUYER = "buyer", _("From the buyer")
    SUPPLIER = "supplier", _("From the supplier")


class BuyerCompany(models.Model):
    """A business buyer's company; ``verified_at`` is set by an operator (and only then)."""

    legal_name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    registration_number = models.CharField(max_length=40, help_text="VAT or company number")
    website = models.URLField(max_length=200, blank=True, default="")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("buyer company")
        verbose_name_plural = _("buyer companies")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="buyer_company_country_iso"
            ),
            models.UniqueConstraint(
                fields=["country", "registration_number"], name="buyer_company_registration_once"
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class BuyerMember(models.Model):
    """A buyer account in a company: at most one company per account."""

    company = models.ForeignKey(BuyerCompany, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER)

    class Meta:
        verbose_name = _("buyer company member")
        verbose_name_plural = _("buyer company members")
        constraints = [
            models.UniqueConstraint(fields=["user"], name="buyer_member_one_company"),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values), name="buyer_member_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.company_id} ({self.role})"


class SupplierProfile(models.Model):
    """A merchant's face as a B2B supplier (one per merchant)."""

    merchant = models.OneToOneField(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="+"
    )
    capabilities_it = models.TextField(max_length=4000, blank=True, default="")
    capabilities_en = models.TextField(max_length=4000, blank=True, default="")
    capabilities_zh = models.TextField(max_length=4000, blank=True, default="")
    main_markets = models.CharField(
        max_length=200, blank=True, default="", help_text="ISO 3166-1 codes, comma-separated"
    )
    year_established = models.PositiveSmallIntegerField(null=True, blank=True)
    employees_band = models.CharField(
        max_length=8, choices=EmployeesBand.choices, blank=True, default=""
    )
    export_share_pct = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="share of turnover exported, 0-100"
    )
    updated_at = models.DateTimeField()
    # --- trade search --- the normalized document of the merchant's display name and the
    # capabilities in it/en/zh (catalog.selectors.search_document), written by
    # services.supplier_profile_save; fiera.trade.search matches the supplier on it
    # (nullable without a default: adding it is an ADD COLUMN on SQLite, not a table rebuild)
    search_document = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        verbose_name = _("supplier profile")
        verbose_name_plural = _("supplier profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(export_share_pct__isnull=True) | Q(export_share_pct__lte=100),
                name="supplier_export_share_pct",
            ),
            models.CheckConstraint(
                condition=Q(employees_band="") | Q(employees_band__in=EmployeesBand.values),
                name="supplier_employees_band_known",
            ),
        ]

    def __str__(self) -> str:
        return f"supplier {self.merchant_id}"


class SupplierVerification(models.Model):
    """A check of a supplier by an operator: a business licence, or an on-site audit by a
    named inspection body; counts until ``expires_at`` (exclusive)."""

    profile = models.ForeignKey(
        SupplierProfile, on_delete=models.CASCADE, related_name="verifications"
    )
    kind = models.CharField(max_length=8, choices=VerificationKind.choices)
    inspection_body = models.CharField(max_length=120, blank=True, default="")
    evidence = models.FileField(upload_to="trade/evidence/", max_length=200)
    checked_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    checked_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("supplier verification")
        verbose_name_plural = _("supplier verifications")
        ordering = ["-checked_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=VerificationKind.values), name="verification_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(kind="audit") | ~Q(inspection_body=""),
                name="verification_audit_names_body",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("checked_at")),
                name="verification_expires_after_check",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.profile_id}"


class Inquiry(models.Model):
    """One buyer asks one supplier (a merchant), maybe about one product.

    ``product_id`` is a plain column (no foreign key: the catalog is distributed, this
    table is local; decision 0015). ``buyer_unread``/``supplier_unread`` count the other
    side's messages not yet read.
    """

    buyer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(
        BuyerCompany, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    marketplace = models.ForeignKey(
        "marketplaces.Marketplace", on_delete=models.PROTECT, related_name="+"
    )
    product_id = models.BigIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=160)
    quantity = models.PositiveIntegerField()
    status = models.CharField(
        max_length=8, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    buyer_unread = models.PositiveIntegerField(default=0)
    supplier_unread = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-last_message_at"], name="inquiry_buyer_recent"),
            models.Index(fields=["merchant", "-last_message_at"], name="inquiry_merchant_recent"),
            models.Index(fields=["buyer", "created_at"], name="inquiry_buyer_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InquiryStatus.values), name="inquiry_status_known"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="inquiry_quantity_positive"),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="inquiry_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class InquiryMessage(models.Model):
    """One plain-text message of an inquiry's thread (escaped wherever it is shown)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=8, choices=MessageSide.choices)
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("inquiry message")
        verbose_name_plural = _("inquiry messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(side__in=MessageSide.values), name="inquiry_message_side_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} on {self.inquiry_id}"
