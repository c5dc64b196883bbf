"""The catalog console pages name things (marketplaces, categories, warehouses) instead of
showing ids, and keep the list's filters after every save."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from fiera.catalog.models import Product
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, object]:
    mp = f.marketplace(slug="flagship", name="Italia Flagship", countries={"IT": "EUR"})
    mp.name_it = "Italia Vetrina"
    mp.save()
    shop = f.shop(mp, display_name="Frantoio Rossi")
    shop.warehouse.name = "Magazzino Bari"
    shop.warehouse.save()
    food = f.category("food", name_en="Food")
    oil_category = f.category("olive-oil", parent=food, name_en="Olive oil")
    oil, variant = f.listed_product(shop, name_en="Olive oil", amount_minor=1290, category=food)
    f.price(variant, mp, 1100, currency="EUR", min_quantity=12)
    hidden, _ = f.listed_product(shop, name_en="Old soap", is_active=False)
    return {
        "mp": mp,
        "shop": shop,
        "oil": oil,
        "variant": variant,
        "hidden": hidden,
        "food": food,
        "oil_category": oil_category,
    }


def _signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_price_rows_name_the_marketplace_and_currency(world: dict) -> None:
    client = _signed_in(world["shop"].owner)
    url = reverse("catalog:console_product_edit", args=[world["oil"].pk])
    html = client.get(url).content.decode()
    assert "Italia Flagship · EUR, from 1 unit" in html
    assert "Italia Flagship · EUR, from 12 units" in html
    assert f"#{world['mp'].pk} ·" not in html
    html_it = client.get(url, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Italia Vetrina · EUR, da 12 unità" in html_it
    # the price form's listing choice names it too; the category is chosen by name
    assert ">Italia Flagship · EUR</option>" in html
    assert '<option value="olive-oil">Food / Olive oil</option>' in html


def test_products_list_filters_by_status_and_category_and_names_the_category(
    world: dict,
) -> None:
    client = _signed_in(world["shop"].owner)
    url = reverse("catalog:console_products")
    html = client.get(url).content.decode()
    assert "Olive oil" in html and "Old soap" in html
    assert ">Food</td>" in html  # the category's name, not its slug
    hidden = client.get(url, {"status": "hidden"}).content.decode()
    assert "Old soap" in hidden and "Olive oil</td>" not in hidden.replace("<br>", "</td>")
    by_category = client.get(url, {"category": "food"}).content.decode()
    assert "Olive oil" in by_category and "Old soap" not in by_category
    # unknown values are ignored rather than refused
    assert client.get(url, {"status": "nope", "category": "<x>", "page": "-3"}).status_code == 200


def test_saving_a_product_goes_back_to_the_filtered_list(world: dict) -> None:
    client = _signed_in(world["shop"].owner)
    edit = reverse("catalog:console_product_edit", args=[world["oil"].pk])
    filters = "q=oil&status=active&category=food&page=2"
    listing = client.get(reverse("catalog:console_products"), {"q": "oil", "status": "active"})
    assert f"{edit}?merchant={world['shop'].merchant.pk}&amp;q=oil&amp;status=active" in (
        listing.content.decode()
    )
    page = client.get(f"{edit}?{filters}").content.decode()
    assert "q=oil&amp;status=active&amp;category=food&amp;page=2" in page  # the back link
    response = client.post(
        f"{edit}?{filters}&next=https://evil.example/",
        {
            "action": "product",
            "name_en": "Olive oil EVO",
            "hs_code": "150910",
            "origin_country": "IT",
            "category": "olive-oil",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("catalog:console_products")
    assert _query(response.url) == {
        "merchant": [str(world["shop"].merchant.pk)],
        "q": ["oil"],
        "status": ["active"],
        "category": ["food"],
        "page": ["2"],
    }
    assert "evil" not in response.url
    assert Product.objects.get(pk=world["oil"].pk).category == world["oil_category"]
    # a price change comes back to the product, the filters still in its address
    response = client.post(
        f"{edit}?{filters}",
        {
            "action": "price",
            "variant_id": world["variant"].pk,
            "listing": f"{world['mp'].pk}:EUR",
            "tiers": "1 = 13.00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert urlsplit(response.url).path == edit
    assert _query(response.url)["category"] == ["food"]


def test_stock_page_names_warehouses_and_keeps_filters_after_a_change(world: dict) -> None:
    shop = world["shop"]
    second = f.warehouse(shop.merchant, "MI-1")
    client = _signed_in(shop.owner)
    url = reverse("catalog:console_stock")
    html = client.get(url).content.decode()
    assert "Magazzino Bari" in html
    only_second = client.get(url, {"warehouse": second.pk}).content.decode()
    assert f'title="{second.code}"' in only_second and f'title="{shop.warehouse.code}"' not in (
        only_second
    )
    response = client.post(
        f"{url}?q=oil&low=1&warehouse={shop.warehouse.pk}&page=3&next=//evil.example",
        {
            "action": "adjust",
            "variant_id": world["variant"].pk,
            "warehouse_id": shop.warehouse.pk,
            "delta": "-2",
            "reason": "broken",
        },
    )
    assert response.status_code == 302
    assert urlsplit(response.url).path == url
    assert _query(response.url) == {
        "merchant": [str(shop.merchant.pk)],
        "q": ["oil"],
        "low": ["1"],
        "warehouse": [str(shop.warehouse.pk)],
        "page": ["3"],
    }
    movements = client.get(reverse("orders:console_stock_movements")).content.decode()
    assert "Magazzino Bari" in movements and "broken" in movements


def test_another_companys_staff_cannot_see_or_filter_into_it(world: dict) -> None:
    other = f.shop(world["mp"], display_name="Altro")
    client = _signed_in(other.owner)
    merchant = world["shop"].merchant.pk
    for name in ("catalog:console_products", "catalog:console_stock"):
        assert client.get(reverse(name), {"merchant": merchant}).status_code == 404
    edit = reverse("catalog:console_product_edit", args=[world["oil"].pk])
    assert client.get(edit).status_code == 404
    # a warehouse of another company in the filter shows nothing of it
    html = client.get(
        reverse("catalog:console_stock"), {"warehouse": world["shop"].warehouse.pk}
    ).content.decode()
    assert "Magazzino Bari" not in html


def test_a_refused_new_product_keeps_the_list_filtered(world: dict) -> None:
    client = _signed_in(world["shop"].owner)
    url = reverse("catalog:console_products")
    page = client.get(url, {"status": "hidden", "q": "soap"}).content.decode()
    assert "q=soap&amp;status=hidden" in page  # the create form posts back to it
    response = client.post(f"{url}?status=hidden&q=soap", {"name_en": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert '<option value="hidden" selected>' in html and "Old soap" in html
    assert "Olive oil</td>" not in html.replace("<br>", "</td>")
