"""The analytics pages over real orders (rebuilt into the rollups as the demo does): an
operator sees every merchant, a merchant's staff only its own store's figures, partner staff
their partner's merchants, the pavilion owner its pavilion; the CSV and SVG downloads carry
the page's numbers; filters change them; other roles get the 403 page."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.analytics.services import analytics_rebuild
from fiera.merchants.models import StaffMembership
from fiera.orders.models import Checkout, Order
from fiera.partners.models import Lead
from fiera.trade import services as trade_services
from tests.catalog import factories as f
from tests.merchants.factories import make_user
from tests.partners.factories import make_partner, make_partner_user
from tests.payments.factories import make_rates

pytestmark = pytest.mark.django_db
_seq = count(1)


def _order(
    merchant: Any, market: Any, *, usd_minor: int, placed_at: datetime, country: str
) -> Order:
    buyer = f.user("buyer")
    checkout = Checkout.objects.create(
        buyer=buyer,
        marketplace=market,
        country=country,
        currency="USD",
        subtotal_minor=usd_minor,
        total_minor=usd_minor,
        payment_method="wallet",
        order_count=1,
        placed_at=placed_at,
    )
    return Order.objects.create(
        checkout=checkout,
        number=f"A-{next(_seq)}",
        buyer=buyer,
        merchant=merchant,
        marketplace=market,
        status="paid",
        currency="USD",
        subtotal_minor=usd_minor,
        total_minor=usd_minor,
        payment_method="wallet",
        ship_name="A",
        ship_line1="B",
        ship_city="C",
        ship_postal_code="D",
        ship_country=country,
        placed_at=placed_at,
        paid_at=placed_at,
    )


@dataclass
class Shop:
    market: Any
    milano: Any  # Lombardia, the partner's, in the pavilion: 3 orders, USD 600.00
    napoli: Any  # Campania: 1 order, USD 1,000.00 (to Germany)
    owner: Any  # staff of milano
    partner_user: Any
    pavilion_slug: str
    other_partner_user: Any


@pytest.fixture
def shop() -> Shop:
    today = timezone.now()
    make_rates(on=(today - timedelta(days=400)).date(), USD="1.05")
    market = f.marketplace(
        default_currency="USD",
        countries={"US": "USD", "DE": "USD"},
        name="Fiera USA",
        kind="b2b_trade",
    )
    milano = f.merchant(display_name="Sartoria Milano", region_code="IT-25")
    napoli = f.merchant(display_name="Pasta Napoli", region_code="IT-72", town="Napoli")
    for merchant in (milano, napoli):
        f.store(merchant, market)
    for days, usd in ((1, 100_00), (2, 200_00), (3, 300_00)):
        _order(milano, market, usd_minor=usd, placed_at=today - timedelta(days=days), country="US")
    _order(napoli, market, usd_minor=1000_00, placed_at=today - timedelta(days=5), country="DE")
    _order(napoli, market, usd_minor=5000_00, placed_at=today - timedelta(days=200), country="DE")
    analytics_rebuild(since=None, actor_role=SYSTEM)
    owner = make_user("merchant")
    StaffMembership.objects.create(user_id=owner.pk, merchant_id=milano.pk, role="owner")
    partner = make_partner(name="Rete Nord")
    Lead.objects.create(
        partner_id=partner.id,
        firm_name="Sartoria Milano",
        stage="store_live",
        merchant_id=milano.pk,
        region_code="IT-25",
        vat_number="IT12345678903",
        created_at=today,
        stage_changed_at=today,
    )
    pavilion = trade_services.pavilion_create(
        actor_id=None,
        actor_role=SYSTEM,
        slug="made-in-lombardia",
        name_it="Padiglione",
        name_en="Lombardy pavilion",
        name_zh="馆",
        intro_en="",
        marketplace_slug=market.slug,
        partner_id=partner.id,
        country_code="IT",
        quota=5,
        sponsorship_months=12,
        category_slugs=[],
        now=today,
    )
    return Shop(
        market=market,
        milano=milano,
        napoli=napoli,
        owner=owner,
        partner_user=make_partner_user(partner),
        pavilion_slug=pavilion.slug,
        other_partner_user=make_partner_user(make_partner()),
    )


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _kpi(html: str, measure: str) -> str:
    start = html.index(f'class="kpi kpi-{measure}"')
    chunk = html[start : html.index("</li>", start)]
    value = chunk.index('class="kpi-value">') + len('class="kpi-value">')
    return chunk[value : chunk.index("<", value)]


def _csv(client: Client, path: str) -> list[list[str]]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_operator_sees_every_merchant_and_the_downloads_agree(shop: Shop) -> None:
    client = _client(make_user("operator"))
    html = client.get("/analytics/?period=last30").content.decode()
    assert _kpi(html, "gmv") == "$1,600.00"
    assert _kpi(html, "orders") == "4"
    assert _kpi(html, "active_merchants") == "2"
    series = _csv(client, "/analytics/chart/gmv.csv?period=last30")
    assert sum(Decimal(v) for _d, v in series[1:]) == Decimal("1600.00")
    assert len(series) == 31
    countries = _csv(client, "/analytics/chart/buyer-countries.csv?period=last30")
    assert countries[1][1:4] == ["DE", "Germany", "1000.00"]
    assert countries[2][1:4] == ["US", "United States", "600.00"]
    regions = {r[0]: r for r in _csv(client, "/analytics/chart/regions.csv?period=last30")[1:]}
    assert len(regions) == 20
    assert regions["IT-25"][4] == "600.00" and regions["IT-72"][4] == "1000.00"
    svg = client.get("/analytics/chart/regions.svg?period=last30").content.decode()
    assert "$1,000.00" in svg and "$600.00" in svg  # the tiles' titles
    marketplaces = _csv(client, "/analytics/chart/marketplaces.csv?period=last30")
    assert marketplaces[1][2:4] == ["Fiera USA", "1600.00"]
    year = client.get("/analytics/?period=this_year").content.decode()
    assert "$6,600.00" in year or timezone.now().month < 7  # the older order, this year


def test_filters_change_the_figures(shop: Shop) -> None:
    client = _client(make_user("operator"))
    html = client.get("/analytics/?period=last30&buyer_country=US").content.decode()
    assert _kpi(html, "gmv") == "$600.00" and _kpi(html, "orders") == "3"
    html = client.get("/analytics/?period=last7&buyer_country=DE").content.decode()
    assert _kpi(html, "gmv") == "$1,000.00"
    today = timezone.now().date()
    custom = f"period=custom&from={(today - timedelta(days=2)).isoformat()}&to={today.isoformat()}"
    html = client.get(f"/analytics/?{custom}").content.decode()
    assert _kpi(html, "gmv") == "$300.00"  # the orders of yesterday and the day before
    rows = _csv(client, f"/analytics/chart/gmv.csv?{custom}")
    assert [r[1] for r in rows[1:]] == ["200.00", "100.00", "0.00"]
    html = client.get(f"/analytics/?period=last30&marketplace={shop.market.pk}").content.decode()
    assert _kpi(html, "gmv") == "$1,600.00"


def test_a_merchant_sees_only_its_own_store(shop: Shop) -> None:
    client = _client(shop.owner)
    html = client.get("/analytics/").content.decode()
    assert "Store: Sartoria Milano" in html
    assert _kpi(html, "gmv") == "$600.00" and _kpi(html, "orders") == "3"
    assert "1,000.00" not in html
    countries = _csv(client, "/analytics/chart/buyer-countries.csv")
    assert [r[1] for r in countries[1:]] == ["US"]
    regions = {r[0]: r[4] for r in _csv(client, "/analytics/chart/regions.csv")[1:]}
    assert regions["IT-72"] == "0.00"
    assert client.get(f"/analytics/?merchant={shop.napoli.pk}").status_code == 403
    assert client.get(f"/analytics/pavilion/{shop.pavilion_slug}/").status_code == 403


def test_the_partner_sees_its_merchants_and_its_pavilion(shop: Shop) -> None:
    client = _client(shop.partner_user)
    html = client.get("/analytics/").content.decode()
    assert "Merchants brought by Rete Nord" in html
    assert _kpi(html, "gmv") == "$600.00"
    assert f"/analytics/pavilion/{shop.pavilion_slug}/" in html  # its pavilion, linked
    page = client.get(f"/analytics/pavilion/{shop.pavilion_slug}/")
    assert page.status_code == 200
    assert "Pavilion: " in page.content.decode()
    assert f"/analytics/pavilion/{shop.pavilion_slug}/chart/gmv.csv" in page.content.decode()
    assert _csv(client, f"/analytics/pavilion/{shop.pavilion_slug}/chart/gmv.csv")[0] == [
        "date",
        "gmv_usd",
    ]
    other = _client(shop.other_partner_user)
    assert other.get(f"/analytics/pavilion/{shop.pavilion_slug}/").status_code == 403
    assert other.get(f"/analytics/pavilion/{shop.pavilion_slug}/chart/gmv.csv").status_code == 403
    assert _kpi(other.get("/analytics/").content.decode(), "gmv") == "$0.00"


def test_buyers_get_the_403_page_and_strangers_sign_in(shop: Shop) -> None:
    buyer = _client(f.user("buyer"))
    response = buyer.get("/analytics/")
    assert response.status_code == 403
    assert "Analytics are for operators" in response.content.decode()
    assert buyer.get("/analytics/chart/gmv.svg").status_code == 403
    assert Client().get("/analytics/").status_code == 302


def test_a_period_over_three_years_is_a_400_that_says_so(shop: Shop) -> None:
    client = _client(make_user("operator"))
    response = client.get("/analytics/?period=custom&from=2020-01-01&to=2026-01-01")
    assert response.status_code in {400, 422}
    assert "at most 3 years" in response.content.decode()


def test_the_dashboard_reads_the_rollups_never_the_orders(shop: Shop) -> None:
    """A page view asks a bounded number of queries, none of them over the orders tables
    (the figures come from the rollups the order events keep)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(make_user("operator"))
    client.get("/analytics/")  # warm the caches (sessions, reference data)
    for url in (
        "/analytics/",
        "/analytics/?period=this_year",
        f"/analytics/?period=last90&buyer_country=US&marketplace={shop.market.pk}",
        "/analytics/chart/regions.svg?period=last7",
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sql = [q["sql"] for q in queries.captured_queries]
        assert len(sql) <= 50, (url, len(sql))
        assert not [s for s in sql if '"orders_order"' in s or '"orders_checkout"' in s], url
