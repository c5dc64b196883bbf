"""Forms sit on one line at their natural height: the settlement page's filter controls were
90 px tall because the flex row stretched them to the height of its grid neighbour. Checked
in headless Chromium at desktop and phone width (same Chromium and skip rules as
test_storefront_browser)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_settlement_filter_controls_keep_their_height(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    width: int,
) -> None:
    from fiera.accounts.models import User

    User.objects.create_user(
        username="ops", password="pw-for-layout", role="operator", business_unit="Payments desk"
    )
    base = live_server.url
    page = browser.new_page(locale="en-US", viewport={"width": width, "height": 800})
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", "pw-for-layout")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/?$"))
    response = page.goto(f"{base}/settlement/")
    assert response is not None and response.status == 200
    for selector in ("#day", "#run-day", "form.searchbar button"):
        height = page.eval_on_selector(selector, "e => e.getBoundingClientRect().height")
        assert height < 60, f"{selector} is {height:.0f} px tall at {width} px"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    page.close()
