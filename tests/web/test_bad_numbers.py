"""Numbers typed into pages and forms: "²" and "٣" pass ``str.isdigit()``, and "²" then
breaks ``int()``. Every page answers a 4xx or ignores the bad value; none answers 500.

The pages span apps (merchant console, catalog console, orders console, wallet, outlet
import), so this module lives with the shell of the pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fiera.catalog.models import Price
from fiera.merchants.models import Store
from fiera.payments.models import Outlet
from tests.catalog import factories as f
from tests.payments.factories import make_buyer, make_merchant, make_user

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "²"  # isdigit() True, int() ValueError
ARABIC_INDIC_THREE = "٣"  # isdigit() True, int() 3
HUGE = "9" * 30  # past any database integer


@pytest.fixture
def shop() -> Any:
    shop = f.shop()
    shop.product, shop.variant = f.listed_product(
        shop, name_en="Olive oil", currency="EUR", amount_minor=900
    )
    return shop


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "name", ["merchants:console_home", "catalog:console_products", "catalog:console_stock"]
)
@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_INDIC_THREE, HUGE, "-1", "1.0"])
def test_a_console_merchant_that_is_not_an_id_is_404(shop: Any, name: str, value: str) -> None:
    response = _signed_in(shop.owner).get(reverse(name), {"merchant": value})
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["catalog:console_products", "catalog:console_stock"])
@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_INDIC_THREE, HUGE, "-5", ""])
def test_a_console_page_number_that_is_not_a_number_shows_the_first_page(
    shop: Any, name: str, value: str
) -> None:
    response = _signed_in(shop.owner).get(reverse(name), {"page": value})
    assert response.status_code == 200
    assert "Olive oil" in response.content.decode()


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_INDIC_THREE, HUGE])
def test_the_store_page_ignores_a_bad_page_number(shop: Any, value: str) -> None:
    store = Store.objects.get(merchant=shop.merchant)
    url = reverse("catalog:store", args=[shop.marketplace.slug, store.slug])
    response = Client().get(url, {"page": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_INDIC_THREE, HUGE])
def test_the_orders_console_ignores_a_bad_merchant_filter(shop: Any, value: str) -> None:
    client = _signed_in(shop.owner)
    response = client.get(reverse("orders:console_orders"), {"merchant": value})
    assert response.status_code == 200
    assert "That company filter is not a company id" in response.content.decode()
    assert client.get(reverse("orders:console_orders"), {"page": value}).status_code == 200


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_INDIC_THREE, HUGE])
def test_the_wallet_ignores_a_bad_page_number(value: str) -> None:
    response = _signed_in(make_buyer()).get(reverse("payments:wallet"), {"page": value})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "tiers",
    [
        f"{SUPERSCRIPT_TWO} = 10",  # the 500 of the issue
        f"1 = 12.00\n{ARABIC_INDIC_THREE} = 10",
        f"1 = 12.00\n{HUGE} = 10",
        f"1 = 1{ARABIC_INDIC_THREE}.00",
        "1 = 1e3",
    ],
)
def test_the_price_form_refuses_tiers_that_are_not_ascii_numbers(shop: Any, tiers: str) -> None:
    product, variant = shop.product, shop.variant
    response = _signed_in(shop.owner).post(
        reverse("catalog:console_product_edit", args=[product.pk]),
        {
            "action": "price",
            "variant_id": str(variant.pk),
            "listing": f"{shop.marketplace.pk}:EUR",
            "tiers": tiers,
        },
    )
    assert response.status_code == 422
    assert list(Price.objects.filter(variant=variant).values_list("amount_minor", flat=True)) == [
        900
    ]


@pytest.mark.parametrize("field", ["min_order_quantity", "weight_grams"])
@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_INDIC_THREE, HUGE])
def test_the_variant_form_refuses_numbers_that_are_not_ascii(
    shop: Any, field: str, value: str
) -> None:
    product = shop.product
    data = {"action": "variant", "sku": "OIL-5L", "min_order_quantity": "1", "weight_grams": "0"}
    response = _signed_in(shop.owner).post(
        reverse("catalog:console_product_edit", args=[product.pk]), {**data, field: value}
    )
    assert response.status_code == 422
    assert product.variants.count() == 1


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_INDIC_THREE, HUGE, "x"])
def test_the_outlet_import_form_refuses_a_merchant_that_is_not_an_id(value: str) -> None:
    make_merchant()
    client = _signed_in(make_user("operator"))
    csv = b"code,name,address,municipality_code\nUP-1,Ufficio,Via Roma 1,015146\n"
    response = client.post(
        reverse("payments:outlets_import"),
        {"merchant": value, "file": SimpleUploadedFile("o.csv", csv)},
    )
    assert response.status_code == 422
    assert "Choose the merchant" in response.content.decode()
    assert not Outlet.objects.exists()


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_INDIC_THREE, HUGE])
def test_cart_forms_refuse_numbers_that_are_not_ascii(shop: Any, value: str) -> None:
    client = _signed_in(f.user("buyer"))
    slug = shop.marketplace.slug
    variant = shop.variant
    for data in ({"variant_id": value}, {"variant_id": variant.pk, "quantity": value}):
        response = client.post(reverse("orders:cart_add", args=[slug]), data, follow=True)
        assert response.status_code == 200
        assert "Choose a variant and a quantity" in response.content.decode()
    response = client.post(
        reverse("orders:cart", args=[slug]), {f"qty-{variant.pk}": value}, follow=True
    )
    assert response.status_code == 200
    assert "Quantities are whole numbers" in response.content.decode()
