"""The RFQ pages in headless Chromium at phone width (375 px), in English, Italian and
Chinese: a buyer posts an RFQ, the matched supplier's owner quotes, the buyer compares
the quotes and accepts one. Nothing loads from another host, no console error, nothing
wider than 375 px."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fiera.orders.models import Order
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture
from tests.trade.factories import make_world
from tests.trade.rfq_world import quote, rfq_world
from tests.trade.test_browser import PASSWORD, _shot, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 375
WORDS = {
    "en": ("Your request for quotation was posted.", "Your quote was sent.", "Quote accepted"),
    "it": (
        "La tua richiesta di offerta è stata pubblicata.",
        "La tua offerta è stata inviata.",
        "Offerta accettata",
    ),
    "zh-hans": ("您的询价已发布。", "您的报价已发送。", "报价已接受"),
}


def _narrow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


@pytest.mark.parametrize("language", ["en", "it", "zh-hans"])
def test_post_quote_compare_accept_at_phone_width(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    language: str,
) -> None:
    rw = rfq_world(make_world())
    for user in (rw.w.buyer, rw.w.owner):
        user.set_password(PASSWORD)
        user.save()
    posted, sent, accepted = WORDS[language]
    base = live_server.url
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)

    _sign_in(page, base, rw.w.buyer.username)
    page.goto(f"{base}/trade/rfqs/new")
    _narrow(page)
    page.fill("input[name=product]", "Olive oil <b>5 l tins</b>, private label")
    page.select_option("select[name=category_id]", str(rw.food.pk))
    page.fill("input[name=quantity]", "300")
    page.fill("input[name=target_price]", "39.50")
    page.select_option("select[name=destination_country]", "US")
    page.fill("input[name=deadline]", (timezone.now() + timedelta(days=10)).date().isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert posted in (page.text_content(".messages") or "")
    assert "<b>5 l tins</b>" in (page.text_content("h1") or "")  # shown as text
    rfq_url = page.url
    rfq_id = int(rfq_url.rstrip("/").rsplit("/", 1)[1])
    _narrow(page)

    page.context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    _sign_in(page, base, rw.w.owner.username)
    page.goto(f"{base}/trade/rfqs/")
    _narrow(page)
    page.click(".rfq-list a")
    page.wait_for_load_state()
    page.fill("input[name=unit_price]", "38.00")
    page.fill("input[name=quantity]", "100")
    page.fill("input[name=incoterm_place]", "Genova")
    page.fill("input[name=valid_until]", (timezone.now() + timedelta(days=20)).date().isoformat())
    page.click("form[action$='/quote'] button")
    page.wait_for_load_state()
    assert sent in (page.text_content(".messages") or "")
    _narrow(page)
    _shot(page, f"rfq-supplier-{language}.png")
    now = timezone.now()
    quote(
        rw,
        rfq_id,
        user=rw.w.other_owner,
        variant_id=rw.other_variant.pk,
        quantity=5,
        now=now,
        valid_until=now + timedelta(days=15),
    )

    page.context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    _sign_in(page, base, rw.w.buyer.username)
    page.goto(rfq_url)
    assert page.locator("article.quote").count() == 2
    _narrow(page)
    _shot(page, f"rfq-buyer-{language}.png")
    first = page.locator("article.quote").first
    first.locator("summary").click()
    first.locator("input[name=name]").fill("Acme Imports")
    first.locator("input[name=line1]").fill("1 Main St")
    first.locator("input[name=city]").fill("Boston")
    first.locator("input[name=postal_code]").fill("02110")
    first.locator("form[action$='/accept'] button").click()
    page.wait_for_load_state()
    assert accepted in (page.text_content(".messages") or "")
    _narrow(page)
    assert Order.objects.filter(quote_ref__startswith=f"RFQ{rfq_id}-").count() == 1
    assert not outside, outside
    assert not errors, errors
