"""Live GMV tallies: the order events' subscribers that keep ``FestivalOrder`` and
``GmvTally`` (and its rollups ``GmvMerchantTotal``, ``GmvMinute`` and ``GmvBuyerCountry``,
same deltas, same transaction) in step with the orders, and ``festival_retally`` that rebuilds them.

Which orders count. An order counts for every PUBLISHED festival whose marketplaces include
the order's marketplace and whose window contains ``placed_at``: phase "live" for
[starts_at, ends_at), phase "baseline" for the window of the same length just before
``starts_at`` (only when the festival has no ``baseline_festival``; with one, growth compares
with that festival's live tallies).

Conversion. The order's total is converted to US cents at the ECB reference cross rate of
the order's placed day (the latest earlier rate on weekends and holidays:
``payments.selectors.fx_rate``), recorded as a decimal string on ``FestivalOrder.usd_rate``;
Decimal arithmetic, rounded half-even, never float. An order whose currency has no rate at
all is not counted (logged). A cancellation takes off all the order counted; a refund takes
off the refunded share of it at the RECORDED rate, so the tallies always equal the sum of
the counted orders' (total - refunded) at their rates.

Idempotency. One ``FestivalOrder`` per (festival, order): a redelivered placed event inserts
nothing (``ON CONFLICT DO NOTHING RETURNING``) and adds nothing; cancel and refund events set
the order's figures to a target computed from the event's absolute ``refunded_minor`` and
only ever lower them, so redeliveries and out-of-order refunds change nothing twice.

Order of delivery. The outbox delivers at least once, not in order: the relay runs its
subscribers in name order ("...cancelled" before "...placed"), relays run side by side and
retries come later. So the placed subscriber counts each order as it stands when the event
is delivered (status and ``refunded_minor`` read from ``orders_order``, the rows locked FOR
SHARE while it counts): a cancellation or refund whose event came first, and found nothing
to take off, is already in what it counts; one that commits later waits for the count and
its event then finds the ``FestivalOrder`` rows.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.catalog import selectors as catalog_selectors
from fiera.common import events
from fiera.common.errors import DomainError, NotFound, PermissionDenied
from fiera.common.reporting import (
    NO_CATEGORY,
    Counted,
    order_counted,
    order_lowered,
    placed_orders,
)
from fiera.common.reporting import as_delta as _as_delta
from fiera.common.reporting import reduced as reduced  # re-exported: the rule lives in common
from fiera.common.reporting import split as split
from fiera.common.reporting import to_usd_minor as to_usd_minor
from fiera.festivals.models import (
    REPORTING_CURRENCY,
    Festival,
    FestivalOrder,
    GmvBuyerCountry,
    GmvMerchantTotal,
    GmvMinute,
    GmvTally,
    TallyPhase,
)
from fiera.merchants import selectors as merchant_selectors
from fiera.payments import selectors as payment_selectors

log = logging.getLogger(__name__)

PLACED_TOPIC = "orders.checkout.placed"
CANCELLED_TOPIC = "orders.order.cancelled"
REFUNDED_TOPIC = "orders.order.refunded"

_FO = FestivalOrder._meta.db_table
_TALLY = GmvTally._meta.db_table
_MERCHANT_TOTAL = GmvMerchantTotal._meta.db_table
_MINUTE = GmvMinute._meta.db_table
_BUYER_COUNTRY = GmvBuyerCountry._meta.db_table


# what the subscribers and the rebuild count --------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderFacts:
    order_id: int
    merchant_id: int
    marketplace_id: int
    buyer_country: str
    currency: str
    total_minor: int
    refunded_minor: int
    placed_at: datetime
    lines: tuple[tuple[int, int, int], ...]  # (variant_id, quantity, amount_minor incl. tax)


@dataclass(frozen=True, slots=True)
class _Window:
    festival_id: int
    phase: str
    starts_at: datetime
    ends_at: datetime


def _windows(festival: Festival) -> list[_Window]:
    windows = [_Window(festival.pk, TallyPhase.LIVE, festival.starts_at, festival.ends_at)]
    if festival.baseline_festival_id is None:
        length = festival.ends_at - festival.starts_at
        windows.append(
            _Window(
                festival.pk, TallyPhase.BASELINE, festival.starts_at - length, festival.starts_at
            )
        )
    return windows


def _windows_on(marketplace_ids: Iterable[int], earliest: datetime) -> dict[int, list[_Window]]:
    """Published festivals' windows per marketplace, of the festivals still running at
    ``earliest`` or later (ONE query; a handful of festivals)."""
    by_market: dict[int, list[_Window]] = defaultdict(list)
    through = Festival.marketplaces.through
    rows = through.objects.filter(
        marketplace_id__in=set(marketplace_ids),
        festival__is_published=True,
        festival__ends_at__gt=earliest,
    ).select_related("festival")
    for row in rows:
        by_market[row.marketplace_id].extend(_windows(row.festival))
    return by_market


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


class _Rates:
    """USD per unit of a currency on a day, looked up once per (currency, day)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, date], Decimal | None] = {}

    def get(self, currency: str, on: date) -> Decimal | None:
        key = (currency, on)
        if key not in self._known:
            try:
                info = payment_selectors.fx_rate(base=currency, quote=REPORTING_CURRENCY, on=on)
                self._known[key] = info.rate
            except DomainError:
                log.warning("festivals: no USD rate for %s on or before %s", currency, on)
                self._known[key] = None
        return self._known[key]


