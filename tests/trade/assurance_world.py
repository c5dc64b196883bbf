"""A B2B world for trade assurance tests: a trade marketplace in USD, a supplier with
staff, buyers with USD wallets, an operator, and helpers that place, ship and deliver
orders paid into escrow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fiera.accounts.roles import BUYER, MERCHANT
from fiera.orders import services as orders
from fiera.orders.models import Order
from tests.orders import factories as f
from tests.payments.factories import funded_wallet, make_rates

NOW = f.NOW
DAY = timedelta(days=1)
PRICE = 50_000  # USD 500.00 a unit


@dataclass
class World:
    market: Any
    shop: Any  # a B2C marketplace
    maker: Any
    other_maker: Any
    item: Any
    shop_item: Any
    buyer: Any
    other_buyer: Any
    owner: Any
    clerk: Any
    other_owner: Any
    operator: Any


def make_world() -> World:
    make_rates(on=NOW.date() - DAY)
    market = f.marketplace(kind="b2b_trade", countries={"US": "USD"}, default_currency="USD")
    shop = f.marketplace(kind="b2c_domestic", countries={"US": "USD"}, default_currency="USD")
    maker, other_maker = f.merchant(), f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=PRICE, stock=100)
    shop_item = f.sku(market=shop, merchant_obj=maker, price_minor=PRICE, stock=100)
    f.sku(market=market, merchant_obj=other_maker, price_minor=PRICE, stock=100)
    buyer, other_buyer = f.user(), f.user()
    for who in (buyer, other_buyer):
        funded_wallet(who, 5_000_000, currency="USD", now=NOW - DAY)
    return World(
        market=market,
        shop=shop,
        maker=maker,
        other_maker=other_maker,
        item=item,
        shop_item=shop_item,
        buyer=buyer,
        other_buyer=other_buyer,
        owner=f.staff(merchant_obj=maker),
        clerk=f.staff(merchant_obj=maker, role="clerk"),
        other_owner=f.staff(merchant_obj=other_maker),
        operator=f.user(role="operator"),
    )


def place(
    world: World,
    *,
    quantity: int = 2,
    method: str = "assurance",
    market: Any = None,
    item: Any = None,
    at: Any = NOW,
    buyer: Any = None,
) -> Order:
    result = orders.checkout_submit(
        buyer_id=(buyer or world.buyer).pk,
        marketplace_slug=(market or world.market).slug,
        country="US",
        lines=[((item or world.item).id, quantity)],
        shipping_address=f.address("US"),
        payment_method=method,
        now=at,
        actor_role=BUYER,
    )
    return Order.objects.get(number=result.orders[0].number)


def place_agreed(world: World, *, quantity: int = 2, at: Any = NOW) -> Order:
    """A pay-later order under trade-assurance terms, as an accepted quote places it."""
    order = place(world, quantity=quantity, method="wallet_later", at=at)
    Order.objects.filter(pk=order.pk).update(payment_terms="assurance")
    order.refresh_from_db()
    return order


def ship(world: World, order: Order, *, at: Any = NOW + DAY) -> Order:
    return orders.order_ship(
        actor_id=world.owner.pk,
        actor_role=MERCHANT,
        number=order.number,
        carrier="DHL",
        tracking_number=f"TRK{order.pk}",
        now=at,
    )


def deliver(world: World, order: Order, *, at: Any = NOW + 3 * DAY) -> Order:
    return orders.order_deliver(
        actor_id=world.owner.pk, actor_role=MERCHANT, number=order.number, now=at
    )
