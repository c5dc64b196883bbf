"""Festivals API: festivals, participation, festival prices and flash sales (operators and
merchants), and the live GMV figures. Each operation parses, makes ONE service or selector
call, and serializes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from fiera.common.pagination import Page
from fiera.common.schemas import MAX_ID, ErrorOut
from fiera.festivals import figures
from fiera.festivals import selectors as festival_selectors
from fiera.festivals import services as festival_services
from fiera.festivals.schemas import (
    CountryRankOut,
    DecisionIn,
    FestivalIn,
    FestivalOut,
    FestivalPatchIn,
    FestivalPriceIn,
    FestivalPriceOut,
    FlashSaleIn,
    FlashSaleOut,
    LiveOut,
    MerchantRankOut,
    MySalesOut,
    ParticipationIn,
    ParticipationOut,
)

router = Router(tags=["festivals"])

# --- festivals, participation, prices, flash sales ----------------------------------------

FestivalSlug = Path(..., max_length=64, pattern=r"^[-a-zA-Z0-9_]+$", description="festival slug")
ItemId = Path(..., ge=1, le=MAX_ID)
MerchantFilter = Query(None, ge=1, le=MAX_ID, description="only this merchant's")
FESTIVAL_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class _Paged(Sequence[Any]):
    """A queryset whose pages ``build`` turns into API shapes, for ``@paginate(Page)``:
    ``len()`` counts in SQL, a slice reads one page."""

    def __init__(self, queryset: QuerySet[Any], build: Callable[[Any], Any]) -> None:
        self._queryset = queryset
        self._build = build

    def __len__(self) -> int:
        return self._queryset.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._build(row) for row in self._queryset[index]]
        return self._build(self._queryset[index])


class _PagedViews(Sequence[Any]):
    """A lazy list of flash sales (``FlashSaleListing``) as ``FlashSaleOut``, for
    ``@paginate(Page)``."""

    def __init__(self, listing: festival_selectors.FlashSaleListing) -> None:
        self._listing = listing

    def __len__(self) -> int:
        return len(self._listing)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [FlashSaleOut.of(v) for v in self._listing[index]]
        return FlashSaleOut.of(self._listing[index])


def _who(request: HttpRequest) -> tuple[int, str]:
    user = request.auth  # type: ignore[attr-defined]
    return int(user.pk), str(user.role)


@router.get("/festivals", response={200: list[FestivalOut], **FESTIVAL_ERRORS})
@paginate(Page)
def festival_list(request: HttpRequest) -> Any:
    """Published festivals (operators: all), latest start first, each with its phase now
    (upcoming, warm-up, live, ended). Paged with ?limit=&offset=."""
    _user_id, role = _who(request)
    now = timezone.now()
    return _Paged(
        festival_selectors.festival_list(actor_role=role), lambda f: FestivalOut.of(f, now)
    )


@router.get("/festivals/{slug}", response={200: FestivalOut, **FESTIVAL_ERRORS})
def festival_get(request: HttpRequest, slug: str = FestivalSlug) -> FestivalOut:
    _user_id, role = _who(request)
    festival = festival_selectors.festival_get(slug=slug, actor_role=role)
    return FestivalOut.of(festival, timezone.now())


@router.post("/festivals", response={201: FestivalOut, **FESTIVAL_ERRORS})
def festival_create(request: HttpRequest, payload: FestivalIn) -> Status:
    """Operators: a festival on marketplaces (slugs), times with their offset (stored in
    UTC), ``timezone`` the IANA zone its pages use, ``warmup_starts_at <= starts_at <
    ends_at``; ``baseline_festival`` the previous edition's slug."""
    user_id, role = _who(request)
    now = timezone.now()
    festival = festival_services.festival_create(
        actor_id=user_id,
        actor_role=role,
        slug=payload.slug,
        name=payload.name,
        name_it=payload.name_it,
        name_zh=payload.name_zh,
        description=payload.description,
        description_it=payload.description_it,
        description_zh=payload.description_zh,
        name_es=payload.name_es,
        description_es=payload.description_es,
        marketplace_slugs=payload.marketplaces,
        timezone=payload.timezone,
        warmup_starts_at=payload.warmup_starts_at,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        baseline_festival_slug=payload.baseline_festival,
        is_published=payload.is_published,
        now=now,
    )
    return Status(201, FestivalOut.of(festival, now))


