from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fiera.catalog import selectors, services
from fiera.marketplaces.selectors import MarketplaceNotFound
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


# --- product_detail ------------------------------------------------------------------------


def test_product_detail_lists_priced_variants_with_tiers_and_stock() -> None:
    mp = f.marketplace(kind="b2b_trade")
    shop = f.shop(mp, display_name="Pastificio", region_code="IT-72", town="Gragnano")
    food = f.category("food")
    product, first = f.listed_product(
        shop,
        category=food,
        hs_code="19021990",
        origin_country="IT",
        amount_minor=300,
        units=4,
        description_en="Bronze-drawn",
    )
    f.price(first, mp, 250, min_quantity=100)
    f.stock(first, f.warehouse(shop.merchant), 9)  # the best single warehouse counts
    f.stock(first, f.warehouse(shop.merchant, active=False), 500)
    unpriced = f.variant(product)
    f.stock(unpriced, shop.warehouse, 3)
    other_currency = f.variant(product)
    f.price(other_currency, mp, 999, currency="USD")

    detail = selectors.product_detail(marketplace_id=mp.pk, currency="EUR", product_id=product.pk)
    assert detail.product_id == product.pk
    assert (detail.hs_code, detail.origin_country, detail.origin_country_name) == (
        "19021990",
        "IT",
        "Italy",
    )
    assert detail.category is not None and detail.category.slug == "food"
    assert detail.merchant.display_name == "Pastificio"
    assert (detail.merchant.region_name, detail.merchant.town) == ("Campania", "Gragnano")
    assert detail.store_slug == shop.merchant.stores.get().slug
    (variant,) = detail.variants
    assert variant.variant_id == first.pk
    assert [(t.min_quantity, t.amount_minor) for t in variant.tiers] == [(1, 300), (100, 250)]
    assert variant.unit_price_minor == 300
    assert variant.unit_price_minor_for(99) == 300
    assert variant.unit_price_minor_for(100) == 250
    assert variant.units_available == 9
    assert detail.from_price_minor == 300
    assert detail.in_stock is True


def test_product_detail_not_listed_is_404() -> None:
    shop = f.shop()
    product, variant = f.listed_product(shop)
    other_mp = f.marketplace()
    with pytest.raises(services.ProductNotFound) as exc:
        selectors.product_detail(marketplace_id=other_mp.pk, currency="EUR", product_id=product.pk)
    assert exc.value.status == 404
    with pytest.raises(services.ProductNotFound):
        selectors.product_detail(
            marketplace_id=shop.marketplace.pk, currency="USD", product_id=product.pk
        )
    variant.is_active = False
    variant.save()
    with pytest.raises(services.ProductNotFound):
        selectors.product_detail(
            marketplace_id=shop.marketplace.pk, currency="EUR", product_id=product.pk
        )
    with pytest.raises(services.ProductNotFound):
        selectors.product_detail(marketplace_id=shop.marketplace.pk, currency="EUR", product_id=0)


def test_product_detail_takes_two_queries() -> None:
    shop = f.shop()
    product, _ = f.listed_product(shop)
    for _ in range(5):
        v = f.variant(product)
        f.price(v, shop.marketplace, 100)
        f.price(v, shop.marketplace, 90, min_quantity=10)
        f.stock(v, shop.warehouse, 1)
    with CaptureQueriesContext(connection) as ctx:
        detail = selectors.product_detail(
            marketplace_id=shop.marketplace.pk, currency="EUR", product_id=product.pk
        )
    assert len(detail.variants) == 6
    assert len(ctx.captured_queries) == 2


# --- storefront wrappers ---------------------------------------------------------------------


def test_shop_search_picks_the_currency_of_the_country() -> None:
    mp = f.marketplace(
        slug="tmall-it", default_currency="EUR", countries={"CN": "CNY", "IT": "EUR"}
    )
    shop = f.shop(mp)
    f.listed_product(shop, amount_minor=1000)
    _p, v = f.listed_product(shop, currency="CNY", amount_minor=8000)
    page = selectors.shop_product_search(marketplace_slug="tmall-it", country="cn")
    assert page.currency == "CNY"
    assert [c.from_price_minor for c in page.items] == [8000]
    page = selectors.shop_product_search(marketplace_slug="tmall-it", country=None)
    assert (page.currency, page.total) == ("EUR", 1)
    with pytest.raises(selectors.DestinationNotServed):
        selectors.shop_product_search(marketplace_slug="tmall-it", country="US")
    with pytest.raises(MarketplaceNotFound):
        selectors.shop_product_search(marketplace_slug="nope", country=None)
    mp.is_active = False
    mp.save()
    with pytest.raises(MarketplaceNotFound):
        selectors.shop_product_detail(
            marketplace_slug="tmall-it", country=None, product_id=v.product_id
        )


