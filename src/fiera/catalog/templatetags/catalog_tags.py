"""``{% load catalog_tags %}``: helpers of the storefront layout."""

from __future__ import annotations

from typing import Any

from django import template

from fiera.common.reference import countries, is_country
from fiera.common.reference import country as country_info

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """ "IT" -> "Italy"; an unknown code is shown as it is."""
    return country_info(code).name if code and is_country(code) else code


@register.simple_tag
def shipping_countries(marketplace: Any) -> list[tuple[str, str, str]]:
    """(country code, name, currency) a marketplace ships to, by name: its countries, or
    every country in the default currency when it is worldwide."""
    if marketplace.worldwide:
        return [(c.code, c.name, marketplace.default_currency) for c in countries()]
    rows = [
        (code, country_name(code), currency) for code, currency in marketplace.countries.items()
    ]
    return sorted(rows, key=lambda row: row[1])
