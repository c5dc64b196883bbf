"""Operators' admin for trade: companies (verify them here or through the API), supplier
profiles with their verifications (evidence files), and inquiries read-only for
moderation (messages cannot be edited)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiera.common.errors import DomainError
from fiera.trade import services
from fiera.trade.models import (
    BuyerCompany,
    BuyerMember,
    Dispute,
    DisputeMessage,
    Inquiry,
    InquiryMessage,
    Pavilion,
    PavilionApplication,
    Quote,
    QuoteVersion,
    Rfq,
    RfqMatch,
    SupplierProfile,
    SupplierVerification,
)


class MemberInline(admin.TabularInline):
    model = BuyerMember
    extra = 0
    raw_id_fields = ("user",)


class CompanyForm(forms.ModelForm):
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = BuyerCompany
        fields = ("legal_name", "country", "registration_number", "website", "created_at")


@admin.register(BuyerCompany)
class BuyerCompanyAdmin(admin.ModelAdmin):
    form = CompanyForm
    list_display = ("legal_name", "country", "registration_number", "verified_at", "created_at")
    list_filter = ("country",)
    search_fields = ("legal_name", "registration_number")
    readonly_fields = ("verified_at", "verified_by")
    inlines = [MemberInline]
    actions = ["verify", "withdraw_verification"]

    def _mark(self, request: HttpRequest, queryset: QuerySet[BuyerCompany], verified: bool) -> None:
        for company in queryset:
            services.company_verify(
                actor_id=request.user.pk,
                actor_role=str(getattr(request.user, "role", "")),
                company_id=company.pk,
                verified=verified,
                now=timezone.now(),
            )
        self.message_user(request, _("Done."), messages.SUCCESS)

    @admin.action(description=_("Mark as verified"))
    def verify(self, request: HttpRequest, queryset: QuerySet[BuyerCompany]) -> None:
        self._mark(request, queryset, True)

    @admin.action(description=_("Withdraw the verification"))
    def withdraw_verification(self, request: HttpRequest, queryset: QuerySet[BuyerCompany]) -> None:
        self._mark(request, queryset, False)


class VerificationForm(forms.ModelForm):
    """The evidence goes through the same check as the API's: a PDF or a picture (re-encoded
    without metadata), at most 5 MB."""

    class Meta:
        model = SupplierVerification
        fields = ("kind", "inspection_body", "evidence", "checked_at", "expires_at", "checked_by")

    def clean_evidence(self) -> object:
        upload = self.cleaned_data.get("evidence")
        if isinstance(upload, UploadedFile):
            try:
                return services.evidence_file(upload, upload.name or "evidence")
            except DomainError as exc:
                raise forms.ValidationError(exc.message()) from exc
        return upload


class VerificationInline(admin.TabularInline):
    model = SupplierVerification
    form = VerificationForm
    extra = 0
    raw_id_fields = ("checked_by",)


@admin.register(SupplierProfile)
class SupplierProfileAdmin(admin.ModelAdmin):
    list_display = ("merchant", "employees_band", "export_share_pct", "updated_at")
    raw_id_fields = ("merchant",)
    inlines = [VerificationInline]


class MessageInline(admin.TabularInline):
    model = InquiryMessage
    extra = 0
    can_delete = False
    readonly_fields = ("author", "side", "body", "created_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ("subject", "buyer", "merchant", "status", "created_at", "last_message_at")
    list_filter = ("status",)
    search_fields = ("subject",)
    readonly_fields = (
        "buyer",
        "company",
        "merchant",
        "marketplace",
        "product_id",
        "subject",
        "quantity",
        "buyer_unread",
        "supplier_unread",
        "created_at",
        "last_message_at",
    )
    inlines = [MessageInline]


# --- trade assurance: disputes ---


class DisputeMessageInline(admin.TabularInline):
    model = DisputeMessage
    extra = 0
    can_delete = False
    readonly_fields = ("author", "side", "body", "evidence", "created_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """Read-only: disputes are decided on the queue page (or through the API), which moves
    the money through the ledger; the admin shows them and opens their evidence."""

    list_display = ("order_number", "buyer", "merchant", "reason", "status", "opened_at")
    list_filter = ("status", "reason")
    search_fields = ("order_number",)
    readonly_fields = (
        "order_id",
        "order_number",
        "buyer",
        "merchant",
        "amount_minor",
        "currency",
        "reason",
        "statement",
        "status",
        "opened_at",
        "last_message_at",
        "decided_at",
        "decided_by",
        "decision_reason",
    )
    inlines = [DisputeMessageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- RFQs and quotes ---


class RfqMatchInline(admin.TabularInline):
    model = RfqMatch
    extra = 0
    can_delete = False
    readonly_fields = ("merchant", "rank", "supplier_unread", "created_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Rfq)
class RfqAdmin(admin.ModelAdmin):
    """Operators read RFQs for moderation; states change through the services only."""

    list_display = ("product", "buyer", "destination_country", "status", "deadline", "created_at")
    list_filter = ("status", "destination_country")
    search_fields = ("product",)
    readonly_fields = (
        "buyer",
        "company",
        "marketplace",
        "category",
        "quantity",
        "unit",
        "target_unit_price_minor",
        "currency",
        "destination_country",
        "deadline",
        "status",
        "buyer_unread",
        "created_at",
        "closed_at",
    )
    inlines = [RfqMatchInline]


class QuoteVersionInline(admin.TabularInline):
    model = QuoteVersion
    extra = 0
    can_delete = False
    readonly_fields = (
        "number",
        "author",
        "sku",
        "unit_price_minor",
        "currency",
        "quantity",
        "incoterm",
        "incoterm_place",
        "payment_terms",
        "lead_time_days",
        "valid_until",
        "note",
        "created_at",
    )
    exclude = ("variant_id", "product_id", "product_name")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ("id", "rfq", "merchant", "status", "version", "valid_until", "order_number")
    list_filter = ("status",)
    readonly_fields = (
        "rfq",
        "merchant",
        "status",
        "version",
        "valid_until",
        "created_at",
        "updated_at",
        "decided_at",
        "order_number",
    )
    inlines = [QuoteVersionInline]


# --- pavilions ---


class ApplicationInline(admin.TabularInline):
    """Read-only: decisions go through the review page or the API, which keep the quota."""

    model = PavilionApplication
    extra = 0
    can_delete = False
    fields = ("merchant", "status", "reason", "created_at", "admitted_at", "sponsorship_ends_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Pavilion)
class PavilionAdmin(admin.ModelAdmin):
    """Operators edit a pavilion's texts, featured categories and openness; it is created
    through ``POST /api/v1/trade/pavilions`` (checked there), and its quota and seats are
    kept by the services."""

    list_display = ("slug", "name_en", "partner", "country", "quota", "admitted_count", "is_open")
    list_filter = ("is_open",)
    filter_horizontal = ("featured_categories",)
    readonly_fields = (
        "slug",
        "marketplace",
        "partner",
        "country",
        "quota",
        "sponsorship_months",
        "admitted_count",
        "created_at",
    )
    inlines = [ApplicationInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