# --- console -----------------------------------------------------------------------------------


def test_console_product_list_is_the_merchants_own() -> None:
    shop, other = f.shop(), f.shop()
    mine, _variant = f.listed_product(shop, name_en="Limoncello", units=7)
    f.variant(mine, sku="LIMO-700")
    hidden = f.product(shop.merchant, name_en="Grappa", is_active=False)
    f.listed_product(other, name_en="Limoncello")
    actor = {"actor_user_id": shop.owner.pk, "actor_role": "merchant"}

    page = selectors.console_product_list(**actor, merchant_id=shop.merchant.pk)
    assert [r.product_id for r in page.items] == [hidden.pk, mine.pk]
    row = page.items[1]
    assert (row.variant_count, row.units_on_hand) == (2, 7)
    assert [
        r.product_id
        for r in selectors.console_product_list(
            **actor, merchant_id=shop.merchant.pk, q="limo-7"
        ).items
    ] == [mine.pk]
    assert (
        selectors.console_product_list(**actor, merchant_id=shop.merchant.pk, q="grap").total == 1
    )
    with pytest.raises(services.MerchantNotFound):
        selectors.console_product_list(**actor, merchant_id=other.merchant.pk)
    with pytest.raises(services.NotCatalogEditor):
        selectors.console_product_list(
            actor_user_id=f.user("buyer").pk, actor_role="buyer", merchant_id=shop.merchant.pk
        )


def test_console_stock_list_and_low_stock_filter() -> None:
    shop = f.shop()
    second = f.warehouse(shop.merchant, "second")
    _p, plenty = f.listed_product(shop, units=20)
    _p, low = f.listed_product(shop, units=2)
    f.stock(low, second, 1)
    _p, none = f.listed_product(shop, units=0)
    actor = {"actor_user_id": shop.owner.pk, "actor_role": "merchant"}

    page = selectors.console_stock_list(**actor, merchant_id=shop.merchant.pk)
    assert [w.id for w in page.warehouses] == [shop.warehouse.pk, second.pk]
    rows = {r.variant_id: r for r in page.items}
    assert [units for _w, units in rows[low.pk].levels] == [2, 1]
    assert rows[low.pk].total_units == 3
    assert [units for _w, units in rows[none.pk].levels] == [0, 0]
    low_page = selectors.console_stock_list(
        **actor, merchant_id=shop.merchant.pk, low_stock_only=True
    )
    assert {r.variant_id for r in low_page.items} == {low.pk, none.pk}
    assert plenty.pk not in {r.variant_id for r in low_page.items}

    with CaptureQueriesContext(connection) as ctx:
        selectors.console_stock_list(**actor, merchant_id=shop.merchant.pk)
    baseline = len(ctx.captured_queries)
    for _ in range(10):
        f.listed_product(shop, units=3)
    with CaptureQueriesContext(connection) as ctx:
        selectors.console_stock_list(**actor, merchant_id=shop.merchant.pk)
    assert len(ctx.captured_queries) == baseline


def test_console_product_get_and_movements() -> None:
    shop, other = f.shop(), f.shop()
    product, variant = f.listed_product(shop, units=0)
    services.stock_adjust(
        actor_user_id=shop.owner.pk,
        actor_role="merchant",
        variant_id=variant.pk,
        warehouse_id=shop.warehouse.pk,
        delta=4,
        reason="delivery",
    )
    item = selectors.console_product_get(
        actor_user_id=shop.owner.pk, actor_role="merchant", product_id=product.pk
    )
    (v,) = item.variants
    assert (v.sku, v.units_on_hand, [p.amount_minor for p in v.prices]) == (variant.sku, 4, [1000])
    with pytest.raises(services.ProductNotFound):
        selectors.console_product_get(
            actor_user_id=other.owner.pk, actor_role="merchant", product_id=product.pk
        )
    (move,) = selectors.stock_movement_list(
        actor_user_id=shop.owner.pk, actor_role="merchant", merchant_id=shop.merchant.pk
    )
    assert (move.delta, move.units_after, move.reason, move.actor_username) == (
        4,
        4,
        "delivery",
        shop.owner.username,
    )
