"""Festival prices and flash sales at checkout (public: ``fiera.orders`` imports it).

- ``offers_for``: the festival price or live flash sale of each variant on a marketplace in
  a currency. ZERO SQL statements when no festival is near: the published festivals'
  windows (their marketplaces, from the earliest start to the latest end of the festival
  and its flash sales) are kept in the cache for ``WINDOWS_TTL_SECONDS``; otherwise ONE
  query (festival prices UNION ALL flash sales with the units left in their buckets).
- ``flash_take``: inside the checkout transaction, the per-buyer limit in ONE conditional
  upsert on ``FlashSaleBuyer`` and the units in ONE conditional UPDATE over the
  ``FlashSaleBucket`` rows, whatever the number of flash lines (multi-row VALUES). Each
  line starts at the bucket ``buyer_id % bucket_count`` and falls back to the next bucket
  that still has the units; the outer ``units_left >= wanted`` re-check keeps it correct
  under PostgreSQL READ COMMITTED (a line that lost a race is tried again, only then).
- ``flash_give_back``: a cancelled order's flash units go back to a bucket and the
  buyer's counter goes down; once the flash sale is closed they go back to the
  warehouse's stock instead (``catalog.reservations.stock_release``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Max, Min
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from fiera.catalog.reservations import stock_release
from fiera.common.errors import Conflict
from fiera.common.reference import babel_locale
from fiera.festivals.models import (
    Festival,
    FestivalPrice,
    FlashSale,
    FlashSaleBucket,
    FlashSaleBuyer,
)

WINDOWS_CACHE_KEY = "fiera:festivals:windows:v1"
WINDOWS_TTL_SECONDS = 5
# bucket numbers are < 64 (flash_buckets_1_64): rotating by 64 orders them as rotating by n
_ROTATE = 64
_ID_SPAN = 1 << 40  # bucket ids stay below it
_PG_TAKE_TRIES = 8

_PRICE = FestivalPrice._meta.db_table
_FLASH = FlashSale._meta.db_table
_BUCKET = FlashSaleBucket._meta.db_table
_BUYER = FlashSaleBuyer._meta.db_table

FESTIVAL = "festival"
FLASH = "flash"


class FlashSaleNotStarted(Conflict):
    """``starts_at`` (ISO 8601, UTC offset) and ``timezone`` (the festival's) are the
    params; the message shows the start in that zone, in the reader's language and named
    ("1 Dec 2026, 21:30:00 (Asia/Shanghai)"), as the festival pages show times."""

    code = "flash_sale_not_started"
    message_template = gettext_lazy("This flash sale starts at %(starts_at)s.")

    def message_params(self) -> dict[str, Any]:
        params = super().message_params()
        starts = parse_datetime(str(self.extra.get("starts_at", "")))
        zone = str(self.extra.get("timezone") or "UTC")
        if starts is not None:
            try:
                tzinfo = ZoneInfo(zone)
            except (ValueError, ZoneInfoNotFoundError):
                tzinfo, zone = ZoneInfo("UTC"), "UTC"
            when = format_datetime(starts, "medium", tzinfo=tzinfo, locale=babel_locale())
            params["starts_at"] = f"{when} ({zone})"
        return params


class FlashSaleEnded(Conflict):
    code = "flash_sale_ended"
    message_template = gettext_lazy("This flash sale has ended.")


class FlashSaleSoldOut(Conflict):
    code = "flash_sale_sold_out"
    message_template = gettext_lazy("This flash sale is sold out.")


class FlashSaleLimitReached(Conflict):
    code = "flash_sale_limit"
    message_template = gettext_lazy(
        "You may buy at most %(limit)s of this flash sale; you already hold %(held)s."
    )


class FlashSaleNotForThisItem(Conflict):
    code = "flash_sale_not_for_item"
    message_template = gettext_lazy("This flash sale is not for this item here.")


@dataclass(frozen=True, slots=True)
class Window:
    festival_id: int
    marketplace_ids: frozenset[int]
    starts_at: datetime  # the festival's start (festival prices)
    ends_at: datetime
    first_at: datetime  # the earliest start of the festival or its flash sales
    last_at: datetime  # the latest end
    timezone: str = "UTC"  # the festival's, for the times its refusals name


@dataclass(frozen=True, slots=True)
class FlashInfo:
    flash_sale_id: int
    festival_id: int
    merchant_id: int
    variant_id: int
    warehouse_id: int
    currency: str
    price_minor: int
    per_buyer_limit: int
    bucket_count: int
    starts_at: datetime
    ends_at: datetime
    closed_at: datetime | None
    units_left: int

    def state(self, now: datetime) -> str:
        """ "live", "not_started" or "ended" (closed, or past its end)."""
        if self.closed_at is not None or now >= self.ends_at:
            return "ended"
        if now < self.starts_at:
            return "not_started"
        return "live"


@dataclass(frozen=True, slots=True)
class Offer:
    """What prices a variant instead of its list price: ``kind`` FESTIVAL or FLASH."""

    variant_id: int
    kind: str
    price_minor: int
    festival_id: int
    flash: FlashInfo | None = None

    @property
    def flash_sale_id(self) -> int | None:
        return None if self.flash is None else self.flash.flash_sale_id


@dataclass(frozen=True, slots=True)
class Offers:
    """``by_variant``: the offer that prices each variant now. ``flash_sales``: every flash
    sale of these variants in the festivals near ``now`` (live or not), by id, so a line
    naming one can be told why it is refused."""

    by_variant: dict[int, Offer]
    flash_sales: dict[int, FlashInfo]


NO_OFFERS = Offers({}, {})


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        assert parsed is not None, value
        value = parsed
    assert isinstance(value, datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def windows_forget() -> None:
    """Drop the cached windows (after creating or changing a festival or flash sale)."""
    cache.delete(WINDOWS_CACHE_KEY)


def _forget(**_: Any) -> None:
    windows_forget()


for _model in (Festival, FlashSale):
    post_save.connect(_forget, sender=_model, dispatch_uid=f"offers_windows_{_model.__name__}")
    post_delete.connect(_forget, sender=_model, dispatch_uid=f"offers_windows_d_{_model.__name__}")
m2m_changed.connect(
    _forget, sender=Festival.marketplaces.through, dispatch_uid="offers_windows_markets"
)


def _windows_load() -> tuple[Window, ...]:
    rows = (
        Festival.objects.filter(is_published=True)
        .annotate(
            flash_first=Min("flash_sales__starts_at"),
            flash_last=Max("flash_sales__ends_at"),
        )
        .values_list(
            "id",
            "starts_at",
            "ends_at",
            "flash_first",
            "flash_last",
            "marketplaces__id",
            "timezone",
        )
    )
    by_id: dict[int, tuple[datetime, datetime, datetime, datetime, set[int], str]] = {}
    for festival_id, starts, ends, flash_first, flash_last, marketplace_id, zone in rows:
        if festival_id not in by_id:
            first = min(starts, flash_first) if flash_first is not None else starts
            last = max(ends, flash_last) if flash_last is not None else ends
            by_id[festival_id] = (starts, ends, first, last, set(), zone)
        if marketplace_id is not None:
            by_id[festival_id][4].add(int(marketplace_id))
    return tuple(
        Window(fid, frozenset(m), starts, ends, first, last, zone)
        for fid, (starts, ends, first, last, m, zone) in by_id.items()
        if m
    )


def festival_windows() -> tuple[Window, ...]:
    """The published festivals' windows, from the cache (one query when it is cold; saving
    or deleting a festival or flash sale drops it)."""
    windows: tuple[Window, ...] | None = cache.get(WINDOWS_CACHE_KEY)
    if windows is None:
        windows = _windows_load()
        cache.set(WINDOWS_CACHE_KEY, windows, WINDOWS_TTL_SECONDS)
    return windows


def offers_for(
    *, marketplace_id: int, currency: str, variant_ids: Iterable[int], now: datetime
) -> Offers:
    """The festival price or live flash sale of each variant (a live flash sale with units
    left wins over the festival price), on ``marketplace_id`` in ``currency`` at ``now``.
    No SQL when no published festival of this marketplace is near ``now``; one query
    otherwise."""
    near = [
        w
        for w in festival_windows()
        if marketplace_id in w.marketplace_ids and w.first_at <= now < w.last_at
    ]
    ids = sorted(set(variant_ids))
    if not near or not ids:
        return NO_OFFERS
    live = [w.festival_id for w in near if w.starts_at <= now < w.ends_at]
    variants = ", ".join(["%s"] * len(ids))
    params: list[Any] = []
    parts: list[str] = []
    if live:
        parts.append(
            "SELECT 'p', fp.variant_id, fp.price_minor, fp.festival_id, NULL, NULL, NULL, "
            "NULL, NULL, NULL, NULL, NULL, NULL "
            f"FROM {_PRICE} fp WHERE fp.festival_id IN ({', '.join(['%s'] * len(live))}) "
            f"AND fp.currency = %s AND fp.variant_id IN ({variants})"
        )
        params += [*live, currency, *ids]
    near_ids = [w.festival_id for w in near]
    parts.append(
        "SELECT 'f', fs.variant_id, fs.price_minor, fs.festival_id, fs.id, fs.merchant_id, "
        "fs.warehouse_id, fs.per_buyer_limit, fs.bucket_count, fs.starts_at, fs.ends_at, "
        "fs.closed_at, "
        f"(SELECT COALESCE(SUM(b.units_left), 0) FROM {_BUCKET} b "
        "WHERE b.merchant_id = fs.merchant_id AND b.flash_sale_id = fs.id) "
        f"FROM {_FLASH} fs WHERE fs.festival_id IN ({', '.join(['%s'] * len(near_ids))}) "
        f"AND fs.currency = %s AND fs.variant_id IN ({variants})"
    )
    params += [*near_ids, currency, *ids]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    by_variant: dict[int, Offer] = {}
    flash_sales: dict[int, FlashInfo] = {}
    for row in sorted(rows, key=lambda r: (r[0], r[1], r[4] or 0)):
        kind, variant_id, price = row[0], int(row[1]), int(row[2])
        if kind == "p":
            current = by_variant.get(variant_id)
            if current is None or price < current.price_minor:
                by_variant[variant_id] = Offer(variant_id, FESTIVAL, price, int(row[3]))
            continue
        starts, ends = _aware(row[9]), _aware(row[10])
        assert starts is not None and ends is not None
        info = FlashInfo(
            flash_sale_id=int(row[4]),
            festival_id=int(row[3]),
            merchant_id=int(row[5]),
            variant_id=variant_id,
            warehouse_id=int(row[6]),
            currency=currency,
            price_minor=price,
            per_buyer_limit=int(row[7]),
            bucket_count=int(row[8]),
            starts_at=starts,
            ends_at=ends,
            closed_at=_aware(row[11]),
            units_left=int(row[12]),
        )
        flash_sales[info.flash_sale_id] = info
    for info in flash_sales.values():
        if info.state(now) == "live" and info.units_left > 0:
            current = by_variant.get(info.variant_id)
            if current is None or current.kind != FLASH:
                by_variant[info.variant_id] = Offer(
                    info.variant_id, FLASH, info.price_minor, info.festival_id, info
                )
    return Offers(by_variant, flash_sales)


def flash_sale_info(*, flash_sale_id: int) -> FlashInfo | None:
    """One flash sale as ``offers_for`` describes it (one query; for refusals)."""
    sale = FlashSale.objects.filter(pk=flash_sale_id).first()
    if sale is None:
        return None
    left = sum(
        FlashSaleBucket.objects.filter(
            merchant_id=sale.merchant_id, flash_sale_id=sale.pk
        ).values_list("units_left", flat=True)
    )
    return FlashInfo(
        flash_sale_id=sale.pk,
        festival_id=sale.festival_id,
        merchant_id=sale.merchant_id,
        variant_id=sale.variant_id,
        warehouse_id=sale.warehouse_id,
        currency=sale.currency,
        price_minor=sale.price_minor,
        per_buyer_limit=sale.per_buyer_limit,
        bucket_count=sale.bucket_count,
        starts_at=sale.starts_at,
        ends_at=sale.ends_at,
        closed_at=sale.closed_at,
        units_left=left,
    )


def flash_refusal(info: FlashInfo, *, now: datetime) -> Conflict | None:
    """Why a line naming this flash sale cannot be bought at ``now`` (None: it can)."""
    state = info.state(now)
    if state == "not_started":
        zone = next(
            (w.timezone for w in festival_windows() if w.festival_id == info.festival_id), "UTC"
        )
        return FlashSaleNotStarted(
            f"flash sale {info.flash_sale_id} starts at {info.starts_at.isoformat()}",
            flash_sale_id=info.flash_sale_id,
            starts_at=info.starts_at.isoformat(),
            timezone=zone,
        )
    if state == "ended":
        return FlashSaleEnded(
            f"flash sale {info.flash_sale_id} ended", flash_sale_id=info.flash_sale_id
        )
    if info.units_left <= 0:
        return _sold_out([info.flash_sale_id])
    return None


def _sold_out(ids: Sequence[int]) -> FlashSaleSoldOut:
    return FlashSaleSoldOut(
        "sold out: flash sale " + ", ".join(str(i) for i in ids), flash_sale_ids=list(ids)
    )


@dataclass(frozen=True, slots=True)
class FlashTake:
    """``units`` of flash sale ``flash_sale_id`` (of ``merchant_id``) for one line."""

    flash_sale_id: int
    merchant_id: int
    units: int
    per_buyer_limit: int
    bucket_count: int


def _limit_error(take: FlashTake, held: int) -> FlashSaleLimitReached:
    return FlashSaleLimitReached(
        f"flash sale {take.flash_sale_id}: limit {take.per_buyer_limit} per buyer, "
        f"holds {held}, asked {take.units}",
        flash_sale_id=take.flash_sale_id,
        limit=take.per_buyer_limit,
        held=held,
        wanted=take.units,
    )


def _buyer_upsert(buyer_id: int, takes: Sequence[FlashTake], now: Any) -> set[int]:
    one = "(%s, %s, %s, %s, %s)"
    text = (
        f"INSERT INTO {_BUYER} (merchant_id, flash_sale_id, buyer_id, units, updated_at) "
        f"VALUES {', '.join([one] * len(takes))} "
        "ON CONFLICT (merchant_id, flash_sale_id, buyer_id) DO UPDATE "
        f"SET units = {_BUYER}.units + excluded.units, updated_at = excluded.updated_at "
        f"WHERE {_BUYER}.units + excluded.units <= (SELECT fs.per_buyer_limit FROM {_FLASH} fs "
        "WHERE fs.id = excluded.flash_sale_id) "
        "RETURNING flash_sale_id"
    )
    params = [x for t in takes for x in (t.merchant_id, t.flash_sale_id, buyer_id, t.units, now)]
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        return {int(r[0]) for r in cursor.fetchall()}


def _buckets_take(buyer_id: int, takes: Sequence[FlashTake]) -> set[int]:
    one = "(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS INTEGER), CAST(%s AS INTEGER))"
    text = (
        f"WITH v(want_merchant, want_sale, want_units, want_start) AS "
        f"(VALUES {', '.join([one] * len(takes))}) "
        f"UPDATE {_BUCKET} AS b SET units_left = b.units_left - v.want_units, "
        "units_sold = b.units_sold + v.want_units "
        # the first bucket from the buyer's on that has the units: the least of
        # rotation x 2^40 + id (an aggregate, not ORDER BY: SQLite does not let a
        # subquery's ORDER BY name the outer row), and its id is that modulo 2^40
        "FROM v WHERE b.id = ("
        f"SELECT MIN(((b2.number - v.want_start + {_ROTATE}) %% {_ROTATE}) * {_ID_SPAN} + b2.id) "
        f"FROM {_BUCKET} b2 WHERE b2.merchant_id = v.want_merchant "
        "AND b2.flash_sale_id = v.want_sale AND b2.units_left >= v.want_units"
        f") %% {_ID_SPAN} AND b.units_left >= v.want_units "
        "RETURNING flash_sale_id"
    )
    params = [
        x
        for t in takes
        for x in (t.merchant_id, t.flash_sale_id, t.units, buyer_id % max(t.bucket_count, 1))
    ]
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        return {int(r[0]) for r in cursor.fetchall()}


def flash_take(*, buyer_id: int, takes: Sequence[FlashTake], now: datetime) -> None:
    """Take each line's units for ``buyer_id``: two statements whatever the number of
    lines (more only when a line lost a race on PostgreSQL). Call inside the checkout
    transaction: on ``FlashSaleLimitReached`` or ``FlashSaleSoldOut`` (409) the caller's
    rollback undoes what was taken. Each flash sale must appear once."""
    if not takes:
        return
    if len({t.flash_sale_id for t in takes}) != len(takes):
        raise ValueError("flash_take: each flash sale must appear once")
    for take in takes:
        if take.units > take.per_buyer_limit:
            raise _limit_error(take, 0)
    at = connection.ops.adapt_datetimefield_value(now)
    counted = _buyer_upsert(buyer_id, takes, at)
    over = [t for t in takes if t.flash_sale_id not in counted]
    if over:
        held = dict(
            FlashSaleBuyer.objects.filter(
                buyer_id=buyer_id, flash_sale_id__in=[t.flash_sale_id for t in over]
            ).values_list("flash_sale_id", "units")
        )
        raise _limit_error(over[0], int(held.get(over[0].flash_sale_id, 0)))
    missing = list(takes)
    tries = _PG_TAKE_TRIES if connection.vendor == "postgresql" else 1
    for _ in range(tries):
        taken = _buckets_take(buyer_id, missing)
        missing = [t for t in missing if t.flash_sale_id not in taken]
        if not missing:
            return
    raise _sold_out([t.flash_sale_id for t in missing])


def flash_give_back(
    *,
    items: Iterable[tuple[int, int, int]],
    actor_user_id: int | None,
    reason: str,
    now: datetime,
) -> None:
    """Give back ``(flash_sale_id, buyer_id, units)`` of a cancelled order: the buyer's
    counter goes down and the units go back to a bucket, or, once the flash sale is
    closed, to its warehouse's stock (counted in ``units_returned``). Locks the flash
    sales (the order of ids) so that a concurrent close sees the units in one place.
    Run it in the transaction that cancels."""
    summed: dict[tuple[int, int], int] = {}
    for sale_id, buyer_id, units in items:
        if units > 0:
            summed[(sale_id, buyer_id)] = summed.get((sale_id, buyer_id), 0) + units
    if not summed:
        return
    sale_ids = sorted({sale_id for sale_id, _ in summed})
    sales = {s.pk: s for s in FlashSale.objects.select_for_update().filter(pk__in=sale_ids)}
    to_stock: list[tuple[int, int, int]] = []
    for (sale_id, buyer_id), units in sorted(summed.items()):
        sale = sales.get(sale_id)
        if sale is None:
            continue
        FlashSaleBuyer.objects.filter(
            merchant_id=sale.merchant_id,
            flash_sale_id=sale_id,
            buyer_id=buyer_id,
            units__gte=units,
        ).update(units=F("units") - units, updated_at=now)
        left = units
        buckets = list(
            FlashSaleBucket.objects.select_for_update()
            .filter(merchant_id=sale.merchant_id, flash_sale_id=sale_id, units_sold__gt=0)
            .order_by("-units_sold", "number")
        )
        for bucket in buckets:
            if left == 0:
                break
            back = min(left, bucket.units_sold)
            bucket.units_sold -= back
            if sale.closed_at is None:
                bucket.units_left += back
            bucket.save(update_fields=["units_sold", "units_left"])
            left -= back
        if sale.closed_at is not None:
            to_stock.append((sale.variant_id, sale.warehouse_id, units))
            FlashSale.objects.filter(pk=sale_id).update(units_returned=F("units_returned") + units)
        elif left:
            # sold counters already given back (should not happen): keep the units sellable
            first = buckets[0] if buckets else None
            if first is not None:
                FlashSaleBucket.objects.filter(pk=first.pk).update(
                    units_left=F("units_left") + left
                )
    if to_stock:
        stock_release(items=to_stock, actor_user_id=actor_user_id, reason=reason, now=now)
