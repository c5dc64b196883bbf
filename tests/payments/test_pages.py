"""The outlet pages: the network with its rollout by region, one outlet with its QR codes
and status form, the CSV import with its error report; and who may see them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fiera.payments.models import Outlet
from tests.payments.factories import make_merchant, make_outlet, make_staff, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client: Client) -> Client:
    client.force_login(make_user("operator"))
    return client


def test_outlet_list_shows_rollout_filters_and_pages(operator_client: Client) -> None:
    merchant = make_merchant()
    make_outlet(merchant, code="FI-1", municipality_code="048017", status="pilot")
    for i in range(55):
        make_outlet(merchant, code=f"MI-{i:03d}", terminals=())
    response = operator_client.get(reverse("payments:outlets"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rollout by region" in html
    assert "Lombardia" in html and "Toscana" in html
    assert "56 outlets" in html
    assert "Page 1 of 2" in html
    page2 = operator_client.get(reverse("payments:outlets") + "?page=2")
    assert "MI-054" in page2.content.decode()
    tuscany = operator_client.get(reverse("payments:outlets") + "?region=IT-52&status=pilot")
    body = tuscany.content.decode()
    assert "FI-1" in body and "MI-000" not in body
    bad = operator_client.get(reverse("payments:outlets") + "?region=IT-99")
    assert bad.status_code == 422
    assert "is not an Italian region code" in bad.content.decode()


def test_outlet_page_shows_the_qr_and_makes_a_dynamic_one(operator_client: Client) -> None:
    outlet = make_outlet(make_merchant(), code="UP-015146-01", status="live")
    url = reverse("payments:outlet", args=[outlet.id])
    response = operator_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert "UP-015146-01" in html and "Lombardia" in html
    assert "000201010211" in html  # the static payload
    dynamic = operator_client.get(url + "?amount=12.50&currency=EUR&bill=RACC-1")
    assert dynamic.status_code == 200
    assert "000201010212" in dynamic.content.decode()
    assert "RACC-1" in dynamic.content.decode()
    bad = operator_client.get(url + "?amount=12.505")
    assert bad.status_code == 422
    assert "this is not an amount in EUR; check the number of decimals" in bad.content.decode()


def test_status_form_moves_the_outlet(operator_client: Client) -> None:
    outlet = make_outlet(make_merchant())
    url = reverse("payments:outlet_status", args=[outlet.id])
    response = operator_client.post(url, {"status": "pilot"}, follow=True)
    assert response.status_code == 200
    assert "is now Pilot" in response.content.decode()
    assert Outlet.objects.get(pk=outlet.id).status == "pilot"
    refused = operator_client.post(url, {"status": "planned"}, follow=True)
    assert "cannot change to this status from its current one" in refused.content.decode()
    assert Outlet.objects.get(pk=outlet.id).status == "pilot"


def test_import_form_reports_errors_then_imports(operator_client: Client) -> None:
    merchant = make_merchant()
    url = reverse("payments:outlets_import")
    form = operator_client.get(url)
    assert form.status_code == 200
    assert "municipality_code" in form.content.decode()
    bad = SimpleUploadedFile(
        "o.csv", b"code,name,address,municipality_code\nUP-1,Ufficio,Via Roma 1,000000\n"
    )
    response = operator_client.post(url, {"merchant": merchant.pk, "file": bad})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Problems found" in html
    assert "000000 is not a current Italian municipality" in html
    good = SimpleUploadedFile(
        "o.csv", b"code,name,address,municipality_code\nUP-1,Ufficio,Via Roma 1,015146\n"
    )
    done = operator_client.post(url, {"merchant": merchant.pk, "file": good}, follow=True)
    assert done.status_code == 200
    assert "Imported 1 outlets" in done.content.decode()
    assert Outlet.objects.filter(merchant_id=merchant.pk).count() == 1


def test_pages_are_for_operators_and_staff_of_the_outlet(client: Client) -> None:
    merchant, other = make_merchant(), make_merchant("Altra Rete")
    outlet = make_outlet(merchant)
    url = reverse("payments:outlet", args=[outlet.id])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(make_user("buyer"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("payments:outlets")).status_code == 403
    client.force_login(make_staff(other))
    assert client.get(url).status_code == 404
    client.force_login(make_staff(merchant, "clerk"))
    assert client.get(url).status_code == 200
    listing = client.get(reverse("payments:outlets"))
    assert listing.status_code == 200
    assert "1 outlet" in listing.content.decode()
