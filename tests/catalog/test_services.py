from __future__ import annotations

from typing import Any

import pytest

from fiera.accounts.models import User
from fiera.catalog import services
from fiera.catalog.models import Price, Product, StockLevel, StockMovement, Variant
from fiera.common.errors import InvalidInput, NotFound, PermissionDenied
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def _as(user: User) -> dict[str, Any]:
    return {"actor_user_id": user.pk, "actor_role": user.role}


def _create(shop: f.Shop, **fields: Any) -> Product:
    values: dict[str, Any] = {"name_en": "Olive oil", "hs_code": "1509.20"}
    values.update(fields)
    return services.product_create(**_as(shop.owner), merchant_id=shop.merchant.pk, **values)


# --- products ----------------------------------------------------------------------------


def test_product_create_normalises_and_slugs() -> None:
    shop = f.shop()
    f.category("food")
    product = _create(
        shop, name_it=" Olio ", name_zh="橄榄油", origin_country="it", category_slug="food"
    )
    assert product.hs_code == "150920"
    assert product.origin_country == "IT"
    assert product.name_it == "Olio"
    assert product.slug == "olive-oil"
    assert product.category is not None and product.category.slug == "food"
    assert _create(shop).slug == "olive-oil-2"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"hs_code": "12345"}, "HS code"),
        ({"hs_code": "12345678901"}, "HS code"),
        ({"hs_code": "15092A"}, "HS code"),
        ({"origin_country": "XX"}, "ISO 3166"),
        ({"name_en": "  "}, "English name"),
        ({"name_en": "a\x00b"}, "NUL"),
        ({"slug": "Not A Slug"}, "slug"),
    ],
)
def test_product_create_rejects_bad_values(fields: dict[str, object], message: str) -> None:
    shop = f.shop()
    with pytest.raises(InvalidInput, match=message):
        _create(shop, **fields)
    assert not Product.objects.exists()


def test_product_create_unknown_category_is_404() -> None:
    with pytest.raises(services.CategoryNotFound):
        _create(f.shop(), category_slug="nope")


def test_product_create_taken_slug_is_409() -> None:
    shop = f.shop()
    _create(shop, slug="oil")
    with pytest.raises(services.ProductSlugTaken) as exc:
        _create(shop, slug="oil")
    assert exc.value.status == 409


def test_product_create_denials() -> None:
    shop = f.shop()
    other = f.shop()
    buyer = f.user("buyer")
    with pytest.raises(PermissionDenied):
        services.product_create(
            **_as(buyer),
            merchant_id=shop.merchant.pk,
            name_en="x",
            hs_code="150920",
        )
    with pytest.raises(NotFound):  # another merchant's staff: the merchant looks unknown
        services.product_create(
            **_as(other.owner),
            merchant_id=shop.merchant.pk,
            name_en="x",
            hs_code="150920",
        )
    operator = f.user("operator")
    made = services.product_create(
        **_as(operator),
        merchant_id=shop.merchant.pk,
        name_en="x",
        hs_code="150920",
    )
    assert made.merchant_id == shop.merchant.pk


def test_clerk_may_edit_the_catalog() -> None:
    shop = f.shop()
    clerk = f.staff(shop.merchant, role="clerk")
    product = services.product_create(
        **_as(clerk),
        merchant_id=shop.merchant.pk,
        name_en="Pasta",
        hs_code="190219",
    )
    assert product.pk


def test_product_update_changes_only_given_fields() -> None:
    shop = f.shop()
    f.category("food")
    product = _create(shop, name_it="Olio", category_slug="food")
    updated = services.product_update(
        **_as(shop.owner),
        product_id=product.pk,
        name_zh="橄榄油",
        category_slug="",
        is_active=False,
    )
    product.refresh_from_db()
    assert updated.name_zh == product.name_zh == "橄榄油"
    assert product.name_it == "Olio"
    assert product.category_id is None
    assert product.is_active is False
    with pytest.raises(InvalidInput):
        services.product_update(**_as(shop.owner), product_id=product.pk, hs_code="1")


