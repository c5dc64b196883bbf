"""A search made only of punctuation finds nothing (it found the whole catalog): in the
selector on both engines (SQLite FTS5 here; the ``postgres`` test on PostgreSQL), over
the API, and on the search page, which also says to type a word."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fiera.catalog import search
from fiera.catalog.selectors import product_search
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db

PUNCTUATION = [
    "!!!",
    '"',
    "%",
    "_",
    "___",
    "-- ?",
    "*",
    "'\"*:() & | !",
    "\u3002\uff0c\uff01",
    "¿¡",
    "\\",
]


@pytest.fixture
def shop() -> Any:
    shop = f.shop(f.marketplace(slug="piazza"))
    f.listed_product(shop, name_en="Olive oil", name_it="Olio d'oliva", name_zh="橄榄油")
    f.listed_product(shop, name_en="Durum wheat pasta", description_en="100% semola_di_grano")
    return shop


def _total(shop: Any, q: str | None) -> int:
    return product_search(marketplace_id=shop.marketplace.pk, currency="EUR", q=q).total


@pytest.mark.parametrize("q", PUNCTUATION)
def test_punctuation_only_finds_nothing(shop: Any, q: str) -> None:
    assert search.without_words(q)
    assert _total(shop, q) == 0


@pytest.mark.parametrize(
    ("q", "total"), [(None, 2), ("", 2), ("   ", 2), ("oil!", 1), ("!grano", 1)]
)
def test_blank_queries_list_everything_and_words_still_count(
    shop: Any, q: str | None, total: int
) -> None:
    assert not search.without_words(q)
    assert _total(shop, q) == total


@pytest.mark.postgres
@pytest.mark.parametrize("q", PUNCTUATION)
def test_punctuation_only_finds_nothing_on_postgres(shop: Any, q: str) -> None:
    assert _total(shop, q) == 0
    assert _total(shop, f"{q} olive {q}") == 1


def test_the_api_finds_nothing(shop: Any, client: Client) -> None:
    response = client.get("/api/v1/marketplaces/piazza/products", {"q": "!!!"})
    assert response.status_code == 200
    assert response.json()["total"] == 0 and response.json()["items"] == []


def test_the_search_page_asks_for_a_word(shop: Any, client: Client) -> None:
    url = reverse("catalog:search", args=["piazza"])
    response = client.get(url, {"q": '"'})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Type a word to search for" in html
    assert "Olive oil" not in html and "Nothing matches" in html
    assert "Type a word" not in client.get(url, {"q": "olive"}).content.decode()
