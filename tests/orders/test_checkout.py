"""checkout_submit: one order per merchant, exact totals, merging, MOQ, tiers, stock,
idempotency, and the cart path."""

from __future__ import annotations

import dataclasses

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.catalog.models import StockLevel
from fiera.common.models import OutboxMessage
from fiera.marketplaces.models import Marketplace
from fiera.merchants.models import Store
from fiera.orders import services
from fiera.orders.models import CartLine, Checkout, IdempotencyRecord, Order, OrderLine
from fiera.orders.payment import CheckoutCharge, Settled, payment_method_register
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


def place(buyer, market, lines, **kwargs):
    params = {
        "buyer_id": buyer.pk,
        "marketplace_slug": market.slug,
        "country": "IT",
        "lines": lines,
        "shipping_address": f.address(kwargs.get("country", "IT")),
        "payment_method": "cod",
        "now": f.NOW,
        "actor_role": SYSTEM,
    }
    params.update(kwargs)
    return services.checkout_submit(**params)


def error_code(excinfo: pytest.ExceptionInfo) -> str:
    return excinfo.value.code


def test_one_order_per_merchant_with_exact_totals_and_stock_taken():
    market = f.marketplace()
    buyer = f.user()
    maker_a, maker_b = f.merchant(), f.merchant()
    a1 = f.sku(market=market, merchant_obj=maker_a, price_minor=1250, stock=10)
    a2 = f.sku(market=market, merchant_obj=maker_a, price_minor=999, stock=10)
    b1 = f.sku(market=market, merchant_obj=maker_b, price_minor=4000, stock=10)

    result = place(buyer, market, [(a1.id, 2), (b1.id, 1), (a2.id, 3)])

    assert result.currency == "EUR"
    assert result.subtotal_minor == 2 * 1250 + 3 * 999 + 4000 == 9497
    assert result.tax_minor == 0
    assert result.total_minor == 9497
    assert [o.merchant_id for o in result.orders] == sorted([maker_a.pk, maker_b.pk])
    by_merchant = {o.merchant_id: o for o in result.orders}
    assert by_merchant[maker_a.pk].total_minor == 2500 + 2997
    assert by_merchant[maker_b.pk].total_minor == 4000
    assert all(o.status == "placed" for o in result.orders)
    assert result.orders[0].number == f"F{result.checkout_id:06d}-1"
    assert result.orders[1].number == f"F{result.checkout_id:06d}-2"
    assert (a1.stock(), a2.stock(), b1.stock()) == (8, 7, 9)

    orders = Order.objects.filter(checkout_id=result.checkout_id)
    assert orders.count() == 2
    assert sum(o.total_minor for o in orders) == Checkout.objects.get().total_minor
    lines = OrderLine.objects.filter(order__checkout_id=result.checkout_id)
    assert sorted((line.variant_id, line.quantity, line.warehouse_id) for line in lines) == sorted(
        [(a1.id, 2, a1.warehouse.pk), (a2.id, 3, a2.warehouse.pk), (b1.id, 1, b1.warehouse.pk)]
    )
    for line in lines:
        assert line.line_total_minor == line.unit_price_minor * line.quantity
        assert line.merchant_id == line.order.merchant_id
    order_a = orders.get(merchant=maker_a)
    assert (order_a.ship_city, order_a.ship_country, order_a.payment_method) == (
        "Torino",
        "IT",
        "cod",
    )
    event = OutboxMessage.objects.get(topic="orders.checkout.placed")
    assert event.payload["checkout_id"] == result.checkout_id
    assert event.payload["total_minor"] == 9497
    assert {o["number"] for o in event.payload["orders"]} == {o.number for o in result.orders}


def test_lines_of_the_same_variant_are_merged():
    market = f.marketplace()
    item = f.sku(market=market, price_minor=300, stock=10)
    result = place(f.user(), market, [(item.id, 2), (item.id, 3)])
    assert len(result.orders[0].lines) == 1
    assert result.orders[0].lines[0].quantity == 5
    assert result.total_minor == 1500
    assert item.stock() == 5


