"""The certificates' demo: the masterclass cohort's passed learners get theirs, one is
revoked; without the cohort nothing happens."""

from __future__ import annotations

import pytest

from fiera.academy.models import Certificate, Enrolment
from fiera.demo.academy_certificates import COHORT, build_academy_certificates
from tests.academy import factories as af
from tests.academy.certificates_factories import (  # noqa: F401 - academy_signing_key: autouse
    NOW,
    academy_signing_key,
)

pytestmark = pytest.mark.django_db


def test_without_the_cohort_nothing_happens() -> None:
    assert "no masterclass-2026 cohort" in build_academy_certificates(now=NOW)
    assert not Certificate.objects.exists()


def test_the_passed_learners_get_certificates_and_one_is_revoked() -> None:
    cohort = af.cohort(slug=COHORT)
    for n in range(12):
        af.enrolment(
            cohort,
            language="es" if n % 2 else "it",
            final_score_permille=700 + n,
            final_passed_at=NOW if n < 10 else None,
        )
    line = build_academy_certificates(now=NOW)
    assert line.startswith("certificates   10 issued to the 10 who passed")
    assert Certificate.objects.count() == 10
    assert Certificate.objects.filter(revoked_at__isnull=False).count() == 1
    assert Enrolment.objects.filter(certified_at__isnull=False).count() == 10
    again = build_academy_certificates(now=NOW)  # fiera demo --keep: nothing twice
    assert again.startswith("certificates   0 issued to the 10 who passed")
    assert Certificate.objects.filter(revoked_at__isnull=False).count() == 1
