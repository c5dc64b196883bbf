"""A flash sale under a storm on PostgreSQL (READ COMMITTED, real threads, real
connections): 200 threads x 5 attempts on 100 units in 8 buckets, 100 buyers with a limit
of 2 each: exactly 100 sold, nobody over the limit, the order lines add up to the units
sold; cash on delivery, and by wallet with the ledger verified after."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from fiera.accounts.roles import SYSTEM
from fiera.common import events
from fiera.festivals import offers, tallies
from fiera.festivals.models import (
    FestivalOrder,
    FlashSaleBucket,
    FlashSaleBuyer,
    GmvTally,
)
from fiera.ledger.selectors import ledger_verify
from fiera.orders import services
from fiera.orders.models import Order, OrderLine
from tests.festivals.test_flash_checkout import festival, flash_sale
from tests.orders import factories as f
from tests.payments.factories import funded_wallet, make_rates

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 200
ATTEMPTS = 5
BUYERS = 100
UNITS = 100
# connections at once (the server allows 100, shared with other sessions)
CONNECTIONS = threading.BoundedSemaphore(24)


def storm(work) -> list[Any]:
    """``work(thread, attempt)`` THREADS x ATTEMPTS times, threads started together; each
    attempt on its own connection, at most ``CONNECTIONS`` at once."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    lock = threading.Lock()

    def runner(i: int) -> None:
        barrier.wait()
        for attempt in range(ATTEMPTS):
            with CONNECTIONS:
                try:
                    outcome: Any = work(i, attempt)
                except Exception as exc:  # collected and checked by the test
                    outcome = exc
                finally:
                    connection.close()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def run_storm(*, method: str, country: str, currency: str, market) -> None:
    item = f.sku(market=market, price_minor=5_000, stock=7)
    sale = flash_sale(
        festival(market),
        item,
        price_minor=1_000,
        quantity=UNITS,
        limit=2,
        buckets=8,
        currency=currency,
    )
    buyers = [f.user() for _ in range(BUYERS)]
    if method == "wallet":
        for buyer in buyers:
            funded_wallet(buyer, 100_000, currency=currency, now=f.NOW)
    offers.festival_windows()

    def buy(i: int, attempt: int) -> services.CheckoutResult:
        return services.checkout_submit(
            buyer_id=buyers[i % BUYERS].pk,
            marketplace_slug=market.slug,
            country=country,
            lines=[(item.id, 1)],
            shipping_address=f.address(country, city="Shanghai", postal_code="200000"),
            payment_method=method,
            idempotency_key=f"storm-{i}-{attempt}",
            now=f.NOW,
            actor_role=SYSTEM,
            flash_sale_ids={item.id: sale.pk},
        )

    results = storm(buy)
    kinds = Counter(
        getattr(r, "code", type(r).__name__) if isinstance(r, Exception) else "placed"
        for r in results
    )
    assert len(results) == THREADS * ATTEMPTS
    assert kinds["placed"] == UNITS, kinds
    assert set(kinds) <= {"placed", "flash_sale_sold_out", "flash_sale_limit"}, kinds
    left = sum(FlashSaleBucket.objects.filter(flash_sale=sale).values_list("units_left", flat=True))
    sold = sum(FlashSaleBucket.objects.filter(flash_sale=sale).values_list("units_sold", flat=True))
    lines = sum(OrderLine.objects.filter(flash_sale_id=sale.pk).values_list("quantity", flat=True))
    assert (sold, lines, UNITS - left) == (UNITS, UNITS, UNITS)
    assert Order.objects.count() == UNITS
    held = list(FlashSaleBuyer.objects.filter(flash_sale=sale).values_list("units", flat=True))
    assert max(held) <= 2 and sum(held) == UNITS
    per_buyer = Counter(Order.objects.values_list("buyer_id", flat=True))
    assert max(per_buyer.values()) <= 2
    assert item.stock() == 7  # flash units come from the buckets only
    # The GMV tallies follow: every placed order counted once, at its recorded rate.
    while events.relay(now=f.NOW + timedelta(days=1), batch_size=200):
        pass
    counted = FestivalOrder.objects.filter(festival=sale.festival, phase="live")
    assert counted.count() == UNITS
    expected = sum(
        tallies.to_usd_minor(fo.total_minor, fo.currency, Decimal(fo.usd_rate)) for fo in counted
    )
    assert expected > 0
    assert sum(fo.total_minor for fo in counted) == sum(
        Order.objects.values_list("total_minor", flat=True)
    )
    cells = GmvTally.objects.filter(festival=sale.festival, phase="live").aggregate(
        gmv=Sum("gmv_usd_minor"), orders=Sum("orders"), units=Sum("units")
    )
    assert cells == {"gmv": expected, "orders": UNITS, "units": UNITS}


def test_storm_cash_on_delivery_sells_exactly_the_units():
    make_rates(on=f.NOW.date())
    run_storm(method="cod", country="IT", currency="EUR", market=f.marketplace())


def test_storm_paid_by_wallet_sells_exactly_the_units_and_the_ledger_verifies():
    make_rates(on=f.NOW.date())
    market = f.marketplace(countries={"CN": "CNY"}, default_currency="CNY")
    run_storm(method="wallet", country="CN", currency="CNY", market=market)
    report = ledger_verify(actor_role=SYSTEM)
    assert report.ok, report.problems
