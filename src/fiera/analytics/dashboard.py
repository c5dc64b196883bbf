"""What the analytics dashboard shows (decision 0027), composed from the query layer.

``question_from`` reads the page's filters (a period preset or custom dates, marketplace,
merchant country, buyer country, category) from the query string and refuses what it
cannot read with ``BadFilter`` (a 400 naming the field); ``dashboard_get`` asks
``fiera.analytics.selectors`` the page's questions for a ``Scope`` the caller already
checked, and ``dashboard_chart`` builds one chart for its CSV/SVG download from the same
builder, so a download always equals the chart on the page. Figures come only from the
analytics selectors; the lower apps' selectors give the filters' choices and names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from babel.numbers import format_percent
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import OPERATOR, PARTNER
from fiera.analytics import selectors
from fiera.analytics.charts import (
    Bar,
    BarChart,
    Chart,
    Grain,
    RegionMap,
    RegionTile,
    SeriesPoint,
    TimeSeries,
    Unit,
    value_text,
)
from fiera.analytics.query import registered_measures  # which measures belong to merchants
from fiera.catalog.selectors import category_list
from fiera.common.errors import InvalidInput
from fiera.common.parsing import BIGINT_MAX
from fiera.common.reference import (
    babel_locale,
    countries_by_local_name,
    is_country,
    language_suffix,
)
from fiera.marketplaces.selectors import marketplace_infos
from fiera.partners.selectors import partner_id_for_user
from fiera.trade.selectors import pavilion_get, pavilion_list

PRESETS: tuple[str, ...] = (
    "last7",
    "last30",
    "last90",
    "this_month",
    "last_month",
    "this_year",
    "custom",
)
DEFAULT_PRESET = "last30"
PARAMS: tuple[str, ...] = (
    "period",
    "from",
    "to",
    "marketplace",
    "merchant_country",
    "buyer_country",
    "category",
)
CHART_NAMES: tuple[str, ...] = (  # in the page's order
    "gmv",
    "orders",
    "merchant-countries",
    "buyer-countries",
    "regions",
    "packages",
    "marketplaces",
)
TOP = 10


class BadFilter(InvalidInput):
    """A dashboard filter that cannot be read (HTTP 400); the message names the field."""

    status = 400
    code = "analytics_bad_filter"
    message_template = gettext_lazy("A filter of the dashboard cannot be read: %(field)s.")


def _preset_labels() -> dict[str, str]:
    return {
        "last7": _("Last 7 days"),
        "last30": _("Last 30 days"),
        "last90": _("Last 90 days"),
        "this_month": _("This month"),
        "last_month": _("Last month"),
        "this_year": _("This year"),
        "custom": _("Custom dates"),
    }


@dataclass(frozen=True, slots=True)
class Question:
    """The dashboard's question: the period (and how it was chosen), the filters, the
    grain of the series, and the query string that asks it again (for the links)."""

    preset: str
    period: selectors.Period
    filters: selectors.Filters
    grain: Grain
    params: tuple[tuple[str, str], ...]

    @property
    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode(self.params)

    def value(self, name: str) -> str:
        return dict(self.params).get(name, "")


def _date(text: str, field_name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadFilter(
            f"{field_name}={text!r} is not an ISO date",
            message=gettext_lazy(
                "%(field)s: write the date as year-month-day, for example 2026-11-30."
            ),
            field=field_name,
        ) from None


def _id(text: str, field_name: str, known: set[int]) -> int:
    value = text.strip()
    if (
        not (value.isascii() and value.isdigit())
        or int(value) > BIGINT_MAX
        or int(value) not in known
    ):
        raise BadFilter(
            f"{field_name}={text!r} is not one of the choices",
            message=gettext_lazy("%(field)s: choose one of the list."),
            field=field_name,
        )
    return int(value)


def _country(text: str, field_name: str) -> str:
    code = text.strip().upper()
    if not is_country(code):
        raise BadFilter(
            f"{field_name}={text!r} is not a country code",
            message=gettext_lazy("%(field)s: choose a country of the list."),
            field=field_name,
        )
    return code


def _period(preset: str, start: str, end: str, today: date) -> selectors.Period:
    if preset in {"last7", "last30", "last90"}:
        days = int(preset.removeprefix("last"))
        return selectors.Period(today - timedelta(days=days - 1), today)
    if preset == "this_month":
        return selectors.Period(today.replace(day=1), today)
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return selectors.Period.month(last.year, last.month)
    if preset == "this_year":
        return selectors.Period(date(today.year, 1, 1), today)
    if not start or not end:
        raise BadFilter(
            "custom period without from/to",
            message=gettext_lazy("Give both dates, from and to, for a custom period."),
            field="from",
        )
    period = selectors.Period(_date(start, _("From")), _date(end, _("To")))
    if period.end < period.start:
        raise BadFilter(
            f"period {period.start}..{period.end} ends before it starts",
            message=gettext_lazy("The period ends before it starts: swap the dates."),
            field="to",
        )
    return period


def grain_for(period: selectors.Period) -> Grain:
    """Days up to about three months, weeks up to about a year, months beyond."""
    days = period.days()
    return "day" if days <= 92 else "week" if days <= 400 else "month"


def question_from(params: Mapping[str, str], *, today: date) -> Question:
    """The dashboard's question from the query string (unknown parameters are ignored;
    an empty value means "all"). Raises ``BadFilter`` naming the field it cannot read."""
    raw = {name: str(params.get(name, "") or "").strip() for name in PARAMS}
    preset = raw["period"] or ("custom" if raw["from"] or raw["to"] else DEFAULT_PRESET)
    if preset not in PRESETS:
        raise BadFilter(
            f"period={preset!r} is not a preset",
            message=gettext_lazy("%(field)s: choose one of the list."),
            field=_("Period"),
        )
    period = _period(preset, raw["from"], raw["to"], today)
    filters = selectors.Filters(
        marketplace_id=(
            _id(
                raw["marketplace"],
                _("Marketplace"),
                {m.id for m in marketplace_infos(active_only=False)},
            )
            if raw["marketplace"]
            else None
        ),
        merchant_country=(
            _country(raw["merchant_country"], _("Merchant country"))
            if raw["merchant_country"]
            else ""
        ),
        buyer_country=_country(raw["buyer_country"], _("Buyer country"))
        if raw["buyer_country"]
        else "",
        category_id=(
            _id(raw["category"], _("Category"), {c.id for c in category_list()})
            if raw["category"]
            else None
        ),
    )
    kept = {"period": preset}
    if preset == "custom":
        kept.update({"from": period.start.isoformat(), "to": period.end.isoformat()})
    if filters.marketplace_id is not None:
        kept["marketplace"] = str(filters.marketplace_id)
    if filters.merchant_country:
        kept["merchant_country"] = filters.merchant_country
    if filters.buyer_country:
        kept["buyer_country"] = filters.buyer_country
    if filters.category_id is not None:
        kept["category"] = str(filters.category_id)
    return Question(
        preset=preset,
        period=period,
        filters=filters,
        grain=grain_for(period),
        params=tuple(kept.items()),
    )


# --- the filters' choices ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FilterChoices:
    presets: list[Choice]
    marketplaces: list[Choice]
    countries: list[Choice]
    categories: list[Choice]


def filter_choices() -> FilterChoices:
    """The choices of the dashboard's selects, labelled in the active language."""
    suffix = language_suffix()

    def named(obj: object) -> str:
        return str(
            getattr(obj, f"name_{suffix}", "")
            or getattr(obj, "name_en", "")
            or getattr(obj, "name", "")
        )

    return FilterChoices(
        presets=[Choice(k, v) for k, v in _preset_labels().items()],
        marketplaces=[Choice(str(m.id), named(m)) for m in marketplace_infos(active_only=False)],
        countries=[Choice(c.code, c.name) for c in countries_by_local_name()],
        categories=sorted(
            (Choice(str(c.id), named(c)) for c in category_list()), key=lambda c: c.label.lower()
        ),
    )


