"""product_search: the listing rule, full-text on both vendors, filters, sorts, paging,
and a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from fiera.catalog import search
from fiera.catalog.models import Product
from fiera.catalog.selectors import product_search
from fiera.common.errors import InvalidInput
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def _ids(shop: f.Shop, currency: str = "EUR", **filters: object) -> list[int]:
    page = product_search(marketplace_id=shop.marketplace.pk, currency=currency, **filters)  # type: ignore[arg-type]
    return [card.product_id for card in page.items]


@pytest.fixture
def oil_shop() -> tuple[f.Shop, Product, Product]:
    shop = f.shop()
    oil, _ = f.listed_product(
        shop,
        name_en="Extra virgin olive oil",
        name_it="Olio extravergine di oliva",
        name_zh="意大利特级初榨橄榄油",
        description_en="Cold pressed in Puglia",
        amount_minor=1500,
    )
    pasta, _ = f.listed_product(
        shop,
        name_en="Durum wheat pasta",
        name_it="Pasta di semola",
        name_zh="意大利面",
        description_it="Trafilata al bronzo, ottima con olio",
        amount_minor=300,
    )
    return shop, oil, pasta


# --- listing rule ----------------------------------------------------------------------------


def test_only_listed_products_are_found() -> None:
    mp = f.marketplace(countries={"IT": "EUR", "CN": "CNY"})
    shop = f.shop(mp)
    listed, _ = f.listed_product(shop)
    _inactive, _ = f.listed_product(shop, is_active=False)
    _hidden_variant, v = f.listed_product(shop)
    v.is_active = False
    v.save()
    f.listed_product(shop, currency="CNY", amount_minor=8000)  # priced in CNY only
    no_price = f.product(shop.merchant)
    f.variant(no_price)
    tiered_only = f.product(shop.merchant)  # a price from 10 units only cannot be stored
    with pytest.raises(IntegrityError), transaction.atomic():
        f.price(f.variant(tiered_only), mp, 500, min_quantity=10)
    closed = f.shop(mp)
    f.listed_product(closed)
    closed.merchant.stores.update(is_active=False)
    elsewhere = f.shop()  # a store on another marketplace only
    _other_product, other_variant = f.listed_product(elsewhere)
    f.price(other_variant, mp, 1000)

    assert _ids(shop) == [listed.pk]
    assert len(_ids(shop, currency="CNY")) == 1
    assert _ids(shop, currency="USD") == []


def test_card_carries_merchant_store_price_and_stock() -> None:
    shop = f.shop(display_name="Frantoio Rossi", region_code="IT-75")
    product, _variant = f.listed_product(shop, amount_minor=1200, units=0)
    cheaper = f.variant(product)
    f.price(cheaper, shop.marketplace, 900)
    f.stock(cheaper, shop.warehouse, 2)
    (card,) = product_search(marketplace_id=shop.marketplace.pk, currency="EUR").items
    assert card.product_id == product.pk
    assert card.merchant_name == "Frantoio Rossi"
    assert (card.region_code, card.region_name) == ("IT-75", "Puglia")
    assert card.store_slug == shop.merchant.stores.get().slug
    assert (card.from_price_minor, card.currency) == (900, "EUR")
    assert card.in_stock is True
    assert card.from_price.amount_minor == 900


# --- full text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("olive", {"oil"}),
        ("olio", {"oil", "pasta"}),  # pasta mentions olio in its Italian description
        ("extravergine oliva", {"oil"}),
        ("PUGLIA", {"oil"}),
        ("橄榄油", {"oil"}),
        ("意大利", {"oil", "pasta"}),
        ("意大利面", {"pasta"}),
        ("semola", {"pasta"}),
        ("olive pasta", set()),  # every word must match
        ("chocolate", set()),
        ("   ", {"oil", "pasta"}),
        ("'\"*:() & | !", set()),  # no words: nothing to find, and no syntax error
    ],
)
def test_full_text_in_three_languages(
    oil_shop: tuple[f.Shop, Product, Product], q: str, expected: set[str]
) -> None:
    shop, oil, pasta = oil_shop
    names = {oil.pk: "oil", pasta.pk: "pasta"}
    assert {names[i] for i in _ids(shop, q=q)} == expected


def test_relevance_ranks_name_matches_first(oil_shop: tuple[f.Shop, Product, Product]) -> None:
    shop, oil, pasta = oil_shop
    assert _ids(shop, q="olio", sort="relevance") == [oil.pk, pasta.pk]


def test_search_follows_product_edits(oil_shop: tuple[f.Shop, Product, Product]) -> None:
    shop, oil, pasta = oil_shop
    oil.name_en = "Truffle sauce"
    oil.name_it = "Salsa tartufata"
    oil.name_zh = "松露酱"
    oil.description_en = ""
    oil.save()
    assert _ids(shop, q="olive") == []
    assert _ids(shop, q="tartufata") == [oil.pk]
    assert _ids(shop, q="松露") == [oil.pk]
    pasta.delete()
    assert _ids(shop, q="意大利") == []


def test_query_words_with_punctuation_are_safe(oil_shop: tuple[f.Shop, Product, Product]) -> None:
    shop, oil, _ = oil_shop
    assert _ids(shop, q='"olive" OR oil*') == []  # "or" is a word too, and nothing has it
    assert _ids(shop, q="olive-oil") == [oil.pk]
    assert _ids(shop, q="d'oliva 100%") == []


def test_sqlite_uses_fts5_over_the_documents(
    oil_shop: tuple[f.Shop, Product, Product],
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    shop, oil, pasta = oil_shop
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [search.FTS_TABLE])
        (ddl,) = cursor.fetchone()
    assert "fts5" in ddl and "search_names" in ddl and "trigram" not in ddl
    match = search.text_match("sqlite", "olio di")
    assert all("MATCH" in w for w in match.where) and len(match.where) == 2
    assert set(_ids(shop, q="olio di")) == {oil.pk, pasta.pk}  # two letters: a prefix
    assert _ids(shop, q="面") == [pasta.pk]  # one CJK character


def test_sqlite_install_is_idempotent_and_repairs_lost_triggers(
    oil_shop: tuple[f.Shop, Product, Product],
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    shop, oil, _ = oil_shop
    search.install(connection)
    with connection.cursor() as cursor:
        # what Django's SQLite table rebuild does to the triggers
        for name in ("ai", "au", "ad"):
            cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_{name}")
    Product.objects.filter(pk=oil.pk).update(name_en="Balsamic vinegar")
    search.install(connection)  # puts the triggers back, recomputes and reindexes
    assert _ids(shop, q="balsamic") == [oil.pk]
    assert _ids(shop, q="olive") == []


@pytest.mark.postgres
def test_postgres_uses_gin_indexes(oil_shop: tuple[f.Shop, Product, Product]) -> None:
    _shop, _oil, _pasta = oil_shop
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'catalog_product'"
        )
        indexes = dict(cursor.fetchall())
    assert "gin (search_vector)" in indexes[search.PG_VECTOR_INDEX]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generation_expression FROM information_schema.columns "
            "WHERE table_name = 'catalog_product' AND column_name = 'search_vector'"
        )
        (generated,) = cursor.fetchone()
    assert "to_tsvector('simple'" in generated and "search_names" in generated
    assert not {"catalog_product_search_tsv", "catalog_product_search_trgm"} & set(indexes)
    # the planner can answer a text query from the tsvector index
    match = search.text_match("postgresql", "olive")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT p.id FROM catalog_product p WHERE {' AND '.join(match.where)}",
            match.where_params,
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert search.PG_VECTOR_INDEX in plan


@pytest.mark.postgres
def test_postgres_prefix_words_and_cjk_substrings(
    oil_shop: tuple[f.Shop, Product, Product],
) -> None:
    shop, oil, pasta = oil_shop
    assert _ids(shop, q="oliv") == [oil.pk]  # tsquery prefix
    assert _ids(shop, q="extraverg") == [oil.pk]
    assert _ids(shop, q="初榨") == [oil.pk]  # a two-character piece inside a run of Chinese
    assert set(_ids(shop, q="意大利 pasta")) == {pasta.pk}  # mixed: both must match
    match = search.text_match("postgresql", "意大利 olio")
    assert all("@@" in w for w in match.where) and len(match.where) == 3  # 意大 大利 olio


def test_install_is_a_noop_on_another_vendor() -> None:
    """The migration's branches run only on their vendor; any other one gets no SQL."""
    executed: list[str] = []

    class Cursor:
        def __enter__(self) -> Cursor:
            return self

        def __exit__(self, *args: object) -> None:
            return None

        def execute(self, sql: str, params: object = None) -> None:
            executed.append(sql)

    class Column:
        def __init__(self, name: str) -> None:
            self.name = name

    class Introspection:
        def table_names(self, cursor: object) -> list[str]:
            return ["catalog_product"]

        def get_table_description(self, cursor: object, table: str) -> list[Column]:
            return [Column(name) for name in search.DOCUMENT_COLUMNS]

    class OtherVendor:
        vendor = "mysql"
        alias = "default"
        introspection = Introspection()

        def cursor(self) -> Cursor:
            return Cursor()

    search.install(OtherVendor())  # type: ignore[arg-type]
    search.uninstall(OtherVendor())  # type: ignore[arg-type]
    assert executed == []


