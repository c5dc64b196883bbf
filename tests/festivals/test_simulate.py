"""``fiera festival simulate`` against Django's live server (threaded): a small storm on a
5-unit flash sale (limit 1) sells exactly the units allocated, never more, and every 201
is an order in the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fiera.festivals.models import Festival, FlashSale, FlashSaleBucket
from fiera.festivals.simulate import OVER_LIMIT, SOLD_OUT, simulate
from fiera.orders.models import Order, OrderLine
from tests.orders import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

HOUR = timedelta(hours=1)


def _festival_with_flash_sale(*, quantity: int = 5, buckets: int = 2) -> FlashSale:
    now = timezone.now()
    market = f.marketplace()
    item = f.sku(market=market, price_minor=1000, stock=50)
    fest = Festival.objects.create(
        slug="sim-fest",
        name="Storm",
        warmup_starts_at=now - 2 * HOUR,
        starts_at=now - HOUR,
        ends_at=now + HOUR,
        is_published=True,
        created_at=now - 3 * HOUR,
    )
    fest.marketplaces.add(market)
    sale = FlashSale.objects.create(
        merchant=item.merchant,
        festival=fest,
        variant=item.variant,
        warehouse=item.warehouse,
        currency="EUR",
        price_minor=500,
        quantity=quantity,
        per_buyer_limit=1,
        bucket_count=buckets,
        starts_at=now - HOUR,
        ends_at=now + HOUR,
        created_at=now - 2 * HOUR,
    )
    FlashSaleBucket.objects.bulk_create(
        FlashSaleBucket(
            merchant=item.merchant,
            flash_sale=sale,
            number=n,
            units_left=quantity // buckets + (1 if n < quantity % buckets else 0),
        )
        for n in range(buckets)
    )
    return sale


@pytest.mark.parametrize("payment", ["cod", "wallet"])
def test_a_small_storm_sells_exactly_the_allocation(live_server: Any, payment: str) -> None:
    sale = _festival_with_flash_sale()
    seen: list[int] = []
    report = simulate(
        url=live_server.url,
        festival_slug=None,  # the festival live now
        buyers=10,
        concurrency=4,
        attempts=2,
        seconds=60,
        payment=payment,
        hot_share=1.0,
        now=timezone.now(),
        seed=7,
        progress_factory=lambda total: seen.append,
    )
    assert report.attempts == 20 == len(seen)
    assert (report.units_sold, report.units_allocated, report.oversold) == (5, 5, 0)
    assert report.accepted == 5
    assert report.errors.get("5xx", 0) == 0 and report.errors.get("connection", 0) == 0
    assert report.errors.get(SOLD_OUT, 0) + report.errors.get(OVER_LIMIT, 0) == 15, report.codes
    # every 201 is an order with one flash line of this sale
    assert len(set(report.order_numbers)) == 5
    orders = Order.objects.filter(number__in=report.order_numbers)
    assert orders.count() == 5
    assert {o.payment_method for o in orders} == {payment}
    lines = OrderLine.objects.filter(flash_sale_id=sale.pk)
    assert sum(line.quantity for line in lines) == 5
    assert {line.order_id for line in lines} == {o.pk for o in orders}
    assert "oversold        0" in report.lines()


def test_buyers_are_reused_on_a_second_run(live_server: Any) -> None:
    _festival_with_flash_sale(quantity=3, buckets=1)
    kwargs: dict[str, Any] = {
        "url": live_server.url,
        "festival_slug": "sim-fest",
        "buyers": 3,
        "concurrency": 2,
        "attempts": 1,
        "seconds": 60,
        "payment": "cod",
        "hot_share": 1.0,
    }
    first = simulate(now=timezone.now(), **kwargs)
    second = simulate(now=timezone.now(), **kwargs)
    assert (first.accepted, first.units_sold_in_storm) == (3, 3)
    assert (second.accepted, second.units_sold, second.oversold) == (0, 3, 0)
    assert sum(second.errors.values()) == 3
    assert set(second.errors) <= {SOLD_OUT, OVER_LIMIT}
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username__startswith="sim-buyer-").count() == 3
    # each run's API tokens are revoked when it ends: two runs leave none active
    from fiera.accounts.models import ApiToken

    sim_tokens = ApiToken.objects.filter(user__username__startswith="sim-buyer-")
    assert sim_tokens.count() == 6  # one per buyer per run
    assert not sim_tokens.filter(revoked_at__isnull=True).exists()


def test_tokens_are_revoked_when_the_storm_fails(monkeypatch: Any) -> None:
    from fiera.accounts.models import ApiToken
    from fiera.festivals import simulate as sim

    _festival_with_flash_sale(quantity=3, buckets=1)

    def broken_storm(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the server went away")

    monkeypatch.setattr(sim, "storm", broken_storm)
    with pytest.raises(RuntimeError):
        sim.simulate(
            url="http://127.0.0.1:9",
            festival_slug="sim-fest",
            buyers=2,
            concurrency=1,
            attempts=1,
            seconds=5,
            payment="cod",
            hot_share=1.0,
            now=timezone.now(),
        )
    tokens = ApiToken.objects.filter(user__username__startswith="sim-buyer-")
    assert tokens.count() == 2
    assert not tokens.filter(revoked_at__isnull=True).exists()


# --- funding the wallets (the demo's simulated source approves 20,000 major units a charge) ---


def _funding_gateway(monkeypatch: Any, gateway: Any) -> None:
    from fiera.payments import gateways

    previous = gateways.set_funding_gateway(gateway)
    monkeypatch.setattr(gateways, "_default", gateway)  # restored by monkeypatch
    del previous


def test_wallet_budgets_over_the_sources_limit_are_topped_up_in_approved_charges(
    monkeypatch: Any,
) -> None:
    from fiera.festivals.simulate import prepare
    from fiera.payments.gateways import SimulatedFundingGateway
    from fiera.payments.models import TopUp
    from tests.payments.factories import balance

    _festival_with_flash_sale(quantity=3, buckets=1)  # 5.00 EUR: a budget of 30.00 EUR
    _funding_gateway(monkeypatch, SimulatedFundingGateway(limit_major=4))
    plan = prepare(
        festival_slug="sim-fest", buyers=3, attempts=2, payment="wallet", now=timezone.now()
    )
    from django.contrib.auth import get_user_model

    buyers = get_user_model().objects.filter(username__startswith="sim-buyer-").order_by("pk")
    assert [balance(b, "EUR") for b in buyers] == [3_000, 3_000, 3_000]
    # 30.00 is halved to 15.00, 7.50 and 3.75 for the first buyer; the others get 8 x 3.75
    assert TopUp.objects.filter(status="failed").count() == 3
    assert set(TopUp.objects.filter(status="succeeded").values_list("amount_minor", flat=True)) == {
        375
    }
    assert TopUp.objects.filter(status="succeeded").count() == 3 * 8
    assert len(plan.tokens) == 3


def test_a_declined_top_up_stops_the_set_up_and_revokes_the_tokens_issued(
    monkeypatch: Any,
) -> None:
    from fiera.accounts.models import ApiToken
    from fiera.festivals.simulate import prepare
    from fiera.payments.gateways import InMemoryFundingGateway
    from fiera.payments.services import FundingDeclined

    _festival_with_flash_sale(quantity=3, buckets=1)
    _funding_gateway(monkeypatch, InMemoryFundingGateway(decline="card_declined"))
    with pytest.raises(FundingDeclined):
        prepare(
            festival_slug="sim-fest", buyers=3, attempts=1, payment="wallet", now=timezone.now()
        )
    tokens = ApiToken.objects.filter(user__username__startswith="sim-buyer-")
    assert tokens.count() == 1  # the first buyer's top-up was declined: no other was issued
    assert not tokens.filter(revoked_at__isnull=True).exists()
