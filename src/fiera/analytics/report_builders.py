"""The four reports of ``fiera report`` (decision 0028), filled from the selectors:

- ``festival``: the festival's own figures (``festivals.selectors.festival_report_figures``:
  the GMV tallies' rollups), so the report says exactly what the live dashboard said;
- ``month``: a calendar month of the analytics (``fiera.analytics.query``): KPIs against
  the month before, GMV, orders and packages per day, merchant and buyer countries,
  marketplaces, regions, categories;
- ``pavilion``: the pavilion's live figures (``trade.selectors.pavilion_stats``: admitted
  companies, deals and their value since each admission, buyer countries) and the
  analytics of its admitted companies (scope "pavilion");
- ``partner``: the partner's pipeline and merchants (``partners.selectors``) and the
  analytics of its merchants (scope "partner").

Who may have which report is decided here and nowhere else: ``report_build`` first checks
the role against ``REPORT_ROLES`` (``report_kinds``: what the reports page offers), then each
builder authorizes like the selectors it reads (which festival, pavilion or partner; the CLI
acts as ``SYSTEM``). Each works in ``language`` and returns a ``reports.Report``; nothing
here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from babel.dates import format_date
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fiera.accounts.roles import MERCHANT, OPERATOR, PARTNER, SYSTEM
from fiera.analytics import query
from fiera.analytics.query import AnalyticsForbidden, Breakdown, Filters, Period, Scope
from fiera.analytics.reports import (
    REPORT_KINDS,
    Cell,
    Chart,
    Column,
    Report,
    ReportKind,
    Section,
    Table,
    festival_headlines,
    month_headlines,
    partner_headlines,
    pavilion_headlines,
)
from fiera.common.errors import InvalidInput, PermissionDenied
from fiera.common.money import Money
from fiera.common.reference import babel_locale, country_name, language_suffix
from fiera.festivals import selectors as festival_selectors
from fiera.marketplaces import selectors as marketplace_selectors
from fiera.partners import selectors as partner_selectors
from fiera.trade import selectors as trade_selectors

USD = "USD"
TOP = 20  # rows of a ranking in a report ("others" gathers the rest)
CHART_ROWS = 10


class ReportBadPeriod(InvalidInput):
    code = "report_bad_period"
    message_template = gettext_lazy("Choose a period that ends on or after its start.")


BAD_MONTH = gettext_lazy("%(month)s is not a month: write it as year-month, for example 2026-11.")
FUTURE_MONTH = gettext_lazy("%(month)s has not begun yet: choose this month or an earlier one.")


class ReportForbidden(PermissionDenied):
    code = "report_forbidden"
    message_template = gettext_lazy("This report is not available to your account.")


# Which roles may ask for each report; the builders' selectors then check which festival,
# pavilion or partner (another partner's pavilion 403, another partner 404).
REPORT_ROLES: dict[str, frozenset[str]] = {
    "festival": frozenset({OPERATOR, SYSTEM}),  # the festival tallies are the operators'
    "month": frozenset({OPERATOR, SYSTEM, MERCHANT, PARTNER}),  # the figures they may see
    "pavilion": frozenset({OPERATOR, SYSTEM, PARTNER}),  # the partner that runs it
    "partner": frozenset({OPERATOR, SYSTEM, PARTNER}),  # its own staff
}


def report_kinds(*, actor_role: str) -> tuple[ReportKind, ...]:
    """The reports ``actor_role`` may ask for; none (buyers, learners): 403
    ``analytics_forbidden``. A merchant's month report is its own store's, a partner's its
    merchants' (``query.analytics_scope``)."""
    kinds = tuple(kind for kind in REPORT_KINDS if actor_role in REPORT_ROLES[kind])
    if not kinds:
        raise AnalyticsForbidden(f"the role {actor_role!r} has no reports")
    return kinds


