"""The analytics tables in the admin, read-only: they are written by the order events'
subscribers and ``fiera analytics rebuild`` only; operators look (and compare with the
orders when a figure surprises them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fiera.analytics.models import (
    MerchantDay,
    MerchantMonth,
    OrderFact,
    PackageDay,
    SalesCell,
    SalesRollup,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False  # millions of rows: no COUNT(*) per page
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrderFact)
class OrderFactAdmin(ReadOnlyAdmin):
    list_display = (
        "order_id",
        "merchant_id",
        "day",
        "marketplace_id",
        "region",
        "buyer_country",
        "currency",
        "total_minor",
        "usd_rate",
        "gmv_usd_minor",
        "units",
        "uncounted_at",
        "shipped_day",
    )
    list_filter = ("marketplace_id", "buyer_country")
    search_fields = ("=order_id", "=merchant_id")
    date_hierarchy = "day"


@admin.register(SalesCell)
class SalesCellAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "merchant_id",
        "marketplace_id",
        "merchant_country",
        "region",
        "buyer_country",
        "category_id",
        "orders",
        "units",
        "gmv_usd_minor",
    )
    list_filter = ("marketplace_id", "region")
    search_fields = ("=merchant_id",)
    date_hierarchy = "day"


@admin.register(SalesRollup)
class SalesRollupAdmin(ReadOnlyAdmin):
    list_display = (
        "grain",
        "period",
        "marketplace_id",
        "dim",
        "dim_key",
        "orders",
        "units",
        "gmv_usd_minor",
    )
    list_filter = ("grain", "dim", "marketplace_id")
    date_hierarchy = "period"


@admin.register(PackageDay)
class PackageDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "merchant_id", "marketplace_id", "region", "packages")
    list_filter = ("marketplace_id", "region")
    search_fields = ("=merchant_id",)
    date_hierarchy = "day"


@admin.register(MerchantDay)
class MerchantDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "merchant_id", "marketplace_id", "region", "orders")
    list_filter = ("marketplace_id", "region")
    search_fields = ("=merchant_id",)
    date_hierarchy = "day"


@admin.register(MerchantMonth)
class MerchantMonthAdmin(ReadOnlyAdmin):
    list_display = ("month", "merchant_id", "marketplace_id", "region", "orders")
    list_filter = ("marketplace_id", "region")
    search_fields = ("=merchant_id",)
    date_hierarchy = "month"
