"""Concurrency on PostgreSQL (READ COMMITTED, real threads, real connections): no
oversell on a hot SKU, and concurrent duplicates of one Idempotency-Key place one
checkout."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from fiera.accounts.roles import SYSTEM
from fiera.catalog.models import StockLevel
from fiera.orders import services
from fiera.orders.models import Checkout, Order, OrderLine
from tests.orders import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads started together; each closes its connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def runner(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected and checked by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_buyers_ten_units_exactly_ten_orders():
    market = f.marketplace()
    hot = f.sku(market=market, price_minor=999, stock=10)
    buyers = [f.user() for _ in range(50)]

    def buy(i: int) -> services.CheckoutResult:
        return services.checkout_submit(
            buyer_id=buyers[i].pk,
            marketplace_slug=market.slug,
            country="IT",
            lines=[(hot.id, 1)],
            shipping_address=f.address(),
            payment_method="cod",
            idempotency_key=f"flash-{i}",
            now=f.NOW,
            actor_role=SYSTEM,
        )

    results = run_threads(50, buy)
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"CheckoutResult": 10, "OutOfStock": 40}, results
    assert all(r.code == "out_of_stock" for r in results if isinstance(r, services.OutOfStock))
    assert StockLevel.objects.get(variant=hot.variant).units_on_hand == 0
    assert Order.objects.count() == 10
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 10


def test_fifty_buyers_two_hot_skus_in_one_basket_never_oversell():
    market = f.marketplace()
    a = f.sku(market=market, stock=7)
    b = f.sku(market=market, stock=12)
    buyers = [f.user() for _ in range(30)]

    def buy(i: int) -> services.CheckoutResult:
        lines = [(a.id, 1), (b.id, 1)] if i % 2 else [(b.id, 1), (a.id, 1)]
        return services.checkout_submit(
            buyer_id=buyers[i].pk,
            marketplace_slug=market.slug,
            country="IT",
            lines=lines,
            shipping_address=f.address(),
            payment_method="cod",
            now=f.NOW,
            actor_role=SYSTEM,
        )

    results = run_threads(30, buy)
    placed = [r for r in results if isinstance(r, services.CheckoutResult)]
    assert all(isinstance(r, services.CheckoutResult | services.OutOfStock) for r in results), (
        results
    )
    assert len(placed) == 7
    assert a.stock() == 0
    assert b.stock() == 5


def test_concurrent_duplicates_of_one_key_place_one_checkout():
    market = f.marketplace()
    item = f.sku(market=market, stock=100)
    buyer = f.user()

    def buy(_: int) -> services.CheckoutResult:
        return services.checkout_submit(
            buyer_id=buyer.pk,
            marketplace_slug=market.slug,
            country="IT",
            lines=[(item.id, 3)],
            shipping_address=f.address(),
            payment_method="cod",
            idempotency_key="double-click",
            now=f.NOW,
            actor_role=SYSTEM,
        )

    results = run_threads(10, buy)
    assert all(isinstance(r, services.CheckoutResult) for r in results), results
    assert len({r.checkout_id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert Checkout.objects.count() == 1
    assert item.stock() == 97


def test_concurrent_duplicates_when_the_stock_runs_out_answer_with_the_winner():
    market = f.marketplace()
    item = f.sku(market=market, stock=3)
    buyer = f.user()

    def buy(_: int) -> services.CheckoutResult:
        return services.checkout_submit(
            buyer_id=buyer.pk,
            marketplace_slug=market.slug,
            country="IT",
            lines=[(item.id, 3)],
            shipping_address=f.address(),
            payment_method="cod",
            idempotency_key="last-units",
            now=f.NOW,
            actor_role=SYSTEM,
        )

    results = run_threads(8, buy)
    assert all(isinstance(r, services.CheckoutResult) for r in results), results
    assert len({r.checkout_id for r in results}) == 1
    assert item.stock() == 0


def test_concurrent_cross_border_checkouts_respect_the_yearly_allowance():
    market = f.cross_border_market()
    services.cross_border_rates_load(marketplace_id=market.pk, now=f.NOW)
    item = f.sku(market=market, price_minor=400000, stock=100)  # 4,000 CNY each
    buyer = f.user()

    def buy(_: int) -> services.CheckoutResult:
        return services.checkout_submit(
            buyer_id=buyer.pk,
            marketplace_slug=market.slug,
            country="CN",
            lines=[(item.id, 1)],
            shipping_address=f.address("CN"),
            payment_method="cod",
            now=f.NOW,
            actor_role=SYSTEM,
        )

    results = run_threads(10, buy)
    placed = [r for r in results if isinstance(r, services.CheckoutResult)]
    refused = [r for r in results if isinstance(r, services.InvalidInput)]
    assert len(placed) == 6  # 6 x 4,000 = 24,000 <= 26,000 < 7 x 4,000
    assert len(refused) == 4
    assert all(r.code == "cross_border_annual_limit" for r in refused)
    assert item.stock() == 94
