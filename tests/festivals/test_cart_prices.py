"""The cart and checkout pages show the price the checkout charges: a festival price or a
live flash sale's, marked as such, with the list price struck through; the checkout page
sends the unit prices it showed, so a price that changed before the buyer pressed "Place
order" (the flash sale sold out or ended) is refused on the page (PriceChanged, 409) with
the summary kept at the new price, and placing again charges that."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.festivals.models import Festival, FestivalPrice, FlashSale, FlashSaleBucket
from fiera.orders import selectors, services
from fiera.orders.models import Checkout, OrderLine
from tests.orders import factories as f

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def world(client) -> dict[str, Any]:
    now = timezone.now()
    market = f.marketplace(slug="fiera-fest")
    maker = f.merchant()
    scarf = f.sku(market=market, merchant_obj=maker, price_minor=1250, stock=50, name="Sciarpa")
    bag = f.sku(market=market, merchant_obj=maker, price_minor=4000, stock=50, name="Borsa")
    fest = Festival.objects.create(
        slug="double-11",
        name="11.11",
        warmup_starts_at=now - 3 * HOUR,
        starts_at=now - 2 * HOUR,
        ends_at=now + 22 * HOUR,
        is_published=True,
        created_at=now - 4 * HOUR,
    )
    fest.marketplaces.add(market)
    FestivalPrice.objects.create(
        merchant=maker,
        festival=fest,
        variant=scarf.variant,
        currency="EUR",
        price_minor=1000,
        created_at=now - 4 * HOUR,
    )
    sale = FlashSale.objects.create(
        merchant=maker,
        festival=fest,
        variant=bag.variant,
        warehouse=bag.warehouse,
        currency="EUR",
        price_minor=1500,
        quantity=3,
        per_buyer_limit=2,
        bucket_count=1,
        starts_at=now - HOUR,
        ends_at=now + HOUR,
        created_at=now - 4 * HOUR,
    )
    FlashSaleBucket.objects.create(merchant=maker, flash_sale=sale, number=0, units_left=3)
    buyer = f.user()
    for item, quantity in ((scarf, 2), (bag, 1)):
        services.cart_line_set(
            buyer_id=buyer.pk,
            marketplace_slug=market.slug,
            variant_id=item.id,
            quantity=quantity,
            now=now,
            actor_role=SYSTEM,
        )
    client.force_login(buyer)
    return {"market": market, "scarf": scarf, "bag": bag, "sale": sale, "buyer": buyer}


def test_the_cart_prices_lines_as_the_checkout_will(world) -> None:
    cart = selectors.cart_view(
        buyer_id=world["buyer"].pk, marketplace_slug="fiera-fest", country="IT"
    )
    by_variant = {line.variant_id: line for line in cart.lines}
    scarf, bag = by_variant[world["scarf"].id], by_variant[world["bag"].id]
    assert (scarf.price_kind, scarf.unit_price_minor, scarf.list_unit_price_minor) == (
        "festival",
        1000,
        1250,
    )
    assert (bag.price_kind, bag.unit_price_minor, bag.list_unit_price_minor) == (
        "flash",
        1500,
        4000,
    )
    assert cart.subtotal_minor == 2 * 1000 + 1500
    quote = selectors.checkout_quote(
        buyer_id=world["buyer"].pk,
        marketplace_slug="fiera-fest",
        country="IT",
        lines=None,
        now=timezone.now(),
    )
    assert quote.subtotal_minor == cart.subtotal_minor  # what the checkout will charge
    assert {
        line.variant_id: (line.price_kind, line.list_unit_price_minor)
        for group in quote.groups
        for line in group.lines
    } == {world["scarf"].id: ("festival", 1250), world["bag"].id: ("flash", 4000)}


def test_cart_page_marks_offer_prices_with_the_list_price_struck(client, world) -> None:
    html = client.get(reverse("orders:cart", args=["fiera-fest"])).content.decode()
    assert "Festival price" in html and "Flash-sale price" in html
    assert re.search(r"<strong>€10\.00</strong> <del>.*?€12\.50</del>", html)
    assert re.search(r"<strong>€15\.00</strong> <del>.*?€40\.00</del>", html)
    assert "€35.00" in html  # the subtotal at the offers' prices
    client.cookies["django_language"] = "it"
    html = client.get(reverse("orders:cart", args=["fiera-fest"])).content.decode()
    assert "Prezzo festival" in html and "Prezzo vendita lampo" in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("orders:cart", args=["fiera-fest"])).content.decode()
    assert "购物节价" in html and "抢购价" in html


def test_cart_flags_more_than_the_flash_limit(client, world) -> None:
    services.cart_line_set(
        buyer_id=world["buyer"].pk,
        marketplace_slug="fiera-fest",
        variant_id=world["bag"].id,
        quantity=3,
        now=timezone.now(),
        actor_role=SYSTEM,
    )
    html = client.get(reverse("orders:cart", args=["fiera-fest"])).content.decode()
    assert "at most 2 per buyer at the flash-sale price" in html
    FlashSale.objects.filter(pk=world["sale"].pk).update(per_buyer_limit=5)
    FlashSaleBucket.objects.filter(flash_sale=world["sale"]).update(units_left=2)
    html = client.get(reverse("orders:cart", args=["fiera-fest"])).content.decode()
    assert "only 2 left at the flash-sale price" in html


def test_cart_api_names_the_price_kind(client, world) -> None:
    body = client.get("/api/v1/carts/fiera-fest").json()
    lines = {line["variant_id"]: line for line in body["lines"]}
    assert lines[world["bag"].id]["price_kind"] == "flash"
    assert lines[world["bag"].id]["unit_price"]["amount_minor"] == 1500
    assert lines[world["bag"].id]["list_unit_price"]["amount_minor"] == 4000
    assert lines[world["scarf"].id]["price_kind"] == "festival"


def _checkout_form(page) -> dict[str, str]:
    html = page.content.decode()
    expected = dict(re.findall(r'name="(expected-\d+)" value="(\d+)"', html))
    key = page.context["form"].initial.get("idempotency_key") or page.context["form"].data.get(
        "idempotency_key"
    )
    return {
        **f.address(),
        "payment_method": "cod",
        "idempotency_key": key,
        "action": "place",
        **expected,
    }


@pytest.mark.parametrize("change", ["sold out", "ended"])
def test_a_flash_price_gone_before_submit_is_refused_on_the_page(client, world, change) -> None:
    url = reverse("orders:checkout", args=["fiera-fest"])
    page = client.get(url)
    html = page.content.decode()
    assert "Flash-sale price" in html and "<del>" in html
    form = _checkout_form(page)
    assert form[f"expected-{world['bag'].id}"] == "1500"
    assert form[f"expected-{world['scarf'].id}"] == "1000"
    # between the page and the submit, the flash sale sells out or ends
    if change == "sold out":
        FlashSaleBucket.objects.filter(flash_sale=world["sale"]).update(units_left=0)
    else:
        FlashSale.objects.filter(pk=world["sale"].pk).update(ends_at=timezone.now())
    client.cookies["django_language"] = "it"
    refused = client.post(url, form)
    assert refused.status_code == 409
    assert refused.context["refusal"].code == "price_changed"
    html = refused.content.decode()
    assert 'id="checkout-refusal"' in html
    assert "Prezzo cambiato" in html  # the rule, translated
    assert "15,00\xa0€" in html and "40,00\xa0€" in html  # from the flash price to the list price
    assert "Controllalo" in html  # what to do
    assert not Checkout.objects.exists()
    # the summary stays, at the new price, and the page now sends that one
    assert refused.context["quote"].subtotal_minor == 2 * 1000 + 4000
    again = _checkout_form(refused)
    assert again[f"expected-{world['bag'].id}"] == "4000"
    placed = client.post(url, again)
    assert placed.status_code == 302
    line = OrderLine.objects.get(variant_id=world["bag"].id)
    assert (line.unit_price_minor, line.price_kind) == (4000, "list")


def test_the_checkout_page_places_at_the_prices_it_showed(client, world) -> None:
    url = reverse("orders:checkout", args=["fiera-fest"])
    response = client.post(url, _checkout_form(client.get(url)))
    assert response.status_code == 302
    bag = OrderLine.objects.get(variant_id=world["bag"].id)
    assert (bag.unit_price_minor, bag.price_kind, bag.flash_sale_id) == (
        1500,
        "flash",
        world["sale"].pk,
    )


def test_a_tampered_expected_price_is_a_400(client, world) -> None:
    url = reverse("orders:checkout", args=["fiera-fest"])
    form = _checkout_form(client.get(url))
    form[f"expected-{world['bag'].id}"] = "lots"
    response = client.post(url, form)
    assert response.status_code == 400
    assert not Checkout.objects.exists()
