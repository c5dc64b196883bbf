"""Operators' admin for the catalog: for looking things up and fixing descriptive data.

Prices and stock levels are read-only here (lists, change pages and the variant's
inlines): their writes go through ``fiera.catalog.services`` (the console and the API),
which check the price tiers and the tenant, and record every stock change in the audit
trail (``StockMovement``, read-only too). The merchant (the tenant) of an existing
product, variant or warehouse cannot be changed here either."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fiera.catalog.models import (
    Category,
    Price,
    Product,
    ProductImage,
    StockLevel,
    StockMovement,
    Variant,
    Warehouse,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only the services write: viewable, never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline of rows that only the services write."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TenantFixedAdmin(admin.ModelAdmin):
    """The merchant of an existing row (and whatever else ties it to its tenant, in
    ``tenant_fields``) is shown, not editable."""

    tenant_fields: tuple[str, ...] = ("merchant",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else (*fields, *self.tenant_fields)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_it", "name_zh", "name_es", "parent")
    list_filter = ("parent",)
    search_fields = ("slug", "name_en", "name_it", "name_zh", "name_es")
    prepopulated_fields = {"slug": ("name_en",)}


class VariantInline(admin.TabularInline):
    """The product's variants, editable; new variants come through the console and the
    API, which set their merchant and check the SKU."""

    model = Variant
    extra = 0
    fields = ("sku", "label", "min_order_quantity", "weight_grams", "is_active")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProductImageInline(ReadOnlyInline):
    """The product's pictures, the cover first, as thumbnails. Merchants upload, order and
    remove them in the console or the API (the services check and re-encode each file)."""

    model = ProductImage
    fields = ("preview", "position", "width", "height", "alt_text")
    readonly_fields = ("preview",)

    @admin.display(description=_("Picture"))
    def preview(self, obj: ProductImage) -> str:
        name = obj.thumbnail.name or obj.image.name
        if not name:
            return ""
        return format_html(
            '<a href="{}"><img src="{}" alt="" width="96" height="96" loading="lazy"></a>',
            obj.image.url,
            obj.thumbnail.url if obj.thumbnail.name else obj.image.url,
        )


@admin.register(Product)
class ProductAdmin(TenantFixedAdmin):
    list_display = ("name_en", "merchant", "category", "hs_code", "origin_country", "is_active")
    list_filter = ("is_active", "category", "origin_country")
    search_fields = ("name_en", "name_it", "name_zh", "slug", "variants__sku", "hs_code")
    list_select_related = ("merchant", "category")
    raw_id_fields = ("merchant",)
    inlines = [ProductImageInline, VariantInline]


class PriceInline(ReadOnlyInline):
    model = Price
    fields = ("marketplace", "currency", "min_quantity", "amount_minor")


class StockLevelInline(ReadOnlyInline):
    model = StockLevel
    fields = ("warehouse", "units_on_hand", "updated_at")
    readonly_fields = ("updated_at",)


@admin.register(Variant)
class VariantAdmin(TenantFixedAdmin):
    """Variants are created through the console and the API (merchant, SKU checks)."""

    list_display = ("sku", "label", "product", "merchant", "min_order_quantity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("sku", "label", "product__name_en", "product__name_it", "product__name_zh")
    list_select_related = ("product", "merchant")
    tenant_fields = ("product", "merchant")
    # the sample offer is set through the console and the API (catalog.rules' checks)
    readonly_fields = ("sample_units", "sample_price_minor", "sample_currency")
    inlines = [PriceInline, StockLevelInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Price)
class PriceAdmin(ReadOnlyAdmin):
    list_display = ("variant", "marketplace", "currency", "min_quantity", "amount_minor")
    list_filter = ("currency", "marketplace")
    search_fields = ("variant__sku",)
    list_select_related = ("variant", "marketplace")


@admin.register(Warehouse)
class WarehouseAdmin(TenantFixedAdmin):
    list_display = ("code", "name", "merchant", "country", "is_active")
    list_filter = ("is_active", "country")
    search_fields = ("code", "name", "merchant__display_name")
    list_select_related = ("merchant",)
    raw_id_fields = ("merchant",)


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ("variant", "warehouse", "units_on_hand", "updated_at")
    list_filter = ("warehouse__is_active",)
    search_fields = ("variant__sku", "warehouse__code")
    list_select_related = ("variant", "warehouse")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    """The audit trail."""

    list_display = ("created_at", "variant", "warehouse", "kind", "delta", "units_after", "actor")
    list_filter = ("kind",)
    search_fields = ("variant__sku", "reason", "actor__username")
    list_select_related = ("variant", "warehouse", "actor")
