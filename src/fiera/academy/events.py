"""The academy's events for other apps (analytics), published through the outbox
(``fiera.common.events``) in the transaction of the change, so each exists if and only if
the change committed; a refused action publishes nothing.

Topics:
- ``academy.enrolment.created``: a person enrolled in a cohort. A withdrawn enrolment made
  again publishes it once more for the same ``enrolment_id`` with ``reactivated`` true and
  its new ``enrolled_at`` (it is still one enrolment: counters move it, never add it twice).
- ``academy.certificate.issued``: an enrolment's certificate was issued (once per enrolment).

``country`` (certificates) is the learner's account's country (ISO 3166-1 alpha-2), "" when
unknown. The enrolment event leaves it out: a whole cohort enrols at once and each enrolment
keeps to a few statements (one more for the outbox); a subscriber that wants the learner's
country asks ``accounts.selectors.user_countries`` off that hot path.
(``academy.exam.passed`` belongs to the exams: ``fiera.academy.exams.EXAM_PASSED``.)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from fiera.accounts.selectors import user_countries
from fiera.common.events import publish

ENROLMENT_CREATED = "academy.enrolment.created"
CERTIFICATE_ISSUED = "academy.certificate.issued"


@dataclass(frozen=True, slots=True)
class AcademyEvent:
    topic: ClassVar[str]

    enrolment_id: int
    cohort_id: int
    course_id: int
    user_id: int

    def payload(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def publish(self, *, now: datetime) -> None:
        """Into the outbox, in the caller's transaction."""
        publish(self.topic, self.payload(), now=now)


@dataclass(frozen=True, slots=True)
class EnrolmentCreated(AcademyEvent):
    topic: ClassVar[str] = ENROLMENT_CREATED
    language: str
    reactivated: bool
    enrolled_at: str


@dataclass(frozen=True, slots=True)
class CertificateIssued(AcademyEvent):
    topic: ClassVar[str] = CERTIFICATE_ISSUED
    country: str
    certificate_id: int
    issued_at: str


def learner_country(user_id: int) -> str:
    return user_countries(user_ids=[user_id]).get(user_id, "")
