"""Events that flow upward between apps, through the transactional outbox.

Publishing. An app publishes with ``publish(topic, payload)`` (or several at once with
``publish_many``) inside the transaction of its use case: one INSERT, so the message exists
if and only if the change committed. Payloads carry ids and plain JSON values (minor units,
ISO codes, rates as strings), never model instances. After commit the relay is scheduled
(eagerly in-process in the demo, on a Celery worker in production; also every minute by
Celery beat and by hand with ``fiera outbox relay``).

Delivery. The relay fans each message out into one ``OutboxDelivery`` row per subscriber
registered for its topic, then delivers each row on its own: a subscriber that fails is
retried with exponential backoff (``RetryPolicy``) without holding up the others, and after
``max_attempts`` its delivery is parked as failed, where operators see it
(``fiera outbox failed``, the admin) and retry it (``fiera outbox retry``). Transactions are
short: a relay claims a small batch (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL,
setting a lease ``claimed_until``), commits, runs the subscribers with no transaction open,
and records each outcome in its own statement. A relay killed mid-batch leaves its claims to
expire; another relay then takes them over.

At least once. A subscriber can receive an event more than once (a relay killed after the
subscriber's work committed but before the outcome was recorded; a lease that ran out while
the subscriber was still busy). Subscribers are therefore idempotent, keyed by the event id
(``Event.id``, the outbox row id): either their effect is naturally idempotent (an upsert
keyed by ``event.id``), or they call ``processed_once(event)`` inside the transaction that
applies their effect and skip the work when it answers False. Delivery order is not
guaranteed once a delivery has been retried.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from fiera.common.models import DeliveryStatus, OutboxDelivery, OutboxMessage, ProcessedEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Event:
    """One delivery of an outbox message to one subscriber.

    ``id`` is the event id (the outbox row id): the same on every redelivery, so it is the
    key of a subscriber's idempotency. ``attempt`` counts from 1."""

    id: int
    topic: str
    payload: dict[str, Any]
    created_at: datetime
    subscriber: str
    attempt: int


Subscriber = Callable[[Event], None]

# topic -> [(subscriber name, function)]; the name keys the delivery state, so it must stay
# stable across releases (renaming a subscriber leaves its pending deliveries behind).
_subscribers: dict[str, list[tuple[str, Subscriber]]] = defaultdict(list)


def subscribe(topic: str, *, name: str | None = None) -> Callable[[Subscriber], Subscriber]:
    """Register a function for ``topic`` under ``name`` (default: its dotted path).

    Register at import time of the subscribing app (its ``AppConfig.ready``), so every
    process that relays knows every subscriber. The same function registered twice is
    registered once; another function under a name already taken for the topic is an error.
    """

    def register(func: Subscriber) -> Subscriber:
        key = name or f"{func.__module__}.{func.__qualname__}"
        if not key or len(key) > 200:
            raise ValueError("a subscriber name has 1 to 200 characters")
        for existing_name, existing in _subscribers[topic]:
            if existing_name == key:
                if existing is func or existing == func:
                    return func
                raise ValueError(f"a subscriber named {key!r} already listens to {topic!r}")
        _subscribers[topic].append((key, func))
        return func

    return register


def subscriber_names(topic: str) -> list[str]:
    return [name for name, _ in _subscribers.get(topic, ())]


# publishing -------------------------------------------------------------------------------

_OUTBOX_TABLE = OutboxMessage._meta.db_table
_PROCESSED_TABLE = ProcessedEvent._meta.db_table


def publish(topic: str, payload: dict[str, Any], *, now: datetime | None = None) -> None:
    """Store an event in the current transaction and schedule the relay after commit.

    One raw INSERT (checkout calls this on its hot path; the ORM's ``create`` cost more than
    the statement). The relay is scheduled only when someone subscribes to the topic; until
    then messages wait in the outbox, and the first subscriber of a topic gets its backlog.
    """
    publish_many([(topic, payload)], now=now)


def publish_many(
    messages: Sequence[tuple[str, dict[str, Any]]], *, now: datetime | None = None
) -> None:
    """Store several events in ONE multi-row INSERT, in the order given (ids ascend)."""
    if not messages:
        return
    at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    params: list[Any] = []
    for topic, payload in messages:
        params += [topic, connection.ops.adapt_json_value(payload, None), at]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_OUTBOX_TABLE} (topic, payload, created_at) VALUES "
            + ", ".join(["(%s, %s, %s)"] * len(messages)),
            params,
        )
    if any(_subscribers.get(topic) for topic, _ in messages):
        transaction.on_commit(schedule_relay)


