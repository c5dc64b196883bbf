"""Trade search (fiera.trade.search, decision 0019): listings and suppliers in it/en/zh,
each filter, paging, the verification level at ``now`` (an expiry changes the results),
the API's 422s and the page in it/zh. Runs on SQLite and PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import InvalidInput
from fiera.trade import search, services
from tests.catalog import factories as f
from tests.trade.factories import NOW, PDF

pytestmark = pytest.mark.django_db
API = "/api/v1/trade/search"


@dataclass
class Market:
    market: Any
    rossi: Any  # Lombardia, audited; olive oil (MOQ 100), wine
    verdi: Any  # Toscana, licence expiring in 10 days; olive oil (MOQ 1), origin ES
    blu: Any  # Piemonte, not verified; wool cloth
    oil_rossi: Any
    oil_verdi: Any
    wine: Any
    wool: Any


def _profile(merchant: Any, **texts: str) -> None:
    services.supplier_profile_save(
        actor_id=None, actor_role=SYSTEM, merchant_id=merchant.pk, now=NOW, **texts
    )


def _check(merchant: Any, kind: str, *, days: int) -> None:
    services.verification_add(
        actor_id=None,
        actor_role="operator",
        merchant_id=merchant.pk,
        kind=kind,
        inspection_body="Bureau Veritas" if kind == "audit" else "",
        evidence=PDF,
        evidence_name="check.pdf",
        checked_at=NOW - timedelta(days=30),
        expires_at=NOW + timedelta(days=days),
    )


def _listing(merchant: Any, market: Any, price: int, *, moq: int = 1, **fields: Any) -> Any:
    product = f.product(merchant, **fields)
    f.price(f.variant(product, min_order_quantity=moq), market, price, currency="USD")
    return product


@pytest.fixture
def m(db: None) -> Market:
    market = f.marketplace(
        slug="trade", kind="b2b_trade", default_currency="USD", countries={"US": "USD"}
    )
    food = f.category("food", name_en="Food")
    oils = f.category("oils", parent=food, name_en="Oils")
    textiles = f.category("textiles", name_en="Textiles")
    rossi = f.merchant(display_name="Oleificio Rossi", region_code="IT-25")
    verdi = f.merchant(display_name="Frantoio Verdi", region_code="IT-52")
    blu = f.merchant(display_name="Lanificio Blu", region_code="IT-21")
    for merchant in (rossi, verdi, blu):
        f.store(merchant, market)
    oil_rossi = _listing(
        rossi,
        market,
        4200,
        moq=100,
        category=oils,
        name_it="Olio extravergine di oliva 5 l",
        name_en="Extra virgin olive oil 5 l",
        name_zh="特级初榨橄榄油 5升",
        origin_country="IT",
    )
    wine = _listing(
        rossi,
        market,
        1500,
        moq=60,
        category=food,
        name_it="Vino rosso Barbera",
        name_en="Barbera red wine",
        name_zh="巴贝拉红葡萄酒",
        origin_country="IT",
    )
    oil_verdi = _listing(
        verdi,
        market,
        3900,
        category=oils,
        name_it="Olio di oliva",
        name_en="Olive oil",
        name_zh="橄榄油",
        origin_country="ES",
    )
    wool = _listing(
        blu,
        market,
        9000,
        moq=20,
        category=textiles,
        name_it="Tessuto di lana",
        name_en="Wool cloth",
        name_zh="羊毛布料",
        origin_country="IT",
    )
    _profile(rossi, capabilities_en="Private label olive oil", capabilities_it="Marchio privato")
    _profile(verdi, capabilities_zh="橄榄油出口")
    _profile(blu, capabilities_it="Tessitura della lana merino")
    _check(rossi, "licence", days=300)
    _check(rossi, "audit", days=200)
    _check(verdi, "licence", days=10)
    return Market(market, rossi, verdi, blu, oil_rossi, oil_verdi, wine, wool)


def listings(m: Market, q: str | None = None, *, now: Any = NOW, **filters: Any) -> Any:
    limit = filters.pop("limit", 20)
    offset = filters.pop("offset", 0)
    return search.listing_search(
        marketplace_id=m.market.pk,
        currency="USD",
        q=q,
        filters=search.search_filters(**filters),
        now=now,
        limit=limit,
        offset=offset,
    )


def suppliers(m: Market, q: str | None = None, *, now: Any = NOW, **filters: Any) -> Any:
    return search.supplier_search(
        marketplace_id=m.market.pk,
        currency="USD",
        q=q,
        filters=search.search_filters(**filters),
        now=now,
    )


def ids(page: Any) -> list[int]:
    return [getattr(i, "product_id", None) or i.merchant_id for i in page.items]


# --- listings -------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["olio", "olive oil", "橄榄油", "OLIVA", "oliv"])
def test_listings_found_in_each_language(m: Market, q: str) -> None:
    found = listings(m, q)
    assert set(ids(found)) == {m.oil_rossi.pk, m.oil_verdi.pk}
    assert found.total == 2 and found.total_exact


def test_relevance_then_level(m: Market) -> None:
    # both oils match in their names; the audited supplier's first
    assert ids(listings(m, "olive oil")) == [m.oil_rossi.pk, m.oil_verdi.pk]
    # a category-name match ranks below a name match ("oils": both oils in the category)
    assert ids(listings(m, "红葡萄酒")) == [m.wine.pk]
    assert listings(m, "zzzz").items == []
    assert listings(m, "!!!").items == []


def test_hit_shows_supplier_level_moq_price_origin_region(m: Market) -> None:
    hit = listings(m, "extra virgin").items[0]
    assert hit.product_id == m.oil_rossi.pk
    assert hit.supplier_name == "Oleificio Rossi"
    assert (hit.level, str(hit.level_label)) == ("audit", "On-site audit")
    assert hit.moq == 100
    assert (hit.price_from_minor, hit.currency) == (4200, "USD")
    assert (hit.origin_country, hit.region_code, hit.region_name) == ("IT", "IT-25", "Lombardia")
    assert hit.name("zh-hans") == "特级初榨橄榄油 5升" and hit.name("it").startswith("Olio")


def test_each_filter_narrows(m: Market) -> None:
    every = {m.oil_rossi.pk, m.oil_verdi.pk, m.wine.pk, m.wool.pk}
    assert set(ids(listings(m))) == every
    assert set(ids(listings(m, category="food"))) == {m.oil_rossi.pk, m.oil_verdi.pk, m.wine.pk}
    assert set(ids(listings(m, category="oils"))) == {m.oil_rossi.pk, m.oil_verdi.pk}
    assert set(ids(listings(m, region="IT-52"))) == {m.oil_verdi.pk}
    assert set(ids(listings(m, max_moq=50))) == {m.oil_verdi.pk, m.wool.pk}
    assert set(ids(listings(m, max_moq=60))) == {m.oil_verdi.pk, m.wool.pk, m.wine.pk}
    assert set(ids(listings(m, level="licence"))) == {m.oil_rossi.pk, m.oil_verdi.pk, m.wine.pk}
    assert set(ids(listings(m, level="audit"))) == {m.oil_rossi.pk, m.wine.pk}
    assert set(ids(listings(m, origin="ES"))) == {m.oil_verdi.pk}
    assert set(ids(listings(m, "olio", origin="IT", level="audit"))) == {m.oil_rossi.pk}


def test_merchant_ids_restrict_to_a_set_of_suppliers(m: Market) -> None:
    found = listings(m, merchant_ids=[m.verdi.pk, m.blu.pk])
    assert set(ids(found)) == {m.oil_verdi.pk, m.wool.pk}
    assert listings(m, merchant_ids=[]).items == []
    assert set(ids(suppliers(m, merchant_ids=[m.blu.pk]))) == {m.blu.pk}


def test_merchant_ids_are_never_cut_short(m: Market) -> None:
    """A set of suppliers larger than any pavilion of the issue (950) or SQLite's limit of
    variables is kept whole: none is dropped, listings and suppliers alike."""
    many = [-n for n in range(1, 40_001)]  # no such merchants, sorted before the real ones
    found = listings(m, merchant_ids=[*many, m.verdi.pk, m.blu.pk])
    assert set(ids(found)) == {m.oil_verdi.pk, m.wool.pk}
    assert set(ids(suppliers(m, merchant_ids=[*many, m.blu.pk]))) == {m.blu.pk}


def test_expired_verification_no_longer_counts(m: Market) -> None:
    assert m.oil_verdi.pk in ids(listings(m, level="licence"))
    later = NOW + timedelta(days=11)  # Verdi's licence lapsed
    assert m.oil_verdi.pk not in ids(listings(m, level="licence", now=later))
    assert listings(m, "olio", region="IT-52", now=later).items[0].level == "none"
    assert m.verdi.pk not in ids(suppliers(m, level="licence", now=later))
    assert m.verdi.pk in ids(suppliers(m, level="licence"))


def test_paging(m: Market) -> None:
    first = listings(m, limit=3)
    second = listings(m, limit=3, offset=3)
    assert len(first.items) == 3 and first.has_next and first.total == 4
    assert len(second.items) == 1 and not second.has_next and second.has_previous
    assert not set(ids(first)) & set(ids(second))
    past = listings(m, limit=3, offset=30)
    assert past.items == [] and past.total == 4


def test_bad_filters_say_what_is_allowed(m: Market) -> None:
    for bad in (
        {"category": "nope"},
        {"region": "IT-99"},
        {"max_moq": 0},
        {"level": "gold"},
        {"origin": "XX"},
    ):
        with pytest.raises(InvalidInput):
            search.search_filters(**bad)


def test_unsold_listing_is_not_found(m: Market) -> None:
    hidden = f.product(m.blu, name_en="Olive wood board")  # no price on the market
    f.variant(hidden)
    assert hidden.pk not in ids(listings(m, "olive"))


# --- suppliers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("oleificio", ["rossi"]),  # its name
        ("marchio privato", ["rossi"]),  # its capabilities, in Italian
        ("橄榄油", ["verdi", "rossi"]),  # capabilities (Verdi) and listings (both)
        ("merino", ["blu"]),
        ("wool", ["blu"]),  # a listing's name
        ("olio", ["rossi", "verdi"]),  # listings; the audited first
    ],
)
def test_suppliers_found_by_name_profile_and_listings(m: Market, q: str, expected: list) -> None:
    assert ids(suppliers(m, q)) == [getattr(m, name).pk for name in expected]


def test_supplier_hit_and_filters(m: Market) -> None:
    every = suppliers(m)
    assert every.total == 3
    rossi = next(s for s in every.items if s.merchant_id == m.rossi.pk)
    assert (rossi.level, rossi.region_name, rossi.listings) == ("audit", "Lombardia", 2)
    assert rossi.category_names("en") == ["Food", "Oils"]
    assert ids(every)[0] == m.rossi.pk  # level breaks the tie without text
    assert set(ids(suppliers(m, category="oils"))) == {m.rossi.pk, m.verdi.pk}
    assert set(ids(suppliers(m, region="IT-21"))) == {m.blu.pk}
    assert set(ids(suppliers(m, max_moq=20))) == {m.verdi.pk, m.blu.pk}
    assert set(ids(suppliers(m, level="audit"))) == {m.rossi.pk}
    assert set(ids(suppliers(m, origin="ES"))) == {m.verdi.pk}
    # text and a listing filter: Blu's profile says wool, but none of its listings is oil
    assert ids(suppliers(m, "lana", category="oils")) == []


def test_supplier_without_store_on_the_market_is_left_out(m: Market) -> None:
    lone = f.merchant(display_name="Oleificio Solo")
    _profile(lone, capabilities_en="olive oil")
    assert lone.pk not in ids(suppliers(m, "oleificio"))


# --- API ------------------------------------------------------------------------------------


def test_api_listings_anonymous(m: Market, client: Client) -> None:
    reply = client.get(f"{API}/listings", {"q": "橄榄油", "level": "audit", "limit": 5})
    assert reply.status_code == 200, reply.content
    body = reply.json()
    assert [i["product_id"] for i in body["items"]] == [m.oil_rossi.pk]
    item = body["items"][0]
    assert item["level"] == "audit" and item["moq"] == 100 and item["origin_country"] == "IT"
    assert (item["price_from_minor"], item["currency"]) == (4200, "USD")
    assert body["total"] == 1 and body["limit"] == 5


def test_api_suppliers_anonymous(m: Market, client: Client) -> None:
    reply = client.get(f"{API}/suppliers", {"q": "olio", "region": "IT-25"})
    assert reply.status_code == 200, reply.content
    items = reply.json()["items"]
    assert [i["merchant_id"] for i in items] == [m.rossi.pk]
    assert items[0]["listings"] == 2 and items[0]["level"] == "audit"


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"level": "gold"}, "level"),
        ({"max_moq": "0"}, "max_moq"),
        ({"region": "Lombardia"}, "region"),
        ({"origin": "italy"}, "origin"),
        ({"category": "nope"}, "nope"),
        ({"limit": "500"}, "limit"),
    ],
)
def test_api_bad_filters_422(m: Market, client: Client, params: dict, word: str) -> None:
    for kind in ("listings", "suppliers"):
        reply = client.get(f"{API}/{kind}", params)
        assert reply.status_code == 422, (kind, params, reply.content)
        assert word in reply.content.decode()


# --- page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("it", ["Cerca", "Fornitori", "Olio extravergine"]),
        ("zh-hans", ["供应商", "特级初榨橄榄油"]),
    ],
)
def test_page_in_it_and_zh(m: Market, client: Client, language: str, words: list) -> None:
    reply = client.get(
        "/trade/search/", {"q": "olio", "max_moq": "500"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert reply.status_code == 200
    html = reply.content.decode()
    for word in words:
        assert word in html, word
    tab = client.get(
        "/trade/search/", {"q": "olio", "tab": "suppliers"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert "Oleificio Rossi" in tab.content.decode()


def test_page_bad_filter_is_explained_not_an_error(m: Market, client: Client) -> None:
    reply = client.get("/trade/search/", {"q": "olio", "category": "nope"})
    assert reply.status_code == 422
    assert "nope" in reply.content.decode()


def test_trade_storefront_links_to_the_search(m: Market, client: Client) -> None:
    html = client.get("/m/trade/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    # the home (not the header, full at 1280 px for staff) links to the supplier search
    assert "/trade/search/?marketplace=trade" in html and "Cerca fornitori e offerte" in html


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.skipif(
    "postgresql" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="PostgreSQL only (DATABASE_URL is not PostgreSQL)",
)
def test_postgresql_matches_through_the_tsvector(m: Market) -> None:
    """On PostgreSQL the text goes through the stored tsvector (the GIN index's column),
    prefix queries included, and the level is computed in the same statement."""
    from django.db import connection

    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        found = listings(m, "oliv 橄榄", level="audit")
    assert [h.product_id for h in found.items] == [m.oil_rossi.pk]
    searched = [s for s in statements if "catalog_product" in s]
    assert len(searched) == 1
    assert "search_vector @@ to_tsquery" in searched[0]
    assert "trade_supplierverification" in searched[0]


def test_a_category_name_finds_its_listings(m: Market) -> None:
    """A word only in the category's name ("Oils") finds the listings in it (on PostgreSQL
    through the literal category ids text_match is given, catalog.selectors.text_match)."""
    assert set(ids(listings(m, "oils"))) == {m.oil_rossi.pk, m.oil_verdi.pk}
    assert set(ids(listings(m, "textiles wool"))) == {m.wool.pk}
    assert listings(m, "textiles olive").items == []
