"""The dashboard's page logic against a stand-in for the query layer (the figures' own
correctness is tests/analytics' query tests; the pages over real orders are
test_pages.py): filters reach the selectors, bad filters answer 400 saying what is wrong,
each chart's CSV and SVG equal what the page draws, denials are 403 and anonymous
visitors are sent to sign in."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from fiera.analytics import dashboard, selectors
from fiera.analytics.query import (
    AnalyticsForbidden,
    Filters,
    Kpi,
    Period,
    Point,
    RegionFigure,
    Row,
    Scope,
)
from fiera.common.reference import italian_regions
from tests.merchants.factories import make_user

pytestmark = pytest.mark.django_db

ASKED: list[tuple[str, Period, Filters, Scope]] = []


def _factor(filters: Filters) -> int:
    return 1 + (3 if filters.buyer_country else 0) + (5 if filters.marketplace_id else 0)


def _scope(
    *,
    actor_id: int | None,
    actor_role: str,
    merchant_id: int | None = None,
    partner_id: int | None = None,
    pavilion_id: int | None = None,
) -> Scope:
    if actor_role not in {"operator", "merchant", "partner"}:
        raise AnalyticsForbidden(f"role {actor_role}")
    if pavilion_id is not None:
        return Scope("pavilion", frozenset({1}), "Made in Italy")
    if actor_role == "merchant":
        return Scope("merchant", frozenset({7}), "Bottega Sette")
    if actor_role == "partner":
        return Scope("partner", frozenset({7, 8}), "Rete Nord")
    return Scope("all", None, "Fiera")


def _series(
    *, measure: str, period: Period, filters: Filters, scope: Scope, grain: str = "day"
) -> list[Point]:
    ASKED.append((measure, period, filters, scope))
    step = {"day": 1, "week": 7, "month": 30}[grain]
    return [
        Point(period.start + timedelta(days=i), (i + 1) * 1000 * _factor(filters))
        for i in range(0, period.days(), step)
    ]


def _breakdown(
    *,
    measure: str,
    dimension: str,
    period: Period,
    filters: Filters,
    scope: Scope,
    top: int | None = 10,
) -> Any:
    values = [("IT", "Italia", 7000), ("CN", "Cina", 2000), ("DE", "Germania", 1000)]
    total = sum(v for *_x, v in values) * _factor(filters)
    rows = [
        Row(key, label, value * _factor(filters), Decimal(value * _factor(filters)) / total, rank)
        for rank, (key, label, value) in enumerate(values, 1)
    ]
    return selectors.Breakdown(dimension, measure, rows, total, 0)


def _kpis(*, period: Period, filters: Filters, scope: Scope) -> list[Kpi]:
    f = _factor(filters)
    return [
        Kpi("gmv", 123_456_78 * f, 100_000_00, Decimal("0.2345678")),
        Kpi("orders", 1200 * f, 1500, Decimal("-0.2")),
        Kpi("packages", 900, 0, None),
        Kpi("active_merchants", 40, 40, Decimal(0)),
        Kpi("deals", 0, 0, None),
        Kpi("certificates", 12, 10, Decimal("0.2")),
    ]


def _regions(*, period: Period, filters: Filters, scope: Scope) -> list[RegionFigure]:
    return [
        RegionFigure(r.code, r.name, i, i // 2, i * 100_00 * _factor(filters))
        for i, r in enumerate(italian_regions())
    ]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Period, Filters, Scope]]:
    ASKED.clear()
    monkeypatch.setattr(selectors, "analytics_scope", _scope)
    monkeypatch.setattr(selectors, "analytics_series", _series)
    monkeypatch.setattr(selectors, "analytics_breakdown", _breakdown)
    monkeypatch.setattr(selectors, "analytics_kpis", _kpis)
    monkeypatch.setattr(selectors, "analytics_regions", _regions)
    return ASKED


def _client(role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(role))
    return client


def test_the_operator_dashboard_shows_kpis_charts_and_downloads(fake: list[Any]) -> None:
    response = _client("operator").get("/analytics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "All merchants on Fiera" in html
    assert "$123,456.78" in html and "+23.5%" in html and "-20%" in html
    for name in dashboard.CHART_NAMES:
        assert f'id="chart-card-{name}"' in html
        assert f"/analytics/chart/{name}.csv?period=last30" in html
        assert f"/analytics/chart/{name}.svg?period=last30" in html
    assert html.count('role="img"') == len(dashboard.CHART_NAMES)
    assert "style=" not in html and "<script>" not in html
    assert 'src="/static/analytics/analytics.js"' in html


def test_filters_reach_the_selectors_and_change_the_figures(fake: list[Any]) -> None:
    client = _client("operator")
    plain = client.get("/analytics/?period=last7").content.decode()
    asked = fake[-1]
    assert asked[1].days() == 7 and asked[2] == Filters()
    filtered = client.get("/analytics/?period=last7&buyer_country=cn").content.decode()
    assert fake[-1][2] == Filters(buyer_country="CN")
    assert plain != filtered
    assert "$493,827.12" in filtered  # 4x the GMV
    assert "buyer_country=CN" in filtered  # the downloads ask the same question


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("period=forever", "Period: choose one of the list."),
        ("period=custom&from=2026-13-01&to=2026-12-01", "From: write the date as year-month-day"),
        ("period=custom&from=2026-11-01", "Give both dates"),
        ("period=custom&from=2026-11-02&to=2026-11-01", "The period ends before it starts"),
        ("buyer_country=XX", "Buyer country: choose a country of the list."),
        ("marketplace=abc", "Marketplace: choose one of the list."),
        ("marketplace=99999999999999999999999", "Marketplace: choose one of the list."),
        ("category=%C2%B2", "Category: choose one of the list."),
        ("merchant=12a", "Merchant: choose one of the list."),
    ],
)
def test_a_bad_filter_is_a_400_page_that_says_what_is_wrong(
    fake: list[Any], query: str, words: str
) -> None:
    response = _client("operator").get(f"/analytics/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html
    assert 'name="period"' in html  # the form, to correct it
    csv_response = _client("operator").get(f"/analytics/chart/gmv.csv?{query}")
    assert csv_response.status_code == 400 and words in csv_response.content.decode()


def test_the_csv_and_svg_downloads_equal_the_page(fake: list[Any]) -> None:
    client = _client("operator")
    query = "period=custom&from=2026-11-01&to=2026-11-10&buyer_country=CN"
    html = client.get(f"/analytics/?{query}").content.decode()
    response = client.get(f"/analytics/chart/gmv.csv?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="gmv-2026-11-01-2026-11-10.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "gmv_usd"]
    assert rows[1] == ["2026-11-01", "40.00"] and rows[-1] == ["2026-11-10", "400.00"]
    assert len(rows) == 11
    for _day, dollars in rows[1:]:
        assert f"${Decimal(dollars):,.2f}" in html
    svg = client.get(f"/analytics/chart/buyer-countries.svg?{query}")
    assert svg["Content-Type"].startswith("image/svg+xml")
    body = svg.content.decode()
    assert body.startswith("<?xml") and "Cina" in body  # the fake's labels
    regions = client.get(f"/analytics/chart/regions.csv?{query}").content.decode()
    assert len(regions.strip().splitlines()) == 21
    assert client.get(f"/analytics/chart/nothing.csv?{query}").status_code == 404


def test_merchant_partner_and_pavilion_scopes(fake: list[Any]) -> None:
    assert "Store: Bottega Sette" in _client("merchant").get("/analytics/").content.decode()
    assert (
        "Merchants brought by Rete Nord" in _client("partner").get("/analytics/").content.decode()
    )
    assert fake[-1][3].kind == "partner"


@pytest.mark.parametrize("role", ["buyer", "learner"])
def test_other_roles_get_the_403_page(fake: list[Any], role: str) -> None:
    client = _client(role)
    response = client.get("/analytics/")
    assert response.status_code == 403
    assert "Analytics are for operators" in response.content.decode()
    assert client.get("/analytics/chart/gmv.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(fake: list[Any]) -> None:
    for path in ("/analytics/", "/analytics/chart/gmv.svg", "/analytics/pavilion/x/"):
        response = Client().get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_pavilion_is_404(fake: list[Any]) -> None:
    assert _client("operator").get("/analytics/pavilion/no-such-pavilion/").status_code == 404


def test_a_scoped_dashboard_leaves_out_figures_that_belong_to_no_merchant(
    fake: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    academy = selectors.MeasureSource(
        fetch=lambda q: {}, dimensions=frozenset(), filters=frozenset(), per_merchant=False
    )
    monkeypatch.setattr(dashboard, "registered_measures", lambda: {"certificates": academy})
    mine = _client("merchant").get("/analytics/").content.decode()
    assert "kpi-gmv" in mine and "kpi-certificates" not in mine
    everyone = _client("operator").get("/analytics/").content.decode()
    assert "kpi-certificates" in everyone