def _count(
    orders: Sequence[OrderFacts],
    windows: dict[int, list[_Window]],
    rates: _Rates,
    now: datetime,
    *,
    only_festival: int | None = None,
) -> int:
    """Insert the FestivalOrder rows of ``orders`` (those not there yet) and add them to the
    tallies: one multi-row INSERT each. Returns how many rows were counted."""
    matched: list[tuple[OrderFacts, _Window]] = []
    for order in orders:
        for window in windows.get(order.marketplace_id, ()):
            if only_festival is not None and window.festival_id != only_festival:
                continue
            if window.starts_at <= order.placed_at < window.ends_at:
                matched.append((order, window))
    if not matched:
        return 0
    countries = merchant_selectors.merchant_countries(
        merchant_ids={o.merchant_id for o, _ in matched}
    )
    categories_of = catalog_selectors.variant_categories(
        variant_ids={line[0] for o, _ in matched for line in o.lines}
    )
    rows: list[list[Any]] = []
    for order, window in matched:
        rate = rates.get(order.currency, order.placed_at.date())
        if rate is None:
            continue
        counted = order_counted(
            total_minor=order.total_minor,
            refunded_minor=order.refunded_minor,
            currency=order.currency,
            rate=rate,
            lines=[
                (categories_of.get(variant_id) or NO_CATEGORY, quantity, amount)
                for variant_id, quantity, amount in order.lines
            ],
            fully_refunded=order.refunded_minor >= order.total_minor > 0,
        )
        rows.append(
            [
                order.merchant_id,
                window.festival_id,
                order.order_id,
                window.phase,
                _minute(order.placed_at),
                order.marketplace_id,
                countries.get(order.merchant_id, ""),
                order.buyer_country,
                order.currency,
                order.total_minor,
                str(rate),
                counted,
                now,
            ]
        )
    if not rows:
        return 0
    inserted = _insert_orders(rows)
    deltas = []
    for row in rows:
        if (row[1], row[2]) not in inserted:
            continue
        deltas.append((row, _as_delta(row[11], None)))
    _upsert_tallies(
        [
            (row[0], row[1], row[3], row[4], row[5], row[6], row[7], cat, d)
            for row, delta in deltas
            for cat, d in delta.items()
        ]
    )
    return len(inserted)


