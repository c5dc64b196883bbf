"""Spanish names and descriptions of festivals (``name_es``, ``description_es``): created
and changed through the API, shown on the festival page to Spanish readers; English where
there is none."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fiera.accounts.services import token_issue
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


def _send(client: Client, token: str, method: str, path: str, body: object = None) -> object:
    return getattr(client, method)(
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_operators_write_the_spanish_texts_and_readers_see_them() -> None:
    f.marketplace(slug="bottega")
    token = token_issue(user_id=f.user(role="operator").pk).key
    now = timezone.now()
    client = Client()
    body = {
        "slug": "semana",
        "name": "Italia Week",
        "name_es": "Semana Italia",
        "description": "Four days of Italian brands.",
        "description_es": "Cuatro días de marcas italianas.",
        "marketplaces": ["bottega"],
        "warmup_starts_at": (now - timedelta(hours=2)).isoformat(),
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=3)).isoformat(),
        "is_published": True,
    }
    made = _send(client, token, "post", "/festivals", body)
    assert made.status_code == 201, made.content
    assert (made.json()["name_es"], made.json()["description_es"]) == (
        "Semana Italia",
        "Cuatro días de marcas italianas.",
    )
    html = Client().get("/festivals/semana/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Semana Italia" in html and "Cuatro días de marcas italianas." in html
    assert "Semana Italia" not in Client().get("/festivals/semana/").content.decode()

    changed = _send(client, token, "patch", "/festivals/semana", {"name_es": ""})
    assert changed.status_code == 200 and changed.json()["name_es"] == ""
    html = Client().get("/festivals/semana/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Italia Week" in html  # no Spanish name: the English one
    too_long = _send(client, token, "patch", "/festivals/semana", {"name_es": "x" * 121})
    assert too_long.status_code == 422
