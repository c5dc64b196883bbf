"""Clickable tracking: the carriers' data file, the link on the order pages (new tab, no
referrer), plain text for an unknown carrier; the console picks the carrier from a list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fiera.accounts.roles import SYSTEM
from fiera.orders import carriers, services
from fiera.orders.models import Shipment
from tests.orders import factories as f
from tests.orders.test_api import Api


def test_every_carrier_has_a_https_tracking_page_with_the_number():
    found = carriers.carrier_list()
    names = {c.name for c in found}
    for wanted in ("Poste Italiane", "BRT", "GLS", "DHL Express", "UPS", "FedEx", "SF Express"):
        assert wanted in names
    assert {"EMS", "TNT", "JD Logistics", "Ninja Van"} <= names
    assert len({c.code for c in found}) == len(found)
    for carrier in found:
        assert carrier.tracking_url_template.startswith("https://")
        assert "{number}" in carrier.tracking_url_template


def test_tracking_url_by_name_code_or_alias_and_encoded():
    assert carriers.tracking_url("UPS", "1Z999") == "https://www.ups.com/track?tracknum=1Z999"
    assert carriers.tracking_url(" dhl ", "123") == carriers.tracking_url("DHL Express", "123")
    assert carriers.tracking_url("China Post", "EE1IT").startswith("https://www.ems.com.cn/")
    assert carriers.tracking_url("顺丰", "SF1").startswith("https://www.sf-express.com/")
    assert carriers.tracking_url("UPS", "a b/&c").endswith("tracknum=a%20b%2F%26c")
    assert carriers.tracking_url("Corriere del Borgo", "42") is None
    assert carriers.tracking_url("UPS", "  ") is None


@pytest.fixture
def shipped(client):
    market = f.marketplace(slug="fiera")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, stock=10)
    buyer, staff = f.user(), f.staff(merchant_obj=maker)
    result = services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug="fiera",
        country="IT",
        lines=[(item.id, 1)],
        shipping_address=f.address(),
        payment_method="cod",
        now=f.NOW,
        actor_role=SYSTEM,
    )
    number = result.orders[0].number
    for carrier, tracking in (("BRT", "BR<1>"), ("Corriere del Borgo", "CB-9")):
        services.order_ship(
            actor_id=staff.pk,
            actor_role="merchant",
            number=number,
            carrier=carrier,
            tracking_number=tracking,
            now=f.NOW,
        )
    return {"client": client, "buyer": buyer, "staff": staff, "number": number}


@pytest.mark.django_db
def test_order_page_links_known_carriers_and_shows_unknown_as_text(shipped):
    client = shipped["client"]
    client.force_login(shipped["buyer"])
    html = client.get(reverse("orders:order_detail", args=[shipped["number"]])).content.decode()
    link = (
        '<a class="tracking-number" href="https://vas.brt.it/vas/sped_det_show.hsm?'
        'referer=sped_numspe_par.htm&amp;Nspediz=BR%3C1%3E" target="_blank" '
        'rel="noopener noreferrer"><strong>BR&lt;1&gt;</strong></a>'
    )
    assert link in html
    assert '<strong class="tracking-number">CB-9</strong>' in html
    api = Api(client, shipped["buyer"]).get(f"/orders/{shipped['number']}").json()
    assert [s["tracking_url"] is not None for s in api["shipments"]] == [True, False]


@pytest.mark.django_db
def test_console_ships_with_a_carrier_from_the_list_or_another_typed_in(shipped):
    client = shipped["client"]
    client.force_login(shipped["staff"])
    url = reverse("orders:console_order", args=[shipped["number"]])
    html = client.get(url).content.decode()
    assert '<option value="Poste Italiane">Poste Italiane</option>' in html
    assert 'value="other"' in html
    ok = client.post(
        url, {"action": "ship", "ship-carrier": "SF Express", "ship-tracking_number": "SF123"}
    )
    assert ok.status_code == 302
    missing = client.post(
        url, {"action": "ship", "ship-carrier": "other", "ship-tracking_number": "X1"}
    )
    assert missing.status_code == 400
    assert "Type the carrier" in missing.content.decode()
    typed = client.post(
        url,
        {
            "action": "ship",
            "ship-carrier": "other",
            "ship-carrier_other": "Pony Express",
            "ship-tracking_number": "PX1",
        },
    )
    assert typed.status_code == 302
    carriers_used = list(Shipment.objects.values_list("carrier", flat=True).order_by("id"))
    assert carriers_used[-2:] == ["SF Express", "Pony Express"]


def test_every_carrier_the_demo_ships_with_has_a_tracking_page():
    from fiera.demo.vocabulary import CARRIERS

    used = {name for names in CARRIERS.values() for name in names}
    assert used and all(carriers.carrier_find(name) is not None for name in used)