# --- the figures ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KpiTile:
    measure: str
    label: str
    value: str
    previous: str
    change: str  # "+12.5%", "-3%", "new", "" (nothing either time)
    direction: str  # up | down | flat


KPI_LABELS: dict[str, Callable[[], str]] = {
    "gmv": lambda: _("GMV"),
    "orders": lambda: _("Orders"),
    "packages": lambda: _("Packages shipped"),
    "active_merchants": lambda: _("Active merchants"),
    "deals": lambda: _("B2B deals"),
    "certificates": lambda: _("Certificates"),
}


def _unit(measure: str) -> Unit:
    return "usd" if measure in selectors.MONEY_MEASURES else "count"


def kpi_tile(kpi: selectors.Kpi) -> KpiTile:
    unit = _unit(kpi.measure)
    if kpi.change is None:
        change, direction = (_("new") if kpi.value else ""), ("up" if kpi.value else "flat")
    else:
        change = format_percent(kpi.change, "+#,##0.#%;-#,##0.#%", locale=babel_locale())
        direction = "up" if kpi.change > 0 else "down" if kpi.change < 0 else "flat"
    label = KPI_LABELS.get(kpi.measure)
    return KpiTile(
        measure=kpi.measure,
        label=label() if label else kpi.measure,
        value=value_text(kpi.value, unit),
        previous=value_text(kpi.previous, unit),
        change=change,
        direction=direction,
    )


