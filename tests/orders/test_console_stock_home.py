"""The merchant console's stock history (sales merged with recorded movements) and the
console home's figures: what they show, how they page, and who may see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fiera.accounts.roles import BUYER, MERCHANT, SYSTEM
from fiera.catalog import services as catalog_services
from fiera.common.money import Money
from fiera.orders import selectors, services
from fiera.orders.models import Order
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    market = f.marketplace(slug="piazza")
    maker = f.merchant()
    owner = f.staff(merchant_obj=maker)
    item = f.sku(market=market, merchant_obj=maker, price_minor=1250, stock=50, name="Sciarpa")
    item.warehouse.name = "Magazzino Torino"
    item.warehouse.save()
    other = f.merchant()
    stranger = f.staff(merchant_obj=other)
    theirs = f.sku(market=market, merchant_obj=other, price_minor=900, stock=8, name="Guanti")
    buyer = f.user()
    return {
        "market": market,
        "maker": maker,
        "owner": owner,
        "item": item,
        "other": other,
        "stranger": stranger,
        "theirs": theirs,
        "buyer": buyer,
    }


def place(world, item, quantity: int = 1, *, now=None, method: str = "cod") -> Order:
    result = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug=world["market"].slug,
        country="IT",
        lines=[(item.id, quantity)],
        shipping_address=f.address(),
        payment_method=method,
        now=now or f.NOW,
        actor_role=SYSTEM,
    )
    return Order.objects.get(number=result.orders[0].number, merchant=item.merchant)


def history(world, **kwargs):
    return selectors.stock_history(
        user_id=world["owner"].pk,
        actor_role=MERCHANT,
        merchant_id=world["maker"].pk,
        **kwargs,
    )


# the stock history --------------------------------------------------------------------


def test_units_back_from_an_unpaid_order_name_it_and_say_why(world):
    unpaid = place(world, world["item"], 2, method="wallet_later")
    assert services.orders_expire_unpaid(now=f.NOW + timedelta(days=1)) == 1
    (release,) = [c for c in history(world).items if c.kind == "release"]
    assert (release.order_number, release.reason, release.delta) == (
        unpaid.number,
        "Not paid in time",
        2,
    )


def test_sales_adjustments_and_releases_all_appear_newest_first(world):
    item = world["item"]
    sold = place(world, item, 3)
    place(world, world["theirs"], 2)  # another merchant's sale never shows
    catalog_services.stock_adjust(
        actor_user_id=world["owner"].pk,
        actor_role=MERCHANT,
        variant_id=item.id,
        warehouse_id=item.warehouse.pk,
        delta=-1,
        reason="broken",
    )
    services.order_cancel(
        actor_id=world["owner"].pk, actor_role=MERCHANT, number=sold.number, now=f.NOW
    )
    page = history(world)
    kinds = [(c.kind, c.delta) for c in page.items]
    # movements are recorded at the wall clock, the sale at its checkout time (f.NOW)
    assert sorted(kinds) == sorted([("sale", -3), ("adjust", -1), ("release", 3)])
    assert kinds[-1] == ("sale", -3)
    sale = page.items[-1]
    assert sale.order_number == sold.number and sale.units_after is None
    assert sale.warehouse_name == "Magazzino Torino" and sale.sku == item.variant.sku
    moments = [c.created_at for c in page.items]
    assert moments == sorted(moments, reverse=True)
    assert page.next_cursor == ""
    (release,) = [c for c in page.items if c.kind == "release"]
    assert release.order_number == sold.number and release.reason == "Cancelled"
    assert [c.kind for c in history(world, kind="sale").items] == ["sale"]
    assert {c.kind for c in history(world, kind="adjust").items} == {"adjust"}
    assert history(world, warehouse_id=world["theirs"].warehouse.pk).items == []


def test_the_history_pages_by_cursor_without_gaps_or_repeats(world):
    item = world["item"]
    for minutes in range(7):
        place(world, item, 1, now=f.NOW + timedelta(minutes=minutes))
    for n in range(4):
        catalog_services.stock_adjust(
            actor_user_id=world["owner"].pk,
            actor_role=MERCHANT,
            variant_id=item.id,
            warehouse_id=item.warehouse.pk,
            delta=1,
            reason=f"found {n}",
        )
    seen = []
    before = None
    for _ in range(10):
        page = history(world, before=before, limit=3)
        seen.extend((c.kind, c.id) for c in page.items)
        if not page.next_cursor:
            break
        before = selectors.parse_history_cursor(page.next_cursor)
        assert before is not None
    assert len(seen) == 11 and len(set(seen)) == 11
    assert [k for k, _ in seen] == ["adjust"] * 4 + ["sale"] * 7


def test_a_sale_and_a_movement_at_the_same_moment_both_show_once(world):
    item = world["item"]
    order = place(world, item, 2)
    catalog_services.stock_adjust(
        actor_user_id=world["owner"].pk,
        actor_role=MERCHANT,
        variant_id=item.id,
        warehouse_id=item.warehouse.pk,
        delta=5,
        reason="delivery",
    )
    from fiera.catalog.models import StockMovement

    StockMovement.objects.update(created_at=order.placed_at)
    first = history(world, limit=1)
    assert [c.kind for c in first.items] == ["adjust"]
    second = history(world, limit=1, before=selectors.parse_history_cursor(first.next_cursor))
    assert [c.kind for c in second.items] == ["sale"] and second.next_cursor == ""


@pytest.mark.parametrize("raw", ["", "x", "2026-01-01~1", "2026-01-01T00:00:00~1~2", "a~0~1"])
def test_a_malformed_cursor_is_the_first_page(raw):
    assert selectors.parse_history_cursor(raw) is None


def test_only_the_companys_staff_sees_its_history(world):
    with pytest.raises(selectors.NotStaff):
        selectors.stock_history(
            user_id=world["stranger"].pk, actor_role=MERCHANT, merchant_id=world["maker"].pk
        )
    with pytest.raises(selectors.NotStaff):
        selectors.stock_history(
            user_id=world["buyer"].pk, actor_role=BUYER, merchant_id=world["maker"].pk
        )


def test_movements_page_lists_sales_with_a_link_to_the_order(client, world):
    sold = place(world, world["item"], 2)
    client.force_login(world["owner"])
    url = reverse("orders:console_stock_movements")
    html = client.get(url).content.decode()
    assert reverse("orders:console_order", args=[sold.number]) in html
    assert "Magazzino Torino" in html and world["item"].variant.sku in html
    assert world["theirs"].variant.sku not in html
    assert client.get(url, {"kind": "release"}).status_code == 200
    assert sold.number not in client.get(url, {"kind": "release"}).content.decode()
    assert client.get(url, {"kind": "nonsense", "warehouse": "x", "before": "y"}).status_code == 200


def test_movements_page_refuses_others(client, world):
    url = reverse("orders:console_stock_movements")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(world["buyer"])
    assert client.get(url).status_code == 403
    client.force_login(world["stranger"])
    assert client.get(url, {"merchant": world["maker"].pk}).status_code == 404
    assert client.get(url, {"merchant": "abc"}).status_code == 404


# the console home's figures -------------------------------------------------------------


def _paid(order: Order, when) -> None:
    Order.objects.filter(pk=order.pk).update(status="paid", paid_at=when)


def test_figures_count_paid_orders_of_today_and_the_month(world):
    now = timezone.now()
    item = world["item"]
    today = place(world, item, 2)  # 25.00
    _paid(today, now)
    earlier = place(world, item, 1)  # 12.50, paid earlier this month (or today on the 1st)
    start_of_month = timezone.localtime(now).replace(day=1, hour=0, minute=1)
    _paid(earlier, max(start_of_month, now - timedelta(days=40)))
    refunded = place(world, item, 4)  # 50.00, 20.00 of it refunded
    _paid(refunded, now)
    Order.objects.filter(pk=refunded.pk).update(status="shipped", refunded_minor=2000)
    cancelled = place(world, item, 3)
    _paid(cancelled, now)
    Order.objects.filter(pk=cancelled.pk).update(status="cancelled")
    place(world, item, 1)  # placed, not paid: not a sale
    place(world, world["theirs"], 1)  # another merchant
    figures = selectors.console_figures(
        user_id=world["owner"].pk, actor_role=MERCHANT, merchant_id=world["maker"].pk, now=now
    )
    assert figures.sales_today == [Money(2500 + 3000, "EUR")] or figures.sales_today == [
        Money(2500 + 3000 + 1250, "EUR")  # on the 1st of the month at 00:01 or later
    ]
    assert figures.sales_month == [Money(2500 + 1250 + 3000, "EUR")]
    assert figures.orders_month == 3
    assert figures.to_ship == 2  # today's and the earlier one are paid, not shipped
    assert figures.low_stock == 0
    assert [o.pk for o in figures.recent][:1] == [
        Order.objects.filter(merchant=world["maker"]).order_by("-placed_at", "-id")[0].pk
    ]


def test_low_stock_counts_variants_at_or_below_the_threshold(world):
    catalog_services.stock_set(
        actor_user_id=world["owner"].pk,
        actor_role=MERCHANT,
        variant_id=world["item"].id,
        warehouse_id=world["item"].warehouse.pk,
        units_on_hand=5,
        reason="",
    )
    figures = selectors.console_figures(
        user_id=world["owner"].pk,
        actor_role=MERCHANT,
        merchant_id=world["maker"].pk,
        now=timezone.now(),
    )
    assert figures.low_stock == 1 and figures.low_stock_threshold == 5


def test_figures_are_for_the_companys_staff_only(world):
    for user, role in ((world["stranger"], MERCHANT), (world["buyer"], BUYER)):
        with pytest.raises(selectors.NotStaff):
            selectors.console_figures(
                user_id=user.pk, actor_role=role, merchant_id=world["maker"].pk, now=f.NOW
            )


def test_console_home_shows_the_figures_in_a_few_queries(client, world):
    now = timezone.now()
    for _ in range(6):
        _paid(place(world, world["item"], 1), now)
    client.force_login(world["owner"])
    url = reverse("merchants:console_home")
    client.get(url)  # warm caches (session, translations)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sales today" in html and "Orders to ship" in html and "Low stock" in html
    assert "75.00" in html  # 6 x 12.50 EUR
    assert (
        f"{reverse('orders:console_orders')}?status=paid&amp;merchant={world['maker'].pk}" in html
    )
    assert f"{reverse('catalog:console_stock')}?merchant={world['maker'].pk}&amp;low=1" in html
    figure_queries = [q["sql"] for q in queries.captured_queries if "orders_order" in q["sql"]]
    assert len(figure_queries) == 3  # sales, to ship, latest orders
    assert len(queries.captured_queries) <= 25, [q["sql"] for q in queries.captured_queries]


def test_console_home_in_italian_and_chinese(client, world):
    client.force_login(world["owner"])
    html_it = client.get(reverse("merchants:console_home"), HTTP_ACCEPT_LANGUAGE="it").content
    html_zh = client.get(reverse("merchants:console_home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert "Vendite di oggi" in html_it.decode()
    assert "今日销售额" in html_zh.decode()


# the orders list keeps its filters ------------------------------------------------------


def test_order_page_keeps_the_lists_filters_after_a_post(client, world):
    order = place(world, world["item"], 1)
    _paid(order, f.NOW)
    client.force_login(world["owner"])
    listing = client.get(reverse("orders:console_orders"), {"status": "paid", "page": "1"})
    detail_url = reverse("orders:console_order", args=[order.number])
    assert f"{detail_url}?status=paid" in listing.content.decode()
    response = client.post(
        f"{detail_url}?status=paid&page=2&merchant={world['maker'].pk}&evil=https://x.example",
        {"action": "ship", "ship-carrier": "BRT", "ship-tracking_number": "BRT123"},
    )
    assert response.status_code == 302
    assert response.url == f"{detail_url}?status=paid&merchant={world['maker'].pk}&page=2"
    page = client.get(response.url).content.decode()
    merchant = world["maker"].pk
    back = f"{reverse('orders:console_orders')}?status=paid&amp;merchant={merchant}&amp;page=2"
    assert back in page and "x.example" not in page
    response = client.post(f"{detail_url}?status=bogus&page=zz", {"action": "deliver"})
    assert response.url == detail_url
