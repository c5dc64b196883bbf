"""The demo masterclass: its course in three languages, a cohort of about 220 Italian and
Spanish founders (owners of demo merchants among them), progress, and workshops with
attendance and a waiting line."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.contrib.auth import authenticate

from fiera.academy.models import (
    Cohort,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Workshop,
    WorkshopRegistration,
)
from fiera.demo.academy import COHORT_SLUG, COURSE_SLUG, build_academy
from fiera.merchants.models import StaffMembership
from tests.merchants.factories import load_sectors, make_merchant

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_the_demo_masterclass() -> None:
    load_sectors()
    merchants = [make_merchant() for _ in range(6)]
    started = time.perf_counter()
    line = build_academy(now=NOW, seed=11, password="demo-pass-1")
    assert time.perf_counter() - started < 20
    assert line.startswith(f"academy        course {COURSE_SLUG}")
    course = Course.objects.get(slug=COURSE_SLUG)
    assert course.published_at is not None and course.languages == "it,es,en"
    lessons = Lesson.objects.filter(module__course=course)
    assert course.modules.count() == 5 and 15 <= lessons.count() <= 20
    for lesson in lessons:
        assert set(lesson.body) == {"it", "es", "en"}
        assert all(len(text) > 400 for text in lesson.body.values())
    cohort = Cohort.objects.get(slug=COHORT_SLUG)
    assert cohort.languages == "it,es" and cohort.capacity == 250
    enrolments = Enrolment.objects.filter(cohort=cohort)
    assert 200 <= enrolments.count() <= 250
    assert set(enrolments.values_list("language", flat=True)) == {"it", "es"}
    owners = set(
        StaffMembership.objects.filter(
            merchant_id__in=[m.id for m in merchants], role="owner"
        ).values_list("user_id", flat=True)
    )
    assert len(owners) == 6 and owners <= set(enrolments.values_list("user_id", flat=True))
    statuses = Counter(enrolments.values_list("status", flat=True))
    assert statuses["completed"] > 20 and statuses["active"] > 100
    assert LessonProgress.objects.filter(enrolment__cohort=cohort).count() > 1000
    # the logins
    teacher = authenticate(username="teacher", password="demo-pass-1")
    learner = authenticate(username="learner", password="demo-pass-1")
    assert teacher is not None and course.instructors.filter(user=teacher).exists()
    assert learner is not None and enrolments.filter(user=learner, status="active").exists()
    # workshops: two past with attendance, two upcoming, one full with a line
    workshops = list(Workshop.objects.filter(cohort=cohort).order_by("starts_at"))
    assert len(workshops) == 4
    past = [w for w in workshops if w.starts_at < NOW]
    assert len(past) == 2
    for w in past:
        assert (
            WorkshopRegistration.objects.filter(workshop=w, attended_at__isnull=False).count() > 50
        )
    full = workshops[-1]
    regs = WorkshopRegistration.objects.filter(workshop=full)
    assert regs.filter(status="registered").count() == full.capacity
    assert regs.filter(status="waitlisted").count() > 5
    assert regs.filter(user=learner, status="waitlisted").exists()
    # deterministic: the same seed gives the same names
    names = sorted(enrolments.values_list("user__username", flat=True))
    assert names == sorted(
        Enrolment.objects.filter(cohort=cohort).values_list("user__username", flat=True)
    )
    assert "kept" in build_academy(now=NOW, seed=11, password="demo-pass-1")
