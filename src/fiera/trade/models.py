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


# --- trade assurance: disputes ---


class DisputeReason(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DAMAGED = "damaged", _("Damaged")
    QUANTITY_SHORT = "quantity_short", _("Quantity short")
    OTHER = "other", _("Other")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld: refunded to the buyer")
    REJECTED = "rejected", _("Rejected: paid to the supplier")


class DisputeSide(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SUPPLIER = "supplier", _("Supplier")
    OPERATOR = "operator", _("Fiera")


class Dispute(models.Model):
    """A buyer's dispute of a B2B order paid under trade assurance (decision 0016): at most
    one per order (``order_number`` unique; orders are numbered once across merchants).
    The order is named by plain columns (``order_id``, ``order_number``; no foreign key:
    orders are distributed, this table is local). While open, the held payment is not
    released; an operator decides it (upheld: refunded to the buyer; rejected: released to
    the supplier) with a written reason."""

    order_id = models.BigIntegerField()
    order_number = models.CharField(max_length=24, unique=True)
    buyer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    amount_minor = models.BigIntegerField()  # the held amount, when opened
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=16, choices=DisputeReason.choices)
    statement = models.TextField(max_length=4000)
    status = models.CharField(
        max_length=8, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    opened_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(max_length=4000, blank=True, default="")

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "opened_at"], name="dispute_queue"),
            models.Index(fields=["buyer", "-opened_at"], name="dispute_buyer_recent"),
            models.Index(fields=["merchant", "-opened_at"], name="dispute_merchant_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DisputeStatus.values), name="dispute_status_known"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=DisputeReason.values), name="dispute_reason_known"
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="dispute_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(status="open", decided_at__isnull=True)
                    | (~Q(status="open") & Q(decided_at__isnull=False) & ~Q(decision_reason=""))
                ),
                name="dispute_decided_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"dispute of {self.order_number}"


class DisputeMessage(models.Model):
    """A plain-text message of a dispute's thread, maybe with one evidence file (a PDF or
    a re-encoded picture, at most 5 MB; served only to the dispute's parties)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=8, choices=DisputeSide.choices)
    body = models.TextField(max_length=4000, blank=True, default="")
    evidence = models.FileField(upload_to="trade/disputes/", max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("dispute message")
        verbose_name_plural = _("dispute messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(side__in=DisputeSide.values), name="dispute_message_side_known"
            ),
            models.CheckConstraint(
                condition=~Q(body="") | ~Q(evidence=""), name="dispute_message_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} on dispute {self.dispute_id}"


# --- RFQs and quotes ---


class RfqStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")
    AWARDED = "awarded", _("Awarded")


class RfqUnit(models.TextChoices):
    PIECE = "piece", _("pieces")
    SET = "set", _("sets")
    BOX = "box", _("boxes")
    CARTON = "carton", _("cartons")
    KG = "kg", _("kilograms")
    LITRE = "litre", _("litres")
    METRE = "metre", _("metres")


class QuoteStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REVISED = "revised", _("Revised")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class Rfq(models.Model):
    """A buyer's request for quotation on a B2B trade marketplace, matched to suppliers
    when posted (``RfqMatch``). ``target_unit_price_minor`` is in ``currency`` (the
    marketplace's), per unit. ``category_id`` points at the catalog's (reference) table;
    ``buyer_unread`` counts quotes and revisions the buyer has not yet seen (decision 0017)."""

    buyer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(
        BuyerCompany, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marketplace = models.ForeignKey(
        "marketplaces.Marketplace", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey("catalog.Category", on_delete=models.PROTECT, related_name="+")
    product = models.CharField(max_length=160)
    quantity = models.PositiveIntegerField()
    unit = models.CharField(max_length=8, choices=RfqUnit.choices, default=RfqUnit.PIECE)
    target_unit_price_minor = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    destination_country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    deadline = models.DateTimeField()
    description = models.TextField(max_length=4000, blank=True, default="")
    status = models.CharField(max_length=8, choices=RfqStatus.choices, default=RfqStatus.OPEN)
    buyer_unread = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request for quotation")
        verbose_name_plural = _("requests for quotation")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="rfq_buyer_recent"),
            models.Index(fields=["status", "deadline"], name="rfq_open_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RfqStatus.values), name="rfq_status_known"
            ),
            models.CheckConstraint(condition=Q(unit__in=RfqUnit.values), name="rfq_unit_known"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="rfq_quantity_positive"),
            models.CheckConstraint(
                condition=Q(target_unit_price_minor__isnull=True)
                | Q(target_unit_price_minor__gte=1),
                name="rfq_target_price_positive",
            ),
            models.CheckConstraint(
                condition=Q(destination_country__regex=r"^[A-Z]{2}$"), name="rfq_country_iso"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="rfq_closed_at_iff_not_open",
            ),
        ]

    def __str__(self) -> str:
        return self.product


class RfqMatch(models.Model):
    """A supplier an RFQ matched when it was posted (``rank`` 1 = best); only matched
    suppliers see the RFQ and may quote. ``supplier_unread``: not yet opened by its staff."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="matches")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    supplier_unread = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("RFQ match")
        verbose_name_plural = _("RFQ matches")
        ordering = ["rank"]
        indexes = [models.Index(fields=["merchant", "-created_at"], name="rfq_match_merchant")]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "merchant"], name="rfq_match_once"),
        ]

    def __str__(self) -> str:
        return f"rfq {self.rfq_id} -> {self.merchant_id}"