def _series_title(measure: str, grain: Grain) -> str:
    titles = {
        ("gmv", "day"): _("GMV per day (US dollars)"),
        ("gmv", "week"): _("GMV per week (US dollars)"),
        ("gmv", "month"): _("GMV per month (US dollars)"),
        ("orders", "day"): _("Orders per day"),
        ("orders", "week"): _("Orders per week"),
        ("orders", "month"): _("Orders per month"),
        ("packages", "day"): _("Packages shipped per day"),
        ("packages", "week"): _("Packages shipped per week"),
        ("packages", "month"): _("Packages shipped per month"),
    }
    return titles[(measure, grain)]


def _series(name: str, question: Question, scope: selectors.Scope) -> TimeSeries:
    points = selectors.analytics_series(
        measure=name,
        period=question.period,
        filters=question.filters,
        scope=scope,
        grain=question.grain,
    )
    return TimeSeries(
        name=name,
        title=_series_title(name, question.grain),
        unit=_unit(name),
        grain=question.grain,
        points=tuple(SeriesPoint(p.day, p.value) for p in points),
    )


def _bars(
    name: str,
    title: str,
    dimension: str,
    question: Question,
    scope: selectors.Scope,
    *,
    ranked: bool,
) -> BarChart:
    found = selectors.analytics_breakdown(
        measure="gmv",
        dimension=dimension,
        period=question.period,
        filters=question.filters,
        scope=scope,
        top=TOP if ranked else None,
    )
    return BarChart(
        name=name,
        title=title,
        unit="usd",
        bars=tuple(Bar(r.key, r.label, r.value, r.share) for r in found.rows),
        total=found.total,
        others=found.others,
        ranked=ranked,
    )


def _regions(question: Question, scope: selectors.Scope) -> RegionMap:
    found = selectors.analytics_regions(
        period=question.period, filters=question.filters, scope=scope
    )
    return RegionMap(
        name="regions",
        title=_("Merchants and GMV by Italian region"),
        regions=tuple(
            RegionTile(r.code, r.name, r.merchants, r.active_merchants, r.gmv) for r in found
        ),
    )


def _builders() -> dict[str, Callable[[Question, selectors.Scope], Chart]]:
    return {
        "gmv": lambda q, s: _series("gmv", q, s),
        "orders": lambda q, s: _series("orders", q, s),
        "packages": lambda q, s: _series("packages", q, s),
        "regions": _regions,
        "merchant-countries": lambda q, s: _bars(
            "merchant-countries",
            _("Top 10 merchant countries by GMV"),
            "merchant_country",
            q,
            s,
            ranked=True,
        ),
        "buyer-countries": lambda q, s: _bars(
            "buyer-countries",
            _("Top 10 buyer countries by GMV"),
            "buyer_country",
            q,
            s,
            ranked=True,
        ),
        "marketplaces": lambda q, s: _bars(
            "marketplaces", _("GMV by marketplace"), "marketplace", q, s, ranked=False
        ),
    }


