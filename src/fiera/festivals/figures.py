"""Festival figures from the GMV tallies: totals, GMV per minute, rankings, growth against
the baseline and a merchant's own sales. None reads the orders. Totals, the merchant and
country rankings and the marketplace split read the per-merchant rollup
``GmvMerchantTotal`` (a few thousand rows per festival); the per-minute series and growth
read ``GmvMinute`` (1,440 rows a day); the buyer-country ranking reads ``GmvBuyerCountry``
(a row per country); only a merchant's own sales GROUP BY the tally cells (``GmvTally``,
that merchant's rows). Money is in US cents
(``REPORTING_CURRENCY``).

Access: operators (and the system) read every figure; a merchant's staff read only their
own merchant's sales (``merchant_festival_sales``); buyers read none."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from fiera.accounts.roles import MERCHANT, OPERATOR, SYSTEM
from fiera.common.errors import NotFound, PermissionDenied
from fiera.festivals.models import (
    REPORTING_CURRENCY,
    Festival,
    GmvBuyerCountry,
    GmvMerchantTotal,
    GmvMinute,
    GmvTally,
    TallyPhase,
)
from fiera.merchants import selectors as merchant_selectors

CURRENCY = REPORTING_CURRENCY


def _require_operator(actor_role: str) -> None:
    if actor_role not in {OPERATOR, SYSTEM}:
        raise PermissionDenied("festival figures are for operators")


def festival_for_slug(*, slug: str) -> Festival:
    festival = Festival.objects.filter(slug=slug).first()
    if festival is None:
        raise NotFound(f"no festival {slug!r}")
    return festival


def _merchant_totals(festival_id: int, phase: str = TallyPhase.LIVE) -> QuerySet[GmvMerchantTotal]:
    return GmvMerchantTotal.objects.filter(festival_id=festival_id, phase=phase)


_SOLD = Q(gmv_usd_minor__gt=0)
_SOLD_ORDERS = Q(orders__gt=0)


@dataclass(frozen=True, slots=True)
class Totals:
    gmv_usd_minor: int
    orders: int
    units: int
    merchants: int  # that sold (GMV above 0)
    countries: int  # merchant countries that sold


def festival_totals(*, festival_id: int, actor_role: str, phase: str = TallyPhase.LIVE) -> Totals:
    """From the per-merchant rollup; a merchant sold when its GMV is above 0."""
    _require_operator(actor_role)
    row = _merchant_totals(festival_id, phase).aggregate(
        gmv=Coalesce(Sum("gmv_usd_minor"), 0),
        orders=Coalesce(Sum("orders"), 0),
        units=Coalesce(Sum("units"), 0),
        merchants=Count("merchant_id", distinct=True, filter=_SOLD),
        countries=Count("merchant_country", distinct=True, filter=_SOLD),
    )
    return Totals(
        gmv_usd_minor=int(row["gmv"]),
        orders=int(row["orders"]),
        units=int(row["units"]),
        merchants=int(row["merchants"]),
        countries=int(row["countries"]),
    )


@dataclass(frozen=True, slots=True)
class MinutePoint:
    minute: datetime
    gmv_usd_minor: int
    orders: int


def _series(festival_id: int, phase: str, since: datetime | None) -> list[MinutePoint]:
    qs = GmvMinute.objects.filter(festival_id=festival_id, phase=phase)
    if since is not None:
        qs = qs.filter(minute__gte=since)
    rows = (
        qs.values("minute")
        .annotate(gmv=Sum("gmv_usd_minor"), orders=Sum("orders"))
        .order_by("minute")
    )
    return [MinutePoint(r["minute"], int(r["gmv"]), int(r["orders"])) for r in rows]


def gmv_per_minute(
    *, festival_id: int, actor_role: str, since: datetime | None = None
) -> list[MinutePoint]:
    """The festival's GMV per minute (minutes with sales only), oldest first."""
    _require_operator(actor_role)
    return _series(festival_id, TallyPhase.LIVE, since)


@dataclass(frozen=True, slots=True)
class CountryRank:
    country: str
    gmv_usd_minor: int
    orders: int
    merchants: int  # merchants of the country that sold


