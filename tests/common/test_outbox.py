"""The outbox relay: per-subscriber deliveries, retries with backoff, parked failures,
short transactions (no lock held while a subscriber runs), leases that outlive a killed
relay, and idempotent subscribers keyed by event id."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from fiera.cli import main
from fiera.common import events
from fiera.common.models import OutboxDelivery, OutboxMessage, ProcessedEvent

pytestmark = pytest.mark.django_db(transaction=True)

POLICY = events.RetryPolicy(
    max_attempts=3,
    first_delay=timedelta(seconds=10),
    max_delay=timedelta(seconds=15),
    lease=timedelta(minutes=1),
)


@pytest.fixture
def listen() -> Iterator[Callable[[str, str, events.Subscriber], None]]:
    """Register subscribers for the test only."""
    topics: set[str] = set()

    def register(topic: str, name: str, func: events.Subscriber) -> None:
        topics.add(topic)
        events.subscribe(topic, name=name)(func)

    yield register
    for topic in topics:
        events._subscribers.pop(topic, None)


def publish(topic: str, payload: dict[str, object]) -> int:
    with transaction.atomic():
        events.publish(topic, payload)
    return OutboxMessage.objects.filter(topic=topic).latest("id").pk


def delivery(message_id: int, subscriber: str) -> OutboxDelivery:
    return OutboxDelivery.objects.get(message_id=message_id, subscriber=subscriber)


def test_backoff_doubles_up_to_its_cap() -> None:
    delays = [POLICY.delay_after(n).total_seconds() for n in (1, 2, 3, 4)]
    assert delays == [10, 15, 15, 15]
    default = [events.DEFAULT_POLICY.delay_after(n).total_seconds() for n in range(1, 8)]
    assert default == [30, 60, 120, 240, 480, 960, 1920]


def test_a_topic_nobody_hears_waits_and_its_first_subscribers_get_the_backlog(listen) -> None:
    first = publish("tests.backlog", {"n": 1})
    second = publish("tests.backlog", {"n": 2})
    assert events.relay() == 0
    assert not OutboxDelivery.objects.exists()
    assert OutboxMessage.objects.get(pk=first).dispatched_at is None

    got: dict[str, list[tuple[int, object, int]]] = {"a": [], "b": []}
    for name in got:
        listen(
            "tests.backlog",
            f"tests.{name}",
            lambda event, name=name: got[name].append(
                (event.id, event.payload["n"], event.attempt)
            ),
        )
    assert events.relay() == 4
    assert got == {"a": [(first, 1, 1), (second, 2, 1)], "b": [(first, 1, 1), (second, 2, 1)]}
    assert set(OutboxDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert events.relay() == 0  # nothing twice


def test_one_failing_delivery_holds_up_neither_later_messages_nor_other_subscribers(
    listen,
) -> None:
    """The old relay stopped at the first failing message: message 2 and 3 waited."""
    received: list[int] = []

    def picky(event: events.Event) -> None:
        if event.payload["n"] == 1:
            raise ValueError("cannot digest 1")
        received.append(int(event.payload["n"]))  # type: ignore[call-overload]

    listen("tests.picky", "tests.picky", picky)
    listen("tests.picky", "tests.other", lambda event: None)
    ids = [
        OutboxMessage.objects.create(
            topic="tests.picky", payload={"n": n}, created_at=timezone.now()
        ).pk
        for n in (1, 2, 3)
    ]
    assert events.relay(policy=POLICY) == 5
    assert received == [2, 3]
    assert delivery(ids[0], "tests.picky").status == "pending"
    assert delivery(ids[0], "tests.other").status == "delivered"


def test_a_failing_subscriber_is_retried_with_backoff_then_parked_and_retried_by_hand(
    listen, capsys
) -> None:
    broken = {"yes": True}
    attempts: list[int] = []

    def fragile(event: events.Event) -> None:
        attempts.append(event.attempt)
        if broken["yes"]:
            raise ConnectionError(f"analytics is down (event {event.id})")

    listen("tests.fragile", "tests.fragile", fragile)
    listen("tests.fragile", "tests.steady", lambda event: None)
    t0 = timezone.now()
    message_id = OutboxMessage.objects.create(
        topic="tests.fragile", payload={"order_id": 7}, created_at=t0
    ).pk

    assert events.relay(now=t0, policy=POLICY) == 1  # the steady one
    row = delivery(message_id, "tests.fragile")
    assert (row.status, row.attempts, row.claimed_until) == ("pending", 1, None)
    assert row.next_attempt_at == t0 + timedelta(seconds=10)
    assert row.last_error.startswith(f"ConnectionError: analytics is down (event {message_id})")
    assert "Traceback" in row.last_error

    assert events.relay(now=t0 + timedelta(seconds=9), policy=POLICY) == 0  # backing off
    assert attempts == [1]
    assert events.relay(now=t0 + timedelta(seconds=10), policy=POLICY) == 0
    row.refresh_from_db()
    assert row.next_attempt_at == t0 + timedelta(seconds=25)
    assert events.relay(now=t0 + timedelta(seconds=25), policy=POLICY) == 0
    assert attempts == [1, 2, 3]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.failed_at) == ("failed", 3, t0 + timedelta(seconds=25))
    assert events.relay(now=t0 + timedelta(days=1), policy=POLICY) == 0  # parked: no 4th try
    assert attempts == [1, 2, 3]

    (parked,) = events.outbox_failed_list()
    assert (parked.delivery_id, parked.topic, parked.subscriber, parked.attempts) == (
        row.pk,
        "tests.fragile",
        "tests.fragile",
        3,
    )
    assert parked.error == f"ConnectionError: analytics is down (event {message_id})"
    assert parked.payload == {"order_id": 7}

    assert main(["outbox", "failed"]) == 0
    out = capsys.readouterr().out
    assert f"{row.pk}\t" in out and "tests.fragile" in out and "analytics is down" in out
    assert main(["outbox", "status"]) == 1
    assert "deliveries failed (see `fiera outbox failed`): 1" in capsys.readouterr().out
    assert main(["outbox", "retry"]) == 2  # neither ids nor --all
    assert main(["outbox", "retry", str(row.pk + 1000)]) == 1
    assert "not failed (or unknown): " + str(row.pk + 1000) in capsys.readouterr().err

    broken["yes"] = False
    assert main(["outbox", "retry", str(row.pk)]) == 0  # requeued; the eager relay delivers
    assert "1 delivery put back in line" in capsys.readouterr().out
    row.refresh_from_db()
    assert (row.status, row.attempts, row.failed_at) == ("delivered", 1, None)
    assert attempts == [1, 2, 3, 1]
    assert main(["outbox", "failed"]) == 0
    assert "no failed deliveries" in capsys.readouterr().out


def test_retry_all_requeues_every_parked_delivery_and_nothing_else(listen) -> None:
    listen("tests.doomed", "tests.doomed", lambda event: 1 / 0)
    for n in range(3):
        OutboxMessage.objects.create(
            topic="tests.doomed", payload={"n": n}, created_at=timezone.now()
        )
    one = events.RetryPolicy(max_attempts=1)
    events.relay(policy=one)
    assert OutboxDelivery.objects.filter(status="failed").count() == 3
    assert events.outbox_failed_list()[0].error == "ZeroDivisionError: division by zero"
    events._subscribers.pop("tests.doomed")
    listen("tests.doomed", "tests.doomed", lambda event: None)
    assert main(["outbox", "retry", "--all"]) == 0
    assert set(OutboxDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert events.outbox_retry(delivery_ids=None, now=timezone.now()) == []


def test_a_slow_subscriber_holds_no_lock_and_holds_up_no_other_relay(listen) -> None:
    """While one relay waits on a slow subscriber, another relay publishes, fans out and
    delivers; on PostgreSQL every outbox row can be locked NOWAIT meanwhile."""
    first = publish("tests.slow", {"n": 0})  # nobody listens yet: nothing runs at commit
    inside, release = threading.Event(), threading.Event()
    fast: list[int] = []

    def slow(event: events.Event) -> None:
        if event.id == first:
            inside.set()
            assert release.wait(30)

    listen("tests.slow", "tests.a-slow", slow)
    listen("tests.slow", "tests.b-fast", lambda event: fast.append(event.id))
    outcome: list[int | BaseException] = []

    def background_relay() -> None:
        try:
            outcome.append(events.relay())
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=background_relay)
    worker.start()
    try:
        assert inside.wait(30), "the background relay never reached the slow subscriber"
        started = time.monotonic()
        second = publish("tests.slow", {"n": 1})  # eager relay at commit, in this thread
        assert events.relay() == 0  # the eager relay at commit delivered what was due
        assert fast == [first, second]  # not held up by the slow one
        assert delivery(second, "tests.a-slow").status == "delivered"
        assert delivery(first, "tests.a-slow").status == "pending"  # claimed, running
        assert delivery(first, "tests.a-slow").claimed_until is not None
        assert time.monotonic() - started < 10
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                for table in (OutboxMessage._meta.db_table, OutboxDelivery._meta.db_table):
                    cursor.execute(f"SELECT id FROM {table} FOR UPDATE NOWAIT")
                    assert len(cursor.fetchall()) >= 2
    finally:
        release.set()
        worker.join(30)
    assert outcome == [1]
    assert delivery(first, "tests.a-slow").status == "delivered"


def test_a_relay_interrupted_after_its_claim_is_taken_over_when_the_lease_expires(
    listen,
) -> None:
    """A KeyboardInterrupt between claim and outcome stands for a killed process: nothing
    is recorded, the claim stays until its lease runs out, then another relay delivers.
    The subscriber's work committed before the interruption is not done twice."""
    effects: list[int] = []

    def tally(event: events.Event) -> None:
        with transaction.atomic():
            if events.processed_once(event):
                effects.append(event.id)
        if event.attempt == 1:
            raise KeyboardInterrupt  # dies after its work, before the relay records it

    listen("tests.tally", "tests.tally", tally)
    t0 = timezone.now()
    message_id = OutboxMessage.objects.create(topic="tests.tally", payload={}, created_at=t0).pk
    with pytest.raises(KeyboardInterrupt):
        events.relay(now=t0, policy=POLICY)
    row = delivery(message_id, "tests.tally")
    assert (row.status, row.attempts, row.claimed_until) == ("pending", 1, t0 + POLICY.lease)

    assert events.relay(now=t0 + timedelta(seconds=59), policy=POLICY) == 0  # lease held
    assert events.relay(now=t0 + POLICY.lease, policy=POLICY) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 2)
    assert effects == [message_id]  # redelivered, applied once
    assert (
        ProcessedEvent.objects.filter(message_id=message_id, subscriber="tests.tally").count() == 1
    )


