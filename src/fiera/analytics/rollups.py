"""The sales rollups: the order events' subscribers that keep ``OrderFact``, ``SalesCell``,
``SalesRollup`` (day and month rows) and ``MerchantDay``/``MerchantMonth`` (per marketplace
and, in ``ALL_MARKETPLACES`` rows, over all of them) in step with the orders, and the
counting that ``analytics_rebuild`` shares with them.

Which orders count, and for how much: exactly the festival tallies' rule
(``fiera.common.reporting``): an order counts when PLACED (cash on delivery included), on
the UTC day of ``placed_at``, in US cents at the ECB reference rate of that day
(``payments.selectors.fx_rate``, recorded on ``OrderFact.usd_rate``); a cancellation takes it
all off, a refund lowers it to (total - refunded) at the RECORDED rate, a full refund takes
it off. An order whose currency has no rate at all is not counted (logged); ``fiera
analytics rebuild`` counts it once a rate exists.

Idempotency. One ``OrderFact`` per order: a redelivered placed event inserts nothing
(``ON CONFLICT DO NOTHING RETURNING``) and adds nothing; cancel and refund events lock the
fact (``SELECT .. FOR UPDATE``), compute the order's target from the event's ABSOLUTE
``refunded_minor`` and only ever lower it, so redeliveries and out-of-order refunds change
nothing twice. A shipped event sets ``OrderFact.shipped_day`` only when it is empty
(conditional UPDATE .. RETURNING) and adds one package only then.

One transaction per event, one multi-row upsert per table, rows in sorted key order and
tables always in the same order (OrderFact, SalesCell, SalesRollup, MerchantDay,
MerchantMonth, MerchantActivity, MerchantSetDay, MerchantSetMonth): two subscribers on the
same cells wait for each other, they never deadlock
(tests/analytics/test_rollups_concurrency.py, PostgreSQL).

Order of delivery: a cancelled/refunded/shipped event delivered BEFORE its placed event (the
relay runs subscribers in name order, and a retry may reorder them) finds no fact and changes
nothing; the placed subscriber then counts the order as it stands (status, refunded amount,
shipment), so the result is the same in any order (tests/analytics/test_rollups.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from fiera.analytics import merchant_sets
from fiera.analytics.models import (
    ALL_MARKETPLACES,
    WORDS,
    MerchantActivity,
    MerchantDay,
    MerchantMonth,
    OrderFact,
    SalesCell,
    SalesRollup,
    day_bit,
    day_words,
)
from fiera.catalog import selectors as catalog_selectors
from fiera.common import events
from fiera.common.errors import DomainError
from fiera.common.reporting import (
    NO_CATEGORY,
    REPORTING_CURRENCY,
    Counted,
    as_delta,
    order_counted,
    order_lowered,
)
from fiera.common.reporting import placed_orders as reporting_placed_orders
from fiera.merchants import selectors as merchant_selectors
from fiera.orders import selectors as order_selectors
from fiera.payments import selectors as payment_selectors

log = logging.getLogger(__name__)

PLACED_TOPIC = "orders.checkout.placed"
CANCELLED_TOPIC = "orders.order.cancelled"
REFUNDED_TOPIC = "orders.order.refunded"
SHIPPED_TOPIC = "orders.order.shipped"

# the dimensions of SalesRollup rows besides the marketplace ("all": no dimension)
ROLLUP_DIMS = ("all", "merchant_country", "buyer_country", "region", "category")
# those whose rows count packages (a package has no buyer country or category of its own)
PACKAGE_ROLLUP_DIMS = ("all", "merchant_country", "region")

_FACT = OrderFact._meta.db_table
_CELL = SalesCell._meta.db_table
_ROLLUP = SalesRollup._meta.db_table
_MDAY = MerchantDay._meta.db_table
_MMONTH = MerchantMonth._meta.db_table
_ACTIVITY = MerchantActivity._meta.db_table


@dataclass(frozen=True, slots=True)
class OrderInput:
    """An order as the counting needs it (from a placed event or from the orders tables)."""

    order_id: int
    merchant_id: int
    marketplace_id: int
    buyer_country: str
    currency: str
    total_minor: int
    refunded_minor: int
    placed_at: datetime
    lines: tuple[tuple[int, int, int], ...]  # (variant_id, quantity, amount_minor incl. tax)
    cancelled: bool = False
    fully_refunded: bool = False
    shipped_at: datetime | None = None


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


class Rates:
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
                log.warning("analytics: no USD rate for %s on or before %s", currency, on)
                self._known[key] = None
        return self._known[key]


# the deltas ---------------------------------------------------------------------------------

# A cell: (merchant, day, marketplace, buyer country, category) with (merchant country,
# region) carried along, and the (orders, units, usd) to add.
CellKey = tuple[int, date, int, str, int]


class Deltas:
    """What one event (or one rebuild batch) adds to every table, merged per key."""

    def __init__(self) -> None:
        self.cells: dict[CellKey, list[int]] = {}
        self.places: dict[int, tuple[str, str]] = {}  # merchant -> (country, region)
        # (merchant, day, marketplace) -> [orders, units, usd, packages]
        self.merchant_days: dict[tuple[int, date, int], list[int]] = {}
        self.packages: dict[tuple[int, date, int], int] = {}

    def add_order(
        self,
        *,
        merchant_id: int,
        day: date,
        marketplace_id: int,
        buyer_country: str,
        place: tuple[str, str],
        delta: dict[int, tuple[int, int, int]],
    ) -> None:
        self.places[merchant_id] = place
        day_acc = self.merchant_days.setdefault((merchant_id, day, marketplace_id), [0, 0, 0, 0])
        for category, (o, u, usd) in delta.items():
            acc = self.cells.setdefault(
                (merchant_id, day, marketplace_id, buyer_country, category), [0, 0, 0]
            )
            acc[0] += o
            acc[1] += u
            acc[2] += usd
            day_acc[0] += o
            day_acc[1] += u
            day_acc[2] += usd

    def add_package(
        self, *, merchant_id: int, day: date, marketplace_id: int, place: tuple[str, str]
    ) -> None:
        self.places[merchant_id] = place
        key = (merchant_id, day, marketplace_id)
        self.packages[key] = self.packages.get(key, 0) + 1
        self.merchant_days.setdefault(key, [0, 0, 0, 0])[3] += 1

    def write(self, *, cells_only: bool = False) -> None:
        """Every table's multi-row upsert, tables and rows in a fixed order (``cells_only``:
        the cells alone, for the rebuild, which sums the rest from them afterwards)."""
        _upsert_cells(self.cells, self.places)
        if cells_only:
            return
        _upsert_rollups(self.cells, self.packages, self.places)
        _upsert_merchant_days(self.merchant_days, self.places)


MAX_PARAMS = 30_000  # per statement: SQLite allows 32,766 bound values
FACT_TYPES = (
    "bigint",  # merchant_id
    "bigint",  # order_id
    "date",  # day
    "bigint",  # marketplace_id
    "text",  # merchant_country
    "text",  # region
    "text",  # buyer_country
    "text",  # currency
    "bigint",  # total_minor
    "text",  # usd_rate
    "bigint",  # gmv_usd_minor
    "integer",  # units
    "jsonb",  # categories
    "jsonb",  # placed_categories
    "timestamptz",  # counted_at
    "timestamptz",  # uncounted_at
    "date",  # shipped_day
)


def _insert_many(
    head: str, types: Sequence[str], params: Sequence[Any], tail: str
) -> list[tuple[Any, ...]]:
    """``head <rows> tail`` for the rows in ``params`` (``len(types)`` values each, in the
    order given); the rows any RETURNING returned. PostgreSQL: ONE statement whatever the
    number of rows, the columns as arrays (``SELECT .. FROM unnest(%s::type[], ..) WITH
    ORDINALITY .. ORDER BY`` the rows' order, so locks are taken in it: a few parameters,
    not one per value, which the driver would otherwise parse out of a long statement).
    SQLite: ``VALUES (..), (..)`` in as few statements as its bound-value limit allows.
    ``types`` are PostgreSQL's ("jsonb" columns take JSON text)."""
    columns = len(types)
    returned: list[tuple[Any, ...]] = []
    if not params:
        return returned
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = [list(params[i::columns]) for i in range(columns)]
            names = [f"c{i}" for i in range(columns)]
            picked = ", ".join(
                f"{n}::jsonb" if t == "jsonb" else n for n, t in zip(names, types, strict=True)
            )
            unnest = ", ".join("%s::text[]" if t == "jsonb" else f"%s::{t}[]" for t in types)
            cursor.execute(
                f"{head} SELECT {picked} FROM unnest({unnest}) WITH ORDINALITY "
                f"AS t({', '.join(names)}, n) WHERE true ORDER BY n {tail}",
                arrays,
            )
            if "RETURNING" in tail:
                returned += [tuple(r) for r in cursor.fetchall()]
            return returned
        per = max(1, MAX_PARAMS // columns) * columns
        row = "(" + ", ".join(["%s"] * columns) + ")"
        for at in range(0, len(params), per):
            chunk = params[at : at + per]
            cursor.execute(
                f"{head} VALUES " + ", ".join([row] * (len(chunk) // columns)) + f" {tail}", chunk
            )
            if "RETURNING" in tail:
                returned += [tuple(r) for r in cursor.fetchall()]
    return returned


def _adds(table: str, columns: Sequence[str]) -> str:
    return ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)


def _upsert_cells(cells: dict[CellKey, list[int]], places: dict[int, tuple[str, str]]) -> None:
    merged = {k: v for k, v in cells.items() if any(v)}
    if not merged:
        return
    ops = connection.ops
    params: list[Any] = []
    for key in sorted(merged):
        merchant, day, market, b_country, category = key
        m_country, region = places[merchant]
        params += [
            merchant,
            ops.adapt_datefield_value(day),
            market,
            b_country,
            category,
            m_country,
            region,
            *merged[key],
        ]
    _insert_many(
        f"INSERT INTO {_CELL} (merchant_id, day, marketplace_id, buyer_country, category_id, "
        "merchant_country, region, orders, units, gmv_usd_minor)",
        (
            "bigint",
            "date",
            "bigint",
            "text",
            "bigint",
            "text",
            "text",
            "integer",
            "integer",
            "bigint",
        ),
        params,
        "ON CONFLICT (merchant_id, day, marketplace_id, buyer_country, category_id) "
        "DO UPDATE SET " + _adds(_CELL, ("orders", "units", "gmv_usd_minor")),
    )


def rollup_rows(
    cells: dict[CellKey, list[int]],
    places: dict[int, tuple[str, str]],
    packages: dict[tuple[int, date, int], int] | None = None,
) -> dict[tuple[str, str, date, int, str], list[int]]:
    """The SalesRollup deltas (orders, units, usd, packages) of cell and package deltas:
    per (grain, dim, period, marketplace, dim_key), day and month rows of every dimension
    (packages: of ``PACKAGE_ROLLUP_DIMS``)."""
    rows: dict[tuple[str, str, date, int, str], list[int]] = {}
    for (merchant, day, market), n in (packages or {}).items():
        if not n:
            continue
        m_country, region = places[merchant]
        place_keys = {"all": "", "merchant_country": m_country, "region": region}
        for grain, period in (("d", day), ("m", month_of(day))):
            for dim in PACKAGE_ROLLUP_DIMS:
                rows.setdefault((grain, dim, period, market, place_keys[dim]), [0, 0, 0, 0])[3] += n
    for (merchant, day, market, b_country, category), d in cells.items():
        if not any(d):
            continue
        m_country, region = places[merchant]
        keys = {
            "all": "",
            "merchant_country": m_country,
            "buyer_country": b_country,
            "region": region,
            "category": str(category),
        }
        for grain, period in (("d", day), ("m", month_of(day))):
            for dim in ROLLUP_DIMS:
                acc = rows.setdefault((grain, dim, period, market, keys[dim]), [0, 0, 0, 0])
                acc[0] += d[0]
                acc[1] += d[1]
                acc[2] += d[2]
    return {k: v for k, v in rows.items() if any(v)}


def _upsert_rollups(
    cells: dict[CellKey, list[int]],
    packages: dict[tuple[int, date, int], int],
    places: dict[int, tuple[str, str]],
) -> None:
    rows = rollup_rows(cells, places, packages)
    if not rows:
        return
    ops = connection.ops
    params: list[Any] = []
    for key in sorted(rows):
        grain, dim, period, market, dim_key = key
        params += [grain, dim, ops.adapt_datefield_value(period), market, dim_key, *rows[key]]
    _insert_many(
        f"INSERT INTO {_ROLLUP} (grain, dim, period, marketplace_id, dim_key, orders, units, "
        "gmv_usd_minor, packages)",
        ("text", "text", "date", "bigint", "text", "integer", "integer", "bigint", "integer"),
        params,
        "ON CONFLICT (grain, dim, period, marketplace_id, dim_key) DO UPDATE SET "
        + _adds(_ROLLUP, ("orders", "units", "gmv_usd_minor", "packages")),
    )


def _upsert_merchant_days(
    days: dict[tuple[int, date, int], list[int]], places: dict[int, tuple[str, str]]
) -> None:
    """MerchantDay and MerchantMonth: the marketplace's rows and the ``ALL_MARKETPLACES``
    ones."""
    rows: dict[tuple[int, date, int], list[int]] = {}
    for (merchant, day, market), d in days.items():
        if not any(d):
            continue
        for key in ((merchant, day, market), (merchant, day, ALL_MARKETPLACES)):
            acc = rows.setdefault(key, [0, 0, 0, 0])
            for i in range(4):
                acc[i] += d[i]
    if not rows:
        return
    months: dict[tuple[int, date, int], list[int]] = {}
    for (merchant, day, market), d in rows.items():
        acc = months.setdefault((merchant, month_of(day), market), [0, 0, 0, 0])
        for i in range(4):
            acc[i] += d[i]
    ops = connection.ops
    measures = ("orders", "units", "gmv_usd_minor", "packages")
    now_days: list[tuple[Any, ...]] = []
    for table, column, found in ((_MDAY, "day", rows), (_MMONTH, "month", months)):
        params: list[Any] = []
        for key in sorted(found):
            merchant, day, market = key
            params += [merchant, ops.adapt_datefield_value(day), market, *places[merchant]]
            params += found[key]
        returned = _insert_many(
            f"INSERT INTO {table} (merchant_id, {column}, marketplace_id, merchant_country, "
            "region, orders, units, gmv_usd_minor, packages)",
            ("bigint", "date", "bigint", "text", "text", "integer", "integer", "bigint", "integer"),
            params,
            f"ON CONFLICT (merchant_id, {column}, marketplace_id) DO UPDATE SET "
            + _adds(table, measures)
            + (
                " RETURNING merchant_id, day, marketplace_id, merchant_country, region, orders"
                if table == _MDAY
                else ""
            ),
        )
        if table == _MDAY:
            now_days = returned
    _mark_activity(now_days)
    merchant_sets.add_to_sets(rows, months, _insert_many)


def _day_index(day: date) -> int:
    """``day``'s bit in ``MerchantActivity`` (0 for 1 January)."""
    return day.timetuple().tm_yday - 1


WORD_COLUMNS = tuple(f"w{i}" for i in range(WORDS))


def _mark_activity(days: Sequence[tuple[Any, ...]]) -> None:
    """``MerchantActivity`` in step with the ``MerchantDay`` rows an upsert RETURNED
    (merchant, day, marketplace, merchant country, region, orders as they stand now): the
    day's bit is set when orders > 0, else clear. Missing rows are inserted first with their
    bits (ON CONFLICT DO NOTHING), then each row whose bit differs is updated (adding or
    taking off the bit's value), one statement per row and day in key order (rows locked in
    one order: no deadlock); a day that stays active, the common case, writes nothing but
    the insert that finds its row."""
    if not days:
        return
    marks: dict[tuple[int, int, int, str, str], list[tuple[int, bool]]] = {}
    for merchant, day, market, m_country, region, orders in days:
        if isinstance(day, str):  # SQLite returns dates as text
            day = date.fromisoformat(day)
        key = (int(merchant), int(market), day.year, str(m_country), str(region))
        marks.setdefault(key, []).append((_day_index(day), int(orders) > 0))
    params: list[Any] = []
    for key in sorted(marks):
        params += [*key, *day_words([index for index, active in marks[key] if active])]
    _insert_many(
        f"INSERT INTO {_ACTIVITY} (merchant_id, marketplace_id, year, merchant_country, region, "
        f"{', '.join(WORD_COLUMNS)})",
        ("bigint", "bigint", "integer", "text", "text", *("bigint",) * WORDS),
        params,
        "ON CONFLICT (merchant_id, marketplace_id, year, merchant_country, region) DO NOTHING",
    )
    with connection.cursor() as cursor:
        for key in sorted(marks):
            for index, active in sorted(marks[key]):
                word, mask = day_bit(index)
                column = WORD_COLUMNS[word]
                cursor.execute(
                    f"UPDATE {_ACTIVITY} SET {column} = {column} {'+' if active else '-'} %s "
                    "WHERE merchant_id = %s AND marketplace_id = %s AND year = %s "
                    f"AND merchant_country = %s AND region = %s AND ({column} & %s) "
                    f"{'=' if active else '<>'} 0",
                    [mask, *key, mask],
                )


# counting orders ----------------------------------------------------------------------------


def count_orders(
    orders: Sequence[OrderInput], rates: Rates, now: datetime, *, cells_only: bool = False
) -> int:
    """Insert the OrderFact rows of ``orders`` not there yet (with their ``shipped_day``
    when ``shipped_at`` is known: the rebuild) and add them to every table, in the caller's
    transaction (``cells_only``: to the cells alone; ``sum_from_cells`` adds the rest).
    Returns how many facts were inserted."""
    if not orders:
        return 0
    places = merchant_selectors.merchant_places(merchant_ids={o.merchant_id for o in orders})
    categories_of = catalog_selectors.variant_categories(
        variant_ids={line[0] for o in orders for line in o.lines}
    )
    facts: list[tuple[OrderInput, tuple[str, str], Decimal, Counted, Counted]] = []
    for order in sorted(orders, key=lambda o: (o.merchant_id, o.order_id)):
        rate = rates.get(order.currency, utc_day(order.placed_at))
        if rate is None:
            continue
        placed = order_counted(
            total_minor=order.total_minor,
            refunded_minor=0,
            currency=order.currency,
            rate=rate,
            lines=[
                (categories_of.get(variant_id) or NO_CATEGORY, quantity, amount)
                for variant_id, quantity, amount in order.lines
            ],
        )
        counted = placed
        if order.refunded_minor or order.cancelled or order.fully_refunded:
            counted = lowered_from_placed(
                placed,
                placed,
                total_minor=order.total_minor,
                refunded_minor=order.refunded_minor,
                currency=order.currency,
                rate=rate,
                fully=order.cancelled or order.fully_refunded,
            )
        place = places.get(order.merchant_id, ("", ""))
        facts.append((order, place, rate, counted, placed))
    if not facts:
        return 0
    inserted = _insert_facts(facts, now)
    deltas = Deltas()
    for order, place, _rate, counted, _placed in facts:
        if (order.merchant_id, order.order_id) not in inserted:
            continue
        deltas.add_order(
            merchant_id=order.merchant_id,
            day=utc_day(order.placed_at),
            marketplace_id=order.marketplace_id,
            buyer_country=order.buyer_country,
            place=place,
            delta=as_delta(counted, None),
        )
        if order.shipped_at is not None:
            deltas.add_package(
                merchant_id=order.merchant_id,
                day=utc_day(order.shipped_at),
                marketplace_id=order.marketplace_id,
                place=place,
            )
    deltas.write(cells_only=cells_only)
    return len(inserted)


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def sum_from_cells(start: date | None) -> None:
    """The rebuild's last step: SalesRollup (every grain and dimension), MerchantDay and
    MerchantMonth (per marketplace and ``ALL_MARKETPLACES``) from the cells, their packages
    from the facts' ``shipped_day``, for the days from ``start`` on (all when None), with
    INSERT .. SELECT .. GROUP BY: the same sums the subscribers add row by row. The rows
    from ``start`` on must be empty."""
    where = "WHERE day >= %s" if start is not None else ""
    params = [connection.ops.adapt_datefield_value(start)] if start is not None else []
    month = _month_sql("day")
    keys = {
        "all": "''",
        "merchant_country": "merchant_country",
        "buyer_country": "buyer_country",
        "region": "region",
        "category": "CAST(category_id AS TEXT)",
    }
    sums = "SUM(orders), SUM(units), SUM(gmv_usd_minor)"
    nonzero = "HAVING SUM(orders) <> 0 OR SUM(units) <> 0 OR SUM(gmv_usd_minor) <> 0"
    shipped = "WHERE shipped_day >= %s" if start is not None else "WHERE shipped_day IS NOT NULL"
    shipped_month = _month_sql("shipped_day")
    with connection.cursor() as cursor:
        for grain, period in (("d", "day"), ("m", month)):
            for dim in ROLLUP_DIMS:
                key = keys[dim]
                cursor.execute(
                    f"INSERT INTO {_ROLLUP} (grain, dim, period, marketplace_id, dim_key, "
                    f"orders, units, gmv_usd_minor, packages) SELECT '{grain}', '{dim}', "
                    f"{period}, marketplace_id, {key}, {sums}, 0 FROM {_CELL} {where} "
                    f"GROUP BY {period}, marketplace_id" + (f", {key}" if dim != "all" else ""),
                    params,
                )
        for grain, period in (("d", "shipped_day"), ("m", shipped_month)):
            for dim in PACKAGE_ROLLUP_DIMS:
                key = keys[dim]
                cursor.execute(
                    f"INSERT INTO {_ROLLUP} (grain, dim, period, marketplace_id, dim_key, "
                    f"orders, units, gmv_usd_minor, packages) SELECT '{grain}', '{dim}', "
                    f"{period}, marketplace_id, {key}, 0, 0, 0, COUNT(*) FROM {_FACT} {shipped} "
                    f"GROUP BY {period}, marketplace_id"
                    + (f", {key}" if dim != "all" else "")
                    + " ON CONFLICT (grain, dim, period, marketplace_id, dim_key) "
                    "DO UPDATE SET packages = excluded.packages",
                    params,
                )
        for market in ("marketplace_id", str(ALL_MARKETPLACES)):
            cursor.execute(
                f"INSERT INTO {_MDAY} (merchant_id, day, marketplace_id, merchant_country, "
                "region, orders, units, gmv_usd_minor, packages) SELECT merchant_id, day, "
                f"{market}, MIN(merchant_country), MIN(region), {sums}, 0 FROM {_CELL} {where} "
                "GROUP BY merchant_id, day"
                + (", marketplace_id" if market == "marketplace_id" else "")
                + f" {nonzero}",
                params,
            )
            cursor.execute(
                f"INSERT INTO {_MDAY} (merchant_id, day, marketplace_id, merchant_country, "
                "region, orders, units, gmv_usd_minor, packages) SELECT merchant_id, "
                f"shipped_day, {market}, MIN(merchant_country), MIN(region), 0, 0, 0, COUNT(*) "
                f"FROM {_FACT} {shipped} GROUP BY merchant_id, shipped_day"
                + (", marketplace_id" if market == "marketplace_id" else "")
                + " ON CONFLICT (merchant_id, day, marketplace_id) "
                "DO UPDATE SET packages = excluded.packages",
                params,
            )
        cursor.execute(
            f"INSERT INTO {_MMONTH} (merchant_id, month, marketplace_id, merchant_country, "
            f"region, orders, units, gmv_usd_minor, packages) SELECT merchant_id, {month}, "
            f"marketplace_id, MIN(merchant_country), MIN(region), {sums}, SUM(packages) "
            f"FROM {_MDAY} {where} GROUP BY merchant_id, {month}, marketplace_id",
            params,
        )
    activity_from_days(start.year if start is not None else None)


def activity_from_days(first_year: int | None, *, batch: int = 2_000) -> int:
    """``MerchantActivity`` for the years from ``first_year`` on (all when None), from the
    ``MerchantDay`` rows with orders (the rows of those years must be empty): the rebuild's
    step, and the bench's. Reads the day rows merchant by merchant; returns the rows
    written."""
    rows = MerchantDay.objects.filter(orders__gt=0)
    if first_year is not None:
        rows = rows.filter(day__gte=date(first_year, 1, 1))
    pending: dict[tuple[int, int, int, str, str], list[int]] = {}
    written = 0

    def flush() -> None:
        nonlocal written
        params: list[Any] = []
        for key in sorted(pending):
            params += [*key, *day_words(pending[key])]
        _insert_many(
            f"INSERT INTO {_ACTIVITY} (merchant_id, marketplace_id, year, merchant_country, "
            f"region, {', '.join(WORD_COLUMNS)})",
            ("bigint", "bigint", "integer", "text", "text", *("bigint",) * WORDS),
            params,
            "",
        )
        written += len(pending)
        pending.clear()

    current = None
    for merchant, market, day, m_country, region in (
        rows.order_by("merchant_id")
        .values_list("merchant_id", "marketplace_id", "day", "merchant_country", "region")
        .iterator(chunk_size=20_000)
    ):
        if merchant != current and len(pending) >= batch:
            flush()
        current = merchant
        key = (merchant, market, day.year, m_country, region)
        pending.setdefault(key, []).append(_day_index(day))
    if pending:
        flush()
    return written


def _insert_facts(
    facts: Sequence[tuple[OrderInput, tuple[str, str], Decimal, Counted, Counted]],
    now: datetime,
) -> set[tuple[int, int]]:
    """ONE INSERT .. ON CONFLICT DO NOTHING RETURNING: the (merchant, order) pairs new."""
    ops = connection.ops
    params: list[Any] = []
    for order, (m_country, region), rate, counted, placed in facts:
        params += [
            order.merchant_id,
            order.order_id,
            ops.adapt_datefield_value(utc_day(order.placed_at)),
            order.marketplace_id,
            m_country,
            region,
            order.buyer_country,
            order.currency,
            order.total_minor,
            str(rate),
            counted.gmv,
            counted.units,
            json.dumps(counted.as_json()),
            json.dumps(placed.as_json()),
            ops.adapt_datetimefield_value(now),
            ops.adapt_datetimefield_value(now) if not counted.counts_order else None,
            ops.adapt_datefield_value(utc_day(order.shipped_at)) if order.shipped_at else None,
        ]
    returned = _insert_many(
        f"INSERT INTO {_FACT} (merchant_id, order_id, day, marketplace_id, merchant_country, "
        "region, buyer_country, currency, total_minor, usd_rate, gmv_usd_minor, units, "
        "categories, placed_categories, counted_at, uncounted_at, shipped_day)",
        FACT_TYPES,
        params,
        "ON CONFLICT (merchant_id, order_id) DO NOTHING RETURNING merchant_id, order_id",
    )
    return {(int(m), int(o)) for m, o in returned}


# subscribers ------------------------------------------------------------------------------


def _parse_at(text: str) -> datetime:
    at = parse_datetime(text)
    if at is None:
        raise ValueError(f"not a date-time: {text!r}")
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def placed_orders(payload: dict[str, Any]) -> list[OrderInput]:
    """The orders of an ``orders.checkout.placed`` payload (read by
    ``fiera.common.reporting.placed_orders``, as the festival tallies read it)."""
    return [
        OrderInput(
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
        for o in reporting_placed_orders(payload)
    ]


def on_checkout_placed(event: events.Event, *, now: datetime | None = None) -> None:
    """Count each order of a checkout as it stands now (idempotent).

    The relay may have run this order's cancelled, refunded or shipped subscriber first
    (subscribers run in name order, and "cancelled" sorts before "placed"): those found
    nothing to change. So the order's current status, refunded amount and shipment are read
    (``orders.selectors.order_states``, shared row locks on PostgreSQL) and counted with it;
    the later events then change nothing twice (targets are absolute, shipment is once)."""
    orders = placed_orders(event.payload)
    with transaction.atomic():
        states = order_selectors.order_states(order_ids=[o.order_id for o in orders])
        current = []
        for order in orders:
            state = states.get(order.order_id)
            if state is not None:
                order = replace(
                    order,
                    refunded_minor=state.refunded_minor,
                    cancelled=state.status == "cancelled",
                    fully_refunded=state.status == "refunded",
                    shipped_at=state.shipped_at,
                )
            current.append(order)
        count_orders(current, Rates(), now or event.created_at)


def _lower(payload: dict[str, Any], now: datetime, *, fully: bool) -> None:
    """Lower what an order counts for to its (total - refunded) at the recorded rate
    (nothing when ``fully``); never raises it."""
    order_id, merchant_id = int(payload["order_id"]), int(payload["merchant_id"])
    with transaction.atomic():
        fact = (
            OrderFact.objects.select_for_update()
            .filter(merchant_id=merchant_id, order_id=order_id)
            .first()
        )
        if fact is None:
            # delivered before its placed event, or an order from before analytics (demo
            # history): the placed subscriber or a rebuild counts the order as it stands
            log.debug("analytics: order %s not counted yet; its change waits for it", order_id)
            return
        old = Counted.from_json(fact.categories, counts_order=fact.uncounted_at is None)
        new = lowered_from_placed(
            old,
            Counted.from_json(fact.placed_categories, counts_order=True),
            total_minor=int(payload["total_minor"]),
            refunded_minor=int(payload["refunded_minor"]),
            currency=fact.currency,
            rate=Decimal(fact.usd_rate),
            fully=fully,
        )
        delta = as_delta(new, old)
        if not delta:
            return
        fact.categories = new.as_json()
        fact.gmv_usd_minor = new.gmv
        fact.units = new.units
        if not new.counts_order and fact.uncounted_at is None:
            fact.uncounted_at = now
        fact.save(update_fields=["categories", "gmv_usd_minor", "units", "uncounted_at"])
        deltas = Deltas()
        deltas.add_order(
            merchant_id=fact.merchant_id,
            day=fact.day,
            marketplace_id=fact.marketplace_id,
            buyer_country=fact.buyer_country,
            place=(fact.merchant_country, fact.region),
            delta=delta,
        )
        deltas.write()


def lowered_from_placed(
    current: Counted,
    placed: Counted,
    *,
    total_minor: int,
    refunded_minor: int,
    currency: str,
    rate: Decimal,
    fully: bool,
) -> Counted:
    """What the order counts for after a change: lowered FROM WHAT IT COUNTED WHEN PLACED to
    (total - refunded) at ``rate`` (nothing when ``fully``), but never above ``current``: a
    late or redelivered refund that would raise it changes nothing. Lowering from the placed
    figures (not from the current ones) makes two partial refunds split exactly as one
    refund of their sum, which is what ``analytics_rebuild`` computes."""
    if not current.counts_order:
        return current
    candidate = order_lowered(
        placed,
        total_minor=total_minor,
        refunded_minor=refunded_minor,
        currency=currency,
        rate=rate,
        fully=fully,
    )
    if candidate.counts_order and candidate.gmv >= current.gmv:
        return current
    return candidate


def on_order_cancelled(event: events.Event, *, now: datetime | None = None) -> None:
    _lower(event.payload, now or event.created_at, fully=True)


def on_order_refunded(event: events.Event, *, now: datetime | None = None) -> None:
    payload = event.payload
    fully = bool(payload.get("fully_refunded")) or payload.get("status") == "refunded"
    _lower(payload, now or event.created_at, fully=fully)


def on_order_shipped(event: events.Event, *, now: datetime | None = None) -> None:
    """Count the order's first package on the UTC day of ``shipped_at`` (once)."""
    payload = event.payload
    day = utc_day(_parse_at(str(payload["shipped_at"])))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_FACT} SET shipped_day = %s WHERE merchant_id = %s AND order_id = %s "
            "AND shipped_day IS NULL RETURNING marketplace_id, merchant_country, region",
            [
                connection.ops.adapt_datefield_value(day),
                int(payload["merchant_id"]),
                int(payload["order_id"]),
            ],
        )
        found = cursor.fetchone()
        if found is None:
            return  # counted already, or the order was never counted
        deltas = Deltas()
        deltas.add_package(
            merchant_id=int(payload["merchant_id"]),
            day=day,
            marketplace_id=int(found[0]),
            place=(str(found[1]), str(found[2])),
        )
        deltas.write()


def register() -> None:
    """Subscribe to the order events (from ``AnalyticsConfig.ready``); names are stable."""
    events.subscribe(PLACED_TOPIC, name="analytics.rollups.placed")(on_checkout_placed)
    events.subscribe(CANCELLED_TOPIC, name="analytics.rollups.cancelled")(on_order_cancelled)
    events.subscribe(REFUNDED_TOPIC, name="analytics.rollups.refunded")(on_order_refunded)
    events.subscribe(SHIPPED_TOPIC, name="analytics.rollups.shipped")(on_order_shipped)
