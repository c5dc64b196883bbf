from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.trade import services
from tests.trade.factories import PDF, World, inquire

pytestmark = pytest.mark.django_db


def _as(client: Client, user: Any, language: str = "en") -> Client:
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_supplier_page_shows_badges_and_the_contact_form(client: Client, world: World) -> None:
    now = timezone.now()
    for kind, body, days in (("licence", "", -1), ("audit", "TÜV Italia", 90)):
        services.verification_add(
            actor_id=None,
            actor_role=SYSTEM,
            merchant_id=world.supplier.pk,
            kind=kind,
            inspection_body=body,
            evidence=PDF,
            evidence_name="e.pdf",
            checked_at=now - timedelta(days=400),
            expires_at=now + timedelta(days=days),
        )
    url = f"/trade/suppliers/{world.supplier.pk}/?product={world.product.pk}"
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    html = anonymous.content.decode()
    assert "On-site audit" in html and "TÜV Italia" in html and "expired on" in html
    assert "Sign in to contact" in html
    page = _as(client, world.buyer, "it").get(url).content.decode()
    assert "Invia richiesta" in page and "Audit in loco" in page
    assert f'value="{world.product.pk}"' in page
    assert client.get("/trade/suppliers/999999/").status_code == 404


def test_contact_creates_a_thread_and_escapes_it(client: Client, world: World) -> None:
    _as(client, world.buyer)
    sent = client.post(
        f"/trade/suppliers/{world.supplier.pk}/contact",
        {
            "subject": "<script>alert(1)</script>",
            "quantity": "300",
            "message": "<b>hi</b>",
            "product_id": str(world.product.pk),
        },
    )
    assert sent.status_code == 302
    html = client.get(sent["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    bad = client.post(
        f"/trade/suppliers/{world.supplier.pk}/contact",
        {"subject": "s", "quantity": "0", "message": "m"},
    )
    assert bad.status_code == 422


def test_thread_access_and_forms(client: Client, world: World) -> None:
    iid = inquire(world).inquiry.id
    url = f"/trade/inquiries/{iid}/"
    assert _as(Client(), world.other_buyer).get(url).status_code == 404
    assert _as(Client(), world.other_owner).get(url).status_code == 404
    moderator = _as(Client(), world.operator).get(url)
    assert moderator.status_code == 200 and 'name="body"' not in moderator.content.decode()
    clerk = _as(Client(), world.clerk)
    assert clerk.post(f"/trade/inquiries/{iid}/reply", {"body": "We can."}).status_code == 302
    inbox = _as(Client(), world.buyer).get("/trade/inquiries/").content.decode()
    assert "1 unread" in inbox
    assert clerk.post(f"/trade/inquiries/{iid}/close").status_code == 302
    owner = _as(Client(), world.owner)
    owner.post(f"/trade/inquiries/{iid}/close")
    closed = owner.get(url).content.decode()
    assert "Closed" in closed and 'name="body"' not in closed
    assert owner.post(f"/trade/inquiries/{iid}/reply", {"body": "x"}).status_code == 409


def test_company_page(client: Client, world: World) -> None:
    _as(client, world.buyer, "zh-hans")
    assert client.get("/trade/company/").status_code == 200
    made = client.post(
        "/trade/company/", {"legal_name": "Acme", "country": "us", "registration_number": "77"}
    )
    assert made.status_code == 302
    assert "Acme" in client.get("/trade/company/").content.decode()
    assert _as(Client(), world.owner).get("/trade/company/").status_code == 403
    bad = _as(Client(), world.other_buyer).post(
        "/trade/company/", {"legal_name": "B", "country": "ZZ", "registration_number": "1"}
    )
    assert bad.status_code == 422


def test_the_supplier_profile_editor(client: Client, world: World) -> None:
    owner = _as(Client(), world.owner)
    page = owner.get("/console/supplier-profile/")
    assert page.status_code == 200 and "Private label" in page.content.decode()
    saved = owner.post(
        "/console/supplier-profile/",
        {
            "capabilities_en": "OEM & private label",
            "main_markets": "us, jp",
            "year_established": "1970",
            "employees_band": "10-49",
            "export_share_pct": "55",
        },
    )
    assert saved.status_code == 302
    public = Client().get(saved["Location"]).content.decode()
    assert "OEM &amp; private label" in public and "1970" in public and "55%" in public
    bad = owner.post("/console/supplier-profile/", {"export_share_pct": "150"})
    assert bad.status_code == 422
    clerk = _as(Client(), world.clerk)
    assert clerk.get("/console/supplier-profile/").status_code == 200
    assert clerk.post("/console/supplier-profile/", {"capabilities_en": "x"}).status_code == 403
    other = _as(Client(), world.other_owner)
    url = f"/console/supplier-profile/?merchant={world.supplier.pk}"
    assert other.get(url).status_code == 404
    assert _as(Client(), world.buyer).get("/console/supplier-profile/").status_code == 403


def test_the_thread_names_the_product(client: Client, world: World) -> None:
    iid = inquire(world).inquiry.id
    html = _as(client, world.buyer).get(f"/trade/inquiries/{iid}/").content.decode()
    assert "Extra virgin olive oil 5 l" in html
    form = client.get(f"/trade/suppliers/{world.supplier.pk}/?product={world.other_product.pk}")
    assert "Wool cloth" not in form.content.decode()  # another supplier's product is dropped


def test_the_b2b_product_page_and_the_menus_lead_to_the_supplier_and_the_inquiries(
    client: Client, world: World
) -> None:
    page = client.get(f"/m/{world.market.slug}/p/{world.product.pk}/")
    assert page.status_code == 200
    contact = f"/trade/suppliers/{world.supplier.pk}/?product={world.product.pk}#contact"
    assert contact in page.content.decode()
    assert 'id="contact"' in client.get(contact.split("#")[0]).content.decode()
    home = _as(Client(), world.buyer).get("/").content.decode()
    assert 'href="/trade/inquiries/"' in home
    console = _as(Client(), world.owner).get("/console/").content.decode()
    assert 'href="/trade/inquiries/"' in console and 'href="/console/supplier-profile/"' in console


def test_a_b2c_product_page_has_no_contact_button(client: Client) -> None:
    from tests.catalog import factories as cf

    shop = cf.shop()
    product, _ = cf.listed_product(shop, name_en="Espresso cups")
    html = client.get(f"/m/{shop.marketplace.slug}/p/{product.pk}/").content.decode()
    assert "Espresso cups" in html and "/trade/suppliers/" not in html


def test_profile_company_and_verification_texts_are_plain_text(
    client: Client, world: World
) -> None:
    """The supplier's capabilities, an inspection body's name and a buyer company's legal
    name are shown as text: the public supplier page, the supplier search, the company page
    and the supplier's thread with that company's buyer."""
    now = timezone.now()
    services.supplier_profile_save(
        actor_id=None,
        actor_role=SYSTEM,
        merchant_id=world.supplier.pk,
        capabilities_en="OEM <script>alert(1)</script> and private label",
        now=now,
    )
    services.verification_add(
        actor_id=None,
        actor_role=SYSTEM,
        merchant_id=world.supplier.pk,
        kind="audit",
        inspection_body="<b>TÜV</b> Italia",
        evidence=PDF,
        evidence_name="e.pdf",
        checked_at=now - timedelta(days=10),
        expires_at=now + timedelta(days=90),
    )
    services.company_create(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        legal_name="<i>Miller</i> Foods",
        country_code="US",
        registration_number="DE-1",
        now=now,
    )
    thread = inquire(world)
    pages = [
        (Client(), f"/trade/suppliers/{world.supplier.pk}/"),
        (Client(), "/trade/search/?tab=suppliers&q=oem"),
        (_as(Client(), world.buyer), "/trade/company/"),
        (_as(Client(), world.owner), f"/trade/inquiries/{thread.inquiry.id}/"),
    ]
    for reader, url in pages:
        answer = reader.get(url)
        assert answer.status_code == 200, url
        html = answer.content.decode()
        for raw in ("<script>alert(1)", "<b>TÜV", "<i>Miller"):
            assert raw not in html, (url, raw)
    supplier_page = Client().get(pages[0][1]).content.decode()
    assert "OEM &lt;script&gt;alert(1)&lt;/script&gt;" in supplier_page
    assert "&lt;b&gt;TÜV&lt;/b&gt; Italia" in supplier_page
    company = _as(Client(), world.buyer).get("/trade/company/").content.decode()
    assert "&lt;i&gt;Miller&lt;/i&gt; Foods" in company
