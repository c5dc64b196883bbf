"""The academy's reads, for other apps and loaders: each feature's selectors, re-exported
(decision 0009). Each feature appends its block."""

from __future__ import annotations

# --- courses ---
from fiera.academy.courses import (
    catalogue,
    cohort_enrolments,
    cohort_get,
    course_get,
    enrolled_in_course,
    enrolment_for_cohort,
    enrolment_get,
    enrolment_ids_in_cohort,
    enrolment_list_mine,
    is_teacher,
)
from fiera.academy.workshops import registration_list, workshop_calendar, workshop_get

__all__ = [
    # --- courses ---
    "catalogue",
    "cohort_enrolments",
    "cohort_get",
    "course_get",
    "enrolled_in_course",
    "enrolment_for_cohort",
    "enrolment_get",
    "enrolment_ids_in_cohort",
    "enrolment_list_mine",
    "is_teacher",
    "registration_list",
    "workshop_calendar",
    "workshop_get",
]
