"""Dates, numbers, shares and country names read the same way on every page of a language
(CLDR through Babel): the template filters of ``{% load fiera %}`` and the reference data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from fiera.common.reference import (
    babel_locale,
    countries,
    countries_by_local_name,
    country_name,
    language_suffix,
)
from fiera.common.templatetags.fiera import fdate, fdatetime, fnumber, fpercent, localized, money

MOMENT = datetime(2026, 10, 30, 23, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "Oct 30, 2026", "Oct 30, 2026, 11:05\u202fPM"),
        ("it", "30 ott 2026", "30 ott 2026, 23:05"),
        ("zh-hans", "2026年10月30日", "2026年10月30日 23:05"),
        ("es", "30 oct 2026", "30 oct 2026, 23:05"),
    ],
)
def test_one_date_style_per_language(language: str, day: str, moment: str) -> None:
    with translation.override(language):
        assert fdate(MOMENT) == day
        assert fdate(MOMENT.date()) == day
        assert fdatetime(MOMENT) == moment


def test_a_moment_is_shown_in_the_active_time_zone() -> None:
    with translation.override("it"), timezone.override(ZoneInfo("Europe/Rome")):
        assert fdatetime(MOMENT) == "31 ott 2026, 00:05"
        assert fdate(MOMENT) == "31 ott 2026"


def test_nothing_in_nothing_out() -> None:
    assert fdate(None) == fdatetime(None) == fnumber(None) == fpercent(None) == ""
    assert fdatetime(date(2026, 1, 2)) == fdate(date(2026, 1, 2))


@pytest.mark.parametrize(
    ("language", "number", "share", "fraction"),
    [
        ("en", "12,345", "70%", "12.5%"),
        ("it", "12.345", "70%", "12,5%"),
        ("zh-hans", "12,345", "70%", "12.5%"),
        ("es", "12.345", "70%", "12,5%"),
    ],
)
def test_numbers_grouped_and_shares_as_percentages(
    language: str, number: str, share: str, fraction: str
) -> None:
    with translation.override(language):
        assert fnumber(12345) == number
        assert fpercent(Decimal("0.7000")) == share
        assert fpercent("0.125") == fraction
        assert fnumber("not a number") == "not a number"


@pytest.mark.parametrize(
    ("language", "china", "germany"),
    [
        ("en", "China", "Germany"),
        ("it", "Cina", "Germania"),
        ("zh-hans", "中国", "德国"),
        ("es", "China", "Alemania"),
    ],
)
def test_country_names_in_the_language(language: str, china: str, germany: str) -> None:
    with translation.override(language):
        assert country_name("CN") == china
        rendered = Template(
            "{% load fiera catalog_tags %}{{ 'DE'|country }} {{ 'DE'|country_name }}"
        )
        assert rendered.render(Context()) == f"{germany} {germany}"
    assert country_name("CN", language) == china
    assert country_name("XX") == "XX"
    assert country_name("") == ""


def test_every_country_has_a_local_name_sorted_for_the_reader() -> None:
    italian = countries_by_local_name("it")
    assert len(italian) == len(countries())
    names = [c.name for c in italian]
    assert "Stati Uniti" in names and "United States" not in names
    # accents sort with their letter: "Isole Åland" among the "Isole A..."
    assert names.index("Isole Cayman") > names.index("Isole Åland") > names.index("Islanda")
    assert [c.code for c in countries_by_local_name("zh-hans")].count("CN") == 1
    assert str(babel_locale("zh-hans")) == "zh_Hans"
    assert str(babel_locale("xx-unknown")) == "en"


@dataclass
class _Named:
    name: str
    name_it: str = ""
    name_zh: str = ""
    name_es: str = ""


def test_localized_falls_back_to_the_english_name() -> None:
    marketplace = _Named("Italia Trade", name_it="Italia Ingrosso")
    with translation.override("it"):
        assert localized(marketplace, "name") == "Italia Ingrosso"
    with translation.override("zh-hans"):
        assert localized(marketplace, "name") == "Italia Trade"
    with translation.override("es"):
        assert localized(marketplace, "name") == "Italia Trade"
    with translation.override("en"):
        assert localized(marketplace, "name") == "Italia Trade"


def test_localized_picks_the_spanish_name() -> None:
    marketplace = _Named("Italia Trade", name_it="Italia Ingrosso", name_es="Italia Mayorista")
    with translation.override("es"):
        assert localized(marketplace, "name") == "Italia Mayorista"
    with translation.override("it"):
        assert localized(marketplace, "name") == "Italia Ingrosso"


@pytest.mark.parametrize(
    ("language", "suffix"),
    [("it", "it"), ("en", "en"), ("zh-hans", "zh"), ("es", "es"), ("es-es", "es"), ("fr", "en")],
)
def test_language_suffix_names_the_column(language: str, suffix: str) -> None:
    assert language_suffix(language) == suffix
    with translation.override(language):
        assert language_suffix() == suffix


@pytest.mark.parametrize(
    ("language", "euros", "many"),
    [
        ("en", "€12.50", "€1,234,567.89"),
        ("it", "12,50\xa0€", "1.234.567,89\xa0€"),
        ("es", "12,50\xa0€", "1.234.567,89\xa0€"),
    ],
)
def test_money_in_the_language(language: str, euros: str, many: str) -> None:
    with translation.override(language):
        assert money(1250, "EUR") == euros
        assert money(123456789, "EUR") == many


def test_spanish_is_an_interface_language() -> None:
    from django.conf import settings

    assert "es" in dict(settings.LANGUAGES)
    assert str(babel_locale("es")) == "es"
    assert str(babel_locale("es-es")) == "es_ES"
