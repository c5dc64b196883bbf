"""Spanish names of marketplaces (``name_es``): created, read by both selectors and the
API, shown to Spanish readers; English where there is none."""

from __future__ import annotations

import pytest
from django.test import Client

from fiera.marketplaces import selectors
from tests.marketplaces.factories import make_marketplace
from tests.merchants.factories import bearer, make_user

pytestmark = pytest.mark.django_db

NEW = {
    "slug": "iberia",
    "name": "Italia Iberia",
    "name_es": "Italia Iberia en español",
    "kind": "regional",
    "languages": ["es", "en"],
    "default_language": "es",
    "default_currency": "EUR",
    "countries": {"ES": "EUR", "PT": "EUR"},
}


def test_the_api_creates_and_reads_the_spanish_name(client: Client) -> None:
    operator = make_user("operator")
    response = client.post(
        "/api/v1/marketplaces", NEW, content_type="application/json", **bearer(operator)
    )
    assert response.status_code == 201, response.content
    assert response.json()["name_es"] == "Italia Iberia en español"
    assert response.json()["languages"] == ["es", "en"]
    body = client.get("/api/v1/marketplaces/iberia").json()
    assert (body["name"], body["name_es"]) == ("Italia Iberia", "Italia Iberia en español")
    listed = {m["slug"]: m for m in client.get("/api/v1/marketplaces").json()}
    assert listed["iberia"]["name_es"] == "Italia Iberia en español"


def test_the_spanish_name_is_optional_and_at_most_120_characters(client: Client) -> None:
    operator = make_user("operator")
    plain = {k: v for k, v in NEW.items() if k != "name_es"}
    response = client.post(
        "/api/v1/marketplaces", plain, content_type="application/json", **bearer(operator)
    )
    assert response.status_code == 201, response.content
    assert response.json()["name_es"] == ""
    too_long = client.post(
        "/api/v1/marketplaces",
        {**NEW, "slug": "iberia-long", "name_es": "x" * 121},
        content_type="application/json",
        **bearer(operator),
    )
    assert too_long.status_code == 422


def test_both_selectors_carry_the_spanish_name() -> None:
    made = make_marketplace(slug="es-names", name="Italia Trade", name_es="Italia Mayorista")
    assert made.name_es == "Italia Mayorista"
    assert selectors.marketplace_get(slug="es-names").name_es == "Italia Mayorista"  # raw SQL
    assert selectors.marketplace_get_by_id(marketplace_id=made.id).name_es == "Italia Mayorista"
    infos = {m.slug: m for m in selectors.marketplace_infos()}
    assert infos["es-names"].name_es == "Italia Mayorista"


def test_storefront_header_shows_the_spanish_name_or_else_english(client: Client) -> None:
    make_marketplace(
        slug="names-es", name="Italia Trade", name_it="Italia Ingrosso", name_es="Italia Mayorista"
    )
    make_marketplace(slug="names-en", name="Italia Southeast Asia", name_it="Italia Sud-est")
    page = client.get("/m/names-es/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<strong>Italia Mayorista</strong>" in page
    page = client.get("/m/names-es/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "<strong>Italia Ingrosso</strong>" in page
    fallback = client.get("/m/names-en/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").content.decode()
    assert "<strong>Italia Southeast Asia</strong>" in fallback
