"""Trade assurance in headless Chromium at phone width (375 px), in English, Italian and
Chinese: the buyer sees the held payment on the order page and opens a dispute, the
supplier's clerk answers in the thread, the operator decides it from the queue. Nothing
wider than 375 px, nothing from another host, no console error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture
from tests.trade.assurance_world import make_world, place, ship

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
WORDS = {
    "en": ("Payment held by trade assurance", "Open a dispute", "Dispute queue", "Upheld"),
    "it": (
        "Pagamento trattenuto dalla garanzia commerciale",
        "Apri una contestazione",
        "Coda delle contestazioni",
        "Accolta",
    ),
    "zh-hans": ("交易担保托管货款", "发起争议", "争议处理队列", "支持买家"),
}


def _sign_in(page: Any, base: str, username: str, language: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _narrow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("language", ["en", "it", "zh-hans"])
def test_dispute_at_phone_width(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    language: str,
) -> None:
    world = make_world()
    for user in (world.buyer, world.clerk, world.operator):
        user.set_password(PASSWORD)
        user.save()
    now = timezone.now()
    order = place(world, at=now - timedelta(days=3))
    ship(world, order, at=now - timedelta(days=2))
    held, open_dispute, queue, upheld = WORDS[language]
    base = live_server.url
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)

    _sign_in(page, base, world.buyer.username, language)
    page.goto(f"{base}/account/orders/{order.number}/")
    assert held in (page.text_content("#escrow-state") or "")
    _narrow(page)
    page.click("#open-dispute")
    page.wait_for_load_state()
    page.select_option("select[name=reason]", "damaged")
    page.fill("textarea[name=statement]", "Two cartons <b>crushed</b>.")
    page.click(f"form[action$='/dispute'] button:has-text('{open_dispute}')")
    page.wait_for_load_state()
    assert "<b>crushed</b>" in (page.text_content(".statement") or "")
    _narrow(page)

    _sign_in(page, base, world.clerk.username, language)
    page.goto(f"{base}/trade/orders/{order.number}/assurance/")
    page.fill("textarea[name=body]", "We packed them on a pallet; see the list.")
    page.click("form[action$='/messages'] button")
    page.wait_for_load_state()
    assert "pallet" in (page.text_content("ol.thread") or "")
    _narrow(page)

    _sign_in(page, base, world.operator.username, language)
    page.goto(f"{base}/trade/disputes/?status=open")
    assert queue in (page.text_content("h1") or "")
    _narrow(page)
    page.check("input[name=outcome][value=upheld]")
    page.fill("form.decide textarea[name=reason]", "Photos show the damage.")
    page.click("form.decide button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/trade/orders/{order.number}/assurance/")
    assert upheld in (page.text_content("#dispute") or "")
    _narrow(page)
    assert not outside, outside
    assert not errors, errors
    context.close()
