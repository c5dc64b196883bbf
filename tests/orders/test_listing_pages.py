"""B2B listing pages: the product page's trade terms and "Order a sample", the cart's
sample line, the order pages' terms and price kinds, the console's terms and sample
forms; in English, Italian and Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fiera.catalog.models import Product, Variant
from fiera.orders.models import CartLine, Order, OrderLine
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    market = f.marketplace(
        slug="trade", kind="b2b_trade", worldwide=True, default_currency="USD", countries={}
    )
    item = f.sku(market=market, price_minor=1000, moq=50, stock=500, name="Olive oil")
    Product.objects.filter(pk=item.product.pk).update(
        incoterm="FOB", incoterm_place="Genova", payment_terms="assurance", lead_time_days=20
    )
    Variant.objects.filter(pk=item.id).update(
        sample_units=2, sample_price_minor=1500, sample_currency="USD"
    )
    owner = f.staff(merchant_obj=item.merchant, role="owner")
    return {"market": market, "item": item, "buyer": f.user(), "owner": owner}


def _client(user: Any = None, language: str = "en") -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _product_url(world: dict[str, Any]) -> str:
    return reverse("catalog:product", args=["trade", world["item"].product.pk])


def _order_a_sample(client: Client, world: dict[str, Any], quantity: int = 2) -> Any:
    return client.post(
        reverse("orders:cart_add", args=["trade"]),
        {"variant_id": world["item"].id, "quantity": quantity, "sample": "1"},
    )


def test_the_product_page_shows_terms_and_orders_a_sample(world: dict[str, Any]) -> None:
    client = _client(world["buyer"])
    html = client.get(_product_url(world)).content.decode()
    assert "Trade terms" in html and "FOB" in html and "Genova" in html
    assert "Free on Board" in html and "20 days" in html and "Trade assurance" in html
    assert "Order a sample" in html and "15.00" in html
    added = _order_a_sample(client, world)
    assert added.status_code == 302
    line = CartLine.objects.get(buyer=world["buyer"])
    assert (line.is_sample, line.quantity) == (True, 2)
    cart = client.get(reverse("orders:cart", args=["trade"])).content.decode()
    assert "Sample price" in cart and "30.00" in cart
    assert "Fix the lines" not in cart  # the MOQ of 50 is not applied to the sample
    refused = _order_a_sample(client, world, quantity=1)  # 3 > 2 units
    assert refused.status_code == 302
    assert CartLine.objects.get(buyer=world["buyer"]).quantity == 2
    removed = client.post(
        reverse("orders:cart", args=["trade"]), {"remove": f"sample-{line.variant_id}"}
    )
    assert removed.status_code == 302 and not CartLine.objects.filter(buyer=world["buyer"]).exists()


def test_a_visitor_signs_in_to_order_a_sample(world: dict[str, Any]) -> None:
    response = _order_a_sample(_client(), world)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not CartLine.objects.exists()


def _place(world: dict[str, Any]) -> Order:
    client = _client(world["buyer"])
    _order_a_sample(client, world, quantity=1)
    client.post(
        reverse("orders:cart_add", args=["trade"]), {"variant_id": world["item"].id, "quantity": 50}
    )
    page = client.get(reverse("orders:checkout", args=["trade"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="expected-' in html
    form = page.context["form"]
    data = {**{k: v for k, v in form.initial.items() if v is not None}}
    data.update(f.address("US"))
    data.update({"country": "US", "payment_method": "cod", "action": "place"})
    data.update(_hidden_expected(html))
    placed = client.post(reverse("orders:checkout", args=["trade"]), data)
    assert placed.status_code == 302, placed.content.decode()[:2000]
    return Order.objects.get(buyer=world["buyer"])


def _hidden_expected(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'name="(expected-\d+)" value="(\d+)"', html))


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("Trade terms", "Sample price", "Contract price", "Free on Board", "20 days")),
        ("it", ("Condizioni commerciali", "Prezzo campione", "Prezzo contrattuale", "20 giorni")),
        ("zh-hans", ("贸易条款", "样品价", "合同价", "20 天")),
    ],
)
def test_order_pages_print_terms_and_price_kinds(
    world: dict[str, Any], language: str, words: tuple[str, ...]
) -> None:
    order = _place(world)
    assert (order.incoterm, order.incoterm_place, order.lead_time_days) == ("FOB", "Genova", 20)
    kinds = sorted(OrderLine.objects.filter(order=order).values_list("price_kind", flat=True))
    assert kinds == ["list", "sample"]
    # an accepted quote's line is "contract" (orders.services.order_place_agreed, rfq)
    OrderLine.objects.filter(order=order, price_kind="list").update(price_kind="contract")
    buyer_page = _client(world["buyer"], language).get(
        reverse("orders:order_detail", args=[order.number])
    )
    console_page = _client(world["owner"], language).get(
        reverse("orders:console_order", args=[order.number])
    )
    for page in (buyer_page, console_page):
        assert page.status_code == 200
        html = page.content.decode()
        for word in words:
            assert word in html, (language, word)
        assert "FOB" in html and "Genova" in html
    if language != "en":
        for english in ("Trade terms", "Sample price", "Contract price", "Payment terms"):
            assert english not in buyer_page.content.decode()


def test_a_storefront_order_page_prints_no_terms(world: dict[str, Any]) -> None:
    shop = f.marketplace(slug="shop")
    item = f.sku(market=shop)
    client = _client(world["buyer"])
    client.post(reverse("orders:cart_add", args=["shop"]), {"variant_id": item.id, "quantity": 1})
    from fiera.accounts.roles import BUYER
    from fiera.orders import services

    result = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug="shop",
        country="IT",
        lines=None,
        shipping_address=f.address(),
        payment_method="cod",
        now=f.NOW,
        actor_role=BUYER,
    )
    html = client.get(
        reverse("orders:order_detail", args=[result.orders[0].number])
    ).content.decode()
    assert "Trade terms" not in html and "Sample price" not in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("it", ("Condizioni commerciali", "Campioni", "Ordina un campione")),
        ("zh-hans", ("贸易条款", "样品", "订购样品")),
    ],
)
def test_the_product_page_reads_in_italian_and_chinese(
    world: dict[str, Any], language: str, words: tuple[str, ...]
) -> None:
    html = _client(world["buyer"], language).get(_product_url(world)).content.decode()
    for word in words:
        assert word in html, word
    for english in ("Trade terms", "Order a sample", "Lead time", "No minimum order for samples"):
        assert english not in html


def _edit_url(world: dict[str, Any]) -> str:
    return reverse("catalog:console_product_edit", args=[world["item"].product.pk])


def test_console_terms_and_sample_forms(world: dict[str, Any]) -> None:
    client = _client(world["owner"])
    page = client.get(_edit_url(world))
    html = page.content.decode()
    assert (
        page.status_code == 200
        and "Save the trade terms" in html
        and "Save the sample offer" in html
    )
    saved = client.post(
        _edit_url(world),
        {
            "action": "terms",
            "lead_time_days": "45",
            "incoterm": "CIF",
            "incoterm_place": "Shanghai",
            "payment_terms": "advance",
        },
    )
    assert saved.status_code == 302
    product = Product.objects.get(pk=world["item"].product.pk)
    assert (product.incoterm, product.incoterm_place, product.lead_time_days) == (
        "CIF",
        "Shanghai",
        45,
    )
    bad = client.post(
        _edit_url(world), {"action": "terms", "incoterm": "FOB", "incoterm_place": ""}
    )
    assert bad.status_code == 422 and "Name the place" in bad.content.decode()
    offer = client.post(
        _edit_url(world),
        {
            "action": "sample",
            "variant_id": str(world["item"].id),
            "sample_units": "1",
            "currency": "USD",
            "price": "12.50",
        },
    )
    assert offer.status_code == 302
    variant = Variant.objects.get(pk=world["item"].id)
    assert (variant.sample_units, variant.sample_price_minor) == (1, 1250)
    clerk = f.staff(merchant_obj=world["item"].merchant, role="clerk")
    refused = _client(clerk).post(_edit_url(world), {"action": "terms", "lead_time_days": "1"})
    assert refused.status_code == 422
    assert Product.objects.get(pk=world["item"].product.pk).lead_time_days == 45
    other = f.staff(merchant_obj=f.merchant(), role="owner")
    assert _client(other).get(_edit_url(world)).status_code == 404
    assert _client(world["buyer"]).get(_edit_url(world)).status_code == 403
    it = _client(world["owner"], "it").get(_edit_url(world)).content.decode()
    assert "Condizioni commerciali" in it and "Save the trade terms" not in it
