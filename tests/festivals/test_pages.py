"""The festival pages: the public festival page (countdown, flash sales), the operators' live
dashboard (and the JSON it polls), the merchant console's festival sales; who may see each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fiera.festivals import tallies
from fiera.festivals.figures import MinutePoint
from fiera.festivals.models import Festival, FlashSale, FlashSaleBucket, GmvTally
from fiera.festivals.views import Countdown, chart_points, countdown
from tests.orders import factories as f

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def make_festival(market: Any, *, slug: str = "double-11", published: bool = True, **kw: Any):
    now = timezone.now()
    fest = Festival.objects.create(
        slug=slug,
        name="Double 11",
        name_it="Doppio 11",
        name_zh="双十一",
        description="Deals all day",
        warmup_starts_at=kw.pop("warmup_starts_at", now - 2 * HOUR),
        starts_at=kw.pop("starts_at", now - HOUR),
        ends_at=kw.pop("ends_at", now + 3 * HOUR),
        timezone="Asia/Shanghai",
        is_published=published,
        created_at=now - 24 * HOUR,
    )
    fest.marketplaces.add(market)
    return fest


def make_flash_sale(fest: Festival, item: Any, *, quantity: int = 10, left: int = 7, **kw: Any):
    now = timezone.now()
    sale = FlashSale.objects.create(
        merchant=item.merchant,
        festival=fest,
        variant=item.variant,
        warehouse=item.warehouse,
        currency="EUR",
        price_minor=kw.get("price_minor", 1_999),
        quantity=quantity,
        per_buyer_limit=2,
        bucket_count=1,
        starts_at=kw.get("starts_at", now - HOUR),
        ends_at=kw.get("ends_at", now + HOUR),
        created_at=now - 24 * HOUR,
    )
    FlashSaleBucket.objects.create(
        merchant=item.merchant,
        flash_sale=sale,
        number=0,
        units_left=left,
        units_sold=quantity - left,
    )
    return sale


@pytest.fixture
def world() -> dict[str, Any]:
    market = f.marketplace()
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, name="Silk scarf")
    fest = make_festival(market)
    sale = make_flash_sale(fest, item)
    minute = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    GmvTally.objects.create(
        merchant=maker,
        festival=fest,
        phase="live",
        minute=minute,
        marketplace_id=market.pk,
        merchant_country="IT",
        buyer_country="DE",
        category_id=0,
        orders=3,
        units=4,
        gmv_usd_minor=123_456,
    )
    tallies.rebuild_rollups(festival_id=fest.pk)
    return {"market": market, "maker": maker, "item": item, "fest": fest, "sale": sale}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the public festival page --------------------------------------------------------------


def test_the_festival_page_shows_the_countdown_and_the_flash_sales(world) -> None:
    page = Client().get("/festivals/double-11/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Double 11" in html and "Deals all day" in html
    assert "data-countdown=" in html and "Ends in" in html  # live: counts down to the end
    assert "Silk scarf" in html
    assert f"/m/{world['market'].slug}/p/{world['item'].product.pk}/" in html
    assert 'max="10" value="7"' in html  # units left of units allocated
    assert "7 of 10 left" in html
    assert "Live now" in html
    assert "festivals/festivals.js" in html and "<script>" not in html


def test_the_festival_page_in_chinese_uses_the_chinese_name(world) -> None:
    page = Client().get("/festivals/double-11/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "双十一" in html


def test_before_the_start_it_counts_down_to_the_start_and_sold_out_sales_say_so(world) -> None:
    now = timezone.now()
    fest = make_festival(
        world["market"],
        slug="black-friday",
        warmup_starts_at=now - HOUR,
        starts_at=now + 2 * HOUR,
        ends_at=now + 5 * HOUR,
    )
    make_flash_sale(fest, world["item"], left=0, starts_at=now + 2 * HOUR, ends_at=now + 3 * HOUR)
    html = Client().get("/festivals/black-friday/").content.decode()
    assert "Starts in" in html and "Sold out" in html
    assert "data-countdown-clock>01:59:" in html or "data-countdown-clock>02:00:00" in html


def test_unpublished_and_unknown_festivals_are_404_to_the_public(world) -> None:
    make_festival(world["market"], slug="secret", published=False)
    assert Client().get("/festivals/secret/").status_code == 404
    assert signed_in(f.user()).get("/festivals/secret/").status_code == 404
    assert Client().get("/festivals/nope/").status_code == 404
    # operators preview it
    assert signed_in(f.user(role="operator")).get("/festivals/secret/").status_code == 200


# --- the live dashboard --------------------------------------------------------------------


def test_the_live_dashboard_for_operators(world) -> None:
    page = signed_in(f.user(role="operator")).get("/operator/festivals/double-11/live/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1,234.56" in html  # GMV in USD
    assert "<polyline" in html and 'data-live-url="/api/v1/festivals/double-11/live"' in html
    assert "Italy" in html  # the top merchant countries
    assert world["maker"].display_name in html  # the top merchants


@pytest.mark.parametrize("role", ["buyer", "merchant"])
def test_the_live_dashboard_is_403_for_others(world, role) -> None:
    assert (
        signed_in(f.user(role=role)).get("/operator/festivals/double-11/live/").status_code == 403
    )


def test_the_live_dashboard_sends_the_signed_out_to_sign_in(world) -> None:
    page = Client().get("/operator/festivals/double-11/live/")
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_the_live_dashboard_of_an_unknown_festival_is_404(world) -> None:
    assert signed_in(f.user(role="operator")).get("/operator/festivals/x/live/").status_code == 404


def test_the_polled_json_answers_the_session_of_an_operator(world) -> None:
    client = signed_in(f.user(role="operator"))
    data = client.get("/api/v1/festivals/double-11/live").json()
    assert data["totals"]["gmv"]["amount_minor"] == 123_456
    assert data["totals"]["orders"] == 3 and data["totals"]["units"] == 4
    assert data["countries"][0]["country"] == "IT"
    assert {"minute", "gmv_usd_minor", "orders"} <= set(data["last_minutes"][0])
    assert "growth" in data["growth"] and "baseline_gmv" in data["growth"]
    buyer = signed_in(f.user())
    assert buyer.get("/api/v1/festivals/double-11/live").status_code == 403


def test_chart_points_put_each_minute_on_the_line() -> None:
    now = timezone.now().replace(second=30)
    end = now.replace(second=0, microsecond=0)
    points, top = chart_points(
        [MinutePoint(end - timedelta(minutes=1), 500, 1), MinutePoint(end, 1000, 2)], now=now
    )
    coords = points.split()
    assert len(coords) == 61 and top == 1000
    assert coords[-1].endswith(",8.0")  # the top of the chart
    assert coords[0].endswith(",152.0")  # nothing sold: the baseline


def test_countdown_splits_days_and_clock() -> None:
    now = timezone.now()
    assert countdown(now + timedelta(days=2, seconds=3725), now=now) == Countdown(
        2 * 86400 + 3725, 2, "01:02:05"
    )
    assert countdown(now - HOUR, now=now).seconds == 0


# --- the merchant console -------------------------------------------------------------------


def test_the_console_shows_the_merchants_festival_sales(world) -> None:
    staff = f.staff(merchant_obj=world["maker"])
    page = signed_in(staff).get("/console/festivals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Double 11" in html and "1,234.56" in html
    assert "Silk scarf" in html and "SKU-" in html


def test_the_console_shows_nothing_of_another_merchant(world) -> None:
    other = f.staff(merchant_obj=f.merchant())
    html = signed_in(other).get("/console/festivals/").content.decode()
    assert "Double 11" not in html and "1,234.56" not in html


@pytest.mark.parametrize("role", ["buyer", "operator"])
def test_the_console_festivals_is_403_for_others(world, role) -> None:
    assert signed_in(f.user(role=role)).get("/console/festivals/").status_code == 403


def test_the_home_page_links_to_running_festivals_and_operators_to_the_dashboard(world) -> None:
    now = timezone.now()
    make_festival(
        world["market"],
        slug="past",
        starts_at=now - 9 * HOUR,
        ends_at=now - 8 * HOUR,
        warmup_starts_at=now - 10 * HOUR,
    )
    make_festival(world["market"], slug="hidden", published=False)
    html = Client().get("/").content.decode()
    assert "/festivals/double-11/" in html
    assert "/festivals/past/" not in html and "/festivals/hidden/" not in html
    assert "/live/" not in html
    ops = signed_in(f.user(role="operator")).get("/").content.decode()
    assert "/operator/festivals/double-11/live/" in ops


# --- time zones and paging (decision 0011) -------------------------------------------------


def _in_shanghai(moment: Any) -> str:
    """The clock time of ``moment`` in the festival's zone, as fdatetime shows it ("3:05 PM")."""
    import zoneinfo

    local = moment.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    return f"{local.hour % 12 or 12}:{local.minute:02d}\u202f{'AM' if local.hour < 12 else 'PM'}"


