"""The trade and academy feeds of analytics: their events -> facts and day rows (once, however
often delivered), a rebuild from the trade and academy tables equal to the live path, the
measures through the query layer, and scopes (a merchant sees its own trade figures only)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from fiera.academy import certificates as certs
from fiera.academy import courses
from fiera.academy.models import Enrolment
from fiera.accounts import roles
from fiera.analytics import feeds
from fiera.analytics.models import AcademyDay, FeedFact, TradeDay
from fiera.analytics.query import Filters, Period, analytics_scope
from fiera.analytics.selectors import (
    analytics_breakdown,
    analytics_kpis,
    analytics_series,
    analytics_total,
)
from fiera.analytics.services import analytics_rebuild, feeds_rebuild
from fiera.common import events
from fiera.common.errors import PermissionDenied
from fiera.common.models import OutboxMessage
from fiera.common.reporting import to_usd_minor
from fiera.trade import services as trade
from fiera.trade.selectors import trade_feed
from tests.academy import factories as af
from tests.academy.certificates_factories import (  # noqa: F401 - academy_signing_key: autouse
    academy_signing_key,
)
from tests.catalog import factories as f
from tests.payments.factories import make_rates
from tests.trade.factories import NOW, World, business_buyer, inquire, make_world
from tests.trade.rfq_world import ADDRESS, RfqWorld, post, quote, rfq_world

pytestmark = pytest.mark.django_db

DAY = NOW.date()
WEEK = Period(DAY - timedelta(days=3), DAY + timedelta(days=3))
ALL = Filters()


def deliver(*, after: int = 0, times: int = 1) -> int:
    """Hand every outbox message after ``after`` to the feeds' subscriber, ``times`` times
    (the outbox delivers at least once); returns the last message id."""
    last = after
    for message in OutboxMessage.objects.filter(id__gt=after).order_by("id"):
        last = message.pk
        if message.topic not in feeds.TOPICS:
            continue
        for attempt in range(1, times + 1):
            feeds.on_event(
                events.Event(
                    id=message.pk,
                    topic=message.topic,
                    payload=message.payload,
                    created_at=message.created_at,
                    subscriber=f"analytics.feeds.{message.topic}",
                    attempt=attempt,
                )
            )
    return last


def snapshot() -> dict[str, Any]:
    """The feeds' tables without their ids: facts, and the non-empty day rows."""
    fact_fields = [f for f in feeds._FACT_COLUMNS if f != "at"]
    return {
        "facts": sorted(FeedFact.objects.values_list(*fact_fields)),
        "trade": sorted(
            TradeDay.objects.exclude(count=0, value_usd_minor=0).values_list(
                *feeds._TRADE_KEY, "count", "value_usd_minor"
            )
        ),
        "academy": sorted(
            AcademyDay.objects.exclude(count=0).values_list(*feeds._ACADEMY_KEY, "count")
        ),
    }


def operator() -> Any:
    return analytics_scope(actor_id=None, actor_role=roles.OPERATOR)


def total(measure: str, filters: Filters = ALL, scope: Any = None, period: Period = WEEK) -> int:
    return analytics_total(
        measure=measure, period=period, filters=filters, scope=scope or operator()
    )


def company(buyer: Any, code: str, number: str) -> None:
    trade.company_create(
        actor_id=buyer.pk,
        actor_role="buyer",
        legal_name=f"Company {number}",
        country_code=code,
        registration_number=number,
        now=NOW,
    )


def accept(rw: RfqWorld, quote_id: int, buyer: Any, at: Any) -> Any:
    return trade.quote_accept(
        actor_id=buyer.pk,
        actor_role="buyer",
        quote_id=quote_id,
        shipping_address=ADDRESS,
        now=at,
    )


def enrol(cohort: Any, user: Any, at: Any) -> Any:
    return courses.enrol(
        cohort_slug=cohort.slug, language="it", user_id=user.pk, actor_role="learner", now=at
    )


