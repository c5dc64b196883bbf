from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fiera.partners.selectors import PartnerInfo
from tests.merchants.factories import bearer, italian_vat, make_merchant, make_user
from tests.partners.factories import make_lead

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _post(client: Client, url: str, body: Any, user: Any, **headers: Any) -> Any:
    return client.post(url, body, content_type=JSON, **bearer(user), **headers)


def test_operator_creates_lists_and_patches_partners(client: Client, operator: Any) -> None:
    body = {
        "slug": "confartigianato-veneto",
        "name": "Confartigianato Veneto",
        "type": "association",
        "region_codes": ["IT-34"],
    }
    created = _post(client, "/api/v1/partners", body, operator)
    assert created.status_code == 201, created.json()
    partner_id = created.json()["id"]
    assert created.json()["region_codes"] == ["IT-34"]
    again = _post(client, "/api/v1/partners", body, operator)
    assert again.status_code == 409 and again.json()["error"] == "partner_slug_taken"
    listed = client.get("/api/v1/partners", **bearer(operator))
    assert [p["slug"] for p in listed.json()] == ["confartigianato-veneto"]
    patched = client.patch(
        f"/api/v1/partners/{partner_id}",
        {"region_codes": ["IT-34", "IT-36"]},
        content_type=JSON,
        **bearer(operator),
    )
    assert patched.json()["region_codes"] == ["IT-34", "IT-36"]


