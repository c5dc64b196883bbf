"""The GMV tallies when an order is cancelled while its placed event is being counted
(PostgreSQL, real threads and connections): the count locks the order rows FOR SHARE, so the
cancellation waits for it to commit, and the cancelled event then finds the order counted
and takes it off. Without the lock the cancellation committed in between, its event found
nothing to take off, and the cancelled order stayed in the tallies."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from fiera.accounts.roles import MERCHANT
from fiera.common import events
from fiera.common.models import OutboxMessage
from fiera.festivals import tallies
from fiera.festivals.models import FestivalOrder, GmvTally
from fiera.orders import services as orders
from tests.festivals.test_tallies import NOW, place, world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _event(topic: str) -> events.Event:
    message = OutboxMessage.objects.filter(topic=topic).latest("id")
    return events.Event(
        id=message.pk,
        topic=message.topic,
        payload=message.payload,
        created_at=message.created_at,
        subscriber="test",
        attempt=1,
    )


def test_a_cancel_while_the_order_is_counted_waits_and_then_takes_it_off(
    world: dict[str, Any],  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(events, "schedule_relay", lambda: None)  # the test delivers
    number = place(world["buyer"], world["market"], [(world["it_item"].id, 2)]).orders[0].number
    placed = _event(tallies.PLACED_TOPIC)
    counting = threading.Event()
    original = tallies._count
    committed_at: dict[str, float] = {}

    def slow_count(*args: Any, **kwargs: Any) -> int:
        counting.set()  # the order rows are read (and locked) by now
        time.sleep(1.0)
        return original(*args, **kwargs)

    monkeypatch.setattr(tallies, "_count", slow_count)
    failures: list[BaseException] = []

    def count() -> None:
        try:
            tallies.on_checkout_placed(placed)
            committed_at["count"] = time.monotonic()
        except BaseException as exc:  # reported by the test
            failures.append(exc)
        finally:
            connection.close()

    def cancel() -> None:
        try:
            assert counting.wait(10)
            orders.order_cancel(
                actor_id=world["it_staff"].pk, actor_role=MERCHANT, number=number, now=NOW
            )
            committed_at["cancel"] = time.monotonic()
            tallies.on_order_cancelled(_event(tallies.CANCELLED_TOPIC))
        except BaseException as exc:  # reported by the test
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=count), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    assert committed_at["cancel"] >= committed_at["count"]  # it waited for the count
    fo = FestivalOrder.objects.get(festival=world["fest"])
    assert (fo.gmv_usd_minor, fo.units, fo.uncounted_at is not None) == (0, 0, True)
    totals = GmvTally.objects.filter(festival=world["fest"]).aggregate(
        orders=Sum("orders"), units=Sum("units"), gmv=Sum("gmv_usd_minor")
    )
    assert totals == {"orders": 0, "units": 0, "gmv": 0}
