"""The exams demo on the courses' real masterclass (``fiera demo`` order: courses, exams,
alumni, certificates): every enrolment that passed has its certificate, the leaderboard
has its top 10, and the three steps stay quick."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from fiera.academy import exams
from fiera.academy.models import Assessment, Enrolment
from fiera.demo.academy import COHORT_SLUG, build_academy
from fiera.demo.academy_certificates import build_academy_certificates
from fiera.demo.academy_exams import build_academy_exams
from tests.merchants.factories import load_sectors, make_merchant

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_the_masterclass_gets_its_tests_leaderboard_and_certificates() -> None:
    load_sectors()
    for _ in range(4):
        make_merchant()
    build_academy(now=NOW, seed=11, password="demo-pass-1")
    started = time.perf_counter()
    line = build_academy_exams(now=NOW, seed=11)
    assert time.perf_counter() - started < 20, line
    assert "skipped" not in line
    cohort_enrolments = Enrolment.objects.filter(cohort__slug=COHORT_SLUG)
    assert Assessment.objects.filter(kind="final").count() == 1
    passed = cohort_enrolments.filter(final_passed_at__isnull=False)
    assert passed.count() > cohort_enrolments.count() / 2
    assert all(p.final_passed_at <= NOW for p in passed)
    board = exams.leaderboard(cohort_slug=COHORT_SLUG)
    assert sum(e.top for e in board.entries) == 10
    build_academy_certificates(now=NOW)
    assert passed.filter(certified_at__isnull=False).count() == passed.count()
