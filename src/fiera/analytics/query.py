"""The analytics query layer: plain dataclasses and functions that pages, the API, reports
and the CLI call (re-exported by ``fiera.analytics.selectors``); nothing else reads the
analytics tables.

Measures. ``gmv`` (US cents), ``orders``, ``units``, ``packages`` and ``active_merchants``
are the core's (sales rollups); the trade and academy measures are registered by their feed
with ``register_measure(name, MeasureSource(...))``: a source answers a ``SourceQuery`` (a
measure, a period, the filters, the merchants the scope allows, an optional dimension to
group by) with the values per (UTC day, group key), and says which dimensions and filters it
understands. A filter a source cannot apply, or a merchant scope for a source that is not
per merchant (academy), answers 0: the figure cannot be attributed. A dimension a source
cannot group by is refused (``AnalyticsBadQuery``).

Where figures come from (the navigator): an operator's question (scope "all") with at most
one dimension filter or grouping besides the marketplace reads ``SalesRollup`` (packages
too): whole months from its month rows, the partial edge months from its day rows. Any
other question without a buyer country or category (a scoped one, a merchant grouping, two
merchant dimensions) reads ``MerchantMonth``/``MerchantDay`` the same way (the
``ALL_MARKETPLACES`` rows unless a marketplace is asked for), or, for a scope of two
merchants or more asked without a merchant country or region, its merchant set's
``MerchantSetMonth``/``MerchantSetDay`` (``merchant_sets``: the set is summed the first time
it is asked for, a write on that first read, and kept by the events after); the rest is a
GROUP BY over ``SalesCell``, never over the orders. Active merchants are counted in SQL
(COUNT DISTINCT) from ``MerchantActivity`` (a row per merchant and year with a bit per day:
one of the period's bits is set), or from ``SalesCell`` when a buyer country or category
filter/grouping asks for it; a day series of them from ``MerchantDay``.

Shares, changes: Decimal, exact to 6 places (half-even), never float.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal, get_args

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fiera.accounts.roles import MERCHANT, OPERATOR, PARTNER, SYSTEM
from fiera.analytics import merchant_sets
from fiera.analytics.models import (
    ALL_MARKETPLACES,
    MerchantActivity,
    MerchantDay,
    MerchantMonth,
    MerchantSetDay,
    MerchantSetMonth,
    SalesCell,
    SalesRollup,
    span_masks,
)
from fiera.catalog import selectors as catalog_selectors
from fiera.common.errors import InvalidInput, NotFound, PermissionDenied
from fiera.common.reference import country_name, italian_regions, language_suffix
from fiera.marketplaces import selectors as marketplace_selectors
from fiera.merchants import selectors as merchant_selectors
from fiera.partners import selectors as partner_selectors
from fiera.trade import selectors as trade_selectors

Measure = Literal[
    "gmv",
    "orders",
    "units",
    "packages",
    "active_merchants",
    "inquiries",
    "rfqs",
    "quotes",
    "deals",
    "deal_value",
    "enrolments",
    "certificates",
]
Dimension = Literal[
    "marketplace", "merchant_country", "buyer_country", "region", "category", "merchant"
]
Grain = Literal["day", "week", "month"]
MEASURES: tuple[str, ...] = get_args(Measure)
DIMENSIONS: tuple[str, ...] = get_args(Dimension)
GRAINS: tuple[str, ...] = get_args(Grain)
MONEY_MEASURES = frozenset({"gmv", "deal_value"})  # US cents; the rest are counts
SALES_MEASURES = frozenset({"gmv", "orders", "units"})
CORE_MEASURES = frozenset({"gmv", "orders", "units", "packages", "active_merchants"})
KPI_MEASURES: tuple[str, ...] = (
    "gmv",
    "orders",
    "packages",
    "active_merchants",
    "deals",
    "certificates",
)
MAX_DAYS = 3 * 366  # the longest period a question may cover ("3 years")
SHARE_PLACES = Decimal("0.000001")


class AnalyticsBadQuery(InvalidInput):
    """A question the analytics cannot answer as asked (422)."""

    code = "analytics_bad_query"
    message_template = _("This analytics question cannot be answered as asked.")


class UnknownMeasure(AnalyticsBadQuery):
    code = "analytics_unknown_measure"
    message_template = _("There is no figure called %(measure)s.")


class UnknownDimension(AnalyticsBadQuery):
    code = "analytics_unknown_dimension"
    message_template = _("Figures cannot be grouped by %(dimension)s.")


class UnknownGrain(AnalyticsBadQuery):
    code = "analytics_unknown_grain"
    message_template = _("Choose day, week or month for the series.")


class BadPeriod(AnalyticsBadQuery):
    code = "analytics_bad_period"
    message_template = _(
        "Choose a period that ends on or after its start and is at most 3 years long."
    )


class DimensionNotAvailable(AnalyticsBadQuery):
    code = "analytics_dimension_not_available"
    message_template = _("%(measure)s cannot be broken down by %(dimension)s.")


class BadTop(AnalyticsBadQuery):
    code = "analytics_bad_top"
    message_template = _("Ask for between 1 and 1000 rows.")


class AnalyticsForbidden(PermissionDenied):
    """The account's role (buyer, learner) sees no analytics at all."""

    code = "analytics_forbidden"
    message_template = _("Analytics are for operators, merchant staff and partners.")


