"""Many buyers paying one merchant by wallet at once, on PostgreSQL (READ COMMITTED, real
threads and connections) while the ledger's roll-up runs beside them: no deadlock, no
oversell, every balance exact after the roll-up, ``ledger_verify`` OK
(docs/decisions/0012-lean-wallet-checkout.md)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from fiera.accounts.roles import SYSTEM
from fiera.catalog.models import StockLevel
from fiera.ledger import services as ledger
from fiera.ledger.models import BalanceDelta
from fiera.ledger.selectors import ledger_verify
from fiera.orders import services
from fiera.orders.models import Order
from fiera.payments.models import Payment
from fiera.payments.services import merchant_payable_open
from tests.orders import factories as f
from tests.orders.test_concurrency import run_threads
from tests.payments.factories import balance, funded_wallet, make_rates, merchant_balance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 48
UNITS = 30
PRICE = 1_000  # minor units of the checkout currency


@pytest.mark.parametrize(("currency", "country"), [("EUR", "IT"), ("CNY", "CN")])
def test_many_buyers_pay_one_merchant_by_wallet_at_once(currency, country):
    make_rates(on=f.NOW.date())
    market = (
        f.marketplace()
        if currency == "EUR"
        else f.marketplace(countries={"CN": "CNY"}, default_currency="CNY")
    )
    maker = f.merchant()
    merchant_payable_open(merchant_id=maker.pk)
    hot = f.sku(market=market, merchant_obj=maker, price_minor=PRICE, stock=UNITS)
    other = f.sku(market=market, merchant_obj=maker, price_minor=PRICE, stock=1_000)
    buyers = [f.user() for _ in range(BUYERS)]
    poor = set(range(0, BUYERS, 6))  # one buyer in six cannot pay
    for i, buyer in enumerate(buyers):
        funded_wallet(buyer, PRICE if i in poor else 10 * PRICE, currency=currency, now=f.NOW)

    def buy(i: int) -> services.CheckoutResult:
        return services.checkout_submit(
            buyer_id=buyers[i].pk,
            marketplace_slug=market.slug,
            country=country,
            lines=[(hot.id, 1), (other.id, 1)],
            shipping_address=f.address(country),
            payment_method="wallet",
            idempotency_key=f"storm-{i}",
            now=f.NOW,
            actor_role=SYSTEM,
        )

    stop = threading.Event()
    rolled: list[int] = []

    def roll_up() -> None:
        try:
            while not stop.is_set():
                rolled.append(ledger.balance_deltas_apply())
        finally:
            connection.close()

    roller = threading.Thread(target=roll_up)
    roller.start()
    try:
        results = run_threads(BUYERS, buy)
    finally:
        stop.set()
        roller.join(timeout=60)
    kinds = Counter(type(r).__name__ for r in results)
    paid = [r for r in results if isinstance(r, services.CheckoutResult)]
    assert set(kinds) <= {"CheckoutResult", "OutOfStock", "InsufficientFunds"}, results
    assert len(paid) == UNITS, kinds
    assert not any(isinstance(results[i], services.CheckoutResult) for i in poor)
    assert StockLevel.objects.get(variant=hot.variant).units_on_hand == 0
    assert Order.objects.filter(status="paid").count() == UNITS
    # Balances are exact while deltas wait, and after the last roll-up.
    credited = sum(
        Payment.objects.filter(merchant_id=maker.pk).values_list("credit_minor", flat=True)
    )
    assert merchant_balance(maker.pk) == credited > 0
    assert ledger_verify(actor_role=SYSTEM).ok
    ledger.balance_deltas_apply()
    assert BalanceDelta.objects.count() == 0
    assert merchant_balance(maker.pk) == credited
    for i, buyer in enumerate(buyers):
        bought = isinstance(results[i], services.CheckoutResult)
        start = PRICE if i in poor else 10 * PRICE
        assert balance(buyer, currency) == start - (2 * PRICE if bought else 0)
    report = ledger_verify(actor_role=SYSTEM)
    assert report.ok and report.unapplied_deltas == 0, report.summary()
