"""``{% load catalog_tags %}``: helpers of the storefront layout."""

from __future__ import annotations

from typing import Any

from django import template

from fiera.common.reference import countries_by_local_name, local_sort_key
from fiera.common.reference import country_name as local_country_name

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """ "IT" -> "Italy" / "Italia" / "意大利" in the active language (CLDR); an unknown code
    is shown as it is."""
    return local_country_name(code)


@register.simple_tag
def shipping_countries(marketplace: Any) -> list[tuple[str, str, str]]:
    """(country code, name, currency) a marketplace ships to, by name: its countries, or
    every country in the default currency when it is worldwide; names and order in the
    active language."""
    if marketplace.worldwide:
        return [(c.code, c.name, marketplace.default_currency) for c in countries_by_local_name()]
    rows = [
        (code, country_name(code), currency) for code, currency in marketplace.countries.items()
    ]
    return sorted(rows, key=lambda row: local_sort_key(row[1]))
