"""Events that flow upward between apps, through the transactional outbox.

An app publishes with ``publish(topic, payload)`` inside the transaction of its use
case: the message is stored with it, so it exists if and only if the change committed.
After commit the relay runs (eagerly in-process in the demo, on a Celery worker in
production) and calls each subscriber registered for the topic with the payload.
Payloads carry ids and plain values (minor units, ISO codes), never model instances.

Subscribers must be idempotent: a message is delivered at least once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fiera.common.models import OutboxMessage

log = logging.getLogger(__name__)

Subscriber = Callable[[dict[str, Any]], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(topic: str) -> Callable[[Subscriber], Subscriber]:
    def register(func: Subscriber) -> Subscriber:
        if func not in _subscribers[topic]:
            _subscribers[topic].append(func)
        return func

    return register


def subscribers(topic: str) -> list[Subscriber]:
    return list(_subscribers.get(topic, ()))


def publish(topic: str, payload: dict[str, Any], *, now: datetime | None = None) -> None:
    """Store an event in the current transaction and schedule the relay after commit.

    One raw INSERT (checkout calls this on its hot path; the ORM's ``create`` cost more than
    the statement). The relay is scheduled only when someone subscribes to the topic; until
    festivals and analytics subscribe, messages wait in the outbox for the next relay run.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_OUTBOX_TABLE} (topic, payload, created_at, attempts, last_error) "
            "VALUES (%s, %s, %s, 0, '')",
            [
                topic,
                connection.ops.adapt_json_value(payload, None),
                connection.ops.adapt_datetimefield_value(now or timezone.now()),
            ],
        )
    if _subscribers.get(topic):
        transaction.on_commit(schedule_relay)


_OUTBOX_TABLE = OutboxMessage._meta.db_table


def schedule_relay() -> None:
    from fiera.common.tasks import outbox_relay

    try:
        outbox_relay.delay()
    except Exception:  # a broker outage must not fail the committed use case
        log.exception("could not schedule the outbox relay; the next run will deliver")


def relay(batch_size: int = 500) -> int:
    """Deliver undelivered messages in id order; returns how many were delivered.

    Each message is claimed with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL) so two
    relays never deliver the same row at once.
    """
    delivered = 0
    while True:
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(delivered_at__isnull=True)
                .order_by("id")[:batch_size]
            )
            if not batch:
                return delivered
            for message in batch:
                try:
                    with transaction.atomic():
                        for subscriber in subscribers(message.topic):
                            subscriber(message.payload)
                except Exception as exc:
                    log.exception("outbox subscriber failed for %s", message)
                    message.attempts += 1
                    message.last_error = repr(exc)[:2000]
                    message.save(update_fields=["attempts", "last_error"])
                    return delivered
                message.delivered_at = timezone.now()
                message.attempts += 1
                message.save(update_fields=["delivered_at", "attempts"])
                delivered += 1
