"""Writes of marketplaces: create one, set the currency of a country it ships to.

Authorization: the API passes ``actor_role`` (the signed-in user's role) and only an
operator may write. In-process callers (the CLI, the demo builder) pass
``accounts.roles.SYSTEM``; there is no default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.common.errors import Conflict, InvalidInput, PermissionDenied, not_one_of
from fiera.common.money import is_currency
from fiera.common.reference import is_country
from fiera.marketplaces.models import Marketplace, MarketplaceCountry, MarketplaceKind
from fiera.marketplaces.selectors import (
    MarketplaceInfo,
    MarketplaceNotFound,
    marketplace_get,
    marketplace_get_by_id,
)


class OperatorOnly(PermissionDenied):
    code = "operator_only"
    message_template = gettext_lazy("Only a Fiera operator can change marketplaces.")


class MarketplaceSlugTaken(Conflict):
    code = "marketplace_slug_taken"
    message_template = gettext_lazy("Another marketplace already uses this short name.")


class MarketplaceIsWorldwide(InvalidInput):
    code = "marketplace_worldwide"
    message_template = gettext_lazy(
        "A worldwide marketplace serves every country; there is no list of countries to change."
    )


def _require_operator(actor_role: str) -> None:
    if actor_role not in (OPERATOR, SYSTEM):
        raise OperatorOnly("only an operator may change marketplaces")


def _language_codes() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def _check_currency(code: str, what: str) -> str:
    if not isinstance(code, str) or not is_currency(code):
        raise InvalidInput(
            f"{what} {code!r} is not an ISO 4217 currency with a minor unit",
            message=gettext_lazy("%(value)s is not a currency code (such as EUR or CNY)."),
            value=str(code),
        )
    return code


def _check_country(code: str) -> str:
    if not isinstance(code, str) or not is_country(code.upper()):
        raise InvalidInput(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code.upper()


def marketplace_create(
    *,
    slug: str,
    name: str,
    name_it: str = "",
    name_zh: str = "",
    name_es: str = "",
    kind: str,
    languages: Sequence[str],
    default_language: str,
    default_currency: str,
    worldwide: bool = False,
    countries: Mapping[str, str] | None = None,
    actor_role: str,
) -> MarketplaceInfo:
    """Create a marketplace that ships either worldwide (in ``default_currency``) or to
    the listed ``countries`` (ISO 3166-1 alpha-2 -> ISO 4217), never both.

    Languages must be among ``settings.LANGUAGES`` and include ``default_language``.
    Currency codes are upper-case ISO 4217 codes with a minor unit (not XAU, XDR).
    """
    _require_operator(actor_role)
    countries = dict(countries or {})
    try:
        validate_slug(slug)
    except ValidationError:
        raise InvalidInput(
            f"{slug!r} is not a slug (letters, digits, hyphens, underscores)"
        ) from None
    if len(slug) > 40:
        raise InvalidInput("the slug has at most 40 characters")
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput(
            "the name must have between 1 and 120 characters",
            message=gettext_lazy("The name must have between 1 and 120 characters."),
        )
    name_it, name_zh, name_es = name_it.strip(), name_zh.strip(), name_es.strip()
    if max(len(name_it), len(name_zh), len(name_es)) > 120:
        raise InvalidInput(
            "a translated name has at most 120 characters",
            message=gettext_lazy("The name must have between 1 and 120 characters."),
        )
    if kind not in MarketplaceKind.values:
        raise not_one_of("kind", MarketplaceKind.values)
    allowed = _language_codes()
    language_list = list(dict.fromkeys(languages))
    if not language_list:
        raise InvalidInput("a marketplace needs at least one language")
    unknown = [code for code in language_list if code not in allowed]
    if unknown:
        raise InvalidInput(
            f"unsupported language(s) {', '.join(unknown)}; supported: {', '.join(allowed)}"
        )
    if default_language not in language_list:
        raise InvalidInput(
            f"the default language {default_language!r} must be one of the marketplace's languages"
        )
    _check_currency(default_currency, "the default currency")
    if worldwide and countries:
        raise InvalidInput("a worldwide marketplace lists no countries; pass one or the other")
    if not worldwide and not countries:
        raise InvalidInput("list the countries the marketplace ships to, or make it worldwide")
    checked: dict[str, str] = {}
    for country, currency in countries.items():
        code = _check_country(country)
        checked[code] = _check_currency(currency, f"the currency for {code}")
    try:
        with transaction.atomic():
            marketplace = Marketplace.objects.create(
                slug=slug,
                name=name,
                name_it=name_it,
                name_zh=name_zh,
                name_es=name_es,
                kind=kind,
                worldwide=worldwide,
                default_currency=default_currency,
                languages=language_list,
                default_language=default_language,
            )
            MarketplaceCountry.objects.bulk_create(
                MarketplaceCountry(marketplace=marketplace, country=code, currency=currency)
                for code, currency in checked.items()
            )
    except IntegrityError:
        if Marketplace.objects.filter(slug=slug).exists():
            raise MarketplaceSlugTaken(f"the marketplace slug {slug!r} is taken") from None
        raise
    return marketplace_get(slug=slug)


def marketplace_country_set(
    *,
    marketplace_id: int | None = None,
    slug: str | None = None,
    country: str,
    currency: str,
    actor_role: str,
) -> MarketplaceInfo:
    """Ship to ``country`` and charge buyers there in ``currency`` (added or replaced).

    The marketplace is named by ``marketplace_id`` or by ``slug`` (exactly one).
    Idempotent: setting the same pair twice leaves one row. Refused on a worldwide
    marketplace (it sells everywhere in its default currency).
    """
    _require_operator(actor_role)
    if (marketplace_id is None) == (slug is None):
        raise TypeError("pass exactly one of marketplace_id and slug")
    code = _check_country(country)
    _check_currency(currency, f"the currency for {code}")
    lookup = {"pk": marketplace_id} if marketplace_id is not None else {"slug": slug}
    with transaction.atomic():
        marketplace = (
            Marketplace.objects.select_for_update()
            .filter(**lookup)
            .only("id", "worldwide", "name")
            .first()
        )
        if marketplace is None:
            raise MarketplaceNotFound(f"no marketplace {marketplace_id or slug!r}")
        if marketplace.worldwide:
            raise MarketplaceIsWorldwide(
                f"{marketplace.name} is worldwide: it sells everywhere in its default currency"
            )
        MarketplaceCountry.objects.update_or_create(
            marketplace_id=marketplace.pk, country=code, defaults={"currency": currency}
        )
    return marketplace_get_by_id(marketplace_id=marketplace.pk)
