"""Background work: eager in-process by default; a real worker over Redis in CI's PG pass."""

from __future__ import annotations

import os

import pytest
from celery import Celery
from django.db import transaction
from django.utils import timezone

from fiera.common import events
from fiera.common.models import OutboxDelivery, OutboxMessage
from fiera.common.tasks import ping


def test_tasks_run_eagerly_without_a_broker() -> None:
    # disable_sync_subtasks=False: Celery's "a task is running, do not join" guard is one
    # process-wide flag that every eager apply_async raises while it runs, in whichever thread
    # (a live server's request thread relaying the outbox, say); what this test checks is that
    # the task ran in process and its result is there.
    assert ping.delay("x").get(timeout=1, disable_sync_subtasks=False) == "pong:x"


@pytest.mark.django_db(transaction=True)
def test_outbox_delivers_after_commit_and_only_after_commit() -> None:
    received: list[dict[str, object]] = []
    topic = "tests.thing.happened"
    events.subscribe(topic, name="tests.received")(lambda event: received.append(event.payload))
    try:
        with transaction.atomic():
            events.publish(topic, {"thing_id": 1})
            assert received == []  # not before commit
        assert received == [{"thing_id": 1}]
        message = OutboxMessage.objects.get(topic=topic)
        assert message.dispatched_at is not None
        delivery = OutboxDelivery.objects.get(message=message)
        assert (delivery.subscriber, delivery.status) == ("tests.received", "delivered")

        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish(topic, {"thing_id": 2})
            raise RuntimeError("roll back")
        assert received == [{"thing_id": 1}]
        assert not OutboxMessage.objects.filter(payload__thing_id=2).exists()
    finally:
        events._subscribers.pop(topic, None)


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_leaves_the_message_for_the_next_relay() -> None:
    topic = "tests.flaky"
    calls: list[int] = []

    def flaky(event: events.Event) -> None:
        calls.append(event.attempt)
        if len(calls) == 1:
            raise ValueError("downstream is down")

    events.subscribe(topic)(flaky)
    try:
        with transaction.atomic():
            events.publish(topic, {"n": 1})
        delivery = OutboxDelivery.objects.get(message__topic=topic)
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.last_error.startswith("ValueError: downstream is down")
        assert events.relay() == 0  # not due yet: it backs off
        later = timezone.now() + events.DEFAULT_POLICY.delay_after(1)
        assert events.relay(now=later) == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("delivered", 2)
        assert calls == [1, 2]
    finally:
        events._subscribers.pop(topic, None)


@pytest.mark.celery_worker
def test_a_real_worker_answers_over_the_broker() -> None:
    broker = os.environ.get("FIERA_TEST_BROKER_URL", "")
    if not broker:
        if os.environ.get("FIERA_REQUIRE_POSTGRES") == "1":
            pytest.fail(
                "CI's PostgreSQL pass needs a Celery worker: FIERA_TEST_BROKER_URL is unset"
            )
        pytest.skip("no Celery worker: .ci/run starts one and sets FIERA_TEST_BROKER_URL")
    client = Celery("fiera-test-client", broker=broker, backend=broker)
    try:
        # Not inside a task: the guard is off (see the eager test above for why it can be up).
        result = client.send_task("fiera.common.ping", args=["ci"])
        assert result.get(timeout=30, disable_sync_subtasks=False) == "pong:ci"
        relay = client.send_task("fiera.common.outbox_relay")
        delivered = relay.get(timeout=30, disable_sync_subtasks=False)
        assert isinstance(delivered, int)
    finally:
        client.close()