def _insert_orders(rows: Sequence[list[Any]]) -> set[tuple[int, int]]:
    """ONE INSERT .. ON CONFLICT DO NOTHING RETURNING: the (festival, order) pairs new."""
    ops = connection.ops
    params: list[Any] = []
    for r in rows:
        counted: Counted = r[11]
        params += [
            *r[:4],
            ops.adapt_datetimefield_value(r[4]),
            *r[5:11],
            counted.gmv,
            counted.units,
            ops.adapt_json_value(
                {str(k): [v, u] for k, (v, u) in counted.categories.items()}, None
            ),
            ops.adapt_datetimefield_value(r[12]),
            # an order counted as already refunded in full no longer counts as an order:
            # marked so, a later refund or cancel event does not take it off a second time
            None if counted.counts_order else ops.adapt_datetimefield_value(r[12]),
        ]
    sql = (
        f"INSERT INTO {_FO} (merchant_id, festival_id, order_id, phase, minute, marketplace_id, "
        "merchant_country, buyer_country, currency, total_minor, usd_rate, gmv_usd_minor, "
        "units, categories, counted_at, uncounted_at) VALUES "
        + ", ".join(["(" + ", ".join(["%s"] * 16) + ")"] * len(rows))
        + " ON CONFLICT (merchant_id, festival_id, order_id) DO NOTHING "
        "RETURNING festival_id, order_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(int(f), int(o)) for f, o in cursor.fetchall()}


def _upsert_tallies(cells: Sequence[tuple[Any, ...]]) -> None:
    """Add (orders, units, usd) deltas to tally cells in ONE multi-row upsert; cells are
    (merchant, festival, phase, minute, marketplace, merchant country, buyer country,
    category, (orders, units, usd)). Cells of the same key are merged first."""
    merged: dict[tuple[Any, ...], list[int]] = {}
    for cell in cells:
        orders, units, usd = cell[8]
        acc = merged.setdefault(tuple(cell[:8]), [0, 0, 0])
        acc[0] += orders
        acc[1] += units
        acc[2] += usd
    if not merged:
        return
    ops = connection.ops
    params: list[Any] = []
    for cell_key, (orders, units, usd) in sorted(merged.items()):
        merchant, festival, phase, minute, market, m_country, b_country, cat = cell_key
        params += [
            merchant,
            festival,
            phase,
            ops.adapt_datetimefield_value(minute),
            market,
            m_country,
            b_country,
            cat,
            orders,
            units,
            usd,
        ]
    sql = (
        f"INSERT INTO {_TALLY} (merchant_id, festival_id, phase, minute, marketplace_id, "
        "merchant_country, buyer_country, category_id, orders, units, gmv_usd_minor) VALUES "
        + ", ".join(["(" + ", ".join(["%s"] * 11) + ")"] * len(merged))
        + " ON CONFLICT (merchant_id, festival_id, phase, minute, marketplace_id, "
        "buyer_country, category_id) DO UPDATE SET "
        f"orders = {_TALLY}.orders + excluded.orders, "
        f"units = {_TALLY}.units + excluded.units, "
        f"gmv_usd_minor = {_TALLY}.gmv_usd_minor + excluded.gmv_usd_minor"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    _upsert_rollups(merged)


def _add(acc: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...], d: list[int]) -> None:
    row = acc.setdefault(key, [0, 0, 0])
    row[0] += d[0]
    row[1] += d[1]
    row[2] += d[2]


def _upsert_rollups(merged: dict[tuple[Any, ...], list[int]]) -> None:
    """The same deltas as the tally cells ``merged`` added to the rollups
    ``GmvMerchantTotal`` (per merchant x festival x phase x marketplace), ``GmvMinute``
    (per festival x phase x minute) and ``GmvBuyerCountry`` (per festival x phase x buyer
    country): ONE multi-row upsert each, in the caller's transaction. Rows go in key
    order (as the cells do), so two subscribers that touch the same rows lock them in the
    same order and never deadlock on each other."""
    per_merchant: dict[tuple[Any, ...], list[int]] = {}
    per_minute: dict[tuple[Any, ...], list[int]] = {}
    per_buyer_country: dict[tuple[Any, ...], list[int]] = {}
    country_of: dict[tuple[Any, ...], str] = {}  # a merchant's country: one per key
    for cell_key, d in merged.items():
        merchant, festival, phase, minute, market, m_country, b_country, _cat = cell_key
        _add(per_merchant, (merchant, festival, phase, market), d)
        country_of.setdefault((merchant, festival, phase, market), m_country)
        _add(per_minute, (festival, phase, minute), d)
        _add(per_buyer_country, (festival, phase, b_country), d)
    ops = connection.ops
    params: list[Any] = []
    for key, d in sorted(per_merchant.items()):
        params += [*key, country_of[key], *d]
    merchant_sql = (
        f"INSERT INTO {_MERCHANT_TOTAL} (merchant_id, festival_id, phase, marketplace_id, "
        "merchant_country, orders, units, gmv_usd_minor) VALUES "
        + ", ".join(["(" + ", ".join(["%s"] * 8) + ")"] * len(per_merchant))
        + " ON CONFLICT (merchant_id, festival_id, phase, marketplace_id) DO UPDATE SET "
        f"orders = {_MERCHANT_TOTAL}.orders + excluded.orders, "
        f"units = {_MERCHANT_TOTAL}.units + excluded.units, "
        f"gmv_usd_minor = {_MERCHANT_TOTAL}.gmv_usd_minor + excluded.gmv_usd_minor"
    )
    minute_params: list[Any] = []
    for (festival, phase, minute), d in sorted(per_minute.items()):
        minute_params += [festival, phase, ops.adapt_datetimefield_value(minute), *d]
    minute_sql = (
        f"INSERT INTO {_MINUTE} (festival_id, phase, minute, orders, units, gmv_usd_minor) "
        "VALUES "
        + ", ".join(["(" + ", ".join(["%s"] * 6) + ")"] * len(per_minute))
        + " ON CONFLICT (festival_id, phase, minute) DO UPDATE SET "
        f"orders = {_MINUTE}.orders + excluded.orders, "
        f"units = {_MINUTE}.units + excluded.units, "
        f"gmv_usd_minor = {_MINUTE}.gmv_usd_minor + excluded.gmv_usd_minor"
    )
    country_params: list[Any] = []
    for key, d in sorted(per_buyer_country.items()):
        country_params += [*key, *d]
    country_sql = (
        f"INSERT INTO {_BUYER_COUNTRY} (festival_id, phase, buyer_country, orders, units, "
        "gmv_usd_minor) VALUES "
        + ", ".join(["(" + ", ".join(["%s"] * 6) + ")"] * len(per_buyer_country))
        + " ON CONFLICT (festival_id, phase, buyer_country) DO UPDATE SET "
        f"orders = {_BUYER_COUNTRY}.orders + excluded.orders, "
        f"units = {_BUYER_COUNTRY}.units + excluded.units, "
        f"gmv_usd_minor = {_BUYER_COUNTRY}.gmv_usd_minor + excluded.gmv_usd_minor"
    )
    with connection.cursor() as cursor:
        cursor.execute(merchant_sql, params)
        cursor.execute(minute_sql, minute_params)
        cursor.execute(country_sql, country_params)


def rebuild_rollups(*, festival_id: int) -> None:
    """Rewrite the festival's rollups (``GmvMerchantTotal``, ``GmvMinute``,
    ``GmvBuyerCountry``) as the sums of its tally cells: three INSERT .. SELECT .. GROUP
    BY, in the caller's transaction (for cells written directly, such as fixtures and
    benchmarks; the subscribers and ``festival_retally`` keep the rollups in step
    themselves)."""
    with transaction.atomic():
        GmvMerchantTotal.objects.filter(festival_id=festival_id).delete()
        GmvMinute.objects.filter(festival_id=festival_id).delete()
        GmvBuyerCountry.objects.filter(festival_id=festival_id).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_MERCHANT_TOTAL} (merchant_id, festival_id, phase, "
                "marketplace_id, merchant_country, orders, units, gmv_usd_minor) "
                "SELECT merchant_id, festival_id, phase, marketplace_id, MIN(merchant_country), "
                f"SUM(orders), SUM(units), SUM(gmv_usd_minor) FROM {_TALLY} "
                "WHERE festival_id = %s GROUP BY merchant_id, festival_id, phase, marketplace_id",
                [festival_id],
            )
            cursor.execute(
                f"INSERT INTO {_MINUTE} (festival_id, phase, minute, orders, units, "
                "gmv_usd_minor) SELECT festival_id, phase, minute, SUM(orders), SUM(units), "
                f"SUM(gmv_usd_minor) FROM {_TALLY} WHERE festival_id = %s "
                "GROUP BY festival_id, phase, minute",
                [festival_id],
            )
            cursor.execute(
                f"INSERT INTO {_BUYER_COUNTRY} (festival_id, phase, buyer_country, orders, "
                "units, gmv_usd_minor) SELECT festival_id, phase, buyer_country, SUM(orders), "
                f"SUM(units), SUM(gmv_usd_minor) FROM {_TALLY} WHERE festival_id = %s "
                "GROUP BY festival_id, phase, buyer_country",
                [festival_id],
            )


