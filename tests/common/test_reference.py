"""The reference-data router, tested alone (TestClient on the router) and behind a
NinjaAPI with the same domain-error handler as fiera.api, for the 404 JSON shape."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.testing import TestClient

from fiera.common.api import CurrencyNotFound, RegionNotFound, router
from fiera.common.errors import DomainError

_namespaces = count(1)


def _client() -> TestClient:
    """The router behind an API that maps domain errors like fiera.api does."""
    api = NinjaAPI(urls_namespace=f"reference-test-{next(_namespaces)}")

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_payload(), status=exc.status)

    api.add_router("", router)
    return TestClient(api)


def test_countries() -> None:
    response = TestClient(router).get("/reference/countries")
    assert response.status_code == 200
    countries: list[dict[str, Any]] = response.json()
    assert len(countries) >= 249
    by_code = {c["code"]: c["name"] for c in countries}
    assert by_code["IT"] == "Italy"
    assert by_code["CN"] == "China"
    names = [c["name"] for c in countries]
    assert names == sorted(names)


def test_italian_regions() -> None:
    response = TestClient(router).get("/reference/italian-regions")
    assert response.status_code == 200
    regions = {r["code"]: r["name"] for r in response.json()}
    assert len(regions) == 20
    assert regions["IT-25"] == "Lombardia"
    assert regions["IT-88"] == "Sardegna"


def test_municipalities_of_a_region_are_paged() -> None:
    client = TestClient(router)
    response = client.get("/reference/italian-regions/IT-25/municipalities?limit=5")
    assert response.status_code == 200
    page = response.json()
    assert page["count"] > 1400  # Lombardy has about 1,500 municipalities
    assert len(page["items"]) == 5
    assert all(m["region_code"] == "IT-25" for m in page["items"])
    codes = [m["istat_code"] for m in page["items"]]
    assert codes == sorted(codes)
    following = client.get("/reference/italian-regions/IT-25/municipalities?limit=5&offset=5")
    assert following.json()["items"][0]["istat_code"] > codes[-1]
    everything = client.get("/reference/italian-regions/IT-23/municipalities?limit=200").json()
    assert everything["count"] == len(everything["items"]) == 74  # Valle d'Aosta
    assert {"istat_code": "007003", "name": "Aosta", "province": "AO", "region_code": "IT-23"} in (
        everything["items"]
    )


def test_unknown_region_is_404_json() -> None:
    response = _client().get("/reference/italian-regions/IT-99/municipalities")
    assert response.status_code == 404
    assert response.json()["error"] == RegionNotFound.code == "region_not_found"
    assert "IT-99" in response.json()["detail"]


@pytest.mark.parametrize(
    ("code", "exponent", "numeric"),
    [("EUR", 2, "978"), ("JPY", 0, "392"), ("KWD", 3, "414"), ("CNY", 2, "156")],
)
def test_currency(code: str, exponent: int, numeric: str) -> None:
    response = TestClient(router).get(f"/reference/currencies/{code}")
    assert response.status_code == 200
    assert response.json() == {"code": code, "exponent": exponent, "numeric": numeric}


@pytest.mark.parametrize("code", ["ZZZ", "XAU", "eur"])
def test_unknown_currency_is_404_json(code: str) -> None:
    response = _client().get(f"/reference/currencies/{code}")
    assert response.status_code == 404
    assert response.json()["error"] == CurrencyNotFound.code == "currency_not_found"
