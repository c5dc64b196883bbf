"""Journeys of issue 7: unknown API paths answer JSON, pages answer the product's own error
pages, and nothing a page loads comes from another host (the API docs included)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path

import fiera
from fiera import urls as fiera_urls

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


def test_the_demo_serves_with_debug_off_on_a_key_generated_for_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fiera import config

    monkeypatch.setattr(config, "LOCAL_SECRET_KEY_FILE", tmp_path / "var" / "secret_key")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)
    assert config.local_secret_key() == ""
    assert any("SECRET_KEY" in p for p in config.problems(config.load()))  # no key: refused
    assert config.local_secret_key_ensure() is True
    key = config.local_secret_key()
    assert len(key) >= 50
    assert (config.LOCAL_SECRET_KEY_FILE.stat().st_mode & 0o777) == 0o600
    assert config.local_secret_key_ensure() is False  # kept: sessions survive a rebuild
    assert config.local_secret_key() == key
    monkeypatch.setenv("SECRET_KEY", key)  # what `make demo` serves with
    loaded = config.load()
    assert (loaded.debug, loaded.secret_key) == (False, key)
    assert not [p for p in config.problems(loaded) if "SECRET_KEY" in p]


def test_make_demo_serves_without_debug() -> None:
    makefile = (TEMPLATE_ROOT.parent.parent / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "fiera serve" in recipe and "fiera demo" in recipe
    assert "DEBUG=true" not in recipe
    assert 'SECRET_KEY="$$(cat var/secret_key)"' in recipe


def _boom(request: object) -> None:
    raise RuntimeError("a bug")


def _forbidden(request: object) -> None:
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


# The product's URLs (the error pages link to them) plus two views that fail.
urlpatterns = [path("boom/", _boom), path("forbidden/", _forbidden), *fiera_urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_a_server_error_and_a_denial_show_the_products_pages_not_debug_ones() -> None:
    client = Client(raise_request_exception=False)
    boom = client.get("/boom/")
    assert boom.status_code == 500
    assert "Something went wrong" in boom.content.decode()
    assert "Traceback" not in boom.content.decode() and "RuntimeError" not in boom.content.decode()
    denied = client.get("/forbidden/")
    assert denied.status_code == 403
    assert "Not allowed" in denied.content.decode()