def test_every_festival_page_shows_times_in_the_festivals_zone_and_names_it(world) -> None:
    fest = world["fest"]
    shown = _in_shanghai(fest.starts_at)
    live = signed_in(f.user(role="operator")).get("/operator/festivals/double-11/live/")
    html = live.content.decode()
    assert "times in Asia/Shanghai" in html and 'data-time-zone="Asia/Shanghai"' in html
    assert shown in html
    console = signed_in(f.staff(merchant_obj=world["maker"])).get("/console/festivals/")
    html = console.content.decode()
    assert "times in Asia/Shanghai" in html and shown in html
    public = Client().get("/festivals/double-11/").content.decode()
    assert "Asia/Shanghai" in public and shown in public
    italian = signed_in(f.user(role="operator")).get(
        "/operator/festivals/double-11/live/", HTTP_ACCEPT_LANGUAGE="it"
    )
    assert "orari in Asia/Shanghai" in italian.content.decode()


def test_the_festival_page_pages_its_flash_sales(world) -> None:
    from fiera.festivals import views

    for n in range(views.FLASH_SALES_PER_PAGE + 1):
        make_flash_sale(world["fest"], f.sku(market=world["market"], name=f"Item {n:02d}"))
    first = Client().get("/festivals/double-11/")
    assert len(first.context["sales"]) == views.FLASH_SALES_PER_PAGE
    assert 'href="?page=2"' in first.content.decode()
    second = Client().get("/festivals/double-11/?page=2")
    assert len(second.context["sales"]) == 2  # 26 in all: the world's one and 25 more
    assert Client().get("/festivals/double-11/?page=x").status_code == 200  # page 1