def report_check(*, kind: str, actor_role: str) -> None:
    """403 before any lookup when the role may not have this kind of report (so a refused
    caller learns nothing about which slugs exist)."""
    if kind not in REPORT_ROLES:
        raise ValueError(f"unknown report {kind!r}; one of {', '.join(REPORT_KINDS)}")
    if actor_role not in REPORT_ROLES[kind]:
        report_kinds(actor_role=actor_role)  # buyers and learners: analytics_forbidden
        raise ReportForbidden(f"the role {actor_role!r} may not have the {kind} report")


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else Decimal(0)


def _day(moment: datetime) -> date:
    return moment.date()


def _clip(period: Period) -> Period:
    """At most the analytics' longest question (3 years), ending where it ends."""
    if period.days() > query.MAX_DAYS:
        return Period(period.end - timedelta(days=query.MAX_DAYS - 1), period.end)
    return period


def _ranking_section(
    title: str, key_title: str, breakdown: Breakdown, *, money: bool = True
) -> Section:
    """Rank | name | value | share, with an "Others" row when the top cut some off; a bar
    chart of the first rows."""
    value_column = (
        Column(pgettext("report", "GMV"), "money", USD)
        if money
        else Column(pgettext("report", "Value"), "count")
    )
    rows: list[tuple[Cell, ...]] = [
        (row.rank, row.label or row.key, row.value, row.share) for row in breakdown.rows
    ]
    if breakdown.others:
        rows.append(
            (
                None,
                pgettext("report", "Others"),
                breakdown.others,
                _share(breakdown.others, breakdown.total),
            )
        )
    shown = breakdown.rows[:CHART_ROWS]
    return Section(
        title=title,
        table=Table(
            columns=(
                Column(_("Rank"), "count"),
                Column(key_title),
                value_column,
                Column(pgettext("report", "Share"), "share"),
            ),
            rows=tuple(rows),
        ),
        chart=Chart(
            "bar",
            tuple(r.label or r.key for r in shown),
            tuple(r.value for r in shown),
            "money" if money else "count",
            USD if money else "",
        )
        if shown
        else None,
    )


def _marketplace_names(ids: Sequence[int]) -> dict[int, str]:
    infos = marketplace_selectors.marketplace_infos_by_id(marketplace_ids=ids)
    suffix = language_suffix()
    out = {}
    for mid, info in infos.items():
        local = {"it": info.name_it, "zh": info.name_zh, "es": info.name_es}.get(suffix, "")
        out[mid] = local or info.name
    return out


# --- festival ---------------------------------------------------------------------------------


