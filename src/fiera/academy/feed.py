"""What analytics counts of the academy, read from the academy's own tables: the source of
a rebuild of the analytics academy figures (``fiera.analytics.feeds``).

- ``enrolment``: a person in a cohort, on the day of ``Enrolment.enrolled_at`` (a withdrawn
  enrolment made again counts once, on the day it was made again), whatever its status now;
- ``certificate``: a certificate issued (``Certificate.issued_at``), revoked ones included.

``country`` is the learner's account's country ("" when unknown), as the academy events
(``fiera.academy.events``) carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fiera.academy.models import Certificate, Enrolment
from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.accounts.selectors import user_countries
from fiera.common.errors import InvalidInput, PermissionDenied

FEED_KINDS = ("enrolment", "certificate")
FEED_BATCH = 2_000


@dataclass(frozen=True, slots=True)
class AcademyHappening:
    kind: str  # one of FEED_KINDS
    source_id: int  # the enrolment's or the certificate's id
    at: datetime
    course_id: int
    country: str


def academy_feed(
    *, kind: str, actor_role: str, after_id: int = 0, limit: int = FEED_BATCH
) -> list[AcademyHappening]:
    """Up to ``limit`` happenings of ``kind`` with source ids above ``after_id``, in id
    order (a rebuild reads them in batches). Operators and the platform only."""
    if actor_role not in {OPERATOR, SYSTEM}:
        raise PermissionDenied("only operators read the academy feed")
    if kind not in FEED_KINDS:
        raise InvalidInput(f"unknown academy feed kind {kind!r}")
    if kind == "enrolment":
        rows = list(
            Enrolment.objects.filter(pk__gt=after_id)
            .order_by("pk")
            .values_list("pk", "enrolled_at", "cohort__course_id", "user_id")[:limit]
        )
    else:
        rows = list(
            Certificate.objects.filter(pk__gt=after_id)
            .order_by("pk")
            .values_list("pk", "issued_at", "enrolment__cohort__course_id", "enrolment__user_id")[
                :limit
            ]
        )
    countries = user_countries(user_ids={int(r[3]) for r in rows})
    return [
        AcademyHappening(
            kind=kind,
            source_id=int(pk),
            at=at,
            course_id=int(course_id),
            country=countries.get(int(user_id), ""),
        )
        for pk, at, course_id, user_id in rows
    ]