def schedule_relay() -> None:
    """Have the relay run soon: on this process's background thread when there is no broker
    (FIERA_OUTBOX_RELAY_THREAD: the request that committed does not wait for the subscribers,
    such as the order mails), else as a Celery task (inline when tasks run eagerly)."""
    if getattr(settings, "FIERA_OUTBOX_RELAY_THREAD", False):
        _background_relay.wake()
        return
    from fiera.common.tasks import outbox_relay

    try:
        outbox_relay.delay()
    except Exception:  # a broker outage must not fail the committed use case
        log.exception("could not schedule the outbox relay; the next run will deliver")


class _BackgroundRelay:
    """One daemon thread per process that runs the relay whenever woken, until it has been
    idle for ``idle_seconds``. Wakes while it runs coalesce into one more run. A process that
    exits mid-delivery leaves claims whose lease expires; the next relay takes them over."""

    idle_seconds = 30.0
    # Let the request that woke it finish first (and gather the wakes of a burst into one run):
    # measured on SQLite, a relay started at once cost the checkout 10 ms of its response time.
    settle_seconds = 0.05

    def __init__(self) -> None:
        self._wanted = threading.Event()
        self._busy = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            self._wanted.set()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fiera-outbox-relay", daemon=True
                )
                self._thread.start()

    def drain(self, timeout_seconds: float = 30.0) -> None:
        """Wait (at exit) until what was asked for ran: a short-lived process (a command
        that retried deliveries) would otherwise end with its daemon thread mid-delivery."""
        deadline = time.monotonic() + timeout_seconds
        while (self._wanted.is_set() or self._busy.is_set()) and time.monotonic() < deadline:
            time.sleep(0.02)

    def _run(self) -> None:
        while True:
            if not self._wanted.wait(timeout=self.idle_seconds):
                with self._lock:
                    if not self._wanted.is_set():
                        self._thread = None
                        return
            self._busy.set()
            time.sleep(self.settle_seconds)
            self._wanted.clear()
            try:
                relay()
            except Exception:  # the next wake (or `fiera outbox relay`) delivers
                log.exception("the background outbox relay failed; the next run will deliver")
            finally:
                connection.close()  # this thread's own connection
                self._busy.clear()


_background_relay = _BackgroundRelay()
atexit.register(_background_relay.drain)