@router.patch("/festivals/{slug}", response={200: FestivalOut, **FESTIVAL_ERRORS})
def festival_update(
    request: HttpRequest, payload: FestivalPatchIn, slug: str = FestivalSlug
) -> FestivalOut:
    """Operators: change what the body names (``baseline_festival``: "" removes it)."""
    user_id, role = _who(request)
    now = timezone.now()
    festival = festival_services.festival_update(
        actor_id=user_id, actor_role=role, slug=slug, changes=payload.changes(), now=now
    )
    return FestivalOut.of(festival, now)


# participation


@router.get(
    "/festivals/{slug}/participations",
    response={200: list[ParticipationOut], **FESTIVAL_ERRORS},
)
@paginate(Page)
def participation_list(
    request: HttpRequest, slug: str = FestivalSlug, merchant_id: int | None = MerchantFilter
) -> Any:
    """Operators: every application (``merchant_id`` narrows); merchant staff: their own.
    Paged with ?limit=&offset=."""
    user_id, role = _who(request)
    rows = festival_selectors.participation_list(
        actor_id=user_id, actor_role=role, festival_slug=slug, merchant_id=merchant_id
    )
    return _Paged(rows.select_related("festival"), ParticipationOut.of)


@router.post(
    "/festivals/{slug}/participations", response={201: ParticipationOut, **FESTIVAL_ERRORS}
)
def participation_apply(
    request: HttpRequest, payload: ParticipationIn, slug: str = FestivalSlug
) -> Status:
    """A merchant's owners or managers apply (again after a withdrawal or rejection)."""
    user_id, role = _who(request)
    participation = festival_services.participation_apply(
        actor_id=user_id,
        actor_role=role,
        festival_slug=slug,
        merchant_id=payload.merchant_id,
        pitch=payload.pitch,
        now=timezone.now(),
    )
    return Status(201, ParticipationOut.of(participation))


@router.post(
    "/festivals/{slug}/participations/{participation_id}/decision",
    response={200: ParticipationOut, **FESTIVAL_ERRORS},
)
def participation_decide(
    request: HttpRequest,
    payload: DecisionIn,
    slug: str = FestivalSlug,
    participation_id: int = ItemId,
) -> ParticipationOut:
    """Operators: approve or reject an application (with a note)."""
    user_id, role = _who(request)
    participation = festival_services.participation_decide(
        actor_id=user_id,
        actor_role=role,
        festival_slug=slug,
        participation_id=participation_id,
        approve=payload.decision == "approve",
        note=payload.note,
        now=timezone.now(),
    )
    return ParticipationOut.of(participation)


@router.delete(
    "/festivals/{slug}/participations/{participation_id}",
    response={200: ParticipationOut, **FESTIVAL_ERRORS},
)
def participation_withdraw(
    request: HttpRequest, slug: str = FestivalSlug, participation_id: int = ItemId
) -> ParticipationOut:
    """The merchant withdraws its application (its flash sales there closed first)."""
    user_id, role = _who(request)
    participation = festival_services.participation_withdraw(
        actor_id=user_id,
        actor_role=role,
        festival_slug=slug,
        participation_id=participation_id,
        now=timezone.now(),
    )
    return ParticipationOut.of(participation)


# festival prices


@router.get("/festivals/{slug}/prices", response={200: list[FestivalPriceOut], **FESTIVAL_ERRORS})
@paginate(Page)
def festival_price_list(
    request: HttpRequest, slug: str = FestivalSlug, merchant_id: int | None = MerchantFilter
) -> Any:
    """Merchant staff: their merchants' festival prices; operators: all. Paged with
    ?limit=&offset=."""
    user_id, role = _who(request)
    rows = festival_selectors.festival_price_list(
        actor_id=user_id, actor_role=role, festival_slug=slug, merchant_id=merchant_id
    )
    return _Paged(rows, FestivalPriceOut.of)


