"""Live workshops: seats, the waiting line, promotion on cancellation, attendance, the
calendar in the viewer's time zone, and who may do what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fiera.academy import workshops as w
from fiera.academy.courses import NotATeacher
from fiera.academy.models import WorkshopRegistration
from fiera.accounts.roles import LEARNER
from tests.academy import factories as af
from tests.academy.courses_factories import teacher, workshop
from tests.academy.factories import NOW
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def _learners(cohort: object, n: int) -> list[object]:
    people = [f.user(role="learner") for _ in range(n)]
    for p in people:
        af.enrolment(cohort, p)  # type: ignore[arg-type]
    return people


def test_seats_then_the_waiting_line_then_promotion_on_cancellation() -> None:
    cohort = af.cohort()
    ws = workshop(cohort.course, cohort=cohort, capacity=2)
    a, b, c_, d = _learners(cohort, 4)
    statuses = [
        w.workshop_register(workshop_id=ws.id, user_id=p.pk, now=NOW)  # type: ignore[attr-defined]
        for p in (a, b, c_, d)
    ]
    assert [s.status for s in statuses] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert [s.waitlist_rank for s in statuses] == [None, None, 1, 2]
    with pytest.raises(w.AlreadyRegistered):
        w.workshop_register(workshop_id=ws.id, user_id=c_.pk, now=NOW)  # type: ignore[attr-defined]
    # a seat freed goes to the first in line, the second moves up
    w.workshop_cancel(workshop_id=ws.id, user_id=a.pk, now=NOW)  # type: ignore[attr-defined]
    got = {
        r.user_id: r
        for r in w.registration_list(workshop_id=ws.id, actor_id=None, actor_role="system")
    }
    assert got[c_.pk].status == "registered"  # type: ignore[attr-defined]
    assert got[d.pk].status == "waitlisted" and got[d.pk].waitlist_rank == 1  # type: ignore[attr-defined]
    assert got[a.pk].status == "cancelled"  # type: ignore[attr-defined]
    # leaving the line frees nothing; cancelling twice is harmless
    w.workshop_cancel(workshop_id=ws.id, user_id=d.pk, now=NOW)  # type: ignore[attr-defined]
    assert w.workshop_cancel(workshop_id=ws.id, user_id=d.pk, now=NOW).status == "cancelled"  # type: ignore[attr-defined]
    # who cancelled registers again, at the end of the line when full
    again = w.workshop_register(workshop_id=ws.id, user_id=a.pk, now=NOW)  # type: ignore[attr-defined]
    assert again.status == "waitlisted" and again.waitlist_rank == 1
    counts = WorkshopRegistration.objects.filter(workshop=ws, status="registered").count()
    assert counts == 2


def test_only_the_cohorts_learners_register_and_not_after_the_start() -> None:
    cohort = af.cohort()
    other = af.cohort(cohort.course, slug="other-run")
    ws = workshop(cohort.course, cohort=cohort)
    outsider = _learners(other, 1)[0]
    with pytest.raises(w.NotEnrolledForWorkshop):
        w.workshop_register(workshop_id=ws.id, user_id=outsider.pk, now=NOW)  # type: ignore[attr-defined]
    course_wide = workshop(cohort.course, cohort=None)
    assert (
        w.workshop_register(workshop_id=course_wide.id, user_id=outsider.pk, now=NOW).status
        == "registered"
    )  # type: ignore[attr-defined]
    learner = _learners(cohort, 1)[0]
    with pytest.raises(w.WorkshopStarted):
        w.workshop_register(workshop_id=ws.id, user_id=learner.pk, now=ws.starts_at)  # type: ignore[attr-defined]
    with pytest.raises(w.WorkshopNotFound):
        w.workshop_register(workshop_id=999_999, user_id=learner.pk, now=NOW)  # type: ignore[attr-defined]
    with pytest.raises(w.WorkshopNotFound):
        w.workshop_get(
            workshop_id=ws.id,
            language="en",
            viewer_zone="UTC",
            actor_id=outsider.pk,
            actor_role=LEARNER,
        )  # type: ignore[attr-defined]


def test_teachers_record_attendance_others_may_not() -> None:
    cohort = af.cohort()
    t = teacher(cohort.course)
    ws = workshop(cohort.course, cohort=cohort, capacity=1)
    a, b = _learners(cohort, 2)
    w.workshop_register(workshop_id=ws.id, user_id=a.pk, now=NOW)  # type: ignore[attr-defined]
    later = ws.starts_at + timedelta(minutes=10)
    marked = w.attendance_record(
        workshop_id=ws.id, user_id=a.pk, attended=True, actor_id=t.pk, actor_role=LEARNER, now=later
    )  # type: ignore[attr-defined]
    assert marked.attended_at == later
    with pytest.raises(NotATeacher):
        w.attendance_record(
            workshop_id=ws.id,
            user_id=a.pk,
            attended=True,
            actor_id=b.pk,
            actor_role=LEARNER,
            now=later,
        )  # type: ignore[attr-defined]
    with pytest.raises(NotATeacher):
        w.registration_list(workshop_id=ws.id, actor_id=a.pk, actor_role=LEARNER)  # type: ignore[attr-defined]
    with pytest.raises(w.NotRegistered):
        w.attendance_record(
            workshop_id=ws.id,
            user_id=b.pk,
            attended=True,
            actor_id=t.pk,
            actor_role=LEARNER,
            now=later,
        )  # type: ignore[attr-defined]
    info = w.workshop_get(
        workshop_id=ws.id, language="it", viewer_zone="UTC", actor_id=a.pk, actor_role=LEARNER
    )  # type: ignore[attr-defined]
    assert info.mine is not None and info.mine.attended and info.online_link
    undone = w.attendance_record(
        workshop_id=ws.id,
        user_id=a.pk,
        attended=False,
        actor_id=t.pk,
        actor_role=LEARNER,
        now=later,
    )  # type: ignore[attr-defined]
    assert undone.attended_at is None


def test_calendar_in_the_viewers_zone_and_language_link_for_seated_only() -> None:
    cohort = af.cohort()
    ws = workshop(cohort.course, cohort=cohort, capacity=1)  # NOW + 7 days = 27 Nov 09:00 UTC
    a, b = _learners(cohort, 2)
    w.workshop_register(workshop_id=ws.id, user_id=a.pk, now=NOW)  # type: ignore[attr-defined]
    w.workshop_register(workshop_id=ws.id, user_id=b.pk, now=NOW)  # type: ignore[attr-defined]
    months = w.workshop_calendar(
        now=NOW, language="es", viewer_zone="Asia/Shanghai", actor_id=b.pk, actor_role=LEARNER
    )  # type: ignore[attr-defined]
    [info] = [i for m in months for i in m.workshops]
    assert info.title == "Taller en directo"
    assert info.viewer_starts_at.hour == 17 and info.local_starts_at.hour == 10
    assert (
        info.mine is not None and info.mine.status == "waitlisted" and info.mine.waitlist_rank == 1
    )
    assert info.online_link == "" and info.seats_left == 0 and info.waitlisted == 1
    stranger = f.user(role="learner")
    assert (
        w.workshop_calendar(
            now=NOW, language="en", viewer_zone="UTC", actor_id=stranger.pk, actor_role=LEARNER
        )
        == []
    )
    with pytest.raises(w.InvalidTimeZone):
        w.workshop_calendar(
            now=NOW, language="en", viewer_zone="Mars/Olympus", actor_id=a.pk, actor_role=LEARNER
        )  # type: ignore[attr-defined]
    ics = w.workshop_ics(workshop_id=ws.id, language="it", actor_id=a.pk, actor_role=LEARNER)  # type: ignore[attr-defined]
    assert "DTSTART:20261127T090000Z" in ics and "SUMMARY:Laboratorio dal vivo" in ics


def test_teachers_schedule_workshops_with_a_valid_time_zone() -> None:
    course = af.course()
    t = teacher(course)
    args = {
        "course_slug": course.slug,
        "title": {"en": "Q&A"},
        "starts_at": NOW + timedelta(days=3),
        "duration_minutes": 60,
        "capacity": 10,
        "now": NOW,
    }
    new_id = w.workshop_create(time_zone="Europe/Madrid", actor_id=t.pk, actor_role=LEARNER, **args)
    assert new_id
    with pytest.raises(w.InvalidTimeZone):
        w.workshop_create(time_zone="Madrid", actor_id=t.pk, actor_role=LEARNER, **args)
    with pytest.raises(NotATeacher):
        w.workshop_create(
            time_zone="UTC", actor_id=f.user(role="learner").pk, actor_role=LEARNER, **args
        )


def test_statement_budgets_of_what_a_whole_cohort_does_at_once(
    django_assert_max_num_queries: Any,
) -> None:
    """Enrolling and taking a workshop seat are hit by a whole cohort at once: a few
    statements each, whatever the size of the cohort or the line."""
    from fiera.academy.courses import enrol

    cohort = af.cohort(capacity=500)
    ws = workshop(cohort.course, cohort=cohort, capacity=1)
    first, *others = [f.user(role="learner") for _ in range(4)]
    for p in others:
        af.enrolment(cohort, p)
        w.workshop_register(workshop_id=ws.id, user_id=p.pk, now=NOW)
    with django_assert_max_num_queries(10):  # 9 + the outbox's academy.enrolment.created
        enrol(cohort_slug=cohort.slug, language="it", user_id=first.pk, actor_role=LEARNER, now=NOW)
    with django_assert_max_num_queries(10):
        w.workshop_register(workshop_id=ws.id, user_id=first.pk, now=NOW)
