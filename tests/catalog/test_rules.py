"""The one sellability rule (decision 0007): its Python twin, its SQL twin's table names,
and "price tiers start at quantity 1" held by the database itself, on SQLite and
PostgreSQL (the triggers of catalog migration 0006)."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from fiera.catalog import rules, selectors, services
from fiera.catalog.models import Price, Product, Variant
from tests.catalog import factories as f


def test_the_sql_twin_names_the_tables_of_the_models() -> None:
    assert Variant._meta.db_table == rules.VARIANT_TABLE
    assert Product._meta.db_table == rules.PRODUCT_TABLE
    assert Price._meta.db_table == rules.PRICE_TABLE
    assert rules.STORE_TABLE == "merchants_store"


@pytest.mark.parametrize(
    ("quantity", "expected"), [(0, None), (1, 1000), (9, 1000), (10, 900), (49, 900), (50, 750)]
)
def test_unit_price_is_the_greatest_tier_not_above_the_quantity(quantity, expected) -> None:
    assert rules.unit_price_minor([(1, 1000), (10, 900), (50, 750)], quantity) == expected


@given(
    quantities=st.sets(st.integers(2, 500), max_size=5),
    amounts=st.lists(st.integers(1, 10**9), min_size=6, max_size=6),
    quantity=st.integers(1, 1000),
)
def test_unit_price_matches_the_storefront_helper(quantities, amounts, quantity) -> None:
    tiers = [(q, a) for q, a in zip([1, *sorted(quantities)], amounts, strict=False)]
    price = rules.unit_price_minor(tiers, quantity)
    assert price == max((q, a) for q, a in tiers if q <= quantity)[1]
    price_tiers = [services.PriceTier(min_quantity=q, amount_minor=a) for q, a in tiers]
    assert selectors.unit_price_for(price_tiers, quantity) == price


def test_the_minimum_is_the_moq_and_for_sale_needs_every_condition() -> None:
    assert rules.order_minimum(min_order_quantity=12) == 12
    assert rules.order_minimum(min_order_quantity=1) == 1
    sellable = {
        "variant_active": True,
        "product_active": True,
        "store_active": True,
        "tier_quantities": [1, 10],
    }
    assert rules.is_sellable(**sellable)
    for key, value in [
        ("variant_active", False),
        ("product_active", False),
        ("store_active", False),
        ("store_active", None),
        ("tier_quantities", []),
    ]:
        assert not rules.is_sellable(**{**sellable, key: value}), key
    assert rules.tiers_start_at_one([]) and rules.tiers_start_at_one([10, 1])
    assert not rules.tiers_start_at_one([10])


def test_the_headline_price_is_the_price_at_the_moq() -> None:
    tiers = [(1, 25135), (10, 24000), (50, 22000)]
    assert rules.minimum_unit_price_minor(tiers, min_order_quantity=1) == 25135
    assert rules.minimum_unit_price_minor(tiers, min_order_quantity=24) == 24000
    assert rules.minimum_unit_price_minor(tiers, min_order_quantity=50) == 22000
    assert rules.minimum_unit_price_minor([], min_order_quantity=3) is None


@pytest.mark.parametrize(
    ("moq", "expected"),
    [
        (1, [(1, 9, 25135), (10, 49, 24000), (50, None, 22000)]),
        (24, [(24, 49, 24000), (50, None, 22000)]),
        (10, [(10, 49, 24000), (50, None, 22000)]),
        (49, [(49, 49, 24000), (50, None, 22000)]),
        (80, [(80, None, 22000)]),
    ],
)
def test_the_tier_table_starts_at_the_moq(moq, expected) -> None:
    tiers = [(1, 25135), (10, 24000), (50, 22000)]
    assert rules.tiers_from_minimum(tiers, min_order_quantity=moq) == expected


@given(
    quantities=st.sets(st.integers(2, 60), max_size=4),
    amounts=st.lists(st.integers(1, 10**6), min_size=5, max_size=5),
    moq=st.integers(1, 80),
)
def test_every_row_of_the_tier_table_is_the_price_of_its_quantities(
    quantities, amounts, moq
) -> None:
    tiers = [(q, a) for q, a in zip([1, *sorted(quantities)], amounts, strict=False)]
    rows = rules.tiers_from_minimum(tiers, min_order_quantity=moq)
    assert rows[0][0] == moq
    assert rows[0][2] == rules.minimum_unit_price_minor(tiers, min_order_quantity=moq)
    for low, high, amount in rows:
        for quantity in {low, high if high is not None else low + 100}:
            assert rules.unit_price_minor(tiers, quantity) == amount
    assert all(rows[i][1] == rows[i + 1][0] - 1 for i in range(len(rows) - 1))


@pytest.mark.django_db
def test_the_sql_headline_price_matches_the_python_twin() -> None:
    market = f.marketplace()
    shop = f.shop(market)
    _, variant = f.listed_product(shop, currency="EUR", amount_minor=1000)
    f.price(variant, market, 900, currency="EUR", min_quantity=10)
    f.price(variant, market, 800, currency="EUR", min_quantity=50)
    sql = (
        f"SELECT {rules.minimum_unit_price_sql()} FROM catalog_variant v "
        f"{rules.sellable_joins(store='s')} WHERE v.id = %s"
    )
    for moq in (1, 9, 10, 24, 50, 70):
        Variant.objects.filter(pk=variant.pk).update(min_order_quantity=moq)
        with connection.cursor() as cursor:
            cursor.execute(sql, [market.pk, "EUR", variant.pk])
            ((amount,),) = cursor.fetchall()
        tiers = [(1, 1000), (10, 900), (50, 800)]
        assert amount == rules.minimum_unit_price_minor(tiers, min_order_quantity=moq), moq


# the database guarantee --------------------------------------------------------------------


@pytest.fixture
def priced():
    shop = f.shop()
    _product, variant = f.listed_product(shop, amount_minor=1000)
    return shop, variant


def _quantities(variant, currency: str = "EUR") -> list[int]:
    return sorted(
        Price.objects.filter(variant=variant, currency=currency).values_list(
            "min_quantity", flat=True
        )
    )


@pytest.mark.django_db
def test_a_tier_without_the_price_from_1_is_refused_by_the_database(priced) -> None:
    shop, variant = priced
    with pytest.raises(IntegrityError), transaction.atomic():
        f.price(variant, shop.marketplace, 500, currency="CHF", min_quantity=10)
    other = f.variant(variant.product)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.price(other, shop.marketplace, 500, min_quantity=2)
    # a tier of another currency, marketplace or variant does not count as the first one
    elsewhere = f.marketplace(slug="elsewhere")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.price(variant, elsewhere, 500, min_quantity=5)
    f.price(variant, shop.marketplace, 900, min_quantity=10)
    assert _quantities(variant) == [1, 10]
    assert _quantities(variant, "CHF") == [] and _quantities(other) == []


@pytest.mark.django_db
def test_one_insert_of_the_tiers_from_1_is_accepted(priced) -> None:
    shop, variant = priced
    other = f.variant(variant.product)
    Price.objects.bulk_create(
        Price(
            variant=other,
            merchant_id=other.merchant_id,
            marketplace=shop.marketplace,
            currency="EUR",
            amount_minor=amount,
            min_quantity=quantity,
        )
        for quantity, amount in [(1, 100), (10, 90), (50, 80)]
    )
    assert _quantities(other) == [1, 10, 50]


@pytest.mark.django_db
def test_moving_tiers_keeps_the_price_from_1(priced) -> None:
    shop, variant = priced
    tier = f.price(variant, shop.marketplace, 900, min_quantity=10)
    Price.objects.filter(pk=tier.pk).update(min_quantity=20)  # a tier may move
    with pytest.raises(IntegrityError), transaction.atomic():
        Price.objects.filter(variant=variant, min_quantity=1).update(min_quantity=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Price.objects.filter(variant=variant, min_quantity=1).update(currency="CHF")
    assert _quantities(variant) == [1, 20]


@pytest.mark.django_db
def test_deleting_the_price_from_1_deletes_its_tiers_only(priced) -> None:
    shop, variant = priced
    f.price(variant, shop.marketplace, 900, min_quantity=10)
    f.price(variant, shop.marketplace, 1100, currency="CHF")
    f.price(variant, shop.marketplace, 1000, currency="CHF", min_quantity=10)
    Price.objects.filter(variant=variant, currency="EUR", min_quantity=1).delete()
    assert _quantities(variant) == []
    assert _quantities(variant, "CHF") == [1, 10]
    Price.objects.filter(variant=variant).delete()  # all at once, in any order
    assert not Price.objects.filter(variant=variant).exists()


@pytest.mark.django_db
def test_price_set_replaces_tiers_under_the_guarantee(priced) -> None:
    shop, variant = priced
    owner = shop.owner
    stored = services.price_set(
        actor_user_id=owner.pk,
        actor_role="merchant",
        variant_id=variant.pk,
        marketplace_id=shop.marketplace.pk,
        currency="EUR",
        tiers=f.tiers((50, 700), (1, 1000), (10, 900)),
    )
    assert [t.min_quantity for t in stored] == [1, 10, 50]
    services.price_set(
        actor_user_id=owner.pk,
        actor_role="merchant",
        variant_id=variant.pk,
        marketplace_id=shop.marketplace.pk,
        currency="EUR",
        tiers=f.tiers((1, 990), (5, 950)),
    )
    assert _quantities(variant) == [1, 5]
    services.price_set(
        actor_user_id=owner.pk,
        actor_role="merchant",
        variant_id=variant.pk,
        marketplace_id=shop.marketplace.pk,
        currency="EUR",
        tiers=[],
    )
    assert _quantities(variant) == []


class _Editor:
    """What the migration's steps use of a schema editor, inside the test's transaction
    (SQLite's schema editor refuses to run in one)."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.django_db
def test_the_migration_names_the_variants_that_already_break_the_rule(priced) -> None:
    shop, variant = priced
    steps = import_module("fiera.catalog.migrations.0006_price_tiers_from_one")
    steps.remove(None, _Editor())
    try:
        orphan = f.variant(variant.product)
        f.price(orphan, shop.marketplace, 500, min_quantity=10)  # what the old rules allowed
        with pytest.raises(RuntimeError, match=rf"variant ids {orphan.pk}\b"):
            steps.install(None, _Editor())
        Price.objects.filter(variant=orphan).delete()
    finally:
        steps.install(None, _Editor())
    with pytest.raises(IntegrityError), transaction.atomic():
        f.price(orphan, shop.marketplace, 500, min_quantity=10)