def report_festival(
    *, slug: str, country: str = "IT", language: str, actor_role: str, now: datetime
) -> Report:
    """A festival's report: the headline country's companies and rank (``country``, Italy by
    default), totals, growth, the country rankings, top companies, marketplaces."""
    with translation.override(language):
        fig = festival_selectors.festival_report_figures(slug=slug, actor_role=actor_role)
        totals = fig.totals
        sold = [c for c in fig.countries if c.gmv_usd_minor > 0]
        mine = next((i for i, c in enumerate(sold) if c.country == country), None)
        headlines = festival_headlines(
            country=country,
            companies=sold[mine].merchants if mine is not None else 0,
            country_gmv_usd_minor=sold[mine].gmv_usd_minor if mine is not None else 0,
            rank=mine + 1 if mine is not None else None,
            countries=len(sold),
            gmv_usd_minor=totals.gmv_usd_minor,
            orders=totals.orders,
            growth=fig.growth.growth,
            baseline=fig.growth.baseline,
        )
        summary = Section(
            title=pgettext("report", "Totals"),
            table=Table(
                columns=(
                    Column(pgettext("report", "GMV"), "money", USD),
                    Column(_("Orders"), "count"),
                    Column(pgettext("report", "Units"), "count"),
                    Column(pgettext("report", "Companies that sold"), "count"),
                    Column(pgettext("report", "Countries that sold"), "count"),
                    Column(pgettext("report", "Before"), "money", USD),
                    Column(pgettext("report", "Change"), "change"),
                ),
                rows=(
                    (
                        totals.gmv_usd_minor,
                        totals.orders,
                        totals.units,
                        totals.merchants,
                        totals.countries,
                        fig.growth.baseline_usd_minor,
                        fig.growth.growth,
                    ),
                ),
            ),
            note=_("Before: the festival's previous edition.")
            if fig.growth.baseline == "previous edition"
            else _("Before: the same length of time just before the festival."),
        )
        countries = Section(
            title=_("Merchant countries by GMV"),
            table=Table(
                columns=(
                    Column(_("Rank"), "count"),
                    Column(_("Country")),
                    Column(pgettext("report", "Companies that sold"), "count"),
                    Column(_("Orders"), "count"),
                    Column(pgettext("report", "GMV"), "money", USD),
                    Column(pgettext("report", "Share"), "share"),
                ),
                rows=tuple(
                    (
                        i,
                        country_name(c.country),
                        c.merchants,
                        c.orders,
                        c.gmv_usd_minor,
                        _share(c.gmv_usd_minor, totals.gmv_usd_minor),
                    )
                    for i, c in enumerate(sold, start=1)
                ),
            ),
            chart=_bar([country_name(c.country) for c in sold], [c.gmv_usd_minor for c in sold]),
        )
        buyers = Section(
            title=_("Buyer countries by GMV"),
            table=Table(
                columns=(
                    Column(_("Rank"), "count"),
                    Column(_("Country")),
                    Column(_("Orders"), "count"),
                    Column(pgettext("report", "GMV"), "money", USD),
                    Column(pgettext("report", "Share"), "share"),
                ),
                rows=tuple(
                    (
                        i,
                        country_name(b.country),
                        b.orders,
                        b.gmv_usd_minor,
                        _share(b.gmv_usd_minor, totals.gmv_usd_minor),
                    )
                    for i, b in enumerate(fig.buyer_countries, start=1)
                ),
            ),
            chart=_bar(
                [country_name(b.country) for b in fig.buyer_countries],
                [b.gmv_usd_minor for b in fig.buyer_countries],
            ),
        )
        companies = Section(
            title=pgettext("report", "Top companies"),
            table=Table(
                columns=(
                    Column(_("Rank"), "count"),
                    Column(_("Company")),
                    Column(_("Country")),
                    Column(_("Orders"), "count"),
                    Column(pgettext("report", "Units"), "count"),
                    Column(pgettext("report", "GMV"), "money", USD),
                ),
                rows=tuple(
                    (i, m.name, country_name(m.country), m.orders, m.units, m.gmv_usd_minor)
                    for i, m in enumerate(fig.merchants, start=1)
                ),
            ),
        )
        names = _marketplace_names([m.marketplace_id for m in fig.marketplaces])
        markets = Section(
            title=_("Marketplaces"),
            table=Table(
                columns=(
                    Column(_("Marketplace")),
                    Column(_("Orders"), "count"),
                    Column(pgettext("report", "GMV"), "money", USD),
                    Column(pgettext("report", "Share"), "share"),
                ),
                rows=tuple(
                    (
                        names.get(m.marketplace_id, str(m.marketplace_id)),
                        m.orders,
                        m.gmv_usd_minor,
                        _share(m.gmv_usd_minor, totals.gmv_usd_minor),
                    )
                    for m in fig.marketplaces
                ),
            ),
        )
        return Report(
            kind="festival",
            title=_("Festival report: %(name)s") % {"name": fig.name},
            period_start=_day(fig.starts_at),
            period_end=_day(fig.ends_at),
            language=language,
            headlines=tuple(headlines),
            sections=(summary, countries, buyers, companies, markets),
            generated_at=now,
            slug=fig.slug,
        )


