"""The buyer's wallet journey in Chromium: the statement shows one line per payment with its
shop and order, the line opens the payment's detail with the dated conversion, and a QR
payment's result shows the bill number and both amounts; no page scrolls sideways at
desktop or phone width (same Chromium and skip rules as test_storefront_browser)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Any, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {width} px"


@pytest.mark.parametrize(("width", "language"), [(1280, "en-US"), (390, "it-IT"), (390, "zh-CN")])
def test_statement_payment_detail_and_qr_result(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    width: int,
    language: str,
) -> None:
    from django.utils import timezone

    from fiera.accounts.roles import SYSTEM
    from fiera.common.money import Money
    from fiera.payments import selectors, services
    from tests.payments.factories import (
        funded_wallet,
        make_buyer,
        make_merchant,
        make_rates,
        pilot_outlet,
    )

    now = timezone.now()
    make_rates(on=timezone.localdate() - timedelta(days=2))
    buyer = make_buyer(password="pw-for-wallet")
    funded_wallet(buyer, 500_000, now=now - timedelta(hours=2))
    tea = make_merchant(name="Casa del Tè")
    services.wallet_charge_for_checkout(
        buyer_id=buyer.pk,
        checkout_reference="checkout:2721",
        amount=Money(158_000, "CNY"),
        parts=[services.ChargePart(tea.pk, 158_000, "2026-002721")],
        now=now - timedelta(hours=1),
    )
    outlet = pilot_outlet(make_merchant(name="Rete Postale"), name="Ufficio Cordusio")
    payload = selectors.outlet_qr(
        outlet_id=outlet.id, amount_minor=1_250, bill_number="INV-0042", actor_role=SYSTEM
    ).payload
    services.qr_payment_submit(
        user_id=buyer.pk,
        payload=payload,
        request_id="qr-browser-1",
        amount_minor=None,
        wallet_currency="CNY",
        now=now,
        actor_role="buyer",
    )
    base = live_server.url
    page = browser.new_page(locale=language, viewport={"width": width, "height": 800})
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", buyer.username)
    page.fill("input[name=password]", "pw-for-wallet")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/?$"))
    response = page.goto(f"{base}/wallet/?currency=CNY")
    assert response is not None and response.status == 200
    statement = page.inner_text("#statement ~ table, section[aria-labelledby=statement]")
    assert "Casa del Tè" in statement and "2026-002721" in statement
    assert "checkout:2721" not in statement and "Ufficio Cordusio" in statement
    _no_sideways_scroll(page, width)
    page.click("a[href='/wallet/paid/checkout:2721/']")
    page.wait_for_url(re.compile(r".*/wallet/paid/checkout:2721/$"))
    detail = page.inner_text("main")
    assert "2026-002721" in detail and "Casa del Tè" in detail and "1 EUR = 7" in detail
    _no_sideways_scroll(page, width)
    page.goto(f"{base}/wallet/payments/qr-browser-1/")
    result = page.inner_text("main")
    assert "INV-0042" in result and "Rete Postale" in result and "12" in result
    _no_sideways_scroll(page, width)
    page.close()