@pytest.fixture
def market() -> dict[str, Any]:
    """A small trade and academy history over three days (demo-like: several buyers and
    countries, both suppliers, a revision, a refused accept, a declined quote, an RFQ of a
    buyer without a company, an enrolment made again, certificates, a learner without a
    country)."""
    w: World = make_world()
    rw = rfq_world(w)
    german, american = w.buyer, w.other_buyer
    company(german, "DE", "DE1")
    company(american, "US", "US1")
    loner = business_buyer(country="BR")  # no company: the account's country
    d0, d1, d2 = NOW - timedelta(days=1), NOW, NOW + timedelta(days=1)
    inquire(w, now=d0)
    inquire(w, buyer=american, now=d0, merchant_id=w.other.pk, product_id=w.other_product.pk)
    inquire(w, buyer=loner, now=d1)
    first = post(rw, now=d0, deadline=d0 + timedelta(days=14)).rfq.id
    second = post(rw, buyer=american, now=d1).rfq.id
    post(rw, buyer=loner, now=d2, deadline=d2 + timedelta(days=14))
    q1 = quote(rw, first, now=d0 + timedelta(hours=2), valid_until=d0 + timedelta(days=20))
    q2 = quote(
        rw,
        first,
        user=w.other_owner,
        variant_id=rw.other_variant.pk,
        quantity=20,
        unit_price_minor=8500,
        now=d0 + timedelta(hours=3),
        valid_until=d0 + timedelta(days=20),
    )
    q3 = quote(rw, second, unit_price_minor=4100, quantity=50, now=d1 + timedelta(hours=1))
    quote(
        rw,
        second,
        user=w.other_owner,
        variant_id=rw.other_variant.pk,
        quantity=10,
        now=d1 + timedelta(hours=2),
    )
    trade.quote_revise(
        actor_id=w.owner.pk,
        actor_role="merchant",
        quote_id=q1.id,
        variant_id=rw.variant.pk,
        unit_price_minor=3900,
        quantity=100,
        incoterm="FOB",
        incoterm_place="Genova",
        payment_terms="assurance",
        lead_time_days=21,
        valid_until=d0 + timedelta(days=20),
        now=d1,
    )
    with pytest.raises(trade.ShipToNeeded):
        trade.quote_accept(actor_id=german.pk, actor_role="buyer", quote_id=q2.id, now=d1)
    accept(rw, q1.id, german, d1 + timedelta(hours=5))  # q2 is declined with it
    accept(rw, q3.id, american, d2)
    cohort = af.cohort()
    other_cohort = af.cohort(af.course())
    italian = f.user(role="learner", country="IT")
    chinese = f.user(role="learner", country="CN")
    nowhere = f.user(role="learner")
    e1 = enrol(cohort, italian, d0)
    enrol(cohort, chinese, d0)
    enrol(other_cohort, nowhere, d1)
    courses.enrolment_withdraw(enrolment_id=e1.id, actor_id=italian.pk, now=d1)
    enrol(cohort, italian, d2)  # made again: counts once, on d2
    for user in (
        f.user(role="learner", country="AR", email="a@example.ar"),
        f.user(role="learner", email="g@example.it"),
    ):
        passed = enrol(other_cohort, user, d0)
        Enrolment.objects.filter(pk=passed.id).update(  # as the final exam's pass writes it
            final_score_permille=875, final_seconds=1800, final_passed_at=d1
        )
        certs.certificate_issue(enrolment_id=passed.id, now=d1, actor_role=roles.SYSTEM)
    return {"w": w, "rw": rw, "german": german, "american": american, "d0": d0, "d2": d2}


def test_the_subscribers_are_registered() -> None:
    for topic in feeds.TOPICS:
        assert f"analytics.feeds.{topic}" in events.subscriber_names(topic)


def test_events_make_the_day_rows_once_however_often_delivered(market: dict[str, Any]) -> None:
    deliver(times=3)
    w = market["w"]
    assert FeedFact.objects.count() == 3 + 3 + 4 + 2 + 5 + 2
    assert total("inquiries") == 3
    assert total("rfqs") == 3
    assert total("quotes") == 4  # first versions only
    assert total("deals") == 2
    assert total("deal_value") == 3900 * 100 + 4100 * 50  # USD at the identity rate
    assert total("enrolments") == 5  # the one made again counts once
    assert total("certificates") == 2
    d0 = market["d0"].date()
    assert TradeDay.objects.get(kind="inquiry", day=d0, merchant_id=w.supplier.pk).count == 1
    rows = AcademyDay.objects.filter(kind="enrolment").values_list("day", "country", "count")
    assert sorted(rows) == [
        (d0, "", 1),
        (d0, "AR", 1),
        (d0, "CN", 1),
        (DAY, "", 1),
        (market["d2"].date(), "IT", 1),
    ]
    # delivered again, all of it: nothing moves
    before = snapshot()
    deliver(times=1)
    assert snapshot() == before


