"""In headless Chromium: the demo's buyer near the yearly CBEC limit opens the checkout of a
cross-border cart; the page names the rule and what to do, keeps the order summary, and the
place-order button is disabled and looks it (en, it and zh-Hans)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_storefront_browser import _artifact, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "rule"), [("en-US", "cross-border"), ("it-IT", "transfrontalier"), ("zh-CN", "跨境")]
)
def test_a_refused_checkout_keeps_the_summary_and_greys_the_button(
    browser: Any,  # noqa: F811
    live_server: Any,
    locale: str,
    rule: str,
) -> None:
    from django.utils import timezone

    from fiera.accounts.models import User
    from fiera.accounts.roles import SYSTEM
    from fiera.catalog.models import Price, StockLevel
    from fiera.demo.build import build_demo
    from fiera.orders import services

    build_demo(merchants=8, seed=5, reset=True, progress=False, outlets=False)
    in_stock = StockLevel.objects.filter(units_on_hand__gte=2).values("variant_id")
    price = (
        Price.objects.filter(
            marketplace__slug="crossborder-cn",
            currency="CNY",
            min_quantity=1,
            amount_minor__gte=42_000,
            amount_minor__lte=200_000,
            variant_id__in=in_stock,
            variant__min_order_quantity__lte=1,
        )
        .order_by("variant_id")
        .first()
    )
    assert price is not None
    buyer = User.objects.get(username="buyer-cbec")
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug="crossborder-cn",
        variant_id=price.variant_id,
        quantity=1,
        now=timezone.now(),
        actor_role=SYSTEM,
    )
    page = browser.new_page(locale=locale, viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "buyer-cbec")
    page.fill("input[name=password]", "fiera-demo")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/?$"))
    # Signing in switches to the account's language (Chinese for this buyer); the person
    # then picks the language of this run in the header.
    language = {"zh": "zh-hans", "it": "it"}.get(locale[:2], "en")
    with page.expect_navigation():
        page.select_option("#language", language)
    page.goto(f"{base}/m/crossborder-cn/checkout/")
    notice = page.locator("#checkout-refusal")
    assert notice.is_visible()
    assert rule in notice.inner_text()
    assert page.locator("#summary-heading").is_visible()
    assert page.locator("section[aria-labelledby=summary-heading] table").count() >= 2
    button = page.locator("button[value=place]")
    assert button.is_disabled()
    opacity = float(button.evaluate("b => getComputedStyle(b).opacity"))
    cursor = button.evaluate("b => getComputedStyle(b).cursor")
    assert opacity < 0.6 and cursor == "not-allowed"
    page.screenshot(path=str(_artifact(f"checkout-refused-{locale}.png")), full_page=True)
