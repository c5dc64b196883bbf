"""The pavilion pages in headless Chromium at 375 px, in English, Italian and Chinese: the
landing page redraws its live results from the stats endpoint (a new deal shows without a
reload), a merchant applies from the console, the partner's staff admit it from the review
page. Nothing loads from another host, no console (CSP) error, nothing wider than 375 px."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture
from tests.trade.pavilion_factories import (
    apply,
    decide,
    make_pavilion_world,
    paid_order,
    supplier,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FIERA_SCREENSHOTS", "")
PASSWORD = "correct-horse-battery"
WORDS = {
    "en": ("Live results", "Apply", "Your application was sent", "Under review", "Admitted"),
    "it": (
        "Risultati in tempo reale",
        "Candidati",
        "La candidatura è stata inviata",
        "In valutazione",
        "Ammessa",
    ),
    "zh-hans": ("实时成果", "申请", "申请已提交", "审核中", "已入选"),
}


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _narrow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("language", ["en", "it", "zh-hans"])
def test_landing_live_results_apply_and_review_at_phone_width(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    language: str,
) -> None:
    cache.clear()
    pw = make_pavilion_world(quota=2)
    w = pw.trade
    first_m, first_o = supplier(w, region="IT-52")
    decide(pw, apply(pw, first_m, first_o).id, now=timezone.now())
    for user in (w.owner, pw.reviewer):
        user.set_password(PASSWORD)
        user.save()
    live, apply_label, sent, review, admitted = WORDS[language]
    base = live_server.url
    context = browser.new_context(viewport={"width": 375, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)

    page.goto(f"{base}/trade/pavilions/{pw.pavilion.slug}/")
    assert live in (page.text_content(".pavilion-live h2") or "")
    assert page.text_content('[data-live="deals"]') == "0"
    _narrow(page)
    _shot(page, f"pavilion-landing-{language}.png")
    paid_order(first_m, w.market, total_minor=123_400, paid_at=timezone.now(), country="JP")
    cache.clear()
    for _ in range(30):  # the script polls every 5 s (no reload)
        if page.text_content('[data-live="deals"]') == "1":
            break
        page.wait_for_timeout(500)
    assert page.text_content('[data-live="deals"]') == "1"
    assert "1" in (page.text_content('[data-live="countries"]') or "")
    assert "234" in (page.text_content('[data-live="value"]') or "")  # 1,234.00 / 1.234,00

    _sign_in(page, base, w.owner.username)
    page.goto(f"{base}/console/pavilions/")
    _narrow(page)
    page.fill("textarea[name=motivation]", "Olive oil <b>since 1950</b>")
    page.click(f"main form button:has-text('{apply_label}')")
    page.wait_for_load_state()
    assert sent in (page.text_content(".messages") or "")
    assert review in (page.text_content("main") or "")
    _narrow(page)
    _shot(page, f"pavilion-console-{language}.png")

    page.context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    _sign_in(page, base, pw.reviewer.username)
    page.goto(f"{base}/trade/pavilions/{pw.pavilion.slug}/applications/")
    assert "<b>since 1950</b>" in (page.text_content(".applications") or "")  # as text
    _narrow(page)
    _shot(page, f"pavilion-review-{language}.png")
    page.click("form.review button[value=admit]")
    page.wait_for_load_state()
    assert admitted in (page.text_content(".applications") or "")
    assert not errors, errors
    assert not outside, outside
