"""Reads of marketplaces. Other apps get frozen dataclasses (``MarketplaceInfo``), never
model instances; ``marketplace_list`` alone returns a QuerySet, for the home page."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy

from fiera.common.errors import InvalidInput, NotFound
from fiera.common.reference import is_country
from fiera.marketplaces.models import Marketplace, MarketplaceCountry, MarketplaceKind

# The destination assumed for a worldwide marketplace when the visitor has not chosen one.
WORLDWIDE_DEFAULT_COUNTRY = "US"


class MarketplaceNotFound(NotFound):
    code = "marketplace_not_found"
    message_template = gettext_lazy("This marketplace does not exist.")


class CountryNotServed(InvalidInput):
    code = "country_not_served"
    message_template = gettext_lazy("This marketplace does not ship to that country.")


@dataclass(frozen=True, slots=True)
class MarketplaceInfo:
    id: int
    slug: str
    name: str
    kind: str
    kind_label: str
    worldwide: bool
    default_currency: str
    languages: tuple[str, ...]
    default_language: str
    countries: dict[str, str]  # ISO 3166-1 alpha-2 -> ISO 4217, sorted by country code
    is_active: bool = True
    name_it: str = ""  # the name in Italian / Chinese / Spanish; empty: ``name`` (English)
    name_zh: str = ""
    name_es: str = ""

    @property
    def currencies(self) -> tuple[str, ...]:
        """Every currency a buyer may pay in here, default first, without repeats."""
        seen = [self.default_currency]
        for currency in self.countries.values():
            if currency not in seen:
                seen.append(currency)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class ShoppingContext:
    """Where a visitor shops: the marketplace, the destination country, its currency."""

    marketplace: MarketplaceInfo
    country: str
    currency: str


def shopping_session_key(slug: str) -> str:
    """The session key under which pages keep the visitor's destination country."""
    return f"shop:{slug}:country"


def shopping_country(
    session: Mapping[str, Any], slug: str, profile_country: str | None
) -> str | None:
    """The destination a page shops for on the marketplace ``slug``: the one the visitor
    chose there (kept in the session), else the signed-in user's country from their profile
    (``resolve_country`` then keeps it only where the marketplace ships)."""
    chosen = session.get(shopping_session_key(slug))
    return str(chosen) if chosen else (profile_country or None)


def _info(marketplace: Marketplace) -> MarketplaceInfo:
    countries = {c.country: c.currency for c in marketplace.countries.all()}
    return MarketplaceInfo(
        id=marketplace.pk,
        slug=marketplace.slug,
        name=marketplace.name,
        kind=marketplace.kind,
        kind_label=str(MarketplaceKind(marketplace.kind).label)
        if marketplace.kind in MarketplaceKind.values
        else marketplace.kind,
        worldwide=marketplace.worldwide,
        default_currency=marketplace.default_currency,
        languages=tuple(marketplace.languages or ()),
        default_language=marketplace.default_language,
        countries=dict(sorted(countries.items())),
        is_active=marketplace.is_active,
        name_it=marketplace.name_it,
        name_zh=marketplace.name_zh,
        name_es=marketplace.name_es,
    )


def marketplace_list(*, active_only: bool = True) -> QuerySet[Marketplace]:
    """Marketplaces with their countries prefetched (the home page template reads them)."""
    qs = Marketplace.objects.prefetch_related("countries")
    return qs.filter(is_active=True) if active_only else qs


def marketplace_infos(*, active_only: bool = True) -> list[MarketplaceInfo]:
    """Every marketplace as ``MarketplaceInfo``, in id order (two queries)."""
    return [_info(m) for m in marketplace_list(active_only=active_only)]


def marketplace_infos_by_id(*, marketplace_ids: Iterable[int]) -> dict[int, MarketplaceInfo]:
    """The marketplaces with these ids (inactive ones included); unknown ids are left out."""
    ids = set(marketplace_ids)
    if not ids:
        return {}
    qs = Marketplace.objects.prefetch_related("countries").filter(pk__in=ids)
    return {m.pk: _info(m) for m in qs}


_MARKETPLACE = Marketplace._meta.db_table
_COUNTRY = MarketplaceCountry._meta.db_table
_INFO_SQL = (
    "SELECT m.id, m.slug, m.name, m.kind, m.worldwide, m.default_currency, m.languages, "
    "m.default_language, m.is_active, c.country, c.currency, m.name_it, m.name_zh, "
    "m.name_es "
    f"FROM {_MARKETPLACE} m LEFT JOIN {_COUNTRY} c ON c.marketplace_id = m.id "
    "WHERE m.{column} = %s"
)


