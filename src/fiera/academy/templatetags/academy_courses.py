"""Template filters of the academy's course pages: moments in their own time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date, format_time
from babel.lists import format_list
from django import template
from django.utils.translation import get_language

from fiera.academy.text import pick
from fiera.common.reference import babel_locale

register = template.Library()


@register.filter
def zoned(value: datetime | None) -> str:
    """The medium date and short time of an aware moment in ITS OWN time zone (not the
    active one): a workshop shown in Rome time and in the viewer's time."""
    if not value:
        return ""
    locale = babel_locale()
    glue = str(locale.datetime_formats["medium"])
    return glue.replace("{1}", format_date(value.date(), "medium", locale=locale)).replace(
        "{0}", format_time(value, "short", tzinfo=value.tzinfo, locale=locale)
    )


@register.filter
def month_name(value: datetime | None) -> str:
    """'novembre 2026' / 'November 2026' / '2026年11月' in the active language."""
    if not value:
        return ""
    return format_date(value.date(), "LLLL yyyy", locale=babel_locale())


@register.filter
def text_in(texts: dict[str, str] | None, language: str) -> str:
    """``{{ course.title|text_in:"it" }}``: the text in exactly that language, or ""."""
    return (texts or {}).get(language, "")


@register.filter
def language_names(codes: Any) -> str:
    """``it,es,en`` (a list or a comma-separated text) as the languages' names in the active
    language, listed as the reader's language lists things ("italiano, español e inglés",
    "意大利语、西班牙语和英语")."""
    if isinstance(codes, str):
        codes = [c for c in codes.split(",") if c]
    locale = babel_locale()
    known = locale.languages
    names = []
    for code in codes or ():
        base, _, script = str(code).partition("-")
        name = known.get(f"{base}_{script.title()}") if script else None
        names.append(str(name or known.get(base) or code))
    return format_list(names, locale=locale) if names else ""


@register.filter
def picked(texts: dict[str, str] | None, languages: Any = ()) -> str:
    """A per-language text in the reader's language, else English, else the first of the
    course's ``languages`` present (the builder's outline in the teacher's language)."""
    if isinstance(languages, str):
        languages = [c for c in languages.split(",") if c]
    return pick(texts, (get_language() or "en").lower(), ("en", *(languages or ())))
