"""Template helpers of the payments pages: ``{% load payments_tags %}``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from fiera.common.reference import babel_locale

register = template.Library()


def rate_day_text(rate_date: date | None, *, today: date | None = None) -> str:
    """Which reference rate a conversion used, in the active language: "today's reference
    rate" only when it is today's, else "reference rate of 30 October" (the day as CLDR
    writes it for the language; the year too when it is not this year's)."""
    if rate_date is None:
        return ""
    today = today or timezone.localdate()
    if rate_date == today:
        return _("today's reference rate")
    skeleton = "MMMMd" if rate_date.year == today.year else "yMMMMd"
    day = format_skeleton(skeleton, rate_date, locale=babel_locale())
    return _("reference rate of %(day)s") % {"day": day}


@register.filter
def rate_day(rate_date: date | None) -> str:
    """``{{ payment.rate_date|rate_day }}``: see ``rate_day_text``."""
    return rate_day_text(rate_date)


@register.filter
def rate_number(rate: str | Decimal | None) -> str:
    """``{{ payment.rate|rate_number }}``: an exchange rate with all its decimals, in the
    active language ("7,8123" in Italian; never rounded for display)."""
    if rate is None or rate == "":
        return ""
    try:
        value = Decimal(str(rate))
    except InvalidOperation:
        return str(rate)
    return format_decimal(value, "#,##0.##########", locale=babel_locale())