# delivery ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long a delivery is tried.

    After failed attempt n (counting from 1) the next waits ``first_delay * 2**(n-1)``,
    at most ``max_delay``; attempt ``max_attempts`` failing parks the delivery as failed
    (the defaults: 30 s, 1 min, 2 min ... about 1 h 4 min in all over 8 attempts). ``lease``
    is how long a claimed delivery belongs to its relay: a subscriber still running after
    it may be delivered a second time by another relay."""

    max_attempts: int = 8
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)

    def delay_after(self, attempt: int) -> timedelta:
        return min(self.first_delay * 2 ** max(attempt - 1, 0), self.max_delay)


DEFAULT_POLICY = RetryPolicy()
FAN_OUT_BATCH = 500


@dataclass(frozen=True, slots=True)
class _Claim:
    delivery_id: int
    message_id: int
    subscriber: str
    attempt: int


def relay(
    *,
    now: datetime | None = None,
    batch_size: int = 20,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> int:
    """Fan out new messages, then deliver what is due; returns how many deliveries
    succeeded. Safe to run in several processes at once.

    Runs outside any transaction (it commits its claims and outcomes as it goes). ``now``
    fixes the clock for the whole run (tests); by default each step reads the time.
    """
    if connection.in_atomic_block:
        raise RuntimeError("the outbox relay runs outside a transaction: it commits as it goes")

    def clock() -> datetime:
        return now or timezone.now()

    _fan_out(clock())
    delivered = 0
    names = sorted({name for subs in _subscribers.values() for name, _ in subs})
    for name in names:
        while claims := _claim(name, clock(), batch_size, policy):
            messages = OutboxMessage.objects.in_bulk([claim.message_id for claim in claims])
            for claim in claims:
                delivered += _deliver(claim, messages[claim.message_id], clock, policy)
    return delivered


def _fan_out(now: datetime) -> None:
    """One delivery row per (message, subscriber of its topic), then ``dispatched_at``; in
    transactions of at most ``FAN_OUT_BATCH`` messages, no subscriber code inside."""
    topics = [topic for topic, subs in _subscribers.items() if subs]
    if not topics:
        return
    while True:
        with transaction.atomic():
            rows = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True, topic__in=topics)
                .order_by("id")
                .values_list("id", "topic")[:FAN_OUT_BATCH]
            )
            if not rows:
                return
            OutboxDelivery.objects.bulk_create(
                [
                    OutboxDelivery(
                        message_id=message_id,
                        subscriber=name,
                        next_attempt_at=now,
                        created_at=now,
                    )
                    for message_id, topic in rows
                    for name in subscriber_names(topic)
                ],
                ignore_conflicts=True,
            )
            OutboxMessage.objects.filter(id__in=[message_id for message_id, _ in rows]).update(
                dispatched_at=now
            )


def _claim(name: str, now: datetime, batch_size: int, policy: RetryPolicy) -> list[_Claim]:
    """Claim up to ``batch_size`` due deliveries of subscriber ``name`` for one lease, in
    one short transaction. A due row whose last attempt never reported back (its relay died)
    and was the last allowed is parked as failed instead."""
    topics = [topic for topic, subs in _subscribers.items() if any(n == name for n, _ in subs)]
    # A batch made only of spent rows is parked and the next batch looked at, so that due
    # deliveries behind it are not left for the next relay run.
    while True:
        with transaction.atomic():
            rows = list(
                OutboxDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
                    subscriber=name,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at__lte=now,
                    message__topic__in=topics,
                )
                .order_by("next_attempt_at", "id")
                .values_list("id", "message_id", "attempts", "claimed_until")[:batch_size]
            )
            if not rows:
                return []
            spent = [row for row in rows if row[2] >= policy.max_attempts]
            for delivery_id, message_id, attempts, _ in spent:
                log.error(
                    "outbox: %s gave up on message %s after %s attempts", name, message_id, attempts
                )
                OutboxDelivery.objects.filter(id=delivery_id).update(
                    status=DeliveryStatus.FAILED,
                    failed_at=now,
                    claimed_until=None,
                    last_error=(
                        f"LeaseExpired: attempt {attempts} never reported back (its relay stopped "
                        "or ran past its lease)"
                    ),
                )
            claims = [row for row in rows if row[2] < policy.max_attempts]
            if claims:
                OutboxDelivery.objects.filter(id__in=[row[0] for row in claims]).update(
                    attempts=F("attempts") + 1, claimed_until=now + policy.lease
                )
            for _, message_id, attempts, claimed_until in claims:
                if claimed_until is not None:
                    log.warning(
                        "outbox: taking over %s for message %s after attempt %s's lease expired",
                        name,
                        message_id,
                        attempts,
                    )
        if claims:
            break
    return [
        _Claim(delivery_id=row[0], message_id=row[1], subscriber=name, attempt=row[2] + 1)
        for row in claims
    ]


def _subscriber_for(topic: str, name: str) -> Subscriber | None:
    for existing_name, func in _subscribers.get(topic, ()):
        if existing_name == name:
            return func
    return None


def _deliver(
    claim: _Claim, message: OutboxMessage, clock: Callable[[], datetime], policy: RetryPolicy
) -> int:
    """Run one claimed delivery with no transaction open, then record its outcome in one
    UPDATE that applies only while the row still carries this attempt (a relay that took
    the row over after the lease ran out owns it now). Returns 1 when delivered."""
    func = _subscriber_for(message.topic, claim.subscriber)
    error = ""
    if func is None:
        error = f"NoSubscriber: {claim.subscriber} no longer listens to {message.topic}"
    else:
        event = Event(
            id=message.pk,
            topic=message.topic,
            payload=message.payload,
            created_at=message.created_at,
            subscriber=claim.subscriber,
            attempt=claim.attempt,
        )
        try:
            func(event)
        except Exception as exc:
            log.exception("outbox: %s failed on message %s", claim.subscriber, message.pk)
            text = str(exc).replace("\x00", "").strip()
            first_line = text.splitlines()[0] if text else ""
            error = (
                f"{type(exc).__name__}: {first_line}"[:500] if first_line else type(exc).__name__
            )
            error += "\n\n" + "".join(traceback.format_exception(exc))[-6000:]
            error = error.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    now = clock()
    mine = OutboxDelivery.objects.filter(
        id=claim.delivery_id, attempts=claim.attempt, status=DeliveryStatus.PENDING
    )
    if not error:
        recorded = mine.update(
            status=DeliveryStatus.DELIVERED, delivered_at=now, claimed_until=None
        )
    elif claim.attempt >= policy.max_attempts:
        recorded = mine.update(
            status=DeliveryStatus.FAILED, failed_at=now, claimed_until=None, last_error=error
        )
    else:
        recorded = mine.update(
            next_attempt_at=now + policy.delay_after(claim.attempt),
            claimed_until=None,
            last_error=error,
        )
    if not recorded:
        log.warning(
            "outbox: %s on message %s finished after its lease; another relay owns it now",
            claim.subscriber,
            message.pk,
        )
    return 1 if recorded and not error else 0


def processed_once(event: Event, *, now: datetime | None = None) -> bool:
    """Record that ``event.subscriber`` processed event ``event.id``: True the first time,
    False when it already did (a redelivery: skip the work).

    Call it inside the transaction that applies the subscriber's effect, so the record and
    the effect commit together or not at all; one INSERT ... ON CONFLICT DO NOTHING.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("call processed_once inside the transaction that applies the effect")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_PROCESSED_TABLE} (message_id, subscriber, processed_at) "
            "VALUES (%s, %s, %s) ON CONFLICT (message_id, subscriber) DO NOTHING",
            [
                event.id,
                event.subscriber,
                connection.ops.adapt_datetimefield_value(now or timezone.now()),
            ],
        )
        return cursor.rowcount == 1


