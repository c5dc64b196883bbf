"""The sales rollups follow orders through their lives: placed orders count once however
often the outbox delivers, cancellations come off, partial refunds come off at the recorded
rate, a full refund takes the order off, the first package counts once; and the rebuild
from the orders tables gives the same tables as the live path."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import Sum

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.analytics import rollups
from fiera.analytics.models import (
    MerchantDay,
    MerchantMonth,
    OrderFact,
    SalesCell,
    SalesRollup,
)
from fiera.analytics.services import RebuildOperatorsOnly, analytics_rebuild
from fiera.cli import main
from fiera.common import events
from fiera.common.models import OutboxMessage
from fiera.orders import services as orders
from fiera.orders.models import Order
from tests.analytics.support import HANDLERS, NOW, deliver, place, recomputed, stored, usd
from tests.orders import factories as f
from tests.payments.factories import make_rates

pytestmark = pytest.mark.django_db
RATES = {NOW.date() - timedelta(days=40): "1.05"}


@pytest.fixture
def world() -> dict[str, Any]:
    make_rates(on=NOW.date() - timedelta(days=40))  # the latest earlier rate applies
    market = f.marketplace(countries={"IT": "EUR", "FR": "EUR"})
    italian, french = f.merchant(), f.merchant()
    italian.region_code = "IT-25"
    italian.save(update_fields=["region_code"])
    french.country = "FR"
    french.save(update_fields=["country"])
    return {
        "market": market,
        "italian": italian,
        "french": french,
        "it_item": f.sku(market=market, merchant_obj=italian, price_minor=2_500, stock=500),
        "fr_item": f.sku(market=market, merchant_obj=french, price_minor=1_000, stock=500),
        "buyer": f.user(),
        "it_staff": f.staff(merchant_obj=italian),
    }


def _cell_sum(**where: Any) -> tuple[int, int, int]:
    got = SalesCell.objects.filter(**where).aggregate(
        o=Sum("orders"), u=Sum("units"), g=Sum("gmv_usd_minor")
    )
    return (got["o"] or 0, got["u"] or 0, got["g"] or 0)


def test_a_placed_checkout_counts_each_order_once_however_often_delivered(world) -> None:
    result = place(
        world["buyer"], world["market"], [(world["it_item"].id, 2), (world["fr_item"].id, 3)]
    )
    deliver(times=3)
    assert OrderFact.objects.count() == 2
    it_order = next(o for o in result.orders if o.merchant_id == world["italian"].pk)
    fact = OrderFact.objects.get(order_id=it_order.order_id)
    assert (fact.usd_rate, fact.region, fact.merchant_country) == ("1.05", "IT-25", "IT")
    assert fact.gmv_usd_minor == usd(it_order.total_minor, "1.05")
    assert _cell_sum(merchant_id=world["italian"].pk) == (1, 2, fact.gmv_usd_minor)
    total = sum(usd(o.total_minor, "1.05") for o in result.orders)
    day = SalesRollup.objects.get(grain="d", dim="all", period=NOW.date())
    month = SalesRollup.objects.get(grain="m", dim="all", period=date(2026, 3, 1))
    assert (day.orders, day.units, day.gmv_usd_minor) == (2, 5, total)
    assert (month.orders, month.units, month.gmv_usd_minor) == (2, 5, total)
    by_region = {
        r.dim_key: r.gmv_usd_minor for r in SalesRollup.objects.filter(grain="d", dim="region")
    }
    assert by_region == {"IT-25": fact.gmv_usd_minor, "": total - fact.gmv_usd_minor}
    assert MerchantDay.objects.filter(orders=1).count() == 4  # and the all-marketplace rows
    assert MerchantMonth.objects.filter(orders=1).count() == 4
    assert stored() == recomputed(RATES)


def test_cancel_takes_the_order_off_and_redelivery_changes_nothing(world) -> None:
    result = place(world["buyer"], world["market"], [(world["it_item"].id, 1)])
    mark = deliver()
    staff = {"actor_id": world["it_staff"].pk, "actor_role": MERCHANT}
    orders.order_cancel(**staff, number=result.orders[0].number, now=NOW)
    deliver(after=mark, times=2)
    fact = OrderFact.objects.get()
    assert fact.uncounted_at is not None and fact.gmv_usd_minor == 0 and fact.units == 0
    assert _cell_sum() == (0, 0, 0)
    assert not SalesRollup.objects.exclude(orders=0, units=0, gmv_usd_minor=0).exists()
    assert {d.orders for d in MerchantDay.objects.all()} == {0}
    assert {m.orders for m in MerchantMonth.objects.all()} == {0}
    assert stored() == recomputed(RATES)


def _ship_deliver(world: dict[str, Any], number: str, *, at=NOW) -> None:
    staff = {"actor_id": world["it_staff"].pk, "actor_role": MERCHANT}
    orders.order_ship(**staff, number=number, carrier="BRT", tracking_number=f"T-{number}", now=at)
    orders.order_deliver(**staff, number=number, now=at)


def test_partial_then_full_refund_at_the_recorded_rate(world) -> None:
    result = place(world["buyer"], world["market"], [(world["it_item"].id, 4)])
    number = result.orders[0].number
    mark = deliver()
    make_rates(on=NOW.date(), USD="2.00")  # a later rate changes nothing already counted
    _ship_deliver(world, number, at=NOW + timedelta(days=1))
    staff = {"actor_id": world["it_staff"].pk, "actor_role": MERCHANT}
    orders.order_refund(**staff, number=number, amount_minor=3_333, reason="", now=NOW)
    mark = deliver(after=mark, times=2)
    total = Order.objects.get(number=number).total_minor
    assert _cell_sum() == (1, 4, usd(total - 3_333, "1.05"))
    assert stored() == recomputed(RATES)
    orders.order_refund(**staff, number=number, amount_minor=1_000, reason="", now=NOW)
    mark = deliver(after=mark)
    assert _cell_sum() == (1, 4, usd(total - 4_333, "1.05"))
    assert stored() == recomputed(RATES)
    orders.order_refund(**staff, number=number, amount_minor=total - 4_333, reason="", now=NOW)
    deliver(after=mark, times=2)
    assert _cell_sum() == (0, 0, 0)
    assert OrderFact.objects.get().uncounted_at is not None
    assert stored() == recomputed(RATES)
    # the package stays counted: it shipped
    assert MerchantDay.objects.filter(marketplace_id=0).aggregate(n=Sum("packages"))["n"] == 1
    assert SalesRollup.objects.filter(grain="d", dim="all").aggregate(n=Sum("packages"))["n"] == 1


def test_a_late_refund_event_never_raises_the_figures(world) -> None:
    result = place(world["buyer"], world["market"], [(world["it_item"].id, 4)])
    deliver()
    order = Order.objects.get(number=result.orders[0].number)
    event_payload = {
        "order_id": order.pk,
        "merchant_id": order.merchant_id,
        "total_minor": order.total_minor,
        "status": "delivered",
        "fully_refunded": False,
    }
    from fiera.common import events

    def refund(refunded: int) -> None:
        rollups.on_order_refunded(
            events.Event(
                id=1,
                topic=rollups.REFUNDED_TOPIC,
                payload={**event_payload, "refunded_minor": refunded},
                created_at=NOW,
                subscriber="test",
                attempt=1,
            )
        )

    refund(5_000)
    refund(2_000)  # delivered after the later one: changes nothing
    assert _cell_sum() == (1, 4, usd(order.total_minor - 5_000, "1.05"))


def test_the_first_package_counts_once_on_its_shipping_day(world) -> None:
    result = place(world["buyer"], world["market"], [(world["it_item"].id, 1)])
    mark = deliver()
    shipped_at = NOW + timedelta(days=2, hours=20)  # 2026-03-13 05:30 UTC
    staff = {"actor_id": world["it_staff"].pk, "actor_role": MERCHANT}
    number = result.orders[0].number
    orders.order_ship(**staff, number=number, carrier="BRT", tracking_number="T1", now=shipped_at)
    deliver(after=mark, times=3)
    (row,) = MerchantDay.objects.filter(packages__gt=0, marketplace_id__gt=0)
    assert (row.day, row.packages, row.region) == (date(2026, 3, 13), 1, "IT-25")
    assert OrderFact.objects.get().shipped_day == date(2026, 3, 13)
    assert stored() == recomputed(RATES)


def test_an_order_without_a_usd_rate_is_not_counted(world) -> None:
    from fiera.payments.models import FxRate

    FxRate.objects.all().delete()
    place(world["buyer"], world["market"], [(world["it_item"].id, 1)])
    deliver()
    assert not OrderFact.objects.exists() and not SalesCell.objects.exists()


def _history(world: dict[str, Any]) -> None:
    buyer, market = world["buyer"], world["market"]
    staff = {"actor_id": world["it_staff"].pk, "actor_role": MERCHANT}
    place(buyer, market, [(world["fr_item"].id, 2)], at=NOW - timedelta(days=12), country="FR")
    a = place(buyer, market, [(world["it_item"].id, 1), (world["fr_item"].id, 1)])
    b = place(buyer, market, [(world["it_item"].id, 3)], at=NOW + timedelta(days=25))
    c = place(buyer, market, [(world["it_item"].id, 2)], at=NOW + timedelta(days=1))
    it_a = next(o for o in a.orders if o.merchant_id == world["italian"].pk)
    orders.order_cancel(**staff, number=c.orders[0].number, now=NOW + timedelta(days=1))
    _ship_deliver(world, it_a.number, at=NOW + timedelta(days=3))
    orders.order_refund(**staff, number=it_a.number, amount_minor=777, reason="", now=NOW)
    _ship_deliver(world, b.orders[0].number, at=NOW + timedelta(days=26))


def test_rebuild_gives_the_tables_of_the_live_path(world) -> None:
    _history(world)
    deliver(times=2)
    live = stored()
    assert live == recomputed(RATES)
    seen: list[int] = []
    report = analytics_rebuild(since=None, actor_role=SYSTEM, progress=seen.append)
    assert report.orders_read == sum(seen) == 5 and report.orders_counted == 5
    assert stored() == live
    # from a month on: the earlier months stay, the rest is rebuilt the same
    report = analytics_rebuild(since=date(2026, 3, 20), actor_role=OPERATOR)
    assert report.since == date(2026, 3, 1) and report.orders_read == 4
    assert stored() == live
    report = analytics_rebuild(since=date(2026, 4, 2), actor_role=OPERATOR)
    assert report.orders_read == 1
    assert stored() == live
    with pytest.raises(RebuildOperatorsOnly):
        analytics_rebuild(since=None, actor_role=BUYER)


def test_rebuild_counts_orders_written_without_events(world) -> None:
    _history(world)  # nothing delivered: as the demo's history
    assert not OrderFact.objects.exists()
    assert main(["analytics", "rebuild", "--no-progress"]) == 0
    assert stored() == recomputed(RATES)
    assert main(["analytics", "rebuild", "--since", "2026-04-01", "--no-progress"]) == 0
    assert stored() == recomputed(RATES)
    assert main(["analytics", "rebuild", "--since", "April", "--no-progress"]) == 2


def test_statements_split_under_the_bound_value_limit(world, monkeypatch) -> None:
    from fiera.analytics import rollups as module

    monkeypatch.setattr(module, "MAX_PARAMS", 40)  # two or three rows per statement
    _history(world)
    deliver(times=2)
    assert stored() == recomputed(RATES)
    analytics_rebuild(since=None, actor_role=SYSTEM, batch=2)
    assert stored() == recomputed(RATES)


def _placed_then_changed_before_any_delivery(world: dict[str, Any]) -> dict[str, str]:
    """Four checkouts: one kept, one cancelled, one shipped and partly refunded, one shipped
    and refunded in full; nothing delivered yet."""
    numbers = {}
    for name in ("kept", "cancelled", "refunded", "gone"):
        result = place(world["buyer"], world["market"], [(world["it_item"].id, 4)])
        numbers[name] = result.orders[0].number
    staff = {"actor_id": world["it_staff"].pk, "actor_role": MERCHANT}
    orders.order_cancel(**staff, number=numbers["cancelled"], now=NOW)
    for name in ("refunded", "gone"):
        _ship_deliver(world, numbers[name])
    total = Order.objects.get(number=numbers["gone"]).total_minor
    orders.order_refund(**staff, number=numbers["refunded"], amount_minor=3_333, reason="", now=NOW)
    orders.order_refund(**staff, number=numbers["gone"], amount_minor=total, reason="", now=NOW)
    return numbers


def test_changes_delivered_before_their_placed_event_count_the_same(world) -> None:
    """At-least-once, in any order: the cancelled, refunded and shipped events handed over
    BEFORE the checkout's placed event leave the tables a rebuild would write."""
    _placed_then_changed_before_any_delivery(world)
    for message in OutboxMessage.objects.order_by("-id"):  # newest first: the wrong order
        handler = HANDLERS.get(message.topic)
        if handler is not None:
            handler(
                events.Event(
                    id=message.pk,
                    topic=message.topic,
                    payload=message.payload,
                    created_at=message.created_at,
                    subscriber="test",
                    attempt=1,
                )
            )
    total = Order.objects.filter(merchant_id=world["italian"].pk).first().total_minor
    assert _cell_sum() == (2, 8, usd(total, "1.05") + usd(total - 3_333, "1.05"))
    assert MerchantDay.objects.filter(marketplace_id=0).aggregate(n=Sum("packages"))["n"] == 2
    assert stored() == recomputed(RATES)


@pytest.mark.django_db(transaction=True)
def test_one_relay_run_after_a_cancel_takes_the_order_off(world, monkeypatch) -> None:
    """The relay runs a topic's subscribers in name order ("analytics.rollups.cancelled"
    before "analytics.rollups.placed"): an order placed and cancelled between two runs must
    not stay counted."""
    monkeypatch.setattr(events, "schedule_relay", lambda: None)  # no relay after commits
    _placed_then_changed_before_any_delivery(world)
    assert not OrderFact.objects.exists()
    events.relay(now=NOW, batch_size=500)
    total = Order.objects.filter(merchant_id=world["italian"].pk).first().total_minor
    assert _cell_sum() == (2, 8, usd(total, "1.05") + usd(total - 3_333, "1.05"))
    assert stored() == recomputed(RATES)
