"""Spanish on the trade side: pavilions' Spanish names and introductions (optional,
English shown where empty), category names in Spanish on search hits, RFQs and featured
categories, and trade documents asked for in Spanish."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from fiera.accounts.services import token_issue
from fiera.catalog.models import Category
from fiera.common.errors import InvalidInput
from fiera.trade import selectors
from fiera.trade.search import SupplierHit
from tests.catalog import factories as f
from tests.trade.pavilion_factories import make_pavilion_world
from tests.trade.test_documents import Deal, deal  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
API = "/api/v1/trade"


def _h(user: Any, language: str = "en") -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}",
        "HTTP_ACCEPT_LANGUAGE": language,
    }


def test_a_pavilion_has_optional_spanish_texts(client: Client) -> None:
    cache.clear()
    pw = make_pavilion_world(name_es="Pabellón Italia", intro_es="Fabricantes italianos.")
    Category.objects.filter(pk=pw.category.pk).update(name_es="Alimentación")
    one = client.get(f"{API}/pavilions/{pw.pavilion.slug}").json()
    assert (one["name_es"], one["intro_es"]) == ("Pabellón Italia", "Fabricantes italianos.")
    assert one["featured_categories"][0]["name_es"] == "Alimentación"
    info = selectors.pavilion_get(slug=pw.pavilion.slug)
    assert info.name("es") == "Pabellón Italia" and info.intro("es-ES") == "Fabricantes italianos."
    assert info.featured[0].name("es") == "Alimentación"
    assert info.name("it") == "Padiglione Made in Italy"

    body = {
        "slug": "design-italiano",
        "name_it": "Design italiano",
        "name_en": "Italian design",
        "name_zh": "意大利设计馆",
        "marketplace": "trade",
        "partner_id": pw.partner.id,
        "country": "IT",
        "quota": 10,
    }
    made = client.post(
        f"{API}/pavilions", body, content_type="application/json", **_h(f.user("operator"))
    )
    assert made.status_code == 201, made.content
    assert (made.json()["name_es"], made.json()["intro_es"]) == ("", "")
    plain = selectors.pavilion_get(slug="design-italiano")
    assert plain.name("es") == "Italian design"  # no Spanish name: the English one


def test_a_too_long_spanish_pavilion_name_is_refused() -> None:
    cache.clear()
    with pytest.raises(InvalidInput):
        make_pavilion_world(name_es="x" * 121)


def test_category_names_in_spanish_or_else_english() -> None:
    hit = SupplierHit(
        merchant_id=1,
        merchant_slug="rossi",
        display_name="Oleificio Rossi",
        level="none",
        level_label="",
        region_code="",
        region_name="",
        categories=(
            ("food", "Alimentari", "Food", "食品", "Alimentación"),
            ("wine", "Vini", "Wine", "酒类", ""),
        ),
        listings=2,
    )
    assert hit.category_names("es") == ["Alimentación", "Wine"]
    assert hit.category_names("it") == ["Alimentari", "Vini"]
    assert hit.category_names("zh-hans") == ["食品", "酒类"]
    assert hit.category_names("en") == ["Food", "Wine"]


def test_documents_in_spanish(client: Client, deal: Deal) -> None:  # noqa: F811
    assert selectors.document_language("es") == "es"
    with translation.override("es"):
        assert selectors.document_language(None) == "es"
    answer = client.get(
        f"{API}/orders/{deal.number}/documents/proforma?lang=es", **_h(deal.world.buyer)
    )
    assert answer.status_code == 200
    assert answer["Content-Language"] == "es"
    assert f"proforma-{deal.number}-es.pdf" in answer["Content-Disposition"]
    reader = client.get(
        f"{API}/orders/{deal.number}/documents/proforma", **_h(deal.world.buyer, "es")
    )
    assert reader["Content-Language"] == "es"
