"""The pavilions API: public list, detail and stats; apply and withdraw (merchants);
applications and decisions (the owner partner's staff, operators); denials; messages in
the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from fiera.accounts.services import token_issue
from tests.catalog import factories as f
from tests.trade.pavilion_factories import PavilionWorld, make_pavilion_world, supplier

pytestmark = pytest.mark.django_db
API = "/api/v1/trade"


def _h(user: Any, language: str = "en") -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}",
        "HTTP_ACCEPT_LANGUAGE": language,
    }


def _post(client: Client, url: str, user: Any, body: Any = None, **kw: Any) -> Any:
    return client.post(url, body or {}, content_type="application/json", **_h(user, **kw))


@pytest.fixture
def pw() -> PavilionWorld:
    cache.clear()
    return make_pavilion_world(quota=1)


def _apply(client: Client, pw: PavilionWorld, merchant: Any, user: Any, **kw: Any) -> Any:
    return _post(
        client,
        f"{API}/pavilions/{pw.pavilion.slug}/applications",
        user,
        {"merchant_id": merchant.pk, "motivation": "Family olive mill, exporting since 1990."},
        **kw,
    )


def test_public_reads(client: Client, pw: PavilionWorld) -> None:
    listed = client.get(f"{API}/pavilions")
    assert listed.status_code == 200
    assert listed.json()[0]["slug"] == pw.pavilion.slug
    one = client.get(f"{API}/pavilions/{pw.pavilion.slug}").json()
    assert (one["quota"], one["seats_left"], one["country"], one["currency"]) == (1, 1, "IT", "USD")
    assert one["featured_categories"][0]["slug"] == "food"
    stats = client.get(f"{API}/pavilions/{pw.pavilion.slug}/stats").json()
    assert stats["admitted"] == 0 and stats["deal_value_minor"] == 0
    missing = client.get(f"{API}/pavilions/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "pavilion_not_found"
    assert client.get(f"{API}/pavilions/Bad!").status_code == 422


def test_apply_review_waitlist_withdraw(client: Client, pw: PavilionWorld) -> None:
    w = pw.trade
    made = _apply(client, pw, w.supplier, w.owner)
    assert made.status_code == 201, made.content
    first = made.json()
    assert first["status"] == "pending"
    again = _apply(client, pw, w.supplier, w.manager)
    assert again.status_code == 409 and again.json()["error"] == "pavilion_application_exists"
    m2, o2 = supplier(w, region="IT-52")
    second = _apply(client, pw, m2, o2).json()
    slug = pw.pavilion.slug
    queue = client.get(f"{API}/pavilions/{slug}/applications", **_h(pw.reviewer)).json()
    assert [a["status"] for a in queue["items"]] == ["pending", "pending"]
    decided = _post(
        client,
        f"{API}/pavilion-applications/{first['id']}/decision",
        pw.reviewer,
        {"decision": "admit"},
    )
    assert decided.status_code == 200 and decided.json()["status"] == "admitted"
    full = _post(
        client,
        f"{API}/pavilion-applications/{second['id']}/decision",
        pw.reviewer,
        {"decision": "admit"},
        language="it",
    ).json()
    assert full["status"] == "waitlisted" and full["waitlist_position"] == 1
    assert full["reason"] == "La quota di aziende sponsorizzate è al completo."
    no_reason = _post(
        client,
        f"{API}/pavilion-applications/{second['id']}/decision",
        pw.reviewer,
        {"decision": "reject"},
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["error"] == "pavilion_reason_required"
    cache.clear()
    stats = client.get(f"{API}/pavilions/{slug}/stats").json()
    assert (stats["admitted"], stats["waitlisted"], stats["listings"]) == (1, 1, 1)
    left = _post(client, f"{API}/pavilion-applications/{first['id']}/withdraw", w.owner)
    assert left.status_code == 200 and left.json()["status"] == "withdrawn"
    mine = client.get(f"{API}/pavilion-applications?merchant_id={m2.pk}", **_h(o2)).json()
    assert mine["items"][0]["status"] == "admitted"
    closed = _post(client, f"{API}/pavilion-applications/{first['id']}/withdraw", w.owner)
    assert closed.status_code == 409


def test_origin_mismatch_is_a_clear_422(client: Client, pw: PavilionWorld) -> None:
    w = pw.trade
    f.product(w.supplier, origin_country="FR")
    refused = _apply(client, pw, w.supplier, w.owner, language="zh-hans")
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "pavilion_origin_mismatch"
    assert "意大利" in body["detail"] and "法国" in body["detail"]


def test_denials(client: Client, pw: PavilionWorld) -> None:
    w = pw.trade
    assert _apply(client, pw, w.supplier, w.clerk).status_code == 403
    assert _apply(client, pw, w.supplier, w.other_owner).status_code == 404
    assert _apply(client, pw, w.supplier, w.buyer).status_code == 403
    assert client.post(f"{API}/pavilions/{pw.pavilion.slug}/applications").status_code == 401
    app = _apply(client, pw, w.supplier, w.owner).json()
    slug = pw.pavilion.slug
    for user in (pw.outsider, w.clerk, w.owner, w.buyer):
        listed = client.get(f"{API}/pavilions/{slug}/applications", **_h(user))
        assert listed.status_code == 403, user
        assert listed.json()["error"] == "pavilion_reviewers_only"
        decided = _post(
            client, f"{API}/pavilion-applications/{app['id']}/decision", user, {"decision": "admit"}
        )
        assert decided.status_code == 403
        opened = client.put(
            f"{API}/pavilions/{slug}/open",
            {"is_open": False},
            content_type="application/json",
            **_h(user),
        )
        assert opened.status_code == 403
    assert (
        _post(client, f"{API}/pavilion-applications/{app['id']}/withdraw", w.clerk).status_code
        == 403
    )
    assert (
        _post(
            client, f"{API}/pavilion-applications/{app['id']}/withdraw", w.other_owner
        ).status_code
        == 404
    )
    others = client.get(
        f"{API}/pavilion-applications?merchant_id={w.supplier.pk}", **_h(w.other_owner)
    )
    assert others.status_code == 404
    operator = f.user("operator")
    done = _post(
        client,
        f"{API}/pavilion-applications/{app['id']}/decision",
        operator,
        {"decision": "reject", "reason": "Incomplete <b>profile</b>"},
    )
    assert done.status_code == 200 and done.json()["reason"] == "Incomplete <b>profile</b>"
    closed = client.put(
        f"{API}/pavilions/{slug}/open",
        {"is_open": False},
        content_type="application/json",
        **_h(pw.reviewer),
    )
    assert closed.status_code == 200 and closed.json()["is_open"] is False
    shut = _apply(client, pw, w.supplier, w.owner)
    assert shut.status_code == 409 and shut.json()["error"] == "pavilion_closed"


def test_operators_create_pavilions(client: Client, pw: PavilionWorld) -> None:
    body = {
        "slug": "design-italiano",
        "name_it": "Design italiano",
        "name_en": "Italian design",
        "name_zh": "意大利设计馆",
        "marketplace": "trade",
        "partner_id": pw.partner.id,
        "country": "IT",
        "quota": 950,
        "featured_categories": ["food"],
    }
    assert _post(client, f"{API}/pavilions", pw.reviewer, body).status_code == 403
    made = _post(client, f"{API}/pavilions", f.user("operator"), body)
    assert made.status_code == 201, made.content
    assert made.json()["quota"] == 950 and made.json()["sponsorship_months"] == 24
    again = _post(client, f"{API}/pavilions", f.user("operator"), body)
    assert again.status_code == 409 and again.json()["error"] == "pavilion_slug_taken"
