"""The analytics tables in the admin, read-only: they are written by the order events'
subscribers and ``fiera analytics rebuild`` only; operators look (and compare with the
orders when a figure surprises them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fiera.analytics.models import (
    MerchantActivity,
    MerchantDay,
    MerchantMonth,
    MerchantSet,
    OrderFact,
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
        "packages",
    )
    list_filter = ("grain", "dim", "marketplace_id")
    date_hierarchy = "period"


@admin.register(MerchantDay)
class MerchantDayAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "merchant_id",
        "marketplace_id",
        "region",
        "orders",
        "units",
        "gmv_usd_minor",
        "packages",
    )
    list_filter = ("marketplace_id", "region")
    search_fields = ("=merchant_id",)
    date_hierarchy = "day"


@admin.register(MerchantMonth)
class MerchantMonthAdmin(ReadOnlyAdmin):
    list_display = (
        "month",
        "merchant_id",
        "marketplace_id",
        "region",
        "orders",
        "units",
        "gmv_usd_minor",
        "packages",
    )
    list_filter = ("marketplace_id", "region")
    search_fields = ("=merchant_id",)
    date_hierarchy = "month"


@admin.register(MerchantActivity)
class MerchantActivityAdmin(ReadOnlyAdmin):
    list_display = ("year", "merchant_id", "marketplace_id", "region", "active_days")
    list_filter = ("year", "marketplace_id", "region")
    search_fields = ("=merchant_id",)

    @admin.display(description=_("active days"))
    def active_days(self, obj: MerchantActivity) -> int:
        return len(obj.active_days())


@admin.register(MerchantSet)
class MerchantSetAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchants", "built_at", "read_on")
    date_hierarchy = "read_on"


# --- feeds ---
from fiera.analytics.models import AcademyDay, FeedFact, TradeDay  # noqa: E402


@admin.register(FeedFact)
class FeedFactAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "source_id",
        "at",
        "marketplace_id",
        "merchant_id",
        "region",
        "buyer_country",
        "course_id",
        "currency",
        "value_minor",
        "usd_rate",
        "value_usd_minor",
    )
    list_filter = ("kind", "marketplace_id")
    search_fields = ("=source_id", "=merchant_id")
    date_hierarchy = "day"


@admin.register(TradeDay)
class TradeDayAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "kind",
        "marketplace_id",
        "merchant_id",
        "region",
        "buyer_country",
        "count",
        "value_usd_minor",
    )
    list_filter = ("kind", "marketplace_id", "region")
    search_fields = ("=merchant_id",)
    date_hierarchy = "day"


@admin.register(AcademyDay)
class AcademyDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "kind", "course_id", "country", "count")
    list_filter = ("kind",)
    date_hierarchy = "day"
