"""Reads of the festivals app: festivals and their phase, participation, festival prices
and flash sales (with the units left in their buckets).

Unpublished festivals are seen by operators (and ``SYSTEM``) only; to everyone else they
answer 404 as if unknown. Merchant staff read only their own merchants' participation and
prices (another company's id answers 404).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import overload

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import MERCHANT, OPERATOR, SYSTEM
from fiera.common.errors import PermissionDenied
from fiera.festivals import figures
from fiera.festivals.models import (
    Festival,
    FestivalPrice,
    FlashSale,
    FlashSaleBucket,
    Participation,
)
from fiera.festivals.services import FestivalNotFound
from fiera.merchants import selectors as merchant_selectors

UPCOMING = "upcoming"
WARM_UP = "warm-up"
LIVE = "live"
ENDED = "ended"


class FestivalReadDenied(PermissionDenied):
    code = "festival_read_denied"
    message_template = gettext_lazy("Only operators and the company's staff can see this.")


def festival_phase(festival: Festival, *, now: datetime) -> str:
    """``upcoming`` before the warm-up, ``warm-up`` until it starts, ``live`` until it
    ends, then ``ended``."""
    if now < festival.warmup_starts_at:
        return UPCOMING
    if now < festival.starts_at:
        return WARM_UP
    if now < festival.ends_at:
        return LIVE
    return ENDED


def _sees_all(actor_role: str) -> bool:
    return actor_role in (OPERATOR, SYSTEM)


def festival_list(*, actor_role: str) -> QuerySet[Festival]:
    """Published festivals (all of them for operators), latest start first, with their
    marketplaces prefetched."""
    qs = Festival.objects.prefetch_related("marketplaces").select_related("baseline_festival")
    return qs if _sees_all(actor_role) else qs.filter(is_published=True)


def festival_get(*, slug: str, actor_role: str) -> Festival:
    festival = festival_list(actor_role=actor_role).filter(slug=slug).first()
    if festival is None:
        raise FestivalNotFound(f"no festival {slug!r}")
    return festival


def _merchant_scope(
    *, actor_id: int | None, actor_role: str, merchant_id: int | None
) -> list[int] | None:
    """The merchant ids the actor may read (None: every merchant), narrowed by
    ``merchant_id``."""
    if _sees_all(actor_role):
        return None if merchant_id is None else [merchant_id]
    if actor_role != MERCHANT or actor_id is None:
        raise FestivalReadDenied(f"role {actor_role!r} may not read this")
    own = merchant_selectors.merchant_ids_for_user(user_id=actor_id)
    if merchant_id is None:
        return own
    if merchant_id not in own:
        raise merchant_selectors.NotMerchantStaff(f"no merchant {merchant_id}")
    return [merchant_id]


def participation_list(
    *, actor_id: int | None, actor_role: str, festival_slug: str, merchant_id: int | None = None
) -> QuerySet[Participation]:
    """Applications to a festival: operators see all (``merchant_id`` narrows), merchant
    staff their own merchants'."""
    festival = festival_get(slug=festival_slug, actor_role=actor_role)
    scope = _merchant_scope(actor_id=actor_id, actor_role=actor_role, merchant_id=merchant_id)
    qs = Participation.objects.filter(festival=festival).order_by("applied_at", "id")
    return qs if scope is None else qs.filter(merchant_id__in=scope)


def merchant_participations(
    *, actor_id: int | None, actor_role: str, merchant_id: int
) -> QuerySet[Participation]:
    """A merchant's applications in every festival, newest first."""
    scope = _merchant_scope(actor_id=actor_id, actor_role=actor_role, merchant_id=merchant_id)
    qs = Participation.objects.select_related("festival").order_by("-applied_at", "-id")
    return qs if scope is None else qs.filter(merchant_id__in=scope)


def festival_price_list(
    *, actor_id: int | None, actor_role: str, festival_slug: str, merchant_id: int | None = None
) -> QuerySet[FestivalPrice]:
    """Festival prices of a festival: merchant staff their own merchants', operators all
    (``merchant_id`` narrows)."""
    festival = festival_get(slug=festival_slug, actor_role=actor_role)
    scope = _merchant_scope(actor_id=actor_id, actor_role=actor_role, merchant_id=merchant_id)
    qs = FestivalPrice.objects.filter(festival=festival).order_by("variant_id", "currency", "id")
    return qs if scope is None else qs.filter(merchant_id__in=scope)


@dataclass(frozen=True, slots=True)
class FlashSaleView:
    sale: FlashSale
    festival_slug: str
    units_left: int
    units_sold: int


def flash_sale_views(sales: list[FlashSale]) -> list[FlashSaleView]:
    """The flash sales with the units left and sold in their buckets (one query)."""
    ids = [sale.pk for sale in sales]
    totals = {
        row["flash_sale_id"]: (int(row["left"] or 0), int(row["sold"] or 0))
        for row in FlashSaleBucket.objects.filter(flash_sale_id__in=ids)
        .values("flash_sale_id")
        .annotate(left=Sum("units_left"), sold=Sum("units_sold"))
    }
    return [
        FlashSaleView(
            sale=sale,
            festival_slug=sale.festival.slug,
            units_left=totals.get(sale.pk, (0, 0))[0],
            units_sold=totals.get(sale.pk, (0, 0))[1],
        )
        for sale in sales
    ]


