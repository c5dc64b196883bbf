"""The catalog's HTTP contract: status codes, payloads, denials."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fiera.accounts.models import User
from fiera.accounts.services import token_issue
from fiera.catalog.models import Price, Product, StockLevel, Variant
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _client(user: User | None = None) -> Client:
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {token_issue(user_id=user.pk).key}"})


def _json(client: Client, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    call = getattr(client, method)
    response = call(f"{API}{path}", data=body, content_type="application/json")
    return response.status_code, response.json() if response.content else None


# --- public ---------------------------------------------------------------------------------


def test_public_search_and_detail() -> None:
    mp = f.marketplace(slug="tmall-it", countries={"CN": "CNY", "IT": "EUR"})
    shop = f.shop(mp)
    product, variant = f.listed_product(
        shop, name_en="Olive oil", name_zh="橄榄油", currency="CNY", amount_minor=9900
    )
    f.price(variant, mp, 1500)
    client = _client()

    status, body = _json(client, "get", "/marketplaces/tmall-it/products?q=橄榄&country=CN")
    assert status == 200
    assert body["total"] == 1 and body["currency"] == "CNY"
    card = body["items"][0]
    assert card["product_id"] == product.pk
    assert (card["from_price_minor"], card["currency"], card["in_stock"]) == (9900, "CNY", True)

    status, body = _json(client, "get", "/marketplaces/tmall-it/products?sort=price_asc&limit=1")
    assert (status, body["currency"], body["items"][0]["from_price_minor"]) == (200, "EUR", 1500)

    status, body = _json(client, "get", f"/marketplaces/tmall-it/products/{product.pk}?country=CN")
    assert status == 200
    assert body["variants"][0]["tiers"] == [{"min_quantity": 1, "amount_minor": 9900}]
    assert body["variants"][0]["units_available"] == 10
    assert body["merchant"]["id"] == shop.merchant.pk


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/marketplaces/nope/products", 404, "marketplace_not_found"),
        ("/marketplaces/tmall-it/products?country=US", 404, "country_not_served"),
        ("/marketplaces/tmall-it/products?country=ZZ", 422, "invalid"),
        ("/marketplaces/tmall-it/products?sort=cheap", 422, "invalid"),
        ("/marketplaces/tmall-it/products?limit=1000", 422, "invalid"),
        ("/marketplaces/tmall-it/products?min_price=-1", 422, "invalid"),
        ("/marketplaces/tmall-it/products/424242", 404, "product_not_found"),
        ("/marketplaces/tmall-it/products/0", 422, "invalid"),
    ],
)
def test_public_errors(path: str, status: int, code: str) -> None:
    f.marketplace(slug="tmall-it", countries={"CN": "CNY"})
    got, body = _json(_client(), "get", path)
    assert (got, body["error"]) == (status, code)


def test_categories_are_public_and_operators_create_them() -> None:
    f.category("food", name_en="Food")
    status, body = _json(_client(), "get", "/categories")
    assert status == 200 and [c["slug"] for c in body] == ["food"]
    payload = {"slug": "wine", "name_en": "Wine", "parent": "food"}
    assert _json(_client(), "post", "/categories", payload)[0] == 401
    assert _json(_client(f.shop().owner), "post", "/categories", payload)[0] == 403
    status, body = _json(_client(f.user("operator")), "post", "/categories", payload)
    assert status == 201 and body["parent_id"] is not None


# --- merchant staff -------------------------------------------------------------------------


def test_staff_manage_products_end_to_end() -> None:
    mp = f.marketplace(slug="italia", countries={"IT": "EUR"})
    shop = f.shop(mp)
    client = _client(shop.owner)

    status, product = _json(
        client,
        "post",
        f"/merchants/{shop.merchant.pk}/products",
        {"name_en": "Olive oil", "name_zh": "橄榄油", "hs_code": "1509.20", "origin_country": "IT"},
    )
    assert status == 201, product
    assert (product["hs_code"], product["slug"]) == ("150920", "olive-oil")

    status, body = _json(client, "patch", f"/products/{product['id']}", {"name_it": "Olio"})
    assert (status, body["name_it"], body["name_en"]) == (200, "Olio", "Olive oil")

    status, variant = _json(
        client, "post", f"/products/{product['id']}/variants", {"sku": "OIL-1", "label": "1 L"}
    )
    assert status == 201 and variant["merchant_id"] == shop.merchant.pk
    status, body = _json(client, "post", f"/products/{product['id']}/variants", {"sku": "OIL-1"})
    assert (status, body["error"]) == (409, "sku_taken")
    status, body = _json(client, "patch", f"/variants/{variant['id']}", {"min_order_quantity": 2})
    assert (status, body["min_order_quantity"]) == (200, 2)

    status, body = _json(
        client,
        "put",
        f"/variants/{variant['id']}/prices",
        {"marketplace_id": mp.pk, "currency": "EUR", "tiers": [{"amount_minor": 1500}]},
    )
    assert status == 200 and body["tiers"] == [{"min_quantity": 1, "amount_minor": 1500}]
    status, body = _json(
        client,
        "put",
        f"/variants/{variant['id']}/prices",
        {"marketplace_id": mp.pk, "currency": "USD", "tiers": [{"amount_minor": 1500}]},
    )
    assert (status, body["error"]) == (409, "currency_not_used")
    status, body = _json(
        client,
        "put",
        f"/variants/{variant['id']}/prices",
        {"marketplace_id": mp.pk, "currency": "EUR", "tiers": [{"amount_minor": 0}]},
    )
    assert status == 422

    status, warehouse = _json(
        client,
        "post",
        f"/merchants/{shop.merchant.pk}/warehouses",
        {"code": "bari", "name": "Bari"},
    )
    assert status == 201
    stock_path = f"/variants/{variant['id']}/stock/{warehouse['id']}"
    status, body = _json(client, "put", stock_path, {"units_on_hand": 5, "reason": "count"})
    assert (status, body["units_on_hand"]) == (200, 5)
    status, body = _json(client, "post", f"{stock_path}/adjust", {"delta": -2, "reason": "broken"})
    assert (status, body["units_on_hand"]) == (200, 3)
    status, body = _json(client, "post", f"{stock_path}/adjust", {"delta": -4, "reason": "sold"})
    assert (status, body["error"]) == (409, "stock_negative")
    assert StockLevel.objects.get(warehouse_id=warehouse["id"]).units_on_hand == 3

    status, body = _json(client, "get", f"/merchants/{shop.merchant.pk}/products?q=oil")
    assert status == 200 and body["total"] == 1
    assert body["items"][0]["units_on_hand"] == 3

    status, body = _json(_client(), "get", "/marketplaces/italia/products?q=olio")
    assert [c["product_id"] for c in body["items"]] == [product["id"]]


def test_denials() -> None:
    shop, other = f.shop(), f.shop()
    product, variant = f.listed_product(shop)
    buyer = f.user("buyer")
    product_body = {"name_en": "x", "hs_code": "150920"}
    writes: list[tuple[str, str, Any]] = [
        ("post", f"/merchants/{shop.merchant.pk}/products", product_body),
        ("patch", f"/products/{product.pk}", {"name_en": "Hacked"}),
        ("post", f"/products/{product.pk}/variants", {"sku": "HACK"}),
        ("patch", f"/variants/{variant.pk}", {"label": "Hacked"}),
        (
            "put",
            f"/variants/{variant.pk}/prices",
            {"marketplace_id": shop.marketplace.pk, "currency": "EUR", "tiers": []},
        ),
        ("post", f"/merchants/{shop.merchant.pk}/warehouses", {"code": "x", "name": "x"}),
        ("put", f"/variants/{variant.pk}/stock/{shop.warehouse.pk}", {"units_on_hand": 0}),
        (
            "post",
            f"/variants/{variant.pk}/stock/{shop.warehouse.pk}/adjust",
            {"delta": -1, "reason": "x"},
        ),
        ("get", f"/merchants/{shop.merchant.pk}/products", None),
    ]
    for method, path, body in writes:
        anonymous = _json(_client(), method, path, body)
        assert anonymous[0] == 401, (method, path, anonymous)
        as_buyer = _json(_client(buyer), method, path, body)
        assert as_buyer[0] == 403, (method, path, as_buyer)
        as_other = _json(_client(other.owner), method, path, body)
        assert as_other[0] == 404, (method, path, as_other)
    product.refresh_from_db()
    assert product.name_en != "Hacked"
    assert Product.objects.count() == 1
    assert not Variant.objects.filter(sku="HACK").exists()
    assert Price.objects.filter(variant=variant).exists()
    assert StockLevel.objects.get(variant=variant).units_on_hand == 10


def test_every_operation_declares_its_error_responses() -> None:
    """What the OpenAPI says each operation can answer (schemathesis holds us to it)."""
    from fiera.catalog.api import router

    declared = {
        (method, path): set(operation.response_models)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    public = {
        ("GET", "/marketplaces/{slug}/products"),
        ("GET", "/marketplaces/{slug}/products/{product_id}"),
    }
    assert public <= set(declared)
    for key in public:
        assert {200, 404, 422} <= declared[key], key
    staff = set(declared) - public - {("GET", "/categories")}
    # 10 for products, prices and stock; 4 for product pictures; 2 for listing terms, samples
    assert len(staff) == 16
    for key in staff:
        assert {401, 403, 404, 422} <= declared[key], key
        if key[0] != "GET":
            assert 409 in declared[key], key


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"units_on_hand": 4}, 200),
        ({"units_on_hand": 4.0}, 422),  # an integer is a JSON integer, not 4.0
        ({"units_on_hand": 4.5}, 422),
        ({"units_on_hand": True}, 422),  # not 1
        ({"units_on_hand": "4"}, 422),  # not a number
        ([{"units_on_hand": 4}], 422),  # not an object
        ('"units"', 422),  # a JSON string
        ("not json", 400),
        # NUL cannot be stored by PostgreSQL: the API parser refuses it for every body (400).
        ({"units_on_hand": 4, "reason": "a\x00b"}, 400),
    ],
)
def test_bodies_are_typed_strictly(body: Any, status: int) -> None:
    shop = f.shop()
    _product, variant = f.listed_product(shop)
    got, payload = _json(
        _client(shop.owner), "put", f"/variants/{variant.pk}/stock/{shop.warehouse.pk}", body
    )
    assert got == status, payload
    expected = 4 if status == 200 else 10
    assert StockLevel.objects.get(variant=variant).units_on_hand == expected


def test_stock_cannot_exceed_the_maximum() -> None:
    shop = f.shop()
    _product, variant = f.listed_product(shop)
    status, body = _json(
        _client(shop.owner),
        "post",
        f"/variants/{variant.pk}/stock/{shop.warehouse.pk}/adjust",
        {"delta": 999_999_999, "reason": "typo"},
    )
    assert (status, body["error"]) == (409, "stock_too_large")
