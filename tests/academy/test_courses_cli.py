from __future__ import annotations

import pytest

from fiera.cli import main
from tests.academy import factories as af

pytestmark = pytest.mark.django_db


def test_cohort_summary(capsys: pytest.CaptureFixture[str]) -> None:
    cohort = af.cohort(slug="run-9", capacity=10)
    af.enrolment(cohort)
    af.enrolment(cohort, status="withdrawn")
    assert main(["academy", "cohort", "run-9"]) == 0
    out = capsys.readouterr().out
    assert "Cohort run-9 (run-9)" in out and "places 1/10, enrolments 2" in out
    assert main(["academy", "cohort", "nope"]) == 2
    assert "no cohort" in capsys.readouterr().err.lower()
