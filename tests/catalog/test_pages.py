"""The storefront and console pages render, carry their forms, and refuse who they must."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fiera.catalog.models import Price, Product, StockLevel, StockMovement, Variant
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, object]:
    mp = f.marketplace(slug="tmall-it", name="Tmall Italia", countries={"CN": "CNY", "HK": "HKD"})
    shop = f.shop(mp, display_name="Frantoio Rossi", region_code="IT-75")
    food = f.category("food", name_en="Food")
    oil, variant = f.listed_product(
        shop,
        name_en="Olive oil",
        name_it="Olio d'oliva",
        name_zh="橄榄油",
        currency="CNY",
        amount_minor=9900,
        category=food,
    )
    f.price(variant, mp, 9000, currency="CNY", min_quantity=10)
    f.price(variant, mp, 11000, currency="HKD")
    return {"mp": mp, "shop": shop, "oil": oil, "variant": variant}


def test_storefront_home(world: dict) -> None:
    response = Client().get(reverse("catalog:storefront_home", args=["tmall-it"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tmall Italia" in html and "Olive oil" in html and "Frantoio Rossi" in html
    assert "Food" in html
    assert reverse("orders:cart", args=["tmall-it"]) in html
    assert 'name="country"' in html  # several countries: the selector shows
    assert "99.00" in html  # CN (first alphabetically) pays CNY


def test_home_of_an_unknown_or_closed_marketplace_is_404(world: dict) -> None:
    assert Client().get("/m/nope/").status_code == 404
    world["mp"].is_active = False  # type: ignore[attr-defined]
    world["mp"].save()  # type: ignore[attr-defined]
    assert Client().get("/m/tmall-it/").status_code == 404


def test_country_choice_changes_the_currency(world: dict) -> None:
    client = Client()
    response = client.post(
        reverse("catalog:set_country", args=["tmall-it"]),
        {"country": "HK", "next": "/m/tmall-it/search?q=oil"},
    )
    assert response.status_code == 302 and response["Location"] == "/m/tmall-it/search?q=oil"
    assert client.session["shop:tmall-it:country"] == "HK"
    html = client.get(
        reverse("catalog:product", args=["tmall-it", world["oil"].pk])
    ).content.decode()  # type: ignore[attr-defined]
    assert "110.00" in html and "HK$" in html
    # a country it does not ship to, and an outside redirect, are refused
    response = client.post(
        reverse("catalog:set_country", args=["tmall-it"]),
        {"country": "US", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("catalog:storefront_home", args=["tmall-it"])
    assert client.session["shop:tmall-it:country"] == "HK"
    assert client.get(reverse("catalog:set_country", args=["tmall-it"])).status_code == 405


def test_search_page(world: dict) -> None:
    client = Client()
    url = reverse("catalog:search", args=["tmall-it"])
    response = client.get(
        url, {"q": "橄榄", "category": "food", "in_stock": "on", "sort": "price_asc"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Olive oil" in html and "1 product" in html
    response = client.get(url, {"q": "chocolate"})
    assert "Nothing matches" in response.content.decode()
    response = client.get(url, {"min_price": "abc"})
    assert response.status_code == 400 and "error" in response.content.decode()
    response = client.get(url, {"max_price": "50"})
    assert "Olive oil" not in response.content.decode()
    assert client.get(url).status_code == 200


def test_search_pages_through_results(world: dict) -> None:
    shop = world["shop"]
    for _ in range(30):
        f.listed_product(shop, currency="CNY", amount_minor=100)  # type: ignore[arg-type]
    client = Client()
    url = reverse("catalog:search", args=["tmall-it"])
    first = client.get(url, {"q": "product"}).content.decode()
    assert "page=2" in first and 'rel="prev"' not in first
    second = client.get(url, {"q": "product", "page": "2"}).content.decode()
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_product_page(world: dict) -> None:
    response = Client().get(reverse("catalog:product", args=["tmall-it", world["oil"].pk]))  # type: ignore[attr-defined]
    html = response.content.decode()
    assert response.status_code == 200
    assert "Olive oil" in html and "090121" in html and "Italy" in html
    assert f'action="{reverse("orders:cart_add", args=["tmall-it"])}"' in html
    assert 'name="variant_id"' in html and 'name="quantity"' in html
    assert f'value="{world["variant"].pk}"' in html  # type: ignore[attr-defined]
    assert "10+ units" in html


def test_product_page_in_chinese(world: dict) -> None:
    client = Client(headers={"Accept-Language": "zh-hans"})
    html = client.get(
        reverse("catalog:product", args=["tmall-it", world["oil"].pk])
    ).content.decode()  # type: ignore[attr-defined]
    assert "橄榄油" in html


def test_product_not_sold_here_is_404(world: dict) -> None:
    other = f.marketplace(slug="other")
    assert (
        Client().get(reverse("catalog:product", args=["other", world["oil"].pk])).status_code == 404
    )  # type: ignore[attr-defined]
    assert other.pk


def test_store_page(world: dict) -> None:
    store = world["shop"].merchant.stores.get()  # type: ignore[attr-defined]
    response = Client().get(reverse("catalog:store", args=["tmall-it", store.slug]))
    assert response.status_code == 200 and "Olive oil" in response.content.decode()
    assert Client().get(reverse("catalog:store", args=["tmall-it", "nope"])).status_code == 404
    store.is_active = False
    store.save()
    assert Client().get(reverse("catalog:store", args=["tmall-it", store.slug])).status_code == 404


# --- console -----------------------------------------------------------------------------------


def _signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_console_needs_merchant_staff(world: dict) -> None:
    for name in ("catalog:console_products", "catalog:console_stock"):
        url = reverse(name)
        response = Client().get(url)
        assert response.status_code == 302 and reverse("web:login") in response["Location"]
        assert _signed_in(f.user("buyer")).get(url).status_code == 403
        assert _signed_in(f.user("merchant")).get(url).status_code == 403  # no company
        other = f.shop()
        assert (
            _signed_in(other.owner).get(f"{url}?merchant={world['shop'].merchant.pk}").status_code
            == 404
        )  # type: ignore[attr-defined]


def test_console_products_list_and_create(world: dict) -> None:
    shop = world["shop"]
    client = _signed_in(shop.owner)  # type: ignore[attr-defined]
    url = reverse("catalog:console_products")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Olive oil" in html and 'name="sku"' in html and 'aria-current="page"' in html
    assert client.get(url, {"q": "nothing-like-this"}).status_code == 200

    response = client.post(
        url,
        {
            "name_en": "Balsamic vinegar",
            "hs_code": "2209.00",
            "origin_country": "IT",
            "sku": "BALS-250",
            "listing": f"{world['mp'].pk}:CNY",  # type: ignore[attr-defined]
            "price": "88.50",
            "warehouse": str(shop.warehouse.pk),  # type: ignore[attr-defined]
            "units": "12",
        },
    )
    assert response.status_code == 302
    product = Product.objects.get(name_en="Balsamic vinegar")
    variant = Variant.objects.get(product=product)
    assert Price.objects.get(variant=variant).amount_minor == 8850
    assert StockLevel.objects.get(variant=variant).units_on_hand == 12

    response = client.post(
        url,
        {
            "name_en": "Bad",
            "hs_code": "12",
            "origin_country": "IT",
            "sku": "BAD-1",
            "listing": f"{world['mp'].pk}:CNY",  # type: ignore[attr-defined]
            "price": "1",
        },
    )
    assert response.status_code == 422 and "HS code" in response.content.decode()
    assert not Product.objects.filter(name_en="Bad").exists()


def test_console_product_edit(world: dict) -> None:
    shop, oil, variant = world["shop"], world["oil"], world["variant"]
    client = _signed_in(shop.owner)  # type: ignore[attr-defined]
    url = reverse("catalog:console_product_edit", args=[oil.pk])  # type: ignore[attr-defined]
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "product",
            "name_en": "Olive oil 1 L",
            "hs_code": "150920",
            "origin_country": "IT",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    oil.refresh_from_db()  # type: ignore[attr-defined]
    assert oil.name_en == "Olive oil 1 L"  # type: ignore[attr-defined]
    response = client.post(
        url,
        {"action": "variant", "sku": "OIL-5L", "min_order_quantity": "1", "weight_grams": "5000"},
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "action": "price",
            "variant_id": str(variant.pk),  # type: ignore[attr-defined]
            "listing": f"{world['mp'].pk}:HKD",  # type: ignore[attr-defined]
            "tiers": "1 = 120.00\n10 = 100",
        },
    )
    assert response.status_code == 302
    assert sorted(
        Price.objects.filter(variant=variant, currency="HKD").values_list(
            "min_quantity", "amount_minor"
        )
    ) == [(1, 12000), (10, 10000)]
    response = client.post(
        url, {"action": "variant", "sku": "OIL-5L", "min_order_quantity": "1", "weight_grams": "0"}
    )
    assert response.status_code == 422 and "already uses this SKU" in response.content.decode()
    other = f.shop()
    assert _signed_in(other.owner).get(url).status_code == 404


def test_console_stock(world: dict) -> None:
    shop, variant = world["shop"], world["variant"]
    client = _signed_in(shop.owner)  # type: ignore[attr-defined]
    url = reverse("catalog:console_stock")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and variant.sku in html  # type: ignore[attr-defined]
    assert client.get(url, {"low": "1"}).status_code == 200

    response = client.post(
        url,
        {
            "action": "adjust",
            "variant_id": variant.pk,  # type: ignore[attr-defined]
            "warehouse_id": shop.warehouse.pk,  # type: ignore[attr-defined]
            "delta": "-3",
            "reason": "broken bottles",
        },
    )
    assert response.status_code == 302
    assert StockLevel.objects.get(variant=variant).units_on_hand == 7
    response = client.post(
        url,
        {
            "action": "adjust",
            "variant_id": variant.pk,  # type: ignore[attr-defined]
            "warehouse_id": shop.warehouse.pk,  # type: ignore[attr-defined]
            "delta": "-30",
            "reason": "oops",
        },
    )
    assert response.status_code == 422 and "only 7 units" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "set",
            "variant_id": variant.pk,  # type: ignore[attr-defined]
            "warehouse_id": shop.warehouse.pk,  # type: ignore[attr-defined]
            "units_on_hand": "2",
        },
    )
    assert response.status_code == 302
    html = client.get(url, {"low": "1"}).content.decode()
    assert variant.sku in html  # type: ignore[attr-defined]
    assert reverse("orders:console_stock_movements") in html  # the full history is there
    html = client.get(reverse("orders:console_stock_movements")).content.decode()
    assert "broken bottles" in html and variant.sku in html  # type: ignore[attr-defined]
    assert StockMovement.objects.count() == 2
    response = client.post(
        url, {"action": "warehouse", "code": "hk-1", "name": "Hong Kong", "country": "HK"}
    )
    assert response.status_code == 302
    assert "hk-1" in client.get(url).content.decode()
