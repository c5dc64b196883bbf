"""``order_place_agreed``: one order at agreed prices and terms (an accepted RFQ quote),
through the checkout's write path: contract lines, the terms on the order, stock taken,
unpaid with its own payment deadline; refusals before anything is written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fiera.orders.models import Checkout, Order, OrderLine
from fiera.orders.pricing import BelowMinimumOrder, VariantUnavailable
from fiera.orders.services import (
    AgreedLine,
    AgreedMerchantMismatch,
    AgreedTermsInvalid,
    BuyersOnly,
    OutOfStock,
    order_place_agreed,
)
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


def _place(market: Any, item: Any, buyer: Any, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "buyer_id": buyer.pk,
        "actor_role": "buyer",
        "marketplace_id": market.pk,
        "merchant_id": item.merchant.pk,
        "currency": "USD",
        "lines": [AgreedLine(variant_id=item.variant.pk, quantity=20, unit_price_minor=850)],
        "shipping_address": f.address("US", city="Boston", postal_code="02110"),
        "incoterm": "cif",
        "incoterm_place": "Boston",
        "payment_terms": "advance",
        "lead_time_days": 30,
        "quote_ref": "RFQ1-Q2-v1",
        "payment_due_at": f.NOW + timedelta(days=7),
        "now": f.NOW,
    }
    values.update(overrides)
    return order_place_agreed(**values)


def test_an_agreed_order_carries_the_contract_price_and_terms() -> None:
    market = f.marketplace(kind="b2b_trade", countries={"US": "USD"}, default_currency="USD")
    item = f.sku(market=market, price_minor=1000, moq=10, stock=50)
    buyer = f.user()
    placed = _place(market, item, buyer)
    assert placed.payment_method == "wallet_later" and len(placed.orders) == 1
    order = Order.objects.get(number=placed.orders[0].number)
    assert (order.status, order.total_minor, order.currency) == ("placed", 17_000, "USD")
    assert (order.incoterm, order.incoterm_place, order.payment_terms) == (
        "CIF",
        "Boston",
        "advance",
    )
    assert (order.lead_time_days, order.quote_ref) == (30, "RFQ1-Q2-v1")
    assert order.payment_due_at == f.NOW + timedelta(days=7)
    line = OrderLine.objects.get(order=order)
    assert (line.price_kind, line.unit_price_minor, line.quantity) == ("contract", 850, 20)
    assert item.stock() == 30
    assert Checkout.objects.get(pk=order.checkout_id).total_minor == 17_000


def test_refusals_write_nothing() -> None:
    market = f.marketplace(kind="b2b_trade", countries={"US": "USD"}, default_currency="USD")
    item = f.sku(market=market, moq=10, stock=15)
    other = f.sku(market=market)
    buyer = f.user()
    with pytest.raises(BuyersOnly):
        _place(market, item, buyer, actor_role="merchant")
    with pytest.raises(BelowMinimumOrder):
        _place(market, item, buyer, lines=[AgreedLine(item.variant.pk, 5, 850)])
    with pytest.raises(OutOfStock):
        _place(market, item, buyer)
    with pytest.raises(AgreedMerchantMismatch):
        _place(market, item, buyer, lines=[AgreedLine(other.variant.pk, 1, 850)])
    with pytest.raises(VariantUnavailable):
        _place(market, item, buyer, currency="EUR")
    with pytest.raises(AgreedTermsInvalid):
        _place(market, item, buyer, payment_due_at=f.NOW)
    with pytest.raises(AgreedTermsInvalid):
        _place(market, item, buyer, lines=[AgreedLine(item.variant.pk, 10, 0)])
    assert not Order.objects.exists() and item.stock() == 15
