"""The trade pages in headless Chromium at phone width (390 px), in English, Italian and
Chinese: a buyer contacts a supplier from its profile (verification badges shown), the
supplier's clerk answers from the inbox, the buyer sees the answer and their company.
Nothing loads from another host, no console (CSP) error, nothing wider than 390 px."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.trade import services
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture
from tests.trade.factories import PDF, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FIERA_SCREENSHOTS", "")
PASSWORD = "correct-horse-battery"
WORDS = {
    "en": ("On-site audit", "Send inquiry", "Your inquiry was sent.", "Answered", "Your company"),
    "it": (
        "Audit in loco",
        "Invia richiesta",
        "La tua richiesta è stata inviata.",
        "Con risposta",
        "La tua azienda",
    ),
    "zh-hans": ("现场审核", "发送询盘", "您的询盘已发送。", "已回复", "您的公司"),
}


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _narrow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("language", ["en", "it", "zh-hans"])
def test_contact_answer_and_inbox_at_phone_width(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    language: str,
) -> None:
    world = make_world()
    for user in (world.buyer, world.clerk, world.owner):
        user.set_password(PASSWORD)
        user.save()
    now = timezone.now()
    services.verification_add(
        actor_id=None,
        actor_role=SYSTEM,
        merchant_id=world.supplier.pk,
        kind="audit",
        inspection_body="Bureau Veritas Italia",
        evidence=PDF,
        evidence_name="a.pdf",
        checked_at=now - timedelta(days=30),
        expires_at=now + timedelta(days=300),
    )
    services.verification_add(
        actor_id=None,
        actor_role=SYSTEM,
        merchant_id=world.supplier.pk,
        kind="licence",
        evidence=PDF,
        evidence_name="l.pdf",
        checked_at=now - timedelta(days=800),
        expires_at=now - timedelta(days=70),
    )
    audit, send, sent, answered, company = WORDS[language]
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)

    _sign_in(page, base, world.buyer.username)
    page.goto(f"{base}/trade/suppliers/{world.supplier.pk}/?product={world.product.pk}")
    assert audit in (page.text_content("h1") or "")
    _narrow(page)
    _shot(page, f"trade-supplier-{language}.png")
    page.fill("input[name=subject]", "Olive oil <b>for 2,000 stores</b>")
    page.fill("input[name=quantity]", "2000")
    page.fill("textarea[name=message]", "Hello,\nwhat is your best price FOB Genoa?")
    page.click(f"button:has-text('{send}')")
    page.wait_for_load_state()
    assert sent in (page.text_content(".messages") or "")
    assert "<b>for 2,000 stores</b>" in (page.text_content("h1") or "")  # shown as text
    _narrow(page)
    thread_url = page.url

    page.context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    _sign_in(page, base, world.clerk.username)
    page.goto(f"{base}/trade/inquiries/")
    _narrow(page)
    _shot(page, f"trade-inbox-supplier-{language}.png")
    page.click("table.inbox a")
    page.wait_for_load_state()
    page.fill("textarea[name=body]", "USD 38 a can, 30% in advance.")
    page.click("form[action$='/reply'] button")
    page.wait_for_load_state()
    assert answered in (page.text_content("h1") or "")
    _narrow(page)
    _shot(page, f"trade-thread-{language}.png")

    page.context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    _sign_in(page, base, world.buyer.username)
    page.goto(f"{base}/trade/inquiries/")
    assert page.locator(".badge.unread").count() >= 1
    _narrow(page)
    _shot(page, f"trade-inbox-buyer-{language}.png")
    page.goto(thread_url)
    assert "USD 38" in (page.text_content("ol.thread") or "")
    page.goto(f"{base}/trade/company/")
    assert company in (page.text_content("h1") or "")
    _narrow(page)
    _shot(page, f"trade-company-{language}.png")

    page.context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    _sign_in(page, base, world.owner.username)
    page.goto(f"{base}/console/supplier-profile/")
    page.fill("textarea[name=capabilities_zh]", "自有品牌")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/trade/suppliers/{world.supplier.pk}/")
    assert (page.text_content(".messages") or "").strip()
    if language == "zh-hans":  # the public page reads the capabilities in Chinese
        assert "自有品牌" in (page.text_content("main") or "")
    _narrow(page)
    _shot(page, f"trade-supplier-saved-{language}.png")
    page.goto(f"{base}/console/supplier-profile/")
    _narrow(page)
    _shot(page, f"trade-supplier-edit-{language}.png")
    assert errors == [] and outside == []
    context.close()