def test_product_update_of_another_merchant_is_404() -> None:
    shop, other = f.shop(), f.shop()
    product = _create(shop)
    with pytest.raises(services.ProductNotFound):
        services.product_update(**_as(other.owner), product_id=product.pk, name_en="Hacked")
    with pytest.raises(services.ProductNotFound):
        services.product_update(**_as(shop.owner), product_id=987654, name_en="x")
    product.refresh_from_db()
    assert product.name_en == "Olive oil"


# --- variants ----------------------------------------------------------------------------


def test_variant_sku_unique_per_merchant() -> None:
    shop, other = f.shop(), f.shop()
    product = _create(shop)
    services.variant_create(**_as(shop.owner), product_id=product.pk, sku="OIL-1")
    with pytest.raises(services.SkuTaken) as exc:
        services.variant_create(**_as(shop.owner), product_id=product.pk, sku="OIL-1")
    assert exc.value.code == "sku_taken"
    # the same SKU is fine for another merchant
    other_product = _create(other)
    services.variant_create(**_as(other.owner), product_id=other_product.pk, sku="OIL-1")
    assert Variant.objects.filter(sku="OIL-1").count() == 2


def test_variant_update_and_validation() -> None:
    shop = f.shop()
    product = _create(shop)
    a = services.variant_create(**_as(shop.owner), product_id=product.pk, sku="A")
    services.variant_create(**_as(shop.owner), product_id=product.pk, sku="B")
    with pytest.raises(services.SkuTaken):
        services.variant_update(**_as(shop.owner), variant_id=a.pk, sku="B")
    with pytest.raises(InvalidInput):
        services.variant_update(**_as(shop.owner), variant_id=a.pk, min_order_quantity=0)
    with pytest.raises(InvalidInput):
        services.variant_create(**_as(shop.owner), product_id=product.pk, sku="has space")
    changed = services.variant_update(
        **_as(shop.owner),
        variant_id=a.pk,
        label="1 L",
        min_order_quantity=6,
        attributes={"size": "1 L"},
    )
    a.refresh_from_db()
    assert (changed.label, a.min_order_quantity, a.attributes) == ("1 L", 6, {"size": "1 L"})


def test_variant_of_another_merchant_is_404() -> None:
    shop, other = f.shop(), f.shop()
    product = _create(shop)
    with pytest.raises(services.ProductNotFound):
        services.variant_create(**_as(other.owner), product_id=product.pk, sku="X")
    variant = f.variant(product)
    with pytest.raises(services.VariantNotFound):
        services.variant_update(**_as(other.owner), variant_id=variant.pk, label="x")


# --- prices --------------------------------------------------------------------------------


def test_price_set_in_a_currency_of_the_marketplace() -> None:
    mp = f.marketplace(default_currency="EUR", countries={"CN": "CNY", "IT": "EUR"})
    shop = f.shop(mp)
    variant = f.variant(f.product(shop.merchant))
    stored = services.price_set(
        **_as(shop.owner),
        variant_id=variant.pk,
        marketplace_id=mp.pk,
        currency="cny",
        tiers=f.tiers((10, 9000), (1, 9900), (100, 8000)),
    )
    assert [(t.min_quantity, t.amount_minor) for t in stored] == [
        (1, 9900),
        (10, 9000),
        (100, 8000),
    ]
    rows = Price.objects.filter(variant=variant).order_by("min_quantity")
    assert [(p.currency, p.min_quantity, p.amount_minor) for p in rows] == [
        ("CNY", 1, 9900),
        ("CNY", 10, 9000),
        ("CNY", 100, 8000),
    ]
    # setting again replaces the tiers
    services.price_set(
        **_as(shop.owner),
        variant_id=variant.pk,
        marketplace_id=mp.pk,
        currency="CNY",
        tiers=f.tiers((1, 9500)),
    )
    assert list(Price.objects.filter(variant=variant).values_list("amount_minor", flat=True)) == [
        9500
    ]
    # an empty list removes them
    services.price_set(
        **_as(shop.owner),
        variant_id=variant.pk,
        marketplace_id=mp.pk,
        currency="CNY",
        tiers=[],
    )
    assert not Price.objects.filter(variant=variant).exists()


