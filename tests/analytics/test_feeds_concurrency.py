"""The feeds' subscribers and a rebuild at the same time (PostgreSQL): every happening is
counted once, never lost or doubled, whichever commits first (the subscribers hold a shared
advisory lock, the rebuild an exclusive one; facts are unique per trade/academy id)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from fiera.accounts import roles
from fiera.analytics import feeds
from fiera.analytics.models import TradeDay
from fiera.common import events
from fiera.common.models import OutboxMessage
from tests.analytics.test_feeds import snapshot
from tests.trade.factories import NOW, business_buyer, inquire, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_subscribers_and_a_rebuild_at_once_count_each_inquiry_once() -> None:
    w = make_world()
    buyers = [business_buyer(country="US") for _ in range(4)]
    for n, buyer in enumerate(buyers * 3):
        inquire(w, buyer=buyer, now=NOW + timedelta(minutes=n))
    messages = list(OutboxMessage.objects.filter(topic=feeds.INQUIRY_SENT).order_by("id"))
    assert len(messages) == 12
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def deliver(part: list[OutboxMessage]) -> None:
        try:
            barrier.wait()
            for message in part:
                feeds.on_event(
                    events.Event(
                        message.pk, message.topic, message.payload, message.created_at, "t", 1
                    )
                )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def rebuild() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                feeds.feeds_rebuild(actor_role=roles.SYSTEM)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=deliver, args=(messages[0::3],)),
        threading.Thread(target=deliver, args=(messages[1::3],)),
        threading.Thread(target=deliver, args=(messages[::-1],)),  # all again, backwards
        threading.Thread(target=rebuild),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(TradeDay.objects.values_list("count", flat=True)) == 12
    live = snapshot()
    feeds.feeds_rebuild(actor_role=roles.SYSTEM)
    assert snapshot() == live
