"""The exam-start and answer-save hot paths keep a statement budget (500 learners start the
final exam at the same second: see bench/exam_start.py), with authentication included, and
the budget does not grow with the bank."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fiera.academy.models import Attempt
from fiera.accounts.services import token_issue
from tests.academy import exams_factories as ef
from tests.academy import factories as af

pytestmark = pytest.mark.django_db

START_BUDGET = 9  # token, assessment, enrolment, attempts, bank, savepoint + insert + release
SAVE_BUDGET = 7  # token, attempt locked, upsert (+ savepoint/transaction statements)


@pytest.fixture
def final():
    course = af.course()
    af.cohort(course)
    a = ef.assessment(course, created_at=timezone.now() - timedelta(days=1))
    ef.bank(a, ef.BANK * 5)  # a bank of 30
    a.questions_per_attempt = 20
    a.save()
    return a


def test_start_and_save_stay_within_their_budgets(client, final, django_assert_max_num_queries):
    cohort = final.course.cohorts.first()
    enrolment = af.enrolment(cohort)
    h = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=enrolment.user_id).key}"}
    with django_assert_max_num_queries(START_BUDGET):
        started = client.post(f"/api/v1/academy/assessments/{final.pk}/attempts", **h)
    assert started.status_code == 201
    attempt_id = started.json()["id"]
    entry = Attempt.objects.get(pk=attempt_id).paper[0]
    response = {"value": True} if entry["k"] == "truefalse" else {"text": "x"}
    if entry["k"] == "single":
        response = {"choice": 0}
    elif entry["k"] == "multiple":
        response = {"choices": [0]}
    elif entry["k"] == "numeric":
        response = {"value": "1"}
    elif entry["k"] == "matching":
        response = {"matches": [None] * len(entry["l"])}
    with django_assert_max_num_queries(SAVE_BUDGET):
        saved = client.put(
            f"/api/v1/academy/attempts/{attempt_id}/answers/{entry['q']}",
            data=json.dumps({"response": response}),
            content_type="application/json",
            **h,
        )
    assert saved.status_code == 200, saved.content


def test_start_costs_the_same_for_a_bank_of_6_and_of_30(final):
    small = ef.assessment(af.course(), created_at=timezone.now() - timedelta(days=1))
    ef.bank(small)
    counts = []
    for a in (small, final):
        cohort = a.course.cohorts.first() or af.cohort(a.course)
        enrolment = af.enrolment(cohort)
        with CaptureQueriesContext(connection) as ctx:
            ef_start(a, enrolment)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def ef_start(a, enrolment):
    from fiera.academy import exams

    return exams.attempt_start(assessment_id=a.pk, actor_id=enrolment.user_id, now=af.NOW)


def test_the_cli_closes_attempts_past_their_deadline():
    reply = subprocess.run(
        [sys.executable, "-m", "fiera.cli", "academy", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "close-attempts" in reply.stdout, reply.stderr