def country_ranking(*, festival_id: int, actor_role: str, limit: int = 10) -> list[CountryRank]:
    """Merchant countries by GMV, highest first (ties by country code), from the
    per-merchant rollup; ``merchants`` counts the country's merchants with orders."""
    _require_operator(actor_role)
    rows = (
        _merchant_totals(festival_id)
        .values("merchant_country")
        .annotate(
            gmv=Sum("gmv_usd_minor"),
            n=Sum("orders"),
            merchants=Count("merchant_id", distinct=True, filter=_SOLD_ORDERS),
        )
        .order_by("-gmv", "merchant_country")[:limit]
    )
    return [
        CountryRank(r["merchant_country"], int(r["gmv"]), int(r["n"]), int(r["merchants"]))
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class BuyerCountryRank:
    country: str
    gmv_usd_minor: int
    orders: int


def buyer_country_ranking(
    *, festival_id: int, actor_role: str, limit: int = 10
) -> list[BuyerCountryRank]:
    """Buyer countries by GMV, highest first (ties by country code), from the rollup
    ``GmvBuyerCountry`` (a row per country): cheap enough to poll live."""
    _require_operator(actor_role)
    rows = (
        GmvBuyerCountry.objects.filter(festival_id=festival_id, phase=TallyPhase.LIVE)
        .filter(_SOLD)
        .order_by("-gmv_usd_minor", "buyer_country")
        .values_list("buyer_country", "gmv_usd_minor", "orders")[:limit]
    )
    return [BuyerCountryRank(country, int(gmv), int(n)) for country, gmv, n in rows]


@dataclass(frozen=True, slots=True)
class MerchantRank:
    merchant_id: int
    name: str
    country: str
    gmv_usd_minor: int
    orders: int
    units: int


def top_merchants(*, festival_id: int, actor_role: str, limit: int = 10) -> list[MerchantRank]:
    """Merchants by GMV, highest first, with their names (one more query); from the
    per-merchant rollup."""
    _require_operator(actor_role)
    rows = list(
        _merchant_totals(festival_id)
        .values("merchant_id", "merchant_country")
        .annotate(gmv=Sum("gmv_usd_minor"), n=Sum("orders"), u=Sum("units"))
        .order_by("-gmv", "merchant_id")[:limit]
    )
    names = merchant_selectors.merchant_summaries(merchant_ids=[r["merchant_id"] for r in rows])
    return [
        MerchantRank(
            merchant_id=r["merchant_id"],
            name=names[r["merchant_id"]].display_name if r["merchant_id"] in names else "",
            country=r["merchant_country"],
            gmv_usd_minor=int(r["gmv"]),
            orders=int(r["n"]),
            units=int(r["u"]),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class MarketplaceShare:
    marketplace_id: int
    gmv_usd_minor: int
    orders: int


def marketplace_split(*, festival_id: int, actor_role: str) -> list[MarketplaceShare]:
    """GMV per marketplace, from the per-merchant rollup."""
    _require_operator(actor_role)
    rows = (
        _merchant_totals(festival_id)
        .values("marketplace_id")
        .annotate(gmv=Sum("gmv_usd_minor"), n=Sum("orders"))
        .order_by("-gmv", "marketplace_id")
    )
    return [MarketplaceShare(r["marketplace_id"], int(r["gmv"]), int(r["n"])) for r in rows]


def growth_ratio(live: int, baseline: int) -> Decimal | None:
    """(live - baseline) / baseline, to 4 decimal places; None when the baseline is 0."""
    if baseline == 0:
        return None
    return (Decimal(live - baseline) / Decimal(baseline)).quantize(Decimal("0.0001"))


@dataclass(frozen=True, slots=True)
class GrowthPoint:
    offset_minutes: int  # minutes since the window's start
    live_usd_minor: int
    baseline_usd_minor: int
    growth: Decimal | None


@dataclass(frozen=True, slots=True)
class Growth:
    baseline: str  # "previous edition" (baseline festival) or "window before"
    live_usd_minor: int
    baseline_usd_minor: int
    growth: Decimal | None
    per_minute: list[GrowthPoint]


def _baseline(festival: Festival) -> tuple[int, str, datetime, str]:
    """(festival id, phase, window start, kind) of the tallies growth compares with."""
    if festival.baseline_festival_id is not None:
        base = Festival.objects.only("starts_at").get(pk=festival.baseline_festival_id)
        return base.pk, TallyPhase.LIVE, base.starts_at, "previous edition"
    length = festival.ends_at - festival.starts_at
    return festival.pk, TallyPhase.BASELINE, festival.starts_at - length, "window before"


def _offset(minute: datetime, start: datetime) -> int:
    return int((minute - start) // timedelta(minutes=1))


def festival_growth(
    *,
    festival_id: int,
    actor_role: str,
    with_minutes: bool = True,
    until: datetime | None = None,
    festival: Festival | None = None,
) -> Growth:
    """GMV against the baseline: in all, and live minute k vs baseline minute k (k counted
    from each window's start). ``until`` (now, while the festival runs) compares the totals
    only over the part of the baseline window the festival has reached."""
    _require_operator(actor_role)
    if festival is None or festival.pk != festival_id:  # the caller's copy saves a query
        festival = Festival.objects.filter(pk=festival_id).first()
    if festival is None:
        raise NotFound(f"no festival {festival_id}")
    base_id, base_phase, base_start, kind = _baseline(festival)
    live = _series(festival.pk, TallyPhase.LIVE, None)
    base = _series(base_id, base_phase, None)
    reached: int | None = None
    if until is not None and until < festival.ends_at:
        reached = _offset(until, festival.starts_at)
    live_by = {_offset(p.minute, festival.starts_at): p.gmv_usd_minor for p in live}
    base_by = {
        k: v
        for k, v in ((_offset(p.minute, base_start), p.gmv_usd_minor) for p in base)
        if reached is None or k <= reached
    }
    live_total, base_total = sum(live_by.values()), sum(base_by.values())
    points: list[GrowthPoint] = []
    if with_minutes:
        for k in sorted(set(live_by) | set(base_by)):
            lv, bv = live_by.get(k, 0), base_by.get(k, 0)
            points.append(GrowthPoint(k, lv, bv, growth_ratio(lv, bv)))
    return Growth(kind, live_total, base_total, growth_ratio(live_total, base_total), points)


@dataclass(frozen=True, slots=True)
class LiveView:
    festival_id: int
    slug: str
    name: str
    starts_at: datetime
    ends_at: datetime
    currency: str
    totals: Totals
    last_minutes: list[MinutePoint]
    countries: list[CountryRank]
    growth: Growth
    timezone: str = "UTC"  # the festival's IANA zone: the dashboard shows times in it
    merchants: list[MerchantRank] = field(default_factory=list)
    buyer_countries: list[BuyerCountryRank] = field(default_factory=list)


def festival_live(*, slug: str, now: datetime, actor_role: str) -> LiveView:
    """What the live dashboard polls: totals, the last 60 minutes, the top-10 merchant
    countries, merchants and buyer countries, and growth (totals only): reads of the
    festival's rollups (a few thousand merchant rows, at most 1,440 minute rows a day, a
    row per buyer country), never of the tally cells."""
    _require_operator(actor_role)
    festival = festival_for_slug(slug=slug)
    return LiveView(
        festival_id=festival.pk,
        slug=festival.slug,
        name=festival.name,
        starts_at=festival.starts_at,
        ends_at=festival.ends_at,
        currency=CURRENCY,
        totals=festival_totals(festival_id=festival.pk, actor_role=actor_role),
        last_minutes=gmv_per_minute(
            festival_id=festival.pk, actor_role=actor_role, since=now - timedelta(minutes=60)
        ),
        countries=country_ranking(festival_id=festival.pk, actor_role=actor_role, limit=10),
        growth=festival_growth(
            festival_id=festival.pk,
            actor_role=actor_role,
            with_minutes=False,
            until=now,
            festival=festival,
        ),
        timezone=festival.timezone,
        merchants=top_merchants(festival_id=festival.pk, actor_role=actor_role, limit=10),
        buyer_countries=buyer_country_ranking(
            festival_id=festival.pk, actor_role=actor_role, limit=10
        ),
    )


@dataclass(frozen=True, slots=True)
class MerchantFestivalSales:
    merchant_id: int
    festival_id: int
    slug: str
    name: str
    starts_at: datetime
    ends_at: datetime
    gmv_usd_minor: int
    orders: int
    units: int
    per_minute: list[MinutePoint]
    timezone: str = "UTC"  # the festival's IANA zone (its pages show times in it)


def merchant_festival_sales(
    *,
    merchant_id: int,
    actor_id: int | None,
    actor_role: str,
    festival_slug: str | None = None,
) -> list[MerchantFestivalSales]:
    """A merchant's own live sales in each festival it sold in (or in one festival): its
    staff, operators and the system. Others get PermissionDenied."""
    if actor_role not in {OPERATOR, SYSTEM}:
        if actor_role != MERCHANT or actor_id is None:
            raise PermissionDenied("only the merchant's staff see its festival sales")
        merchant_selectors.staff_require(user_id=actor_id, merchant_id=merchant_id)
    qs = GmvTally.objects.filter(merchant_id=merchant_id, phase=TallyPhase.LIVE)
    if festival_slug is not None:
        qs = qs.filter(festival_id=festival_for_slug(slug=festival_slug).pk)
    rows = (
        qs.values("festival_id")
        .annotate(gmv=Sum("gmv_usd_minor"), n=Sum("orders"), u=Sum("units"))
        .order_by("festival_id")
    )
    totals = {r["festival_id"]: r for r in rows}
    festivals = Festival.objects.filter(pk__in=list(totals)).order_by("-starts_at")
    minutes: dict[int, list[MinutePoint]] = {}
    for r in (
        qs.values("festival_id", "minute")
        .annotate(gmv=Sum("gmv_usd_minor"), n=Sum("orders"))
        .order_by("festival_id", "minute")
    ):
        minutes.setdefault(r["festival_id"], []).append(
            MinutePoint(r["minute"], int(r["gmv"]), int(r["n"]))
        )
    out = []
    for fest in festivals:
        t = totals[fest.pk]
        out.append(
            MerchantFestivalSales(
                merchant_id=merchant_id,
                festival_id=fest.pk,
                slug=fest.slug,
                name=fest.name,
                starts_at=fest.starts_at,
                ends_at=fest.ends_at,
                gmv_usd_minor=int(t["gmv"]),
                orders=int(t["n"]),
                units=int(t["u"]),
                per_minute=minutes.get(fest.pk, []),
                timezone=fest.timezone,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Ranking:
    festival_id: int
    slug: str
    countries: list[CountryRank]
    merchants: list[MerchantRank]


def festival_rankings(
    *, slug: str, actor_role: str, limit: int = 10, merchants: bool = False
) -> Ranking:
    """The festival's top ``limit`` merchant countries, or (``merchants``) top merchants."""
    _require_operator(actor_role)
    festival = festival_for_slug(slug=slug)
    if merchants:
        rows = top_merchants(festival_id=festival.pk, actor_role=actor_role, limit=limit)
        return Ranking(festival.pk, festival.slug, [], rows)
    countries = country_ranking(festival_id=festival.pk, actor_role=actor_role, limit=limit)
    return Ranking(festival.pk, festival.slug, countries, [])


def my_festival_sales(
    *, slug: str, actor_id: int, actor_role: str, merchant_id: int | None = None
) -> MerchantFestivalSales:
    """A merchant's own sales in one festival (zeros when it sold nothing there): its staff
    (``merchant_id`` defaults to the user's first merchant), operators naming the merchant."""
    if merchant_id is None:
        if actor_role != MERCHANT:
            raise PermissionDenied("name the merchant whose sales to show")
        mine = merchant_selectors.merchant_ids_for_user(user_id=actor_id)
        if not mine:
            raise PermissionDenied("you are not staff of a merchant")
        merchant_id = mine[0]
    found = merchant_festival_sales(
        merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role, festival_slug=slug
    )
    if found:
        return found[0]
    fest = festival_for_slug(slug=slug)
    return MerchantFestivalSales(
        merchant_id,
        fest.pk,
        fest.slug,
        fest.name,
        fest.starts_at,
        fest.ends_at,
        0,
        0,
        0,
        [],
        fest.timezone,
    )
