"""The reports page in headless Chromium at phone width (390 px), in Italian: every form fits
(nothing scrolls sideways), nothing loads from another host, and the month form's button
downloads the workbook. With FIERA_SCREENSHOTS set to a folder, a full-page screenshot lands
there."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.analytics.report_world import make_report_world
from tests.analytics.test_dashboard_browser import signed_in_page
from tests.analytics.test_report_downloads import add_pavilion
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture
from tests.merchants.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("FIERA_SCREENSHOTS", "")


def test_the_reports_page_fits_a_phone_and_its_button_downloads(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    world = make_report_world()
    add_pavilion(world.partner.id, "veneto-pavilion")
    operator = make_user("operator")
    base = live_server.url
    context, page, errors, outside = signed_in_page(
        browser, base, operator.username, language="it", width=390
    )
    response = page.goto(f"{base}/analytics/reports/")
    assert response is not None and response.status == 200
    assert (page.text_content("h1") or "").strip() == "Report"
    assert page.locator("form.report-form").count() == 4
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at 390 px"
    for field in page.locator("form.report-form select, form.report-form input").all():
        box = field.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 391, box
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "analytics-reports-390-it.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("#report-month button[type=submit]")
    download = download_info.value
    name = download.suggested_filename
    assert name.startswith("fiera-month-") and name.endswith("-it.xlsx"), name
    with open(download.path(), "rb") as workbook:
        assert workbook.read(2) == b"PK"
    assert errors == [] and outside == []
    context.close()
