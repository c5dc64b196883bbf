"""Marketplaces: public reads, operator-only writes."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from fiera.common.schemas import ErrorOut
from fiera.marketplaces import selectors, services
from fiera.marketplaces.schemas import CountryCurrencyIn, MarketplaceIn, MarketplaceOut

router = Router(tags=["marketplaces"])


def _role(request: HttpRequest) -> str:
    return str(request.auth.role)  # type: ignore[attr-defined]


@router.get("/marketplaces", auth=None, response=list[MarketplaceOut])
def marketplace_list(request: HttpRequest) -> list[MarketplaceOut]:
    """The active marketplaces, with the countries each ships to and their currencies."""
    return [MarketplaceOut.of(m) for m in selectors.marketplace_infos(active_only=True)]


@router.get("/marketplaces/{slug}", auth=None, response={200: MarketplaceOut, 404: ErrorOut})
def marketplace_detail(request: HttpRequest, slug: str) -> MarketplaceOut:
    return MarketplaceOut.of(selectors.marketplace_get(slug=slug))


@router.post(
    "/marketplaces",
    response={
        201: MarketplaceOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def marketplace_create(request: HttpRequest, payload: MarketplaceIn) -> Status[MarketplaceOut]:
    """Create a marketplace (operators only): worldwide, or with its countries."""
    info = services.marketplace_create(**payload.dict(), actor_role=_role(request))
    return Status(201, MarketplaceOut.of(info))


@router.put(
    "/marketplaces/{slug}/countries/{country}",
    response={
        200: MarketplaceOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
)
def marketplace_country_put(
    request: HttpRequest, slug: str, country: str, payload: CountryCurrencyIn
) -> MarketplaceOut:
    """Ship to a country and set the currency its buyers pay in (operators only)."""
    info = services.marketplace_country_set(
        slug=slug, country=country, currency=payload.currency, actor_role=_role(request)
    )
    return MarketplaceOut.of(info)
