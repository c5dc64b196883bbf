"""API shapes of the festivals app (festivals, participation, festival prices, flash sales).
Money is in integer minor units with its ISO 4217 code."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from fiera.common.money import Money
from fiera.common.schemas import BodyId, MoneyOut, ObjectIn
from fiera.festivals.models import Festival, FestivalPrice, FlashSale, Participation
from fiera.festivals.selectors import FlashSaleView, festival_phase, flash_sale_views

SLUG = r"^[-a-zA-Z0-9_]+$"
CURRENCY = r"^[A-Za-z]{3}$"
TEXT = r"^[^\x00]*$"  # PostgreSQL text refuses NUL characters
MAX_MINOR = 10**15
MarketplaceSlug = Annotated[str, Field(min_length=1, max_length=40, pattern=SLUG)]
MAX_UNITS = 1_000_000_000


def _money(amount_minor: int, currency: str) -> MoneyOut:
    return MoneyOut.of(Money(amount_minor, currency))


class FestivalIn(ObjectIn):
    slug: str = Field(..., min_length=1, max_length=64, pattern=SLUG)
    name: str = Field(..., min_length=1, max_length=120, pattern=TEXT)
    name_it: str = Field("", max_length=120, pattern=TEXT)
    name_zh: str = Field("", max_length=120, pattern=TEXT)
    description: str = Field("", max_length=4000, pattern=TEXT)
    description_it: str = Field("", max_length=4000, pattern=TEXT)
    description_zh: str = Field("", max_length=4000, pattern=TEXT)
    name_es: str = Field("", max_length=120, pattern=TEXT)
    description_es: str = Field("", max_length=4000, pattern=TEXT)
    marketplaces: list[MarketplaceSlug] = Field(
        ..., min_length=1, max_length=20, description="marketplace slugs"
    )
    timezone: str = Field("Asia/Shanghai", max_length=64, pattern=TEXT, description="IANA zone")
    warmup_starts_at: datetime
    starts_at: datetime
    ends_at: datetime
    baseline_festival: str | None = Field(None, max_length=64, pattern=SLUG)
    is_published: bool = False


class FestivalPatchIn(ObjectIn):
    """Only the fields given change (``baseline_festival``: "" removes it)."""

    name: str | None = Field(None, min_length=1, max_length=120, pattern=TEXT)
    name_it: str | None = Field(None, max_length=120, pattern=TEXT)
    name_zh: str | None = Field(None, max_length=120, pattern=TEXT)
    description: str | None = Field(None, max_length=4000, pattern=TEXT)
    description_it: str | None = Field(None, max_length=4000, pattern=TEXT)
    description_zh: str | None = Field(None, max_length=4000, pattern=TEXT)
    name_es: str | None = Field(None, max_length=120, pattern=TEXT)
    description_es: str | None = Field(None, max_length=4000, pattern=TEXT)
    marketplaces: list[MarketplaceSlug] | None = Field(None, min_length=1, max_length=20)
    timezone: str | None = Field(None, max_length=64, pattern=TEXT)
    warmup_starts_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    baseline_festival: str | None = Field(None, max_length=64, pattern=r"^[-a-zA-Z0-9_]*$")
    is_published: bool | None = None

    def changes(self) -> dict[str, object]:
        given = self.model_dump(exclude_unset=True)
        out: dict[str, object] = {}
        for key, value in given.items():
            if key == "marketplaces":
                out["marketplace_slugs"] = value
            elif key == "baseline_festival":
                out["baseline_festival_slug"] = value or None
            elif value is not None:
                out[key] = value
        return out


class FestivalOut(Schema):
    slug: str
    name: str
    name_it: str
    name_zh: str
    description: str
    description_it: str
    description_zh: str
    name_es: str = Field("", description="in Spanish; empty when not translated")
    description_es: str = Field("", description="in Spanish; empty when not translated")
    marketplaces: list[str]
    timezone: str
    warmup_starts_at: datetime
    starts_at: datetime
    ends_at: datetime
    baseline_festival: str | None
    is_published: bool
    phase: Literal["upcoming", "warm-up", "live", "ended"]

    @classmethod
    def of(cls, festival: Festival, now: datetime) -> FestivalOut:
        return cls(
            slug=festival.slug,
            name=festival.name,
            name_it=festival.name_it,
            name_zh=festival.name_zh,
            description=festival.description,
            description_it=festival.description_it,
            description_zh=festival.description_zh,
            name_es=festival.name_es,
            description_es=festival.description_es,
            marketplaces=sorted(m.slug for m in festival.marketplaces.all()),
            timezone=festival.timezone,
            warmup_starts_at=festival.warmup_starts_at,
            starts_at=festival.starts_at,
            ends_at=festival.ends_at,
            baseline_festival=(
                festival.baseline_festival.slug if festival.baseline_festival else None
            ),
            is_published=festival.is_published,
            phase=festival_phase(festival, now=now),  # type: ignore[arg-type]
        )


class ParticipationIn(ObjectIn):
    merchant_id: BodyId
    pitch: str = Field("", max_length=4000, pattern=TEXT)


class DecisionIn(ObjectIn):
    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=4000, pattern=TEXT)


class ParticipationOut(Schema):
    id: int
    festival: str
    merchant_id: int
    status: str
    pitch: str
    decision_note: str
    applied_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, participation: Participation) -> ParticipationOut:
        return cls(
            id=participation.pk,
            festival=participation.festival.slug,
            merchant_id=participation.merchant_id,
            status=participation.status,
            pitch=participation.pitch,
            decision_note=participation.decision_note,
            applied_at=participation.applied_at,
            decided_at=participation.decided_at,
        )


class FestivalPriceIn(ObjectIn):
    merchant_id: BodyId
    variant_id: BodyId
    currency: str = Field(..., pattern=CURRENCY)
    price_minor: int = Field(..., strict=True, gt=0, le=MAX_MINOR)


class FestivalPriceOut(Schema):
    id: int
    merchant_id: int
    variant_id: int
    price: MoneyOut

    @classmethod
    def of(cls, price: FestivalPrice) -> FestivalPriceOut:
        return cls(
            id=price.pk,
            merchant_id=price.merchant_id,
            variant_id=price.variant_id,
            price=_money(price.price_minor, price.currency),
        )


class FlashSaleIn(ObjectIn):
    merchant_id: BodyId
    variant_id: BodyId
    warehouse_id: BodyId
    currency: str = Field(..., pattern=CURRENCY)
    price_minor: int = Field(..., strict=True, gt=0, le=MAX_MINOR)
    quantity: int = Field(..., strict=True, gt=0, le=MAX_UNITS)
    per_buyer_limit: int = Field(1, strict=True, ge=1, le=MAX_UNITS)
    bucket_count: int = Field(8, strict=True, ge=1, le=64)
    starts_at: datetime
    ends_at: datetime


class FlashSaleOut(Schema):
    id: int
    festival: str
    merchant_id: int
    variant_id: int
    warehouse_id: int
    price: MoneyOut
    quantity: int
    per_buyer_limit: int
    bucket_count: int
    starts_at: datetime
    ends_at: datetime
    units_left: int
    units_sold: int
    closed_at: datetime | None
    units_returned: int

    @classmethod
    def of_sale(cls, sale: FlashSale) -> FlashSaleOut:
        """A flash sale just written, with its units read from its buckets (one query)."""
        return cls.of(flash_sale_views([sale])[0])

    @classmethod
    def of(cls, view: FlashSaleView) -> FlashSaleOut:
        sale = view.sale
        return cls(
            id=sale.pk,
            festival=view.festival_slug,
            merchant_id=sale.merchant_id,
            variant_id=sale.variant_id,
            warehouse_id=sale.warehouse_id,
            price=_money(sale.price_minor, sale.currency),
            quantity=sale.quantity,
            per_buyer_limit=sale.per_buyer_limit,
            bucket_count=sale.bucket_count,
            starts_at=sale.starts_at,
            ends_at=sale.ends_at,
            units_left=view.units_left,
            units_sold=view.units_sold,
            closed_at=sale.closed_at,
            units_returned=sale.units_returned,
        )


# --- live GMV, rankings, growth (figures from fiera.festivals.figures; amounts in US cents) --


def _usd(amount_minor: int) -> MoneyOut:
    return MoneyOut.of(Money(amount_minor, "USD"))


class TotalsOut(Schema):
    gmv: MoneyOut
    orders: int
    units: int
    merchants: int = Field(description="merchants that sold")
    countries: int = Field(description="merchant countries that sold")

    @classmethod
    def of(cls, t: Any) -> TotalsOut:
        return cls(
            gmv=_usd(t.gmv_usd_minor),
            orders=t.orders,
            units=t.units,
            merchants=t.merchants,
            countries=t.countries,
        )


class MinuteOut(Schema):
    minute: datetime
    gmv_usd_minor: int
    orders: int

    @classmethod
    def of(cls, p: Any) -> MinuteOut:
        return cls(minute=p.minute, gmv_usd_minor=p.gmv_usd_minor, orders=p.orders)


class CountryRankOut(Schema):
    rank: int
    country: str = Field(description="the merchants' country (ISO 3166-1 alpha-2)")
    gmv: MoneyOut
    orders: int
    merchants: int = Field(description="merchants of the country that sold")

    @classmethod
    def of(cls, rank: int, c: Any) -> CountryRankOut:
        return cls(
            rank=rank,
            country=c.country,
            gmv=_usd(c.gmv_usd_minor),
            orders=c.orders,
            merchants=c.merchants,
        )


class MerchantRankOut(Schema):
    rank: int
    merchant_id: int
    name: str
    country: str
    gmv: MoneyOut
    orders: int
    units: int

    @classmethod
    def of(cls, rank: int, m: Any) -> MerchantRankOut:
        return cls(
            rank=rank,
            merchant_id=m.merchant_id,
            name=m.name,
            country=m.country,
            gmv=_usd(m.gmv_usd_minor),
            orders=m.orders,
            units=m.units,
        )


class GrowthOut(Schema):
    baseline: str = Field(description='"previous edition" or "window before"')
    live: MoneyOut
    baseline_gmv: MoneyOut
    growth: str | None = Field(description="(live - baseline) / baseline; null when 0")

    @classmethod
    def of(cls, g: Any) -> GrowthOut:
        return cls(
            baseline=g.baseline,
            live=_usd(g.live_usd_minor),
            baseline_gmv=_usd(g.baseline_usd_minor),
            growth=None if g.growth is None else str(g.growth),
        )


class BuyerCountryRankOut(Schema):
    rank: int
    country: str = Field(description="the buyers' country (ISO 3166-1 alpha-2)")
    gmv: MoneyOut
    orders: int

    @classmethod
    def of(cls, rank: int, c: Any) -> BuyerCountryRankOut:
        return cls(rank=rank, country=c.country, gmv=_usd(c.gmv_usd_minor), orders=c.orders)


class LiveOut(Schema):
    festival: str
    name: str
    timezone: str = Field(description="the festival's IANA time zone (the dashboard's clock)")
    starts_at: datetime
    ends_at: datetime
    totals: TotalsOut
    last_minutes: list[MinuteOut]
    countries: list[CountryRankOut]
    merchants: list[MerchantRankOut] = Field(description="top 10 merchants by GMV")
    buyer_countries: list[BuyerCountryRankOut] = Field(description="top 10 buyer countries")
    growth: GrowthOut

    @classmethod
    def of(cls, v: Any) -> LiveOut:
        return cls(
            festival=v.slug,
            name=v.name,
            timezone=v.timezone,
            starts_at=v.starts_at,
            ends_at=v.ends_at,
            totals=TotalsOut.of(v.totals),
            last_minutes=[MinuteOut.of(p) for p in v.last_minutes],
            countries=[CountryRankOut.of(i, c) for i, c in enumerate(v.countries, 1)],
            merchants=[MerchantRankOut.of(i, m) for i, m in enumerate(v.merchants, 1)],
            buyer_countries=[
                BuyerCountryRankOut.of(i, c) for i, c in enumerate(v.buyer_countries, 1)
            ],
            growth=GrowthOut.of(v.growth),
        )


class MySalesOut(Schema):
    festival: str
    merchant_id: int
    gmv: MoneyOut
    orders: int
    units: int
    per_minute: list[MinuteOut] = Field(description="a page of the minutes with sales")
    per_minute_count: int = Field(description="minutes with sales in all")

    @classmethod
    def of(cls, s: Any, *, limit: int, offset: int) -> MySalesOut:
        return cls(
            festival=s.slug,
            merchant_id=s.merchant_id,
            gmv=_usd(s.gmv_usd_minor),
            orders=s.orders,
            units=s.units,
            per_minute=[MinuteOut.of(p) for p in s.per_minute[offset : offset + limit]],
            per_minute_count=len(s.per_minute),
        )
