"""Template helpers: ``{% load fiera %}`` then ``{{ order.total_minor|money:order.currency }}``."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from fiera.common.money import Money, MoneyError

register = template.Library()


@register.filter
def money(amount_minor: int | None, currency: str) -> str:
    """Format minor units in the active language (it: "12,50 €", zh: "¥12.50")."""
    if amount_minor is None or not currency:
        return ""
    try:
        return Money(int(amount_minor), currency).format(get_language() or "en")
    except MoneyError:
        return f"{amount_minor} {currency}"


@register.filter
def localized(obj: object, field: str) -> str:
    """``{{ product|localized:"name" }}`` picks name_it / name_en / name_zh for the language."""
    language = (get_language() or "en").lower()
    suffix = "zh" if language.startswith("zh") else "it" if language.startswith("it") else "en"
    value = getattr(obj, f"{field}_{suffix}", "") or getattr(obj, f"{field}_en", "")
    return str(value)
