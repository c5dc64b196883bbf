"""Pavilion pages: the public list and landing page (it/zh, escaped motivations and reasons,
live figures, search, companies by region), the merchant console (apply, status, reason,
withdraw), the owner partner's review page (decide, open/close) and their denials."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.catalog import factories as f
from tests.trade.pavilion_factories import (
    PavilionWorld,
    apply,
    decide,
    make_pavilion_world,
    supplier,
)

pytestmark = pytest.mark.django_db


def _as(client: Client, user: Any, language: str = "en") -> Client:
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def pw() -> PavilionWorld:
    cache.clear()
    return make_pavilion_world(quota=1)


def test_landing_page_in_italian_and_chinese(client: Client, pw: PavilionWorld) -> None:
    w = pw.trade
    decide(pw, apply(pw, w.supplier, w.owner).id)
    cache.clear()
    url = f"/trade/pavilions/{pw.pavilion.slug}/"
    client.cookies["django_language"] = "it"
    html = client.get(url).content.decode()
    assert "Padiglione Made in Italy" in html
    assert "Risultati in tempo reale" in html and "Lombardia" in html
    assert "Oleificio Rossi" in html and w.product.name_it in html
    assert f'data-live-url="/api/v1/trade/pavilions/{pw.pavilion.slug}/stats"' in html
    assert "trade/pavilion.js" in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get(url).content.decode()
    assert "意大利制造馆" in html and "实时成果" in html
    found = client.get(url + "?q=wool").content.decode()
    assert w.product.name_zh not in found
    assert client.get(url + "?category=food&page=abc").status_code == 200
    assert client.get("/trade/pavilions/nope/").status_code == 404
    listed = client.get("/trade/pavilions/").content.decode()
    assert "意大利制造馆" in listed


def test_console_apply_status_and_withdraw(client: Client, pw: PavilionWorld) -> None:
    w = pw.trade
    _as(client, w.owner, "it")
    page = client.get("/console/pavilions/")
    assert page.status_code == 200 and "Padiglioni" in page.content.decode()
    sent = client.post(
        "/console/pavilions/", {"pavilion": pw.pavilion.slug, "motivation": "<b>Olio</b> buono"}
    )
    assert sent.status_code == 302
    html = client.get("/console/pavilions/").content.decode()
    assert "In valutazione" in html
    other_m, other_o = supplier(w)
    decide(pw, apply(pw, other_m, other_o).id)
    from fiera.trade.models import PavilionApplication

    mine = PavilionApplication.objects.get(merchant=w.supplier)
    decide(pw, mine.pk, admit=False, reason="Serve un <i>catalogo</i> in inglese.")
    html = client.get("/console/pavilions/").content.decode()
    assert "Respinto" in html and "Serve un &lt;i&gt;catalogo&lt;/i&gt; in inglese." in html
    again = client.post("/console/pavilions/", {"pavilion": pw.pavilion.slug, "motivation": ""})
    assert again.status_code == 422
    # the clerk sees the page but cannot apply; another company's owner cannot withdraw
    _as(client, w.clerk)
    assert client.get("/console/pavilions/").status_code == 200
    assert (
        client.post(
            "/console/pavilions/", {"pavilion": pw.pavilion.slug, "motivation": "x"}
        ).status_code
        == 403
    )
    other = PavilionApplication.objects.get(merchant=other_m)
    _as(client, w.owner)
    assert client.post(f"/console/pavilions/{other.pk}/withdraw").status_code == 404
    _as(client, other_o)
    assert client.post(f"/console/pavilions/{other.pk}/withdraw").status_code == 302
    other.refresh_from_db()
    assert other.status == "withdrawn"
    _as(client, w.buyer)
    assert client.get("/console/pavilions/").status_code == 403


def test_partner_review_page(client: Client, pw: PavilionWorld) -> None:
    w = pw.trade
    first = apply(pw, w.supplier, w.owner)
    m2, o2 = supplier(w)
    second = apply(pw, m2, o2)
    url = f"/trade/pavilions/{pw.pavilion.slug}/applications/"
    _as(client, pw.reviewer, "zh-hans")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "We make olive oil" in html and "已赞助 0 / 1 家企业" in html
    assert client.post(url + f"{first.id}/decide", {"decision": "admit"}).status_code == 302
    assert client.post(url + f"{second.id}/decide", {"decision": "admit"}).status_code == 302
    html = client.get(url).content.decode()
    assert "候补" in html  # waitlisted
    bad = client.post(url + f"{second.id}/decide", {"decision": "reject", "reason": ""})
    assert bad.status_code == 302
    closed = client.post(f"/trade/pavilions/{pw.pavilion.slug}/open", {"is_open": "0"})
    assert closed.status_code == 302
    for user in (pw.outsider, w.owner, w.buyer):
        _as(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url + f"{second.id}/decide", {"decision": "admit"}).status_code == 403
        assert client.post(f"/trade/pavilions/{pw.pavilion.slug}/open").status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    _as(client, f.user("operator"))
    assert client.get(url).status_code == 200
    partner_page = _as(client, pw.reviewer).get(f"/partners/{pw.partner.slug}/")
    assert url in partner_page.content.decode()
    assert url in client.get("/trade/pavilions/").content.decode()  # "Review applications"
    assert url in client.get(f"/trade/pavilions/{pw.pavilion.slug}/").content.decode()
    _as(client, pw.outsider)
    assert url not in client.get("/trade/pavilions/").content.decode()