# subscribers ------------------------------------------------------------------------------


def _placed_facts(payload: dict[str, Any]) -> list[OrderFacts]:
    return [
        OrderFacts(
            order_id=o.order_id,
            merchant_id=o.merchant_id,
            marketplace_id=o.marketplace_id,
            buyer_country=o.buyer_country,
            currency=o.currency,
            total_minor=o.total_minor,
            refunded_minor=0,
            placed_at=o.placed_at,
            lines=o.lines,
        )
        for o in placed_orders(payload)
    ]


def _as_they_are_now(facts: Sequence[OrderFacts]) -> list[OrderFacts]:
    """``facts`` as the orders stand now: cancelled ones left out, ``refunded_minor`` read,
    as ``festival_retally`` reads them. The order rows are locked FOR SHARE (PostgreSQL;
    SQLite's write transaction already excludes a writer) until the caller's transaction
    ends, so a cancellation or refund of one of them commits either before this read (and
    is seen here) or after these rows are counted (and its event finds them to take off).

    Reads the ORDERS APP'S TABLE BY NAME (``orders_order``), as the rebuild does: festivals
    must not import orders. One query per merchant (the table is distributed by merchant)."""
    by_merchant: dict[int, list[int]] = defaultdict(list)
    for fact in facts:
        by_merchant[fact.merchant_id].append(fact.order_id)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    now_as: dict[int, tuple[str, int]] = {}
    with connection.cursor() as cursor:
        for merchant_id, order_ids in sorted(by_merchant.items()):
            cursor.execute(
                "SELECT id, status, refunded_minor FROM orders_order WHERE merchant_id = %s "
                f"AND id IN ({', '.join(['%s'] * len(order_ids))}) ORDER BY id{lock}",
                [merchant_id, *order_ids],
            )
            now_as.update({int(i): (str(st), int(r)) for i, st, r in cursor.fetchall()})
    return [
        dataclasses.replace(fact, refunded_minor=now_as[fact.order_id][1])
        for fact in facts
        if fact.order_id in now_as and now_as[fact.order_id][0] != "cancelled"
    ]


