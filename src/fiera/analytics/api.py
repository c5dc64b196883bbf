"""The analytics API under /api/v1/analytics (decision 0028): KPIs, a time series, a
breakdown (ranking with shares) and the 20 Italian regions, each ONE call into
``fiera.analytics.questions``. Role-aware: operators see everything (or name a merchant,
partner or pavilion), merchant staff their own merchant, partner staff their partner's
merchants or a pavilion it runs; buyers and learners 403, anonymous 401; another merchant's
or partner's figures 403. Money in US cents (``*_usd_minor`` / ``money: true``); shares and
changes as decimal strings. ``reports/{kind}`` downloads a festival's, a month's, a
pavilion's or a partner's report as a file (``report_downloads.report_file``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from fiera.analytics import questions, report_downloads
from fiera.analytics.query import (
    MONEY_MEASURES,
    Breakdown,
    Dimension,
    Filters,
    Grain,
    Kpi,
    Measure,
    Period,
    Point,
    RegionFigure,
)
from fiera.analytics.report_downloads import ReportLanguage
from fiera.analytics.report_formats import CONTENT_TYPES, Format
from fiera.analytics.reports import ReportKind
from fiera.common.schemas import MAX_ID, ErrorOut

router = Router(tags=["analytics"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
COUNTRY = r"^[A-Z]{2}$"
REGION = r"^IT-[0-9]{2}$"


class AskIn(Schema):
    """Whose figures, over which days, filtered how. A period longer than 3 years, or one
    that ends before it starts, answers 422 ``analytics_bad_period``."""

    date_from: date | None = Field(
        None, alias="from", ge=FIRST_DAY, le=LAST_DAY, description="first UTC day (inclusive)"
    )
    date_to: date | None = Field(
        None,
        alias="to",
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="last UTC day (inclusive); default today, and 30 days back without from",
    )
    marketplace: int | None = Field(None, ge=1, le=MAX_ID, description="marketplace id")
    merchant_country: str | None = Field(None, pattern=COUNTRY, description="ISO 3166-1")
    buyer_country: str | None = Field(None, pattern=COUNTRY, description="ISO 3166-1")
    region: str | None = Field(None, pattern=REGION, description="ISO 3166-2:IT, e.g. IT-25")
    category: int | None = Field(None, ge=0, le=MAX_ID, description="category id (0: none)")
    merchant: int | None = Field(None, ge=1, le=MAX_ID, description="a merchant's figures")
    partner: int | None = Field(None, ge=1, le=MAX_ID, description="a partner's merchants")
    pavilion: int | None = Field(None, ge=1, le=MAX_ID, description="a pavilion's companies")

    def ask(self) -> questions.Ask:
        return questions.Ask(
            today=timezone.now().date(),
            start=self.date_from,
            end=self.date_to,
            filters=Filters(
                marketplace_id=self.marketplace,
                merchant_country=self.merchant_country or "",
                buyer_country=self.buyer_country or "",
                region=self.region or "",
                category_id=self.category,
            ),
            merchant_id=self.merchant,
            partner_id=self.partner,
            pavilion_id=self.pavilion,
        )


class SeriesIn(AskIn):
    measure: Measure = "gmv"
    grain: Grain = "day"


class BreakdownIn(AskIn):
    measure: Measure = "gmv"
    dimension: Dimension = "merchant_country"
    top: int = Field(10, ge=1, le=1000, description="rows; the rest is summed in others")


class AnalyticsPeriodOut(Schema):
    start: date
    end: date

    @classmethod
    def of(cls, p: Period) -> AnalyticsPeriodOut:
        return cls(start=p.start, end=p.end)


class AnalyticsScopeOut(Schema):
    kind: str = Field(description="all, merchant, partner or pavilion")
    label: str


class AnalyticsKpiOut(Schema):
    measure: str
    money: bool = Field(description="true: US cents")
    value: int
    previous: int = Field(description="the same number of days just before")
    change: str | None = Field(description="(value - previous) / previous; null when 0")

    @classmethod
    def of(cls, k: Kpi) -> AnalyticsKpiOut:
        return cls(
            measure=k.measure,
            money=k.measure in MONEY_MEASURES,
            value=k.value,
            previous=k.previous,
            change=None if k.change is None else str(k.change),
        )


class AnalyticsKpisOut(Schema):
    period: AnalyticsPeriodOut
    previous: AnalyticsPeriodOut
    scope: AnalyticsScopeOut
    kpis: list[AnalyticsKpiOut]


class AnalyticsPointOut(Schema):
    day: date = Field(description="the bucket's first day")
    value: int


class AnalyticsSeriesOut(Schema):
    period: AnalyticsPeriodOut
    scope: AnalyticsScopeOut
    measure: str
    money: bool
    grain: str
    points: list[AnalyticsPointOut]


class AnalyticsRowOut(Schema):
    rank: int
    key: str
    label: str
    value: int
    share: str = Field(description="of the total, 0..1")


class AnalyticsBreakdownOut(Schema):
    period: AnalyticsPeriodOut
    scope: AnalyticsScopeOut
    measure: str
    money: bool
    dimension: str
    total: int
    others: int = Field(description="the part of the total not in rows")
    rows: list[AnalyticsRowOut]


class AnalyticsRegionOut(Schema):
    code: str
    name: str
    merchants: int
    active_merchants: int
    gmv_usd_minor: int


class AnalyticsRegionsOut(Schema):
    period: AnalyticsPeriodOut
    scope: AnalyticsScopeOut
    regions: list[AnalyticsRegionOut]


def _actor(request: HttpRequest) -> tuple[int, str]:
    user = request.auth  # type: ignore[attr-defined]
    return int(user.pk), str(user.role)


def _scope(answer: questions.Answer[Any]) -> AnalyticsScopeOut:
    return AnalyticsScopeOut(kind=answer.scope.kind, label=answer.scope.label)


@router.get("/analytics/kpis", response={200: AnalyticsKpisOut, **ERRORS})
def analytics_kpis(request: HttpRequest, params: Query[AskIn]) -> AnalyticsKpisOut:
    """GMV, orders, packages shipped, active merchants, deals and certificates over the
    period, each against the same number of days just before."""
    actor_id, role = _actor(request)
    answer = questions.kpis_asked(ask=params.ask(), actor_id=actor_id, actor_role=role)
    return AnalyticsKpisOut(
        period=AnalyticsPeriodOut.of(answer.period),
        previous=AnalyticsPeriodOut.of(answer.period.previous()),
        scope=_scope(answer),
        kpis=[AnalyticsKpiOut.of(k) for k in answer.value],
    )


@router.get("/analytics/series", response={200: AnalyticsSeriesOut, **ERRORS})
def analytics_series(request: HttpRequest, params: Query[SeriesIn]) -> AnalyticsSeriesOut:
    """A measure per day, ISO week or month over the period, zeros included."""
    actor_id, role = _actor(request)
    answer = questions.series_asked(
        ask=params.ask(),
        measure=params.measure,
        grain=params.grain,
        actor_id=actor_id,
        actor_role=role,
    )
    points: list[Point] = answer.value
    return AnalyticsSeriesOut(
        period=AnalyticsPeriodOut.of(answer.period),
        scope=_scope(answer),
        measure=params.measure,
        money=params.measure in MONEY_MEASURES,
        grain=params.grain,
        points=[AnalyticsPointOut(day=p.day, value=p.value) for p in points],
    )


@router.get("/analytics/breakdown", response={200: AnalyticsBreakdownOut, **ERRORS})
def analytics_breakdown(request: HttpRequest, params: Query[BreakdownIn]) -> AnalyticsBreakdownOut:
    """A measure by a dimension, highest first: the top rows with their shares of the
    total, the rest summed in ``others``."""
    actor_id, role = _actor(request)
    answer = questions.breakdown_asked(
        ask=params.ask(),
        measure=params.measure,
        dimension=params.dimension,
        top=params.top,
        actor_id=actor_id,
        actor_role=role,
    )
    found: Breakdown = answer.value
    return AnalyticsBreakdownOut(
        period=AnalyticsPeriodOut.of(answer.period),
        scope=_scope(answer),
        measure=found.measure,
        money=found.measure in MONEY_MEASURES,
        dimension=found.dimension,
        total=found.total,
        others=found.others,
        rows=[
            AnalyticsRowOut(
                rank=r.rank, key=r.key, label=r.label, value=r.value, share=str(r.share)
            )
            for r in found.rows
        ],
    )


@router.get("/analytics/regions", response={200: AnalyticsRegionsOut, **ERRORS})
def analytics_regions(request: HttpRequest, params: Query[AskIn]) -> AnalyticsRegionsOut:
    """The 20 Italian regions (zeros included): merchants, active merchants, GMV."""
    actor_id, role = _actor(request)
    answer = questions.regions_asked(ask=params.ask(), actor_id=actor_id, actor_role=role)
    regions: list[RegionFigure] = answer.value
    return AnalyticsRegionsOut(
        period=AnalyticsPeriodOut.of(answer.period),
        scope=_scope(answer),
        regions=[
            AnalyticsRegionOut(
                code=r.code,
                name=r.name,
                merchants=r.merchants,
                active_merchants=r.active_merchants,
                gmv_usd_minor=r.gmv,
            )
            for r in regions
        ],
    )


# --- reports ---------------------------------------------------------------------------------

REPORT_RESPONSE = {
    200: {
        "description": "The report as a file in the format asked (Content-Disposition names it)",
        "content": {
            content_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
            for content_type in CONTENT_TYPES.values()
        },
    }
}


class AnalyticsReportIn(Schema):
    key: str = Field(
        min_length=1,
        max_length=report_downloads.KEY_MAX,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="the festival's, pavilion's or partner's slug; for month, the month: 2026-11",
    )
    start: date | None = Field(
        None,
        ge=report_downloads.FIRST_DAY,
        le=report_downloads.LAST_DAY,
        description="pavilion, partner: first UTC day (default: since it began)",
    )
    end: date | None = Field(
        None,
        ge=report_downloads.FIRST_DAY,
        le=report_downloads.LAST_DAY,
        description="pavilion, partner: last UTC day (default: today)",
    )
    country: str = Field(
        "IT", pattern=COUNTRY, description="festival: the country its headline ranks (ISO 3166-1)"
    )
    language: ReportLanguage | None = Field(None, description="default: the reader's")
    fmt: Format = Field(report_downloads.DEFAULT_FORMAT, alias="format")

    def ask(self, kind: str) -> report_downloads.ReportAsk:
        return report_downloads.ReportAsk(
            kind=kind,
            key=self.key,
            language=self.language or report_downloads.reader_language(),
            fmt=self.fmt,
            country=self.country,
            start=self.start,
            end=self.end,
        )


@router.get(
    "/analytics/reports/{kind}",
    response={**ERRORS, 503: ErrorOut},
    openapi_extra={"responses": REPORT_RESPONSE},
)
def analytics_report(
    request: HttpRequest, kind: ReportKind, params: Query[AnalyticsReportIn]
) -> HttpResponse:
    """A report as a file (Markdown, CSV, XLSX, HTML or PDF), as ``fiera report`` writes it:
    ``festival`` (operators), ``month`` (the figures the reader sees: all of Fiera, a
    merchant's store, a partner's merchants), ``pavilion`` (operators and the partner that
    runs it), ``partner`` (operators and its staff). Another role 403 ``report_forbidden``
    (buyers and learners ``analytics_forbidden``), another partner's pavilion 403, an
    unknown festival, pavilion or partner (or another partner) 404, a month not begun or a
    period ending before it starts 422 ``report_bad_period``, a PDF where WeasyPrint is
    missing 503 ``report_pdf_unavailable``."""
    actor_id, role = _actor(request)
    found = report_downloads.report_file(
        ask=params.ask(kind), actor_id=actor_id, actor_role=role, now=timezone.now()
    )
    answer = HttpResponse(found.data, content_type=found.content_type)
    answer["Content-Disposition"] = found.disposition
    answer["Content-Language"] = found.language
    return answer
