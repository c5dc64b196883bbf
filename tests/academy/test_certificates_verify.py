"""Verifying credentials through the service, the API and the page: this academy's valid
certificate; each tampering (name, date, achievement, proof value) failing with its reason;
revoked; expired; malformed; too large; a foreign did:key credential valid but not ours; and
revocation by operators only, with the public status list credential carrying the bit."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from fiera.academy import certificates as certs
from fiera.academy.credentials import status_at, verify
from fiera.academy.models import Certificate
from fiera.accounts import roles
from tests.academy.certificates_factories import (  # noqa: F401 - academy_signing_key: autouse
    NOW,
    academy_signing_key,
    credential_of,
    foreign_credential,
    issued,
    tampered,
)
from tests.catalog import factories as f
from tests.payments.factories import bearer

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/academy/verify"


def _api_verify(client: Client, body: Any, *, raw: bool = False, **headers: Any) -> Any:
    data = body if raw else json.dumps(body)
    return client.post(VERIFY, data=data, content_type="application/json", **headers)


def test_our_certificate_verifies_as_ours(client: Client) -> None:
    certificate = issued()
    result = certs.credential_verify(credential=certificate.credential, now=NOW)
    assert (result.valid, result.reason, result.issued_by_this_academy) == (True, "valid", True)
    assert result.revoked is False and result.status_checked
    assert result.certificate_public_id == certificate.public_id
    assert result.subject_name == "Giulia Bianchi"

    response = _api_verify(client, credential_of(certificate))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is True and body["reason"] == "valid"
    assert body["issuer"] == {"id": certs.academy_did(), "name": "Fiera Academy"}
    assert body["issued_by_this_academy"] is True
    assert body["subject"]["name"] == "Giulia Bianchi"
    assert body["revoked"] is False and body["expires"] is None
    wrapped = _api_verify(client, {"credential": credential_of(certificate)}).json()
    assert wrapped["valid"] is True
    as_text = _api_verify(client, {"credential": certificate.credential}).json()
    assert as_text["valid"] is True


@pytest.mark.parametrize("change", ["name", "date", "achievement", "proofValue"])
def test_a_tampered_certificate_fails_with_bad_signature(client: Client, change: str) -> None:
    changed = tampered(credential_of(issued()), change)
    body = _api_verify(client, changed, HTTP_ACCEPT_LANGUAGE="it").json()
    assert (body["valid"], body["reason"]) == (False, "bad_signature")
    assert body["reason_text"].startswith("La firma non corrisponde")
    english = _api_verify(client, changed).json()
    assert english["reason_text"] == (
        "The signature does not match: the certificate was changed after it was issued."
    )


def test_a_revoked_certificate_fails_as_revoked(client: Client) -> None:
    certificate = issued()
    operator = f.user(role="operator")
    view = certs.certificate_revoke(
        public_id=certificate.public_id,
        reason="Exam misconduct found later",
        now=NOW + timedelta(days=2),
        actor_id=operator.pk,
        actor_role=roles.OPERATOR,
    )
    assert view.revoked and view.revocation_reason == "Exam misconduct found later"
    body = _api_verify(client, credential_of(certificate)).json()
    assert (body["valid"], body["reason"], body["revoked"]) == (False, "revoked", True)
    assert body["revocation_reason"] == "Exam misconduct found later"
    assert body["certificate_id"] == certificate.public_id
    with pytest.raises(certs.AlreadyRevoked):
        certs.certificate_revoke(
            public_id=certificate.public_id,
            reason="again",
            now=NOW,
            actor_id=None,
            actor_role=roles.SYSTEM,
        )


def test_the_status_list_credential_is_signed_and_has_the_bit(client: Client) -> None:
    first, second = issued(), issued()
    certs.certificate_revoke(
        public_id=second.public_id,
        reason="Issued in error",
        now=NOW,
        actor_id=None,
        actor_role=roles.SYSTEM,
    )
    url = credential_of(second)["credentialStatus"]["statusListCredential"]
    path = url.removeprefix("https://fiera.example")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    status_credential = json.loads(response.content)
    assert status_credential["id"] == url
    assert status_credential["issuer"] == certs.academy_did()
    result = verify(status_credential, now=NOW)  # not an OpenBadgeCredential: check the proof
    assert result.reason in (None, "malformed")
    from fiera.academy.credentials import public_key_from_did_key, verify_proof

    verify_proof(status_credential, public_key=public_key_from_did_key(certs.academy_did()))
    encoded = status_credential["credentialSubject"]["encodedList"]
    assert status_at(encoded, second.status_index) is True
    assert status_at(encoded, first.status_index) is False
    assert client.get("/academy/credentials/status/999").status_code == 404


def test_an_expired_certificate_fails_as_expired(client: Client) -> None:
    with override_settings(FIERA_ACADEMY_CERTIFICATE_VALID_DAYS=30):
        certificate = issued()
    later = certs.credential_verify(credential=certificate.credential, now=NOW + timedelta(days=31))
    assert (later.valid, later.reason) == (False, "expired")
    assert later.expires is not None
    before = certs.credential_verify(credential=certificate.credential, now=NOW - timedelta(days=1))
    assert before.reason == "not_yet_valid"


@pytest.mark.parametrize(
    "body",
    [b"not json at all", b"[1, 2, 3]", b'"a string"', b"{}", b'{"credential": 5}', b"\xff\xfe"],
)
def test_a_malformed_body_is_a_result_not_an_error(client: Client, body: bytes) -> None:
    response = _api_verify(client, body, raw=True)
    assert response.status_code == 200, response.content
    assert (response.json()["valid"], response.json()["reason"]) == (False, "malformed")


def test_a_credential_over_256_kb_is_refused_with_413(client: Client) -> None:
    doc = credential_of(issued())
    doc["description"] = "x" * (300 * 1024)
    response = _api_verify(client, doc)
    assert response.status_code == 413
    assert response.json()["error"] == "credential_too_large"


def test_a_foreign_did_key_credential_is_valid_but_not_ours(client: Client) -> None:
    body = _api_verify(client, foreign_credential()).json()
    assert body["valid"] is True and body["issued_by_this_academy"] is False
    assert body["issuer"]["name"] == "Other School"
    assert body["status_checked"] is True and body["notes"] == []
    with_status = _api_verify(client, foreign_credential(with_status=True)).json()
    assert with_status["valid"] is True and with_status["revoked"] is None
    assert with_status["status_checked"] is False and len(with_status["notes"]) == 1


def test_revocation_through_the_api_is_for_operators(client: Client) -> None:
    certificate = issued()
    path = f"/api/v1/academy/certificates/{certificate.public_id}/revoke"
    body = json.dumps({"reason": "Issued in error"})
    anonymous = client.post(path, data=body, content_type="application/json")
    assert anonymous.status_code == 401
    learner = f.user(role="learner")
    denied = client.post(path, data=body, content_type="application/json", **bearer(learner))
    assert denied.status_code == 403
    assert denied.json()["error"] == "revocation_operators_only"
    operator = f.user(role="operator")
    done = client.post(path, data=body, content_type="application/json", **bearer(operator))
    assert done.status_code == 200, done.content
    assert done.json()["revoked"] is True
    again = client.post(path, data=body, content_type="application/json", **bearer(operator))
    assert again.status_code == 409
    missing = client.post(
        "/api/v1/academy/certificates/nonexistent-id-123/revoke",
        data=body,
        content_type="application/json",
        **bearer(operator),
    )
    assert missing.status_code == 404
    assert Certificate.objects.get(pk=certificate.pk).revoked_by_id == operator.pk


def test_certificate_reads_in_the_api(client: Client) -> None:
    certificate = issued()
    detail = client.get(f"/api/v1/academy/certificates/{certificate.public_id}")
    assert detail.status_code == 200
    assert detail.json()["learner_name"] == "Giulia Bianchi"
    credential = client.get(f"/api/v1/academy/certificates/{certificate.public_id}/credential")
    assert credential.content.decode() == certificate.credential
    assert client.get("/api/v1/academy/certificates/nonexistent-id-123").status_code == 404
    assert client.get("/api/v1/academy/certificates/mine").status_code == 401
    learner = certificate.enrolment.user
    mine = client.get("/api/v1/academy/certificates/mine", **bearer(learner)).json()
    assert [c["public_id"] for c in mine] == [certificate.public_id]
    other = client.get("/api/v1/academy/certificates/mine", **bearer(f.user(role="learner")))
    assert other.json() == []