def _bar(labels: Sequence[str], values: Sequence[int]) -> Chart | None:
    if not labels:
        return None
    return Chart("bar", tuple(labels[:CHART_ROWS]), tuple(values[:CHART_ROWS]), "money", USD)


# --- month ------------------------------------------------------------------------------------


def _measure_label(measure: str) -> str:
    labels = {
        "gmv": _("GMV (USD)"),
        "orders": _("Orders"),
        "units": pgettext("report", "Units"),
        "packages": pgettext("report", "Packages shipped"),
        "active_merchants": pgettext("report", "Active companies"),
        "inquiries": _("Inquiries"),
        "rfqs": _("Requests for quotation"),
        "quotes": _("Quotes"),
        "deals": _("Deals"),
        "deal_value": pgettext("report", "Deal value (USD)"),
        "enrolments": pgettext("report", "Enrolments"),
        "certificates": pgettext("report", "Certificates"),
    }
    return labels.get(measure, measure)


def _figure(measure: str, value: int) -> Cell:
    return Money(value, USD) if measure in query.MONEY_MEASURES else value


def _kpi_section(kpis: Sequence[query.Kpi], title: str) -> Section:
    return Section(
        title=title,
        table=Table(
            columns=(
                Column(pgettext("report", "Figure")),
                Column(pgettext("report", "This period"), "count"),
                Column(pgettext("report", "Period before"), "count"),
                Column(pgettext("report", "Change"), "change"),
            ),
            rows=tuple(
                (
                    _measure_label(k.measure),
                    _figure(k.measure, k.value),
                    _figure(k.measure, k.previous),
                    k.change,
                )
                for k in kpis
            ),
        ),
    )


def _daily_section(period: Period, filters: Filters, scope: Scope, grain: str = "day") -> Section:
    gmv = query.analytics_series(
        measure="gmv", period=period, filters=filters, scope=scope, grain=grain
    )
    orders = query.analytics_series(
        measure="orders", period=period, filters=filters, scope=scope, grain=grain
    )
    packages = query.analytics_series(
        measure="packages", period=period, filters=filters, scope=scope, grain=grain
    )
    title = (
        pgettext("report", "Per day")
        if grain == "day"
        else pgettext("report", "Per month")
        if grain == "month"
        else pgettext("report", "Per week")
    )
    return Section(
        title=title,
        table=Table(
            columns=(
                Column(_("Day"), "date"),
                Column(pgettext("report", "GMV"), "money", USD),
                Column(_("Orders"), "count"),
                Column(pgettext("report", "Packages shipped"), "count"),
            ),
            rows=tuple(
                (g.day, g.value, o.value, p.value)
                for g, o, p in zip(gmv, orders, packages, strict=True)
            ),
        ),
        chart=Chart(
            "line",
            tuple(g.day.isoformat() for g in gmv),
            tuple(g.value for g in gmv),
            "money",
            USD,
        )
        if gmv
        else None,
    )


def _regions_section(period: Period, filters: Filters, scope: Scope) -> Section:
    regions = sorted(
        query.analytics_regions(period=period, filters=filters, scope=scope),
        key=lambda r: (-r.gmv, r.name),
    )
    return Section(
        title=pgettext("report", "Italian regions"),
        table=Table(
            columns=(
                Column(_("Region")),
                Column(pgettext("report", "Companies"), "count"),
                Column(pgettext("report", "Active companies"), "count"),
                Column(pgettext("report", "GMV"), "money", USD),
            ),
            rows=tuple((r.name, r.merchants, r.active_merchants, r.gmv) for r in regions),
        ),
        chart=_bar([r.name for r in regions], [r.gmv for r in regions])
        if any(r.gmv for r in regions)
        else None,
    )


def _breakdown(dimension: str, period: Period, filters: Filters, scope: Scope) -> Breakdown:
    return query.analytics_breakdown(
        measure="gmv", dimension=dimension, period=period, filters=filters, scope=scope, top=TOP
    )


