"""In headless Chromium at phone width: paste a certificate into the verification page and
read the verdict; the certificate's page shows its QR code; nothing from another host, no
console (CSP) error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.academy.certificates_factories import (  # noqa: F401 - academy_signing_key: autouse
    academy_signing_key,
    issued,
)
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paste_to_verify_and_the_certificate_qr(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    certificate = issued()
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)

    page.goto(f"{base}/academy/verify/")
    page.fill("textarea[name=credential]", certificate.credential)
    with page.expect_navigation():
        page.click("form.verify-form button[type=submit]")
    verdict = page.text_content("#verification-result") or ""
    assert "Valid" in verdict and "Fiera Academy" in verdict
    assert page.is_visible(".verdict-valid")

    page.goto(f"{base}/academy/certificates/{certificate.public_id}/")
    assert page.is_visible("#certificate-qr svg")
    box = page.locator("#certificate-qr svg").bounding_box()
    assert box is not None and box["width"] >= 100
    assert "Giulia Bianchi" in (page.text_content("main") or "")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_navigation():
        page.click("text=Verify this certificate")
    assert page.is_visible(".verdict-valid")
    assert errors == [] and outside == []
    context.close()
