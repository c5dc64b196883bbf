"""The buyer's address book: services, pages, API, the checkout's pick and "save this
address", and that nobody but its owner sees or changes it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from fiera.accounts.roles import BUYER, SYSTEM
from fiera.orders import selectors, services
from fiera.orders.models import Order, SavedAddress
from tests.orders import factories as f
from tests.orders.test_api import Api

pytestmark = pytest.mark.django_db


def save(buyer, **overrides):
    return services.address_create(
        buyer_id=buyer.pk, address=f.address(**overrides), now=f.NOW, actor_role=BUYER
    )


def test_first_address_is_the_default_and_one_default_at_a_time():
    buyer = f.user()
    home = save(buyer)
    assert home.is_default
    office = save(buyer, line1="Corso Francia 9")
    assert not office.is_default
    services.address_set_default(
        buyer_id=buyer.pk, address_id=office.pk, now=f.NOW, actor_role=BUYER
    )
    book = selectors.address_list(buyer_id=buyer.pk, actor_role=BUYER)
    assert [(a.pk, a.is_default) for a in book] == [(office.pk, True), (home.pk, False)]
    services.address_delete(buyer_id=buyer.pk, address_id=office.pk, now=f.NOW, actor_role=BUYER)
    assert SavedAddress.objects.get().is_default  # the one left became the default


def test_the_same_address_is_not_saved_twice_and_the_book_has_a_limit():
    buyer = f.user()
    first = save(buyer)
    assert save(buyer).pk == first.pk
    for n in range(services.MAX_SAVED_ADDRESSES - 1):
        save(buyer, line1=f"Via {n}")
    with pytest.raises(services.AddressBookFull) as excinfo:
        save(buyer, line1="Via in più")
    assert excinfo.value.status == 409
    assert "20" in excinfo.value.message()


def test_addresses_are_checked():
    buyer = f.user()
    with pytest.raises(services.InvalidInput):
        save(buyer, country="XX")
    with pytest.raises(services.InvalidInput):
        save(buyer, city="   ")
    assert save(buyer, country="cn").country == "CN"


def test_only_the_owner_sees_or_changes_an_address_and_only_buyers_have_a_book():
    owner, other = f.user(), f.user()
    address = save(owner)
    with pytest.raises(services.AddressNotFound):
        selectors.address_get(buyer_id=other.pk, address_id=address.pk, actor_role=BUYER)
    for call in (
        lambda: services.address_update(
            buyer_id=other.pk,
            address_id=address.pk,
            address=f.address(),
            now=f.NOW,
            actor_role=BUYER,
        ),
        lambda: services.address_delete(
            buyer_id=other.pk, address_id=address.pk, now=f.NOW, actor_role=BUYER
        ),
        lambda: services.address_set_default(
            buyer_id=other.pk, address_id=address.pk, now=f.NOW, actor_role=BUYER
        ),
    ):
        with pytest.raises(services.AddressNotFound):
            call()
    with pytest.raises(selectors.AddressBookBuyersOnly):
        selectors.address_list(buyer_id=owner.pk, actor_role="merchant")
    assert selectors.address_list(buyer_id=other.pk, actor_role=BUYER) == []
    address.refresh_from_db()
    assert address.line1 == "Via Roma 1"


# pages --------------------------------------------------------------------------------


def test_address_book_page_add_edit_default_delete(client):
    buyer = f.user()
    client.force_login(buyer)
    url = reverse("orders:addresses")
    assert "No saved addresses yet" in client.get(url).content.decode()
    body = {**f.address(), "action": "add"}
    assert client.post(url, body).status_code == 302
    client.post(url, {**f.address(line1="Corso Francia 9"), "action": "add", "is_default": "on"})
    home, office = SavedAddress.objects.order_by("id")
    assert (home.is_default, office.is_default) == (False, True)
    html = client.get(url).content.decode()
    assert "Corso Francia 9" in html and "Default address" in html

    edit = reverse("orders:address_edit", args=[home.pk])
    assert "Via Roma 1" in client.get(edit).content.decode()
    response = client.post(edit, {**f.address(line1="Via Po 3"), "is_default": "on"})
    assert response.status_code == 302
    home.refresh_from_db()
    assert (home.line1, home.is_default) == ("Via Po 3", True)

    client.post(url, {"action": "default", "address": office.pk})
    client.post(url, {"action": "delete", "address": home.pk})
    assert list(SavedAddress.objects.values_list("pk", "is_default")) == [(office.pk, True)]
    bad = client.post(url, {**f.address(city=""), "action": "add"})
    assert bad.status_code == 400


def test_another_buyers_address_pages_are_404_and_merchants_403(client):
    owner = f.user()
    address = save(owner)
    client.force_login(f.user())
    assert client.get(reverse("orders:address_edit", args=[address.pk])).status_code == 404
    response = client.post(reverse("orders:addresses"), {"action": "delete", "address": address.pk})
    assert response.status_code == 404
    assert SavedAddress.objects.filter(pk=address.pk).exists()
    client.force_login(f.user(role="merchant"))
    assert client.get(reverse("orders:addresses")).status_code == 403


# checkout -----------------------------------------------------------------------------


@pytest.fixture
def shop(client):
    market = f.marketplace(slug="emporio", countries={"IT": "EUR", "FR": "EUR"})
    item = f.sku(market=market, price_minor=1000, stock=20, name="Borsa")
    buyer = f.user()
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug="emporio",
        variant_id=item.id,
        quantity=1,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    client.force_login(buyer)
    return {"market": market, "item": item, "buyer": buyer, "client": client}


def test_checkout_is_prefilled_with_the_default_address_or_the_one_picked(shop):
    client, buyer = shop["client"], shop["buyer"]
    save(buyer, name="Ada Casa")
    other = save(buyer, name="Ada Ufficio", country="FR", city="Lyon")
    url = reverse("orders:checkout", args=["emporio"])
    page = client.get(url)
    assert page.context["form"].initial["name"] == "Ada Casa"
    assert "Ship to a saved address" in page.content.decode()
    picked = client.get(url, {"address": other.pk})
    assert picked.context["form"].initial["name"] == "Ada Ufficio"
    assert picked.context["form"].initial["country"] == "FR"
    stranger = save(f.user(), name="Someone Else")
    assert client.get(url, {"address": stranger.pk}).context["form"].initial["name"] != (
        "Someone Else"
    )


def test_save_this_address_at_checkout(shop):
    client = shop["client"]
    url = reverse("orders:checkout", args=["emporio"])
    body = {
        **f.address(line1="Via Nuova 5"),
        "payment_method": "cod",
        "idempotency_key": "k-1",
        "action": "place",
        "save_address": "on",
    }
    response = client.post(url, body)
    assert response.status_code == 302
    assert Order.objects.count() == 1
    saved = SavedAddress.objects.get(buyer=shop["buyer"])
    assert (saved.line1, saved.is_default) == ("Via Nuova 5", True)


# API ----------------------------------------------------------------------------------


def put(api, path, body):
    return api.client.put(
        f"/api/v1{path}", data=json.dumps(body), content_type="application/json", **api.headers
    )


def test_address_book_api(client):
    buyer = f.user()
    api = Api(client, buyer)
    created = api.post("/addresses", {**f.address(), "is_default": False})
    assert created.status_code == 201
    body = created.json()
    assert body["is_default"] is True and body["city"] == "Torino"
    second = api.post("/addresses", f.address(line1="Via Po 3", country="FR")).json()
    listed = api.get("/addresses").json()
    assert [a["id"] for a in listed] == [body["id"], second["id"]]
    assert api.get(f"/addresses/{second['id']}").json()["line1"] == "Via Po 3"
    changed = put(
        api, f"/addresses/{second['id']}", {**f.address(line1="Via Po 4"), "is_default": True}
    )
    assert (changed.status_code, changed.json()["line1"], changed.json()["is_default"]) == (
        200,
        "Via Po 4",
        True,
    )
    assert api.post(f"/addresses/{body['id']}/default").json()["is_default"] is True
    assert api.delete(f"/addresses/{body['id']}").status_code == 204
    assert [a["is_default"] for a in api.get("/addresses").json()] == [True]
    bad = api.post("/addresses", {**f.address(), "country": "ZZ"})
    assert (bad.status_code, bad.json()["error"]) == (422, "invalid_address")


def test_address_book_api_denials(client):
    owner = f.user()
    address = save(owner)
    other = Api(client, f.user())
    assert other.get(f"/addresses/{address.pk}").status_code == 404
    assert put(other, f"/addresses/{address.pk}", f.address()).status_code == 404
    assert other.delete(f"/addresses/{address.pk}").status_code == 404
    assert other.post(f"/addresses/{address.pk}/default").status_code == 404
    assert other.get("/addresses").json() == []
    merchant = Api(client, f.user(role="merchant"))
    assert merchant.get("/addresses").status_code == 403
    assert merchant.post("/addresses", f.address()).status_code == 403
    anonymous = Api(client)
    assert anonymous.get("/addresses").status_code == 401
    assert anonymous.post("/addresses", f.address()).status_code == 401
    assert SavedAddress.objects.get().line1 == "Via Roma 1"