def on_checkout_placed(event: events.Event, *, now: datetime | None = None) -> None:
    """Count each order of a checkout for the festivals it falls in (idempotent), as the
    order stands when the event is delivered (see ``_as_they_are_now``): a cancellation or
    refund whose event came first, or that runs alongside, is not lost."""
    facts = _placed_facts(event.payload)
    if not facts:
        return
    windows = _windows_on({f.marketplace_id for f in facts}, facts[0].placed_at)
    if not windows:
        return
    with transaction.atomic():
        current = _as_they_are_now(facts)
        if current:
            _count(current, windows, _Rates(), now or event.created_at)


def _uncount(payload: dict[str, Any], now: datetime, *, fully: bool) -> None:
    """Lower what an order counts for, in every festival that counted it, to its
    (total - refunded) at the recorded rate (nothing when ``fully``)."""
    order_id, merchant_id = int(payload["order_id"]), int(payload["merchant_id"])
    total, refunded = int(payload["total_minor"]), int(payload["refunded_minor"])
    with transaction.atomic():
        rows = list(
            FestivalOrder.objects.select_for_update()
            .filter(merchant_id=merchant_id, order_id=order_id)
            .order_by("festival_id")
        )
        cells: list[tuple[Any, ...]] = []
        for fo in rows:
            old = Counted(
                {int(k): (int(v[0]), int(v[1])) for k, v in fo.categories.items()},
                counts_order=fo.uncounted_at is None,
            )
            new = order_lowered(
                old,
                total_minor=total,
                refunded_minor=refunded,
                currency=fo.currency,
                rate=Decimal(fo.usd_rate),
                fully=fully,
            )
            delta = _as_delta(new, old)
            if not delta:
                continue
            cells += [
                (
                    fo.merchant_id,
                    fo.festival_id,
                    fo.phase,
                    fo.minute,
                    fo.marketplace_id,
                    fo.merchant_country,
                    fo.buyer_country,
                    cat,
                    d,
                )
                for cat, d in delta.items()
            ]
            fo.categories = {str(k): [v, u] for k, (v, u) in new.categories.items()}
            fo.gmv_usd_minor = new.gmv
            fo.units = new.units
            if not new.counts_order and fo.uncounted_at is None:
                fo.uncounted_at = now
            fo.save(update_fields=["categories", "gmv_usd_minor", "units", "uncounted_at"])
        _upsert_tallies(cells)