# --- filters, sorts, paging ------------------------------------------------------------------


def test_filters() -> None:
    mp = f.marketplace()
    north = f.shop(mp, region_code="IT-25")
    south = f.shop(mp, region_code="IT-75")
    south.merchant.sectors.add(f.sector("agrifood"))
    food = f.category("food")
    oil_category = f.category("oil", parent=food)
    f.category("fashion")
    scarf, _ = f.listed_product(north, amount_minor=5000, units=0, category=f.category("fashion"))
    oil, _ = f.listed_product(south, amount_minor=1500, category=oil_category)
    bread, _ = f.listed_product(south, amount_minor=400, category=food)

    def ids(**filters: object) -> set[int]:
        return set(_ids(north, **filters))

    assert ids(category_slug="food") == {oil.pk, bread.pk}  # with subcategories
    assert ids(category_slug="oil") == {oil.pk}
    assert ids(category_slug="unknown") == set()
    assert ids(region_code="IT-25") == {scarf.pk}
    assert ids(sector="agrifood") == {oil.pk, bread.pk}
    assert ids(min_price_minor=1000) == {scarf.pk, oil.pk}
    assert ids(max_price_minor=1500) == {oil.pk, bread.pk}
    assert ids(min_price_minor=1000, max_price_minor=2000) == {oil.pk}
    assert ids(in_stock_only=True) == {oil.pk, bread.pk}
    assert ids(merchant_id=north.merchant.pk) == {scarf.pk}