def test_a_delivery_whose_last_attempt_never_reports_back_is_parked(listen) -> None:
    def crash(event: events.Event) -> None:
        raise KeyboardInterrupt

    listen("tests.crash", "tests.crash", crash)
    t0 = timezone.now()
    message_id = OutboxMessage.objects.create(topic="tests.crash", payload={}, created_at=t0).pk
    policy = events.RetryPolicy(max_attempts=1, lease=timedelta(seconds=5))
    with pytest.raises(KeyboardInterrupt):
        events.relay(now=t0, policy=policy)
    assert events.relay(now=t0 + timedelta(seconds=5), policy=policy) == 0
    row = delivery(message_id, "tests.crash")
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error.startswith("LeaseExpired: attempt 1 never reported back")


def test_processed_once_answers_true_once_and_needs_a_transaction() -> None:
    message = OutboxMessage.objects.create(
        topic="tests.once", payload={}, created_at=timezone.now()
    )
    event = events.Event(
        id=message.pk,
        topic="tests.once",
        payload={},
        created_at=message.created_at,
        subscriber="tests.once",
        attempt=1,
    )
    with pytest.raises(RuntimeError):
        events.processed_once(event)
    with transaction.atomic():
        assert events.processed_once(event) is True
        assert events.processed_once(event) is False
        assert events.processed_once(dataclasses.replace(event, subscriber="tests.other"))
    assert ProcessedEvent.objects.filter(message=message).count() == 2


