"""Festivals in the admin: read mostly. Festivals and participation are edited through the
API's rules (services); here operators look. Flash-sale buckets and buyers are counters the
checkout keeps: read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fiera.festivals.models import (
    Festival,
    FestivalPrice,
    FlashSale,
    FlashSaleBucket,
    FlashSaleBuyer,
    Participation,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Festival)
class FestivalAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "warmup_starts_at", "starts_at", "ends_at", "is_published")
    list_filter = ("is_published",)
    search_fields = ("slug", "name", "name_it", "name_zh", "name_es")
    readonly_fields = ("created_at",)


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ("festival", "merchant", "status", "applied_at", "decided_at")
    list_filter = ("status", "festival")


@admin.register(FestivalPrice)
class FestivalPriceAdmin(ReadOnlyAdmin):
    list_display = ("festival", "merchant", "variant_id", "currency", "price_minor")
    list_filter = ("festival", "currency")


@admin.register(FlashSale)
class FlashSaleAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "festival",
        "merchant",
        "variant_id",
        "quantity",
        "price_minor",
        "currency",
        "starts_at",
        "ends_at",
        "closed_at",
        "units_returned",
    )
    list_filter = ("festival",)


@admin.register(FlashSaleBucket)
class FlashSaleBucketAdmin(ReadOnlyAdmin):
    list_display = ("flash_sale", "number", "units_left", "units_sold")


@admin.register(FlashSaleBuyer)
class FlashSaleBuyerAdmin(ReadOnlyAdmin):
    list_display = ("flash_sale", "buyer_id", "units", "updated_at")