def test_stock_in_an_inactive_warehouse_does_not_count() -> None:
    shop = f.shop()
    _product, variant = f.listed_product(shop, units=0)
    f.stock(variant, f.warehouse(shop.merchant, active=False), 50)
    (card,) = product_search(marketplace_id=shop.marketplace.pk, currency="EUR").items
    assert card.in_stock is False
    assert _ids(shop, in_stock_only=True) == []


def test_sorts_and_paging() -> None:
    shop = f.shop()
    made = [f.listed_product(shop, amount_minor=amount)[0] for amount in (300, 100, 200)]
    assert _ids(shop, sort="price_asc") == [made[1].pk, made[2].pk, made[0].pk]
    assert _ids(shop, sort="price_desc") == [made[0].pk, made[2].pk, made[1].pk]
    assert _ids(shop, sort="newest") == [p.pk for p in reversed(made)]
    page = product_search(
        marketplace_id=shop.marketplace.pk, currency="EUR", sort="price_asc", limit=2, offset=2
    )
    assert [c.product_id for c in page.items] == [made[0].pk]
    assert (page.total, page.has_next, page.has_previous) == (3, False, True)
    past = product_search(marketplace_id=shop.marketplace.pk, currency="EUR", offset=50)
    assert (past.items, past.total) == ([], 3)
    with pytest.raises(InvalidInput):
        product_search(marketplace_id=shop.marketplace.pk, currency="EUR", sort="cheapest")


@pytest.mark.parametrize("q", [None, "product"])
def test_query_count_is_constant(q: str | None) -> None:
    shop = f.shop()
    f.listed_product(shop)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = product_search(
                marketplace_id=shop.marketplace.pk,
                currency="EUR",
                q=q,
                in_stock_only=True,
                category_slug=None,
                limit=50,
            )
        assert page.items
        return len(ctx.captured_queries)

    one = count()
    for _ in range(19):
        product, _variant = f.listed_product(shop)
        f.price(f.variant(product), shop.marketplace, 2000)
    twenty = count()
    assert one == twenty == 2  # the page, and the cards' cover pictures
