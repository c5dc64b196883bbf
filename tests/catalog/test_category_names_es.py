"""Spanish names of categories (``name_es``): created by operators, read by the
selectors and the API, shown to Spanish readers; English where there is none."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fiera.accounts.models import User
from fiera.accounts.services import token_issue
from fiera.catalog import selectors, services
from fiera.catalog.models import Category
from fiera.common.errors import InvalidInput
from fiera.demo import vocabulary
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> Client:
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {token_issue(user_id=user.pk).key}"})


def test_operators_create_a_category_with_a_spanish_name() -> None:
    operator = f.user("operator")
    response = _client(operator).post(
        "/api/v1/categories",
        {"slug": "wine", "name_en": "Wine", "name_it": "Vini", "name_es": "Vinos"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["name_es"] == "Vinos"
    listed = {c["slug"]: c for c in _client().get("/api/v1/categories").json()}
    assert listed["wine"]["name_es"] == "Vinos"
    plain = _client(operator).post(
        "/api/v1/categories",
        {"slug": "oil", "name_en": "Oil"},
        content_type="application/json",
    )
    assert plain.status_code == 201 and plain.json()["name_es"] == ""


def test_the_spanish_name_is_checked_like_the_others() -> None:
    with pytest.raises(InvalidInput) as too_long:
        services.category_create(
            actor_user_id=f.user("operator").pk,
            actor_role="operator",
            slug="long",
            name_en="Long",
            name_es="x" * 121,
        )
    assert "Spanish name" in str(too_long.value.message())


def test_selectors_carry_the_spanish_name() -> None:
    shop = f.shop(f.marketplace(slug="es-cats", countries={"ES": "EUR"}))
    food = f.category("food", name_en="Food")
    Category.objects.filter(pk=food.pk).update(name_es="Alimentación")
    product, _variant = f.listed_product(shop, category=food, currency="EUR")
    assert [c.name_es for c in selectors.category_list()] == ["Alimentación"]
    counts = selectors.category_counts(marketplace_id=shop.marketplace.pk, currency="EUR")
    assert [(c.slug, c.name_es) for c in counts] == [("food", "Alimentación")]
    detail = selectors.product_detail(
        marketplace_id=shop.marketplace.pk, currency="EUR", product_id=product.pk
    )
    assert detail.category is not None and detail.category.name_es == "Alimentación"


def test_storefront_shows_category_names_in_spanish_or_else_english() -> None:
    shop = f.shop(f.marketplace(slug="es-home", countries={"ES": "EUR"}))
    food = f.category("food", name_en="Food")
    wine = f.category("wine", name_en="Wine")
    Category.objects.filter(pk=food.pk).update(name_es="Alimentación")
    f.listed_product(shop, category=food, currency="EUR")
    f.listed_product(shop, category=wine, currency="EUR")
    url = reverse("catalog:storefront_home", args=["es-home"])
    html = Client(HTTP_ACCEPT_LANGUAGE="es").get(url).content.decode()
    assert "Alimentación" in html
    assert "Wine" in html  # no Spanish name: the English one
    assert "Alimentación" not in Client(HTTP_ACCEPT_LANGUAGE="it").get(url).content.decode()


def test_every_demo_category_has_a_spanish_name() -> None:
    slugs = set(vocabulary.CATEGORY_TREE) | {
        child for _names, children in vocabulary.CATEGORY_TREE.values() for child, _ in children
    }
    assert set(vocabulary.CATEGORY_NAMES_ES) == slugs
    assert all(vocabulary.CATEGORY_NAMES_ES.values())
