from __future__ import annotations

from django.contrib import admin

from fiera.merchants.models import Merchant, Sector, StaffMembership, Store


class StoreInline(admin.TabularInline):
    model = Store
    extra = 0
    fields = ("marketplace", "name", "slug", "is_active")


class StaffInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "name_it", "name_zh", "name_es", "slug", "ateco_codes")
    search_fields = ("name", "name_it", "name_zh", "name_es", "slug")


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = (
        "display_name",
        "vat_number",
        "region_code",
        "town",
        "size",
        "ateco_code",
        "verification_level",
        "created_at",
    )
    list_filter = ("verification_level", "size", "region_code", "sectors")
    search_fields = ("display_name", "legal_name", "vat_number", "slug", "town")
    readonly_fields = ("created_at",)
    filter_horizontal = ("sectors",)
    inlines = [StoreInline, StaffInline]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "merchant", "marketplace", "is_active", "opened_at")
    list_filter = ("is_active", "marketplace")
    search_fields = ("name", "slug", "merchant__display_name")
    list_select_related = ("merchant", "marketplace")
    raw_id_fields = ("merchant",)


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "merchant", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "merchant__display_name")
    list_select_related = ("user", "merchant")
    raw_id_fields = ("user", "merchant")