MAX_OFFSET = 1_000_000_000  # past any real list (the API's offset bound)


class FlashSaleListing(Sequence[FlashSaleView]):
    """Flash sales, lazily: ``len()`` counts in SQL, a slice reads one page with its units
    (two queries), iterating reads them all (two queries). Made for ninja's ``@paginate``
    and Django's ``Paginator``."""

    def __init__(self, queryset: QuerySet[FlashSale]) -> None:
        self._queryset = queryset

    def __len__(self) -> int:
        return self._queryset.count()

    def __iter__(self) -> Iterator[FlashSaleView]:
        return iter(flash_sale_views(list(self._queryset)))

    @overload
    def __getitem__(self, index: int) -> FlashSaleView: ...

    @overload
    def __getitem__(self, index: slice) -> list[FlashSaleView]: ...

    def __getitem__(self, index: int | slice) -> FlashSaleView | list[FlashSaleView]:
        if isinstance(index, slice):
            if (index.start or 0) >= MAX_OFFSET:
                return []
            stop = None if index.stop is None else min(index.stop, MAX_OFFSET)
            return flash_sale_views(list(self._queryset[index.start : stop]))
        return flash_sale_views([self._queryset[index]])[0]


def flash_sale_list(
    *, actor_role: str, festival_slug: str, merchant_id: int | None = None
) -> FlashSaleListing:
    """The flash sales of a festival (anyone who may see the festival: its page shows them
    with their units left), by start; ``merchant_id`` narrows. Lazy: page it."""
    festival = festival_get(slug=festival_slug, actor_role=actor_role)
    qs = FlashSale.objects.select_related("festival").filter(festival=festival)
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    return FlashSaleListing(qs.order_by("starts_at", "id"))


def merchant_flash_sales(
    *, actor_id: int | None, actor_role: str, merchant_id: int, festival_id: int | None = None
) -> FlashSaleListing:
    """A merchant's flash sales in every festival (or one), newest first (its staff or
    operators). Lazy: page it."""
    scope = _merchant_scope(actor_id=actor_id, actor_role=actor_role, merchant_id=merchant_id)
    qs = FlashSale.objects.select_related("festival")
    if scope is not None:
        qs = qs.filter(merchant_id__in=scope)
    if festival_id is not None:
        qs = qs.filter(festival_id=festival_id)
    return FlashSaleListing(qs.order_by("-starts_at", "-id"))


def merchant_flash_sale_festivals(
    *, actor_id: int | None, actor_role: str, merchant_id: int
) -> list[tuple[Festival, int]]:
    """The festivals the merchant runs flash sales in, with how many (its staff or
    operators), latest start first. Two queries."""
    scope = _merchant_scope(actor_id=actor_id, actor_role=actor_role, merchant_id=merchant_id)
    qs = (
        FlashSale.objects.all()
        if scope is None
        else FlashSale.objects.filter(merchant_id__in=scope)
    )
    counts = dict(qs.values("festival_id").annotate(n=Count("id")).values_list("festival_id", "n"))
    festivals = Festival.objects.filter(pk__in=list(counts)).order_by("-starts_at", "-id")
    return [(festival, int(counts[festival.pk])) for festival in festivals]


# --- reports --- (what `fiera report festival` reads: fiera.analytics.report_builders)


@dataclass(frozen=True, slots=True)
class FestivalReportFigures:
    """A festival's figures for its report, from the GMV tallies' rollups (see
    ``figures``): every merchant country that sold, by GMV (``countries``: the ranking
    the headline places a country in), the top buyer countries, merchants and the
    marketplace split, and growth against the baseline. Money in US cents."""

    slug: str
    name: str  # in the active language when the festival has it, else its name
    starts_at: datetime
    ends_at: datetime
    timezone: str
    totals: figures.Totals
    countries: list[figures.CountryRank]
    buyer_countries: list[figures.BuyerCountryRank]
    merchants: list[figures.MerchantRank]
    marketplaces: list[figures.MarketplaceShare]
    growth: figures.Growth


def festival_report_figures(
    *, slug: str, actor_role: str, top: int = 10, countries_limit: int = 300
) -> FestivalReportFigures:
    """The festival's figures for a report (operators and the system; an unknown slug is 404
    ``festival_not_found``). A handful of grouped reads of the rollups, whatever the number
    of orders."""
    from fiera.common.reference import language_suffix

    festival = festival_get(slug=slug, actor_role=actor_role)
    fid = festival.pk
    local = {"it": festival.name_it, "zh": festival.name_zh, "es": festival.name_es}
    return FestivalReportFigures(
        slug=festival.slug,
        name=local.get(language_suffix(), "") or festival.name,
        starts_at=festival.starts_at,
        ends_at=festival.ends_at,
        timezone=festival.timezone,
        totals=figures.festival_totals(festival_id=fid, actor_role=actor_role),
        countries=figures.country_ranking(
            festival_id=fid, actor_role=actor_role, limit=countries_limit
        ),
        buyer_countries=figures.buyer_country_ranking(
            festival_id=fid, actor_role=actor_role, limit=top
        ),
        merchants=figures.top_merchants(festival_id=fid, actor_role=actor_role, limit=top),
        marketplaces=figures.marketplace_split(festival_id=fid, actor_role=actor_role),
        growth=figures.festival_growth(
            festival_id=fid, actor_role=actor_role, with_minutes=False, festival=festival
        ),
    )
