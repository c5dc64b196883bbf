"""Property: after any sequence of checkouts, cancellations, refunds and shipments through
the real order services (events delivered once or twice, at any point), the rollups equal
a recomputation straight from the orders tables, and every question of the query layer
answered from SalesRollup (the navigator) equals the same question answered from SalesCell
and from the recomputation."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiera.accounts.roles import MERCHANT
from fiera.analytics import query
from fiera.analytics.query import Filters, Period, Scope
from fiera.catalog.models import Category
from fiera.common.errors import DomainError
from fiera.orders import services as orders
from fiera.orders.models import Order
from tests.analytics.support import NOW, deliver, place, recomputed, stored
from tests.orders import factories as f
from tests.payments.factories import make_rates

pytestmark = pytest.mark.django_db
START = NOW.date()
RATES = {START - timedelta(days=60): "1.05", START + timedelta(days=5): "1.10"}


class Rollback(Exception):
    pass


place_op = st.tuples(
    st.just("place"),
    st.integers(-20, 30),  # day offset from NOW
    st.integers(0, 1),  # marketplace
    st.integers(0, 1),  # buyer country
    st.lists(st.tuples(st.integers(0, 4), st.integers(1, 3)), min_size=1, max_size=3),
)
order_op = st.tuples(
    st.sampled_from(
        ["cancel", "ship", "refund", "refund", "refund", "refund_all", "deliver", "deliver_twice"]
    ),
    st.integers(0, 20),  # which order
    st.integers(0, 6),  # days later / refund share in sevenths
)
operations = st.tuples(
    place_op, st.lists(st.one_of(place_op, order_op, order_op), min_size=2, max_size=14)
).map(lambda first_rest: [first_rest[0], *first_rest[1]])


def _world() -> dict[str, Any]:
    for day, usd in RATES.items():
        make_rates(on=day, USD=usd)
    markets = [f.marketplace(countries={"IT": "EUR", "FR": "EUR"}) for _ in range(2)]
    makers = [f.merchant(), f.merchant(), f.merchant()]
    for maker, (country, region) in zip(
        makers, [("IT", "IT-25"), ("IT", "IT-52"), ("FR", "")], strict=True
    ):
        maker.country, maker.region_code = country, region
        maker.save(update_fields=["country", "region_code"])
    cats = [
        Category.objects.create(slug=f"c{i}", name_it=f"C{i}", name_en=f"C{i}", name_zh=f"C{i}")
        for i in range(2)
    ]
    prices = [1_999, 2_500, 333, 10_001, 7_77]
    items = []
    for i, price in enumerate(prices):
        for market in markets:
            item = f.sku(market=market, merchant_obj=makers[i % 3], price_minor=price, stock=999)
            if i < 4:
                item.product.category = cats[i % 2]
                item.product.save(update_fields=["category"])
            items.append((market, item))
    return {
        "markets": markets,
        "makers": makers,
        "cats": cats,
        "items": items,
        "staff": {m.pk: f.staff(merchant_obj=m) for m in makers},
        "buyer": f.user(),
    }


def _run(world: dict[str, Any], ops: list[tuple[Any, ...]]) -> None:
    numbers: list[str] = []
    mark = 0
    for op in ops:
        kind = op[0]
        if kind == "place":
            _, offset, m, c, lines = op
            market = world["markets"][m]
            chosen = [item.id for (mk, item) in world["items"] if mk == market]
            basket: dict[int, int] = {}
            for idx, qty in lines:
                variant = chosen[idx % len(chosen)]
                basket[variant] = basket.get(variant, 0) + qty
            result = place(
                world["buyer"],
                market,
                sorted(basket.items()),
                at=NOW + timedelta(days=offset, hours=offset % 7),
                country=("IT", "FR")[c],
            )
            numbers += [o.number for o in result.orders]
            continue
        if kind in ("deliver", "deliver_twice"):
            mark = deliver(after=mark, times=2 if kind == "deliver_twice" else 1)
            continue
        if not numbers:
            continue
        order = Order.objects.get(number=numbers[op[1] % len(numbers)])
        staff = {"actor_id": world["staff"][order.merchant_id].pk, "actor_role": MERCHANT}
        later = order.placed_at + timedelta(days=op[2], hours=3)
        try:
            if kind == "cancel":
                orders.order_cancel(**staff, number=order.number, now=later)
            elif kind == "ship":
                orders.order_ship(
                    **staff,
                    number=order.number,
                    carrier="BRT",
                    tracking_number=f"T{order.pk}-{op[2]}",
                    now=later,
                )
            else:
                if order.status in ("placed", "shipped"):
                    if order.status == "placed":
                        orders.order_ship(
                            **staff,
                            number=order.number,
                            carrier="BRT",
                            tracking_number=f"T{order.pk}",
                            now=later,
                        )
                    orders.order_deliver(**staff, number=order.number, now=later)
                    order.refresh_from_db()
                left = order.total_minor - order.refunded_minor
                amount = left if kind == "refund_all" else max(1, left * op[2] // 7)
                orders.order_refund(
                    **staff, number=order.number, amount_minor=amount, reason="", now=later
                )
        except DomainError:
            pass  # not allowed in the order's state: nothing happened
    deliver(after=mark, times=2)


def _expected(
    rec: dict[str, Any],
    places: dict[int, tuple[str, str]],
    measure: str,
    period: Period,
    filters: Filters,
    group: str | None,
) -> dict[str, int]:
    """The question answered from the recomputation."""
    index = {"orders": 0, "units": 1, "gmv": 2}[measure]
    out: dict[str, int] = defaultdict(int)
    for (merchant, day, market, b_country, cat), values in rec["cells"].items():
        m_country, region = places[merchant]
        attrs = {
            "marketplace": str(market),
            "merchant_country": m_country,
            "buyer_country": b_country,
            "region": region,
            "category": str(cat),
            "merchant": str(merchant),
        }
        if not period.start <= day <= period.end:
            continue
        if filters.marketplace_id is not None and market != filters.marketplace_id:
            continue
        if filters.merchant_country and m_country != filters.merchant_country:
            continue
        if filters.buyer_country and b_country != filters.buyer_country:
            continue
        if filters.region and region != filters.region:
            continue
        if filters.category_id is not None and cat != filters.category_id:
            continue
        out[attrs[group] if group else ""] += values[index]
    return {k: v for k, v in out.items() if v}


def _active(
    rec: dict[str, Any], places: dict[int, tuple[str, str]], period: Period, group: str | None
) -> dict[str, int]:
    seen: dict[str, set[int]] = defaultdict(set)
    for (merchant, day, market), values in rec["merchant_days"].items():
        if market == 0:  # the all-marketplace rows: the same merchants again
            continue
        if period.start <= day <= period.end and values[0] > 0:
            key = {"region": places[merchant][1], "marketplace": str(market)}.get(group or "", "")
            seen[key].add(merchant)
    return {k: len(v) for k, v in seen.items()}


def _check_questions(world: dict[str, Any], periods: list[Period]) -> None:
    rec = recomputed(RATES)
    places = {m.pk: (m.country, m.region_code) for m in world["makers"]}
    navigator = Scope(kind="all", merchant_ids=None, label="all")
    cells = Scope(kind="all", merchant_ids=frozenset(places), label="all, from the cells")
    market = world["markets"][0].pk
    filter_sets = [
        Filters(),
        Filters(marketplace_id=market),
        Filters(merchant_country="IT"),
        Filters(buyer_country="FR", marketplace_id=market),
        Filters(region="IT-25"),
        Filters(category_id=world["cats"][1].pk),
        Filters(category_id=0),
        Filters(region="IT-52", buyer_country="IT"),  # two dimensions: cells for both
    ]
    for period in periods:
        for measure in ("gmv", "orders", "units"):
            for filters in filter_sets:
                want = sum(_expected(rec, places, measure, period, filters, None).values())
                for scope in (navigator, cells):
                    got = query.analytics_total(
                        measure=measure, period=period, filters=filters, scope=scope
                    )
                    assert got == want, (measure, period, filters, scope.label)
            for dimension in (
                "marketplace",
                "merchant_country",
                "buyer_country",
                "region",
                "category",
                "merchant",
            ):
                for filters in (Filters(), Filters(marketplace_id=market)):
                    want = _expected(rec, places, measure, period, filters, dimension)
                    answers = [
                        query.analytics_breakdown(
                            measure=measure,
                            dimension=dimension,
                            period=period,
                            filters=filters,
                            scope=scope,
                            top=None,
                        )
                        for scope in (navigator, cells)
                    ]
                    for answer in answers:
                        assert {r.key: r.value for r in answer.rows} == want
                        assert answer.total == sum(want.values()) and answer.others == 0
                    assert answers[0].rows == answers[1].rows
            for grain in ("day", "week", "month"):
                series = [
                    query.analytics_series(
                        measure=measure,
                        period=period,
                        filters=Filters(),
                        scope=scope,
                        grain=grain,
                    )
                    for scope in (navigator, cells)
                ]
                assert series[0] == series[1]
                want_by_bucket: dict[date, int] = defaultdict(int)
                for (_m, day, _mk, _b, _c), values in rec["cells"].items():
                    if period.start <= day <= period.end:
                        index = {"orders": 0, "units": 1, "gmv": 2}[measure]
                        want_by_bucket[query.bucket_of(day, grain)] += values[index]
                assert {p.day: p.value for p in series[0] if p.value} == {
                    k: v for k, v in want_by_bucket.items() if v
                }
                assert [p.day for p in series[0]] == query.buckets(period, grain)
        for group in (None, "region", "marketplace"):
            want = _active(rec, places, period, group)
            if group is None:
                for scope in (navigator, cells):
                    got = query.analytics_total(
                        measure="active_merchants", period=period, filters=Filters(), scope=scope
                    )
                    assert got == want.get("", 0)
            else:
                answer = query.analytics_breakdown(
                    measure="active_merchants",
                    dimension=group,
                    period=period,
                    filters=Filters(),
                    scope=navigator,
                    top=None,
                )
                assert {r.key: r.value for r in answer.rows} == want
        for filters in (Filters(), Filters(marketplace_id=market), Filters(region="IT-25")):
            packages = sum(
                values[3]
                for (merchant, day, mk), values in rec["merchant_days"].items()
                if mk != 0
                and period.start <= day <= period.end
                and filters.marketplace_id in (None, mk)
                and filters.region in ("", places[merchant][1])
            )
            for scope in (navigator, cells):  # SalesRollup; MerchantMonth/MerchantDay
                got = query.analytics_total(
                    measure="packages", period=period, filters=filters, scope=scope
                )
                assert got == packages, (period, filters, scope.label)
                by_day = query.analytics_series(
                    measure="packages", period=period, filters=filters, scope=scope
                )
                assert sum(p.value for p in by_day) == packages


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=operations,
    starts=st.lists(st.integers(-25, 30), min_size=1, max_size=2),
    lengths=st.lists(st.integers(1, 60), min_size=1, max_size=2),
)
def test_rollups_and_answers_equal_a_recomputation_from_the_orders(ops, starts, lengths):
    try:
        with transaction.atomic():
            world = _world()
            _run(world, ops)
            assert stored() == recomputed(RATES)
            periods = [
                Period(START + timedelta(days=s), START + timedelta(days=s + n - 1))
                for s, n in zip(starts, lengths, strict=False)
            ]
            periods.append(Period(date(2026, 2, 1), date(2026, 4, 30)))  # whole months
            _check_questions(world, periods)
            raise Rollback
    except Rollback:
        pass
