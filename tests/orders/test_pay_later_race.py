"""A buyer paying and the expiry job racing for the same overdue-at-that-instant order on
PostgreSQL (READ COMMITTED, real threads and connections): the order row's lock decides,
so exactly one wins: paid and charged once, or cancelled with nothing charged and its
units back on sale."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from fiera.accounts.roles import BUYER
from fiera.orders import services
from fiera.orders.models import Order, OrderStatus
from tests.orders import factories as f
from tests.orders.test_concurrency import run_threads
from tests.payments.factories import balance, funded_wallet, make_rates

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = f.NOW
PRICE = 2_500


def placed(market, item, buyer) -> Order:
    result = services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country="IT",
        lines=[(item.id, 1)],
        shipping_address=f.address(),
        payment_method="wallet_later",
        now=NOW,
        actor_role=BUYER,
    )
    return Order.objects.get(number=result.orders[0].number)


@pytest.fixture
def shop():
    make_rates(on=NOW.date() - timedelta(days=1))
    market = f.marketplace()
    item = f.sku(market=market, price_minor=PRICE, stock=100)
    return market, item


def funded_buyer():
    buyer = f.user()
    funded_wallet(buyer, 10_000, currency="EUR", now=NOW - timedelta(days=1))
    return buyer


def test_pays_and_expiries_racing_exactly_one_wins_each_order(shop):
    market, item = shop
    buyers = [funded_buyer() for _ in range(24)]
    orders = [placed(market, item, buyer) for buyer in buyers]
    due = orders[0].payment_due_at
    assert all(o.payment_due_at == due for o in orders)
    expirers = 3

    def work(i: int):
        if i < expirers:  # the job runs a second after the deadline; the buyers pay at it
            return services.orders_expire_unpaid(now=due + timedelta(seconds=1), batch=5)
        buyer = buyers[i - expirers]
        order = orders[i - expirers]
        return services.order_pay(buyer_id=buyer.pk, number=order.number, now=due, actor_role=BUYER)

    results = run_threads(expirers + len(orders), work)
    expired = sum(r for r in results[:expirers])
    pays = results[expirers:]
    paid = cancelled = 0
    for buyer, order, outcome in zip(buyers, orders, pays, strict=True):
        order.refresh_from_db()
        if order.status == OrderStatus.PAID:
            paid += 1
            assert isinstance(outcome, Order) and outcome.status == OrderStatus.PAID
            assert balance(buyer, "EUR") == 10_000 - PRICE
        else:
            cancelled += 1
            assert order.status == OrderStatus.CANCELLED and order.cancelled_unpaid
            assert isinstance(outcome, services.PaymentOverdue), outcome
            assert balance(buyer, "EUR") == 10_000
    assert paid + cancelled == len(orders)
    assert expired == cancelled  # each cancel counted once, by one job
    assert item.stock() == 100 - paid


def test_the_expiry_skips_an_order_being_paid_and_the_payment_wins(shop):
    market, item = shop
    buyer = funded_buyer()
    order = placed(market, item, buyer)
    locked, release = threading.Event(), threading.Event()
    outcome: list[object] = []

    def payer() -> None:
        try:
            with transaction.atomic():
                Order.objects.select_for_update().get(pk=order.pk)  # the payment's lock
                locked.set()
                release.wait(30)
                outcome.append(
                    services.order_pay(
                        buyer_id=buyer.pk,
                        number=order.number,
                        now=order.payment_due_at,
                        actor_role=BUYER,
                    )
                )
        finally:
            connection.close()

    thread = threading.Thread(target=payer)
    thread.start()
    assert locked.wait(30)
    late = order.payment_due_at + timedelta(seconds=1)
    assert services.orders_expire_unpaid(now=late) == 0  # skipped, not waited for
    release.set()
    thread.join(30)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert services.orders_expire_unpaid(now=late) == 0
    assert balance(buyer, "EUR") == 10_000 - PRICE


def test_a_payment_waits_for_a_running_expiry_and_is_told_the_order_was_cancelled(shop):
    market, item = shop
    buyer = funded_buyer()
    order = placed(market, item, buyer)
    started, done = threading.Event(), threading.Event()
    outcome: list[object] = []

    def payer() -> None:
        started.set()
        try:
            services.order_pay(
                buyer_id=buyer.pk, number=order.number, now=order.payment_due_at, actor_role=BUYER
            )
            outcome.append("paid")
        except Exception as exc:
            outcome.append(exc)
        finally:
            done.set()
            connection.close()

    late = order.payment_due_at + timedelta(seconds=1)
    with transaction.atomic():  # the expiry job, holding the row while it cancels
        row = Order.objects.select_for_update(skip_locked=True).get(pk=order.pk)
        thread = threading.Thread(target=payer)
        thread.start()
        assert started.wait(30)
        assert not done.wait(1)  # the payment queues on the row lock
        services._expire_unpaid(row, now=late)
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], services.PaymentOverdue)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert balance(buyer, "EUR") == 10_000
    assert item.stock() == 100
