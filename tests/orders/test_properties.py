"""Property: whatever the lines and the stock, stock never goes below zero, the units
taken are exactly the units ordered, and every total is the sum of its lines."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiera.accounts.roles import SYSTEM
from fiera.catalog.models import StockLevel
from fiera.orders import services
from fiera.orders.models import Checkout, Order, OrderLine
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


stock_levels = st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=6)
requests = st.lists(
    st.lists(st.tuples(st.integers(0, 5), st.integers(1, 4)), min_size=1, max_size=5),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    stocks=stock_levels,
    baskets=requests,
    prices=st.lists(st.integers(1, 10**7), min_size=6, max_size=6),
)
def test_stock_never_negative_and_totals_add_up(stocks, baskets, prices):
    try:
        with transaction.atomic():
            market = f.marketplace()
            makers = [f.merchant(), f.merchant()]
            items = [
                f.sku(market=market, merchant_obj=makers[i % 2], stock=units, price_minor=prices[i])
                for i, units in enumerate(stocks)
            ]
            before = sum(stocks)
            ordered = 0
            for basket in baskets:
                lines = [(items[i % len(items)].id, q) for i, q in basket]
                try:
                    result = services.checkout_submit(
                        buyer_id=f.user().pk,
                        marketplace_slug=market.slug,
                        country="IT",
                        lines=lines,
                        shipping_address=f.address(),
                        payment_method="cod",
                        now=f.NOW,
                        actor_role=SYSTEM,
                    )
                except services.OutOfStock:
                    continue
                ordered += sum(q for _, q in lines)
                assert result.total_minor == sum(o.total_minor for o in result.orders)
                for order in result.orders:
                    assert order.subtotal_minor == sum(
                        line.line_total_minor for line in order.lines
                    )
                    for line in order.lines:
                        assert line.line_total_minor == line.unit_price_minor * line.quantity
            levels = list(StockLevel.objects.filter(variant__in=[i.variant for i in items]))
            assert all(level.units_on_hand >= 0 for level in levels)
            assert before - sum(level.units_on_hand for level in levels) == ordered
            assert sum(OrderLine.objects.values_list("quantity", flat=True)) == ordered
            for order in Order.objects.prefetch_related("lines"):
                assert order.subtotal_minor == sum(x.line_total_minor for x in order.lines.all())
            for checkout in Checkout.objects.prefetch_related("orders"):
                assert checkout.total_minor == sum(o.total_minor for o in checkout.orders.all())
            raise Rollback
    except Rollback:
        pass
