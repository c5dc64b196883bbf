"""Builders for the course feature's tests: teachers, workshops, registrations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fiera.academy.models import Cohort, Course, CourseInstructor, Workshop
from tests.academy.factories import NOW
from tests.catalog import factories as f


def teacher(course: Course, **extra: Any) -> Any:
    """A learner-role account that teaches ``course``."""
    user = f.user(role="learner", **extra)
    CourseInstructor.objects.create(course=course, user=user, added_at=NOW)
    return user


def workshop(
    course: Course,
    *,
    cohort: Cohort | None = None,
    capacity: int = 3,
    days_ahead: int = 7,
    time_zone: str = "Europe/Rome",
    **fields: Any,
) -> Workshop:
    return Workshop.objects.create(
        course=course,
        cohort=cohort,
        title={"it": "Laboratorio dal vivo", "es": "Taller en directo", "en": "Live workshop"},
        description={"en": "Bring **questions**."},
        starts_at=NOW + timedelta(days=days_ahead),
        duration_minutes=90,
        time_zone=time_zone,
        capacity=capacity,
        location="Online",
        online_link="https://meet.example.org/room-1",
        created_at=NOW,
        **fields,
    )
