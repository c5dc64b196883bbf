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
one dimension filter or grouping besides the marketplace reads ``SalesRollup``: whole
months from its month rows, the partial edge months from its day rows; any other question
(a scoped one, two dimensions, a merchant grouping) is a GROUP BY over ``SalesCell``, never
over the orders. Active merchants (a distinct count) read ``MerchantMonth`` for whole months
and ``MerchantDay`` for the edges, or ``SalesCell`` when a buyer country or category
filter/grouping asks for it. Packages read ``PackageDay``.

Shares, changes: Decimal, exact to 6 places (half-even), never float.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, get_args

from django.utils.translation import gettext_lazy as _

from fiera.common.errors import InvalidInput, PermissionDenied

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


# the questions ----------------------------------------------------------------------------


def analytics_scope(
    *,
    actor_id: int | None,
    actor_role: str,
    merchant_id: int | None = None,
    partner_id: int | None = None,
    pavilion_id: int | None = None,
) -> Scope:
    """What ``actor`` may see: operators anything (all when no id is given); merchant staff
    a merchant they staff (the first when none is given); partner staff their partner's
    merchants or a pavilion their partner owns; anyone else is refused."""
    raise NotImplementedError


def analytics_total(*, measure: str, period: Period, filters: Filters, scope: Scope) -> int:
    raise NotImplementedError


def analytics_series(
    *, measure: str, period: Period, filters: Filters, scope: Scope, grain: str = "day"
) -> list[Point]:
    """One point per bucket (day, ISO week from Monday, month) of the period, zeros
    included; a bucket's day is its first day (the first may start before the period)."""
    raise NotImplementedError


def analytics_breakdown(
    *,
    measure: str,
    dimension: str,
    period: Period,
    filters: Filters,
    scope: Scope,
    top: int | None = 10,
) -> Breakdown:
    raise NotImplementedError


def analytics_growth(
    *,
    measure: str,
    period: Period,
    filters: Filters,
    scope: Scope,
    against: Period | None = None,
) -> Growth:
    raise NotImplementedError


def analytics_kpis(*, period: Period, filters: Filters, scope: Scope) -> list[Kpi]:
    raise NotImplementedError


def analytics_regions(*, period: Period, filters: Filters, scope: Scope) -> list[RegionFigure]:
    raise NotImplementedError
