"""The academy's public writes (for other apps, the CLI and the demo): each feature's
services, re-exported."""

# --- certificates ---
from fiera.academy.certificates import (
    AlreadyRevoked,
    CertificateNotFound,
    NotPassedYet,
    certificate_issue,
    certificate_revoke,
    certificates_issue_for_cohort,
    certificates_of_cohort,
)

__all__ = [
    "AlreadyRevoked",
    "CertificateNotFound",
    "NotPassedYet",
    "certificate_issue",
    "certificate_revoke",
    "certificates_issue_for_cohort",
    "certificates_of_cohort",
]