class Quote(models.Model):
    """One supplier's answer to one RFQ (at most one per supplier and RFQ); its terms are
    in its versions (1, and 2 after the one revision allowed). ``order_number`` is the
    order its acceptance placed."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="quotes")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=9, choices=QuoteStatus.choices, default=QuoteStatus.SUBMITTED
    )
    version = models.PositiveSmallIntegerField(default=1)
    valid_until = models.DateTimeField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    order_number = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["rfq", "created_at", "id"]
        indexes = [
            models.Index(fields=["merchant", "created_at"], name="quote_merchant_created"),
            models.Index(fields=["status", "valid_until"], name="quote_live_validity"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "merchant"], name="quote_once_per_supplier"),
            models.CheckConstraint(
                condition=Q(status__in=QuoteStatus.values), name="quote_status_known"
            ),
            models.CheckConstraint(condition=Q(version__in=[1, 2]), name="quote_version_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"quote {self.pk} on rfq {self.rfq_id}"

    @property
    def ref(self) -> str:
        """The reference printed on the order (``Order.quote_ref``): RFQ, quote, version."""
        return f"RFQ{self.rfq_id}-Q{self.pk}-v{self.version}"


class QuoteVersion(models.Model):
    """The terms of one version of a quote, kept as sent. ``variant_id`` is a plain column
    (the catalog is distributed, this table is local; decision 0015); the names are those
    of the variant when quoted. Money in minor units of ``currency``, per unit."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    variant_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=200)
    unit_price_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    quantity = models.PositiveIntegerField()
    incoterm = models.CharField(max_length=3)
    incoterm_place = models.CharField(max_length=80, blank=True, default="")
    payment_terms = models.CharField(max_length=12)
    lead_time_days = models.PositiveSmallIntegerField()
    valid_until = models.DateTimeField()
    note = models.TextField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("quote version")
        verbose_name_plural = _("quote versions")
        ordering = ["quote", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "number"], name="quote_version_once"),
            models.CheckConstraint(condition=Q(number__in=[1, 2]), name="quote_version_number"),
            models.CheckConstraint(
                condition=Q(unit_price_minor__gte=1), name="quote_version_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="quote_version_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} of quote {self.quote_id}"


# --- pavilions ------------------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Under review")
    ADMITTED = "admitted", _("Admitted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ENDED = "ended", _("Sponsorship ended")


LIVE_APPLICATION_STATUSES = ("pending", "admitted", "waitlisted")


class Pavilion(models.Model):
    """A country pavilion: a curated section of a B2B marketplace, run by a partner, with a
    quota of sponsored companies. ``admitted_count`` is the seats taken, kept in the same
    transaction as every admission and departure under a lock on this row; the database
    refuses it past ``quota`` (decision 0020)."""

    slug = models.SlugField(max_length=60, unique=True)
    name_it = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    name_zh = models.CharField(max_length=120)
    intro_it = models.TextField(max_length=2000, blank=True, default="")
    intro_en = models.TextField(max_length=2000, blank=True, default="")
    intro_zh = models.TextField(max_length=2000, blank=True, default="")
    name_es = models.CharField(max_length=120, blank=True, default="")  # empty: English shown
    intro_es = models.TextField(max_length=2000, blank=True, default="")
    marketplace = models.ForeignKey(
        "marketplaces.Marketplace", on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2: products' origin")
    quota = models.PositiveIntegerField(help_text="sponsored companies at most")
    sponsorship_months = models.PositiveSmallIntegerField(default=24)
    is_open = models.BooleanField(default=True, help_text="accepting applications")
    admitted_count = models.PositiveIntegerField(default=0)
    featured_categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("pavilion")
        verbose_name_plural = _("pavilions")
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="pavilion_country_iso"
            ),
            models.CheckConstraint(condition=Q(quota__gte=1), name="pavilion_quota_positive"),
            models.CheckConstraint(
                condition=Q(sponsorship_months__gte=1) & Q(sponsorship_months__lte=120),
                name="pavilion_sponsorship_months",
            ),
            models.CheckConstraint(
                condition=Q(admitted_count__gte=0) & Q(admitted_count__lte=models.F("quota")),
                name="pavilion_admitted_within_quota",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en


class PavilionApplication(models.Model):
    """A merchant's application to a pavilion: ``pending`` → ``admitted`` (its sponsorship
    runs ``admitted_at`` → ``sponsorship_ends_at``) / ``rejected`` (with a reason) /
    ``waitlisted`` (the quota was full; promoted in ``waitlisted_at`` order when a seat
    frees) → ``withdrawn`` / ``ended``. One live application (pending, admitted,
    waitlisted) per merchant and pavilion."""

    pavilion = models.ForeignKey(Pavilion, on_delete=models.CASCADE, related_name="applications")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # None: an operator or the platform applied on the company's behalf
    motivation = models.TextField(max_length=1000)
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    reason = models.CharField(max_length=500, blank=True, default="")
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    sponsorship_ends_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pavilion application")
        verbose_name_plural = _("pavilion applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["pavilion", "status", "waitlisted_at"], name="pavapp_queue"),
            models.Index(fields=["status", "sponsorship_ends_at"], name="pavapp_expiry"),
            models.Index(fields=["merchant", "-created_at"], name="pavapp_merchant"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="pavapp_status_known"
            ),
            models.UniqueConstraint(
                fields=["pavilion", "merchant"],
                condition=Q(status__in=LIVE_APPLICATION_STATUSES),
                name="pavapp_one_live_per_merchant",
            ),
            models.CheckConstraint(
                condition=~Q(status="admitted")
                | Q(admitted_at__isnull=False, sponsorship_ends_at__isnull=False),
                name="pavapp_admitted_has_period",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="pavapp_waitlisted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="pavapp_rejected_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} → {self.pavilion_id} ({self.status})"
