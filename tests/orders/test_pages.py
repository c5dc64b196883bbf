"""The orders pages render for the people they are for, and their forms work."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fiera.accounts.roles import SYSTEM
from fiera.orders import services
from fiera.orders.models import CartLine, Checkout, Order
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    market = f.marketplace(slug="piazza")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=1250, stock=50, name="Sciarpa")
    buyer = f.user()
    return {"market": market, "maker": maker, "item": item, "buyer": buyer, "client": client}


def placed_order(world, quantity: int = 1) -> str:
    result = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug=world["market"].slug,
        country="IT",
        lines=[(world["item"].id, quantity)],
        shipping_address=f.address(),
        payment_method="cod",
        now=f.NOW,
        actor_role=SYSTEM,
    )
    return result.orders[0].number


def test_anonymous_add_to_cart_keeps_it_in_the_session(world):
    client = world["client"]
    product_page = f"/m/piazza/p/{world['item'].product.pk}/"
    response = client.post(
        reverse("orders:cart_add", args=["piazza"]),
        {"variant_id": world["item"].id, "quantity": 1},
        HTTP_REFERER=f"http://testserver{product_page}",
    )
    assert response.status_code == 302
    assert response.url == reverse("orders:cart", args=["piazza"])
    assert not CartLine.objects.exists()
    assert "Sciarpa" in client.get(response.url).content.decode()


def test_add_to_cart_then_cart_page_update_and_remove(world):
    client = world["client"]
    client.force_login(world["buyer"])
    item = world["item"]
    response = client.post(
        reverse("orders:cart_add", args=["piazza"]), {"variant_id": item.id, "quantity": 2}
    )
    assert response.status_code == 302
    assert response.url == reverse("orders:cart", args=["piazza"])
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sciarpa" in html
    assert "€25.00" in html
    assert reverse("orders:checkout", args=["piazza"]) in html

    client.post(
        reverse("orders:cart", args=["piazza"]), {f"qty-{item.id}": "3", "action": "update"}
    )
    assert CartLine.objects.get().quantity == 3
    response = client.post(reverse("orders:cart", args=["piazza"]), {f"qty-{item.id}": "60"})
    assert CartLine.objects.get().quantity == 60  # the cart keeps it; the page flags the stock
    assert (
        "only 50 in stock" in client.get(reverse("orders:cart", args=["piazza"])).content.decode()
    )
    client.post(reverse("orders:cart", args=["piazza"]), {"remove": str(item.id)})
    assert not CartLine.objects.exists()
    assert (
        "Your cart is empty" in client.get(reverse("orders:cart", args=["piazza"])).content.decode()
    )


def test_add_to_cart_error_is_shown(world):
    client = world["client"]
    client.force_login(world["buyer"])
    moq = f.sku(market=world["market"], moq=10)
    response = client.post(
        reverse("orders:cart_add", args=["piazza"]),
        {"variant_id": moq.id, "quantity": 1},
        follow=True,
    )
    assert "sold from 10 units" in response.content.decode()
    assert not CartLine.objects.exists()


def test_checkout_page_places_the_order_once(world):
    client = world["client"]
    client.force_login(world["buyer"])
    services.cart_line_set(
        buyer_id=world["buyer"].pk,
        marketplace_slug="piazza",
        variant_id=world["item"].id,
        quantity=2,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    url = reverse("orders:checkout", args=["piazza"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cash on delivery" in html
    assert "€25.00" in html
    key = page.context["form"].initial["idempotency_key"]
    form = {**f.address(), "payment_method": "cod", "idempotency_key": key, "action": "place"}
    response = client.post(url, form)
    assert response.status_code == 302
    checkout = Checkout.objects.get()
    assert response.url == reverse("orders:checkout_done", args=[checkout.pk])
    # a double submit of the same form places nothing more
    assert client.post(url, form).status_code == 302
    assert Checkout.objects.count() == 1
    done = client.get(response.url)
    assert done.status_code == 200
    assert Order.objects.get().number in done.content.decode()


def test_checkout_page_shows_errors_on_the_form(world):
    client = world["client"]
    client.force_login(world["buyer"])
    services.cart_line_set(
        buyer_id=world["buyer"].pk,
        marketplace_slug="piazza",
        variant_id=world["item"].id,
        quantity=2,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    url = reverse("orders:checkout", args=["piazza"])
    response = client.post(
        url, {"action": "place", "payment_method": "cod", "idempotency_key": "x"}
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    world["item"].variant.stock_levels.update(units_on_hand=1)
    form = {**f.address(), "payment_method": "cod", "idempotency_key": "y", "action": "place"}
    response = client.post(url, form)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-rule="out_of_stock"' in html  # the rule, in words, and what to do
    assert "There is not enough stock of" in html and "Lower the quantity" in html
    assert "Sciarpa" in html  # the order summary stays
    assert not Checkout.objects.exists()


def test_cross_border_checkout_page_shows_the_tax(client):
    market = f.cross_border_market(slug="tmall-it")
    services.cross_border_rates_load(marketplace_id=market.pk, now=f.NOW)
    cream = f.sku(market=market, price_minor=10000, hs_code="330499")
    buyer = f.user()
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        variant_id=cream.id,
        quantity=1,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    client.force_login(buyer)
    html = client.get(reverse("orders:checkout", args=[market.slug])).content.decode()
    assert "Cross-border tax" in html
    assert "23.06" in html  # 2306 fen, see test_cross_border
    assert "26,000.00" in html or "26000" in html.replace(",", "")


def test_my_orders_and_order_detail_with_cancel(world):
    client = world["client"]
    number = placed_order(world)
    client.force_login(world["buyer"])
    listing = client.get(reverse("orders:my_orders"))
    assert listing.status_code == 200
    assert number in listing.content.decode()
    assert 'class="badge placed"' in listing.content.decode()
    detail = client.get(reverse("orders:order_detail", args=[number]))
    assert detail.status_code == 200
    assert reverse("orders:order_cancel", args=[number]) in detail.content.decode()
    client.post(reverse("orders:order_detail", args=[number]), {"action": "cancel"})
    assert Order.objects.get(number=number).status == "cancelled"
    assert (
        reverse("orders:order_cancel", args=[number])
        not in client.get(reverse("orders:order_detail", args=[number])).content.decode()
    )


def test_my_orders_is_paged(world):
    for _ in range(21):
        placed_order(world)
    world["client"].force_login(world["buyer"])
    first = world["client"].get(reverse("orders:my_orders"))
    assert len(first.context["page"].object_list) == 20
    assert "Page 1 of 2" in first.content.decode()
    second = world["client"].get(reverse("orders:my_orders"), {"page": 2})
    assert len(second.context["page"].object_list) == 1


def test_another_buyers_order_page_is_404(world):
    number = placed_order(world)
    world["client"].force_login(f.user())
    assert world["client"].get(reverse("orders:order_detail", args=[number])).status_code == 404


def test_order_pages_need_sign_in(world):
    number = placed_order(world)
    for url in (
        reverse("orders:my_orders"),
        reverse("orders:order_detail", args=[number]),
        reverse("orders:order_cancel", args=[number]),
        reverse("orders:addresses"),
        reverse("orders:address_edit", args=[1]),
        reverse("orders:console_orders"),
    ):
        response = world["client"].get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))


def test_console_orders_ship_deliver_refund(world):
    client = world["client"]
    number = placed_order(world, quantity=2)
    placed_order(world)
    staff = f.staff(merchant_obj=world["maker"])
    client.force_login(staff)
    listing = client.get(reverse("orders:console_orders"))
    assert listing.status_code == 200
    assert number in listing.content.decode()
    assert 'aria-current="page"' in listing.content.decode()
    filtered = client.get(reverse("orders:console_orders"), {"status": "shipped"})
    assert number not in filtered.content.decode()

    url = reverse("orders:console_order", args=[number])
    page = client.get(url)
    assert page.status_code == 200
    assert "Tracking number" in page.content.decode()
    bad = client.post(url, {"action": "ship", "ship-carrier": "BRT", "ship-tracking_number": ""})
    assert bad.status_code == 400
    response = client.post(
        url, {"action": "ship", "ship-carrier": "BRT", "ship-tracking_number": "BR-1"}
    )
    assert response.status_code == 302
    assert "BR-1" in client.get(url).content.decode()
    client.post(url, {"action": "deliver"})
    assert Order.objects.get(number=number).status == "delivered"
    over = client.post(url, {"action": "refund", "refund-amount": "25.01", "refund-reason": "x"})
    assert over.status_code == 400
    assert "more than what is left of the order total" in over.content.decode()
    client.post(url, {"action": "refund", "refund-amount": "5.00", "refund-reason": "scratch"})
    assert Order.objects.get(number=number).refunded_minor == 500


def test_console_is_for_merchant_staff_and_hides_other_merchants(world):
    number = placed_order(world)
    world["client"].force_login(world["buyer"])
    assert world["client"].get(reverse("orders:console_orders")).status_code == 403
    world["client"].force_login(f.staff(merchant_obj=f.merchant()))
    assert world["client"].get(reverse("orders:console_order", args=[number])).status_code == 404
    listing = world["client"].get(reverse("orders:console_orders"))
    assert number not in listing.content.decode()
