"""The demo's RFQs: buyers of several countries, quotes in every state, an accepted quote's
order at the quoted terms; the buyer-b2b and merchant logins see content."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fiera.demo.rfqs import build_rfqs
from fiera.demo.trade import build_trade
from fiera.orders.models import Order, OrderLine
from fiera.trade.models import Quote, Rfq
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_the_demo_rfqs_show_every_state() -> None:
    market = f.marketplace(
        slug="trade", kind="b2b_trade", default_currency="USD", countries={"US": "USD"}
    )
    food = f.category("food", name_en="Food")
    oil = f.category("oil", parent=food, name_en="Oil")
    for n in range(8):
        merchant = f.merchant()
        f.store(merchant, market)
        if n % 3 == 1:
            f.staff(merchant, role="owner")
        product = f.product(merchant, category=oil if n % 2 else food)
        variant = f.variant(product, min_order_quantity=12)
        f.price(variant, market, 1000 + n, currency="USD")
        f.stock(variant, f.warehouse(merchant), 5000)
    build_trade(now=NOW, seed=3, password="demo-pass-1")
    line = build_rfqs(now=NOW, seed=3, password="demo-pass-1")
    assert line.startswith("rfqs           9 RFQs"), line
    assert set(Rfq.objects.values_list("status", flat=True)) == {
        "open",
        "awarded",
        "closed",
        "expired",
    }
    assert set(Quote.objects.values_list("status", flat=True)) == {
        "submitted",
        "revised",
        "accepted",
        "declined",
        "withdrawn",
        "expired",
    }
    assert len(set(Rfq.objects.values_list("destination_country", flat=True))) >= 6
    accepted = Quote.objects.get(status="accepted")
    order = Order.objects.get(number=accepted.order_number)
    assert order.quote_ref and order.payment_method == "wallet_later" and order.incoterm
    assert OrderLine.objects.get(order=order).price_kind == "contract"
    # a rebuild gives the same RFQs
    assert build_rfqs(now=NOW, seed=3, password="demo-pass-1") == line
