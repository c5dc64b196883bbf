"""The demo's B2B orders for the trade documents (fiera.demo.documents): an unpaid one with
a quote reference and terms (its proforma) and a shipped one (invoice and packing list)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fiera.catalog.models import Variant
from fiera.demo.documents import build_documents
from fiera.orders import services as orders
from fiera.orders.models import Order
from fiera.trade import selectors
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _trade_world() -> tuple[Any, Any, Any]:
    market = f.marketplace(
        slug="trade", kind="b2b_trade", default_currency="USD", countries={"US": "USD"}
    )
    unstaffed = f.merchant()  # no login to ship: not chosen
    f.store(unstaffed, market)
    merchant = f.merchant()
    f.store(merchant, market)
    owner = f.staff(merchant, role="owner")
    for m in (unstaffed, merchant):
        variant = f.variant(f.product(m, origin_country="IT"), weight_grams=1200)
        f.price(variant, market, 2500, currency="USD")
        f.stock(variant, f.warehouse(m), 500)
    buyer = f.user("buyer", username="buyer-b2b", buyer_kind="business")
    return merchant, owner, buyer


def test_the_demo_has_an_order_for_each_document() -> None:
    assert build_documents(now=NOW).startswith("documents      skipped")
    merchant, owner, buyer = _trade_world()
    line = build_documents(now=NOW)
    assert "(proforma)" in line and "(invoice, packing list)" in line, line
    orders_by_status = {o.status: o for o in Order.objects.filter(buyer=buyer)}
    unpaid, shipped = orders_by_status["placed"], orders_by_status["shipped"]
    assert unpaid.quote_ref and unpaid.incoterm == "FOB" and unpaid.payment_due_at > NOW
    assert unpaid.payment_terms == "assurance" and unpaid.lead_time_days == 30
    # shipped without a payment (none is made on the demo's day): paid on delivery, terms open
    assert shipped.incoterm == "CIF" and shipped.payment_terms == ""
    assert shipped.shipments.count() == 1
    assert {unpaid.merchant_id, shipped.merchant_id} == {merchant.pk}
    shown = selectors.order_document(
        actor_id=owner.pk, actor_role="merchant", number=shipped.number, kind="packing-list"
    )
    assert shown.pdf.startswith(b"%PDF-")
    # a second run keeps what is there
    build_documents(now=NOW)
    assert Order.objects.filter(buyer=buyer).count() == 2


def test_a_paid_order_of_the_history_becomes_the_shipped_one() -> None:
    merchant, owner, buyer = _trade_world()
    variant = Variant.objects.filter(merchant=merchant).first()
    result = orders.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug="trade",
        country="US",
        lines=[(variant.pk, 20)],
        shipping_address={
            "name": "Receiving",
            "line1": "1 Dock",
            "city": "Newark",
            "postal_code": "07114",
            "country": "US",
        },
        payment_method="cod",
        now=NOW - timedelta(days=9),
        actor_role="buyer",
    )
    number = result.orders[0].number
    orders.order_ship(
        actor_id=owner.pk,
        actor_role="merchant",
        number=number,
        carrier="UPS",
        tracking_number="1Z999",
        now=NOW - timedelta(days=8),
    )
    # as the history's wallet checkouts are: paid at checkout
    Order.objects.filter(number=number).update(payment_method="wallet", paid_at=NOW)
    build_documents(now=NOW)
    history = Order.objects.get(number=number)
    assert history.incoterm == "CIF" and history.payment_terms == "advance"
    assert Order.objects.filter(buyer=buyer).count() == 2  # and the unpaid one
