"""MerchantActivity: a bit per day of the year, set where the merchant sold. The days
follow the orders (a cancelled day's only order clears it, another order keeps it), years
are cut at 1 January (the 366th character of a leap year included), active-merchant
questions across a new year count each merchant once, and the rebuild's activity equals
the live one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from fiera.accounts.roles import MERCHANT
from fiera.analytics import query, rollups
from fiera.analytics.models import ALL_MARKETPLACES, MerchantActivity, span_masks
from fiera.orders import services as orders
from tests.analytics.support import deliver, place
from tests.orders import factories as f
from tests.payments.factories import make_rates

pytestmark = pytest.mark.django_db

LEAP_LAST = datetime(2024, 12, 31, 12, 0, tzinfo=UTC)  # the 366th day of 2024
YEAR_LAST = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # the 365th day of 2025
NEW_YEAR = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
ALL = query.Scope(kind="all", merchant_ids=None, label="all")
COLUMNS = ("merchant_id", "marketplace_id", "year", "merchant_country", "region")
COLUMNS += tuple(f"w{i}" for i in range(6))


@pytest.fixture
def world() -> dict[str, Any]:
    make_rates(on=date(2024, 12, 1))
    market = f.marketplace(countries={"IT": "EUR"})
    first, second = f.merchant(), f.merchant()
    first.region_code = "IT-25"
    first.save(update_fields=["region_code"])
    return {
        "market": market,
        "first": first,
        "second": second,
        "a": f.sku(market=market, merchant_obj=first, price_minor=2_000, stock=100),
        "b": f.sku(market=market, merchant_obj=second, price_minor=3_000, stock=100),
        "buyer": f.user(),
        "staff": f.staff(merchant_obj=first),
    }


def _days(merchant_id: int, year: int, market: int = ALL_MARKETPLACES) -> list[int]:
    row = MerchantActivity.objects.get(merchant_id=merchant_id, year=year, marketplace_id=market)
    return row.active_days()


def _active(first: date, last: date, **filters: Any) -> int:
    return query.analytics_total(
        measure="active_merchants",
        period=query.Period(first, last),
        filters=query.Filters(**filters),
        scope=ALL,
    )


def test_days_are_marked_across_years_and_counted_once(world) -> None:
    place(world["buyer"], world["market"], [(world["b"].id, 1)], at=LEAP_LAST)
    place(world["buyer"], world["market"], [(world["a"].id, 1)], at=YEAR_LAST)
    place(world["buyer"], world["market"], [(world["a"].id, 2)], at=NEW_YEAR)
    deliver()
    first, second = world["first"].pk, world["second"].pk
    assert _days(second, 2024) == [366]
    assert _days(first, 2025) == [365] == _days(first, 2025, world["market"].pk)
    assert _days(first, 2026) == [1]
    assert MerchantActivity.objects.filter(merchant_id=first, year=2026).count() == 2
    assert {a.region for a in MerchantActivity.objects.filter(merchant_id=first)} == {"IT-25"}

    assert _active(date(2025, 12, 31), date(2026, 1, 1)) == 1  # one merchant, two years
    assert _active(date(2024, 12, 31), date(2026, 1, 1)) == 2
    assert _active(date(2025, 1, 1), date(2025, 12, 30)) == 0
    assert _active(date(2024, 12, 31), date(2024, 12, 31)) == 1
    assert _active(date(2024, 12, 1), date(2026, 1, 1), region="IT-25") == 1
    assert _active(date(2024, 12, 1), date(2026, 1, 1), marketplace_id=world["market"].pk) == 2
    kpis = query.analytics_kpis(
        period=query.Period(date(2026, 1, 1), date(2026, 1, 1)), filters=query.Filters(), scope=ALL
    )
    active = next(k for k in kpis if k.measure == "active_merchants")
    assert (active.value, active.previous) == (1, 1)  # the previous day: 31 December
    by_month = query.analytics_series(
        measure="active_merchants",
        period=query.Period(date(2025, 11, 15), date(2026, 1, 20)),
        filters=query.Filters(),
        scope=ALL,
        grain="month",
    )
    assert [(p.day, p.value) for p in by_month] == [
        (date(2025, 11, 1), 0),
        (date(2025, 12, 1), 1),
        (date(2026, 1, 1), 1),
    ]


def test_a_day_clears_when_its_only_order_is_cancelled_and_the_rebuild_agrees(world) -> None:
    one = place(world["buyer"], world["market"], [(world["a"].id, 1)], at=YEAR_LAST)
    later = YEAR_LAST - timedelta(days=3)
    two = place(world["buyer"], world["market"], [(world["a"].id, 1)], at=later)
    again = place(world["buyer"], world["market"], [(world["a"].id, 1)], at=later)
    mark = deliver()
    merchant = world["first"].pk
    assert _days(merchant, 2025) == [362, 365]
    staff = {"actor_id": world["staff"].pk, "actor_role": MERCHANT}
    orders.order_cancel(**staff, number=one.orders[0].number, now=NEW_YEAR)
    orders.order_cancel(**staff, number=two.orders[0].number, now=NEW_YEAR)
    deliver(after=mark, times=2)
    assert _days(merchant, 2025) == [362]  # its other order keeps 28 December
    assert _days(merchant, 2025, world["market"].pk) == [362]
    assert _active(date(2025, 12, 31), date(2025, 12, 31)) == 0
    assert _active(date(2025, 12, 28), date(2025, 12, 31)) == 1
    assert again.orders

    live = sorted(MerchantActivity.objects.values_list(*COLUMNS))
    MerchantActivity.objects.all().delete()
    assert rollups.activity_from_days(None) == len(live)
    rebuilt = sorted(MerchantActivity.objects.values_list(*COLUMNS))
    assert rebuilt == live


def test_span_masks_cover_exactly_the_days_asked() -> None:
    for first, last in ((0, 0), (0, 365), (60, 61), (59, 130), (122, 122), (300, 365)):
        masks = span_masks(first, last)
        days = sorted(
            word * 61 + bit for word, mask in masks.items() for bit in range(61) if mask >> bit & 1
        )
        assert days == list(range(first, last + 1)), (first, last)
        assert all(0 < mask < 2**63 for mask in masks.values())
