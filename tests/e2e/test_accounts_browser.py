"""In headless Chromium: a newcomer opens an account from the storefront's "Sign in" and
lands back on the storefront signed in, shipping to the country they gave; and a buyer who
forgot their password resets it in Italian, from the login page to signing in again with the
new one (the link taken from the mail Django's backend sent)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_storefront_browser import _artifact, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_from_the_storefront_returns_there_signed_in(
    browser: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from fiera.accounts.models import User
    from tests.orders import factories as f

    market = f.marketplace(
        slug="regional-asia", countries={"ID": "IDR", "SG": "SGD"}, default_currency="SGD"
    )
    base = live_server.url
    page = browser.new_page(locale="en-US", viewport={"width": 390, "height": 844})
    page.set_default_timeout(15_000)
    page.goto(f"{base}/m/{market.slug}/")
    page.click("header .session a[href^='/login/']")
    page.click("a[href^='/signup/']")
    page.wait_for_url(re.compile(r"/signup/\?next="))
    page.fill("input[name=username]", "mei")
    page.fill("input[name=email]", "mei@example.com")
    page.fill("input[name=password]", "short")
    page.select_option("select[name=country]", "SG")
    with page.expect_navigation():
        page.click("button[type=submit]")
    # A weak password: the form says why, on the page, keeping what was typed.
    assert page.locator(".error").first.is_visible()
    assert "Choose another password." in page.inner_text("main")
    assert page.input_value("input[name=email]") == "mei@example.com"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("input[name=password]", "lantern-orbit-73")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/m/{market.slug}/")
    assert page.inner_text("header .who") == "mei"
    assert "SGD" in page.inner_text("header")  # ships to Singapore, the profile's country
    user = User.objects.get(username="mei")
    assert (user.role, user.country, user.preferred_language) == ("buyer", "SG", "en")
    page.screenshot(path=str(_artifact("signup-storefront-390.png")), full_page=True)


def test_password_reset_in_italian(
    browser: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from django.core import mail

    from fiera.accounts import services

    services.buyer_signup(
        username="lucia",
        email="lucia@example.com",
        password="lantern-orbit-73",
        country="IT",
        preferred_language="it",
    )
    base = live_server.url
    page = browser.new_page(locale="it-IT", viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    with page.expect_navigation():
        page.click("text=Password dimenticata?")
    assert page.inner_text("h1") == "Reimposta la password"
    page.fill("input[name=email]", "lucia@example.com")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/password-reset/sent/")
    assert page.inner_text("h1") == "Controlla la tua email"
    assert len(mail.outbox) == 1
    found = re.search(r"https?://[^/\s]+(/password-reset/\S+/\S+/)", mail.outbox[0].body)
    assert found and mail.outbox[0].subject == "Scegli una nuova password per Fiera"
    page.goto(base + found.group(1))
    assert page.inner_text("h1") == "Scegli una nuova password"
    page.fill("input[name=new_password1]", "harbour-quince-41")
    page.fill("input[name=new_password2]", "harbour-quince-41")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/password-reset/done/")
    assert page.inner_text("h1") == "Password cambiata"
    page.click("main a[href='/login/']")
    page.fill("input[name=username]", "lucia")
    page.fill("input[name=password]", "harbour-quince-41")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/?$"))
    assert page.inner_text("header .who") == "lucia"
    page.screenshot(path=str(_artifact("password-reset-it.png")), full_page=True)
