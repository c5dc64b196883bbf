"""A signed-out visitor's cart: kept in the session, priced like a buyer's, asked to sign
in at checkout, and merged into the buyer's cart when they sign in (quantities add up);
the count on the storefront's Cart link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fiera.accounts.roles import BUYER, SYSTEM
from fiera.orders import selectors, services
from fiera.orders.models import CartLine
from tests.orders import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture
def world(client):
    market = f.marketplace(slug="piazza")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=1250, stock=50, name="Sciarpa")
    bulk = f.sku(market=market, merchant_obj=maker, price_minor=300, stock=500, moq=6, name="Tè")
    buyer = f.user()
    buyer.set_password(PASSWORD)
    buyer.save()
    return {"market": market, "item": item, "bulk": bulk, "buyer": buyer, "client": client}


def add(client, variant_id: int, quantity: int):
    return client.post(
        reverse("orders:cart_add", args=["piazza"]),
        {"variant_id": variant_id, "quantity": quantity},
    )


def test_guest_cart_add_update_remove_lives_in_the_session(world):
    client, item, bulk = world["client"], world["item"], world["bulk"]
    assert add(client, item.id, 2).url == reverse("orders:cart", args=["piazza"])
    add(client, item.id, 1)
    add(client, bulk.id, 6)
    assert client.session["fiera_guest_cart"] == {"piazza": {str(item.id): 3, str(bulk.id): 6}}
    assert not CartLine.objects.exists()
    page = client.get(reverse("orders:cart", args=["piazza"]))
    html = page.content.decode()
    assert "Sciarpa" in html and "€37.50" in html
    assert "Sign in to check out — your cart will be kept" in html
    assert 'data-cart-count="9"' in html

    client.post(reverse("orders:cart", args=["piazza"]), {f"qty-{item.id}": "4"})
    assert client.session["fiera_guest_cart"]["piazza"][str(item.id)] == 4
    client.post(reverse("orders:cart", args=["piazza"]), {"remove": str(bulk.id)})
    assert client.session["fiera_guest_cart"]["piazza"] == {str(item.id): 4}
    client.post(reverse("orders:cart", args=["piazza"]), {f"qty-{item.id}": "0"})
    assert "piazza" not in client.session["fiera_guest_cart"]


def test_guest_cart_keeps_the_rules_of_a_cart(world):
    client = world["client"]
    response = add(client, world["bulk"].id, 2)  # sold from 6 units
    assert response.status_code == 302
    assert "fiera_guest_cart" not in client.session
    response = client.post(
        reverse("orders:cart_add", args=["piazza"]),
        {"variant_id": "x", "quantity": 1},
        follow=True,
    )
    assert "Choose a variant and a quantity." in response.content.decode()
    assert add(client, 99_999_999, 1).status_code == 302
    assert "fiera_guest_cart" not in client.session
    assert (
        client.post(reverse("orders:cart_add", args=["nowhere"]), {"variant_id": 1}).status_code
        == 404
    )


def test_checkout_asks_a_guest_to_sign_in_and_keeps_the_cart(world):
    client = world["client"]
    add(client, world["item"].id, 2)
    page = client.get(reverse("orders:checkout", args=["piazza"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sign in to check out — your cart will be kept" in html
    checkout = reverse("orders:checkout", args=["piazza"])
    assert f'{reverse("web:login")}?next={checkout}"' in html
    assert f"{reverse('web:signup')}?next=" in html
    assert "Sciarpa" in html
    assert 'name="action" value="place"' not in html


def test_signing_in_merges_the_guest_cart_quantities_add_up(world):
    client, buyer, item, bulk = world["client"], world["buyer"], world["item"], world["bulk"]
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug="piazza",
        variant_id=item.id,
        quantity=1,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    add(client, item.id, 2)
    add(client, bulk.id, 6)
    checkout = reverse("orders:checkout", args=["piazza"])
    response = client.post(
        f"{reverse('web:login')}?next={checkout}",
        {"username": buyer.username, "password": PASSWORD, "next": checkout},
    )
    assert response.status_code == 302
    assert response.url == checkout
    lines = dict(CartLine.objects.filter(buyer=buyer).values_list("variant_id", "quantity"))
    assert lines == {item.id: 3, bulk.id: 6}
    assert "fiera_guest_cart" not in client.session
    page = client.get(checkout)
    html = page.content.decode()
    assert "We kept your cart" in html
    assert 'name="action" value="place"' in html
    assert 'data-cart-count="9"' in html


def test_merge_caps_quantities_drops_what_is_not_sold_and_refuses_other_roles(world):
    buyer, item = world["buyer"], world["item"]
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug="piazza",
        variant_id=item.id,
        quantity=990,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    moved = services.cart_merge_guest(
        buyer_id=buyer.pk,
        carts={"piazza": {item.id: 20, 99_999_999: 1}, "gone": {item.id: 1}},
        now=f.NOW,
        actor_role=BUYER,
    )
    assert moved == 20
    assert list(CartLine.objects.values_list("variant_id", "quantity")) == [(item.id, 999)]
    with pytest.raises(services.BuyersOnly):
        services.cart_merge_guest(
            buyer_id=buyer.pk, carts={"piazza": {item.id: 1}}, now=f.NOW, actor_role="merchant"
        )


def test_a_merchant_signing_in_keeps_the_session_cart(world, client):
    maker_staff = f.staff(merchant_obj=world["item"].merchant)
    maker_staff.set_password(PASSWORD)
    maker_staff.save()
    add(client, world["item"].id, 1)
    client.post(reverse("web:login"), {"username": maker_staff.username, "password": PASSWORD})
    assert not CartLine.objects.exists()
    assert client.session["fiera_guest_cart"] == {"piazza": {str(world["item"].id): 1}}


def test_cart_count_is_one_query_for_a_buyer(world, django_assert_num_queries):
    buyer, item = world["buyer"], world["item"]
    assert selectors.cart_units(buyer_id=buyer.pk, marketplace_id=world["market"].pk) == 0
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug="piazza",
        variant_id=item.id,
        quantity=3,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    with django_assert_num_queries(1):
        units = selectors.cart_units(buyer_id=buyer.pk, marketplace_id=world["market"].pk)
    assert units == 3
    client = world["client"]
    client.force_login(buyer)
    html = client.get(reverse("catalog:storefront_home", args=["piazza"])).content.decode()
    assert 'data-cart-count="3"' in html
    assert "3 items in your cart" in html


def test_opening_an_account_at_checkout_keeps_the_guest_cart(world):
    client = world["client"]
    add(client, world["item"].id, 2)
    checkout = reverse("orders:checkout", args=["piazza"])
    response = client.post(
        f"{reverse('web:signup')}?next={checkout}",
        {
            "username": "nuova",
            "email": "nuova@example.com",
            "password": "Another-long-passphrase-42",
            "country": "IT",
            "preferred_language": "it",
            "next": checkout,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lines = list(
        CartLine.objects.filter(buyer__username="nuova").values_list("quantity", flat=True)
    )
    assert lines == [2]
    html = client.get(checkout).content.decode()
    assert "Abbiamo tenuto il tuo carrello" in html  # in the language the account chose
