"""What an outlet CSV may carry that is not an outlet: NUL characters, a cell past the csv
module's field limit, digits of other scripts. Each is a 422 that names the line and
column, over the API and on the page, and nothing is imported (it was a 500, or a
misleading 409 "codes created meanwhile" when "٥٤١١" reached the database's check)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fiera.payments.models import Outlet, Terminal
from tests.payments.factories import bearer, make_merchant, make_user

pytestmark = pytest.mark.django_db

HEADER = "code,name,address,municipality_code,postal_code,mcc,status,terminal_ids\n"
GOOD = "UP-1,Ufficio 1,Via Roma 1,048017,50123,9402,planned,T1\n"
FIELD_LIMIT = 131_072  # csv.field_size_limit() by default


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("outlets.csv", text.encode(), content_type="text/csv")


def _api_import(client: Client, merchant: Any, operator: Any, text: str) -> Any:
    return client.post(
        "/api/v1/outlets/import",
        {"merchant_id": merchant.pk, "file": _upload(text)},
        **bearer(operator),
    )


CASES = [
    # (file body after the header, (line, column) of the error)
    ("UP-2,Uff\x00icio,Via Roma 2,048017,,,,\n", (3, "name")),
    ("UP-2,Ufficio,Via Roma 2,048017,\x00,,,\n", (3, "postal_code")),
    ("UP-\x002,Ufficio,Via Roma 2,048017,,,,\n", (3, "code")),
    ("UP-2,Ufficio,Via Roma 2,048017,,,,T\x001\n", (3, "terminal_ids")),
    ("UP-2,Ufficio,Via Roma 2,04801²,,,,\n", (3, "municipality_code")),
    ("UP-2,Ufficio,Via Roma 2,٠٤٨٠١٧,,,,\n", (3, "municipality_code")),
    ("UP-2,Ufficio,Via Roma 2,048017,٥٠١٢٣,,,\n", (3, "postal_code")),
    ("UP-2,Ufficio,Via Roma 2,048017,,٥٤١١,,\n", (3, "mcc")),
    ("UP-2,Ufficio,Via Roma 2,048017,,94²2,,\n", (3, "mcc")),
    (f'UP-2,"{"x" * (FIELD_LIMIT + 1)}",Via Roma 2,048017,,,,\n', (3, "")),
    (f"UP-2,Ufficio,{'y' * (FIELD_LIMIT * 2)},048017,,,,\n", (3, "")),
]


@pytest.mark.parametrize(("body", "where"), CASES)
def test_the_api_refuses_the_file_and_says_where(
    client: Client, body: str, where: tuple[int, str]
) -> None:
    merchant, operator = make_merchant(), make_user("operator")
    response = _api_import(client, merchant, operator, HEADER + GOOD + body)
    assert response.status_code == 422, response.content[:300]
    payload = response.json()
    assert payload["error"] == "outlet_import_invalid"
    assert [(e["line"], e["column"]) for e in payload["errors"]] == [where]
    assert not Outlet.objects.exists()
    assert not Terminal.objects.exists()


def test_a_nul_in_the_header_is_refused(client: Client) -> None:
    merchant, operator = make_merchant(), make_user("operator")
    response = _api_import(client, merchant, operator, "co\x00de," + HEADER[5:] + GOOD)
    assert response.status_code == 422
    assert response.json()["errors"][0]["line"] == 1
    assert not Outlet.objects.exists()


def test_a_huge_field_ends_the_report_at_its_line(client: Client) -> None:
    merchant, operator = make_merchant(), make_user("operator")
    body = HEADER + GOOD + f'UP-2,"{"x" * (FIELD_LIMIT + 1)}",Via,048017,,,,\n' + GOOD
    response = _api_import(client, merchant, operator, body)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (
        "not readable CSV" in error["message"]
        and "field larger than field limit" in (error["message"])
    )


@pytest.mark.parametrize(("body", "where"), CASES[:1] + CASES[5:6] + CASES[-2:-1])
def test_the_import_page_shows_the_problem(body: str, where: tuple[int, str]) -> None:
    merchant = make_merchant()
    client = Client()
    client.force_login(make_user("operator"))
    response = client.post(
        reverse("payments:outlets_import"),
        {"merchant": str(merchant.pk), "file": _upload(HEADER + GOOD + body)},
    )
    assert response.status_code == 422
    assert "Problems found" in response.content.decode()
    assert not Outlet.objects.exists()
