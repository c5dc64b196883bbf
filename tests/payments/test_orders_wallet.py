"""A checkout paid with the wallet (orders' "wallet" payment method) and refunds of
wallet-paid orders, through the orders services: orders become paid with the charge
recorded; refunds go back to the wallet at the original rate in the same transaction."""

from __future__ import annotations

from typing import Any

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.catalog.models import StockLevel
from fiera.ledger.selectors import ledger_verify
from fiera.orders import services as orders
from fiera.orders.models import Checkout, Order
from fiera.orders.payment import payment_method_get
from fiera.payments import selectors
from tests.orders import factories as shop
from tests.payments.factories import (
    balance,
    funded_wallet,
    make_rates,
    merchant_balance,
    snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]
NOW = shop.NOW


@pytest.fixture(autouse=True)
def _rates() -> None:
    make_rates(on=NOW.date())


def yuan_market() -> Any:
    return shop.marketplace(countries={"CN": "CNY"}, default_currency="CNY")


def place(buyer: Any, market: Any, lines: list[tuple[int, int]], method: str = "wallet") -> Any:
    return orders.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country="CN",
        lines=lines,
        shipping_address=shop.address("CN", city="Shanghai", postal_code="200000"),
        payment_method=method,
        now=NOW,
        actor_role="buyer",
    )


def test_the_wallet_method_is_registered() -> None:
    method = payment_method_get("wallet")
    assert method.collects_on_delivery is False


def test_a_wallet_checkout_pays_every_order_through_fx() -> None:
    market = yuan_market()
    one, two = (
        shop.sku(market=market, price_minor=6_000),
        shop.sku(market=market, price_minor=4_000),
    )
    buyer = shop.user()
    funded_wallet(buyer, 20_000, now=NOW)
    result = place(buyer, market, [(one.id, 1), (two.id, 1)])
    numbers = [o.number for o in result.orders]
    assert {o.status for o in result.orders} == {"paid"}
    assert balance(buyer) == 10_000
    payments = [selectors.payment_get(reference=n, actor_role=SYSTEM) for n in numbers]
    assert sorted(p.paid.amount_minor for p in payments) == [4_000, 6_000]
    assert sum(p.credit.amount_minor for p in payments) == 1_276  # CNY 100.00 at 7.8 + 0.5 %
    assert {p.rate for p in payments} == {"7.8"}
    assert merchant_balance(one.merchant.pk) + merchant_balance(two.merchant.pk) == 1_276
    assert Order.objects.filter(number__in=numbers, paid_at=NOW).count() == 2


def test_insufficient_funds_refuses_the_checkout_and_writes_nothing() -> None:
    market = yuan_market()
    item = shop.sku(market=market, price_minor=6_000, stock=5)
    buyer = shop.user()
    funded_wallet(buyer, 5_999, now=NOW)
    before = snapshot()
    with pytest.raises(Exception) as excinfo:
        place(buyer, market, [(item.id, 1)])
    assert getattr(excinfo.value, "code", "") == "insufficient_funds"
    assert getattr(excinfo.value, "status", 0) == 409
    assert snapshot() == before
    assert not Checkout.objects.exists() and not Order.objects.exists()
    assert StockLevel.objects.get(variant=item.variant).units_on_hand == 5


def test_no_wallet_refuses_the_checkout() -> None:
    market = yuan_market()
    item = shop.sku(market=market, price_minor=6_000)
    buyer = shop.user()
    with pytest.raises(Exception) as excinfo:
        place(buyer, market, [(item.id, 1)])
    assert getattr(excinfo.value, "code", "") == "no_wallet"
    assert not Order.objects.exists()


def test_refunds_of_a_wallet_order_go_back_to_the_wallet() -> None:
    market = yuan_market()
    item = shop.sku(market=market, price_minor=10_000)
    staff = shop.staff(merchant_obj=item.merchant)
    buyer = shop.user()
    funded_wallet(buyer, 10_000, now=NOW)
    number = place(buyer, market, [(item.id, 1)]).orders[0].number
    assert balance(buyer) == 0
    orders.order_refund(
        actor_id=staff.pk,
        actor_role="merchant",
        number=number,
        amount_minor=4_000,
        reason="",
        now=NOW,
    )
    assert balance(buyer) == 4_000
    assert merchant_balance(item.merchant.pk) == 1_276 - 510
    orders.order_refund(
        actor_id=staff.pk,
        actor_role="merchant",
        number=number,
        amount_minor=6_000,
        reason="",
        now=NOW,
    )
    assert balance(buyer) == 10_000 and merchant_balance(item.merchant.pk) == 0
    assert Order.objects.get(number=number).status == "refunded"
    assert ledger_verify(actor_role=SYSTEM).ok


def test_cancelling_a_paid_wallet_order_refunds_it_in_full() -> None:
    market = yuan_market()
    item = shop.sku(market=market, price_minor=2_500)
    staff = shop.staff(merchant_obj=item.merchant)
    buyer = shop.user()
    funded_wallet(buyer, 10_000, now=NOW)
    number = place(buyer, market, [(item.id, 2)]).orders[0].number
    orders.order_cancel(actor_id=staff.pk, actor_role="merchant", number=number, now=NOW)
    assert balance(buyer) == 10_000
    assert (
        selectors.payment_get(reference=number, actor_role=SYSTEM).refunded_paid.amount_minor
        == 5_000
    )


def test_cash_on_delivery_moves_no_money() -> None:
    market = yuan_market()
    item = shop.sku(market=market, price_minor=2_500)
    buyer = shop.user()
    before = snapshot()["ledger_transfers"]
    result = place(buyer, market, [(item.id, 1)], method="cod")
    assert result.orders[0].status == "placed"
    assert snapshot()["ledger_transfers"] == before