def report_month(
    *, year: int, month: int, language: str, actor_id: int | None, actor_role: str, now: datetime
) -> Report:
    """A calendar month of the figures the actor sees: all of Fiera for operators and the
    system, a merchant's store for its staff, a partner's merchants for its staff. A month
    that has not begun (after ``now``) is ``ReportBadPeriod``."""
    asked = f"{year:04d}-{month:02d}"
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise ReportBadPeriod(f"no month {year}-{month}", message=BAD_MONTH, month=asked)
    period = Period.month(year, month)
    if period.start > _day(now):
        raise ReportBadPeriod(f"{asked} begins after {now}", message=FUTURE_MONTH, month=asked)
    filters = Filters()
    with translation.override(language):
        scope = query.analytics_scope(actor_id=actor_id, actor_role=actor_role)
        before = Period.month(year - 1, 12) if month == 1 else Period.month(year, month - 1)
        kpis = [  # against the calendar month before (February is shorter than March)
            query.Kpi(m, g.current, g.previous, g.change)
            for m in query.KPI_MEASURES
            for g in [
                query.analytics_growth(
                    measure=m, period=period, filters=filters, scope=scope, against=before
                )
            ]
        ]
        by = {k.measure: k for k in kpis}
        countries = _breakdown("merchant_country", period, filters, scope)
        top = countries.rows[0] if countries.rows and countries.rows[0].value > 0 else None
        gmv = by.get("gmv")
        headlines = month_headlines(
            gmv_usd_minor=gmv.value if gmv else 0,
            growth=gmv.change if gmv else None,
            orders=by["orders"].value if "orders" in by else 0,
            packages=by["packages"].value if "packages" in by else 0,
            top_country=top.key if top else "",
            top_country_gmv_usd_minor=top.value if top else 0,
            top_country_share=top.share if top else Decimal(0),
        )
        month_name = str(format_date(period.start, format="LLLL y", locale=babel_locale(language)))
        sections = (
            _kpi_section(kpis, _("Key figures against the month before")),
            _daily_section(period, filters, scope),
            _ranking_section(_("Merchant countries by GMV"), _("Country"), countries),
            _ranking_section(
                _("Buyer countries by GMV"),
                _("Country"),
                _breakdown("buyer_country", period, filters, scope),
            ),
            _ranking_section(
                _("Marketplaces"),
                _("Marketplace"),
                _breakdown("marketplace", period, filters, scope),
            ),
            _regions_section(period, filters, scope),
            _ranking_section(
                _("Categories"), _("Category"), _breakdown("category", period, filters, scope)
            ),
        )
        return Report(
            kind="month",
            title=_("Monthly report: %(month)s") % {"month": month_name},
            period_start=period.start,
            period_end=period.end,
            language=language,
            headlines=tuple(headlines),
            sections=sections,
            generated_at=now,
            subject=scope.label,
            slug=f"{year:04d}-{month:02d}",
        )


# --- pavilion ---------------------------------------------------------------------------------


def _period(start: date | None, end: date | None, since: date, today: date) -> Period:
    first, last = start or since, end or today
    if last < first:
        raise ReportBadPeriod(f"the period ends ({last}) before it starts ({first})")
    return _clip(Period(first, last))