# operators --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    delivery_id: int
    message_id: int
    topic: str
    subscriber: str
    attempts: int
    failed_at: datetime
    error: str  # the first line: "ExceptionType: message"
    detail: str  # with the traceback
    payload: dict[str, Any]


def outbox_failed_list(*, limit: int = 200) -> list[FailedDelivery]:
    """Parked deliveries, oldest first (at most ``limit``)."""
    rows = (
        OutboxDelivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("message")
        .order_by("id")[:limit]
    )
    return [
        FailedDelivery(
            delivery_id=row.pk,
            message_id=row.message_id,
            topic=row.message.topic,
            subscriber=row.subscriber,
            attempts=row.attempts,
            failed_at=row.failed_at or row.created_at,
            error=(row.last_error.splitlines() or [""])[0],
            detail=row.last_error,
            payload=row.message.payload,
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    waiting_messages: int  # not yet fanned out (nobody subscribes to their topic, or new)
    pending_deliveries: int
    claimed_deliveries: int  # of the pending, those under a relay's lease now
    failed_deliveries: int
    delivered_deliveries: int


def outbox_status(*, now: datetime) -> OutboxStatus:
    counts = dict(
        OutboxDelivery.objects.values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return OutboxStatus(
        waiting_messages=OutboxMessage.objects.filter(dispatched_at__isnull=True).count(),
        pending_deliveries=counts.get(DeliveryStatus.PENDING, 0),
        claimed_deliveries=OutboxDelivery.objects.filter(
            status=DeliveryStatus.PENDING, claimed_until__gt=now
        ).count(),
        failed_deliveries=counts.get(DeliveryStatus.FAILED, 0),
        delivered_deliveries=counts.get(DeliveryStatus.DELIVERED, 0),
    )


def outbox_retry(*, delivery_ids: Sequence[int] | None, now: datetime) -> list[int]:
    """Put parked deliveries back in line for a fresh round of attempts (all of them when
    ``delivery_ids`` is None); returns the ids requeued, oldest first. Ids that are not
    parked are left alone (the caller reports them). The relay is scheduled after commit."""
    with transaction.atomic():
        parked = OutboxDelivery.objects.select_for_update().filter(status=DeliveryStatus.FAILED)
        if delivery_ids is not None:
            parked = parked.filter(id__in=list(delivery_ids))
        ids = sorted(parked.values_list("id", flat=True))
        OutboxDelivery.objects.filter(id__in=ids).update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            failed_at=None,
            claimed_until=None,
        )
        if ids:
            transaction.on_commit(schedule_relay)
    return ids
