"""Concurrent subscribers on the same cells (PostgreSQL, READ COMMITTED, real threads and
connections): many checkouts of two merchants on one day and marketplace, every placed,
refund and shipped event delivered by two threads at once. No deadlock (rows and tables are
written in one order), nothing counted twice, the sums exact: the tables equal the
recomputation from the orders."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from fiera.accounts.roles import MERCHANT, SYSTEM
from fiera.analytics import merchant_sets
from fiera.analytics.models import MerchantSet
from fiera.analytics.services import analytics_rebuild
from fiera.common import events
from fiera.common.models import OutboxMessage
from fiera.orders import services as orders
from tests.analytics.support import (
    HANDLERS,
    NOW,
    merchant_set_mismatches,
    place,
    recomputed,
    stored,
)
from tests.orders import factories as f
from tests.payments.factories import make_rates

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RATES = {NOW.date() - timedelta(days=3): "1.05"}
CHECKOUTS = 24
WAVE = 24  # threads started together; copies of one message are neighbours in a wave


def _deliver_concurrently(
    messages: list[Any],
    copies: int = 2,
    *,
    rebuild: bool = False,
    sets: tuple[frozenset[int], ...] = (),
) -> list[BaseException]:
    """Every message handed to its subscriber by ``copies`` threads at once (and, with
    ``rebuild``, ``analytics_rebuild`` in one more thread started with them; each of
    ``sets`` built as a merchant set by one more thread among them)."""
    jobs: list[Any] = [m for m in messages if m.topic in HANDLERS for _ in range(copies)]
    if rebuild:
        jobs.insert(len(jobs) // 2, None)
    for i, merchant_ids in enumerate(sets):
        jobs.insert((i + 1) * len(jobs) // (len(sets) + 2), merchant_ids)
    failures: list[BaseException] = []

    def run(message: Any, barrier: threading.Barrier) -> None:
        barrier.wait()
        try:
            if message is None:
                analytics_rebuild(since=None, actor_role=SYSTEM)
                return
            if isinstance(message, frozenset):
                merchant_sets.merchant_set_for(message, now=NOW)
                return
            HANDLERS[message.topic](
                events.Event(
                    id=message.pk,
                    topic=message.topic,
                    payload=message.payload,
                    created_at=message.created_at,
                    subscriber="test",
                    attempt=1,
                )
            )
        except BaseException as exc:  # collected and checked by the test
            failures.append(exc)
        finally:
            connection.close()

    # at most WAVE threads (and connections) at once: PostgreSQL's 100 connections are shared
    # with the rest of the run (the suite's connection, a Celery worker, other databases)
    for start in range(0, len(jobs), WAVE):
        wave = jobs[start : start + WAVE]
        barrier = threading.Barrier(len(wave))
        threads = [threading.Thread(target=run, args=(m, barrier)) for m in wave]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return failures


def test_concurrent_subscribers_never_deadlock_and_sum_exactly() -> None:
    make_rates(on=NOW.date() - timedelta(days=3))
    market = f.marketplace(countries={"IT": "EUR", "FR": "EUR"})
    a, b = f.merchant(), f.merchant()
    a.region_code = "IT-25"
    a.save(update_fields=["region_code"])
    items = [f.sku(market=market, merchant_obj=m, price_minor=1_234, stock=999) for m in (a, b)]
    staff = {m.pk: f.staff(merchant_obj=m) for m in (a, b)}
    buyer = f.user()
    placed = [
        place(buyer, market, [(items[0].id, 1 + i % 3), (items[1].id, 1)], country="IT")
        for i in range(CHECKOUTS)
    ]
    assert _deliver_concurrently(list(OutboxMessage.objects.order_by("id"))) == []
    mark = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first()
    for i, result in enumerate(placed):
        for order in result.orders:
            actor = {"actor_id": staff[order.merchant_id].pk, "actor_role": MERCHANT}
            orders.order_ship(
                **actor,
                number=order.number,
                carrier="BRT",
                tracking_number=f"T{order.order_id}",
                now=NOW,
            )
            if i % 3 == 0:
                orders.order_deliver(**actor, number=order.number, now=NOW)
                orders.order_refund(
                    **actor, number=order.number, amount_minor=100 + i, reason="", now=NOW
                )
    merchant_sets.merchant_set_for(frozenset({a.pk, b.pk}), now=NOW)  # kept by the events
    c = f.merchant()  # a set built while the events are being delivered
    later = list(OutboxMessage.objects.filter(id__gt=mark).order_by("id"))
    assert _deliver_concurrently(later, sets=(frozenset({a.pk, c.pk}),)) == []
    got = stored()
    assert got == recomputed(RATES)
    assert MerchantSet.objects.count() == 2
    assert merchant_set_mismatches() == []
    packages = [v[3] for (_m, _d, market), v in got["merchant_days"].items() if market == 0]
    assert sum(packages) == 2 * CHECKOUTS
    # again, every event once more, with a rebuild from the orders in the middle of them:
    # the subscribers wait for it (no deadlock) and count nothing twice
    everything = list(OutboxMessage.objects.order_by("id"))
    assert (
        _deliver_concurrently(everything, copies=1, rebuild=True, sets=(frozenset({b.pk, c.pk}),))
        == []
    )
    assert stored() == got
    assert merchant_set_mismatches() == []
