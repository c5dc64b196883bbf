"""catalog.reservations: the one-statement price, reserve and release functions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fiera.catalog.models import StockLevel, StockMovement
from fiera.catalog.reservations import (
    OutOfStock,
    checkout_variants_priced,
    stock_release,
    stock_reserve,
    variants_offered,
)
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


def test_priced_variants_in_one_query_with_tiers_and_stock():
    market = f.marketplace(kind="b2b_trade")
    a = f.sku(market=market, price_minor=1000, tiers=[(10, 900)], stock=7, hs_code="150910")
    b = f.sku(market=market, price_minor=50)
    other_market = f.marketplace()
    c = f.sku(market=other_market)
    with CaptureQueriesContext(connection) as ctx:
        priced = checkout_variants_priced(
            marketplace_id=market.pk,
            currency="EUR",
            variant_ids=[a.id, b.id, c.id, 10**9],
            with_stock=True,
        )
    assert len(ctx.captured_queries) == 1
    assert set(priced) == {a.id, b.id}
    assert priced[a.id].tiers == ((1, 1000), (10, 900))
    assert (priced[a.id].unit_price_minor(9), priced[a.id].unit_price_minor(10)) == (1000, 900)
    assert priced[a.id].units_available == 7
    assert priced[a.id].hs_code == "150910"
    assert priced[a.id].merchant_id == a.merchant.pk
    assert (
        checkout_variants_priced(marketplace_id=market.pk, currency="USD", variant_ids=[a.id]) == {}
    )
    assert set(variants_offered(marketplace_id=market.pk, variant_ids=[a.id, c.id])) == {a.id}


def test_reserve_many_lines_in_one_statement_and_release_them():
    market = f.marketplace()
    a = f.sku(market=market, stock=5)
    b = f.sku(market=market, stock=3)
    with CaptureQueriesContext(connection) as ctx:
        taken = stock_reserve(items=[(a.id, 2), (b.id, 3)], now=f.NOW)
    assert len(ctx.captured_queries) == 1
    assert taken == {a.id: a.warehouse.pk, b.id: b.warehouse.pk}
    assert (a.stock(), b.stock()) == (3, 0)
    with CaptureQueriesContext(connection) as ctx:
        updated = stock_release(
            items=[
                (a.id, a.warehouse.pk, 1),
                (a.id, a.warehouse.pk, 1),
                (b.id, b.warehouse.pk, 3),
                (b.id, b.warehouse.pk, 0),
            ],
            actor_user_id=None,
            reason="order F000001-1 cancelled",
            now=f.NOW,
        )
    assert len(ctx.captured_queries) == 2  # the UPDATE and the audit rows' INSERT
    assert updated == 2
    assert (a.stock(), b.stock()) == (5, 3)
    assert StockLevel.objects.get(variant=a.variant).updated_at == f.NOW
    movements = {
        m.variant_id: (m.kind, m.delta, m.units_after, m.merchant_id, m.warehouse_id, m.reason)
        for m in StockMovement.objects.all()
    }
    assert movements == {
        a.id: ("release", 2, 5, a.merchant.pk, a.warehouse.pk, "order F000001-1 cancelled"),
        b.id: ("release", 3, 3, b.merchant.pk, b.warehouse.pk, "order F000001-1 cancelled"),
    }


def test_reserve_refuses_repeated_variants_and_reports_every_short_line():
    market = f.marketplace()
    a = f.sku(market=market, stock=1)
    b = f.sku(market=market, stock=1)
    with pytest.raises(ValueError, match="once"):
        stock_reserve(items=[(a.id, 1), (a.id, 1)])
    with pytest.raises(OutOfStock) as excinfo:
        stock_reserve(items=[(a.id, 2), (b.id, 2)], skus={a.id: "A", b.id: "B"})
    assert excinfo.value.extra["skus"] == ["A", "B"]
    assert stock_reserve(items=[]) == {}
    assert stock_release(items=[], actor_user_id=None, reason="") == 0
    assert stock_release(items=[(a.id, a.warehouse.pk, 0)], actor_user_id=None, reason="") == 0
    with pytest.raises(ValueError, match="negative"):
        stock_release(items=[(a.id, a.warehouse.pk, -1)], actor_user_id=None, reason="")
    assert not StockMovement.objects.exists()