class UnknownChart(InvalidInput):
    status = 404
    code = "analytics_unknown_chart"
    message_template = gettext_lazy("There is no chart called %(name)s on the dashboard.")


def dashboard_chart(*, name: str, question: Question, scope: selectors.Scope) -> Chart:
    """One chart of the dashboard, as the page draws it (for its CSV and SVG files)."""
    builder = _builders().get(name)
    if builder is None:
        raise UnknownChart(f"no chart {name!r}", name=name)
    return builder(question, scope)


@dataclass(frozen=True, slots=True)
class Dashboard:
    scope: selectors.Scope
    question: Question
    kpis: list[KpiTile]
    charts: list[Chart]
    previous: selectors.Period


def dashboard_get(*, question: Question, scope: selectors.Scope) -> Dashboard:
    """Every figure of the dashboard for ``scope`` (already authorized)."""
    kpis = selectors.analytics_kpis(period=question.period, filters=question.filters, scope=scope)
    if scope.kind != "all":  # a figure that belongs to no merchant (certificates) is not shown
        sources = registered_measures()
        kpis = [k for k in kpis if k.measure not in sources or sources[k.measure].per_merchant]
    builders = _builders()
    return Dashboard(
        scope=scope,
        question=question,
        kpis=[kpi_tile(k) for k in kpis],
        charts=[builders[name](question, scope) for name in CHART_NAMES],
        previous=question.period.previous(),
    )


def file_name(chart: Chart, question: Question, extension: str) -> str:
    """``gmv-2026-11-01-2026-11-30.csv``: the chart and its period."""
    period = question.period
    return f"{chart.name}-{period.start.isoformat()}-{period.end.isoformat()}.{extension}"


# --- whose figures -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PavilionLink:
    slug: str
    name: str


def _optional_id(text: str, field_name: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > BIGINT_MAX:
        raise BadFilter(
            f"{field_name}={text!r} is not an id",
            message=gettext_lazy("%(field)s: choose one of the list."),
            field=field_name,
        )
    return int(value)


def dashboard_scope(
    *,
    actor_id: int | None,
    actor_role: str,
    pavilion_slug: str = "",
    merchant: str = "",
    partner: str = "",
) -> selectors.Scope:
    """Whose figures ``actor`` sees: a pavilion's (by its slug), or the merchant's /
    partner's asked for by id, or what the role sees by default (operators: everything;
    merchant staff: their first merchant; partner staff: their partner's merchants).
    Refusals are ``selectors.analytics_scope``'s (403); an unknown pavilion is a 404."""
    if pavilion_slug:
        pavilion = pavilion_get(slug=pavilion_slug)
        return selectors.analytics_scope(
            actor_id=actor_id, actor_role=actor_role, pavilion_id=pavilion.id
        )
    return selectors.analytics_scope(
        actor_id=actor_id,
        actor_role=actor_role,
        merchant_id=_optional_id(merchant, _("Merchant")),
        partner_id=_optional_id(partner, _("Partner")),
    )


def pavilion_links(*, actor_id: int | None, actor_role: str) -> list[PavilionLink]:
    """The pavilions whose dashboards ``actor`` may open: all for operators, its
    partner's for partner staff, none for anyone else."""
    if actor_role == OPERATOR:
        found = pavilion_list()
    elif actor_role == PARTNER and actor_id:
        partner_id = partner_id_for_user(user_id=actor_id)
        found = pavilion_list(partner_id=partner_id) if partner_id else []
    else:
        return []
    suffix = language_suffix()
    return [PavilionLink(p.slug, str(getattr(p, f"name_{suffix}", "") or p.name_en)) for p in found]
