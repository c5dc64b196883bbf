"""Issuing certificates: only after a pass, once (idempotent), automatically on the
``academy.exam.passed`` event; the credential is OB 3.0, signed by the academy's did:key,
names the learner by a salted email hash and their name, and carries its status entry."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test.utils import override_settings

from fiera.academy import certificates as certs
from fiera.academy.credentials import email_matches_credential, verify
from fiera.academy.models import Certificate, Enrolment, StatusList
from fiera.accounts import roles
from fiera.common import events
from fiera.common.errors import PermissionDenied
from tests.academy import factories as af
from tests.academy.certificates_factories import (  # noqa: F401 - academy_signing_key: autouse
    NOW,
    academy_signing_key,
    credential_of,
    issued,
    passed_enrolment,
)

pytestmark = pytest.mark.django_db


def test_a_passed_enrolment_gets_a_signed_open_badge() -> None:
    enrolment = passed_enrolment(language="it", score_permille=875)
    certificate = issued(enrolment)

    credential = credential_of(certificate)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == certs.academy_did()
    assert credential["issuer"]["name"] == "Fiera Academy"
    assert credential["issuer"]["url"] == "https://fiera.example/"
    assert (
        credential["id"] == f"https://fiera.example/academy/certificates/{certificate.public_id}/"
    )
    assert credential["validFrom"] == "2026-11-20T09:00:00Z"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["name"].startswith("Corso ")  # the enrolment's language
    assert "87,5%" in achievement["criteria"]["narrative"]
    assert email_matches_credential("Giulia@Example.it", credential)
    assert not email_matches_credential("other@example.it", credential)
    assert "giulia@example.it" not in certificate.credential
    assert credential["credentialStatus"]["statusListCredential"].startswith(
        "https://fiera.example/academy/credentials/status/"
    )
    assert verify(certificate.credential, now=NOW).valid
    enrolment.refresh_from_db()
    assert enrolment.certified_at == NOW
    assert len(certificate.public_id) >= 22


def test_issuing_twice_returns_the_same_certificate() -> None:
    enrolment = passed_enrolment()
    first = issued(enrolment)
    second = issued(enrolment, now=NOW + timedelta(days=1))
    assert second.pk == first.pk and second.credential == first.credential
    assert Certificate.objects.count() == 1


def test_no_certificate_before_the_final_exam_is_passed() -> None:
    enrolment = af.enrolment(af.cohort(), final_score_permille=400)
    with pytest.raises(certs.NotPassedYet):
        certs.certificate_issue(enrolment_id=enrolment.pk, now=NOW, actor_role=roles.SYSTEM)
    assert not Certificate.objects.exists()


def test_people_cannot_issue_certificates_themselves() -> None:
    enrolment = passed_enrolment()
    for role in (roles.LEARNER, roles.OPERATOR):
        with pytest.raises(PermissionDenied):
            certs.certificate_issue(enrolment_id=enrolment.pk, now=NOW, actor_role=role)


def test_each_certificate_takes_its_own_status_index() -> None:
    a, b = issued(), issued()
    assert a.status_list_id == b.status_list_id
    assert a.status_index != b.status_index
    assert 0 <= min(a.status_index, b.status_index) < max(a.status_index, b.status_index) < 131_072
    assert StatusList.objects.get(pk=a.status_list_id).next_index == 2


def test_a_full_list_is_followed_by_a_new_one() -> None:
    first = issued()
    StatusList.objects.filter(pk=first.status_list_id).update(next_index=131_072)
    second = issued()
    assert second.status_list_id != first.status_list_id


def test_validity_days_set_valid_until() -> None:
    with override_settings(FIERA_ACADEMY_CERTIFICATE_VALID_DAYS=365):
        certificate = issued()
    assert certificate.valid_until == NOW + timedelta(days=365)
    assert credential_of(certificate)["validUntil"] == "2027-11-20T09:00:00Z"


def test_the_cohort_command_issues_the_missing_ones() -> None:
    cohort = af.cohort(slug="run-1")
    passed = [af.enrolment(cohort, final_score_permille=900, final_passed_at=NOW) for _ in range(3)]
    af.enrolment(cohort, final_score_permille=300)
    issued(passed[0])
    ticks: list[int] = []
    made, total = certs.certificates_issue_for_cohort(
        cohort_slug="run-1", now=NOW, actor_role=roles.SYSTEM, progress=ticks.append
    )
    assert (made, total, len(ticks)) == (2, 3, 2)
    assert Certificate.objects.count() == 3
    with pytest.raises(certs.CohortNotFound):
        certs.certificates_issue_for_cohort(cohort_slug="nope", now=NOW, actor_role=roles.SYSTEM)


@pytest.mark.django_db(transaction=True)
def test_the_exam_passed_event_issues_the_certificate_once() -> None:
    assert certs.SUBSCRIBER_NAME in events.subscriber_names(certs.EXAM_PASSED_TOPIC)
    enrolment = passed_enrolment()
    events.publish(certs.EXAM_PASSED_TOPIC, {"enrolment_id": enrolment.pk})  # autocommit
    events.relay()
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert Enrolment.objects.get(pk=enrolment.pk).certified_at is not None
    events.publish(certs.EXAM_PASSED_TOPIC, {"enrolment_id": enrolment.pk})
    events.relay()
    assert Certificate.objects.filter(enrolment=enrolment).get().pk == certificate.pk
    assert json.loads(certificate.credential)["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


@pytest.mark.django_db(transaction=True)
def test_the_event_for_an_enrolment_that_has_not_passed_issues_nothing() -> None:
    enrolment = af.enrolment(af.cohort())
    events.publish(certs.EXAM_PASSED_TOPIC, {"enrolment_id": enrolment.pk})
    events.relay()
    assert not Certificate.objects.exists()


def test_fiera_check_names_a_bad_or_missing_signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from fiera import config
    from tests.academy.certificates_factories import TEST_SIGNING_KEY

    def academy_problems() -> list[str]:
        return [p for p in config.problems(config.load()) if "FIERA_ACADEMY_SIGNING_KEY" in p]

    monkeypatch.setenv("DATABASE_URL", "postgresql://fiera@db/fiera")
    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.delenv("FIERA_ACADEMY_SIGNING_KEY", raising=False)
    assert academy_problems() == []  # a generated key: said, but serving goes on
    assert "is not set" in config.academy_key_advice(config.load())
    monkeypatch.setenv("FIERA_ACADEMY_SIGNING_KEY", "z3u2notakey")
    assert "not an Ed25519 secret key" in academy_problems()[0]
    monkeypatch.setenv("FIERA_ACADEMY_SIGNING_KEY", TEST_SIGNING_KEY)
    assert academy_problems() == []
    assert config.academy_key_advice(config.load()) == ""
    monkeypatch.delenv("FIERA_ACADEMY_SIGNING_KEY")
    monkeypatch.setenv("DEBUG", "true")
    assert config.academy_key_advice(config.load()) == ""


def test_the_local_key_is_made_once(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from fiera import config

    path = Path(str(tmp_path)) / "var" / "academy_signing_key"
    monkeypatch.setattr(config, "LOCAL_ACADEMY_KEY_FILE", path)
    first = certs.local_key_ensure()
    assert path.read_text().strip() == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert certs.local_key_ensure() == first
    with override_settings(FIERA_ACADEMY_SIGNING_KEY=""):
        assert certs.academy_key_pair().secret_multibase() == first


def test_a_spanish_enrolment_gets_its_certificate_in_spanish() -> None:
    certificate = issued(passed_enrolment(language="es", score_permille=910))
    achievement = credential_of(certificate)["credentialSubject"]["achievement"]
    assert achievement["name"].startswith("Curso ")
    assert achievement["criteria"]["narrative"].startswith("Aprobó el examen final de Curso ")
    assert "91%" in achievement["criteria"]["narrative"]