class NotYourMerchant(PermissionDenied):
    code = "analytics_not_your_merchant"
    message_template = _("You can see the analytics of the companies you work for only.")


class NotYourPartner(PermissionDenied):
    code = "analytics_not_your_partner"
    message_template = _(
        "You can see the analytics of your own partner organisation and its pavilions only."
    )


# value types ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive UTC days ``start`` .. ``end``."""

    start: date
    end: date

    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The same number of days just before."""
        length = timedelta(days=self.days())
        return Period(self.start - length, self.end - length)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last))


@dataclass(frozen=True, slots=True)
class Filters:
    marketplace_id: int | None = None
    merchant_country: str = ""
    buyer_country: str = ""
    region: str = ""
    category_id: int | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    """What the actor may see: every merchant (``all``) or a set of merchants."""

    kind: Literal["all", "merchant", "partner", "pavilion"]
    merchant_ids: frozenset[int] | None  # None only for kind "all"
    label: str


@dataclass(frozen=True, slots=True)
class Point:
    day: date  # the first day of the bucket
    value: int


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    value: int
    share: Decimal  # of the breakdown's total, 0..1
    rank: int


@dataclass(frozen=True, slots=True)
class Breakdown:
    dimension: str
    measure: str
    rows: list[Row]
    total: int
    others: int  # the part of the total not in rows (when top cuts)


@dataclass(frozen=True, slots=True)
class Growth:
    current: int
    previous: int
    change: Decimal | None  # (current - previous) / previous; None when previous == 0


@dataclass(frozen=True, slots=True)
class Kpi:
    measure: str
    value: int
    previous: int
    change: Decimal | None


@dataclass(frozen=True, slots=True)
class RegionFigure:
    code: str
    name: str
    merchants: int
    active_merchants: int
    gmv: int


# the measure registry ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceQuery:
    """What a measure source is asked: ``measure`` over ``period`` with ``filters``, for
    the merchants in ``merchant_ids`` (None: all), grouped by ``group`` (a dimension of the
    source's ``dimensions``, or None)."""

    measure: str
    period: Period
    filters: Filters
    merchant_ids: frozenset[int] | None
    group: str | None


# Values per (UTC day within the period, group key; "" when ungrouped); missing: 0. A
# source may put a whole month's value on any day of it inside the period when the caller
# only needs totals; the query layer buckets days itself.
SourceValues = Mapping[tuple[date, str], int]


@dataclass(frozen=True, slots=True)
class MeasureSource:
    """How a registered measure is answered.

    ``fetch``: the values (see ``SourceValues``). ``dimensions``: the dimensions it can
    group by. ``filters``: the ``Filters`` fields it can apply (a question setting another
    one answers 0). ``per_merchant``: whether its figures belong to merchants (False: a
    scope other than "all" answers 0). ``labels``: optional labels for group keys of a
    dimension the core does not know how to name."""

    fetch: Callable[[SourceQuery], SourceValues]
    dimensions: frozenset[str]
    filters: frozenset[str]
    per_merchant: bool = True
    labels: Callable[[str, list[str]], dict[str, str]] | None = None


_SOURCES: dict[str, MeasureSource] = {}


def register_measure(name: str, source: MeasureSource) -> None:
    """Register (or replace) the source of a measure; from an app's ``ready()``."""
    if name not in MEASURES:
        raise ValueError(f"unknown measure {name!r}: add it to query.Measure first")
    if name in CORE_MEASURES:
        raise ValueError(f"{name!r} is a core measure")
    _SOURCES[name] = source


def registered_measures() -> dict[str, MeasureSource]:
    return dict(_SOURCES)


# validation -------------------------------------------------------------------------------


def _check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise UnknownMeasure(f"unknown measure {measure!r}", measure=str(measure)[:40])


def _check_period(period: Period) -> None:
    if period.end < period.start or period.days() > MAX_DAYS:
        raise BadPeriod(f"bad period {period.start} .. {period.end}")


def _check_dimension(dimension: str) -> None:
    if dimension not in DIMENSIONS:
        raise UnknownDimension(f"unknown dimension {dimension!r}", dimension=str(dimension)[:40])


def _check_grain(grain: str) -> None:
    if grain not in GRAINS:
        raise UnknownGrain(f"unknown grain {grain!r}")


# buckets ----------------------------------------------------------------------------------


def bucket_of(day: date, grain: str) -> date:
    """The first day of ``day``'s bucket: the day, its ISO week's Monday, its month's 1st."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def buckets(period: Period, grain: str) -> list[date]:
    """The first days of the buckets that cover the period, in order."""
    out: list[date] = []
    current = bucket_of(period.start, grain)
    while current <= period.end:
        out.append(current)
        if grain == "day":
            current += timedelta(days=1)
        elif grain == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def split_months(period: Period) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The whole months inside the period (first day of the first, first day of the last),
    and the day ranges left at its edges."""
    first = period.start if period.start.day == 1 else bucket_of(period.start, "month")
    if first < period.start:
        first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    after_end = period.end + timedelta(days=1)
    last_next = after_end.replace(day=1)  # the first day after the last whole month
    if first >= last_next:
        return None, [(period.start, period.end)]
    last = (last_next - timedelta(days=1)).replace(day=1)
    edges = []
    if period.start < first:
        edges.append((period.start, first - timedelta(days=1)))
    if last_next <= period.end:
        edges.append((last_next, period.end))
    return (first, last), edges


def _share(value: int, total: int) -> Decimal:
    if total <= 0:
        return Decimal(0).quantize(SHARE_PLACES)
    return (Decimal(value) / Decimal(total)).quantize(SHARE_PLACES, rounding=ROUND_HALF_EVEN)


def _change(current: int, previous: int) -> Decimal | None:
    if previous == 0:
        return None
    return (Decimal(current - previous) / Decimal(previous)).quantize(
        SHARE_PLACES, rounding=ROUND_HALF_EVEN
    )


# the core sources -------------------------------------------------------------------------

FILTER_DIMS = {
    "merchant_country": "merchant_country",
    "buyer_country": "buyer_country",
    "region": "region",
    "category_id": "category",
}
CELL_COLUMNS = {
    "marketplace": "marketplace_id",
    "merchant_country": "merchant_country",
    "buyer_country": "buyer_country",
    "region": "region",
    "category": "category_id",
    "merchant": "merchant_id",
}
SALES_COLUMNS = {"gmv": "gmv_usd_minor", "orders": "orders", "units": "units"}
PACKAGE_DIMS = frozenset({"marketplace", "merchant_country", "region", "merchant"})


def set_filters(filters: Filters) -> dict[str, str | int]:
    """The filters that are set, by field name."""
    out: dict[str, str | int] = {}
    for name in ("marketplace_id", "merchant_country", "buyer_country", "region", "category_id"):
        value = getattr(filters, name)
        if value is not None and value != "":
            out[name] = value
    return out


def _cell_filter(filters: Filters, merchant_ids: frozenset[int] | None) -> Q:
    q = Q()
    for name, value in set_filters(filters).items():
        q &= Q(**{name: value})
    if merchant_ids is not None:
        q &= Q(merchant_id__in=sorted(merchant_ids))
    return q


def navigator_dimension(filters: Filters, group: str | None) -> str | None:
    """The one SalesRollup dimension an operator's question needs ("all" for none), or
    None when it needs more than one (or the merchants): then SalesCell answers."""
    dims = {FILTER_DIMS[name] for name in set_filters(filters) if name in FILTER_DIMS}
    if group == "merchant":
        return None
    if group is not None and group != "marketplace":
        dims.add(group)
    if len(dims) > 1:
        return None
    return dims.pop() if dims else "all"


def _key(value: object) -> str:
    return "" if value is None else str(value)


MERCHANT_DIMS = frozenset({"marketplace", "merchant_country", "region", "merchant"})


def _by_merchant(filters: Filters, group: str | None) -> bool:
    """Whether MerchantDay/MerchantMonth answer (no buyer country or category)."""
    return (
        not filters.buyer_country
        and filters.category_id is None
        and (group is None or group in MERCHANT_DIMS)
    )


def _by_set(query: SourceQuery) -> bool:
    """Whether a merchant set answers: a scope of two merchants or more, asked without a
    buyer country, category, merchant country or region, grouped by marketplace at most."""
    ids = query.merchant_ids
    filters = query.filters
    return (
        ids is not None
        and len(ids) >= merchant_sets.MIN_MERCHANTS
        and query.group in (None, "marketplace")
        and not filters.merchant_country
        and not filters.region
        and _by_merchant(filters, query.group)
    )


def _merchant_rows(
    model: Any, filters: Filters, merchant_ids: frozenset[int] | None, group: str | None
) -> QuerySet[Any]:
    """``model``'s rows for the filters: one marketplace's, every marketplace's (grouped
    by marketplace), or the ``ALL_MARKETPLACES`` ones."""
    q = _cell_filter(filters, merchant_ids)
    if filters.marketplace_id is None:
        if group == "marketplace":
            q &= ~Q(marketplace_id=ALL_MARKETPLACES)
        else:
            q &= Q(marketplace_id=ALL_MARKETPLACES)
    return model.objects.filter(q).order_by()


def _ranges(period: Period, by_day: bool) -> list[tuple[bool, date, date]]:
    """(whole months?, first, last): the period as day ranges, or as whole months (first
    days) and the edge day ranges."""
    months, edges = (None, [(period.start, period.end)]) if by_day else split_months(period)
    out = [(False, a, b) for a, b in edges]
    if months is not None:
        out.append((True, months[0], months[1]))
    return out


def _additive(
    query: SourceQuery, columns: tuple[str, ...], *, by_day: bool
) -> dict[tuple[date, str], list[int]]:
    """GMV, orders, units or packages (the sums of ``columns``, in their order):
    SalesRollup for an operator's question with at most one dimension, MerchantMonth/
    MerchantDay for one without a buyer country or category, SalesCell otherwise (see the
    module's docstring; SalesCell has no packages)."""
    period, filters, group = query.period, query.filters, query.group
    out: dict[tuple[date, str], list[int]] = {}
    sums = {f"v{i}": Sum(column) for i, column in enumerate(columns)}

    def add(key: tuple[date, str], row: dict[str, Any]) -> None:
        acc = out.setdefault(key, [0] * len(columns))
        for i in range(len(columns)):
            acc[i] += int(row[f"v{i}"] or 0)

    dim = navigator_dimension(filters, group) if query.merchant_ids is None else None
    if query.merchant_ids is not None and _by_set(query):
        set_id = merchant_sets.merchant_set_for(query.merchant_ids, now=timezone.now())
        group_col = "marketplace_id" if group == "marketplace" else None
        for whole in (True, False):
            set_model: Any = MerchantSetMonth if whole else MerchantSetDay
            at = "month" if whole else "day"
            spans = _spans(at, period, by_day, whole=whole)
            if spans is None:
                continue
            fields = [at, group_col] if group_col else [at]
            rows = (
                _merchant_rows(set_model, filters, None, group)
                .filter(spans, merchant_set_id=set_id)
                .values(*fields)
                .annotate(**sums)
            )
            for row in rows:
                add((row[at], _key(row[group_col]) if group_col else ""), row)
        return out
    if dim is None and _by_merchant(filters, group):
        group_col = CELL_COLUMNS[group] if group else None
        for whole in (True, False):  # one read per table: its ranges OR'ed
            model, at = (MerchantMonth, "month") if whole else (MerchantDay, "day")
            spans = _spans(at, period, by_day, whole=whole)
            if spans is None:
                continue
            fields = [at, group_col] if group_col else [at]
            rows = (
                _merchant_rows(model, filters, query.merchant_ids, group)
                .filter(spans)
                .values(*fields)
                .annotate(**sums)
            )
            for row in rows:
                add((row[at], _key(row[group_col]) if group_col else ""), row)
        return out
    if dim is None:
        group_col = CELL_COLUMNS[group] if group else None
        fields = ["day", group_col] if group_col else ["day"]
        rows = (
            SalesCell.objects.filter(_cell_filter(filters, query.merchant_ids))
            .filter(day__gte=period.start, day__lte=period.end)
            .order_by()
            .values(*fields)
            .annotate(**sums)
        )
        for row in rows:
            add((row["day"], _key(row[group_col]) if group_col else ""), row)
        return out
    base = Q(dim=dim)
    if filters.marketplace_id is not None:
        base &= Q(marketplace_id=filters.marketplace_id)
    for name, value in set_filters(filters).items():
        if name in FILTER_DIMS:
            base &= Q(dim_key=str(value))
    group_col = "marketplace_id" if group == "marketplace" else ("dim_key" if group else None)
    spans = Q()  # whole months from month rows, the edges from day rows: one read
    for whole in (True, False):
        found = _spans("period", period, by_day, whole=whole)
        if found is not None:
            spans |= Q(grain="m" if whole else "d") & found
    fields = ["period", group_col] if group_col else ["period"]
    rows = SalesRollup.objects.filter(base & spans).order_by().values(*fields).annotate(**sums)
    for row in rows:
        add((row["period"], _key(row[group_col]) if group_col else ""), row)
    return out


def _spans(at: str, period: Period, by_day: bool, *, whole: bool) -> Q | None:
    """The ``at`` ranges of ``_ranges`` that are whole months (``whole``) or days, OR'ed;
    None when there are none."""
    q = None
    for is_whole, first, last in _ranges(period, by_day):
        if is_whole == whole:
            span = Q(**{f"{at}__gte": first, f"{at}__lte": last})
            q = span if q is None else q | span
    return q


def _sales(query: SourceQuery, *, by_day: bool) -> dict[tuple[date, str], int]:
    columns = (SALES_COLUMNS[query.measure],)
    return {k: v[0] for k, v in _additive(query, columns, by_day=by_day).items()}


def _packages(query: SourceQuery, *, by_day: bool) -> dict[tuple[date, str], int]:
    if query.filters.buyer_country or query.filters.category_id is not None:
        return {}  # packages are not per buyer country or category
    return {k: v[0] for k, v in _additive(query, ("packages",), by_day=by_day).items()}


KPI_COLUMNS = {"gmv": "gmv_usd_minor", "orders": "orders", "packages": "packages"}


def _kpi_totals(period: Period, filters: Filters, scope: Scope) -> dict[str, int] | None:
    """GMV, orders and packages over the period in one read per table range (what
    ``analytics_total`` answers for each); None when packages answer 0 (a buyer country or
    category filter): then each is asked on its own."""
    if filters.buyer_country or filters.category_id is not None:
        return None
    if _empty_scope(scope):
        return dict.fromkeys(KPI_COLUMNS, 0)
    query = SourceQuery(
        measure="gmv", period=period, filters=filters, merchant_ids=scope.merchant_ids, group=None
    )
    values = _additive(query, tuple(KPI_COLUMNS.values()), by_day=False).values()
    return {m: sum(v[i] for v in values) for i, m in enumerate(KPI_COLUMNS)}


def _active_count(
    period: Period,
    filters: Filters,
    merchant_ids: frozenset[int] | None,
    group: str | None,
) -> dict[str, int]:
    """Distinct active merchants (a counted order in the period) per group key ("" when
    ungrouped): ``_active_counts`` for one period."""
    return _active_counts([period], filters, merchant_ids, group)[0]


def _active_counts(
    periods: list[Period],
    filters: Filters,
    merchant_ids: frozenset[int] | None,
    group: str | None,
) -> list[dict[str, int]]:
    """Distinct active merchants per group key ("" when ungrouped) for each period, counted
    in SQL in one statement: from SalesCell (units > 0) for a buyer-country or category
    question, else from ``MerchantActivity``: a merchant's row of a year counts for a
    period when one of the period's day bits is set (one row per merchant and year,
    whatever the period's length)."""
    group_col = CELL_COLUMNS[group] if group else None
    if not _by_merchant(filters, group):
        out = []
        for period in periods:
            cells = SalesCell.objects.filter(_cell_filter(filters, merchant_ids)).filter(
                day__gte=period.start, day__lte=period.end, units__gt=0
            )
            out.append(_distinct_merchants(cells.order_by(), group_col))
        return out
    first = min(p.start for p in periods).year
    last = max(p.end for p in periods).year
    rows = _merchant_rows(MerchantActivity, filters, merchant_ids, group).filter(
        year__gte=first, year__lte=last
    )
    counts = {
        f"n{i}": Count("merchant_id", distinct=True, filter=_active_in(period))
        for i, period in enumerate(periods)
    }
    found = rows.values(group_col).annotate(**counts) if group_col else [rows.aggregate(**counts)]
    out = [{} for _period in periods]
    for row in found:
        key = _key(row[group_col]) if group_col else ""
        for i in range(len(periods)):
            if row[f"n{i}"]:
                out[i][key] = int(row[f"n{i}"])
    return out


def _active_in(period: Period) -> Q:
    """``MerchantActivity`` rows with an active day in ``period``: per year the period
    touches, a bit of the period's days set in one of the words (a bitwise AND)."""
    q = Q()
    for year in range(period.start.year, period.end.year + 1):
        first = max(period.start, date(year, 1, 1))
        last = min(period.end, date(year, 12, 31))
        any_day = Q()
        masks = span_masks(first.timetuple().tm_yday - 1, last.timetuple().tm_yday - 1)
        for word, mask in masks.items():
            any_day |= Q(GreaterThan(F(f"w{word}").bitand(mask), 0))
        q |= Q(year=year) & any_day
    return q


def _distinct_merchants(rows: QuerySet[Any], group_col: str | None) -> dict[str, int]:
    if group_col is None:
        n = rows.aggregate(n=Count("merchant_id", distinct=True))["n"] or 0
        return {"": int(n)} if n else {}
    return {
        _key(row[group_col]): int(row["n"])
        for row in rows.values(group_col).annotate(n=Count("merchant_id", distinct=True))
    }


def _active_series(
    period: Period, filters: Filters, merchant_ids: frozenset[int] | None, grain: str
) -> dict[date, int]:
    """Distinct active merchants per bucket, counted over the bucket's days inside the
    period: by day in one grouped COUNT DISTINCT (MerchantDay, or SalesCell); by week or
    month one count per bucket (a month from MerchantMonth when whole, from MerchantDay at
    the edges)."""
    if grain == "day":
        if _by_merchant(filters, None):
            rows = _merchant_rows(MerchantDay, filters, merchant_ids, None).filter(
                day__gte=period.start, day__lte=period.end, orders__gt=0
            )
        else:
            rows = (
                SalesCell.objects.filter(_cell_filter(filters, merchant_ids))
                .filter(day__gte=period.start, day__lte=period.end, units__gt=0)
                .order_by()
            )
        return {
            row["day"]: int(row["n"])
            for row in rows.values("day").annotate(n=Count("merchant_id", distinct=True))
        }
    parts = []
    for first in buckets(period, grain):
        if grain == "week":
            last = first + timedelta(days=6)
        else:
            last = Period.month(first.year, first.month).end
        parts.append(Period(max(first, period.start), min(last, period.end)))
    counts = _active_counts(parts, filters, merchant_ids, None)
    return {
        bucket: found.get("", 0)
        for bucket, found in zip(buckets(period, grain), counts, strict=True)
    }


# answering --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Question:
    measure: str
    period: Period
    filters: Filters
    scope: Scope


def _source_values(
    q: _Question, group: str | None, *, by_day: bool
) -> dict[tuple[date, str], int] | None:
    """The additive measures' values per (day, key); None for active merchants."""
    measure = q.measure
    if measure == "active_merchants":
        return None
    query = SourceQuery(
        measure=measure,
        period=q.period,
        filters=q.filters,
        merchant_ids=q.scope.merchant_ids,
        group=group,
    )
    if measure in SALES_MEASURES:
        return _sales(query, by_day=by_day)
    if measure == "packages":
        if group is not None and group not in PACKAGE_DIMS:
            raise DimensionNotAvailable(
                f"packages by {group}", measure=str(measure), dimension=str(group)
            )
        return _packages(query, by_day=by_day)
    source = _SOURCES.get(measure)
    if source is None:
        return {}  # its feed is not installed: nothing recorded
    if group is not None and group not in source.dimensions:
        raise DimensionNotAvailable(
            f"{measure} by {group}", measure=str(measure), dimension=str(group)
        )
    if q.scope.merchant_ids is not None and not source.per_merchant:
        return {}
    if any(name not in source.filters for name in set_filters(q.filters)):
        return {}
    return dict(source.fetch(query))


def _empty_scope(scope: Scope) -> bool:
    return scope.merchant_ids is not None and not scope.merchant_ids


def analytics_total(*, measure: str, period: Period, filters: Filters, scope: Scope) -> int:
    """The measure over the period (active merchants: distinct merchants)."""
    _check_measure(measure)
    _check_period(period)
    q = _Question(measure, period, filters, scope)
    if _empty_scope(scope):
        return 0
    values = _source_values(q, None, by_day=False)
    if values is None:
        return _active_count(period, filters, scope.merchant_ids, None).get("", 0)
    return sum(values.values())


def analytics_series(
    *, measure: str, period: Period, filters: Filters, scope: Scope, grain: str = "day"
) -> list[Point]:
    """One point per bucket (day, ISO week from Monday, month) of the period, zeros
    included; a bucket's day is its first day (the first may start before the period, its
    value counts the period's days only)."""
    _check_measure(measure)
    _check_period(period)
    _check_grain(grain)
    totals = dict.fromkeys(buckets(period, grain), 0)
    if _empty_scope(scope):
        return [Point(day, 0) for day in totals]
    q = _Question(measure, period, filters, scope)
    values = _source_values(q, None, by_day=grain != "month")
    if values is None:
        for day, n in _active_series(period, filters, scope.merchant_ids, grain).items():
            totals[day] = n
    else:
        for (day, _), value in values.items():
            bucket = bucket_of(day, grain)
            totals[bucket] = totals.get(bucket, 0) + value
    return [Point(day, value) for day, value in totals.items()]


def analytics_breakdown(
    *,
    measure: str,
    dimension: str,
    period: Period,
    filters: Filters,
    scope: Scope,
    top: int | None = 10,
) -> Breakdown:
    """The measure per value of ``dimension``, largest first (ties by key), ranked from 1,
    with each row's share of the total; ``top`` rows at most, the rest summed in
    ``others``. Values of 0 are left out. The total is the measure over the whole
    question (for active merchants the distinct count, so shares may add up to more than
    1 where a merchant sells in several groups, such as marketplaces)."""
    _check_measure(measure)
    _check_dimension(dimension)
    _check_period(period)
    if top is not None and not 1 <= top <= 1000:
        raise BadTop(f"top {top}")
    if _empty_scope(scope):
        return Breakdown(dimension=dimension, measure=measure, rows=[], total=0, others=0)
    q = _Question(measure, period, filters, scope)
    values = _source_values(q, dimension, by_day=False)
    per_key: dict[str, int] = {}
    if values is None:
        per_key = _active_count(period, filters, scope.merchant_ids, dimension)
        total = _active_count(period, filters, scope.merchant_ids, None).get("", 0)
    else:
        for (_day, key), value in values.items():
            per_key[key] = per_key.get(key, 0) + value
        total = sum(per_key.values())
    ordered = sorted(
        ((key, value) for key, value in per_key.items() if value), key=lambda kv: (-kv[1], kv[0])
    )
    shown = ordered if top is None else ordered[:top]
    others = sum(value for _key_, value in ordered[len(shown) :])
    names = labels(dimension, [key for key, _value in shown], measure=measure)
    rows = [
        Row(key=key, label=names.get(key, key), value=value, share=_share(value, total), rank=i)
        for i, (key, value) in enumerate(shown, start=1)
    ]
    return Breakdown(dimension=dimension, measure=measure, rows=rows, total=total, others=others)


def analytics_growth(
    *,
    measure: str,
    period: Period,
    filters: Filters,
    scope: Scope,
    against: Period | None = None,
) -> Growth:
    """The measure over the period against ``against`` (the same number of days just
    before, when None): change = (current - previous) / previous, None when previous is 0."""
    base = against or period.previous()
    _check_period(base)
    current = analytics_total(measure=measure, period=period, filters=filters, scope=scope)
    previous = analytics_total(measure=measure, period=base, filters=filters, scope=scope)
    return Growth(current=current, previous=previous, change=_change(current, previous))


def analytics_kpis(*, period: Period, filters: Filters, scope: Scope) -> list[Kpi]:
    """The dashboard's tiles: GMV, orders, packages, active merchants, deals and
    certificates over the period, each against the previous period of the same length."""
    _check_period(period)
    base = period.previous()
    _check_period(base)
    now, before = _kpi_totals(period, filters, scope), _kpi_totals(base, filters, scope)
    if now is not None and before is not None:  # active merchants: both periods at once
        active = [0, 0]
        if not _empty_scope(scope):
            found = _active_counts([period, base], filters, scope.merchant_ids, None)
            active = [found[0].get("", 0), found[1].get("", 0)]
        now["active_merchants"], before["active_merchants"] = active
    out = []
    for measure in KPI_MEASURES:
        if now is not None and before is not None and measure in now:
            current, previous = now[measure], before[measure]
            out.append(Kpi(measure, current, previous, _change(current, previous)))
            continue
        growth = analytics_growth(measure=measure, period=period, filters=filters, scope=scope)
        out.append(Kpi(measure, growth.current, growth.previous, growth.change))
    return out


def analytics_regions(*, period: Period, filters: Filters, scope: Scope) -> list[RegionFigure]:
    """The 20 Italian regions (zeros included), in the reference order: the merchants there
    (in the scope), those active in the period, and their GMV."""
    _check_period(period)
    counts = merchant_selectors.merchants_per_region(
        merchant_ids=scope.merchant_ids if scope.merchant_ids is not None else None
    )
    if _empty_scope(scope):
        active: dict[str, int] = {}
        gmv: dict[str, int] = {}
    else:
        active = _active_count(period, filters, scope.merchant_ids, "region")
        values = _source_values(_Question("gmv", period, filters, scope), "region", by_day=False)
        gmv = {}
        for (_day, key), value in (values or {}).items():
            gmv[key] = gmv.get(key, 0) + value
    return [
        RegionFigure(
            code=region.code,
            name=merchant_selectors.region_name(region.code),
            merchants=counts.get(region.code, 0),
            active_merchants=active.get(region.code, 0),
            gmv=gmv.get(region.code, 0),
        )
        for region in italian_regions()
    ]


# labels -----------------------------------------------------------------------------------


def _localized(info: object, fallback: str) -> str:
    suffix = language_suffix()
    for name in (f"name_{suffix}", "name_en", "name"):
        value = getattr(info, name, "")
        if value:
            return str(value)
    return fallback


def labels(dimension: str, keys: list[str], *, measure: str = "") -> dict[str, str]:
    """Names of the keys of ``dimension`` in the active language."""
    if not keys:
        return {}
    source = _SOURCES.get(measure)
    if source is not None and source.labels is not None and dimension not in CELL_COLUMNS:
        return source.labels(dimension, keys)
    ids = [int(k) for k in keys if k.lstrip("-").isdigit()]
    if dimension in ("merchant_country", "buyer_country"):
        return {k: country_name(k) if k else gettext("Unknown") for k in keys}
    if dimension == "region":
        return {k: merchant_selectors.region_name(k) if k else gettext("No region") for k in keys}
    if dimension == "category":
        by_id = {c.id: c for c in catalog_selectors.category_list()}
        return {
            k: _localized(by_id[int(k)], k)
            if k.isdigit() and int(k) in by_id
            else gettext("No category")
            for k in keys
        }
    if dimension == "marketplace":
        markets = marketplace_selectors.marketplace_infos_by_id(marketplace_ids=ids)
        return {
            k: _localized(markets[int(k)], k) for k in keys if k.isdigit() and int(k) in markets
        }
    if dimension == "merchant":
        merchants = merchant_selectors.merchant_summaries(merchant_ids=ids)
        return {
            k: merchants[int(k)].display_name for k in keys if k.isdigit() and int(k) in merchants
        }
    if source is not None and source.labels is not None:
        return source.labels(dimension, keys)
    return {k: k for k in keys}


# scope ------------------------------------------------------------------------------------


def analytics_scope(
    *,
    actor_id: int | None,
    actor_role: str,
    merchant_id: int | None = None,
    partner_id: int | None = None,
    pavilion_id: int | None = None,
) -> Scope:
    """What ``actor`` may see: operators (and the system) anything, all when no id is
    given; merchant staff a merchant they staff (the first, by id, when none is given);
    partner staff their own partner's merchants (live leads), a pavilion their partner owns
    or one of their partner's merchants; anyone else is refused (403). An unknown merchant,
    partner or pavilion is 404."""
    if actor_role in (OPERATOR, SYSTEM):
        if merchant_id is not None:
            return _merchant_scope(merchant_id)
        if pavilion_id is not None:
            return _pavilion_scope(pavilion_id)
        if partner_id is not None:
            return _partner_scope(partner_id, actor_id=actor_id, actor_role=actor_role)
        return Scope(kind="all", merchant_ids=None, label=gettext("All merchants"))
    if actor_id is None or actor_role not in (MERCHANT, PARTNER):
        raise AnalyticsForbidden(f"the role {actor_role!r} sees no analytics")
    if actor_role == MERCHANT:
        if partner_id is not None or pavilion_id is not None:
            raise NotYourMerchant("merchant staff see their own merchant only")
        staffed = merchant_selectors.merchant_ids_for_user(user_id=actor_id)
        chosen = merchant_id if merchant_id is not None else (staffed[0] if staffed else None)
        if chosen is None or chosen not in staffed:
            raise NotYourMerchant(f"user {actor_id} is not staff of merchant {chosen}")
        return _merchant_scope(chosen)
    own = partner_selectors.partner_id_for_user(user_id=actor_id)
    if own is None or (partner_id is not None and partner_id != own):
        raise NotYourPartner(f"user {actor_id} works for partner {own}, not {partner_id}")
    if pavilion_id is not None:
        if trade_selectors.pavilion_get_by_id(pavilion_id=pavilion_id).partner_id != own:
            raise NotYourPartner(f"pavilion {pavilion_id} is not partner {own}'s")
        return _pavilion_scope(pavilion_id)
    scope = _partner_scope(own, actor_id=actor_id, actor_role=actor_role)
    if merchant_id is not None:
        if scope.merchant_ids is None or merchant_id not in scope.merchant_ids:
            raise NotYourPartner(f"merchant {merchant_id} is not partner {own}'s")
        return _merchant_scope(merchant_id)
    return scope


def _merchant_scope(merchant_id: int) -> Scope:
    found = merchant_selectors.merchant_summaries(merchant_ids=[merchant_id]).get(merchant_id)
    if found is None:
        raise NotFound(f"no merchant {merchant_id}")
    return Scope(kind="merchant", merchant_ids=frozenset({merchant_id}), label=found.display_name)


def _partner_scope(partner_id: int, *, actor_id: int | None, actor_role: str) -> Scope:
    info = partner_selectors.partner_get(
        partner_id=partner_id, actor_id=actor_id, actor_role=actor_role
    )
    merchants = partner_selectors.partner_merchants(
        partner_id=partner_id, actor_id=actor_id, actor_role=actor_role
    )
    return Scope(
        kind="partner",
        merchant_ids=frozenset(m.merchant_id for m in merchants),
        label=info.name,
    )


def _pavilion_scope(pavilion_id: int) -> Scope:
    pavilion = trade_selectors.pavilion_get_by_id(pavilion_id=pavilion_id)
    admitted = trade_selectors.pavilion_admitted(pavilion_id=pavilion_id)
    return Scope(
        kind="pavilion",
        merchant_ids=frozenset(admitted),
        label=_localized(pavilion, pavilion.slug),
    )
