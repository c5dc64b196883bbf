"""Reference data for forms and programs: countries, Italian regions and municipalities,
currencies. Public, read-only, served from the packages in ``fiera.common.reference``.

Unknown codes raise ``RegionNotFound`` / ``CurrencyNotFound`` (404), which the API's one
error handler turns into ``{"error": code, "detail": text}``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from fiera.common import reference
from fiera.common.errors import InvalidInput, NotFound
from fiera.common.money import UnknownCurrency, currency_exponent, currency_numeric
from fiera.common.pagination import Page
from fiera.common.schemas import ErrorOut

router = Router(tags=["reference"])


class RegionNotFound(NotFound):
    code = "region_not_found"
    message_template = gettext_lazy("This region does not exist.")


class CurrencyNotFound(NotFound):
    code = "currency_not_found"
    message_template = gettext_lazy("This currency does not exist.")


class CountryOut(Schema):
    code: str = Field(description="ISO 3166-1 alpha-2")
    name: str


class RegionOut(Schema):
    code: str = Field(description="ISO 3166-2:IT, e.g. IT-25")
    name: str


class MunicipalityOut(Schema):
    istat_code: str = Field(description="six-digit ISTAT code, e.g. 015146")
    name: str
    province: str = Field(description="two-letter province abbreviation, e.g. MI")
    region_code: str


class CurrencyOut(Schema):
    code: str = Field(description="ISO 4217 alphabetic code")
    numeric: str = Field(description="ISO 4217 three-digit numeric code, e.g. 978")
    exponent: int = Field(description="digits of the minor unit: EUR 2, JPY 0, KWD 3")


@router.get("/reference/countries", auth=None, response=list[CountryOut])
def country_list(request: HttpRequest) -> list[CountryOut]:
    """Every ISO 3166-1 country, sorted by English name."""
    return [CountryOut(code=c.code, name=c.name) for c in reference.countries()]


@router.get("/reference/italian-regions", auth=None, response=list[RegionOut])
def italian_region_list(request: HttpRequest) -> list[RegionOut]:
    """The 20 Italian regions, sorted by name."""
    return [RegionOut(code=r.code, name=r.name) for r in reference.italian_regions()]


@router.get(
    "/reference/italian-regions/{code}/municipalities",
    auth=None,
    response={200: list[MunicipalityOut], 404: ErrorOut, 422: ErrorOut},
)
@paginate(Page)
def italian_municipality_list(
    request: HttpRequest, code: str
) -> tuple[reference.Municipality, ...]:
    """The municipalities of one region, in ISTAT code order, paged (?limit=&offset=)."""
    try:
        return reference.municipalities_in_region(code)
    except InvalidInput as exc:
        raise RegionNotFound(exc.detail, message=exc.message()) from None


@router.get("/reference/currencies/{code}", auth=None, response={200: CurrencyOut, 404: ErrorOut})
def currency_detail(request: HttpRequest, code: str) -> CurrencyOut:
    """An ISO 4217 currency usable for prices: its numeric code and minor-unit digits."""
    try:
        exponent = currency_exponent(code)
    except UnknownCurrency as exc:
        raise CurrencyNotFound(str(exc)) from None
    return CurrencyOut(code=code, numeric=currency_numeric(code), exponent=exponent)
