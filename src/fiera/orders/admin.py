"""Admin views of orders (read mostly: state changes go through the services)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from fiera.orders.models import (
    Checkout,
    CrossBorderAllowance,
    CrossBorderRegime,
    DutyRate,
    Order,
    OrderLine,
    Refund,
    SavedAddress,
    Shipment,
)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in OrderLine._meta.fields]


class ShipmentInline(admin.TabularInline):
    model = Shipment
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Shipment._meta.fields]


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Refund._meta.fields]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "status",
        "merchant_id",
        "buyer_id",
        "total_minor",
        "currency",
        "placed_at",
    ]
    list_filter = ["status", "payment_method"]
    search_fields = ["number"]
    readonly_fields = [f.name for f in Order._meta.fields]
    inlines = [OrderLineInline, ShipmentInline, RefundInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Checkout)
class CheckoutAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "buyer_id",
        "marketplace_id",
        "country",
        "total_minor",
        "currency",
        "placed_at",
    ]
    readonly_fields = [f.name for f in Checkout._meta.fields]


class DutyRateInline(admin.TabularInline):
    model = DutyRate
    extra = 0


@admin.register(CrossBorderRegime)
class CrossBorderRegimeAdmin(admin.ModelAdmin):
    list_display = [
        "marketplace_id",
        "destination_country",
        "currency",
        "per_order_limit_minor",
        "annual_limit_minor",
        "tax_share",
    ]
    inlines = [DutyRateInline]


@admin.register(CrossBorderAllowance)
class CrossBorderAllowanceAdmin(admin.ModelAdmin):
    list_display = ["buyer_id", "year", "currency", "used_minor"]
    readonly_fields = [f.name for f in CrossBorderAllowance._meta.fields]


@admin.register(SavedAddress)
class SavedAddressAdmin(admin.ModelAdmin):
    """Buyers' address books, read only (buyers manage them on their pages and the API)."""

    list_display = ["buyer_id", "name", "city", "country", "is_default", "updated_at"]
    list_filter = ["country", "is_default"]
    readonly_fields = [f.name for f in SavedAddress._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