@pytest.mark.parametrize("quantity", [0, -1, 1000])
def test_quantity_outside_1_to_999_is_refused(quantity):
    market = f.marketplace()
    item = f.sku(market=market)
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(item.id, quantity)])
    assert error_code(excinfo) == "invalid_quantity"
    assert item.stock() == 100


def test_merged_quantity_above_999_is_refused():
    market = f.marketplace()
    item = f.sku(market=market, stock=5000)
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(item.id, 600), (item.id, 400)])
    assert error_code(excinfo) == "invalid_quantity"


def test_empty_checkout_is_refused():
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), f.marketplace(), [])
    assert error_code(excinfo) == "empty_checkout"


def test_minimum_order_quantity_is_respected():
    market = f.marketplace(kind="b2b_trade")
    item = f.sku(market=market, moq=12, stock=100)
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(item.id, 11)])
    assert error_code(excinfo) == "below_minimum_order"
    assert excinfo.value.extra["min_order_quantity"] == 12
    assert place(f.user(), market, [(item.id, 12)]).total_minor == 12 * 1000


@pytest.mark.parametrize(
    ("quantity", "unit_price"), [(1, 1000), (9, 1000), (10, 900), (49, 900), (50, 750), (999, 750)]
)
def test_b2b_tier_is_the_greatest_min_quantity_not_above_the_quantity(quantity, unit_price):
    market = f.marketplace(kind="b2b_trade")
    item = f.sku(market=market, price_minor=1000, tiers=[(10, 900), (50, 750)], stock=1000)
    result = place(f.user(), market, [(item.id, quantity)])
    line = result.orders[0].lines[0]
    assert line.unit_price_minor == unit_price
    assert result.total_minor == unit_price * quantity


def test_variant_without_a_price_in_the_destination_currency_is_unavailable():
    market = f.marketplace(countries={"IT": "EUR", "CH": "CHF"})
    item = f.sku(market=market, currency="EUR")
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(item.id, 1)], country="CH", shipping_address=f.address("CH"))
    assert error_code(excinfo) == "variant_unavailable"


def test_inactive_variant_or_product_is_unavailable():
    market = f.marketplace()
    item = f.sku(market=market)
    other = f.sku(market=market)
    item.variant.is_active = False
    item.variant.save()
    other.product.is_active = False
    other.product.save()
    for sku in (item, other):
        with pytest.raises(services.InvalidInput) as excinfo:
            place(f.user(), market, [(sku.id, 1)])
        assert error_code(excinfo) == "variant_unavailable"


def test_out_of_stock_names_the_skus_and_changes_nothing():
    market = f.marketplace()
    plenty = f.sku(market=market, stock=10)
    scarce = f.sku(market=market, stock=2)
    with pytest.raises(services.OutOfStock) as excinfo:
        place(f.user(), market, [(plenty.id, 1), (scarce.id, 3)])
    assert excinfo.value.status == 409
    assert excinfo.value.code == "out_of_stock"
    assert excinfo.value.extra["skus"] == [scarce.variant.sku]
    assert scarce.variant.sku in excinfo.value.detail
    assert (plenty.stock(), scarce.stock()) == (10, 2)
    assert not Order.objects.exists()
    assert not Checkout.objects.exists()
    assert not OutboxMessage.objects.filter(topic="orders.checkout.placed").exists()


def test_a_line_is_served_from_the_warehouse_with_most_units_and_inactive_ones_are_skipped():
    market = f.marketplace()
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, stock=3)
    big = f.warehouse(merchant_obj=maker)
    closed = f.warehouse(merchant_obj=maker, active=False)
    StockLevel.objects.create(variant=item.variant, warehouse=big, merchant=maker, units_on_hand=5)
    StockLevel.objects.create(
        variant=item.variant, warehouse=closed, merchant=maker, units_on_hand=50
    )

    result = place(f.user(), market, [(item.id, 4)])
    line = OrderLine.objects.get(order__number=result.orders[0].number)
    assert line.warehouse_id == big.pk
    assert StockLevel.objects.get(variant=item.variant, warehouse=big).units_on_hand == 1
    # 3 + 1 left in two warehouses, 50 in a closed one: 4 units cannot ship from one place
    with pytest.raises(services.OutOfStock):
        place(f.user(), market, [(item.id, 4)])


