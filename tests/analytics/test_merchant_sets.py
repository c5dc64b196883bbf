"""Merchant sets: a scope of several merchants (a partner's, a pavilion's) is summed the
first time it is asked about and kept by the order events after; its answers equal the
per-merchant rows', through new orders, cancellations, refunds and shipments; a changed
membership is another set; unread sets are dropped; a rebuild drops them all and the next
question sums them again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fiera.accounts.roles import MERCHANT, SYSTEM
from fiera.analytics import merchant_sets, query
from fiera.analytics.models import MerchantSet, MerchantSetDay, MerchantSetMember
from fiera.analytics.services import analytics_rebuild
from fiera.orders import services as orders
from tests.analytics.support import NOW, deliver, merchant_set_mismatches, place
from tests.orders import factories as f
from tests.payments.factories import make_rates

pytestmark = pytest.mark.django_db
PERIOD = query.Period(NOW.date() - timedelta(days=40), NOW.date() + timedelta(days=5))


@pytest.fixture
def world() -> dict[str, Any]:
    make_rates(on=NOW.date() - timedelta(days=60))
    market = f.marketplace(countries={"IT": "EUR"})
    makers = [f.merchant() for _ in range(3)]
    return {
        "market": market,
        "makers": makers,
        "items": [
            f.sku(market=market, merchant_obj=m, price_minor=1_000 * (i + 1), stock=500)
            for i, m in enumerate(makers)
        ],
        "staff": [f.staff(merchant_obj=m) for m in makers],
        "buyer": f.user(),
    }


def _scope(*merchants: Any) -> query.Scope:
    return query.Scope(
        kind="partner", merchant_ids=frozenset(m.pk for m in merchants), label="partner"
    )


def _answers(scope: query.Scope) -> tuple[Any, ...]:
    kpis = query.analytics_kpis(period=PERIOD, filters=query.Filters(), scope=scope)
    series = query.analytics_series(
        measure="gmv", period=PERIOD, filters=query.Filters(), scope=scope
    )
    months = query.analytics_series(
        measure="orders", period=PERIOD, filters=query.Filters(), scope=scope, grain="month"
    )
    markets = query.analytics_breakdown(
        measure="gmv",
        dimension="marketplace",
        period=PERIOD,
        filters=query.Filters(),
        scope=scope,
    )
    return (
        [(k.measure, k.value, k.previous) for k in kpis],
        [(p.day, p.value) for p in series],
        [(p.day, p.value) for p in months],
        [(r.key, r.value) for r in markets.rows],
    )


def _by_merchant_rows(scope: query.Scope) -> tuple[Any, ...]:
    """The same answers read from the per-merchant rows (the set path switched off)."""
    original = merchant_sets.MIN_MERCHANTS
    merchant_sets.MIN_MERCHANTS = 10**9
    try:
        return _answers(scope)
    finally:
        merchant_sets.MIN_MERCHANTS = original


def test_a_set_is_summed_once_then_kept_by_the_events(world) -> None:
    a, b, c = world["makers"]
    item_a, item_b, item_c = world["items"]
    first = place(world["buyer"], world["market"], [(item_a.id, 2), (item_b.id, 1)])
    place(world["buyer"], world["market"], [(item_c.id, 4)], at=NOW - timedelta(days=33))
    mark = deliver()
    partner = _scope(a, b)
    assert not MerchantSet.objects.exists()
    before = _answers(partner)
    assert MerchantSet.objects.count() == 1
    assert before == _by_merchant_rows(partner)
    assert MerchantSetDay.objects.exists() and merchant_set_mismatches() == []
    assert before[0][0][1] > 0  # GMV: the set holds real figures

    # the events keep it: more orders, a cancellation, a refund, a shipment
    place(world["buyer"], world["market"], [(item_b.id, 3)], at=NOW - timedelta(days=20))
    place(world["buyer"], world["market"], [(item_c.id, 1)])
    staff_a = {"actor_id": world["staff"][0].pk, "actor_role": MERCHANT}
    staff_b = {"actor_id": world["staff"][1].pk, "actor_role": MERCHANT}
    a_order = next(o for o in first.orders if o.merchant_id == a.pk)
    b_order = next(o for o in first.orders if o.merchant_id == b.pk)
    orders.order_ship(
        **staff_a, number=a_order.number, carrier="BRT", tracking_number="T1", now=NOW
    )
    orders.order_deliver(**staff_a, number=a_order.number, now=NOW)
    orders.order_refund(**staff_a, number=a_order.number, amount_minor=500, reason="", now=NOW)
    orders.order_cancel(**staff_b, number=b_order.number, now=NOW)
    deliver(after=mark, times=2)
    assert merchant_set_mismatches() == []
    after = _answers(partner)
    assert after != before and after == _by_merchant_rows(partner)
    assert MerchantSet.objects.count() == 1

    # another membership is another set; the first stays until nobody reads it
    wider = _scope(a, b, c)
    assert _answers(wider) == _by_merchant_rows(wider)
    assert MerchantSet.objects.count() == 2
    assert set(MerchantSet.objects.values_list("merchants", flat=True)) == {2, 3}


def test_unread_sets_are_dropped_and_a_rebuild_sums_them_again(world) -> None:
    a, b, c = world["makers"]
    place(world["buyer"], world["market"], [(world["items"][0].id, 1), (world["items"][1].id, 1)])
    deliver()
    old = merchant_sets.merchant_set_for(frozenset({a.pk, b.pk}), now=NOW)
    assert merchant_sets.merchant_set_for(frozenset({b.pk, a.pk}), now=NOW) == old
    later = NOW + timedelta(days=merchant_sets.SETS_KEPT_DAYS + 1)
    merchant_sets.merchant_set_for(frozenset({a.pk, c.pk}), now=later)
    assert not MerchantSet.objects.filter(id=old).exists()
    assert not MerchantSetMember.objects.filter(merchant_set_id=old).exists()
    assert not MerchantSetDay.objects.filter(merchant_set_id=old).exists()

    partner = _scope(a, c)
    expected = _answers(partner)
    analytics_rebuild(since=None, actor_role=SYSTEM)
    assert not MerchantSet.objects.exists()
    assert _answers(partner) == expected
    assert merchant_set_mismatches() == []


def test_one_merchant_and_filtered_questions_read_the_merchant_rows(world) -> None:
    a, b, _c = world["makers"]
    place(world["buyer"], world["market"], [(world["items"][0].id, 1)])
    deliver()
    query.analytics_total(measure="gmv", period=PERIOD, filters=query.Filters(), scope=_scope(a))
    query.analytics_total(
        measure="gmv", period=PERIOD, filters=query.Filters(region="IT-25"), scope=_scope(a, b)
    )
    assert not MerchantSet.objects.exists()
    with pytest.raises(ValueError):
        merchant_sets.merchant_set_for(frozenset({a.pk}), now=NOW)
    assert merchant_sets.fingerprint(frozenset({1, 2})) != merchant_sets.fingerprint(
        frozenset({1, 3})
    )
