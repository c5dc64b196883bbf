"""The demo's trade and academy history in analytics: the demo's RFQs, quotes and deals (made
through the trade services, their events delivered) and its masterclass (bulk-loaded, no
events) are counted by the demo's analytics step (``analytics_rebuild`` runs
``feeds_rebuild``); the rebuild equals the live path on the trade, and the events delivered
after it add nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Sum

from fiera.academy.models import Certificate, Enrolment
from fiera.analytics.models import AcademyDay, TradeDay
from fiera.analytics.query import Filters, Period, analytics_scope, analytics_total
from fiera.demo.academy import build_academy
from fiera.demo.academy_certificates import COHORT, build_academy_certificates
from fiera.demo.analytics import build_analytics
from fiera.demo.rfqs import build_rfqs
from fiera.demo.trade import build_trade
from fiera.trade.models import Inquiry, Quote, QuoteVersion, Rfq
from tests.academy.certificates_factories import (  # noqa: F401 - academy_signing_key: autouse
    academy_signing_key,
)
from tests.analytics.test_feeds import deliver, snapshot
from tests.catalog import factories as f
from tests.merchants.factories import load_sectors, make_merchant

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
YEAR = Period((NOW - timedelta(days=360)).date(), NOW.date())


def trade_world() -> None:
    """As tests/trade/test_rfq_demo.py: suppliers with products on a trade marketplace."""
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


def test_the_demo_history_shows_up_and_the_rebuild_equals_the_live_path() -> None:
    trade_world()
    build_trade(now=NOW, seed=3, password="demo-pass-1")
    build_rfqs(now=NOW, seed=3, password="demo-pass-1")
    deliver()  # the live path: the trade services' events
    live = snapshot()
    assert live["trade"] and not live["academy"]
    load_sectors()
    for _ in range(4):
        make_merchant()
    build_academy(now=NOW, seed=11, password="demo-pass-1")
    masterclass = Enrolment.objects.filter(cohort__slug=COHORT)
    masterclass.filter(pk__in=list(masterclass.values_list("pk", flat=True)[:7])).update(
        final_score_permille=900, final_passed_at=NOW - timedelta(days=3)
    )
    build_academy_certificates(now=NOW)
    build_analytics(now=NOW)  # the demo's last step: analytics_rebuild runs feeds_rebuild
    rebuilt = snapshot()
    assert rebuilt["trade"] == live["trade"]  # the trade: the same as live
    deliver()  # the certificates' events after the rebuild: nothing twice
    assert snapshot() == rebuilt

    scope = analytics_scope(actor_id=None, actor_role="operator")

    def total(measure: str) -> int:
        return analytics_total(measure=measure, period=YEAR, filters=Filters(), scope=scope)

    assert total("inquiries") == Inquiry.objects.count() > 0
    assert total("rfqs") == Rfq.objects.count() == 9
    assert total("quotes") == Quote.objects.count() > 0
    accepted = Quote.objects.filter(status="accepted")
    assert total("deals") == accepted.count() >= 1
    values = [
        QuoteVersion.objects.get(quote=q, number=q.version) for q in accepted
    ]  # USD: the identity rate
    assert total("deal_value") == sum(v.unit_price_minor * v.quantity for v in values)
    assert total("enrolments") == Enrolment.objects.count() >= 200
    assert total("certificates") == Certificate.objects.count() == 7
    assert AcademyDay.objects.aggregate(n=Sum("count"))["n"] == Enrolment.objects.count() + 7
    assert TradeDay.objects.filter(kind="rfq").exclude(merchant_id=0).count() == 0
