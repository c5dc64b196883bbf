"""In headless Chromium: a visitor adds to the cart without an account, the checkout asks
them to sign in ("your cart will be kept"), they sign in and the cart is still there, they
check out to their saved address, then cancel the order before it ships."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_storefront_browser import _artifact, _pick_product, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guest_cart_survives_sign_in_then_saved_address_checkout_then_cancel(
    browser: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from django.utils import timezone

    from fiera.accounts.models import User
    from fiera.accounts.roles import SYSTEM
    from fiera.demo.build import build_demo
    from fiera.orders import services
    from fiera.orders.models import CartLine, Order

    build_demo(merchants=12, seed=5, reset=True, progress=False, outlets=False)
    slug, product_id, product_name = _pick_product()
    buyer = User.objects.get(username="buyer")
    CartLine.objects.filter(buyer=buyer).delete()
    services.address_create(
        buyer_id=buyer.pk,
        address={
            "name": "Li Wei",
            "line1": "88 Century Avenue",
            "city": "Shanghai",
            "postal_code": "200120",
            "country": "CN",
            "phone": "+86 21 5555 0100",
        },
        make_default=True,
        now=timezone.now(),
        actor_role=SYSTEM,
    )
    before = Order.objects.filter(buyer=buyer).count()

    page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    base = live_server.url

    # A visitor adds the product to the cart: no sign-in asked yet.
    page.goto(f"{base}/m/{slug}/p/{product_id}/")
    page.click("button:has-text('Add to cart')")
    page.wait_for_url(re.compile(r"/cart/$"))
    assert product_name in page.content()
    assert page.locator(".cart-link .cart-count").count() == 1
    assert page.locator("#guest-cart-note").is_visible()

    # The checkout asks to sign in and says the cart is kept.
    page.click("a:has-text('Check out')")
    page.wait_for_url(re.compile(r"/checkout/$"))
    prompt = page.locator("#checkout-sign-in")
    assert "your cart will be kept" in prompt.inner_text()
    page.screenshot(path=str(_artifact("guest-checkout-sign-in.png")), full_page=True)
    prompt.locator("a:has-text('Sign in')").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.fill("input[name=username]", "buyer")
    page.fill("input[name=password]", "fiera-demo")
    page.click("button[type=submit]")

    # Back at the checkout, signed in: the cart is kept, the saved address filled in.
    page.wait_for_url(re.compile(rf"/m/{slug}/checkout/$"))
    # (the page is now in the buyer's own language, Chinese for the demo's buyer)
    html = page.content()
    assert "已为您保留购物车" in html  # "We kept your cart", in the buyer's language
    summary = page.locator("section[aria-labelledby=summary-heading]").inner_text()
    assert "1 \u00d7" in summary
    assert page.input_value("input[name=name]") == "Li Wei"
    assert page.input_value("input[name=line1]") == "88 Century Avenue"
    assert CartLine.objects.filter(buyer=buyer).count() == 1
    page.screenshot(path=str(_artifact("guest-cart-kept-checkout.png")), full_page=True)
    page.wait_for_selector("button[value=place]:not([disabled])")
    page.click("button[value=place]")
    page.wait_for_url(re.compile(r"/account/checkouts/"))
    assert Order.objects.filter(buyer=buyer).count() == before + 1
    order = Order.objects.filter(buyer=buyer).order_by("-id").first()
    assert order is not None and order.ship_line1 == "88 Century Avenue"

    # The buyer cancels it before it ships, after a confirmation step.
    page.goto(f"{base}/account/orders/{order.number}/")
    page.click("#cancel-order")
    page.wait_for_url(re.compile(r"/cancel/$"))
    assert page.locator("#cancel-confirm").is_visible()
    page.screenshot(path=str(_artifact("buyer-cancel-confirm.png")), full_page=True)
    page.click("#confirm-cancel")
    page.wait_for_url(re.compile(rf"/account/orders/{order.number}/$"))
    assert "The order is cancelled" in page.content() or "订单已取消" in page.content()
    order.refresh_from_db()
    assert order.status == "cancelled"


def _fits(page: Any) -> None:
    """No horizontal overflow: the page is not wider than the phone's screen."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate(
        "w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect()"
        ".right > w + 1).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)",
        page.viewport_size["width"],
    )
    assert width <= page.viewport_size["width"], (page.url, width, wide)


@pytest.mark.parametrize("locale", ["en-US", "it-IT", "zh-CN"])
def test_the_guest_and_address_pages_fit_a_phone(
    browser: Any,  # noqa: F811
    live_server: Any,
    locale: str,
) -> None:
    from django.utils import timezone

    from fiera.accounts.models import User
    from fiera.accounts.roles import SYSTEM
    from fiera.demo.build import build_demo
    from fiera.orders import services

    build_demo(merchants=12, seed=5, reset=True, progress=False, outlets=False)
    slug, product_id, _name = _pick_product()
    buyer = User.objects.get(username="buyer")
    services.address_create(
        buyer_id=buyer.pk,
        address={
            "name": "Li Wei",
            "line1": "88 Century Avenue, Pudong New Area, building 3, floor 12",
            "city": "Shanghai",
            "postal_code": "200120",
            "country": "CN",
        },
        now=timezone.now(),
        actor_role=SYSTEM,
    )
    page = browser.new_page(locale=locale, viewport={"width": 390, "height": 844})
    page.set_default_timeout(15_000)
    base = live_server.url
    page.goto(f"{base}/m/{slug}/p/{product_id}/")
    page.click("form[action$='/cart/add'] button[type=submit]")
    page.wait_for_url(re.compile(r"/cart/$"))
    _fits(page)
    page.goto(f"{base}/m/{slug}/checkout/")
    assert page.locator("#checkout-sign-in").is_visible()
    _fits(page)
    page.goto(f"{base}/login/?next=/m/{slug}/checkout/")
    page.fill("input[name=username]", "buyer")
    page.fill("input[name=password]", "fiera-demo")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/m/{slug}/checkout/$"))
    _fits(page)
    page.screenshot(path=str(_artifact(f"checkout-saved-address-390-{locale}.png")), full_page=True)
    page.goto(f"{base}/account/addresses/")
    _fits(page)
    page.screenshot(path=str(_artifact(f"addresses-390-{locale}.png")), full_page=True)
