"""The exams demo: quizzes and a final exam for the masterclass cohort with realistic
attempts, the enrolments' best final set, quick, and nothing without the cohort."""

from __future__ import annotations

import time

import pytest

from fiera.academy import exams, grading
from fiera.academy.models import Assessment, Attempt, Enrolment
from fiera.demo.academy_exams import POOL, build_academy_exams
from tests.academy import factories as af

pytestmark = pytest.mark.django_db


def test_nothing_without_the_cohort():
    assert "skipped" in build_academy_exams(now=af.NOW, seed=11)
    assert not Assessment.objects.exists()


def test_the_pool_keys_are_complete():
    assert len(POOL) >= 30
    for q in POOL:
        grading.key_check(q["kind"], q["key"])
        assert set(q["text"]) == {"it", "es", "en"}


def test_the_masterclass_gets_tests_and_a_leaderboard():
    course = af.course(modules=5)
    cohort = af.cohort(course, slug="masterclass-2026")
    for n in range(60):
        af.enrolment(cohort, language="it" if n % 2 else "es")
    started = time.perf_counter()
    line = build_academy_exams(now=af.NOW, seed=11)
    assert time.perf_counter() - started < 20
    assert "final exam" in line
    assert Assessment.objects.filter(course=course, kind="quiz").count() == 5
    final = Assessment.objects.get(course=course, kind="final")
    assert final.questions.count() == 30
    attempts = Attempt.objects.filter(assessment=final)
    assert attempts.filter(passed=True).count() > attempts.filter(passed=False).count() / 2
    assert attempts.filter(number=2).exists()  # some retried
    sat = Enrolment.objects.filter(cohort=cohort, final_score_permille__isnull=False)
    assert 40 < sat.count() < 60 + 1
    assert sat.filter(final_passed_at__isnull=False).count() > sat.count() / 2
    board = exams.leaderboard(cohort_slug=cohort.slug)
    assert sum(e.top for e in board.entries) == 10
    scores = [e.score_permille for e in board.entries]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) > 5
    # running it again rebuilds the same
    assert build_academy_exams(now=af.NOW, seed=11) == line
