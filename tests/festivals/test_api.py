"""HTTP contract of the festivals API (fdomain's section): roles, denials, 4xx."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from fiera.accounts.services import token_issue
from fiera.catalog.models import StockLevel
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client, user):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}"}

    def _send(self, method, path, body=None):
        return getattr(self.client, method)(
            f"/api/v1{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            **self.headers,
        )

    def get(self, path):
        return self.client.get(f"/api/v1{path}", **self.headers)

    def post(self, path, body=None):
        return self._send("post", path, body or {})

    def put(self, path, body):
        return self._send("put", path, body)

    def patch(self, path, body):
        return self._send("patch", path, body)

    def delete(self, path):
        return self.client.delete(f"/api/v1{path}", **self.headers)


def iso(dt):
    return dt.isoformat()


@pytest.fixture
def world(client):
    now = timezone.now()
    market = f.marketplace(slug="bottega")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=1000, stock=40)
    other = f.merchant()
    other_item = f.sku(market=market, merchant_obj=other, price_minor=1000, stock=40)
    return {
        "now": now,
        "market": market,
        "maker": maker,
        "item": item,
        "other": other,
        "other_item": other_item,
        "op": Api(client, f.user(role="operator")),
        "staff": Api(client, f.staff(merchant_obj=maker)),
        "other_staff": Api(client, f.staff(merchant_obj=other)),
        "buyer": Api(client, f.user()),
    }


def festival_body(world, **overrides):
    now = world["now"]
    body = {
        "slug": "double-11",
        "name": "Double 11",
        "name_zh": "双十一",
        "marketplaces": ["bottega"],
        "timezone": "Asia/Shanghai",
        "warmup_starts_at": iso(now - timedelta(hours=1)),
        "starts_at": iso(now + timedelta(hours=1)),
        "ends_at": iso(now + timedelta(hours=25)),
        "is_published": True,
    }
    body.update(overrides)
    return body


def create_and_approve(world):
    r = world["op"].post("/festivals", festival_body(world))
    assert r.status_code == 201, r.content
    r = world["staff"].post(
        "/festivals/double-11/participations", {"merchant_id": world["maker"].pk, "pitch": "x"}
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = world["op"].post(
        f"/festivals/double-11/participations/{pid}/decision", {"decision": "approve"}
    )
    assert r.status_code == 200 and r.json()["status"] == "approved", r.content
    return pid


def test_festival_crud_and_roles(world):
    r = world["buyer"].post("/festivals", festival_body(world))
    assert r.status_code == 403 and r.json()["error"] == "operators_only"
    r = world["op"].post("/festivals", festival_body(world, is_published=False))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["phase"] == "warm-up" and body["marketplaces"] == ["bottega"]
    assert world["op"].post("/festivals", festival_body(world)).status_code == 409
    bad = festival_body(world, slug="bad", ends_at=iso(world["now"] - timedelta(hours=5)))
    r = world["op"].post("/festivals", bad)
    assert r.status_code == 422 and r.json()["error"] == "invalid_festival"
    r = world["op"].post("/festivals", festival_body(world, slug="tz", timezone="Nowhere/X"))
    assert r.status_code == 422
    r = world["op"].post("/festivals", festival_body(world, slug="mk", marketplaces=["nope"]))
    assert r.status_code == 404
    # unpublished: invisible to a buyer
    assert world["buyer"].get("/festivals").json() == {"items": [], "count": 0}
    assert world["buyer"].get("/festivals/double-11").status_code == 404
    r = world["op"].patch("/festivals/double-11", {"is_published": True, "name_it": "Doppio 11"})
    assert r.status_code == 200 and r.json()["name_it"] == "Doppio 11"
    assert world["buyer"].get("/festivals/double-11").json()["slug"] == "double-11"
    assert world["staff"].patch("/festivals/double-11", {"name": "x"}).status_code == 403


def test_participation_and_denials(world):
    world["op"].post("/festivals", festival_body(world))
    r = world["other_staff"].post(
        "/festivals/double-11/participations", {"merchant_id": world["maker"].pk}
    )
    assert r.status_code == 404
    r = world["buyer"].post(
        "/festivals/double-11/participations", {"merchant_id": world["maker"].pk}
    )
    assert r.status_code == 403
    pid = (
        world["staff"]
        .post("/festivals/double-11/participations", {"merchant_id": world["maker"].pk})
        .json()["id"]
    )
    r = world["staff"].post(
        f"/festivals/double-11/participations/{pid}/decision", {"decision": "approve"}
    )
    assert r.status_code == 403
    assert world["other_staff"].get("/festivals/double-11/participations").json()["count"] == 0
    assert world["op"].get("/festivals/double-11/participations").json()["count"] == 1
    assert (
        world["other_staff"].delete(f"/festivals/double-11/participations/{pid}").status_code == 404
    )
    r = world["staff"].delete(f"/festivals/double-11/participations/{pid}")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = world["staff"].get(f"/merchants/{world['maker'].pk}/festival-participations")
    assert [p["status"] for p in r.json()["items"]] == ["withdrawn"]


def test_prices_and_denials(world):
    world["op"].post("/festivals", festival_body(world))
    body = {
        "merchant_id": world["maker"].pk,
        "variant_id": world["item"].id,
        "currency": "EUR",
        "price_minor": 800,
    }
    r = world["staff"].put("/festivals/double-11/prices", body)
    assert r.status_code == 403 and r.json()["error"] == "not_approved_participant"
    create_and_approve_participation = (
        world["staff"]
        .post("/festivals/double-11/participations", {"merchant_id": world["maker"].pk})
        .json()["id"]
    )
    world["op"].post(
        f"/festivals/double-11/participations/{create_and_approve_participation}/decision",
        {"decision": "approve"},
    )
    r = world["staff"].put("/festivals/double-11/prices", body)
    assert r.status_code == 200, r.content
    assert r.json()["price"]["amount_minor"] == 800
    price_id = r.json()["id"]
    r = world["staff"].put("/festivals/double-11/prices", {**body, "price_minor": 1200})
    assert r.status_code == 422 and r.json()["error"] == "price_not_below_list"
    r = world["staff"].put("/festivals/double-11/prices", {**body, "price_minor": "800"})
    assert r.status_code == 422
    r = world["other_staff"].put("/festivals/double-11/prices", body)
    assert r.status_code == 404
    assert world["other_staff"].get("/festivals/double-11/prices").json()["items"] == []
    assert world["buyer"].get("/festivals/double-11/prices").status_code == 403
    assert world["other_staff"].delete(f"/festivals/double-11/prices/{price_id}").status_code == 404
    assert world["staff"].delete(f"/festivals/double-11/prices/{price_id}").status_code == 204
    assert world["staff"].get("/festivals/double-11/prices").json()["items"] == []


def test_flash_sales_over_http(world):
    create_and_approve(world)
    now = world["now"]
    body = {
        "merchant_id": world["maker"].pk,
        "variant_id": world["item"].id,
        "warehouse_id": world["item"].warehouse.pk,
        "currency": "EUR",
        "price_minor": 500,
        "quantity": 10,
        "per_buyer_limit": 2,
        "bucket_count": 4,
        "starts_at": iso(now + timedelta(hours=2)),
        "ends_at": iso(now + timedelta(hours=3)),
    }
    r = world["other_staff"].post("/festivals/double-11/flash-sales", body)
    assert r.status_code == 404
    r = world["staff"].post("/festivals/double-11/flash-sales", {**body, "quantity": 41})
    assert r.status_code == 409 and r.json()["error"] == "flash_sale_stock_short"
    r = world["staff"].post("/festivals/double-11/flash-sales", body)
    assert r.status_code == 201, r.content
    sale = r.json()
    assert (sale["units_left"], sale["units_sold"], sale["bucket_count"]) == (10, 0, 4)
    assert StockLevel.objects.get(variant=world["item"].variant).units_on_hand == 30
    listed = world["buyer"].get("/festivals/double-11/flash-sales").json()["items"]
    assert [s["id"] for s in listed] == [sale["id"]]
    assert world["buyer"].post(f"/flash-sales/{sale['id']}/close").status_code == 403
    assert world["other_staff"].post(f"/flash-sales/{sale['id']}/close").status_code == 404
    r = world["staff"].post(f"/flash-sales/{sale['id']}/close")
    assert r.status_code == 200 and r.json()["units_returned"] == 10, r.content
    assert StockLevel.objects.get(variant=world["item"].variant).units_on_hand == 40
    again = world["staff"].post(f"/flash-sales/{sale['id']}/close")
    assert again.status_code == 200 and again.json()["closed_at"] == r.json()["closed_at"]
    assert StockLevel.objects.get(variant=world["item"].variant).units_on_hand == 40
    mine = world["staff"].get(f"/merchants/{world['maker'].pk}/flash-sales").json()["items"]
    assert [s["id"] for s in mine] == [sale["id"]]
    assert (
        world["other_staff"].get(f"/merchants/{world['maker'].pk}/flash-sales").status_code == 404
    )


def test_cli_close_ended(world, capsys):
    from fiera.accounts.roles import SYSTEM
    from fiera.cli import main
    from fiera.festivals import services

    create_and_approve(world)
    now = world["now"]
    sale = services.flash_sale_create(
        actor_id=None,
        actor_role=SYSTEM,
        festival_slug="double-11",
        merchant_id=world["maker"].pk,
        variant_id=world["item"].id,
        warehouse_id=world["item"].warehouse.pk,
        currency="EUR",
        price_minor=500,
        quantity=7,
        starts_at=now - timedelta(minutes=50),
        ends_at=now + timedelta(seconds=1),
        now=now - timedelta(minutes=55),
    )
    assert StockLevel.objects.get(variant=world["item"].variant).units_on_hand == 33
    from fiera.festivals.models import FlashSale

    FlashSale.objects.filter(pk=sale.pk).update(ends_at=now - timedelta(minutes=1))
    assert main(["festival", "close-ended"]) == 0
    out = capsys.readouterr().out
    assert f"closed flash sale {sale.pk}" in out and "7 units back to stock" in out
    assert "1 flash sales closed" in out
    assert StockLevel.objects.get(variant=world["item"].variant).units_on_hand == 40
    assert main(["festival", "close-ended"]) == 0
    assert "0 flash sales closed" in capsys.readouterr().out


def test_lists_are_paged(world):
    """Every festivals list answers {items, count} and honours ?limit=&offset= (bounded)."""
    create_and_approve(world)
    for n in range(3):
        body = festival_body(world, slug=f"extra-{n}", is_published=True)
        assert world["op"].post("/festivals", body).status_code == 201
    page = world["buyer"].get("/festivals?limit=2&offset=0").json()
    assert page["count"] == 4 and len(page["items"]) == 2
    rest = world["buyer"].get("/festivals?limit=2&offset=2").json()
    assert len(rest["items"]) == 2
    seen = [f["slug"] for f in page["items"] + rest["items"]]
    assert sorted(seen) == sorted({*seen}) and len(seen) == 4
    assert world["buyer"].get("/festivals?limit=0").status_code == 422
    assert world["buyer"].get("/festivals?limit=201").status_code == 422
    assert world["buyer"].get("/festivals?offset=-1").status_code == 422
    now = world["now"]
    for hour in (2, 3, 4):
        body = {
            "merchant_id": world["maker"].pk,
            "variant_id": world["item"].id,
            "warehouse_id": world["item"].warehouse.pk,
            "currency": "EUR",
            "price_minor": 500,
            "quantity": 1,
            "starts_at": iso(now + timedelta(hours=hour)),
            "ends_at": iso(now + timedelta(hours=hour + 1)),
        }
        assert world["staff"].post("/festivals/double-11/flash-sales", body).status_code == 201
    first = world["buyer"].get("/festivals/double-11/flash-sales?limit=2").json()
    second = world["buyer"].get("/festivals/double-11/flash-sales?limit=2&offset=2").json()
    assert first["count"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    starts = [s["starts_at"] for s in first["items"] + second["items"]]
    assert starts == sorted(starts)  # by start, across pages
    assert all(s["units_left"] == 1 for s in first["items"] + second["items"])
    mine = world["staff"].get(f"/merchants/{world['maker'].pk}/flash-sales?limit=1").json()
    assert mine["count"] == 3 and len(mine["items"]) == 1
    parts = world["op"].get("/festivals/double-11/participations?limit=1&offset=5").json()
    assert parts == {"items": [], "count": 1}


def test_changing_dates_that_leave_a_flash_sale_outside_is_a_409(world, client):
    create_and_approve(world)
    now = world["now"]
    body = {
        "merchant_id": world["maker"].pk,
        "variant_id": world["item"].id,
        "warehouse_id": world["item"].warehouse.pk,
        "currency": "EUR",
        "price_minor": 500,
        "quantity": 2,
        "starts_at": iso(now + timedelta(hours=20)),
        "ends_at": iso(now + timedelta(hours=24)),
    }
    sale = world["staff"].post("/festivals/double-11/flash-sales", body).json()
    r = client.patch(
        "/api/v1/festivals/double-11",
        data=json.dumps({"ends_at": iso(now + timedelta(hours=22))}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **world["op"].headers,
    )
    assert r.status_code == 409
    assert r.json()["error"] == "flash_sales_outside_festival"
    assert f"#{sale['id']}" in r.json()["detail"] and "新日期" in r.json()["detail"]
    ends_at = world["buyer"].get("/festivals/double-11").json()["ends_at"]
    assert abs(datetime.fromisoformat(ends_at) - (now + timedelta(hours=25))) < timedelta(seconds=1)
