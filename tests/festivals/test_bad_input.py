"""Bad input to a festival checkout, over HTTP (issue 8, "Bad input"): buying a flash sale
before its start or after its end, over the per-buyer limit, from a sold-out allocation, or
at a price that changed is each a 409 naming the rule (``error``), a sentence for people in
the reader's language (``detail``) and the figures behind it; and nothing is half-written:
no order, checkout, idempotency record or outbox message, the buckets, the buyer's counter
and the warehouse stock as they were, and the Idempotency-Key still free for a good retry.
The checkout page says the same on the page (the flash-sale limit reached in an earlier
order), with nothing written."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.common.models import OutboxMessage
from fiera.festivals.models import FlashSaleBucket, FlashSaleBuyer
from fiera.orders import services
from fiera.orders.models import Checkout, IdempotencyRecord, Order
from tests.festivals.test_flash_checkout import festival, flash_sale
from tests.orders import factories as f
from tests.orders.test_api import Api

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def world(client) -> dict[str, Any]:
    now = timezone.now()
    market = f.marketplace()
    fest = festival(market, starts=now - HOUR, ends=now + 24 * HOUR)
    items = {name: f.sku(market=market, price_minor=1000, stock=5) for name in "abcde"}
    sales = {
        "live": flash_sale(
            fest,
            items["a"],
            price_minor=400,
            quantity=5,
            limit=2,
            buckets=2,
            starts=now - HOUR,
            ends=now + HOUR,
        ),
        "later": flash_sale(fest, items["b"], starts=now + HOUR / 2, ends=now + HOUR),
        "ended": flash_sale(fest, items["c"], starts=now - 3 * HOUR, ends=now - HOUR),
        "closed": flash_sale(
            fest, items["d"], starts=now - HOUR, ends=now + HOUR, closed_at=now - HOUR / 4
        ),
        "sold_out": flash_sale(
            fest, items["e"], quantity=1, limit=1, starts=now - HOUR, ends=now + HOUR
        ),
    }
    FlashSaleBucket.objects.filter(flash_sale=sales["sold_out"]).update(units_left=0, units_sold=1)
    buyer = f.user()
    return {
        "market": market,
        "items": items,
        "sales": sales,
        "buyer": buyer,
        "api": Api(client, buyer),
    }


def _line(world: dict[str, Any], sale: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    flash = world["sales"][sale]
    return {
        "variant_id": flash.variant_id,
        "quantity": quantity,
        "flash_sale_id": flash.pk,
        **extra,
    }


def _body(world: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    return {
        "marketplace": world["market"].slug,
        "country": "IT",
        "shipping_address": f.address(),
        "payment_method": "cod",
        "lines": [line],
    }


def _state(world: dict[str, Any]) -> tuple[Any, ...]:
    """Everything a refused checkout could have half-written."""
    buckets = tuple(
        tuple(
            FlashSaleBucket.objects.filter(flash_sale=sale)
            .aggregate(left=Sum("units_left"), sold=Sum("units_sold"))
            .values()
        )
        for sale in world["sales"].values()
    )
    return (
        Order.objects.count(),
        Checkout.objects.count(),
        IdempotencyRecord.objects.count(),
        OutboxMessage.objects.count(),
        buckets,
        tuple(FlashSaleBuyer.objects.order_by("pk").values_list("buyer_id", "units")),
        tuple(item.stock() for item in world["items"].values()),
    )


CASES = {
    # case: (sale, quantity, extra line fields, error, params that must come back, words)
    "before the start": ("later", 1, {}, "flash_sale_not_started", ("starts_at",), "starts"),
    "after the end": ("ended", 1, {}, "flash_sale_ended", (), "ended"),
    "closed": ("closed", 1, {}, "flash_sale_ended", (), "ended"),
    "over the limit": ("live", 3, {}, "flash_sale_limit", ("limit", "held"), "at most 2"),
    "sold out": ("sold_out", 1, {}, "flash_sale_sold_out", (), "sold out"),
    "price changed": (
        "live",
        1,
        {"unit_price_minor": 1000},
        "price_changed",
        ("old_price_minor", "new_price_minor"),
        "changed",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_is_a_409_with_its_reason_and_writes_nothing(world, client, case) -> None:
    sale, quantity, extra, error, params, words = CASES[case]
    before = _state(world)
    key = f"bad-{case.replace(' ', '-')}"
    answer = world["api"].post(
        "/checkout",
        _body(world, _line(world, sale, quantity, **extra)),
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert answer.status_code == 409, answer.content
    payload = answer.json()
    assert payload["error"] == error
    assert words in payload["detail"].lower(), payload["detail"]
    assert set(params) <= set(payload), payload
    assert _state(world) == before
    # in Italian, the same rule in Italian words
    italian = world["api"].post(
        "/checkout",
        _body(world, _line(world, sale, quantity, **extra)),
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert italian.status_code == 409 and italian.json()["error"] == error
    assert italian.json()["detail"] != payload["detail"]
    assert _state(world) == before
    # the refusal did not take the key: a good checkout under it is placed
    placed = world["api"].post(
        "/checkout", _body(world, _line(world, "live")), HTTP_IDEMPOTENCY_KEY=key
    )
    assert placed.status_code == 201, placed.content
    assert "Idempotent-Replayed" not in placed


def test_over_the_limit_counts_what_the_buyer_already_holds(world) -> None:
    first = world["api"].post("/checkout", _body(world, _line(world, "live", 2)))
    assert first.status_code == 201, first.content
    before = _state(world)
    again = world["api"].post("/checkout", _body(world, _line(world, "live", 1)))
    assert again.status_code == 409
    assert (again.json()["error"], again.json()["limit"], again.json()["held"]) == (
        "flash_sale_limit",
        2,
        2,
    )
    assert "you already hold 2" in again.json()["detail"]
    assert _state(world) == before
    # another buyer is not held back by this one's limit
    other = Api(world["api"].client, f.user())
    assert other.post("/checkout", _body(world, _line(world, "live", 2))).status_code == 201


def test_the_checkout_page_says_the_limit_is_reached_and_writes_nothing(client, world) -> None:
    """A buyer who holds the flash sale's limit from an earlier order and has the item in the
    cart again: the page refuses with the rule and what to do, in the reader's language."""
    buyer, market, sale = world["buyer"], world["market"], world["sales"]["live"]
    world["api"].post("/checkout", _body(world, _line(world, "live", 2)))
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        variant_id=sale.variant_id,
        quantity=1,
        now=timezone.now(),
        actor_role=SYSTEM,
    )
    client.force_login(buyer)
    url = reverse("orders:checkout", args=[market.slug])
    page = client.get(url)
    html = page.content.decode()
    form = {
        **f.address(),
        "payment_method": "cod",
        "idempotency_key": page.context["form"].initial.get("idempotency_key"),
        "action": "place",
        **dict(re.findall(r'name="(expected-\d+)" value="(\d+)"', html)),
    }
    before = _state(world)
    client.cookies["django_language"] = "it"
    refused = client.post(url, form)
    assert refused.status_code == 409
    assert refused.context["refusal"].code == "flash_sale_limit"
    html = refused.content.decode()
    assert 'id="checkout-refusal"' in html
    assert "2" in refused.context["refusal"].detail
    assert refused.context["refusal"].detail != (
        "You may buy at most 2 of this flash sale; you already hold 2."
    )  # in Italian
    assert _state(world) == before


def test_before_the_start_names_the_time_in_the_festivals_zone(world) -> None:
    """The sentence for people shows the start in the festival's time zone, named, in the
    reader's language; the ISO instant stays in ``starts_at`` for programs."""
    later = world["sales"]["later"]
    later.festival.timezone = "Asia/Shanghai"
    later.festival.save(update_fields=["timezone"])
    body = _body(world, _line(world, "later"))
    payload = world["api"].post("/checkout", body).json()
    local = later.starts_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert payload["starts_at"] == later.starts_at.isoformat()
    assert payload["timezone"] == "Asia/Shanghai"
    assert not re.search(r"\d{4}-\d\d-\d\dT", payload["detail"]), payload["detail"]
    assert f"{local:%-I:%M}" in payload["detail"] and "(Asia/Shanghai)" in payload["detail"]
    italian = world["api"].post("/checkout", body, HTTP_ACCEPT_LANGUAGE="it").json()
    assert italian["detail"].startswith("Questa vendita lampo")
    assert f"{local:%H:%M}" in italian["detail"] and "(Asia/Shanghai)" in italian["detail"]