def test_price_set_refuses_a_currency_the_marketplace_does_not_use() -> None:
    mp = f.marketplace(default_currency="EUR", countries={"IT": "EUR"})
    shop = f.shop(mp)
    variant = f.variant(f.product(shop.merchant))
    with pytest.raises(services.CurrencyNotUsed) as exc:
        services.price_set(
            **_as(shop.owner),
            variant_id=variant.pk,
            marketplace_id=mp.pk,
            currency="USD",
            tiers=f.tiers((1, 100)),
        )
    assert exc.value.status == 409
    assert not Price.objects.exists()


@pytest.mark.parametrize(
    "tiers",
    [
        [(1, 0)],
        [(1, -5)],
        [(2, 100)],
        [(1, 100), (1, 90)],
        [(1, 100), (10, 120)],
    ],
)
def test_price_set_rejects_bad_tiers(tiers: list[tuple[int, int]]) -> None:
    shop = f.shop()
    variant = f.variant(f.product(shop.merchant))
    with pytest.raises(services.InvalidPriceTiers):
        services.price_set(
            **_as(shop.owner),
            variant_id=variant.pk,
            marketplace_id=shop.marketplace.pk,
            currency="EUR",
            tiers=f.tiers(*tiers),
        )


def test_price_set_denials() -> None:
    shop, other = f.shop(), f.shop()
    variant = f.variant(f.product(shop.merchant))
    kwargs = {
        "variant_id": variant.pk,
        "marketplace_id": shop.marketplace.pk,
        "currency": "EUR",
        "tiers": f.tiers((1, 100)),
    }
    with pytest.raises(services.VariantNotFound):
        services.price_set(**_as(other.owner), **kwargs)
    with pytest.raises(PermissionDenied):
        services.price_set(**_as(f.user("buyer")), **kwargs)
    assert not Price.objects.exists()


# --- warehouses and stock ------------------------------------------------------------------


def test_warehouse_create() -> None:
    shop = f.shop()
    warehouse = services.warehouse_create(
        **_as(shop.owner),
        merchant_id=shop.merchant.pk,
        code="milano-2",
        name="Milano 2",
    )
    assert warehouse.merchant_id == shop.merchant.pk
    with pytest.raises(services.WarehouseCodeTaken):
        services.warehouse_create(
            **_as(shop.owner),
            merchant_id=shop.merchant.pk,
            code="milano-2",
            name="Again",
        )
    with pytest.raises(InvalidInput):
        services.warehouse_create(
            **_as(shop.owner),
            merchant_id=shop.merchant.pk,
            code="Bad Code",
            name="x",
        )


def test_stock_set_and_adjust_record_movements() -> None:
    shop = f.shop()
    variant = f.variant(f.product(shop.merchant))
    actor = _as(shop.owner)
    level = services.stock_set(
        **actor,
        variant_id=variant.pk,
        warehouse_id=shop.warehouse.pk,
        units_on_hand=10,
        reason="count",
    )
    assert level.units_on_hand == 10
    level = services.stock_adjust(
        **actor,
        variant_id=variant.pk,
        warehouse_id=shop.warehouse.pk,
        delta=-4,
        reason="damaged",
    )
    assert level.units_on_hand == 6
    moves = list(StockMovement.objects.order_by("pk").values_list("kind", "delta", "units_after"))
    assert moves == [("set", 10, 10), ("adjust", -4, 6)]
    assert StockMovement.objects.filter(actor=shop.owner, reason="damaged").exists()


def test_stock_adjust_never_below_zero() -> None:
    shop = f.shop()
    variant = f.variant(f.product(shop.merchant))
    f.stock(variant, shop.warehouse, 3)
    with pytest.raises(services.StockNegative) as exc:
        services.stock_adjust(
            **_as(shop.owner),
            variant_id=variant.pk,
            warehouse_id=shop.warehouse.pk,
            delta=-4,
            reason="sold offline",
        )
    assert (exc.value.status, exc.value.code) == (409, "stock_negative")
    assert StockLevel.objects.get(variant=variant).units_on_hand == 3
    assert not StockMovement.objects.exists()


