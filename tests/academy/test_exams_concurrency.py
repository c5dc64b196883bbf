"""Starts and saves at the same instant: four starts by one learner give one attempt; a
save racing the deadline's automatic submission is either marked or refused, never lost.
Real threads on PostgreSQL (row locks, the partial unique index)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection

from fiera.academy import exams
from fiera.academy.models import Attempt, AttemptAnswer
from fiera.common.errors import DomainError
from tests.academy import exams_factories as ef
from tests.academy import factories as af

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(actions: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(actions))
    results: list[object] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(action())
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_four_starts_at_once_give_one_attempt() -> None:
    course = af.course()
    enrolment = af.enrolment(af.cohort(course))
    final = ef.assessment(course)
    ef.bank(final)

    def start() -> object:
        return exams.attempt_start(
            assessment_id=final.pk, actor_id=enrolment.user_id, now=af.NOW, rng=random.Random()
        ).attempt_id

    results = _race([start] * 4)
    assert Attempt.objects.count() == 1
    assert set(results) == {Attempt.objects.get().pk}


def test_saves_racing_the_closing_task_are_marked_or_refused() -> None:
    course = af.course()
    enrolment = af.enrolment(af.cohort(course))
    final = ef.assessment(course, time_limit_seconds=60)
    questions = {q.pk: q for q in ef.bank(final)}
    view = exams.attempt_start(assessment_id=final.pk, actor_id=enrolment.user_id, now=af.NOW)
    paper = Attempt.objects.get(pk=view.attempt_id).paper
    before = af.NOW + timedelta(seconds=59)

    def saver(entry: dict) -> Callable[[], object]:
        return lambda: exams.answer_save(
            attempt_id=view.attempt_id,
            question_id=entry["q"],
            response=ef.right_response(entry, questions[entry["q"]]),
            actor_id=enrolment.user_id,
            now=before,
        )

    def close() -> object:
        return exams.attempts_close_due(now=af.NOW + timedelta(seconds=61))

    results = _race([*(saver(e) for e in paper), close])
    attempt = Attempt.objects.get(pk=view.attempt_id)
    assert attempt.auto_submitted
    saved = AttemptAnswer.objects.filter(attempt=attempt)
    refused = sum(1 for r in results if r == "attempt_submitted")
    assert saved.count() + refused == len(paper)
    marked = saved.filter(credit_permille=1000).count()
    assert attempt.score_permille == marked * 1000 // len(paper)
