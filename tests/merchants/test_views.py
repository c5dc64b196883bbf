from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fiera.accounts.roles import SYSTEM
from fiera.merchants.models import Store
from fiera.merchants.services import staff_add, store_open
from tests.marketplaces.factories import make_marketplace
from tests.merchants.factories import make_merchant, make_user

pytestmark = pytest.mark.django_db

URL = "/console/"


def test_url_name() -> None:
    assert reverse("merchants:console_home") == URL


def test_console_shows_company_stores_and_staff(client: Client, sectors: None) -> None:
    owner = make_user("merchant", first_name="Giulia", last_name="Bianchi")
    info = make_merchant(
        display_name="Sartoria Blu",
        owner_user_id=owner.pk,
        sector_slugs=["fashion"],
        region_code="IT-52",
        municipality_code="048017",
    )
    europe = make_marketplace(slug="europe", name="Fiera Europe")
    make_marketplace(slug="asia", name="Fiera Asia", countries={"CN": "CNY"})
    store = store_open(
        merchant_id=info.id, marketplace_id=europe.id, name="Sartoria Blu EU", actor_role=SYSTEM
    )
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Sartoria Blu",
        info.vat_number,
        "Toscana",
        "Firenze",
        "Fashion",
        "Unverified",
        "Fiera Europe",
        "Giulia Bianchi",
    ):
        assert text in html, text
    assert reverse("catalog:store", args=["europe", store.slug]) in html
    assert response.context["console_section"] == "company"
    # The open-a-store form offers only marketplaces without a store yet.
    choices = [label for _value, label in response.context["form"].fields["marketplace"].choices]
    assert choices == ["Fiera Asia (B2C cross-border)"]


def test_console_opens_a_store(client: Client) -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    market = make_marketplace(name="Fiera Gulf", countries={"AE": "AED"})
    client.force_login(owner)
    response = client.post(
        reverse("merchants:console_store_open"),
        {"merchant": info.id, "marketplace": market.id, "name": "Gulf Store", "slug": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?merchant={info.id}"
    assert Store.objects.get(merchant_id=info.id).marketplace_id == market.id
    page = client.get(response["Location"])
    assert "Gulf Store" in page.content.decode()


def test_console_form_errors_are_shown(client: Client) -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    other = make_merchant()
    market = make_marketplace()
    store_open(
        merchant_id=other.id,
        marketplace_id=market.id,
        name="Taken",
        slug="taken",
        actor_role=SYSTEM,
    )
    client.force_login(owner)
    response = client.post(
        reverse("merchants:console_store_open"),
        {"merchant": info.id, "marketplace": market.id, "name": "Mine", "slug": "taken"},
    )
    assert response.status_code == 409
    assert "Another shop already uses this short name." in response.content.decode()
    response = client.post(
        reverse("merchants:console_store_open"),
        {"merchant": info.id, "marketplace": market.id, "name": ""},
    )
    assert response.status_code == 400
    assert not Store.objects.filter(merchant_id=info.id).exists()


def test_clerk_cannot_open_stores(client: Client) -> None:
    clerk = make_user("merchant")
    info = make_merchant()
    staff_add(merchant_id=info.id, user_id=clerk.pk, role="clerk", actor_role=SYSTEM)
    market = make_marketplace()
    client.force_login(clerk)
    page = client.get(URL).content.decode()
    assert "Only the company" in page
    response = client.post(
        reverse("merchants:console_store_open"),
        {"merchant": info.id, "marketplace": market.id, "name": "Clerk store"},
    )
    assert response.status_code == 403
    assert not Store.objects.exists()


def test_merchant_selector_for_staff_of_several_companies(client: Client) -> None:
    user = make_user("merchant")
    first = make_merchant(display_name="Alfa", owner_user_id=user.pk)
    second = make_merchant(display_name="Beta", owner_user_id=user.pk)
    stranger_company = make_merchant(display_name="Gamma")
    client.force_login(user)
    default = client.get(URL)
    assert default.context["overview"].merchant.id == first.id
    assert 'name="merchant"' in default.content.decode()
    chosen = client.get(URL, {"merchant": second.id})
    assert chosen.context["overview"].merchant.id == second.id
    assert client.get(URL, {"merchant": stranger_company.id}).status_code == 404
    assert client.get(URL, {"merchant": "abc"}).status_code == 404
    foreign_post = client.post(
        reverse("merchants:console_store_open"),
        {"merchant": stranger_company.id, "marketplace": make_marketplace().id, "name": "X"},
    )
    assert foreign_post.status_code == 404
    assert not Store.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "operator", "partner"])
def test_console_refuses_other_roles(client: Client, role: str) -> None:
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403


def test_console_redirects_anonymous_to_login(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_merchant_without_company(client: Client) -> None:
    client.force_login(make_user("merchant"))
    response = client.get(URL)
    assert response.status_code == 200
    assert "not linked to a company" in response.content.decode()
