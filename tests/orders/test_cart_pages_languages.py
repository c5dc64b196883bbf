"""The pages of the guest cart, the address book, the buyer's cancellation and shipping
read in Italian and Chinese: none of their English strings is left."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fiera.accounts.roles import BUYER, SYSTEM
from fiera.orders import services
from tests.orders import factories as f
from tests.web.test_pages_translated import TRANSLATED

pytestmark = pytest.mark.django_db

ENGLISH = (
    "Sign in to check out",
    "your cart will be kept",
    "Create an account",
    "Your addresses",
    "Address book",
    "Add an address",
    "Save the address",
    "Default address",
    "Make default",
    "Use as my default address",
    "Edit the address",
    "Yes, cancel the order",
    "Keep the order",
    "This cannot be undone",
    "Cancel order",
    "Possible until the shop ships it",
    "Ship to a saved address",
    "Use this address",
    "Manage your addresses",
    "Save this address in my address book",
    "Choose a carrier",
    "Other carrier",
    "Other (type its name)",
    "items in your cart",
)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_new_pages_have_no_english_left(client, language):
    market = f.marketplace(slug="lingue")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, stock=10)
    buyer, staff = f.user(), f.staff(merchant_obj=maker)
    client.cookies["django_language"] = language
    client.post(reverse("orders:cart_add", args=["lingue"]), {"variant_id": item.id})
    pages = [
        client.get(reverse("orders:cart", args=["lingue"])),
        client.get(reverse("orders:checkout", args=["lingue"])),
    ]
    address = services.address_create(
        buyer_id=buyer.pk, address=f.address(), now=f.NOW, actor_role=BUYER
    )
    result = services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug="lingue",
        country="IT",
        lines=[(item.id, 1)],
        shipping_address=f.address(),
        payment_method="cod",
        now=f.NOW,
        actor_role=SYSTEM,
    )
    number = result.orders[0].number
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug="lingue",
        variant_id=item.id,
        quantity=2,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    client.force_login(buyer)
    pages += [
        client.get(reverse("orders:checkout", args=["lingue"])),
        client.get(reverse("orders:addresses")),
        client.get(reverse("orders:address_edit", args=[address.pk])),
        client.get(reverse("orders:order_detail", args=[number])),
        client.get(reverse("orders:order_cancel", args=[number])),
        client.get(reverse("orders:my_orders")),
    ]
    client.force_login(staff)
    pages.append(client.get(reverse("orders:console_order", args=[number])))
    signed_out_checkout = pages[1].content.decode()
    sign_in = {"it": "Accedi per completare", "zh-hans": "登录后结账", "es": "Inicia sesión para"}
    assert sign_in[language] in signed_out_checkout
    for page in pages:
        assert page.status_code == 200, page
        html = page.content.decode()
        left = [text for text in ENGLISH if text in html]
        assert not left, (page.wsgi_request.path, left)