def _info_from_rows(rows: list[tuple[Any, ...]]) -> MarketplaceInfo | None:
    """``MarketplaceInfo`` from the rows of ``_INFO_SQL`` (one per country, or one with
    NULL country for a marketplace without any); None when there are no rows."""
    if not rows:
        return None
    first = rows[0]
    kind = str(first[3])
    languages = first[6]
    if isinstance(languages, str):  # JSON comes back as text from both backends
        languages = json.loads(languages)
    return MarketplaceInfo(
        id=int(first[0]),
        slug=str(first[1]),
        name=str(first[2]),
        kind=kind,
        kind_label=str(MarketplaceKind(kind).label) if kind in MarketplaceKind.values else kind,
        worldwide=bool(first[4]),
        default_currency=str(first[5]),
        languages=tuple(languages or ()),
        default_language=str(first[7]),
        countries=dict(sorted((str(r[9]), str(r[10])) for r in rows if r[9] is not None)),
        is_active=bool(first[8]),
        name_it=str(first[11] or ""),
        name_zh=str(first[12] or ""),
        name_es=str(first[13] or ""),
    )


def _info_where(column: str, value: int | str) -> MarketplaceInfo | None:
    with connection.cursor() as cursor:
        cursor.execute(_INFO_SQL.format(column=column), [value])
        return _info_from_rows(cursor.fetchall())


def marketplace_get(*, slug: str) -> MarketplaceInfo:
    """The marketplace with this slug, active or not, in ONE query (the checkout's hot
    path: raw SQL, the marketplace joined to its countries; nothing cached, so a closed
    marketplace refuses orders on the very next request)."""
    found = _info_where("slug", slug)
    if found is None:
        raise MarketplaceNotFound(f"no marketplace {slug!r}")
    return found


def marketplace_get_by_id(*, marketplace_id: int) -> MarketplaceInfo:
    """The marketplace with this id, active or not, in one query."""
    found = _info_where("id", marketplace_id)
    if found is None:
        raise MarketplaceNotFound(f"no marketplace with id {marketplace_id}")
    return found


def marketplace_currency_for(*, marketplace_id: int, country: str) -> str:
    """The ISO 4217 currency a buyer shipping to ``country`` pays in, in one query.

    A worldwide marketplace sells to every ISO 3166 country in its default currency;
    otherwise the country must be one the marketplace lists (``CountryNotServed``).
    """
    country = country.upper() if isinstance(country, str) else country
    row = (
        Marketplace.objects.filter(pk=marketplace_id)
        .annotate(
            country_currency=Subquery(
                MarketplaceCountry.objects.filter(
                    marketplace_id=OuterRef("pk"), country=country
                ).values("currency")[:1]
            )
        )
        .values("name", "worldwide", "default_currency", "country_currency")
        .first()
    )
    if row is None:
        raise MarketplaceNotFound(f"no marketplace with id {marketplace_id}")
    if row["country_currency"]:
        return str(row["country_currency"])
    if row["worldwide"] and is_country(country):
        return str(row["default_currency"])
    raise CountryNotServed(f"the marketplace {row['name']} does not ship to {country!r}")


def resolve_country(marketplace: MarketplaceInfo, country: str | None) -> str:
    """The destination to use: ``country`` when served, else the marketplace's default."""
    wanted = (country or "").upper()
    if marketplace.worldwide:
        return wanted if is_country(wanted) else WORLDWIDE_DEFAULT_COUNTRY
    if wanted in marketplace.countries:
        return wanted
    if not marketplace.countries:  # a marketplace still being set up
        raise CountryNotServed(f"the marketplace {marketplace.name} ships to no country yet")
    return next(iter(marketplace.countries))  # alphabetical: countries are sorted


def marketplace_shopping_context(*, slug: str, country: str | None) -> ShoppingContext:
    """Resolve the visitor's destination on the marketplace ``slug``.

    ``country`` (from the session key ``shopping_session_key(slug)``, or a form) is kept
    if the marketplace serves it; otherwise the first served country in alphabetical
    order, or "US" on a worldwide marketplace. Raises ``MarketplaceNotFound``.
    """
    marketplace = marketplace_get(slug=slug)
    resolved = resolve_country(marketplace, country)
    currency = (
        marketplace.default_currency if marketplace.worldwide else marketplace.countries[resolved]
    )
    return ShoppingContext(marketplace=marketplace, country=resolved, currency=currency)
