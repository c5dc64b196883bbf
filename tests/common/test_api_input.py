"""Input the database cannot store is refused before it reaches a query."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_the_body_is_400_not_500(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/tokens",
        '{"username": "a\\u0000b", "password": "whatever-123"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_a_nul_character_in_a_query_parameter_is_422(client: Client) -> None:
    response = client.get("/api/v1/reference/italian-regions/IT-25/municipalities?limit=5&x=%00")
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]


def test_a_nul_character_in_a_form_field_is_named_as_such() -> None:
    """ninja parses form fields with the same querydict parser: its refusal must not call a
    form field a query parameter."""
    from django.test import RequestFactory
    from django.utils.datastructures import MultiValueDict
    from ninja.errors import HttpError

    from fiera.api import FieraParser

    request = RequestFactory().post("/api/v1/outlets/import")
    with pytest.raises(HttpError, match="query parameter or form field"):
        FieraParser().parse_querydict(MultiValueDict({"merchant_id": ["1\x00"]}), [], request)


def test_malformed_json_is_400_in_the_error_shape(client: Client) -> None:
    response = client.post("/api/v1/auth/tokens", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"error", "detail", "context"}


def test_the_payload_that_broke_postgres_is_refused(client: Client) -> None:
    """Found by schemathesis on PostgreSQL: a NUL inside a list of a PATCH body was a 500."""
    from fiera.accounts import services as accounts

    operator = accounts.user_create(
        username="op", password="long-enough-1", role="operator", business_unit="ICE"
    )
    key = accounts.token_issue(user_id=operator.pk).key
    body = '{"description": "x", "sector_slugs": ["\\u00f6\\udab1\\udccf\\u0000", "u"]}'
    response = client.patch(
        "/api/v1/merchants/1000",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400
    lone = client.post(
        "/api/v1/auth/tokens",
        '{"username": "\\ud800", "password": "x-123456"}',
        content_type="application/json",
    )
    assert lone.status_code == 400
