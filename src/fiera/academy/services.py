"""The academy's writes, for other apps and loaders: each feature's services, re-exported
(decision 0009). Each feature appends its block."""

from __future__ import annotations

# --- courses ---
from fiera.academy.courses import (
    AlreadyEnrolled,
    CohortFull,
    cohort_create,
    course_create,
    course_publish,
    course_update,
    enrol,
    enrolment_withdraw,
    instructor_add,
    lesson_add,
    lesson_complete,
    lesson_move,
    lesson_update,
    module_add,
    module_move,
    module_update,
)
from fiera.academy.workshops import (
    attendance_record,
    workshop_cancel,
    workshop_create,
    workshop_register,
)

__all__ = [
    # --- courses ---
    "AlreadyEnrolled",
    "CohortFull",
    "attendance_record",
    "cohort_create",
    "course_create",
    "course_publish",
    "course_update",
    "enrol",
    "enrolment_withdraw",
    "instructor_add",
    "lesson_add",
    "lesson_complete",
    "lesson_move",
    "lesson_update",
    "module_add",
    "module_move",
    "module_update",
    "workshop_cancel",
    "workshop_create",
    "workshop_register",
]