def test_the_console_pages_its_festivals(world) -> None:
    from fiera.festivals import views

    now = timezone.now()
    for n in range(views.CONSOLE_FESTIVALS_PER_PAGE):
        fest = make_festival(
            world["market"],
            slug=f"older-{n}",
            warmup_starts_at=now - (n + 10) * HOUR,
            starts_at=now - (n + 9) * HOUR,
            ends_at=now - (n + 8) * HOUR,
        )
        make_flash_sale(
            fest, world["item"], starts_at=now - (n + 9) * HOUR, ends_at=now - (n + 8) * HOUR
        )
    staff = signed_in(f.staff(merchant_obj=world["maker"]))
    first = staff.get("/console/festivals/")
    assert first.context["festivals"][0].slug == "double-11"
    assert len(first.context["festivals"]) == views.CONSOLE_FESTIVALS_PER_PAGE
    second = staff.get("/console/festivals/?page=2")
    assert [b.slug for b in second.context["festivals"]] == [
        f"older-{views.CONSOLE_FESTIVALS_PER_PAGE - 1}"
    ]


def test_each_flash_sale_links_to_a_marketplace_that_sells_it(world) -> None:
    # A second marketplace of the festival, where only another merchant has a store: its
    # flash sale links there, not to the festival's first marketplace (a 404 there).
    other_market = f.marketplace()
    world["fest"].marketplaces.add(other_market)
    elsewhere = f.sku(market=other_market, merchant_obj=f.merchant(), name="Tea set")
    make_flash_sale(world["fest"], elsewhere)
    html = Client().get("/festivals/double-11/").content.decode()
    assert f"/m/{world['market'].slug}/p/{world['item'].product.pk}/" in html
    assert f"/m/{other_market.slug}/p/{elsewhere.product.pk}/" in html
    assert f"/m/{world['market'].slug}/p/{elsewhere.product.pk}/" not in html
    page = Client().get(f"/m/{other_market.slug}/p/{elsewhere.product.pk}/")
    assert page.status_code == 200
