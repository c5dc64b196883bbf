"""``fiera cert verify FILE`` (exit 0 valid, 1 invalid, with the reason in words and the
issuer), ``fiera cert revoke`` and ``fiera cert issue --cohort``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fiera.academy import certificates as certs
from fiera.academy.models import Certificate
from fiera.cli import main
from tests.academy import factories as af
from tests.academy.certificates_factories import (  # noqa: F401 - academy_signing_key: autouse
    NOW,
    academy_signing_key,
    credential_of,
    foreign_credential,
    issued,
    tampered,
)

pytestmark = pytest.mark.django_db


def _file(tmp_path: Path, document: object, name: str = "c.json") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def test_verify_our_certificate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    certificate = issued()
    assert main(["cert", "verify", _file(tmp_path, certificate.credential)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("valid: ")
    assert f"issuer: Fiera Academy ({certs.academy_did()})" in out
    assert "issued by this academy: yes" in out


def test_verify_a_tampered_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = tampered(credential_of(issued()), "achievement")
    assert main(["cert", "verify", _file(tmp_path, changed)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "invalid: The signature does not match: the certificate was changed after it was issued."
    )
    assert "issuer: Fiera Academy" in out


def test_verify_malformed_and_foreign(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cert", "verify", _file(tmp_path, "{not json")]) == 1
    assert capsys.readouterr().out.startswith("invalid: This is not a credential")
    assert main(["cert", "verify", _file(tmp_path, foreign_credential())]) == 0
    out = capsys.readouterr().out
    assert "issuer: Other School (did:key:z6Mk" in out and "issued by this academy: no" in out
    assert main(["cert", "verify", str(tmp_path / "missing.json")]) == 2


def test_revoke_then_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    certificate = issued()
    assert main(["cert", "revoke", certificate.public_id, "--reason", "Issued in error"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["cert", "verify", _file(tmp_path, certificate.credential)]) == 1
    assert "revoked by its issuer" in capsys.readouterr().out
    assert main(["cert", "revoke", certificate.public_id, "--reason", "again"]) == 2
    assert main(["cert", "revoke", "no-such-certificate", "--reason", "x"]) == 2


def test_issue_for_a_cohort(capsys: pytest.CaptureFixture[str]) -> None:
    cohort = af.cohort(slug="spring")
    for _ in range(2):
        af.enrolment(cohort, final_score_permille=800, final_passed_at=NOW)
    assert main(["cert", "issue", "--cohort", "spring", "--no-progress"]) == 0
    assert capsys.readouterr().out.startswith("2 certificate(s) issued")
    assert Certificate.objects.count() == 2
    assert main(["cert", "issue", "--cohort", "spring", "--no-progress"]) == 0
    assert capsys.readouterr().out.startswith("0 certificate(s) issued; 2 learner(s)")
    assert main(["cert", "issue", "--cohort", "nope", "--no-progress"]) == 2


def test_key_prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cert", "key"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("FIERA_ACADEMY_SIGNING_KEY=z") and "did:key:z6Mk" in out
