"""The order page of a pay-later order in headless Chromium at phone width, in English,
Italian and Chinese: the countdown ticks from the package's own script (nothing from
another host, no CSP error), at zero it says the order is being cancelled and disables
Pay now; Pay now pays from the wallet and says so; the page fits 390 px."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fiera.accounts.models import User
from fiera.accounts.roles import BUYER
from fiera.orders import services
from fiera.orders.models import Order, OrderStatus
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture
from tests.orders import factories as f
from tests.payments.factories import funded_wallet, make_rates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FIERA_SCREENSHOTS", "")  # a folder to keep screenshots in, if set
WORDS = {
    "en": ("Awaiting payment — pay by", "Pay now", "Thank you: the order is paid."),
    "it": ("In attesa di pagamento", "Paga ora", "Grazie: l'ordine è pagato."),
    "zh-hans": ("等待付款", "立即支付", "谢谢：订单已付款。"),  # noqa: RUF001 - the Chinese text as written
}
EXPIRED = {
    "en": "The time to pay has run out",
    "it": "Il tempo per pagare è scaduto",
    "zh-hans": "付款时间已过",
}


def place(buyer: User, item: Any, *, at: Any) -> str:
    return (
        services.checkout_submit(
            buyer_id=buyer.pk,
            marketplace_slug="lampo",
            country="IT",
            lines=[(item.id, 1)],
            shipping_address=f.address(),
            payment_method="wallet_later",
            now=at,
            actor_role=BUYER,
        )
        .orders[0]
        .number
    )


@pytest.mark.parametrize("language", ["en", "it", "zh-hans"])
def test_the_countdown_ticks_expires_and_pay_now_pays_at_phone_width(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    language: str,
) -> None:
    make_rates(on=timezone.now().date() - timedelta(days=1))
    market = f.marketplace(slug="lampo")
    item = f.sku(market=market, price_minor=4_200, stock=5, name="Silk scarf")
    buyer = f.user(username=f"ada-{language}")
    buyer.set_password("pw-for-pay")
    buyer.save()
    funded_wallet(buyer, 10_000, currency="EUR", now=timezone.now() - timedelta(days=1))
    now = timezone.now()
    waiting = place(buyer, item, at=now)
    # due in a few seconds: the page counts it down to zero while we watch
    ending = place(buyer, item, at=now - timedelta(minutes=30) + timedelta(seconds=4))

    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(base) else None,
    )
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", buyer.username)
    page.fill("input[name=password]", "pw-for-pay")
    with page.expect_navigation():
        page.click("main button[type=submit]")

    awaiting, pay_now, paid_text = WORDS[language]
    page.goto(f"{base}/account/orders/{ending}/")
    assert awaiting in (page.text_content("#pay-heading") or "")
    page.wait_for_function(
        "() => !document.querySelector('[data-pay-clock]')", timeout=10_000
    )  # reached zero: the countdown line became the expiry notice
    assert EXPIRED[language] in (page.text_content("#pay-later") or "")
    assert page.is_disabled("#pay-now")

    page.goto(f"{base}/account/orders/{waiting}/")
    first = page.text_content("[data-pay-clock]") or ""
    assert first.startswith(("29:", "30:"))
    # it ticks: wait for the next second to show (a loaded 2-core CI box may stall the
    # page's timer past a fixed sleep)
    page.wait_for_function(
        "(first) => document.querySelector('[data-pay-clock]').textContent !== first",
        arg=first,
        timeout=10_000,
    )
    assert pay_now in (page.text_content("#pay-now") or "")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"pay-later-{language}.png"), full_page=True)
    with page.expect_navigation():
        page.click("#pay-now")
    assert paid_text in (page.text_content(".messages") or "")
    assert page.query_selector("#pay-now") is None
    assert Order.objects.get(number=waiting).status == OrderStatus.PAID
    assert errors == [] and outside == []
    context.close()
