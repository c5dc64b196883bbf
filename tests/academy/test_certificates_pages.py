"""The certificate pages: the public verification page (paste, upload, reasons in the
reader's language), a certificate's public page with its QR code and download, the
signed-in person's list, and revocation from the page (operators only)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fiera.academy.models import Certificate
from tests.academy.certificates_factories import (  # noqa: F401 - academy_signing_key: autouse
    academy_signing_key,
    credential_of,
    foreign_credential,
    issued,
    tampered,
)
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def test_paste_a_credential_and_see_the_verdict(client: Client) -> None:
    certificate = issued()
    page = client.get("/academy/verify/")
    assert page.status_code == 200
    response = client.post("/academy/verify/", {"credential": certificate.credential})
    text = response.content.decode()
    assert response.status_code == 200
    assert "verdict-valid" in text and "Fiera Academy" in text
    assert f"/academy/certificates/{certificate.public_id}/" in text


def test_upload_a_tampered_file_in_italian(client: Client) -> None:
    changed = json.dumps(tampered(credential_of(issued()), "date")).encode()
    client.cookies["django_language"] = "it"
    response = client.post(
        "/academy/verify/",
        {"file": SimpleUploadedFile("c.json", changed, content_type="application/json")},
        HTTP_ACCEPT_LANGUAGE="it",
    )
    text = response.content.decode()
    assert "verdict-invalid" in text
    assert "La firma non corrisponde" in text


def test_the_page_says_when_a_credential_is_not_ours(client: Client) -> None:
    response = client.post("/academy/verify/", {"credential": json.dumps(foreign_credential())})
    text = response.content.decode()
    assert "verdict-valid" in text and "Other School" in text
    assert "whoever signed it" in text


def test_an_empty_form_and_garbage(client: Client) -> None:
    assert client.post("/academy/verify/", {"credential": ""}).status_code == 422
    garbage = client.post("/academy/verify/", {"credential": "hello"})
    assert garbage.status_code == 200 and "verdict-invalid" in garbage.content.decode()


def test_the_certificate_page_shows_the_qr_and_links(client: Client) -> None:
    certificate = issued()
    response = client.get(f"/academy/certificates/{certificate.public_id}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in text and "Giulia Bianchi" in text
    assert f"/academy/certificates/{certificate.public_id}/credential.json" in text
    download = client.get(f"/academy/certificates/{certificate.public_id}/credential.json")
    assert download.content.decode() == certificate.credential
    assert "attachment" in download["Content-Disposition"]
    verify = client.get(f"/academy/certificates/{certificate.public_id}/verify")
    assert "verdict-valid" in verify.content.decode()
    assert client.get("/academy/certificates/not-a-real-certificate/").status_code == 404
    assert "Revoke this certificate" not in text


def test_my_certificates_needs_a_sign_in_and_shows_only_mine(client: Client) -> None:
    certificate = issued()
    assert client.get("/academy/certificates/").status_code == 302
    client.force_login(certificate.enrolment.user)
    mine = client.get("/academy/certificates/").content.decode()
    assert certificate.public_id in mine
    client.force_login(f.user(role="learner"))
    assert certificate.public_id not in client.get("/academy/certificates/").content.decode()


def test_only_operators_revoke_from_the_page(client: Client) -> None:
    certificate = issued()
    path = f"/academy/certificates/{certificate.public_id}/revoke"
    anonymous = client.post(path, {"reason": "x"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.force_login(f.user(role="learner"))
    assert client.post(path, {"reason": "x"}).status_code == 403
    client.force_login(f.user(role="operator"))
    page = client.get(f"/academy/certificates/{certificate.public_id}/").content.decode()
    assert "Revoke this certificate" in page
    done = client.post(path, {"reason": "Issued in error"})
    assert done.status_code == 302
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is not None
    page = client.get(f"/academy/certificates/{certificate.public_id}/").content.decode()
    assert "Issued in error" in page
