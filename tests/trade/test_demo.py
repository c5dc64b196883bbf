from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from django.contrib.auth import authenticate

from fiera.demo.trade import build_trade
from fiera.trade import selectors
from fiera.trade.models import BuyerCompany, Inquiry, InquiryMessage
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _market_with_suppliers(count: int = 8) -> None:
    market = f.marketplace(
        slug="trade", kind="b2b_trade", default_currency="USD", countries={"US": "USD"}
    )
    for n in range(count):
        merchant = f.merchant()
        f.store(merchant, market)
        if n % 3 == 1:  # most demo companies have no staff login: the demo adds a clerk
            f.staff(merchant, role="owner")
        product = f.product(merchant)
        f.price(f.variant(product), market, 1000 + n, currency="USD")


def _staff_of(merchant_id: int) -> int:
    from fiera.merchants.selectors import staff_list

    return staff_list(merchant_id=merchant_id, actor_role="system")[0].user_id


def test_the_demo_trade_world_shows_every_state() -> None:
    _market_with_suppliers()
    line = build_trade(now=NOW, seed=3, password="demo-pass-1")
    assert line.startswith("trade          12 buyer companies from 12 countries")
    companies = BuyerCompany.objects.all()
    assert len({c.country for c in companies}) >= 10
    assert {c.verified_at is not None for c in companies} == {True, False}
    suppliers = selectors.supplier_list(now=NOW)
    assert {s.level for s in suppliers} == {"none", "licence", "audit"}
    expired = [v for s in suppliers for v in s.verifications if v.expires_at <= NOW]
    assert {v.kind for v in expired} == {"licence", "audit"}
    assert Counter(Inquiry.objects.values_list("status", flat=True)).keys() == {
        "open",
        "answered",
        "closed",
    }
    assert InquiryMessage.objects.filter(side="supplier").exists()
    user = authenticate(username="buyer-b2b", password="demo-pass-1")
    assert user is not None and selectors.company_of_user(user_id=user.pk) is not None
    mine = selectors.inquiry_list(actor_id=user.pk, actor_role="buyer")
    assert {i.status for i in mine} == {"open", "answered", "closed"}
    answered = Inquiry.objects.exclude(status="open").values_list("merchant_id", flat=True)
    for merchant_id in set(answered):  # someone of the supplier's staff wrote each answer
        assert selectors.inquiry_list(
            actor_id=_staff_of(merchant_id), actor_role="merchant", merchant_id=merchant_id
        )
    # a rebuild gives the same world
    assert build_trade(now=NOW, seed=3, password="demo-pass-1") == line


# --- pavilions ---


def test_the_demo_pavilions_are_full_with_a_waiting_list() -> None:
    from fiera.demo.pavilions import QUOTA, build_pavilions
    from tests.partners.factories import make_partner

    _market_with_suppliers(count=22)
    make_partner(slug="agenzia-export-nord", name="Agenzia Export Nord", type="trade_agency")
    build_trade(now=NOW, seed=3, password="demo-pass-1")
    line = build_pavilions(now=NOW, seed=3)
    assert line.startswith("pavilions      2 pavilions: Made in Italy Pavilion"), line
    italy = selectors.pavilion_get(slug="made-in-italy")
    assert italy.admitted == italy.quota == QUOTA and not italy.seats_left
    statuses = Counter(
        a.status
        for a in selectors.application_list(
            slug="made-in-italy", actor_id=None, actor_role="system"
        )
    )
    assert statuses == {"admitted": QUOTA, "waitlisted": 3, "rejected": 2, "pending": 2}
    rejected = selectors.application_list(
        slug="made-in-italy", actor_id=None, actor_role="system", status="rejected"
    )
    assert all(a.reason for a in rejected)
    food = selectors.pavilion_get(slug="sapori-d-italia")
    assert food.is_open and food.admitted == 2 and food.seats_left == 38
    stats = selectors.pavilion_stats(slug="made-in-italy", now=NOW)
    assert stats.admitted == QUOTA and stats.listings >= QUOTA
    assert stats.inquiries > 0  # the demo's inquiries came after the admissions