def test_country_not_served_and_address_elsewhere_are_refused():
    market = f.marketplace()
    item = f.sku(market=market)
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(item.id, 1)], country="FR", shipping_address=f.address("FR"))
    assert error_code(excinfo) == "country_not_served"
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(item.id, 1)], shipping_address=f.address("FR"))
    assert error_code(excinfo) == "invalid_address"
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(item.id, 1)], shipping_address=f.address(city="  "))
    assert error_code(excinfo) == "invalid_address"
    assert item.stock() == 100


def test_worldwide_marketplace_sells_in_its_default_currency():
    market = f.marketplace(worldwide=True, default_currency="USD")
    item = f.sku(market=market, currency="USD", price_minor=2599)
    result = place(f.user(), market, [(item.id, 1)], country="JP", shipping_address=f.address("JP"))
    assert (result.currency, result.total_minor, result.country) == ("USD", 2599, "JP")


def test_unknown_payment_method_and_non_buyers_are_refused():
    market = f.marketplace()
    item = f.sku(market=market)
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(item.id, 1)], payment_method="barter")
    assert error_code(excinfo) == "unknown_payment_method"
    with pytest.raises(services.BuyersOnly):
        place(f.user(role="merchant"), market, [(item.id, 1)], actor_role="merchant")


def test_same_idempotency_key_and_body_returns_the_same_checkout_once():
    market = f.marketplace()
    item = f.sku(market=market, stock=10)
    buyer = f.user()
    first = place(buyer, market, [(item.id, 2)], idempotency_key="k-1")
    again = place(buyer, market, [(item.id, 1), (item.id, 1)], idempotency_key="k-1")
    assert not first.replayed
    assert again.replayed
    assert again.as_json() == first.as_json()
    assert Checkout.objects.count() == 1
    assert item.stock() == 8
    assert IdempotencyRecord.objects.get().checkout_id == first.checkout_id
    # the same key of ANOTHER buyer is another checkout
    other = place(f.user(), market, [(item.id, 2)], idempotency_key="k-1")
    assert other.checkout_id != first.checkout_id


def test_same_idempotency_key_with_another_body_is_refused():
    market = f.marketplace()
    item = f.sku(market=market, stock=10)
    buyer = f.user()
    place(buyer, market, [(item.id, 2)], idempotency_key="k-2")
    with pytest.raises(services.IdempotencyKeyReused) as excinfo:
        place(buyer, market, [(item.id, 3)], idempotency_key="k-2")
    assert excinfo.value.status == 409
    assert excinfo.value.code == "idempotency_key_reused"
    assert item.stock() == 8


def test_idempotency_key_must_not_be_blank():
    market = f.marketplace()
    item = f.sku(market=market)
    with pytest.raises(services.InvalidInput):
        place(f.user(), market, [(item.id, 1)], idempotency_key="   ")


def test_a_failed_checkout_does_not_burn_its_idempotency_key():
    market = f.marketplace()
    item = f.sku(market=market, stock=1)
    buyer = f.user()
    with pytest.raises(services.OutOfStock):
        place(buyer, market, [(item.id, 2)], idempotency_key="k-3")
    assert not IdempotencyRecord.objects.exists()


def test_checkout_from_cart_empties_the_cart_in_the_same_transaction():
    market = f.marketplace()
    buyer = f.user()
    a = f.sku(market=market, price_minor=500)
    b = f.sku(market=market, price_minor=700)
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        variant_id=a.id,
        quantity=2,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        variant_id=b.id,
        quantity=1,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    result = place(buyer, market, None, idempotency_key="cart-1")
    assert result.total_minor == 2 * 500 + 700
    assert not CartLine.objects.exists()
    # a retry after success replays although the cart is now empty
    again = place(buyer, market, None, idempotency_key="cart-1")
    assert again.replayed and again.checkout_id == result.checkout_id
    with pytest.raises(services.InvalidInput) as excinfo:
        place(buyer, market, None)
    assert error_code(excinfo) == "empty_checkout"