def on_order_cancelled(event: events.Event, *, now: datetime | None = None) -> None:
    _uncount(event.payload, now or event.created_at, fully=True)


def on_order_refunded(event: events.Event, *, now: datetime | None = None) -> None:
    payload = event.payload
    fully = bool(payload.get("fully_refunded")) or payload.get("status") == "refunded"
    _uncount(payload, now or event.created_at, fully=fully)


def register() -> None:
    """Subscribe to the order events (from ``FestivalsConfig.ready``); names are stable."""
    events.subscribe(PLACED_TOPIC, name="festivals.tallies.placed")(on_checkout_placed)
    events.subscribe(CANCELLED_TOPIC, name="festivals.tallies.cancelled")(on_order_cancelled)
    events.subscribe(REFUNDED_TOPIC, name="festivals.tallies.refunded")(on_order_refunded)


# rebuild ----------------------------------------------------------------------------------

RETALLY_BATCH = 1_000


def _orders_batch(
    *, marketplace_ids: Sequence[int], since: datetime, until: datetime, after_id: int
) -> list[OrderFacts]:
    """Up to ``RETALLY_BATCH`` orders (not cancelled) placed in [since, until) on the
    marketplaces, ids above ``after_id``, with their lines.

    Reads the ORDERS APP'S TABLES BY NAME (orders_order, orders_checkout, orders_orderline)
    with raw SQL: festivals must not import orders (the orders app imports festivals), and
    this rebuild is the only place that reads them; keep the column names in step with
    ``fiera.orders.models``."""
    ops = connection.ops
    markets = ", ".join(["%s"] * len(marketplace_ids))
    sql = (
        "SELECT o.id, o.merchant_id, o.marketplace_id, c.country, o.currency, o.total_minor, "
        "o.refunded_minor, o.placed_at FROM orders_order o "
        "JOIN orders_checkout c ON c.id = o.checkout_id "
        f"WHERE o.marketplace_id IN ({markets}) AND o.placed_at >= %s AND o.placed_at < %s "
        "AND o.status <> 'cancelled' AND o.id > %s ORDER BY o.id LIMIT %s"
    )
    params = [
        *marketplace_ids,
        ops.adapt_datetimefield_value(since),
        ops.adapt_datetimefield_value(until),
        after_id,
        RETALLY_BATCH,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        heads = cursor.fetchall()
        if not heads:
            return []
        ids = [int(h[0]) for h in heads]
        cursor.execute(
            "SELECT order_id, variant_id, quantity, line_total_minor + tax_minor "
            f"FROM orders_orderline WHERE order_id IN ({', '.join(['%s'] * len(ids))}) "
            "ORDER BY order_id, id",
            ids,
        )
        lines: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for order_id, variant_id, quantity, amount in cursor.fetchall():
            lines[int(order_id)].append((int(variant_id), int(quantity), int(amount)))
    facts = []
    for h in heads:
        placed_at = h[7]
        if isinstance(placed_at, str):  # SQLite without converters
            placed_at = parse_datetime(placed_at)
        if placed_at.tzinfo is None:  # SQLite stores UTC without an offset
            placed_at = placed_at.replace(tzinfo=UTC)
        facts.append(
            OrderFacts(
                order_id=int(h[0]),
                merchant_id=int(h[1]),
                marketplace_id=int(h[2]),
                buyer_country=str(h[3]),
                currency=str(h[4]),
                total_minor=int(h[5]),
                refunded_minor=int(h[6]),
                placed_at=placed_at,
                lines=tuple(lines.get(int(h[0]), ())),
            )
        )
    return facts


@dataclass(frozen=True, slots=True)
class RetallyReport:
    festival_id: int
    orders_read: int
    orders_counted: int


def festival_retally(
    *,
    festival_id: int,
    now: datetime,
    actor_role: str,
    progress: Callable[[int], None] | None = None,
) -> RetallyReport:
    """Rebuild a festival's FestivalOrder, GmvTally and rollup rows from the orders tables (orders
    written without events, such as demo history), in ONE transaction; operators and the
    system. ``progress`` is called with the number of orders read after each batch."""
    if actor_role not in {OPERATOR, SYSTEM}:
        raise PermissionDenied("only operators rebuild festival tallies")
    festival = Festival.objects.filter(pk=festival_id).first()
    if festival is None:
        raise NotFound(f"no festival {festival_id}")
    windows = _windows(festival)
    marketplace_ids = sorted(festival.marketplaces.values_list("id", flat=True))
    since = min(w.starts_at for w in windows)
    by_market = dict.fromkeys(marketplace_ids, windows)
    rates = _Rates()
    read = counted = 0
    with transaction.atomic():
        GmvTally.objects.filter(festival_id=festival_id).delete()
        GmvMerchantTotal.objects.filter(festival_id=festival_id).delete()
        GmvMinute.objects.filter(festival_id=festival_id).delete()
        GmvBuyerCountry.objects.filter(festival_id=festival_id).delete()
        FestivalOrder.objects.filter(festival_id=festival_id).delete()
        after_id = 0
        while marketplace_ids:
            batch = _orders_batch(
                marketplace_ids=marketplace_ids,
                since=since,
                until=festival.ends_at,
                after_id=after_id,
            )
            if not batch:
                break
            after_id = batch[-1].order_id
            read += len(batch)
            counted += _count(batch, by_market, rates, now, only_festival=festival_id)
            if progress is not None:
                progress(len(batch))
    return RetallyReport(festival_id=festival_id, orders_read=read, orders_counted=counted)


def festival_id_for_slug(*, slug: str) -> int:
    found = Festival.objects.filter(slug=slug).values_list("id", flat=True).first()
    if found is None:
        raise NotFound(f"no festival {slug!r}")
    return int(found)


def festival_retally_by_slug(
    *,
    slug: str,
    now: datetime,
    actor_role: str,
    progress: Callable[[int], None] | None = None,
) -> RetallyReport:
    """``festival_retally`` of the festival named by ``slug`` (the CLI's entry point)."""
    if actor_role not in {OPERATOR, SYSTEM}:
        raise PermissionDenied("only operators rebuild festival tallies")
    return festival_retally(
        festival_id=festival_id_for_slug(slug=slug),
        now=now,
        actor_role=actor_role,
        progress=progress,
    )
