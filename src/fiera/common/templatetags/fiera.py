"""Template helpers: ``{% load fiera %}`` then ``{{ order.total_minor|money:order.currency }}``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from django import template
from django.utils import timezone
from django.utils.translation import get_language

from fiera.common.money import Money, MoneyError
from fiera.common.reference import babel_locale, language_suffix
from fiera.common.reference import country_name as _country_name

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
    """``{{ product|localized:"name" }}`` picks name_it / name_en / name_zh / name_es for the
    language (English, then the plain field, where it has none)."""
    suffix = language_suffix()
    value = (
        getattr(obj, f"{field}_{suffix}", "")
        or getattr(obj, f"{field}_en", "")
        or getattr(obj, field, "")
    )
    return str(value)


# One style per locale, from CLDR through Babel: a date is CLDR's "medium" date
# ("30 ott 2026", "Oct 30, 2026", "2026年10月30日"), a moment adds the short time in the
# active time zone; numbers are grouped, shares are percentages.


def _as_local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def fdate(value: date | datetime | None) -> str:
    """``{{ order.placed_at|fdate }}``: the medium date of the active language."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = _as_local(value).date()
    return format_date(value, "medium", locale=babel_locale())


@register.filter
def fdatetime(value: datetime | date | None) -> str:
    """``{{ order.placed_at|fdatetime }}``: the medium date and short time, in the active
    time zone ("30 ott 2026, 14:05")."""
    if not value:
        return ""
    if not isinstance(value, datetime):
        return fdate(value)
    local = _as_local(value)
    locale = babel_locale()
    glue = str(locale.datetime_formats["medium"])  # "{1}, {0}": {1} the date, {0} the time
    return glue.replace("{1}", format_date(local.date(), "medium", locale=locale)).replace(
        "{0}", format_time(local, "short", tzinfo=local.tzinfo, locale=locale)
    )


@register.filter
def fnumber(value: int | Decimal | str | None, exact: str = "") -> str:
    """``{{ rollout.total|fnumber }}``: grouped for the language ("12.345" in Italian), at
    most three decimals; ``{{ rate|fnumber:"exact" }}`` keeps every decimal ("1,1172")."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_decimal(number, locale=babel_locale(), decimal_quantization=exact != "exact")


@register.filter
def fpercent(value: Decimal | float | str | None) -> str:
    """``{{ 0.7|fpercent }}`` -> "70%" ("70 %" where the language spaces it); a share,
    not a percentage, goes in; up to two decimals are kept (12.5%)."""
    if value is None or value == "":
        return ""
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_percent(share, "#,##0.##%", locale=babel_locale())


@register.filter
def country(code: str) -> str:
    """``{{ order.ship_country|country }}``: the country's name in the active language."""
    return _country_name(code)
