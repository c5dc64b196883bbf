"""Background work: eager in-process by default; a real worker over Redis in CI's PG pass."""

from __future__ import annotations

import os

import pytest
from celery import Celery
from django.db import transaction

from fiera.common import events
from fiera.common.models import OutboxMessage
from fiera.common.tasks import ping


def test_tasks_run_eagerly_without_a_broker() -> None:
    assert ping.delay("x").get(timeout=1) == "pong:x"


@pytest.mark.django_db(transaction=True)
def test_outbox_delivers_after_commit_and_only_after_commit() -> None:
    received: list[dict[str, object]] = []
    topic = "tests.thing.happened"
    events.subscribe(topic)(received.append)
    try:
        with transaction.atomic():
            events.publish(topic, {"thing_id": 1})
            assert received == []  # not before commit
        assert received == [{"thing_id": 1}]
        assert OutboxMessage.objects.get(topic=topic).delivered_at is not None

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

    def flaky(payload: dict[str, object]) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("downstream is down")

    events.subscribe(topic)(flaky)
    try:
        with transaction.atomic():
            events.publish(topic, {"n": 1})
        message = OutboxMessage.objects.get(topic=topic)
        assert message.delivered_at is None
        assert "downstream is down" in message.last_error
        assert events.relay() == 1
        message.refresh_from_db()
        assert message.delivered_at is not None and message.attempts == 2
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
        result = client.send_task("fiera.common.ping", args=["ci"])
        assert result.get(timeout=30) == "pong:ci"
        delivered = client.send_task("fiera.common.outbox_relay").get(timeout=30)
        assert isinstance(delivered, int)
    finally:
        client.close()
