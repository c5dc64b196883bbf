"""Journeys of issue 7: unknown API paths answer JSON, pages answer the product's own error
pages, and nothing a page loads comes from another host (the API docs included)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import fiera

pytestmark = pytest.mark.django_db

TEMPLATE_ROOT = Path(fiera.__file__).resolve().parent


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing", "/api/v1/no/such/thing/", "/api/v1", "/api/v1/orders/x/y"]
)
def test_an_unknown_api_path_answers_404_json_for_any_method(method: str, path: str) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "not_found"
    assert path in body["detail"]


def test_known_api_paths_still_answer() -> None:
    assert Client().get("/api/v1/marketplaces").status_code == 200


def test_a_missing_page_is_the_products_404_not_the_debug_page() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Fiera" in text
    assert "URLconf" not in text and "Django tried these URL patterns" not in text


def test_the_api_docs_load_swagger_from_this_host() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in text
    assert "cdn." not in text and "https://" not in text
    asset = Client().get("/static/ninja/swagger-ui-bundle.js")
    asset.close()  # a file response: closing it closes the file
    assert asset.status_code == 200


# A reference to another host: a URL with a scheme or scheme-relative, in an attribute or CSS.
OTHER_HOST = re.compile(r"""(?:src|href|action|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)


def test_no_template_loads_anything_from_another_host() -> None:
    templates = sorted(TEMPLATE_ROOT.glob("*/templates/**/*.html"))
    assert templates
    offenders = [
        f"{path.relative_to(TEMPLATE_ROOT)}: {match.group(0)}"
        for path in templates
        for match in OTHER_HOST.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