def test_a_failed_cart_checkout_keeps_the_cart():
    market = f.marketplace()
    buyer = f.user()
    a = f.sku(market=market, stock=1)
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        variant_id=a.id,
        quantity=1,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    StockLevel.objects.update(units_on_hand=0)
    with pytest.raises(services.OutOfStock):
        services.checkout_submit(
            buyer_id=buyer.pk,
            marketplace_slug=market.slug,
            country="IT",
            lines=None,
            shipping_address=f.address(),
            payment_method="cod",
            now=f.NOW,
            actor_role=SYSTEM,
        )
    assert CartLine.objects.count() == 1


def test_a_cart_checkout_takes_only_the_buyers_own_cart():
    market = f.marketplace()
    owner = f.user()
    a = f.sku(market=market)
    services.cart_line_set(
        buyer_id=owner.pk,
        marketplace_slug=market.slug,
        variant_id=a.id,
        quantity=1,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, None)
    assert error_code(excinfo) == "empty_checkout"
    assert CartLine.objects.filter(cart__buyer=owner).count() == 1
    assert not Order.objects.exists()


class PaidAtOnce:
    """A stand-in wallet: settles the whole checkout inside the transaction."""

    code = "test-wallet"
    label = "Test wallet"
    collects_on_delivery = False

    def __init__(self) -> None:
        self.charges: list[CheckoutCharge] = []

    def settle_checkout(self, *, charge: CheckoutCharge, now) -> Settled:
        self.charges.append(charge)
        return Settled(paid=True)


def test_a_payment_method_that_settles_at_checkout_writes_the_orders_paid():
    wallet = payment_method_register(PaidAtOnce())
    market = f.marketplace()
    a = f.sku(market=market, price_minor=100)
    b = f.sku(market=market, price_minor=200)
    result = place(f.user(), market, [(a.id, 1), (b.id, 1)], payment_method="test-wallet")
    assert {o.status for o in result.orders} == {"paid"}
    assert all(o.paid_at == f.NOW for o in Order.objects.all())
    (charge,) = wallet.charges
    assert charge.total_minor == 300
    assert charge.order_numbers == tuple(o.number for o in result.orders)
    assert sum(charge.order_totals_minor) == 300


def test_a_merchant_without_an_active_store_on_the_marketplace_sells_nothing_there():
    market = f.marketplace()
    item = f.sku(market=market)
    Store.objects.filter(merchant=item.merchant).update(is_active=False)
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(item.id, 1)])
    assert error_code(excinfo) == "variant_unavailable"


def test_a_closed_marketplace_takes_no_orders():
    market = f.marketplace()
    item = f.sku(market=market)
    Marketplace.objects.filter(pk=market.pk).update(is_active=False)
    with pytest.raises(services.Conflict) as excinfo:
        place(f.user(), market, [(item.id, 1)])
    assert error_code(excinfo) == "marketplace_closed"
    assert item.stock() == 100


def test_one_result_shape_is_returned_stored_for_retries_and_published():
    market = f.marketplace()
    makers = [f.merchant(), f.merchant()]
    items = [f.sku(market=market, merchant_obj=m, price_minor=1000) for m in makers]
    result = place(f.user(), market, [(s.id, 2) for s in items], idempotency_key="shape-1")
    stored = IdempotencyRecord.objects.get(key="shape-1").result
    event = OutboxMessage.objects.get(topic="orders.checkout.placed").payload
    assert stored == event == result.as_json()
    assert "replayed" not in stored
    assert services.CheckoutResult.from_json(stored, replayed=True) == dataclasses.replace(
        result, replayed=True
    )
    assert {o.number: o.order_id for o in result.orders} == dict(
        Order.objects.values_list("number", "pk")
    )
