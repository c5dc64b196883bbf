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

# --- exams ---
from fiera.academy.exams import EXAM_PASSED as EXAM_PASSED
from fiera.academy.exams import attempts_close_due as attempts_close_due
