"""The analytics dashboard in headless Chromium at desktop (1280 px) and phone (390 px)
width, in English, Italian and Chinese: the charts are drawn and visible, nothing scrolls
sideways, nothing loads from another host, no console (CSP) error, and the PNG button saves
a real PNG drawn from the chart's SVG. With FIERA_SCREENSHOTS set to a folder, a full-page
screenshot of each lands there."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.analytics.test_pages import Shop, shop  # noqa: F401 - real orders, rebuilt
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture
from tests.merchants.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FIERA_SCREENSHOTS", "")
TITLES = {"en": "Analytics", "it": "Analisi", "zh-hans": "数据分析"}


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery")
    with page.expect_navigation():
        page.click("main button[type=submit]")


def signed_in_page(
    chromium: Any, base: str, username: str, *, language: str, width: int
) -> tuple[Any, Any, list[str], list[str]]:
    """A signed-in page in ``language`` at ``width`` px (downloads allowed), with the console
    errors and the requests to other hosts it meets: (context, page, errors, outside)."""
    context = chromium.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    _sign_in(page, base, username)
    return context, page, errors, outside


@pytest.mark.parametrize("language", ["en", "it", "zh-hans"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_dashboard_draws_its_charts_and_saves_a_png(
    browser: Any,  # noqa: F811 - the fixture imported above
    shop: Shop,  # noqa: F811 - the fixture imported above
    live_server: Any,
    width: int,
    language: str,
) -> None:
    operator = make_user("operator")
    base = live_server.url
    context, page, errors, outside = signed_in_page(
        browser, base, operator.username, language=language, width=width
    )
    response = page.goto(f"{base}/analytics/?period=last30")
    assert response is not None and response.status == 200
    assert TITLES[language] in (page.text_content("h1") or "")
    gmv = page.text_content(".kpi-gmv .kpi-value") or ""
    assert "".join(c for c in gmv if c.isdigit()) == "160000", gmv  # USD 1,600.00
    charts = page.locator("figure.chart-card svg.chart")
    assert charts.count() == 7
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 20, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    if SHOTS:
        page.screenshot(
            path=os.path.join(SHOTS, f"analytics-{width}-{language}.png"), full_page=True
        )
    button = page.locator("#chart-card-gmv button[data-png-src]")
    assert button.is_visible()
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.startswith("gmv-") and download.suggested_filename.endswith(
        ".png"
    )
    path = download.path()
    with open(path, "rb") as png:
        head = png.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    png_width = int.from_bytes(head[16:20], "big")
    assert png_width == 880  # the 440-unit SVG drawn at twice its size
    assert errors == [] and outside == []
    context.close()
