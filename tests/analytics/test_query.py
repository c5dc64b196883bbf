"""The query layer: totals, zero-filled series, breakdowns with ranks, shares and others,
growth, KPIs, the 20 regions, translated 4xx errors for bad questions, the measure registry,
and who may see what (scopes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from fiera.accounts.roles import BUYER, LEARNER, MERCHANT, OPERATOR, PARTNER, SYSTEM
from fiera.analytics import query, rollups
from fiera.analytics import selectors as analytics
from fiera.analytics.query import Filters, MeasureSource, Period, Scope, SourceQuery
from fiera.common.errors import DomainError, NotFound, PermissionDenied
from fiera.partners.models import Lead
from tests.orders import factories as f
from tests.partners.factories import make_partner, make_partner_user

pytestmark = pytest.mark.django_db
ALL = Scope(kind="all", merchant_ids=None, label="all")
MARCH = Period.month(2026, 3)


def _sale(
    deltas: rollups.Deltas,
    merchant: Any,
    day: date,
    *,
    market: int = 1,
    buyer: str = "CN",
    category: int = 0,
    gmv: int = 0,
    orders: int = 1,
) -> None:
    deltas.add_order(
        merchant_id=merchant.pk,
        day=day,
        marketplace_id=market,
        buyer_country=buyer,
        place=(merchant.country, merchant.region_code),
        delta={category: (orders, 1, gmv)},
    )


@pytest.fixture
def world() -> dict[str, Any]:
    makers = []
    for region in ("IT-25", "IT-25", "IT-52", "IT-82", ""):
        maker = f.merchant()
        maker.region_code = region
        maker.country = "IT" if region else "FR"
        maker.save(update_fields=["region_code", "country"])
        makers.append(maker)
    d = rollups.Deltas()
    _sale(d, makers[0], date(2026, 3, 2), gmv=10_000)
    _sale(d, makers[0], date(2026, 3, 3), gmv=5_000, buyer="US")
    _sale(d, makers[1], date(2026, 3, 9), gmv=3_000, market=2)
    _sale(d, makers[2], date(2026, 3, 31), gmv=1_000)
    _sale(d, makers[3], date(2026, 2, 20), gmv=7_000)  # the previous period
    _sale(d, makers[4], date(2026, 3, 15), gmv=1_000, buyer="US")
    d.add_package(
        merchant_id=makers[0].pk,
        day=date(2026, 3, 4),
        marketplace_id=1,
        place=("IT", "IT-25"),
    )
    d.write()
    return {"makers": makers}


def test_totals_series_and_growth(world) -> None:
    assert analytics.analytics_total(measure="gmv", period=MARCH, filters=Filters(), scope=ALL) == (
        20_000
    )
    assert (
        analytics.analytics_total(
            measure="orders", period=MARCH, filters=Filters(region="IT-25"), scope=ALL
        )
        == 3
    )
    assert (
        analytics.analytics_total(
            measure="active_merchants", period=MARCH, filters=Filters(), scope=ALL
        )
        == 4
    )
    assert (
        analytics.analytics_total(measure="packages", period=MARCH, filters=Filters(), scope=ALL)
        == 1
    )
    weekly = analytics.analytics_series(
        measure="gmv", period=MARCH, filters=Filters(), scope=ALL, grain="week"
    )
    assert weekly[0] == analytics.Point(date(2026, 2, 23), 0)  # its Sunday 1 March only
    assert weekly[1] == analytics.Point(date(2026, 3, 2), 15_000)  # Monday 2 and Tuesday 3
    assert [p.day for p in weekly][-1] == date(2026, 3, 30)
    assert sum(p.value for p in weekly) == 20_000
    daily = analytics.analytics_series(measure="orders", period=MARCH, filters=Filters(), scope=ALL)
    assert len(daily) == 31 and daily[1].value == 1 and daily[0].value == 0
    spring = Period(date(2026, 2, 10), date(2026, 3, 31))
    monthly = analytics.analytics_series(
        measure="active_merchants", period=spring, filters=Filters(), scope=ALL, grain="month"
    )
    assert monthly == [analytics.Point(date(2026, 2, 1), 1), analytics.Point(date(2026, 3, 1), 4)]
    weeks = analytics.analytics_series(
        measure="active_merchants", period=MARCH, filters=Filters(), scope=ALL, grain="week"
    )
    assert [p.value for p in weeks] == [0, 1, 2, 0, 0, 1]  # 9 and 15 March: one week
    days = analytics.analytics_series(
        measure="active_merchants", period=MARCH, filters=Filters(), scope=ALL
    )
    assert [p.value for p in days if p.value] == [1, 1, 1, 1, 1]
    growth = analytics.analytics_growth(
        measure="gmv",
        period=MARCH,
        filters=Filters(),
        scope=ALL,
        against=Period.month(2026, 2),
    )
    assert growth == analytics.Growth(20_000, 7_000, Decimal("1.857143"))
    assert (
        analytics.analytics_growth(
            measure="gmv", period=Period.month(2026, 2), filters=Filters(), scope=ALL
        ).change
        is None
    )  # nothing in January
    assert MARCH.previous() == Period(date(2026, 1, 29), date(2026, 2, 28))
    kpis = {
        k.measure: k for k in analytics.analytics_kpis(period=MARCH, filters=Filters(), scope=ALL)
    }
    assert list(kpis) == list(analytics.KPI_MEASURES)
    assert kpis["gmv"].value == 20_000 and kpis["deals"].value == 0


def test_breakdown_ranks_shares_top_and_others(world) -> None:
    with translation.override("it"):
        by_region = analytics.analytics_breakdown(
            measure="gmv", dimension="region", period=MARCH, filters=Filters(), scope=ALL, top=2
        )
    assert [(r.key, r.value, r.rank) for r in by_region.rows] == [
        ("IT-25", 18_000, 1),
        ("", 1_000, 2),  # ties by key: "" before "IT-52"
    ]
    assert by_region.rows[0].label == "Lombardia" and by_region.rows[1].label == "Nessuna regione"
    assert by_region.total == 20_000 and by_region.others == 1_000
    assert by_region.rows[0].share == Decimal("0.900000")
    by_buyer = analytics.analytics_breakdown(
        measure="gmv", dimension="buyer_country", period=MARCH, filters=Filters(), scope=ALL
    )
    assert [(r.key, r.value) for r in by_buyer.rows] == [("CN", 14_000), ("US", 6_000)]
    assert sum(r.share for r in by_buyer.rows) == 1
    merchants = analytics.analytics_breakdown(
        measure="gmv", dimension="merchant", period=MARCH, filters=Filters(), scope=ALL
    )
    assert merchants.rows[0].label == world["makers"][0].display_name
    active = analytics.analytics_breakdown(
        measure="active_merchants",
        dimension="region",
        period=MARCH,
        filters=Filters(),
        scope=ALL,
    )
    assert {r.key: r.value for r in active.rows} == {"IT-25": 2, "IT-52": 1, "": 1}
    assert active.total == 4
    per_market = analytics.analytics_breakdown(
        measure="active_merchants",
        dimension="marketplace",
        period=MARCH,
        filters=Filters(),
        scope=ALL,
    )
    assert {r.key: r.value for r in per_market.rows} == {"1": 3, "2": 1}
    for filters in (Filters(), Filters(buyer_country="US")):
        per_merchant = analytics.analytics_breakdown(
            measure="active_merchants",
            dimension="merchant",
            period=MARCH,
            filters=filters,
            scope=ALL,
        )
        assert all(r.value == 1 for r in per_merchant.rows)
        assert len(per_merchant.rows) == (4 if filters == Filters() else 2)
    by_category = analytics.analytics_breakdown(
        measure="active_merchants",
        dimension="buyer_country",
        period=MARCH,
        filters=Filters(),
        scope=ALL,
    )
    assert {r.key: r.value for r in by_category.rows} == {"CN": 3, "US": 2}


def test_regions_are_the_twenty_with_zeros(world) -> None:
    regions = analytics.analytics_regions(period=MARCH, filters=Filters(), scope=ALL)
    assert len(regions) == 20
    by_code = {r.code: r for r in regions}
    assert by_code["IT-25"] == analytics.RegionFigure(
        "IT-25", by_code["IT-25"].name, merchants=2, active_merchants=2, gmv=18_000
    )
    assert by_code["IT-82"].active_merchants == 0 and by_code["IT-82"].merchants == 1
    assert by_code["IT-21"] == analytics.RegionFigure("IT-21", by_code["IT-21"].name, 0, 0, 0)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (
            lambda: analytics.analytics_total(
                measure="likes", period=MARCH, filters=Filters(), scope=ALL
            ),
            "analytics_unknown_measure",
        ),
        (
            lambda: analytics.analytics_breakdown(
                measure="gmv", dimension="colour", period=MARCH, filters=Filters(), scope=ALL
            ),
            "analytics_unknown_dimension",
        ),
        (
            lambda: analytics.analytics_total(
                measure="gmv",
                period=Period(date(2026, 3, 2), date(2026, 3, 1)),
                filters=Filters(),
                scope=ALL,
            ),
            "analytics_bad_period",
        ),
        (
            lambda: analytics.analytics_total(
                measure="gmv",
                period=Period(date(2020, 1, 1), date(2026, 3, 1)),
                filters=Filters(),
                scope=ALL,
            ),
            "analytics_bad_period",
        ),
        (
            lambda: analytics.analytics_series(
                measure="gmv", period=MARCH, filters=Filters(), scope=ALL, grain="hour"
            ),
            "analytics_unknown_grain",
        ),
        (
            lambda: analytics.analytics_breakdown(
                measure="packages", dimension="category", period=MARCH, filters=Filters(), scope=ALL
            ),
            "analytics_dimension_not_available",
        ),
        (
            lambda: analytics.analytics_breakdown(
                measure="gmv", dimension="region", period=MARCH, filters=Filters(), scope=ALL, top=0
            ),
            "analytics_bad_top",
        ),
    ],
)
def test_bad_questions_are_translated_4xx(call, code) -> None:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code and caught.value.status == 422
    with translation.override("en"):
        english = caught.value.message()
    with translation.override("it"):
        assert caught.value.message() != english


def test_registered_measures_answer_and_feed_filters(world) -> None:
    calls: list[SourceQuery] = []

    def fetch(q: SourceQuery) -> dict[tuple[date, str], int]:
        calls.append(q)
        return {(date(2026, 3, 5), "IT"): 3, (date(2026, 3, 6), "CN"): 2}

    saved = dict(query._SOURCES)
    try:
        query.register_measure(
            "deals",
            MeasureSource(
                fetch=fetch,
                dimensions=frozenset({"buyer_country"}),
                filters=frozenset({"buyer_country"}),
            ),
        )
        query.register_measure(
            "certificates",
            MeasureSource(
                fetch=fetch, dimensions=frozenset(), filters=frozenset(), per_merchant=False
            ),
        )
        assert (
            analytics.analytics_total(measure="deals", period=MARCH, filters=Filters(), scope=ALL)
            == 5
        )
        assert (
            analytics.analytics_total(
                measure="deals", period=MARCH, filters=Filters(region="IT-25"), scope=ALL
            )
            == 0
        )  # a filter the feed cannot apply: not attributable
        mine = Scope(kind="merchant", merchant_ids=frozenset({world["makers"][0].pk}), label="m")
        assert (
            analytics.analytics_total(
                measure="certificates", period=MARCH, filters=Filters(), scope=mine
            )
            == 0
        )
        rows = analytics.analytics_breakdown(
            measure="deals", dimension="buyer_country", period=MARCH, filters=Filters(), scope=ALL
        ).rows
        assert [(r.key, r.value, r.rank) for r in rows] == [("IT", 3, 1), ("CN", 2, 2)]
        with pytest.raises(DomainError):
            analytics.analytics_breakdown(
                measure="deals", dimension="region", period=MARCH, filters=Filters(), scope=ALL
            )
        with pytest.raises(ValueError):
            query.register_measure("gmv", MeasureSource(fetch, frozenset(), frozenset()))
        assert calls[0].group is None and calls[0].merchant_ids is None
    finally:
        query._SOURCES.clear()
        query._SOURCES.update(saved)


# scopes -------------------------------------------------------------------------------------


def test_operators_see_all_or_any_one_merchant(world) -> None:
    operator = f.user(role="operator")
    scope = analytics.analytics_scope(actor_id=operator.pk, actor_role=OPERATOR)
    assert scope.kind == "all" and scope.merchant_ids is None
    one = analytics.analytics_scope(
        actor_id=operator.pk, actor_role=OPERATOR, merchant_id=world["makers"][1].pk
    )
    assert one.merchant_ids == {world["makers"][1].pk}
    assert analytics.analytics_total(measure="gmv", period=MARCH, filters=Filters(), scope=one) == (
        3_000
    )
    with pytest.raises(NotFound):
        analytics.analytics_scope(actor_id=operator.pk, actor_role=OPERATOR, merchant_id=10**9)


@pytest.mark.parametrize("role", [BUYER, LEARNER, "", "nobody"])
def test_buyers_learners_and_unknown_roles_are_refused(role) -> None:
    user = f.user()
    with pytest.raises(PermissionDenied) as caught:
        analytics.analytics_scope(actor_id=user.pk, actor_role=role)
    assert caught.value.status == 403


def test_merchant_staff_see_their_own_merchant_only(world) -> None:
    mine, other = world["makers"][0], world["makers"][1]
    staff = f.staff(merchant_obj=mine)
    scope = analytics.analytics_scope(actor_id=staff.pk, actor_role=MERCHANT)
    assert scope.kind == "merchant" and scope.merchant_ids == {mine.pk}
    assert scope.label == mine.display_name
    assert (
        analytics.analytics_total(measure="gmv", period=MARCH, filters=Filters(), scope=scope)
        == 15_000
    )
    # the navigator is for operators: a merchant's question reads its own cells
    assert (
        analytics.analytics_breakdown(
            measure="gmv", dimension="region", period=MARCH, filters=Filters(), scope=scope
        ).total
        == 15_000
    )
    for ask in ({"merchant_id": other.pk}, {"partner_id": 1}, {"pavilion_id": 1}):
        with pytest.raises(PermissionDenied) as caught:
            analytics.analytics_scope(actor_id=staff.pk, actor_role=MERCHANT, **ask)
        assert caught.value.code == "analytics_not_your_merchant"
    loner = f.user(role="merchant")
    with pytest.raises(PermissionDenied):
        analytics.analytics_scope(actor_id=loner.pk, actor_role=MERCHANT)


def _attribute(partner: Any, merchant: Any) -> None:
    from fiera.partners.models import LeadStage

    Lead.objects.create(
        partner_id=partner.id,
        firm_name=merchant.legal_name,
        vat_number=merchant.vat_number,
        region_code=merchant.region_code or "IT-25",
        stage=LeadStage.STORE_LIVE,
        merchant=merchant,
        created_at=f.NOW,
        stage_changed_at=f.NOW,
    )


def test_partners_see_their_own_merchants_only(world) -> None:
    partner, other = make_partner(), make_partner()
    _attribute(partner, world["makers"][0])
    _attribute(partner, world["makers"][2])
    _attribute(other, world["makers"][1])
    staff = make_partner_user(partner)
    scope = analytics.analytics_scope(actor_id=staff.pk, actor_role=PARTNER)
    assert scope.kind == "partner" and scope.label == partner.name
    assert scope.merchant_ids == {world["makers"][0].pk, world["makers"][2].pk}
    assert (
        analytics.analytics_total(measure="gmv", period=MARCH, filters=Filters(), scope=scope)
        == 16_000
    )
    regions = {
        r.code: r for r in analytics.analytics_regions(period=MARCH, filters=Filters(), scope=scope)
    }
    assert regions["IT-25"].merchants == 1 and regions["IT-25"].gmv == 15_000
    one = analytics.analytics_scope(
        actor_id=staff.pk, actor_role=PARTNER, merchant_id=world["makers"][2].pk
    )
    assert one.merchant_ids == {world["makers"][2].pk}
    for ask in ({"partner_id": other.id}, {"merchant_id": world["makers"][1].pk}):
        with pytest.raises(PermissionDenied) as caught:
            analytics.analytics_scope(actor_id=staff.pk, actor_role=PARTNER, **ask)
        assert caught.value.code == "analytics_not_your_partner"
    operator_view = analytics.analytics_scope(
        actor_id=None, actor_role=SYSTEM, partner_id=partner.id
    )
    assert operator_view.merchant_ids == scope.merchant_ids
    empty = analytics.analytics_scope(
        actor_id=None, actor_role=SYSTEM, partner_id=make_partner().id
    )
    assert empty.merchant_ids == frozenset()
    assert (
        analytics.analytics_total(measure="gmv", period=MARCH, filters=Filters(), scope=empty) == 0
    )
    assert all(
        p.value == 0
        for p in analytics.analytics_series(
            measure="gmv", period=MARCH, filters=Filters(), scope=empty
        )
    )


def test_a_pavilion_is_seen_by_its_owner_partner_and_operators() -> None:
    from tests.trade.pavilion_factories import apply, decide, make_pavilion_world, supplier

    pw = make_pavilion_world()
    merchant, owner = supplier(pw.trade)
    decide(pw, apply(pw, merchant, owner).id)
    d = rollups.Deltas()
    _sale(d, merchant, date(2026, 3, 2), gmv=4_200)
    d.write()
    scope = analytics.analytics_scope(
        actor_id=pw.reviewer.pk, actor_role=PARTNER, pavilion_id=pw.pavilion.id
    )
    assert scope.kind == "pavilion" and scope.merchant_ids == {merchant.pk}
    assert scope.label == pw.pavilion.name_en
    assert (
        analytics.analytics_total(measure="gmv", period=MARCH, filters=Filters(), scope=scope)
        == 4_200
    )
    with pytest.raises(PermissionDenied):
        analytics.analytics_scope(
            actor_id=pw.outsider.pk, actor_role=PARTNER, pavilion_id=pw.pavilion.id
        )
    assert analytics.analytics_scope(
        actor_id=None, actor_role=OPERATOR, pavilion_id=pw.pavilion.id
    ).merchant_ids == {merchant.pk}
    with pytest.raises(NotFound):
        analytics.analytics_scope(actor_id=None, actor_role=OPERATOR, pavilion_id=10**9)