def test_a_rebuild_from_the_tables_equals_the_live_path(market: dict[str, Any]) -> None:
    deliver()
    live = snapshot()
    assert live["trade"] and live["academy"]
    report = feeds_rebuild(actor_role=roles.OPERATOR)
    assert report.read == report.counted == len(live["facts"])
    assert snapshot() == live
    # the live path after a rebuild adds nothing (the events of what it counted)
    deliver(times=2)
    assert snapshot() == live
    # from nothing: the rebuild alone, and the core's rebuild runs it too
    FeedFact.objects.all().delete()
    TradeDay.objects.all().delete()
    AcademyDay.objects.all().delete()
    analytics_rebuild(since=None, actor_role=roles.SYSTEM)
    assert snapshot() == live


def test_only_operators_rebuild_and_read_the_feeds() -> None:
    with pytest.raises(PermissionDenied):
        feeds_rebuild(actor_role=roles.MERCHANT)
    with pytest.raises(PermissionDenied):
        trade_feed(kind="inquiry", actor_role=roles.BUYER)
    from fiera.academy.selectors import academy_feed

    with pytest.raises(PermissionDenied):
        academy_feed(kind="enrolment", actor_role=roles.LEARNER)
    assert feeds_rebuild(actor_role=roles.SYSTEM).read == 0


def test_measures_through_the_query_layer(market: dict[str, Any]) -> None:
    deliver()
    w = market["w"]
    d0, d2 = market["d0"].date(), market["d2"].date()
    assert total("inquiries", Filters(buyer_country="DE")) == 1
    assert total("inquiries", Filters(buyer_country="BR")) == 1  # the account's country
    assert total("inquiries", Filters(region="IT-25")) == 3
    assert total("deals", Filters(marketplace_id=w.market.pk)) == 2
    assert total("deals", Filters(marketplace_id=w.shop_market.pk)) == 0
    assert total("deals", Filters(category_id=1)) == 0  # no category: cannot be attributed
    assert total("rfqs", Filters(merchant_country="IT")) == 0  # an RFQ has no supplier
    assert total("rfqs", Filters(buyer_country="US")) == 1
    assert total("certificates", Filters(buyer_country="AR")) == 1
    assert total("enrolments", Filters(marketplace_id=w.market.pk)) == 0
    series = analytics_series(
        measure="quotes", period=Period(d0, d2), filters=ALL, scope=operator()
    )
    assert [(p.day, p.value) for p in series] == [(d0, 2), (DAY, 2), (d2, 0)]
    deals = analytics_breakdown(
        measure="deal_value", dimension="buyer_country", period=WEEK, filters=ALL, scope=operator()
    )
    assert [(r.key, r.value, r.rank) for r in deals.rows] == [
        ("DE", 390_000, 1),
        ("US", 205_000, 2),
    ]
    assert deals.total == 595_000 and deals.rows[0].label == "Germany"
    by_merchant = analytics_breakdown(
        measure="quotes", dimension="merchant", period=WEEK, filters=ALL, scope=operator()
    )
    assert {(r.key, r.label, r.value) for r in by_merchant.rows} == {
        (str(w.supplier.pk), "Oleificio Rossi", 2),
        (str(w.other.pk), "Lanificio Blu", 2),
    }
    learners = analytics_breakdown(
        measure="enrolments", dimension="buyer_country", period=WEEK, filters=ALL, scope=operator()
    )
    assert {(r.key, r.value) for r in learners.rows} == {("", 2), ("AR", 1), ("CN", 1), ("IT", 1)}
    from fiera.analytics.query import AnalyticsBadQuery

    with pytest.raises(AnalyticsBadQuery):  # an RFQ has no region
        analytics_breakdown(
            measure="rfqs", dimension="region", period=WEEK, filters=ALL, scope=operator()
        )
    kpis = {k.measure: k for k in analytics_kpis(period=WEEK, filters=ALL, scope=operator())}
    assert kpis["deals"].value == 2 and kpis["certificates"].value == 2


