"""Filters of the assessment pages: a score in per mille as per cent, a duration."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def permille(value: int | None) -> str:
    """870 -> "87.0%" (with the reader's decimal separator); "" for None."""
    if value is None:
        return ""
    return f"{number_format(value / 10, 1)}%"


@register.filter
def duration(seconds: int | None) -> str:
    """Seconds as ``m:ss`` (``h:mm:ss`` from an hour); "" for None."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
