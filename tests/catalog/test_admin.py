from __future__ import annotations

import pytest
from django.test import Client

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
