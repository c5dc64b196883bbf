"""The README's first-hour journeys on the demo world, walked in headless Chromium in
English, Italian and Chinese (issue 7's "Done when"; the same journeys with the test client
are in tests/orders/test_demo_journeys.py):

* ``buyer`` checks out a cross-border cart on Italia Cross-Border China (the demo leaves most
  of the yearly allowance; ``buyer-cbec``'s refusal is tests/e2e/test_checkout_refusal_browser.py);
* ``buyer-sg`` lands on the regional marketplace shipping to Singapore in SGD, and the
  wallet is in SGD;
* ``operator`` sees the settlement runs of past days and a statement with its fees;
* a visitor who mistypes an address gets the product's own page in their language, and an
  unknown API path answers JSON.

Same Chromium and skip rules as tests/e2e/test_storefront_browser.py."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.e2e.test_storefront_browser import _artifact, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Per language: the browser's locale, the language picked in the header, and what the pages
# say in it.
LANGUAGES = {
    "en": {
        "locale": "en-US",
        "placed": "Thank you: your order is placed",
        "singapore": "Singapore",
        "runs": "Settlement runs",
        "fees": "Fees",
        "not_found": "Not found",
    },
    "it": {
        "locale": "it-IT",
        "placed": "Grazie: il tuo ordine è stato effettuato",
        "singapore": "Singapore",
        "runs": "Cicli di liquidazione",
        "fees": "Commissioni",
        "not_found": "Pagina non trovata",
    },
    "zh-hans": {
        "locale": "zh-CN",
        "placed": "谢谢\uff1a您的订单已提交",  # a full-width colon
        "singapore": "新加坡",
        "runs": "结算批次",
        "fees": "手续费",
        "not_found": "页面未找到",
    },
}


def _signed_in(chromium: Any, base: str, username: str, language: str) -> Any:
    """A page signed in as a demo login, reading ``language`` (chosen in the header, as a
    person would after signing in: the account's own language comes first)."""
    page = chromium.new_page(
        locale=LANGUAGES[language]["locale"], viewport={"width": 1280, "height": 900}
    )
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "fiera-demo")
    with page.expect_navigation():
        page.click("button[type=submit]")
    if page.locator("html").get_attribute("lang") != language:
        with page.expect_navigation():
            page.select_option("#language", language)
    assert page.locator("html").get_attribute("lang") == language
    return page


def test_the_readme_journeys_in_the_browser(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    from fiera.demo.build import build_demo

    # The whole demo, the post offices, FX rates, wallets and the settled past days included
    # (built once: the three languages walk the same world).
    build_demo(merchants=12, seed=5, reset=True, progress=False)
    for language in LANGUAGES:
        _walk(browser, live_server.url, language)


def _walk(chromium: Any, base: str, language: str) -> None:
    from fiera.catalog.models import Variant
    from fiera.orders.models import Checkout
    from tests.orders.test_demo_journeys import _cheap_cross_border_variant

    words = LANGUAGES[language]

    # buyer: a cross-border checkout goes through.
    variant_id, _name = _cheap_cross_border_variant()
    product_id = Variant.objects.get(pk=variant_id).product_id
    page = _signed_in(chromium, base, "buyer", language)
    page.goto(f"{base}/m/crossborder-cn/p/{product_id}/")
    if page.locator("select[name=variant_id]").count():
        page.select_option("select[name=variant_id]", str(variant_id))
    with page.expect_navigation():
        page.click("form[action$='/cart/add'] button[type=submit]")
    page.goto(f"{base}/m/crossborder-cn/checkout/")
    assert page.locator("#checkout-refusal").count() == 0
    page.fill("input[name=name]", "Wang Fang")
    page.fill("input[name=line1]", "88 Century Avenue")
    page.fill("input[name=city]", "Shanghai")
    page.fill("input[name=postal_code]", "200120")
    page.fill("input[name=phone]", "+86 21 5555 0100")
    with page.expect_navigation():
        page.click("button[value=quote]")
    place = page.locator("button[value=place]")
    assert place.is_enabled()
    with page.expect_navigation():
        place.click()
    assert re.search(r"/account/checkouts/\d+/$", page.url), page.url
    assert page.inner_text("h1") == words["placed"]
    checkout = Checkout.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
    assert checkout.cross_border and checkout.buyer.username == "buyer"
    page.screenshot(path=str(_artifact(f"journey-crossborder-{language}.png")), full_page=True)
    page.close()

    # buyer-sg: the regional marketplace ships to Singapore in SGD; the wallet is in SGD.
    page = _signed_in(chromium, base, "buyer-sg", language)
    page.goto(f"{base}/m/sea/")
    ship_to = page.inner_text("details.shipto > summary")
    assert words["singapore"] in ship_to and "SGD" in ship_to, ship_to
    page.goto(f"{base}/wallet/")
    wallets = page.eval_on_selector_all(
        "a[href^='?currency=']", "links => links.map(a => a.textContent.trim())"
    )
    assert "SGD" in wallets, wallets
    page.close()

    # operator: settlement runs of past days, and a statement with its fees.
    page = _signed_in(chromium, base, "operator", language)
    page.goto(f"{base}/settlement/")
    assert page.inner_text("h1") == words["runs"]
    runs = page.locator("tbody a[href^='/settlement/']")
    assert runs.count() > 0, "the demo has no settlement runs"
    with page.expect_navigation():
        runs.first.click()
    fees = page.locator("th[scope=row]", has_text=words["fees"])
    assert fees.count() == 1
    assert page.locator("tbody tr td.num").count() > 0, "the statement has no lines"
    page.screenshot(path=str(_artifact(f"journey-settlement-{language}.png")), full_page=True)
    page.close()

    # a visitor: the product's own 404 page in their language; unknown API paths answer JSON.
    page = chromium.new_page(locale=words["locale"])
    page.set_default_timeout(15_000)
    response = page.goto(f"{base}/no-such-page/")
    assert response is not None and response.status == 404
    assert page.inner_text("h1") == words["not_found"]
    assert "URLconf" not in page.content()
    response = page.goto(f"{base}/api/v1/no-such-thing")
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("application/json")
    body = json.loads(response.text())
    assert body["error"] and body["detail"]
    page.close()
