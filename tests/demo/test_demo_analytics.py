"""The demo's analytics: the rebuild at the end of ``fiera demo`` counts the whole order
history; the order events the demo's services left in the outbox change nothing when they
are delivered after it; the navigator and the cells agree on the demo's questions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db.models import Sum

from fiera.analytics import query
from fiera.analytics.models import OrderFact, SalesCell, SalesRollup
from fiera.analytics.query import Filters, Period, Scope
from fiera.orders.models import Order
from tests.analytics.support import deliver, stored

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(_world: list[str], db: None) -> list[str]:
    return _world


def test_the_demo_rollups_hold_its_whole_history(world) -> None:
    line = next(x for x in world if x.strip().startswith("analytics"))
    assert "orders counted" in line
    facts = OrderFact.objects.count()
    assert facts > 0.9 * Order.objects.count()  # those in currencies without a rate aside
    counted = OrderFact.objects.aggregate(g=Sum("gmv_usd_minor"))["g"]
    assert SalesCell.objects.aggregate(g=Sum("gmv_usd_minor"))["g"] == counted
    for grain in ("d", "m"):
        rollup = SalesRollup.objects.filter(grain=grain, dim="all").aggregate(
            g=Sum("gmv_usd_minor")
        )["g"]
        assert rollup == counted
    before = stored()
    deliver(times=2)  # the events the demo's services published: counted already
    assert stored() == before


def test_the_navigator_and_the_cells_agree_on_the_demo(world) -> None:
    navigator = Scope(kind="all", merchant_ids=None, label="")
    ids = frozenset(SalesCell.objects.values_list("merchant_id", flat=True).distinct())
    cells = Scope(kind="all", merchant_ids=ids, label="")
    year = Period(date(2025, 11, 21), date(2026, 11, 20))
    for dimension in ("marketplace", "merchant_country", "buyer_country", "region", "category"):
        answers = [
            query.analytics_breakdown(
                measure="gmv",
                dimension=dimension,
                period=year,
                filters=Filters(),
                scope=scope,
                top=None,
            )
            for scope in (navigator, cells)
        ]
        assert answers[0] == answers[1] and answers[0].rows
    series = [
        query.analytics_series(
            measure="orders", period=year, filters=Filters(), scope=scope, grain="month"
        )
        for scope in (navigator, cells)
    ]
    assert series[0] == series[1] and sum(p.value for p in series[0]) > 0
    regions = query.analytics_regions(period=year, filters=Filters(), scope=navigator)
    assert len(regions) == 20 and sum(r.active_merchants for r in regions) > 0
