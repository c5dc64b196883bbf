from __future__ import annotations

from django.contrib import admin

from fiera.partners.models import Lead, LeadEvent, Partner, PartnerRegion, PartnerStaff


class RegionInline(admin.TabularInline):
    model = PartnerRegion
    extra = 0


class StaffInline(admin.TabularInline):
    model = PartnerStaff
    extra = 0
    raw_id_fields = ("user",)


class EventInline(admin.TabularInline):
    model = LeadEvent
    extra = 0
    raw_id_fields = ("actor",)
    readonly_fields = ("from_stage", "to_stage", "actor", "note", "at")
    can_delete = False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "type", "is_active", "created_at")
    list_filter = ("type", "is_active")
    search_fields = ("name", "slug")
    inlines = [RegionInline, StaffInline]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = (
        "firm_name",
        "vat_number",
        "partner",
        "region_code",
        "stage",
        "stage_changed_at",
    )
    list_filter = ("stage", "partner", "region_code")
    search_fields = ("firm_name", "vat_number", "contact_email")
    raw_id_fields = ("merchant",)
    inlines = [EventInline]