def test_a_merchant_sees_only_its_own_trade_figures(market: dict[str, Any]) -> None:
    deliver()
    w = market["w"]
    mine = analytics_scope(actor_id=w.owner.pk, actor_role=roles.MERCHANT)
    theirs = analytics_scope(actor_id=w.other_owner.pk, actor_role=roles.MERCHANT)
    assert (total("inquiries", scope=mine), total("inquiries", scope=theirs)) == (2, 1)
    assert (total("quotes", scope=mine), total("quotes", scope=theirs)) == (2, 2)
    assert (total("deals", scope=mine), total("deals", scope=theirs)) == (2, 0)
    assert total("deal_value", scope=theirs) == 0
    for measure in ("rfqs", "enrolments", "certificates"):  # no merchant's figures
        assert total(measure, scope=mine) == 0
    breakdown = analytics_breakdown(
        measure="inquiries", dimension="merchant", period=WEEK, filters=ALL, scope=mine
    )
    assert [r.key for r in breakdown.rows] == [str(w.supplier.pk)]
    with pytest.raises(PermissionDenied):
        analytics_scope(actor_id=w.owner.pk, actor_role=roles.MERCHANT, merchant_id=w.other.pk)


def test_a_deal_is_valued_in_us_cents_at_its_days_rate() -> None:
    make_rates(on=DAY - timedelta(days=2), USD="1.0832")  # the rate of the latest ECB day
    payload = {
        "marketplace_id": 7,
        "buyer_id": 1,
        "company_id": None,
        "buyer_country": "CN",
        "quote_id": 41,
        "rfq_id": 40,
        "merchant_id": 5,
        "merchant_country": "IT",
        "region": "IT-45",
        "order_id": 99,
        "order_number": "F-1",
        "currency": "EUR",
        "value_minor": 1_234_567,
        "accepted_at": NOW.isoformat(),
    }
    event = events.Event(99, feeds.QUOTE_ACCEPTED, payload, NOW, "test", 1)
    feeds.on_event(event)
    feeds.on_event(event)
    fact = FeedFact.objects.get(kind="deal", source_id=41)
    expected = to_usd_minor(1_234_567, "EUR", Decimal("1.0832"))
    assert (fact.usd_rate, fact.value_usd_minor) == ("1.0832", expected)
    row = TradeDay.objects.get(kind="deal")
    assert (row.day, row.count, row.value_usd_minor, row.region) == (DAY, 1, expected, "IT-45")
    # no rate at all for the currency: counted without a value
    feeds.on_event(
        events.Event(
            100,
            feeds.QUOTE_ACCEPTED,
            {**payload, "quote_id": 42, "currency": "BRL", "value_minor": 5_000},
            NOW,
            "test",
            1,
        )
    )
    assert total("deals") == 2 and total("deal_value") == expected


def test_an_enrolment_made_again_moves_and_an_old_redelivery_changes_nothing() -> None:
    cohort = af.cohort()
    learner = f.user(role="learner", country="FR")
    first = enrol(cohort, learner, NOW)
    start = deliver()
    courses.enrolment_withdraw(enrolment_id=first.id, actor_id=learner.pk, now=NOW)
    enrol(cohort, learner, NOW + timedelta(days=2))
    deliver(after=start)
    assert list(AcademyDay.objects.values_list("day", "count")) == [(DAY + timedelta(days=2), 1)]
    deliver()  # both events again, the old one first
    assert list(AcademyDay.objects.values_list("day", "count")) == [(DAY + timedelta(days=2), 1)]
    live = snapshot()
    feeds_rebuild(actor_role=roles.SYSTEM)
    assert snapshot() == live


@pytest.mark.django_db(transaction=True)
def test_the_outbox_relay_delivers_the_trade_events() -> None:
    w = make_world()
    inquire(w)
    events.relay(now=NOW)
    events.relay(now=NOW)
    assert total("inquiries", period=Period(date(2026, 11, 1), date(2026, 11, 30))) == 1


def test_operators_read_the_feeds_tables_in_the_admin(client: Any, market: dict[str, Any]) -> None:
    deliver()
    operator = f.user(role="operator", is_superuser=True)
    client.force_login(operator)
    for table in ("feedfact", "tradeday", "academyday"):
        page = client.get(f"/admin/analytics/{table}/")
        assert page.status_code == 200, table
        assert client.get(f"/admin/analytics/{table}/add/").status_code == 403, table
