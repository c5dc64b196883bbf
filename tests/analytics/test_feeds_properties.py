"""A property of the feeds' counting (hypothesis): whatever the order of the deliveries and
however often each is delivered (enrolments made again included), the facts and day rows
equal counting each trade/academy id once, enrolments at their latest time; and the
measures answer the sums of those."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiera.analytics import feeds
from fiera.analytics.models import AcademyDay, FeedFact, TradeDay
from fiera.analytics.query import Filters, Period, Scope, analytics_total
from tests.analytics.test_feeds import snapshot

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
EVERYONE = Scope(kind="all", merchant_ids=None, label="")
MONTH = Period(START.date(), START.date() + timedelta(days=30))


class Rollback(Exception):
    pass


def _happening(kind: str, source_id: int, day: int, version: int = 0) -> feeds.Happening:
    """The same attributes for a (kind, id) whatever its delivery; an enrolment's time is
    its ``version`` (made again later)."""
    at = START + timedelta(days=day + (version if kind == "enrolment" else 0), hours=source_id)
    if kind in ("enrolment", "certificate"):
        return feeds.Happening(
            kind=kind,
            source_id=source_id,
            at=at,
            course_id=1 + source_id % 2,
            buyer_country=("IT", "CN", "")[source_id % 3],
        )
    return feeds.Happening(
        kind=kind,
        source_id=source_id,
        at=at,
        marketplace_id=1 + source_id % 2,
        merchant_id=0 if kind == "rfq" else 10 + source_id % 3,
        merchant_country="" if kind == "rfq" else "IT",
        region="" if kind == "rfq" else ("IT-25", "IT-45", "IT-21")[source_id % 3],
        buyer_country=("US", "DE")[source_id % 2],
        currency="USD" if kind in ("quote", "deal") else "",
        value_minor=1000 * source_id if kind in ("quote", "deal") else 0,
    )


deliveries = st.lists(
    st.tuples(
        st.sampled_from(("inquiry", "rfq", "quote", "deal", "enrolment", "certificate")),
        st.integers(1, 6),  # the id
        st.integers(0, 20),  # its day
        st.integers(0, 3),  # an enrolment's making (0: the first)
        st.integers(1, 3),  # batch size of the delivery it comes in
    ),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(deliveries=deliveries)
def test_any_delivery_order_counts_each_id_once(deliveries):  # type: ignore[no-untyped-def]
    try:
        with transaction.atomic():
            days: dict[tuple[str, int], int] = {}
            latest: dict[tuple[str, int], feeds.Happening] = {}
            batch: list[feeds.Happening] = []
            for kind, source_id, day, version, size in deliveries:
                day = days.setdefault((kind, source_id), day)  # one day per id
                h = _happening(kind, source_id, day, version)
                known = latest.get((kind, source_id))
                if known is None or h.at > known.at:
                    latest[(kind, source_id)] = h
                batch.append(h)
                if len(batch) >= size:
                    feeds.count(batch)
                    batch = []
            feeds.count(batch)
            live = snapshot()
            for model in (FeedFact, TradeDay, AcademyDay):
                model.objects.all().delete()
            for h in latest.values():  # each once, at its latest time
                feeds.count([h])
            assert snapshot() == live
            for measure, (_table, kind, _column) in feeds.MEASURES.items():
                expected = sum(
                    (h.value_minor if measure == "deal_value" else 1)
                    for h in latest.values()
                    if h.kind == kind and MONTH.start <= h.at.date() <= MONTH.end
                )
                got = analytics_total(
                    measure=measure, period=MONTH, filters=Filters(), scope=EVERYONE
                )
                assert got == expected, measure
            raise Rollback
    except Rollback:
        pass
