"""The academy events for analytics: an enrolment and a certificate each publish one event,
in the transaction of the change, with ids, the learner's country and the time; nothing on
a refusal or an idempotent repeat."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from fiera.academy import certificates as certs
from fiera.academy import courses
from fiera.academy import events as academy_events
from fiera.academy.models import Enrolment
from fiera.accounts import roles
from fiera.common.models import OutboxMessage
from tests.academy import factories as af
from tests.academy.certificates_factories import (  # noqa: F401 - academy_signing_key: autouse
    NOW,
    academy_signing_key,
    passed_enrolment,
)
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def sent(topic: str) -> list[dict[str, Any]]:
    return [m.payload for m in OutboxMessage.objects.filter(topic=topic).order_by("id")]


def enrol(cohort_slug: str, user: Any, *, now: Any = NOW, language: str = "it") -> Any:
    return courses.enrol(
        cohort_slug=cohort_slug, language=language, user_id=user.pk, actor_role="learner", now=now
    )


def test_enrolling_publishes_one_event() -> None:
    cohort = af.cohort(capacity=1)
    learner = f.user(role="learner", country="BR")
    info = enrol(cohort.slug, learner)
    assert sent(academy_events.ENROLMENT_CREATED) == [
        {
            "enrolment_id": info.id,
            "cohort_id": cohort.pk,
            "course_id": cohort.course_id,
            "user_id": learner.pk,
            "language": "it",
            "reactivated": False,
            "enrolled_at": NOW.isoformat(),
        }
    ]
    assert OutboxMessage.objects.get(topic=academy_events.ENROLMENT_CREATED).created_at == NOW
    # refused: already enrolled, cohort full, a language not offered
    with pytest.raises(courses.AlreadyEnrolled):
        enrol(cohort.slug, learner)
    with pytest.raises(courses.CohortFull):
        enrol(cohort.slug, f.user(role="learner"))
    with pytest.raises(courses.LanguageNotOffered):
        enrol(cohort.slug, f.user(role="learner"), language="zh-hans")
    assert len(sent(academy_events.ENROLMENT_CREATED)) == 1


def test_a_reactivated_enrolment_says_so() -> None:
    cohort = af.cohort()
    learner = f.user(role="learner")
    info = enrol(cohort.slug, learner)
    courses.enrolment_withdraw(enrolment_id=info.id, actor_id=learner.pk, now=NOW)
    later = NOW + timedelta(days=2)
    again = enrol(cohort.slug, learner, now=later)
    assert again.id == info.id
    payloads = sent(academy_events.ENROLMENT_CREATED)
    assert [(p["enrolment_id"], p["reactivated"]) for p in payloads] == [
        (info.id, False),
        (info.id, True),
    ]
    assert payloads[1]["enrolled_at"] == later.isoformat()


def test_an_enrolment_rolled_back_leaves_no_event() -> None:
    cohort = af.cohort()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        enrol(cohort.slug, f.user(role="learner"))
        raise Undo
    assert not Enrolment.objects.exists()
    assert sent(academy_events.ENROLMENT_CREATED) == []


def test_issuing_a_certificate_publishes_once() -> None:
    learner = f.user(role="learner", country="AR", email="ana@example.ar")
    enrolment = passed_enrolment(user=learner)
    certificate = certs.certificate_issue(
        enrolment_id=enrolment.pk, now=NOW, actor_role=roles.SYSTEM
    )
    certs.certificate_issue(enrolment_id=enrolment.pk, now=NOW, actor_role=roles.SYSTEM)
    cohort = enrolment.cohort
    assert sent(academy_events.CERTIFICATE_ISSUED) == [
        {
            "enrolment_id": enrolment.pk,
            "cohort_id": cohort.pk,
            "course_id": cohort.course_id,
            "user_id": learner.pk,
            "country": "AR",
            "certificate_id": certificate.pk,
            "issued_at": NOW.isoformat(),
        }
    ]


def test_no_certificate_event_without_a_pass() -> None:
    enrolment = af.enrolment(af.cohort())
    with pytest.raises(certs.NotPassedYet):
        certs.certificate_issue(enrolment_id=enrolment.pk, now=NOW, actor_role=roles.SYSTEM)
    assert sent(academy_events.CERTIFICATE_ISSUED) == []
