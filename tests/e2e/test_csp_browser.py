"""In headless Chromium, under the Content-Security-Policy Fiera sends: no page breaks a rule
(no inline script or style), and the pickers that submit on change still do (web/fiera.js).
Same Chromium and skip rules as test_storefront_browser."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_run_under_the_policy_and_the_pickers_submit(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    from fiera.demo.build import build_demo
    from fiera.marketplaces.models import Marketplace

    build_demo(merchants=3, seed=5, reset=True, progress=False, outlets=True)
    slug = "flagship-cn"
    assert Marketplace.objects.filter(slug=slug).exists()
    base = live_server.url

    page = browser.new_page(locale="en-US")
    page.set_default_timeout(15_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    # Each violation also raises a DOM event; the page records it where the test can read it.
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e => "
        "window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    def visit(path: str) -> None:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert page.evaluate("window.__cspViolations") == [], path

    visit("/")
    # The language picker: choosing Italiano reloads the page in Italian, no button pressed.
    page.select_option("#language", "it")
    page.wait_for_function("document.documentElement.lang === 'it'")
    page.select_option("#language", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")

    visit("/login/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", "fiera-demo")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/?$"))

    visit(f"/m/{slug}/")
    country = page.locator("#nav-country")
    if country.count():
        options = country.locator("option").evaluate_all("os => os.map(o => o.value)")
        chosen = country.input_value()
        other = next(code for code in options if code != chosen)
        page.click("details.shipto > summary")  # the list sits in the ship-to panel
        country.select_option(other)
        page.wait_for_function(
            f"document.querySelector('#nav-country').value === {other!r}"
            " && document.readyState === 'complete'"
        )
        page.wait_for_load_state("load")
        assert page.locator("#nav-country").input_value() == other

    visit("/outlets/")
    from fiera.payments.models import Outlet

    outlet = Outlet.objects.order_by("id").first()
    if outlet is not None:
        visit(f"/outlets/{outlet.pk}/")
    visit("/api/v1/docs")
    page.wait_for_selector("#swagger-ui .info", timeout=20_000)
    assert page.evaluate("window.__cspViolations") == []
    assert refused == []

    # The policy is really enforced: an inline script is refused, and the refusal is seen.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__inlineRan = true'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__inlineRan === undefined")
