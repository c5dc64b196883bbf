"""Operators' admin for the catalog. Everyday edits go through the console and the API
(which check the rules); the admin is for looking things up and fixing data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fiera.catalog.models import (
    Category,
    Price,
    Product,
    StockLevel,
    StockMovement,
    Variant,
    Warehouse,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_it", "name_zh", "parent")
    list_filter = ("parent",)
    search_fields = ("slug", "name_en", "name_it", "name_zh")
    prepopulated_fields = {"slug": ("name_en",)}


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ("sku", "label", "min_order_quantity", "weight_grams", "is_active")
    show_change_link = True


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name_en", "merchant", "category", "hs_code", "origin_country", "is_active")
    list_filter = ("is_active", "category", "origin_country")
    search_fields = ("name_en", "name_it", "name_zh", "slug", "variants__sku", "hs_code")
    list_select_related = ("merchant", "category")
    raw_id_fields = ("merchant",)
    inlines = [VariantInline]


class PriceInline(admin.TabularInline):
    model = Price
    extra = 0
    fields = ("marketplace", "currency", "min_quantity", "amount_minor")


class StockLevelInline(admin.TabularInline):
    model = StockLevel
    extra = 0
    fields = ("warehouse", "units_on_hand", "updated_at")
    readonly_fields = ("updated_at",)


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ("sku", "label", "product", "merchant", "min_order_quantity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("sku", "label", "product__name_en", "product__name_it", "product__name_zh")
    list_select_related = ("product", "merchant")
    raw_id_fields = ("product", "merchant")
    inlines = [PriceInline, StockLevelInline]


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ("variant", "marketplace", "currency", "min_quantity", "amount_minor")
    list_filter = ("currency", "marketplace")
    search_fields = ("variant__sku",)
    list_select_related = ("variant", "marketplace")
    raw_id_fields = ("variant", "merchant")


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "merchant", "country", "is_active")
    list_filter = ("is_active", "country")
    search_fields = ("code", "name", "merchant__display_name")
    list_select_related = ("merchant",)
    raw_id_fields = ("merchant",)


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ("variant", "warehouse", "units_on_hand", "updated_at")
    list_filter = ("warehouse__is_active",)
    search_fields = ("variant__sku", "warehouse__code")
    list_select_related = ("variant", "warehouse")
    raw_id_fields = ("variant", "warehouse", "merchant")


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    """The audit trail: read-only."""

    list_display = ("created_at", "variant", "warehouse", "kind", "delta", "units_after", "actor")
    list_filter = ("kind",)
    search_fields = ("variant__sku", "reason", "actor__username")
    list_select_related = ("variant", "warehouse", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
