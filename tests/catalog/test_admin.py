from __future__ import annotations

import pytest
from django.test import Client

from fiera.catalog import services
from fiera.catalog.models import Price, StockLevel, StockMovement
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "category/",
        "product/?q=olive",
        "variant/?q=SKU",
        "price/",
        "warehouse/",
        "stocklevel/",
        "stockmovement/",
    ],
)
def test_admin_lists_render(path: str) -> None:
    shop = f.shop()
    f.listed_product(shop, name_en="Olive oil", category=f.category("food"))
    admin = f.user("operator", is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.get(f"/admin/catalog/{path}")
    assert response.status_code == 200


def test_admin_product_page_has_variant_inline() -> None:
    shop = f.shop()
    product, variant = f.listed_product(shop)
    client = Client()
    client.force_login(f.user("operator", is_superuser=True))
    html = client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
    assert variant.sku in html
    html = client.get(f"/admin/catalog/variant/{variant.pk}/change/").content.decode()
    assert "prices-TOTAL_FORMS" in html and "stock_levels-TOTAL_FORMS" in html
    # the audit trail is read-only
    assert client.get("/admin/catalog/stockmovement/add/").status_code == 403


def _operator_client() -> Client:
    client = Client()
    client.force_login(f.user("operator", is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["price", "stocklevel", "stockmovement"])
def test_prices_and_stock_cannot_be_added_changed_or_deleted_in_the_admin(model: str) -> None:
    shop = f.shop()
    _product, variant = f.listed_product(shop, amount_minor=1000, units=10)
    services.stock_adjust(
        actor_user_id=shop.owner.pk,
        actor_role="merchant",
        variant_id=variant.pk,
        warehouse_id=shop.warehouse.pk,
        delta=-1,
        reason="broken",
    )
    row = {"price": Price, "stocklevel": StockLevel, "stockmovement": StockMovement}[model]
    obj = row.objects.get()
    other = f.merchant()
    client = _operator_client()
    assert client.get(f"/admin/catalog/{model}/").status_code == 200
    page = client.get(f"/admin/catalog/{model}/{obj.pk}/change/")
    assert page.status_code == 200  # viewable ...
    assert b'name="amount_minor"' not in page.content
    assert b'name="units_on_hand"' not in page.content
    assert b'name="merchant"' not in page.content
    # ... but not writable: a forged POST changes nothing
    forged = {"amount_minor": "1", "units_on_hand": "999", "merchant": str(other.pk)}
    assert client.post(f"/admin/catalog/{model}/{obj.pk}/change/", forged).status_code == 403
    assert client.get(f"/admin/catalog/{model}/add/").status_code == 403
    assert client.post(f"/admin/catalog/{model}/add/", forged).status_code == 403
    assert (
        client.post(f"/admin/catalog/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert row.objects.get(pk=obj.pk).merchant_id == shop.merchant.pk
    assert Price.objects.get().amount_minor == 1000
    assert StockLevel.objects.get().units_on_hand == 9


def test_the_variant_page_shows_prices_and_stock_without_editing_them() -> None:
    shop = f.shop()
    product, variant = f.listed_product(shop, amount_minor=1000, units=10)
    price, level = Price.objects.get(), StockLevel.objects.get()
    client = _operator_client()
    html = client.get(f"/admin/catalog/variant/{variant.pk}/change/").content.decode()
    assert 'name="prices-0-amount_minor"' not in html
    assert 'name="stock_levels-0-units_on_hand"' not in html
    form = {
        "product": product.pk,
        "sku": variant.sku,
        "label": "renamed",
        "min_order_quantity": variant.min_order_quantity,
        "weight_grams": variant.weight_grams,
        "is_active": "on",
        "attributes": "{}",
        "prices-TOTAL_FORMS": "1",
        "prices-INITIAL_FORMS": "1",
        "prices-0-id": price.pk,
        "prices-0-variant": variant.pk,
        "prices-0-amount_minor": "1",
        "stock_levels-TOTAL_FORMS": "1",
        "stock_levels-INITIAL_FORMS": "1",
        "stock_levels-0-id": level.pk,
        "stock_levels-0-variant": variant.pk,
        "stock_levels-0-units_on_hand": "999",
    }
    response = client.post(f"/admin/catalog/variant/{variant.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    variant.refresh_from_db()
    assert variant.label == "renamed"  # the variant's own fields saved ...
    assert Price.objects.get().amount_minor == 1000  # ... its prices and stock did not
    assert StockLevel.objects.get().units_on_hand == 10
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("model", ["product", "variant", "warehouse"])
def test_the_merchant_of_an_existing_row_is_not_editable_in_the_admin(model: str) -> None:
    shop = f.shop()
    product, variant = f.listed_product(shop)
    obj = {"product": product, "variant": variant, "warehouse": shop.warehouse}[model]
    html = _operator_client().get(f"/admin/catalog/{model}/{obj.pk}/change/").content.decode()
    assert 'name="merchant"' not in html
    assert 'name="product"' not in html  # a variant stays with its product
    assert shop.merchant.display_name in html or str(shop.merchant) in html


def test_variants_are_not_added_from_the_product_page() -> None:
    """A variant needs its merchant and the services' checks: the product page's inline
    edits existing variants only (adding one there used to fail with a 500)."""
    shop = f.shop()
    product, variant = f.listed_product(shop)
    client = _operator_client()
    html = client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
    assert 'name="variants-__prefix__-sku"' not in html
    form = {
        "merchant": shop.merchant.pk,
        "slug": product.slug,
        "name_en": product.name_en,
        "name_it": product.name_it,
        "name_zh": product.name_zh,
        "description_en": "",
        "description_it": "",
        "description_zh": "",
        "hs_code": product.hs_code,
        "origin_country": product.origin_country,
        "is_active": "on",
        "variants-TOTAL_FORMS": "2",
        "variants-INITIAL_FORMS": "1",
        "variants-0-id": variant.pk,
        "variants-0-product": product.pk,
        "variants-0-sku": variant.sku,
        "variants-0-label": "",
        "variants-0-min_order_quantity": "1",
        "variants-0-weight_grams": "0",
        "variants-0-is_active": "on",
        "variants-1-product": product.pk,
        "variants-1-sku": "NEW-1",
        "variants-1-min_order_quantity": "1",
        "variants-1-weight_grams": "0",
    }
    client.raise_request_exception = False
    response = client.post(f"/admin/catalog/product/{product.pk}/change/", form)
    assert response.status_code in (200, 302)
    assert list(product.variants.values_list("sku", flat=True)) == [variant.sku]


def test_variants_are_not_added_in_the_admin() -> None:
    client = _operator_client()
    assert client.get("/admin/catalog/variant/add/").status_code == 403