def test_bad_partner_input_is_a_translated_422(client: Client, operator: Any) -> None:
    body = {"slug": "x", "name": "X", "type": "bank", "region_codes": ["IT-99"]}
    response = _post(client, "/api/v1/partners", body, operator, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert "non è" in response.json()["detail"]  # the message in Italian
    wrong_type = {**body, "region_codes": ["IT-25"], "type": "charity"}
    assert _post(client, "/api/v1/partners", wrong_type, operator).status_code == 422
    assert _post(client, "/api/v1/partners", [], operator).status_code == 422


def test_the_pipeline_through_the_api(
    client: Client, partner: PartnerInfo, staff_user: Any
) -> None:
    base = f"/api/v1/partners/{partner.id}/leads"
    vat = italian_vat()
    body = {"firm_name": "Caseificio Alpi", "vat_number": vat, "region_code": "IT-25"}
    created = _post(client, base, body, staff_user)
    assert created.status_code == 201, created.json()
    lead = created.json()
    assert lead["stage"] == "new" and lead["events"][0]["to_stage"] == "new"
    url = f"{base}/{lead['id']}"
    skipped = _post(client, f"{url}/advance", {"stage": "documents"}, staff_user)
    assert skipped.status_code == 409 and skipped.json()["error"] == "lead_stage_conflict"
    assert _post(client, f"{url}/advance", {"stage": "contacted"}, staff_user).status_code == 200
    assert _post(client, f"{url}/advance", {"stage": "documents"}, staff_user).status_code == 200
    merchant = make_merchant(vat_number=vat)
    live = _post(client, f"{url}/go-live", {"merchant_id": merchant.id}, staff_user)
    assert live.status_code == 200, live.json()
    assert live.json()["lead"]["stage"] == "store_live" and not live.json()["created"]
    detail = client.get(url, **bearer(staff_user)).json()
    assert [e["to_stage"] for e in detail["events"]] == [
        "new",
        "contacted",
        "documents",
        "store_live",
    ]
    merchants = client.get(f"/api/v1/partners/{partner.id}/merchants", **bearer(staff_user))
    assert [m["merchant_id"] for m in merchants.json()] == [merchant.id]
    conversion = client.get(f"/api/v1/partners/{partner.id}/conversion", **bearer(staff_user))
    assert conversion.json()["live"] == 1 and conversion.json()["rate"] == "1.0000"
    listed = client.get(base, {"stage": "store_live"}, **bearer(staff_user)).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == lead["id"]


def test_bad_lead_input_answers_4xx(client: Client, partner: PartnerInfo, staff_user: Any) -> None:
    base = f"/api/v1/partners/{partner.id}/leads"
    body = {"firm_name": "Caseificio Alpi", "vat_number": "12345678901", "region_code": "IT-25"}
    bad_vat = _post(client, base, body, staff_user, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad_vat.status_code == 422 and bad_vat.json()["error"] == "invalid_vat"
    assert "增值税" in bad_vat.json()["detail"] or "IVA" in bad_vat.json()["detail"]
    lead = make_lead(partner)
    dup = {**body, "vat_number": lead.vat_number}
    assert _post(client, base, dup, staff_user).json()["error"] == "lead_exists"
    lose = _post(client, f"{base}/{lead.id}/lose", {"reason": ""}, staff_user)
    assert lose.status_code == 422
    assert _post(client, f"{base}/{lead.id}/advance", {"stage": "x"}, staff_user).status_code == 422
    assert client.get(base, {"stage": "nope"}, **bearer(staff_user)).status_code == 422
    assert client.get(f"{base}/{2**63}", **bearer(staff_user)).status_code == 422
    assert client.get(f"{base}/999999", **bearer(staff_user)).status_code == 404


def test_partner_staff_are_kept_to_their_partner(
    client: Client, partner: PartnerInfo, other_partner: PartnerInfo, staff_user: Any
) -> None:
    theirs = make_lead(other_partner)
    other = f"/api/v1/partners/{other_partner.id}"
    for url in (other, f"{other}/leads", f"{other}/leads/{theirs.id}", f"{other}/merchants"):
        response = client.get(url, **bearer(staff_user))
        assert response.status_code == 404, url
        assert response.json()["error"] == "partner_not_found"
    advance = _post(
        client, f"{other}/leads/{theirs.id}/advance", {"stage": "contacted"}, staff_user
    )
    assert advance.status_code == 404
    mine = f"/api/v1/partners/{partner.id}/leads/{theirs.id}"
    assert client.get(mine, **bearer(staff_user)).status_code == 404  # not under my id either
    assert client.get("/api/v1/partners/coverage", **bearer(staff_user)).status_code == 403
    staff_add = _post(client, f"/api/v1/partners/{partner.id}/staff", {"username": "x"}, staff_user)
    assert staff_add.status_code == 403 and staff_add.json()["error"] == "partner_admin_only"
    patch = client.patch(
        f"/api/v1/partners/{partner.id}", {"name": "Mine"}, content_type=JSON, **bearer(staff_user)
    )
    assert patch.status_code == 403


@pytest.mark.parametrize("role", ["buyer", "merchant", "learner"])
def test_other_roles_get_403(client: Client, partner: PartnerInfo, role: str) -> None:
    user = make_user(role)
    for url in (
        "/api/v1/partners",
        "/api/v1/partners/coverage",
        f"/api/v1/partners/{partner.id}",
        f"/api/v1/partners/{partner.id}/leads",
    ):
        response = client.get(url, **bearer(user))
        assert response.status_code == 403, url
    body = {"firm_name": "X", "vat_number": italian_vat(), "region_code": "IT-25"}
    assert _post(client, f"/api/v1/partners/{partner.id}/leads", body, user).status_code == 403


def test_signed_out_is_401(client: Client, partner: PartnerInfo) -> None:
    assert client.get("/api/v1/partners").status_code == 401
    assert client.get(f"/api/v1/partners/{partner.id}/leads").status_code == 401


def test_admin_manages_staff_and_operator_sees_coverage(
    client: Client, partner: PartnerInfo, admin_user: Any, operator: Any
) -> None:
    newcomer = make_user("partner")
    url = f"/api/v1/partners/{partner.id}/staff"
    added = _post(client, url, {"username": newcomer.username, "role": "staff"}, admin_user)
    assert added.status_code == 201 and len(added.json()) == 2
    not_partner = _post(client, url, {"username": make_user("buyer").username}, admin_user)
    assert not_partner.status_code == 422 and not_partner.json()["error"] == "user_not_partner"
    removed = client.delete(f"{url}/{newcomer.pk}", **bearer(admin_user))
    assert removed.status_code == 200 and len(removed.json()) == 1
    last = client.delete(f"{url}/{admin_user.pk}", **bearer(admin_user))
    assert last.status_code == 409 and last.json()["error"] == "last_partner_admin"
    coverage = client.get("/api/v1/partners/coverage", **bearer(operator)).json()
    assert len(coverage["regions"]) == 20 and "IT-88" in coverage["uncovered"]