def test_the_relay_refuses_to_run_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        events.relay()


def test_subscriber_names_are_unique_per_topic(listen) -> None:
    def one(event: events.Event) -> None: ...

    def two(event: events.Event) -> None: ...

    listen("tests.names", "tests.same", one)
    listen("tests.names", "tests.same", one)  # the same function again: once
    assert events.subscriber_names("tests.names") == ["tests.same"]
    assert events._subscriber_for("tests.names", "tests.same") is one
    with pytest.raises(ValueError):
        events.subscribe("tests.names", name="tests.same")(two)


_KILLED_RELAY = textwrap.dedent(
    """
    import os, sys, time
    os.environ["DJANGO_SETTINGS_MODULE"] = "fiera.settings"
    import django
    django.setup()
    from django.db import connection
    connection.settings_dict.update(NAME=sys.argv[1])
    from fiera.common import events

    def stuck(event):
        open(sys.argv[2], "w").write(str(event.id))
        time.sleep(120)

    events.subscribe("tests.killed", name="tests.killed")(stuck)
    events.relay()
    """
)


def test_a_relay_killed_with_sigkill_mid_batch_is_taken_over_after_its_lease(
    listen, tmp_path: Path
) -> None:
    """A real process claims a batch of two, is SIGKILLed inside the first subscriber call;
    both messages are delivered by the next relay once the lease has expired."""
    received: list[int] = []
    ids = [
        OutboxMessage.objects.create(
            topic="tests.killed", payload={"n": n}, created_at=timezone.now()
        ).pk
        for n in (1, 2)
    ]
    marker = tmp_path / "inside"
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", "")}
    process = subprocess.Popen(  # noqa: S603 (this interpreter, our own script)
        [sys.executable, "-c", _KILLED_RELAY, str(connection.settings_dict["NAME"]), str(marker)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, "the relay process ended before its subscriber ran"
            assert time.monotonic() < deadline, "the relay process never reached its subscriber"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert marker.read_text() == str(ids[0])
    rows = OutboxDelivery.objects.filter(subscriber="tests.killed").order_by("message_id")
    assert [(r.message_id, r.status, r.attempts) for r in rows] == [
        (ids[0], "pending", 1),
        (ids[1], "pending", 1),  # claimed in the same batch, never started
    ]
    assert all(r.claimed_until is not None for r in rows)

    listen("tests.killed", "tests.killed", lambda event: received.append(event.id))
    assert events.relay() == 0  # their lease is still running
    assert received == []
    lease_over = max(r.claimed_until for r in rows if r.claimed_until is not None)
    assert events.relay(now=lease_over) == 2
    assert received == ids


def test_operators_see_parked_deliveries_in_the_admin_and_retry_them_there(listen) -> None:
    from django.test import Client

    from tests.catalog.factories import user

    broken = {"yes": True}

    def fragile(event: events.Event) -> None:
        if broken["yes"]:
            raise RuntimeError("festival tallies are read-only")

    listen("tests.admin", "tests.admin", fragile)
    message = OutboxMessage.objects.create(
        topic="tests.admin", payload={"n": 1}, created_at=timezone.now()
    )
    events.relay(policy=events.RetryPolicy(max_attempts=1))
    row = delivery(message.pk, "tests.admin")
    assert row.status == "failed"

    client = Client()
    client.force_login(user("operator", is_superuser=True))
    listing = client.get("/admin/common/outboxdelivery/?status__exact=failed")
    assert listing.status_code == 200
    assert "RuntimeError: festival tallies are read-only" in listing.content.decode()
    assert client.get(f"/admin/common/outboxmessage/{message.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/common/outboxdelivery/{row.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )

    broken["yes"] = False
    answer = client.post(
        "/admin/common/outboxdelivery/",
        {"action": "retry", "_selected_action": [row.pk]},
    )
    assert answer.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 1)  # requeued; the eager relay ran

    clerk = user("operator")  # staff without the permission: no retry action
    client.force_login(clerk)
    assert client.get("/admin/common/outboxdelivery/").status_code == 403


def test_publishing_is_one_insert_whatever_the_number_of_events() -> None:
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        events.publish("tests.one", {"n": 1})
        events.publish_many([("tests.many", {"n": n}) for n in range(5)])
    statements = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(statements) == 2
    assert list(OutboxMessage.objects.order_by("id").values_list("topic", "payload")) == [
        ("tests.one", {"n": 1}),
        *[("tests.many", {"n": n}) for n in range(5)],
    ]


def test_an_error_without_text_or_with_nul_characters_is_recorded(listen) -> None:
    def mute(event: events.Event) -> None:
        raise ValueError if event.payload["n"] == 1 else ValueError("bad\x00byte\nsecond line")

    listen("tests.mute", "tests.mute", mute)
    ids = [
        OutboxMessage.objects.create(
            topic="tests.mute", payload={"n": n}, created_at=timezone.now()
        ).pk
        for n in (1, 2)
    ]
    assert events.relay(policy=events.RetryPolicy(max_attempts=1)) == 0
    errors = {row.message_id: row.error for row in events.outbox_failed_list()}
    assert errors == {ids[0]: "ValueError", ids[1]: "ValueError: badbyte"}


def test_a_batch_of_spent_deliveries_does_not_stop_the_relay_before_due_ones(listen) -> None:
    """Two deliveries whose last attempt never reported back fill a whole batch: the relay
    parks them and goes on to the due delivery behind them in the same run."""
    seen: list[int] = []
    listen("tests.behind", "tests.behind", lambda event: seen.append(event.id))
    t0 = timezone.now()
    policy = events.RetryPolicy(max_attempts=1, lease=timedelta(seconds=5))
    ids = []
    for attempts in (1, 1, 0):
        message = OutboxMessage.objects.create(
            topic="tests.behind", payload={}, created_at=t0, dispatched_at=t0
        )
        OutboxDelivery.objects.create(
            message=message,
            subscriber="tests.behind",
            created_at=t0,
            next_attempt_at=t0,
            attempts=attempts,
            claimed_until=t0 if attempts else None,
        )
        ids.append(message.pk)
    assert events.relay(now=t0 + timedelta(seconds=10), batch_size=2, policy=policy) == 1
    assert seen == [ids[2]]
    assert [delivery(i, "tests.behind").status for i in ids] == ["failed", "failed", "delivered"]
