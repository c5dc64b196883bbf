"""The academy's reads, for other apps (its public module): each feature keeps its selectors
in its own module and re-exports them here."""

from __future__ import annotations

# --- alumni ---
from fiera.academy.alumni import alumni_directory as alumni_directory
from fiera.academy.alumni import alumni_is_member as alumni_is_member
from fiera.academy.alumni import alumni_post_get as alumni_post_get
from fiera.academy.alumni import alumni_post_list as alumni_post_list
from fiera.academy.alumni import alumni_profile_get as alumni_profile_get
from fiera.academy.alumni import alumni_reply_get as alumni_reply_get

# --- certificates ---
from fiera.academy.certificates import CertificateVerification as CertificateVerification
from fiera.academy.certificates import CertificateView as CertificateView
from fiera.academy.certificates import academy_did as academy_did
from fiera.academy.certificates import certificate_get as certificate_get
from fiera.academy.certificates import certificates_of_user as certificates_of_user
from fiera.academy.certificates import credential_verify as credential_verify

# --- courses ---
from fiera.academy.courses import catalogue as catalogue
from fiera.academy.courses import cohort_enrolments as cohort_enrolments
from fiera.academy.courses import cohort_get as cohort_get
from fiera.academy.courses import course_get as course_get
from fiera.academy.courses import enrolled_in_course as enrolled_in_course
from fiera.academy.courses import enrolment_for_cohort as enrolment_for_cohort
from fiera.academy.courses import enrolment_get as enrolment_get
from fiera.academy.courses import enrolment_ids_in_cohort as enrolment_ids_in_cohort
from fiera.academy.courses import enrolment_list_mine as enrolment_list_mine
from fiera.academy.courses import is_teacher as is_teacher

# --- exams ---
from fiera.academy.exams import leaderboard as leaderboard

# --- analytics feed ---
from fiera.academy.feed import FEED_KINDS as FEED_KINDS
from fiera.academy.feed import AcademyHappening as AcademyHappening
from fiera.academy.feed import academy_feed as academy_feed

# --- workshops ---
from fiera.academy.workshops import registration_list as registration_list
from fiera.academy.workshops import workshop_calendar as workshop_calendar
from fiera.academy.workshops import workshop_get as workshop_get
