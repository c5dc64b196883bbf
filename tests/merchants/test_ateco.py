"""ATECO activity codes: the example the API documents is one it accepts, real ATECO 2025
codes pass in dotted or compact form, and a code of the previous edition is refused with
the 2025 codes it became (it was refused with the documented example "14.13.10" itself,
an ATECO 2007 code)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fiera.merchants.services import InvalidAteco, check_ateco_code
from tests.merchants.factories import bearer, italian_vat, make_user

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _documented_example() -> str:
    from fiera.api import api

    schema = api.get_openapi_schema()
    field = schema["components"]["schemas"]["MerchantIn"]["properties"]["ateco_code"]
    (example,) = field["examples"]
    assert example in field["description"]
    return str(example)


def _register(client: Client, ateco_code: str) -> Any:
    payload = {
        "legal_name": "Sartoria Blu S.r.l.",
        "display_name": "Sartoria Blu",
        "vat_number": italian_vat(),
        "region_code": "IT-52",
        "municipality_code": "048017",  # Firenze
        "ateco_code": ateco_code,
    }
    return client.post(
        "/api/v1/merchants", payload, content_type=JSON, **bearer(make_user("operator"))
    )


def test_the_documented_example_registers_a_merchant(client: Client) -> None:
    example = _documented_example()
    response = _register(client, example)
    assert response.status_code == 201, response.content
    assert response.json()["ateco_code"] == example


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("14.21.10", "14.21.10"),  # mass-produced outerwear
        ("142110", "14.21.10"),
        (" 14.21 ", "14.21"),
        ("14.1", "14.1"),  # a group
        ("14", "14"),  # a division
        ("10.71.10", "10.71.10"),  # bread, unchanged since 2007
        ("47.91.10", "47.91.10"),  # 2025: retail sale via internet
        ("53.10", "53.10"),  # postal activities under universal service obligation
    ],
)
def test_ateco_2025_codes_are_accepted(typed: str, canonical: str) -> None:
    assert check_ateco_code(typed) == canonical


def test_a_code_of_the_previous_edition_names_what_it_became(client: Client) -> None:
    with pytest.raises(InvalidAteco, match=r"14\.13\.10 is an ATECO 2007 code") as caught:
        check_ateco_code("14.13.10")
    assert caught.value.extra["suggestions"] == ["14.10.20", "14.21.10"]
    response = _register(client, "141310")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_ateco"
    assert "14.10.20, 14.21.10" in body["detail"]
    assert body["suggestions"] == ["14.10.20", "14.21.10"]


@pytest.mark.parametrize("code", ["C", "99.99", "", "²", "1" * 300, "14,21,10"])
def test_what_is_no_activity_code_is_refused(code: str) -> None:
    with pytest.raises(InvalidAteco, match="not an ATECO 2025 activity code"):
        check_ateco_code(code)
