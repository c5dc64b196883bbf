"""The merchant console in Chromium: a merchant signs in, reads the home's figures, filters
the products, edits one and lands back on the filtered list, adjusts stock with the list
filtered and sees the change and the sale in the movements; every console page fits a
1280 px screen and a 390 px phone without scrolling sideways, in en/it/zh."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-console"


def _merchant_world() -> dict[str, Any]:
    from fiera.accounts.roles import SYSTEM
    from fiera.orders import services
    from fiera.orders.models import Order
    from tests.orders import factories as f

    market = f.marketplace(slug="piazza")
    maker = f.merchant()
    owner = f.staff(merchant_obj=maker)
    owner.set_password(PASSWORD)
    owner.save()
    scarf = f.sku(market=market, merchant_obj=maker, price_minor=1250, stock=40, name="Sciarpa")
    scarf.warehouse.name = "Magazzino Torino"
    scarf.warehouse.save()
    f.sku(market=market, merchant_obj=maker, stock=3, name="Guanti", warehouse_obj=scarf.warehouse)
    buyer = f.user()
    result = services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country="IT",
        lines=[(scarf.id, 2)],
        shipping_address=f.address(),
        payment_method="cod",
        now=timezone.now(),
        actor_role=SYSTEM,
    )
    number = result.orders[0].number
    Order.objects.filter(number=number).update(status="paid", paid_at=timezone.now())
    return {"owner": owner, "scarf": scarf, "number": number, "maker": maker}


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/"))


def _fits(page: Any, where: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow} px"


def test_console_journey_keeps_filters(browser: Any, live_server: Any) -> None:  # noqa: F811
    world = _merchant_world()
    base = live_server.url
    page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    _sign_in(page, base, world["owner"].username)

    page.goto(f"{base}/console/")
    figures = page.inner_text("section[aria-labelledby=figures-heading]")
    assert "Sales today" in figures and "€25.00" in figures
    page.click("text=Ship them")
    page.wait_for_url(re.compile(r"/console/orders/\?status=paid"))
    assert world["number"] in page.inner_text("table")

    page.goto(f"{base}/console/products/")
    page.select_option("#console-status", "active")
    page.fill("#console-q", "Sciarpa")
    page.click("form.searchbar button[type=submit]")
    page.wait_for_url(re.compile(r"status=active"))
    with page.expect_navigation():
        page.click("text=Edit")
    assert "Piazza" in page.inner_text("table") or "· EUR, from 1 unit" in page.inner_text("table")
    page.click("section[aria-labelledby=edit-heading] button[type=submit]")
    page.wait_for_url(re.compile(r"/console/products/\?.*q=Sciarpa.*status=active"))
    assert page.input_value("#console-q") == "Sciarpa"
    assert page.input_value("#console-status") == "active"

    page.goto(f"{base}/console/stock/?q=Sciarpa")
    page.click("main details summary")
    page.fill("input[name=delta]", "-1")
    page.fill("form:has(input[name=delta]) input[name=reason]", "damaged in transit")
    page.click("form:has(input[name=delta]) button[type=submit]")
    page.wait_for_url(re.compile(r"/console/stock/\?.*q=Sciarpa"))
    assert page.input_value("#stock-q") == "Sciarpa"
    page.click("text=Every stock change, sales included")
    table = page.inner_text("table")
    assert (
        "damaged in transit" in table and world["number"] in table and "Magazzino Torino" in table
    )
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en-US", "it-IT", "zh-CN"])
def test_console_pages_fit_the_screen(
    browser: Any,  # noqa: F811
    live_server: Any,
    width: int,
    language: str,
) -> None:
    world = _merchant_world()
    base = live_server.url
    page = browser.new_page(locale=language, viewport={"width": width, "height": 900})
    page.set_default_timeout(15_000)
    _sign_in(page, base, world["owner"].username)
    product = world["scarf"].product.pk
    for path in (
        "/console/",
        "/console/products/",
        f"/console/products/{product}/",
        "/console/stock/",
        "/console/stock/movements/",
        "/console/orders/",
    ):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        _fits(page, f"{path} at {width} px in {language}")
    page.close()