@router.put("/festivals/{slug}/prices", response={200: FestivalPriceOut, **FESTIVAL_ERRORS})
def festival_price_set(
    request: HttpRequest, payload: FestivalPriceIn, slug: str = FestivalSlug
) -> FestivalPriceOut:
    """An approved merchant sets its variant's festival price in a currency of one of the
    festival's marketplaces: above 0, below the list price there (at the minimum order)."""
    user_id, role = _who(request)
    price = festival_services.festival_price_set(
        actor_id=user_id,
        actor_role=role,
        festival_slug=slug,
        merchant_id=payload.merchant_id,
        variant_id=payload.variant_id,
        currency=payload.currency,
        price_minor=payload.price_minor,
        now=timezone.now(),
    )
    return FestivalPriceOut.of(price)


@router.delete("/festivals/{slug}/prices/{price_id}", response={204: None, **FESTIVAL_ERRORS})
def festival_price_delete(
    request: HttpRequest, slug: str = FestivalSlug, price_id: int = ItemId
) -> Status:
    user_id, role = _who(request)
    festival_services.festival_price_delete(
        actor_id=user_id, actor_role=role, festival_slug=slug, price_id=price_id, now=timezone.now()
    )
    return Status(204, None)


# flash sales


@router.get("/festivals/{slug}/flash-sales", response={200: list[FlashSaleOut], **FESTIVAL_ERRORS})
@paginate(Page)
def flash_sale_list(
    request: HttpRequest, slug: str = FestivalSlug, merchant_id: int | None = MerchantFilter
) -> Any:
    """The festival's flash sales with the units left and sold, by start. Paged with
    ?limit=&offset=."""
    _user_id, role = _who(request)
    views = festival_selectors.flash_sale_list(
        actor_role=role, festival_slug=slug, merchant_id=merchant_id
    )
    return _PagedViews(views)


@router.post("/festivals/{slug}/flash-sales", response={201: FlashSaleOut, **FESTIVAL_ERRORS})
def flash_sale_create(
    request: HttpRequest, payload: FlashSaleIn, slug: str = FestivalSlug
) -> Status:
    """An approved merchant offers ``quantity`` units of its variant, set aside now from
    ``warehouse_id``'s stock (409 ``flash_sale_stock_short`` when it holds fewer), split
    over ``bucket_count`` buckets; ``starts_at`` within the festival (warm-up included),
    ``ends_at`` no later than its end."""
    user_id, role = _who(request)
    sale = festival_services.flash_sale_create(
        actor_id=user_id,
        actor_role=role,
        festival_slug=slug,
        merchant_id=payload.merchant_id,
        variant_id=payload.variant_id,
        warehouse_id=payload.warehouse_id,
        currency=payload.currency,
        price_minor=payload.price_minor,
        quantity=payload.quantity,
        per_buyer_limit=payload.per_buyer_limit,
        bucket_count=payload.bucket_count,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        now=timezone.now(),
    )
    return Status(201, FlashSaleOut.of_sale(sale))


@router.post("/flash-sales/{flash_sale_id}/close", response={200: FlashSaleOut, **FESTIVAL_ERRORS})
def flash_sale_close(request: HttpRequest, flash_sale_id: int = ItemId) -> FlashSaleOut:
    """Before it starts (cancel) or after it ends: its unsold units go back to the stock.
    Closing a closed flash sale answers it unchanged."""
    user_id, role = _who(request)
    sale = festival_services.flash_sale_close(
        actor_id=user_id, actor_role=role, flash_sale_id=flash_sale_id, now=timezone.now()
    )
    return FlashSaleOut.of_sale(sale)


