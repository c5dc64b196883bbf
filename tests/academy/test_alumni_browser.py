"""The alumni pages in headless Chromium at 375 px: an alumnus signs in, searches the
directory, writes a post and replies to it. Nothing loads from another host, no console
(CSP) error, nothing wider than the phone."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.academy import factories as af
from tests.academy.alumni_factories import certified, listed
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
SHOTS = os.environ.get("FIERA_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def _narrow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_alumnus_searches_the_directory_writes_and_replies(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    co = af.cohort(slug="masterclass-2026")
    me = listed(co, name="Giulia Rossi", company_name="Frantoio Rossi", country="IT")
    listed(co, name="Carmen López", company_name="Aceites del Sur", country="ES")
    listed(co, name="Marco Bianchi", company_name="Sartoria Bianchi", country="IT")
    certified(co)
    me.user.set_password(PASSWORD)
    me.user.save()
    base = live_server.url
    context = browser.new_context(viewport={"width": 375, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "it", "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)

    page.goto(f"{base}/login/?next=/academy/alumni/")
    page.fill("input[name=username]", me.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/academy/alumni/")
    assert "Elenco degli alumni" in (page.text_content("h1") or "")
    assert page.locator(".alumnus").count() == 3
    _narrow(page)
    page.fill("input[name=q]", "aceites")
    with page.expect_navigation():
        page.click("form.alumni-filters button[type=submit]")
    assert page.locator(".alumnus").count() == 1
    assert "Carmen López" in (page.text_content(".alumni-list") or "")
    assert "Spagna" in (page.text_content(".alumni-list") or "")
    page.select_option("select[name=country]", "IT")
    page.fill("input[name=q]", "")
    with page.expect_navigation():
        page.click("form.alumni-filters button[type=submit]")
    assert page.locator(".alumnus").count() == 2
    _shot(page, "alumni-directory.png")

    with page.expect_navigation():
        page.click(".alumni-nav a[href='/academy/alumni/board/']")
    _narrow(page)
    page.fill("input[name=title]", "Olio in Cina")
    page.fill("textarea[name=body]", "Chi ha un **importatore** a Shanghai? <script>x</script>")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Olio in Cina" in (page.text_content("h1") or "")
    assert page.text_content(".alumni-post .markdown strong") == "importatore"
    assert "<script>x</script>" in (page.text_content(".alumni-post .markdown") or "")
    _narrow(page)
    page.fill("textarea[name=body]", "Io sì, ti scrivo!")
    with page.expect_navigation():
        page.click("main form.form button[type=submit]")
    assert "Io sì, ti scrivo!" in (page.text_content(".alumni-replies") or "")
    assert "1 risposta" in (page.text_content("main") or "")
    _shot(page, "alumni-post.png")
    _narrow(page)
    with page.expect_navigation():
        page.click(".alumni-nav a[href='/academy/alumni/profile/']")
    assert page.is_checked("input[name=listed]")
    _shot(page, "alumni-profile.png")
    _narrow(page)
    assert not errors, errors
    assert not outside, outside
