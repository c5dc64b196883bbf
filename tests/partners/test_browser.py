"""The partner pages in headless Chromium at phone width (390 px), in English, Italian and
Chinese: the operator's coverage map and the partner's lead page, whose button moves the
lead on. Nothing loads from another host, no console (CSP) error, nothing wider than 390 px."""

from __future__ import annotations

import os
from typing import Any

import pytest

from fiera.partners.selectors import lead_get
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture
from tests.merchants.factories import make_user
from tests.partners.factories import make_lead, make_partner, make_partner_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FIERA_SCREENSHOTS", "")
WORDS = {
    "en": ("Partner coverage", "No partner in:", "Mark as contacted", "Moved to “Contacted”."),
    "it": (
        "Copertura dei partner",
        "Nessun partner in:",
        "Segna come contattato",
        "Spostato in «Contattato».",
    ),
    "zh-hans": ("合作伙伴覆盖", "没有合作伙伴的地区：", "标记为已联系", "已转到“已联系”。"),  # noqa: RUF001
}


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "it", "zh-hans"])
def test_coverage_map_and_lead_page_at_phone_width(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    language: str,
) -> None:
    partner = make_partner(slug=f"rete-{language}", region_codes=["IT-25", "IT-72"])
    worker = make_partner_user(partner, "admin")
    operator = make_user("operator")
    lead = make_lead(partner, firm_name="Pastificio Alpino S.r.l.")
    title, uncovered, button, moved = WORDS[language]
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)

    _sign_in(page, base, operator.username)
    page.goto(f"{base}/operator/partners/coverage/")
    assert title in (page.text_content("h1") or "")
    assert uncovered in (page.text_content(".uncovered") or "")
    assert "Sardegna" in (page.text_content(".uncovered") or "")
    assert page.locator("svg .tile").count() == 20
    assert page.locator("svg .tile.level-partners").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"coverage-{language}.png"), full_page=True)
    page.context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])

    _sign_in(page, base, worker.username)
    page.goto(f"{base}/partners/")  # partner staff land on their partner's page
    assert partner.name in (page.text_content("h1") or "")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"partner-{language}.png"), full_page=True)
    page.goto(f"{base}/partners/{partner.slug}/leads/{lead.id}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click(f"button:has-text('{button}')")
    page.wait_for_load_state()
    assert moved in (page.text_content(".messages") or "")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"lead-{language}.png"), full_page=True)
    page.goto(f"{base}/partners/{partner.slug}/leads/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"leads-{language}.png"), full_page=True)
    info = lead_get(partner_id=partner.id, lead_id=lead.id, actor_id=None, actor_role="operator")
    assert info.stage == "contacted"
    assert errors == [] and outside == []
    context.close()
