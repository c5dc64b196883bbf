"""The demo's certificates: every enrolment of the masterclass cohort that passed its final
exam receives its Open Badges 3.0 certificate (signed with the academy's key, through
``fiera.academy.services``), and one is revoked with a reason, so the status list and the
verification page have a revoked example. Nothing happens without the cohort."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from fiera.academy.services import (
    certificate_revoke,
    certificates_issue_for_cohort,
    certificates_of_cohort,
)
from fiera.accounts.roles import SYSTEM

COHORT = "masterclass-2026"
REVOCATION_REASON = (
    "Issued in error: the final exam was retaken after a proctoring complaint was upheld."
)


def build_academy_certificates(*, now: datetime) -> str:
    """Issues the cohort's certificates and revokes one; returns the summary line."""
    started = time.perf_counter()
    public_ids = certificates_of_cohort(cohort_slug=COHORT)
    if public_ids is None:
        return f"certificates   no {COHORT} cohort, none issued"
    made, passed = certificates_issue_for_cohort(
        cohort_slug=COHORT, now=now - timedelta(days=2), actor_role=SYSTEM
    )
    public_ids = certificates_of_cohort(cohort_slug=COHORT) or []
    revoked = 0
    if len(public_ids) > 1 and made:
        certificate_revoke(
            public_id=public_ids[-1],
            reason=REVOCATION_REASON,
            now=now - timedelta(days=1),
            actor_id=None,
            actor_role=SYSTEM,
        )
        revoked = 1
    seconds = time.perf_counter() - started
    return (
        f"certificates   {made} issued to the {passed} who passed {COHORT} "
        f"({seconds:.1f} s), {revoked} revoked"
    )
