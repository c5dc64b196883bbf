"""The demo's trade-assurance orders: held, released, disputed (open) and decided."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from fiera.demo.assurance import build_assurance
from fiera.payments.models import Escrow
from fiera.trade.models import Dispute
from tests.orders import factories as f
from tests.payments.factories import make_rates

pytestmark = pytest.mark.django_db
NOW = f.NOW


def test_the_demo_shows_every_state_of_trade_assurance() -> None:
    make_rates(on=NOW.date() - timedelta(days=2))
    market = f.marketplace(
        slug="trade", kind="b2b_trade", countries={"US": "USD"}, default_currency="USD"
    )
    for n in range(5):
        maker = f.merchant()
        f.staff(merchant_obj=maker)
        f.sku(market=market, merchant_obj=maker, price_minor=12_000 + n, stock=500, moq=10)
    buyer = f.user(username="buyer-b2b")
    f.user(role="operator")
    line = build_assurance(now=NOW)
    assert line.startswith("assurance      4 B2B orders in escrow"), line
    statuses = Counter(Escrow.objects.values_list("status", flat=True))
    assert statuses == {"held": 2, "released": 1, "refunded": 1}
    disputes = {d.status: d for d in Dispute.objects.all()}
    assert set(disputes) == {"open", "upheld"}
    assert {m.side for m in disputes["open"].messages.all()} == {"buyer", "supplier"}
    assert all(m.evidence for m in disputes["open"].messages.all())
    assert disputes["upheld"].decision_reason
    assert disputes["open"].buyer_id == buyer.pk
    # the release was booked yesterday and settled with the other past days
    from fiera.payments.models import Payment

    assert not Payment.objects.filter(settlement_run__isnull=True).exists()
    assert Payment.objects.filter(kind="escrow").count() == 1
    assert build_assurance(now=NOW) == "assurance      already built"
