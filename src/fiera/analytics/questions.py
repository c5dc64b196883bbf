"""An analytics question as a person asks it (the API, decision 0028): who asks, whose
figures (a merchant, a partner, a pavilion, or none: what the role allows), the period and
the filters. Each function is ONE call for an API operation: it resolves the scope the
actor may see (``analytics_scope``: buyers and learners 403, another merchant's or partner's
figures 403) and answers from the query layer. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Generic, TypeVar

from fiera.analytics import query
from fiera.analytics.query import Breakdown, Filters, Kpi, Period, Point, RegionFigure, Scope

DEFAULT_DAYS = 30
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Ask:
    """The period (``start``/``end`` inclusive UTC days; missing: the last 30 days to
    ``today``), the filters, and whose figures (ids the actor must be allowed)."""

    today: date
    start: date | None = None
    end: date | None = None
    filters: Filters = field(default_factory=Filters)
    merchant_id: int | None = None
    partner_id: int | None = None
    pavilion_id: int | None = None

    def period(self) -> Period:
        end = self.end or (
            self.start + timedelta(days=DEFAULT_DAYS - 1) if self.start else self.today
        )
        start = self.start or end - timedelta(days=DEFAULT_DAYS - 1)
        return Period(start, end)


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    period: Period
    scope: Scope
    value: T


def _scope(ask: Ask, actor_id: int | None, actor_role: str) -> Scope:
    return query.analytics_scope(
        actor_id=actor_id,
        actor_role=actor_role,
        merchant_id=ask.merchant_id,
        partner_id=ask.partner_id,
        pavilion_id=ask.pavilion_id,
    )


def kpis_asked(*, ask: Ask, actor_id: int | None, actor_role: str) -> Answer[list[Kpi]]:
    """The KPI tiles (against the period just before)."""
    scope, period = _scope(ask, actor_id, actor_role), ask.period()
    return Answer(
        period, scope, query.analytics_kpis(period=period, filters=ask.filters, scope=scope)
    )


def series_asked(
    *, ask: Ask, measure: str, grain: str, actor_id: int | None, actor_role: str
) -> Answer[list[Point]]:
    scope, period = _scope(ask, actor_id, actor_role), ask.period()
    points = query.analytics_series(
        measure=measure, period=period, filters=ask.filters, scope=scope, grain=grain
    )
    return Answer(period, scope, points)


def breakdown_asked(
    *,
    ask: Ask,
    measure: str,
    dimension: str,
    top: int | None,
    actor_id: int | None,
    actor_role: str,
) -> Answer[Breakdown]:
    scope, period = _scope(ask, actor_id, actor_role), ask.period()
    found = query.analytics_breakdown(
        measure=measure,
        dimension=dimension,
        period=period,
        filters=ask.filters,
        scope=scope,
        top=top,
    )
    return Answer(period, scope, found)


def regions_asked(*, ask: Ask, actor_id: int | None, actor_role: str) -> Answer[list[RegionFigure]]:
    scope, period = _scope(ask, actor_id, actor_role), ask.period()
    return Answer(
        period, scope, query.analytics_regions(period=period, filters=ask.filters, scope=scope)
    )
