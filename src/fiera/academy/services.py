"""The academy's writes, for other apps (its public module): each feature keeps its services
in its own module and re-exports them here."""

from __future__ import annotations

# --- alumni ---
from fiera.academy.alumni import alumni_post_create as alumni_post_create
from fiera.academy.alumni import alumni_post_delete as alumni_post_delete
from fiera.academy.alumni import alumni_post_edit as alumni_post_edit
from fiera.academy.alumni import alumni_post_hide as alumni_post_hide
from fiera.academy.alumni import alumni_profile_save as alumni_profile_save
from fiera.academy.alumni import alumni_reply_create as alumni_reply_create
from fiera.academy.alumni import alumni_reply_delete as alumni_reply_delete
from fiera.academy.alumni import alumni_reply_edit as alumni_reply_edit
from fiera.academy.alumni import alumni_reply_hide as alumni_reply_hide

# --- certificates ---
from fiera.academy.certificates import AlreadyRevoked as AlreadyRevoked
from fiera.academy.certificates import CertificateNotFound as CertificateNotFound
from fiera.academy.certificates import NotPassedYet as NotPassedYet
from fiera.academy.certificates import certificate_issue as certificate_issue
from fiera.academy.certificates import certificate_revoke as certificate_revoke
from fiera.academy.certificates import (
    certificates_issue_for_cohort as certificates_issue_for_cohort,
)
from fiera.academy.certificates import certificates_of_cohort as certificates_of_cohort

# --- courses ---
from fiera.academy.courses import AlreadyEnrolled as AlreadyEnrolled
from fiera.academy.courses import CohortFull as CohortFull
from fiera.academy.courses import cohort_create as cohort_create
from fiera.academy.courses import course_create as course_create
from fiera.academy.courses import course_publish as course_publish
from fiera.academy.courses import course_update as course_update
from fiera.academy.courses import enrol as enrol
from fiera.academy.courses import enrolment_withdraw as enrolment_withdraw
from fiera.academy.courses import instructor_add as instructor_add
from fiera.academy.courses import lesson_add as lesson_add
from fiera.academy.courses import lesson_complete as lesson_complete
from fiera.academy.courses import lesson_move as lesson_move
from fiera.academy.courses import lesson_update as lesson_update
from fiera.academy.courses import module_add as module_add
from fiera.academy.courses import module_move as module_move
from fiera.academy.courses import module_update as module_update

# --- exams ---
from fiera.academy.exams import EXAM_PASSED as EXAM_PASSED
from fiera.academy.exams import attempts_close_due as attempts_close_due
from fiera.academy.workshops import attendance_record as attendance_record
from fiera.academy.workshops import workshop_cancel as workshop_cancel
from fiera.academy.workshops import workshop_create as workshop_create
from fiera.academy.workshops import workshop_register as workshop_register