def test_stock_adjust_creates_a_missing_level_only_upwards() -> None:
    shop = f.shop()
    variant = f.variant(f.product(shop.merchant))
    with pytest.raises(services.StockNegative):
        services.stock_adjust(
            **_as(shop.owner),
            variant_id=variant.pk,
            warehouse_id=shop.warehouse.pk,
            delta=-1,
            reason="x",
        )
    level = services.stock_adjust(
        **_as(shop.owner),
        variant_id=variant.pk,
        warehouse_id=shop.warehouse.pk,
        delta=5,
        reason="delivery",
    )
    assert level.units_on_hand == 5


@pytest.mark.parametrize(("delta", "reason"), [(0, "x"), (5, ""), (5, "   ")])
def test_stock_adjust_needs_a_change_and_a_reason(delta: int, reason: str) -> None:
    shop = f.shop()
    variant = f.variant(f.product(shop.merchant))
    with pytest.raises(InvalidInput):
        services.stock_adjust(
            **_as(shop.owner),
            variant_id=variant.pk,
            warehouse_id=shop.warehouse.pk,
            delta=delta,
            reason=reason,
        )


def test_stock_set_rejects_negative_and_foreign_warehouses() -> None:
    shop, other = f.shop(), f.shop()
    variant = f.variant(f.product(shop.merchant))
    with pytest.raises(InvalidInput):
        services.stock_set(
            **_as(shop.owner),
            variant_id=variant.pk,
            warehouse_id=shop.warehouse.pk,
            units_on_hand=-1,
        )
    with pytest.raises(services.WarehouseNotFound):
        services.stock_set(
            **_as(shop.owner),
            variant_id=variant.pk,
            warehouse_id=other.warehouse.pk,
            units_on_hand=1,
        )
    with pytest.raises(services.VariantNotFound):
        services.stock_set(
            **_as(other.owner),
            variant_id=variant.pk,
            warehouse_id=other.warehouse.pk,
            units_on_hand=1,
        )
    assert not StockLevel.objects.exists()


# --- product launch ------------------------------------------------------------------------


def test_product_launch_creates_everything_or_nothing() -> None:
    shop = f.shop()
    product = services.product_launch(
        **_as(shop.owner),
        merchant_id=shop.merchant.pk,
        name_en="Parmigiano",
        hs_code="040690",
        sku="PARM-1",
        marketplace_id=shop.marketplace.pk,
        currency="EUR",
        amount_minor=2500,
        warehouse_id=shop.warehouse.pk,
        units_on_hand=7,
    )
    variant = Variant.objects.get(product=product)
    assert Price.objects.get(variant=variant).amount_minor == 2500
    assert StockLevel.objects.get(variant=variant).units_on_hand == 7

    with pytest.raises(services.CurrencyNotUsed):
        services.product_launch(
            **_as(shop.owner),
            merchant_id=shop.merchant.pk,
            name_en="Grana",
            hs_code="040690",
            sku="GRANA-1",
            marketplace_id=shop.marketplace.pk,
            currency="JPY",
            amount_minor=2500,
        )
    assert not Product.objects.filter(name_en="Grana").exists()
    assert not Variant.objects.filter(sku="GRANA-1").exists()


# --- categories ----------------------------------------------------------------------------


def test_categories_are_for_operators() -> None:
    operator = f.user("operator")
    food = services.category_create(
        **_as(operator),
        slug="food",
        name_en="Food",
        name_it="Cibo",
        name_zh="食品",
    )
    oil = services.category_create(
        **_as(operator),
        slug="oil",
        name_en="Oil",
        parent_slug="food",
    )
    assert oil.parent_id == food.pk
    with pytest.raises(services.CategorySlugTaken):
        services.category_create(**_as(operator), slug="food", name_en="Again")

    merchant_staff = f.shop().owner
    with pytest.raises(services.OperatorsOnly):
        services.category_create(**_as(merchant_staff), slug="x", name_en="X")


def test_operator_cannot_write_for_an_unknown_merchant() -> None:
    operator = f.user("operator")
    with pytest.raises(services.MerchantNotFound):
        services.product_create(
            **_as(operator), merchant_id=987654, name_en="Ghost", hs_code="150920"
        )
    with pytest.raises(services.MerchantNotFound):
        services.warehouse_create(**_as(operator), merchant_id=987654, code="x", name="X")
    assert not Product.objects.exists()