def report_pavilion(
    *,
    slug: str,
    start: date | None = None,
    end: date | None = None,
    language: str,
    actor_id: int | None,
    actor_role: str,
    now: datetime,
) -> Report:
    """A pavilion's report: its live figures (since each company's admission) and the
    sales of its admitted companies over the period (default: since the pavilion opened)."""
    with translation.override(language):
        pavilion = trade_selectors.pavilion_get(slug=slug)
        trade_selectors.pavilion_reviewer_check(
            pavilion=pavilion, actor_id=actor_id, actor_role=actor_role
        )
        stats = trade_selectors.pavilion_stats(slug=slug, now=now)
        scope = query.analytics_scope(
            actor_id=actor_id, actor_role=actor_role, pavilion_id=pavilion.id
        )
        period = _period(start, end, _day(pavilion.created_at), _day(now))
        filters = Filters()
        name = pavilion.name(language)
        figures = Section(
            title=pgettext("report", "The pavilion"),
            table=Table(
                columns=(
                    Column(pgettext("report", "Figure")),
                    Column(pgettext("report", "Value"), "count"),
                ),
                rows=(
                    (pgettext("report", "Quota"), stats.quota),
                    (pgettext("report", "Companies admitted"), stats.admitted),
                    (pgettext("report", "Waiting list"), stats.waitlisted),
                    (pgettext("report", "Applications under review"), stats.pending),
                    (pgettext("report", "Products listed"), stats.listings),
                    (_("Inquiries"), stats.inquiries),
                    (_("Quotes"), stats.quotes),
                    (_("Deals"), stats.deals),
                    (pgettext("report", "Deal value"), stats.deal_value),
                    (pgettext("report", "Buyer countries"), len(stats.buyer_countries)),
                ),
            ),
            note=_("Since each company's admission, on the pavilion's marketplace."),
        )
        reached = Section(
            title=_("Buyer countries reached"),
            table=Table(
                columns=(Column(_("Country")), Column(_("Code"))),
                rows=tuple(sorted(((country_name(c), c) for c in stats.buyer_countries), key=str)),
            ),
        )
        groups = trade_selectors.pavilion_companies(pavilion_id=pavilion.id)
        companies = Section(
            title=pgettext("report", "Companies admitted"),
            table=Table(
                columns=(Column(_("Company")), Column(_("Region"))),
                rows=tuple(
                    (m.display_name, g.region_name or pgettext("report", "Outside Italy"))
                    for g in groups
                    for m in g.companies
                ),
            ),
        )
        sales = query.analytics_kpis(period=period, filters=filters, scope=scope)
        return Report(
            kind="pavilion",
            title=_("Pavilion report: %(name)s") % {"name": name},
            period_start=period.start,
            period_end=period.end,
            language=language,
            headlines=tuple(
                pavilion_headlines(
                    admitted=stats.admitted,
                    deals=stats.deals,
                    deal_value_minor=stats.deal_value.amount_minor,
                    currency=stats.deal_value.currency,
                    buyer_countries=len(stats.buyer_countries),
                )
            ),
            sections=(
                figures,
                reached,
                companies,
                _kpi_section(sales, _("The admitted companies' sales")),
                _daily_section(period, filters, scope, grain=_grain(period)),
                _ranking_section(
                    _("Buyer countries by GMV"),
                    _("Country"),
                    _breakdown("buyer_country", period, filters, scope),
                ),
            ),
            generated_at=now,
            subject=_("Run by %(partner)s") % {"partner": pavilion.partner_name},
            slug=pavilion.slug,
        )


def _grain(period: Period) -> str:
    return "day" if period.days() <= 62 else "month"


# --- partner ----------------------------------------------------------------------------------


