"""The analytics API (/api/v1/analytics): what each role sees, the denials (anonymous 401,
buyer 403, another merchant's or partner's figures 403, a pavilion of another partner 403),
the bounds of every parameter (422), and answers equal to the query layer's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fiera.accounts.roles import SYSTEM
from fiera.analytics import query
from tests.analytics.report_world import ReportWorld, make_report_world
from tests.merchants.factories import bearer

pytestmark = pytest.mark.django_db
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
API = "/api/v1/analytics"


@pytest.fixture
def world() -> ReportWorld:
    return make_report_world()


def _get(client: Client, path: str, user: Any | None, **params: Any) -> Any:
    headers = bearer(user) if user is not None else {}
    return client.get(f"{API}/{path}", params, **headers)


def test_the_operator_sees_all_and_the_figures_are_the_query_layers(
    client: Client, world: ReportWorld
) -> None:
    response = _get(client, "kpis", world.operator, **MARCH)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["scope"]["kind"] == "all"
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    assert body["previous"] == {"start": "2026-01-29", "end": "2026-02-28"}
    kpis = {k["measure"]: k for k in body["kpis"]}
    period = query.Period.month(2026, 3)
    scope = query.analytics_scope(actor_id=None, actor_role=SYSTEM)
    gmv = query.analytics_total(measure="gmv", period=period, filters=query.Filters(), scope=scope)
    assert kpis["gmv"]["value"] == gmv and kpis["gmv"]["money"] is True
    assert kpis["orders"]["value"] == 3 and kpis["orders"]["money"] is False

    series = _get(client, "series", world.operator, measure="orders", grain="day", **MARCH).json()
    assert len(series["points"]) == 31 and sum(p["value"] for p in series["points"]) == 3

    ranked = _get(
        client, "breakdown", world.operator, dimension="merchant_country", top=1, **MARCH
    ).json()
    assert [r["key"] for r in ranked["rows"]] == ["IT"]
    assert ranked["total"] == gmv and ranked["others"] == gmv - ranked["rows"][0]["value"]

    regions = _get(client, "regions", world.operator, **MARCH).json()["regions"]
    assert len(regions) == 20
    veneto = next(r for r in regions if r["code"] == "IT-34")
    assert veneto["merchants"] == 1 and veneto["gmv_usd_minor"] == ranked["rows"][0]["value"]

    one = _get(client, "kpis", world.operator, merchant=world.french.pk, **MARCH).json()
    assert one["scope"]["kind"] == "merchant"


def test_a_merchant_sees_its_own_figures_only(client: Client, world: ReportWorld) -> None:
    own = _get(client, "kpis", world.it_staff, **MARCH)
    assert own.status_code == 200
    assert own.json()["scope"] == {"kind": "merchant", "label": world.italian.display_name}
    orders = {k["measure"]: k["value"] for k in own.json()["kpis"]}["orders"]
    assert orders == 2
    other = _get(client, "kpis", world.it_staff, merchant=world.french.pk, **MARCH)
    assert other.status_code == 403
    assert other.json()["error"] == "analytics_not_your_merchant"
    partner = _get(client, "breakdown", world.it_staff, partner=world.partner.id, **MARCH)
    assert partner.status_code == 403


def test_a_partner_sees_its_merchants_not_another_partners(
    client: Client, world: ReportWorld
) -> None:
    mine = _get(client, "kpis", world.partner_staff, **MARCH)
    assert mine.status_code == 200
    assert mine.json()["scope"] == {"kind": "partner", "label": "Camera Veneto"}
    other = _get(client, "kpis", world.partner_staff, partner=world.other_partner.id, **MARCH)
    assert other.status_code == 403 and other.json()["error"] == "analytics_not_your_partner"
    theirs = _get(client, "series", world.other_partner_staff, merchant=world.italian.pk)
    assert theirs.status_code == 403


def test_a_pavilion_of_another_partner_is_refused(client: Client, db: None) -> None:
    from tests.trade.pavilion_factories import make_pavilion_world

    pw = make_pavilion_world()
    owner = _get(client, "kpis", pw.reviewer, pavilion=pw.pavilion.id)
    assert owner.status_code == 200 and owner.json()["scope"]["kind"] == "pavilion"
    outsider = _get(client, "kpis", pw.outsider, pavilion=pw.pavilion.id)
    assert outsider.status_code == 403


@pytest.mark.parametrize("path", ["kpis", "series", "breakdown", "regions"])
def test_buyers_are_refused_and_anonymous_callers_must_sign_in(
    client: Client, world: ReportWorld, path: str
) -> None:
    anonymous = _get(client, path, None)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthenticated"
    buyer = _get(client, path, world.buyer)
    assert buyer.status_code == 403 and buyer.json()["error"] == "analytics_forbidden"


@pytest.mark.parametrize(
    ("path", "params", "error"),
    [
        ("breakdown", {"top": 0}, "invalid"),
        ("breakdown", {"top": 1001}, "invalid"),
        ("breakdown", {"dimension": "colour"}, "invalid"),
        ("series", {"measure": "profit"}, "invalid"),
        ("series", {"grain": "year"}, "invalid"),
        ("kpis", {"from": "2026-03-02", "to": "2026-03-01"}, "analytics_bad_period"),
        ("kpis", {"from": "2020-01-01", "to": "2026-03-01"}, "analytics_bad_period"),
        ("kpis", {"from": "1999-12-31"}, "invalid"),
        ("kpis", {"from": "yesterday"}, "invalid"),
        ("kpis", {"merchant_country": "it"}, "invalid"),
        ("kpis", {"region": "Veneto"}, "invalid"),
        ("kpis", {"marketplace": 0}, "invalid"),
        ("kpis", {"merchant": 2**63}, "invalid"),
    ],
)
def test_every_parameter_is_bounded(
    client: Client, world: ReportWorld, path: str, params: dict[str, Any], error: str
) -> None:
    response = _get(client, path, world.operator, **params)
    assert response.status_code == 422, response.json()
    assert response.json()["error"] == error


def test_an_unknown_merchant_is_404(client: Client, world: ReportWorld) -> None:
    response = _get(client, "kpis", world.operator, merchant=987_654)
    assert response.status_code == 404
