"""Sample orders on B2B listings (catalog.rules): the cart, the quote and the checkout
price a sample line at the sample price, 1 to the variant's sample units, outside the MOQ;
a B2B checkout records the listing terms on each order."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fiera.accounts.roles import BUYER
from fiera.accounts.services import token_issue
from fiera.catalog.models import Product, Variant
from fiera.orders import selectors, services
from fiera.orders import sql as order_sql
from fiera.orders.models import CartLine, Order, OrderLine
from fiera.orders.pricing import BelowMinimumOrder, SampleLimit, SampleNotOffered
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


def _trade() -> Any:
    return f.marketplace(
        slug="trade", kind="b2b_trade", worldwide=True, default_currency="USD", countries={}
    )


def _offer(sku: f.Sku, *, units: int = 2, price: int = 1500, currency: str = "USD") -> None:
    Variant.objects.filter(pk=sku.id).update(
        sample_units=units, sample_price_minor=price, sample_currency=currency
    )


def _terms(sku: f.Sku, **terms: Any) -> None:
    values = {
        "incoterm": "FOB",
        "incoterm_place": "Genova",
        "payment_terms": "assurance",
        "lead_time_days": 20,
    }
    values.update(terms)
    Product.objects.filter(pk=sku.product.pk).update(**values)


def _checkout(buyer: Any, **extra: Any) -> services.CheckoutResult:
    params: dict[str, Any] = {
        "buyer_id": buyer.pk,
        "marketplace_slug": "trade",
        "country": "US",
        "lines": None,
        "shipping_address": f.address("US"),
        "payment_method": "cod",
        "now": f.NOW,
        "actor_role": BUYER,
    }
    params.update(extra)
    return services.checkout_submit(**params)


def _add(buyer: Any, sku: f.Sku, quantity: int, *, sample: bool = False, add: bool = False) -> Any:
    return services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug="trade",
        variant_id=sku.id,
        quantity=quantity,
        now=f.NOW,
        add=add,
        country="US",
        actor_role=BUYER,
        sample=sample,
    )


def test_a_sample_sits_beside_the_normal_line_and_the_checkout_prices_it() -> None:
    market = _trade()
    item = f.sku(market=market, price_minor=1000, moq=50, stock=500)
    _offer(item, units=2, price=1500)
    _terms(item)
    buyer = f.user()
    cart = _add(buyer, item, 2, sample=True)
    assert [(line.quantity, line.price_kind, line.unit_price_minor) for line in cart.lines] == [
        (2, "sample", 1500)
    ]
    assert cart.can_check_out  # the MOQ of 50 is not applied to the sample
    cart = _add(buyer, item, 50)
    assert sorted((line.is_sample, line.quantity) for line in cart.lines) == [
        (False, 50),
        (True, 2),
    ]
    quote = selectors.checkout_quote(
        buyer_id=buyer.pk, marketplace_slug="trade", country="US", lines=None, now=f.NOW
    )
    assert quote.subtotal_minor == 50 * 1000 + 2 * 1500
    result = _checkout(buyer)
    [placed] = result.orders
    assert {(line.price_kind, line.quantity, line.unit_price_minor) for line in placed.lines} == {
        ("list", 50, 1000),
        ("sample", 2, 1500),
    }
    order = Order.objects.get(pk=placed.order_id)
    assert order.subtotal_minor == 53_000
    # cash on delivery is neither trade assurance nor advance: the payment terms stay blank
    assert (order.incoterm, order.incoterm_place, order.payment_terms, order.lead_time_days) == (
        "FOB",
        "Genova",
        "",
        20,
    )
    kinds = set(OrderLine.objects.filter(order=order).values_list("price_kind", "quantity"))
    assert kinds == {("list", 50), ("sample", 2)}
    assert item.stock() == 500 - 52  # one warehouse serves both lines
    assert not CartLine.objects.filter(buyer=buyer).exists()


def test_sample_limits_and_refusals() -> None:
    market = _trade()
    item = f.sku(market=market, moq=10)
    plain = f.sku(market=market, moq=10)
    _offer(item, units=1)
    buyer = f.user()
    with pytest.raises(SampleLimit) as limit:
        _add(buyer, item, 2, sample=True)
    assert limit.value.status == 422 and "1" in limit.value.message()
    _add(buyer, item, 1, sample=True)
    with pytest.raises(SampleLimit):
        _add(buyer, item, 1, sample=True, add=True)
    with pytest.raises(SampleNotOffered):
        _add(buyer, plain, 1, sample=True)
    with pytest.raises(BelowMinimumOrder):  # the normal line still needs the MOQ
        _add(buyer, item, 2)
    lines = [(item.id, 10)]
    with pytest.raises(SampleLimit):
        _checkout(buyer, lines=lines, samples=[(item.id, 2)])
    with pytest.raises(SampleNotOffered):
        _checkout(buyer, lines=lines, samples=[(plain.id, 1)])
    with pytest.raises(BelowMinimumOrder):
        _checkout(buyer, lines=[(item.id, 3)], samples=[(item.id, 1)])
    only_sample = _checkout(buyer, lines=[], samples=[(item.id, 1)])
    assert [line.price_kind for line in only_sample.orders[0].lines] == ["sample"]


def test_a_sample_price_in_another_currency_is_no_offer() -> None:
    market = _trade()
    item = f.sku(market=market)
    _offer(item, currency="EUR")
    with pytest.raises(SampleNotOffered):
        _add(f.user(), item, 1, sample=True)


def test_terms_agree_or_stay_blank_and_lead_time_is_the_longest() -> None:
    market = _trade()
    maker = f.merchant()
    first = f.sku(market=market, merchant_obj=maker)
    second = f.sku(market=market, merchant_obj=maker)
    _terms(first, lead_time_days=10)
    _terms(second, incoterm="CIF", incoterm_place="Shanghai", lead_time_days=30)
    buyer = f.user()
    result = _checkout(buyer, lines=[(first.id, 1), (second.id, 1)])
    order = Order.objects.get(pk=result.orders[0].order_id)
    assert (order.incoterm, order.incoterm_place, order.payment_terms, order.lead_time_days) == (
        "",
        "",
        "",  # the listings agree on "assurance", but cash on delivery settles it
        30,
    )


def test_a_storefront_order_records_no_terms() -> None:
    market = f.marketplace(slug="shop")
    item = f.sku(market=market)
    _terms(item)
    buyer = f.user()
    result = services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug="shop",
        country="IT",
        lines=[(item.id, 1)],
        shipping_address=f.address(),
        payment_method="cod",
        now=f.NOW,
        actor_role=BUYER,
    )
    order = Order.objects.get(pk=result.orders[0].order_id)
    assert (order.incoterm, order.payment_terms, order.lead_time_days) == ("", "", None)


def _h(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}"}


def test_cart_and_checkout_api_with_sample_lines(client: Client) -> None:
    market = _trade()
    item = f.sku(market=market, price_minor=800, moq=20)
    plain = f.sku(market=market)
    _offer(item, units=2, price=1200)
    _terms(item)
    buyer = f.user()
    url = "/api/v1/carts/trade/lines"
    put = client.post(
        url,
        {"variant_id": item.id, "quantity": 2, "sample": True},
        content_type="application/json",
        **_h(buyer),
    )
    assert put.status_code == 200, put.content
    [line] = put.json()["lines"]
    assert line["sample"] is True and line["price_kind"] == "sample"
    too_many = client.post(
        url,
        {"variant_id": item.id, "quantity": 3, "sample": True},
        content_type="application/json",
        **_h(buyer),
    )
    assert too_many.status_code == 422 and too_many.json()["error"] in {
        "sample_limit",
        "invalid_quantity",
    }
    none = client.post(
        url,
        {"variant_id": plain.id, "quantity": 1, "sample": True},
        content_type="application/json",
        **_h(buyer),
    )
    assert none.status_code == 422 and none.json()["error"] == "sample_not_offered"
    gone = client.delete(f"{url}/{item.id}?sample=true", **_h(buyer))
    assert gone.json()["lines"] == []
    body = {
        "marketplace": "trade",
        "country": "US",
        "lines": [
            {"variant_id": item.id, "quantity": 20},
            {"variant_id": item.id, "quantity": 1, "sample": True},
        ],
        "shipping_address": f.address("US"),
    }
    made = client.post("/api/v1/checkout", body, content_type="application/json", **_h(buyer))
    assert made.status_code == 201, made.content
    [order] = made.json()["orders"]
    assert sorted(line["price_kind"] for line in order["lines"]) == ["list", "sample"]
    detail = client.get(f"/api/v1/orders/{order['number']}", **_h(buyer)).json()
    assert detail["incoterm"] == "FOB" and detail["lead_time_days"] == 20
    assert sorted(line["price_kind"] for line in detail["lines"]) == ["list", "sample"]
    over = dict(body, lines=[{"variant_id": item.id, "quantity": 3, "sample": True}])
    refused = client.post("/api/v1/checkout", over, content_type="application/json", **_h(buyer))
    assert refused.status_code == 422 and refused.json()["error"] == "sample_limit"


@pytest.mark.parametrize(
    ("fixed", "listed", "terms"),
    [
        ("assurance", "", "assurance"),  # the trade-assurance method, whatever the listings
        ("assurance", "advance", "assurance"),
        (None, "assurance", "assurance"),  # paid later: held in escrow when paid
        (None, "", ""),
        ("advance", "assurance", "advance"),  # the wallet paid the supplier at checkout
        ("advance", "", ""),  # a storefront order names no terms
        ("", "assurance", ""),  # cash on delivery
    ],
)
def test_the_order_payment_terms_say_how_it_is_settled(
    fixed: str | None, listed: str, terms: str
) -> None:
    assert order_sql._payment_terms(fixed, listed) == terms
