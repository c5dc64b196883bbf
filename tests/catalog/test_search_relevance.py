"""Search finds the right thing (issue 7): names rank above categories above descriptions,
accents and case fold, Chinese words of two characters are found, the index follows
edits, and pages far past the end answer fast with a bounded count. Every test here runs
on the database DATABASE_URL names: SQLite here, PostgreSQL in CI's PostgreSQL pass
(``DATABASE_URL=postgresql://... pytest tests/catalog/test_search_relevance.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fiera.catalog import search, selectors, services, views
from fiera.catalog.models import Category, Product
from fiera.catalog.selectors import product_search
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def _ids(shop: f.Shop, **filters: Any) -> list[int]:
    page = product_search(marketplace_id=shop.marketplace.pk, currency="EUR", **filters)
    return [card.product_id for card in page.items]


def _category(slug: str, it: str, en: str, zh: str) -> Category:
    return Category.objects.create(slug=slug, name_it=it, name_en=en, name_zh=zh)


@pytest.fixture
def demo_like() -> dict[str, Any]:
    """The demo's wording: olive oil, olive-oil soap, argan-oil shampoo, a red wine named
    by its appellation, coffee beans, and pasta whose description mentions oil."""
    shop = f.shop()
    oil_category = _category("food-oil", "Olio e aceto", "Oil and vinegar", "橄榄油与醋")
    body = _category("beauty-body", "Corpo e capelli", "Body and hair", "身体与头发护理")
    red = _category("wine-red", "Vini rossi", "Red wines", "红葡萄酒")
    sweets = _category("food-sweets", "Dolci e caffè", "Sweets and coffee", "甜点与咖啡")
    pasta_category = _category("food-pasta", "Pasta", "Pasta", "意大利面")

    def listed(category: Category, it: str, en: str, zh: str, description: str = "") -> Product:
        product, _ = f.listed_product(
            shop,
            category=category,
            name_it=it,
            name_en=en,
            name_zh=zh,
            description_it=description,
        )
        return product

    made = {
        # made first: the oldest, so "newest first" cannot explain a win
        "oil": listed(
            oil_category, "Olio extravergine di oliva", "Extra virgin olive oil", "特级初榨橄榄油"
        ),
        "soap": listed(body, "Sapone all'olio d'oliva", "Olive oil soap bar", "橄榄油香皂"),
        "shampoo": listed(
            body, "Shampoo all'olio di argan", "Argan oil shampoo", "摩洛哥坚果油洗发水"
        ),
        "wine": listed(red, "Barolo DOCG 2019", "Barolo DOCG 2019", "巴罗洛DOCG 2019"),
        "coffee": listed(sweets, "Caffè in grani", "Coffee beans", "咖啡豆"),
        "pasta": listed(
            pasta_category, "Pasta di semola", "Durum wheat pasta", "意大利面", "Ottima con olio"
        ),
    }
    return {"shop": shop, **made}


@pytest.mark.parametrize("q", ["olio", "olive oil", "橄榄油", "OLIO", "Olive Oil"])
def test_olive_oil_ranks_above_soap_and_shampoo(demo_like: dict[str, Any], q: str) -> None:
    names = {demo_like[k].pk: k for k in ("oil", "soap", "shampoo", "pasta", "coffee", "wine")}
    found = [names[i] for i in _ids(demo_like["shop"], q=q)]
    assert found[0] == "oil"
    assert found.index("oil") < found.index("soap")
    if "shampoo" in found:
        assert found.index("oil") < found.index("shampoo")
    if "pasta" in found:  # a description match ranks below every name match
        assert found[-1] == "pasta"


@pytest.mark.parametrize(
    "q", ["caffe", "caffè", "CAFFÈ", "Caffe\u0300", "\uff43\uff41\uff46\uff46\uff45"]
)
def test_accents_case_and_width_fold(demo_like: dict[str, Any], q: str) -> None:
    assert _ids(demo_like["shop"], q=q)[0] == demo_like["coffee"].pk


@pytest.mark.parametrize(
    ("q", "first"),
    [("红酒", "wine"), ("咖啡", "coffee"), ("香皂", "soap"), ("油", "oil"), ("意大利面", "pasta")],
)
def test_chinese_words_of_one_and_two_characters(
    demo_like: dict[str, Any], q: str, first: str
) -> None:
    assert _ids(demo_like["shop"], q=q)[0] == demo_like[first].pk


def test_a_category_name_finds_its_products(demo_like: dict[str, Any]) -> None:
    shop = demo_like["shop"]
    assert _ids(shop, q="red wines") == [demo_like["wine"].pk]
    assert _ids(shop, q="vini rossi") == [demo_like["wine"].pk]
    assert _ids(shop, q="barolo 红酒") == [demo_like["wine"].pk]  # name and category
    assert _ids(shop, q="barolo olio") == []  # still every word


def test_the_document_and_the_query_normalize_alike() -> None:
    assert search.normalize("Caffè \uff2f\uff2c\uff29\uff2f Straße") == "caffe olio strasse"
    assert search.document(["Caffè in grani", "咖啡豆"]) == "caffe in grani 咖啡 啡豆 咖 啡 豆"
    assert "红酒" in search.document(["红葡萄酒"]).split()  # the everyday word beside it
    assert search.query_terms("Caffè 红酒 意大利") == [
        search.Term("caffe", True),
        search.Term("红酒", False),
        search.Term("意大", False),
        search.Term("大利", False),
    ]
    assert search.query_terms("!!!") == [] and search.without_words("!!!")


# --- the index follows the catalog ----------------------------------------------------------


def test_the_index_follows_a_product_edit_through_the_service(demo_like: dict[str, Any]) -> None:
    shop, coffee = demo_like["shop"], demo_like["coffee"]
    services.product_update(
        actor_user_id=shop.owner.pk,
        actor_role=shop.owner.role,
        product_id=coffee.pk,
        name_it="Tè verde",
        name_en="Green tea",
        name_zh="绿茶",
    )
    assert _ids(shop, q="te verde") == [coffee.pk]
    assert _ids(shop, q="绿茶") == [coffee.pk]
    assert _ids(shop, q="grani") == []
    services.product_update(
        actor_user_id=shop.owner.pk,
        actor_role=shop.owner.role,
        product_id=coffee.pk,
        description_en="Sencha from Shizuoka",
    )
    assert _ids(shop, q="shizuoka") == [coffee.pk]


def test_the_index_follows_a_category_rename(demo_like: dict[str, Any]) -> None:
    shop = demo_like["shop"]
    red = Category.objects.get(slug="wine-red")
    red.name_en = "Reds"
    red.save()
    assert _ids(shop, q="reds") == [demo_like["wine"].pk]
    assert _ids(shop, q="red wines") == []


def test_bulk_created_products_are_found() -> None:
    shop = f.shop()
    made = Product.objects.bulk_create(
        [
            Product(
                merchant=shop.merchant,
                slug=f"b-{n}",
                name_en=f"Bülk {n}",
                name_it="",
                name_zh="",
                hs_code="090121",
            )
            for n in range(3)
        ]
    )
    for product in made:
        f.price(f.variant(product), shop.marketplace, 500)
    assert set(_ids(shop, q="bulk")) == {p.pk for p in made}


def test_reindex_repairs_writes_around_the_model(demo_like: dict[str, Any]) -> None:
    shop, coffee = demo_like["shop"], demo_like["coffee"]
    Product.objects.filter(pk=coffee.pk).update(name_en="Hazelnut spread")
    assert _ids(shop, q="hazelnut") == []  # the document is stale until reindexed
    assert search.reindex(connection, [coffee.pk]) == 1
    assert _ids(shop, q="hazelnut") == [coffee.pk]


# --- paging and counting --------------------------------------------------------------------


def test_a_page_far_past_the_end_is_empty_with_the_exact_total(demo_like: dict[str, Any]) -> None:
    shop = demo_like["shop"]
    with CaptureQueriesContext(connection) as queries:
        page = product_search(
            marketplace_id=shop.marketplace.pk, currency="EUR", q="olio", offset=24 * 998
        )
    assert page.items == [] and page.total == 4 and page.total_exact
    assert not page.has_next and page.has_previous
    assert len(queries.captured_queries) <= 3  # page, count, no covers to read


def test_the_count_stops_at_the_limit(
    demo_like: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = demo_like["shop"]
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    first = product_search(marketplace_id=shop.marketplace.pk, currency="EUR", limit=2)
    assert (first.total, first.total_exact, first.has_next) == (2, False, True)
    second = product_search(marketplace_id=shop.marketplace.pk, currency="EUR", limit=2, offset=2)
    assert (second.total, second.total_exact, second.has_next) == (4, False, True)
    last = product_search(marketplace_id=shop.marketplace.pk, currency="EUR", limit=2, offset=4)
    assert (last.total, last.total_exact, last.has_next) == (6, True, False)


@pytest.mark.parametrize("sort", ["relevance", "newest", "price_asc", "price_desc"])
def test_every_sort_keeps_the_sellability_rule(demo_like: dict[str, Any], sort: str) -> None:
    shop = demo_like["shop"]
    hidden = demo_like["soap"]
    hidden.is_active = False
    hidden.save()
    found = _ids(shop, q="olio", sort=sort)
    assert hidden.pk not in found and demo_like["oil"].pk in found
    priced = _ids(shop, q="olio", sort=sort, min_price_minor=1000, max_price_minor=1000)
    assert set(priced) == set(found)


def test_the_page_says_more_than_when_the_count_stops(
    demo_like: dict[str, Any], monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    shop = demo_like["shop"]
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    url = reverse("catalog:search", args=[shop.marketplace.slug])
    html = client.get(url, {"q": ""}).content.decode()
    assert "More than 2 products" in html and "Page 1 · more than 2" in html
    assert "Page 1 ·" not in client.get(url, {"q": "barolo"}).content.decode()  # one page
    past = client.get(url, {"q": "olio", "page": "999"})
    assert past.status_code == 200 and "Nothing matches" in past.content.decode()
