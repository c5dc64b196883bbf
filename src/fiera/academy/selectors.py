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

# --- exams ---
from fiera.academy.exams import leaderboard as leaderboard
