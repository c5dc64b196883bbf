"""The storefront home (featured stores, categories with counts, new arrivals across
merchants, paged stores) and B2B prices headlined at the minimum order (decision 0007)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from fiera.catalog.models import Variant
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def _b2b_world() -> dict[str, object]:
    mp = f.marketplace(slug="trade-it", name="Trade", countries={"IT": "EUR"}, kind="b2b_trade")
    shop = f.shop(mp, display_name="Ferramenta Bianchi")
    bolts, variant = f.listed_product(
        shop, name_en="Steel bolts", currency="EUR", amount_minor=25135, units=500
    )
    f.price(variant, mp, 24000, currency="EUR", min_quantity=20)
    f.price(variant, mp, 23000, currency="EUR", min_quantity=50)
    Variant.objects.filter(pk=variant.pk).update(min_order_quantity=24)
    return {"mp": mp, "product": bolts, "variant": variant}


def test_b2b_product_page_shows_tiers_from_the_moq_and_headlines_the_moq_price() -> None:
    world = _b2b_world()
    html = (
        Client()
        .get(reverse("catalog:product", args=["trade-it", world["product"].pk]))  # type: ignore[attr-defined]
        .content.decode()
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Minimum order: 24 units" in text
    assert "24–49 units €240.00 each" in text  # noqa: RUF001 - the en dash of a range
    assert "50+ units €230.00 each" in text
    assert "251.35" not in text  # the price from 1 unit cannot be bought at
    assert "1+ unit" not in text
    assert "€240.00 each, from 24 units" in text  # the headline is the MOQ price


def test_storefront_cards_show_the_price_at_the_moq() -> None:
    world = _b2b_world()
    for url in (
        reverse("catalog:storefront_home", args=["trade-it"]),
        reverse("catalog:search", args=["trade-it"]) + "?q=bolts",
        reverse("catalog:search", args=["trade-it"]) + "?sort=price_asc&max_price=240",
    ):
        html = Client().get(url).content.decode()
        assert "Steel bolts" in html, url
        assert "240.00" in html and "251.35" not in html, url
    assert world["mp"]


def _home_world(stores: int = 35) -> dict[str, object]:
    mp = f.marketplace(slug="home-it", name="Home", countries={"IT": "EUR"})
    food = f.category("food", name_en="Food")
    oil = f.category("oil", parent=food, name_en="Oils")
    tools = f.category("tools", name_en="Tools")
    f.category("empty", name_en="Nothing here")
    shops = []
    for i in range(stores):
        shop = f.shop(mp, display_name=f"Company {i:02d}")
        store = shop.merchant.stores.get()
        store.name = f"Store {i:02d}"
        store.is_featured = i in (3, 7)
        store.description_en = "Hand-made since 1962." if i == 3 else ""
        store.save()
        shops.append(shop)
    # Two merchants, three new products each: the newest come from the last shop.
    for shop in shops[:2]:
        for n in range(3):
            f.listed_product(shop, name_en=f"{shop.merchant.display_name} item {n}", category=oil)
    f.listed_product(shops[2], name_en="Hammer", category=tools)
    unsold, _ = f.listed_product(shops[2], name_en="Unsold", category=tools)
    unsold.is_active = False
    unsold.save()
    return {"mp": mp, "shops": shops}


def test_home_shows_categories_with_counts_linked_to_the_search() -> None:
    _home_world(stores=3)
    html = Client().get(reverse("catalog:storefront_home", args=["home-it"])).content.decode()
    search = reverse("catalog:search", args=["home-it"])
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert f'href="{search}?category=food"' in html and "Food 6" in text  # Oils included
    assert f'href="{search}?category=tools"' in html and "Tools 1" in text  # not the unsold
    assert "Nothing here" not in text and "Oils" not in text  # empty; top level only


def test_category_counts_follow_the_sellability_rule_in_one_query(
    django_assert_num_queries,
) -> None:
    from fiera.catalog import selectors

    world = _home_world(stores=3)
    with django_assert_num_queries(1):
        counts = selectors.category_counts(marketplace_id=world["mp"].pk, currency="EUR")  # type: ignore[attr-defined]
    assert [(c.slug, c.products) for c in counts] == [("food", 6), ("tools", 1)]
    assert selectors.category_counts(marketplace_id=world["mp"].pk, currency="CHF") == []  # type: ignore[attr-defined]


def test_new_arrivals_take_one_product_per_merchant() -> None:
    world = _home_world(stores=3)
    html = Client().get(reverse("catalog:storefront_home", args=["home-it"])).content.decode()
    section = html[html.index('id="arrivals-heading"') : html.index('id="stores-heading"')]
    assert "Hammer" in section
    assert "Company 00 item 2" in section and "Company 01 item 2" in section
    assert "item 1" not in section and "item 0" not in section and "Unsold" not in section
    assert world["shops"]


def test_home_features_stores_and_pages_the_rest() -> None:
    _home_world(stores=35)
    client = Client()
    url = reverse("catalog:storefront_home", args=["home-it"])
    html = client.get(url).content.decode()
    featured = html[html.index('id="featured-stores-heading"') : html.index('id="stores-heading"')]
    assert "Store 03" in featured and "Store 07" in featured and "Store 04" not in featured
    assert "Hand-made since 1962." in featured
    stores = html[html.index('id="stores-heading"') :]
    assert "Store 00" in stores and "Store 29" in stores and "Store 30" not in stores
    assert 'rel="next"' in stores and "35 in all" in stores
    second = client.get(url, {"page": "2"}).content.decode()
    assert "Store 30" in second and "Store 34" in second and "Store 29" not in second
    assert 'rel="prev"' in second and 'id="arrivals-heading"' not in second
    assert client.get(url, {"page": "x"}).status_code in (200, 400)


def test_home_of_a_marketplace_with_no_store_yet() -> None:
    f.marketplace(slug="empty-it", countries={"IT": "EUR"})
    html = Client().get(reverse("catalog:storefront_home", args=["empty-it"])).content.decode()
    assert "No store has opened here yet." in html and "No product is for sale here yet." in html


def test_the_api_gives_cards_and_variants_the_price_at_the_moq() -> None:
    world = _b2b_world()
    client = Client()
    body = client.get(f"/api/v1/marketplaces/trade-it/products/{world['product'].pk}").json()  # type: ignore[attr-defined]
    (variant,) = body["variants"]
    assert variant["min_order_quantity"] == 24
    assert variant["unit_price_minor"] == 25135  # from 1 unit, as documented
    assert variant["minimum_unit_price_minor"] == 24000  # what the buyer can order at
    cards = client.get("/api/v1/marketplaces/trade-it/products").json()["items"]
    assert [c["from_price_minor"] for c in cards] == [24000]