def report_partner(
    *,
    slug: str,
    start: date | None = None,
    end: date | None = None,
    language: str,
    actor_id: int | None,
    actor_role: str,
    now: datetime,
) -> Report:
    """A partner's report: merchants onboarded (live) in the period, their sales, the lead
    pipeline and its conversion (default period: since the partner joined)."""
    with translation.override(language):
        partner_id = partner_selectors.partner_id_for(
            slug=slug, actor_id=actor_id, actor_role=actor_role
        )
        partner = partner_selectors.partner_get(
            partner_id=partner_id, actor_id=actor_id, actor_role=actor_role
        )
        merchants = partner_selectors.partner_merchants(
            partner_id=partner_id, actor_id=actor_id, actor_role=actor_role
        )
        conversion = partner_selectors.conversion(
            partner_id=partner_id, actor_id=actor_id, actor_role=actor_role
        )
        scope = query.analytics_scope(
            actor_id=actor_id, actor_role=actor_role, partner_id=partner_id
        )
        period = _period(start, end, _day(partner.created_at), _day(now))
        filters = Filters()
        onboarded = [m for m in merchants if period.start <= _day(m.live_since) <= period.end]
        by_merchant = query.analytics_breakdown(
            measure="gmv",
            dimension="merchant",
            period=period,
            filters=filters,
            scope=scope,
            top=None,
        )
        gmv_of = {row.key: row.value for row in by_merchant.rows}
        pipeline = Section(
            title=pgettext("report", "Lead pipeline"),
            table=Table(
                columns=(
                    Column(_("Stage")),
                    Column(_("Leads"), "count"),
                    Column(pgettext("report", "Share"), "share"),
                ),
                rows=tuple(
                    (s.label, s.count, _share(s.count, conversion.total)) for s in conversion.stages
                ),
            ),
        )
        companies = Section(
            title=_("Companies brought by the partner"),
            table=Table(
                columns=(
                    Column(_("Company")),
                    Column(_("Region")),
                    Column(_("Live since"), "date"),
                    Column(pgettext("report", "GMV"), "money", USD),
                ),
                rows=tuple(
                    (
                        m.display_name,
                        m.region_name,
                        _day(m.live_since),
                        gmv_of.get(str(m.merchant_id), 0),
                    )
                    for m in sorted(
                        merchants,
                        key=lambda m: (-gmv_of.get(str(m.merchant_id), 0), m.display_name),
                    )
                ),
            ),
        )
        sales = query.analytics_kpis(period=period, filters=filters, scope=scope)
        return Report(
            kind="partner",
            title=_("Partner report: %(name)s") % {"name": partner.name},
            period_start=period.start,
            period_end=period.end,
            language=language,
            headlines=tuple(
                partner_headlines(
                    merchants=len(onboarded),
                    gmv_usd_minor=by_merchant.total,
                    leads=conversion.total,
                    live=conversion.live,
                    rate=conversion.rate,
                )
            ),
            sections=(
                _kpi_section(sales, _("Sales of its companies")),
                companies,
                pipeline,
                _daily_section(period, filters, scope, grain=_grain(period)),
                _regions_section(period, filters, scope),
            ),
            generated_at=now,
            subject=partner.name,
            slug=partner.slug,
        )


# --- one entry -------------------------------------------------------------------------------


def report_build(
    *,
    kind: str,
    key: str | tuple[int, int],
    language: str,
    actor_id: int | None,
    actor_role: str,
    now: datetime,
    country: str = "IT",
    start: date | None = None,
    end: date | None = None,
) -> Report:
    """The report ``kind`` of ``key`` (a slug; for ``month`` a (year, month) pair or
    "YYYY-MM"): what ``fiera report``, the reports page and the API call. The role is
    checked first (``report_check``), the festival, pavilion or partner by the builder."""
    report_check(kind=kind, actor_role=actor_role)
    if kind == "festival":
        return report_festival(
            slug=str(key), country=country, language=language, actor_role=actor_role, now=now
        )
    if kind == "month":
        if isinstance(key, str):
            try:
                year_text, month_text = key.split("-")
                key = int(year_text), int(month_text)
            except ValueError:
                raise ReportBadPeriod(
                    f"{key!r} is not a month like 2026-11", message=BAD_MONTH, month=key
                ) from None
        year, month = key
        return report_month(
            year=year,
            month=month,
            language=language,
            actor_id=actor_id,
            actor_role=actor_role,
            now=now,
        )
    if kind in ("pavilion", "partner"):
        build = report_pavilion if kind == "pavilion" else report_partner
        return build(
            slug=str(key),
            start=start,
            end=end,
            language=language,
            actor_id=actor_id,
            actor_role=actor_role,
            now=now,
        )
    raise ValueError(f"unknown report {kind!r}; one of festival, month, pavilion, partner")
