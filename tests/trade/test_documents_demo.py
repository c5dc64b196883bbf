"""The demo's B2B orders for the trade documents (fiera.demo.documents): an unpaid one with
a quote reference and terms (its proforma) and a shipped one (invoice and packing list)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fiera.catalog.models import Variant
from fiera.demo.documents import build_documents
from fiera.orders.models import Order
from fiera.trade import selectors
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_the_demo_has_an_order_for_each_document() -> None:
    assert build_documents(now=NOW).startswith("documents      skipped")
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
    line = build_documents(now=NOW)
    assert "fiera.demo.documents" in line, line
    orders = {o.status: o for o in Order.objects.filter(buyer=buyer)}
    unpaid, shipped = orders["placed"], orders["shipped"]
    assert unpaid.quote_ref and unpaid.incoterm == "FOB" and unpaid.payment_due_at > NOW
    assert shipped.incoterm == "CIF" and shipped.shipments.count() == 1
    assert {unpaid.merchant_id, shipped.merchant_id} == {merchant.pk}
    assert Variant.objects.filter(merchant=unstaffed).exists()
    shown = selectors.order_document(
        actor_id=owner.pk, actor_role="merchant", number=shipped.number, kind="packing-list"
    )
    assert shown.pdf.startswith(b"%PDF-")
    # a second run keeps what is there
    build_documents(now=NOW)
    assert Order.objects.filter(buyer=buyer).count() == 2
