"""The live dashboard in headless Chromium: the static script polls the live JSON with the
operator's session and redraws the GMV counter, the growth against the baseline, the
countries and the chart without a reload; the festival page's countdown ticks. No script
or style breaks the CSP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fiera.festivals import tallies
from fiera.festivals.models import GmvTally
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture
from tests.festivals.test_pages import make_festival, make_flash_sale
from tests.orders import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tally(
    fest: Any,
    merchant: Any,
    market: Any,
    country: str,
    gmv: int,
    ago: int,
    buyer: str = "DE",
    phase: str = "live",
) -> None:
    minute = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=ago)
    GmvTally.objects.create(
        merchant=merchant,
        festival=fest,
        phase=phase,
        minute=minute,
        marketplace_id=market.pk,
        merchant_country=country,
        buyer_country=buyer,
        category_id=0,
        orders=1,
        units=1,
        gmv_usd_minor=gmv,
    )
    tallies.rebuild_rollups(festival_id=fest.pk)


def test_the_dashboard_redraws_from_the_poll_and_the_countdown_ticks(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    from fiera import config

    market = f.marketplace()
    maker = f.merchant()
    fest = make_festival(market)
    make_flash_sale(fest, f.sku(market=market, merchant_obj=maker, name="Silk scarf"))
    _tally(fest, maker, market, "IT", 10_000, 10)
    # the baseline: the window of the same length before the festival (it began an hour
    # ago and lasts four), 10 minutes into it
    _tally(fest, maker, market, "IT", 5_000, 5 * 60 - 10, phase="baseline")
    f.user(role="operator", username="ops")
    from fiera.accounts.models import User

    ops = User.objects.get(username="ops")
    ops.set_password("pw-for-live")
    ops.save()

    base = live_server.url
    page = browser.new_page(locale="en-US", viewport={"width": 390, "height": 900})
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/festivals/{fest.slug}/")
    first = page.text_content("[data-countdown-clock]")
    # it ticks: wait for the next second to show (a loaded 2-core CI box may
    # stall the page's timer past a fixed sleep)
    page.wait_for_function(
        "(first) => document.querySelector('[data-countdown-clock]').textContent !== first",
        arg=first,
        timeout=10_000,
    )

    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", "pw-for-live")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{base}/operator/festivals/{fest.slug}/live/")
    assert "100.00" in (page.text_content('[data-live="gmv"]') or "")
    assert "(Asia/Shanghai)" in (page.text_content('[data-live="chart-window"]') or "")
    assert (page.text_content('[data-live="growth"]') or "").strip() == "100%"
    newcomer = f.merchant()
    _tally(fest, newcomer, market, "FR", 25_000, 2, buyer="JP")  # a new order arrives
    page.wait_for_function(
        "() => document.querySelector('[data-live=\"gmv\"]').textContent.includes('350')",
        timeout=10_000,
    )
    assert "France" in (page.text_content('[data-live="countries"]') or "")
    # growth against the baseline is redrawn from the same poll: 350 against 50
    assert (page.text_content('[data-live="growth"]') or "").strip() == "600%"
    # the merchants and the buyer countries are redrawn from the same poll
    merchants = page.locator('[data-live="top-merchants"] tr')
    assert merchants.count() == 2
    assert newcomer.display_name in (merchants.nth(0).text_content() or "")
    assert "Japan" in (page.text_content('[data-live="buyer-countries"]') or "")
    assert "Updated at" in (page.text_content("[data-live-status]") or "")
    points = page.get_attribute('[data-live="chart"]', "points") or ""
    assert len(points.split()) == 61
    assert min(float(p.split(",")[1]) for p in points.split()) == 8.0  # the top minute
    folder = config.VAR_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "390-festival-live-data.png"), full_page=True)
    assert not errors, errors
    page.close()
