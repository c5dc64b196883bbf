from __future__ import annotations

from django.contrib import admin

from fiera.marketplaces.models import Marketplace, MarketplaceCountry


class MarketplaceCountryInline(admin.TabularInline):
    model = MarketplaceCountry
    extra = 0


@admin.register(Marketplace)
class MarketplaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "worldwide", "default_currency", "is_active")
    list_filter = ("kind", "worldwide", "is_active", "default_currency")
    search_fields = ("name", "name_it", "name_zh", "name_es", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MarketplaceCountryInline]


@admin.register(MarketplaceCountry)
class MarketplaceCountryAdmin(admin.ModelAdmin):
    list_display = ("marketplace", "country", "currency")
    list_filter = ("currency", "marketplace")
    search_fields = ("country", "marketplace__name")