@router.get(
    "/merchants/{merchant_id}/flash-sales", response={200: list[FlashSaleOut], **FESTIVAL_ERRORS}
)
@paginate(Page)
def merchant_flash_sales(request: HttpRequest, merchant_id: int = ItemId) -> Any:
    """A merchant's flash sales in every festival (its staff, operators), newest first.
    Paged with ?limit=&offset=."""
    user_id, role = _who(request)
    views = festival_selectors.merchant_flash_sales(
        actor_id=user_id, actor_role=role, merchant_id=merchant_id
    )
    return _PagedViews(views)


@router.get(
    "/merchants/{merchant_id}/festival-participations",
    response={200: list[ParticipationOut], **FESTIVAL_ERRORS},
)
@paginate(Page)
def merchant_participations(request: HttpRequest, merchant_id: int = ItemId) -> Any:
    """A merchant's applications to festivals (its staff, operators), newest first. Paged
    with ?limit=&offset=."""
    user_id, role = _who(request)
    rows = festival_selectors.merchant_participations(
        actor_id=user_id, actor_role=role, merchant_id=merchant_id
    )
    return _Paged(rows, ParticipationOut.of)


# --- live GMV, rankings, growth --------------------------------------------------------------

LIVE_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
RankLimit = Query(10, ge=1, le=100, description="how many")


@router.get("/festivals/{slug}/live", response={200: LiveOut, **LIVE_ERRORS})
def festival_live(request: HttpRequest, slug: str = FestivalSlug) -> LiveOut:
    """Operators: what the live dashboard polls (cheap: a few indexed reads of the GMV
    tallies, never the orders): totals, GMV per minute over the last 60 minutes, the top-10
    merchant countries and growth against the baseline so far. GMV in US cents."""
    _user_id, role = _who(request)
    view = figures.festival_live(slug=slug, now=timezone.now(), actor_role=role)
    return LiveOut.of(view)


@router.get(
    "/festivals/{slug}/rankings/countries", response={200: list[CountryRankOut], **LIVE_ERRORS}
)
def festival_country_ranking(
    request: HttpRequest, slug: str = FestivalSlug, limit: int = RankLimit
) -> list[CountryRankOut]:
    """Operators: merchant countries by festival GMV (USD), with how many of each country's
    merchants sold."""
    _user_id, role = _who(request)
    ranking = figures.festival_rankings(slug=slug, actor_role=role, limit=limit)
    return [CountryRankOut.of(i, c) for i, c in enumerate(ranking.countries, 1)]


@router.get(
    "/festivals/{slug}/rankings/merchants", response={200: list[MerchantRankOut], **LIVE_ERRORS}
)
def festival_merchant_ranking(
    request: HttpRequest, slug: str = FestivalSlug, limit: int = RankLimit
) -> list[MerchantRankOut]:
    """Operators: merchants by festival GMV (USD)."""
    _user_id, role = _who(request)
    ranking = figures.festival_rankings(slug=slug, actor_role=role, limit=limit, merchants=True)
    return [MerchantRankOut.of(i, m) for i, m in enumerate(ranking.merchants, 1)]


@router.get("/festivals/{slug}/my-sales", response={200: MySalesOut, **LIVE_ERRORS})
def festival_my_sales(
    request: HttpRequest,
    slug: str = FestivalSlug,
    merchant_id: int | None = MerchantFilter,
    limit: int = Query(60, ge=1, le=1440, description="minutes of per_minute (1-1440)"),
    offset: int = Query(0, ge=0, le=1_000_000_000, description="minutes to skip"),
) -> MySalesOut:
    """A merchant's staff: their own merchant's festival sales (GMV in USD; ``per_minute``
    a page of its minutes with sales, oldest first, ``per_minute_count`` of them in all);
    operators name the merchant with ``merchant_id``. Other merchants' sales are refused."""
    user_id, role = _who(request)
    sales = figures.my_festival_sales(
        slug=slug, actor_id=user_id, actor_role=role, merchant_id=merchant_id
    )
    return MySalesOut.of(sales, limit=limit, offset=offset)
