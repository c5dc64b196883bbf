from __future__ import annotations

import pytest
from django.test import Client

from tests.marketplaces.factories import make_marketplace
from tests.merchants.factories import bearer, make_user

pytestmark = pytest.mark.django_db

NEW = {
    "slug": "nordic",
    "name": "Nordic",
    "kind": "regional",
    "languages": ["en"],
    "default_language": "en",
    "default_currency": "EUR",
    "countries": {"SE": "SEK", "DK": "DKK", "FI": "EUR"},
}


def test_public_list_and_detail(client: Client) -> None:
    made = make_marketplace(slug="eu", countries={"IT": "EUR", "CH": "CHF"})
    response = client.get("/api/v1/marketplaces")
    assert response.status_code == 200
    assert [m["slug"] for m in response.json()] == ["eu"]
    response = client.get("/api/v1/marketplaces/eu")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == made.id
    assert body["countries"] == {"CH": "CHF", "IT": "EUR"}


def test_unknown_marketplace_is_404_json(client: Client) -> None:
    response = client.get("/api/v1/marketplaces/nowhere")
    assert response.status_code == 404
    assert response.json()["error"] == "marketplace_not_found"


def test_operator_creates(client: Client) -> None:
    operator = make_user("operator")
    response = client.post(
        "/api/v1/marketplaces", NEW, content_type="application/json", **bearer(operator)
    )
    assert response.status_code == 201, response.content
    assert response.json()["countries"] == {"DK": "DKK", "FI": "EUR", "SE": "SEK"}
    again = client.post(
        "/api/v1/marketplaces", NEW, content_type="application/json", **bearer(operator)
    )
    assert again.status_code == 409
    assert again.json()["error"] == "marketplace_slug_taken"


def test_create_validation_is_422(client: Client) -> None:
    operator = make_user("operator")
    response = client.post(
        "/api/v1/marketplaces",
        {**NEW, "countries": {"SE": "XYZ"}},
        content_type="application/json",
        **bearer(operator),
    )
    assert response.status_code == 422
    assert "XYZ" in response.json()["detail"]


@pytest.mark.parametrize("role", ["buyer", "merchant", "partner"])
def test_non_operators_get_403(client: Client, role: str) -> None:
    user = make_user(role)
    response = client.post(
        "/api/v1/marketplaces", NEW, content_type="application/json", **bearer(user)
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "operator_only",
        "detail": "Only a Fiera operator can change marketplaces.",
        "context": "only an operator may change marketplaces",
    }
    make_marketplace(slug="eu")
    response = client.put(
        "/api/v1/marketplaces/eu/countries/GB",
        {"currency": "GBP"},
        content_type="application/json",
        **bearer(user),
    )
    assert response.status_code == 403


def test_unauthenticated_writes_get_401(client: Client) -> None:
    response = client.post("/api/v1/marketplaces", NEW, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_operator_sets_country_currency(client: Client) -> None:
    operator = make_user("operator")
    make_marketplace(slug="eu", countries={"IT": "EUR"})
    response = client.put(
        "/api/v1/marketplaces/eu/countries/GB",
        {"currency": "GBP"},
        content_type="application/json",
        **bearer(operator),
    )
    assert response.status_code == 200
    assert response.json()["countries"] == {"GB": "GBP", "IT": "EUR"}
    missing = client.put(
        "/api/v1/marketplaces/nowhere/countries/GB",
        {"currency": "GBP"},
        content_type="application/json",
        **bearer(operator),
    )
    assert missing.status_code == 404


def test_names_in_italian_and_chinese_are_created_and_read(client: Client) -> None:
    operator = make_user("operator")
    response = client.post(
        "/api/v1/marketplaces",
        {**NEW, "slug": "nordic-names", "name_it": "Nordico", "name_zh": "北欧商城"},
        content_type="application/json",
        **bearer(operator),
    )
    assert response.status_code == 201, response.content
    body = client.get("/api/v1/marketplaces/nordic-names").json()
    assert (body["name"], body["name_it"], body["name_zh"]) == ("Nordic", "Nordico", "北欧商城")
    plain = client.post(
        "/api/v1/marketplaces", NEW, content_type="application/json", **bearer(operator)
    ).json()
    assert (plain["name_it"], plain["name_zh"]) == ("", "")
    too_long = client.post(
        "/api/v1/marketplaces",
        {**NEW, "slug": "nordic-long", "name_it": "x" * 121},
        content_type="application/json",
        **bearer(operator),
    )
    assert too_long.status_code == 422


def test_storefront_header_shows_the_name_in_the_reader_language(client: Client) -> None:
    make_marketplace(
        slug="names", name="Italia Trade", name_it="Italia Ingrosso", name_zh="意大利批发商城"
    )
    for language, name in [
        ("it", "Italia Ingrosso"),
        ("zh-hans", "意大利批发商城"),
        ("en", "Italia Trade"),
    ]:
        page = client.get("/m/names/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f"<strong>{name}</strong>" in page, language
