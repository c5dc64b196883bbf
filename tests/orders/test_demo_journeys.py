"""The README's journeys on the demo world, walked with the test client (issue 7):

* ``buyer`` checks out a cross-border cart (the demo leaves most of their yearly allowance);
* ``buyer-cbec`` is near the limit: the checkout page keeps the order summary, names the
  rule and what to do (en, it, zh-Hans) and the place-order button is disabled;
* ``buyer-sg`` lands on the regional marketplace shipping to Singapore in SGD.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from fiera.accounts.models import User
from fiera.orders.models import Checkout, Order

SLUG = "crossborder-cn"


@pytest.fixture(scope="module")
def _demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """One small demo world for the module, rolled back at the end."""
    from fiera.demo.build import build_demo

    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(merchants=12, seed=5, progress=False, outlets=False)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo: None, db: None) -> None:
    return None


def _cheap_cross_border_variant() -> tuple[int, str]:
    """A cross-border variant in stock, sold by the unit, under CNY 500."""
    from fiera.catalog.models import Price, StockLevel

    in_stock = StockLevel.objects.filter(units_on_hand__gte=3).values("variant_id")
    price = (
        Price.objects.filter(
            marketplace__slug=SLUG,
            currency="CNY",
            min_quantity=1,
            amount_minor__lte=50_000,
            amount_minor__gte=21_000,
            variant_id__in=in_stock,
            variant__is_active=True,
            variant__product__is_active=True,
            variant__min_order_quantity__lte=1,
        )
        .select_related("variant__product")
        .order_by("variant_id")
        .first()
    )
    assert price is not None, "the demo has no cheap cross-border variant in stock"
    return price.variant_id, price.variant.product.name_en


def _signed_in(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    return client


def _fill_cart(client: Client, variant_id: int, quantity: int = 1) -> None:
    response = client.post(
        reverse("orders:cart_add", args=[SLUG]), {"variant_id": variant_id, "quantity": quantity}
    )
    assert response.status_code == 302


def _address() -> dict[str, str]:
    return {
        "name": "Wang Fang",
        "line1": "88 Century Avenue",
        "city": "Shanghai",
        "postal_code": "200120",
        "country": "CN",
        "phone": "+86 21 5555 0100",
        "payment_method": "cod",
    }


def _place_button(html: str) -> str:
    match = re.search(r'<button[^>]*value="place"[^>]*>', html)
    assert match, "no place-order button"
    return match.group(0)


def test_the_readme_buyer_checks_out_on_the_cross_border_marketplace(demo: None) -> None:
    variant_id, name = _cheap_cross_border_variant()
    client = _signed_in("buyer")
    _fill_cart(client, variant_id)
    page = client.get(reverse("orders:checkout", args=[SLUG]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "checkout-refusal" not in html
    assert "disabled" not in _place_button(html)
    key = page.context["form"].initial["idempotency_key"]
    response = client.post(
        reverse("orders:checkout", args=[SLUG]),
        {**_address(), "idempotency_key": key, "action": "place"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    checkout = Checkout.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert checkout.cross_border and checkout.buyer.username == "buyer"
    assert Order.objects.filter(checkout=checkout).exists()
    assert name


@pytest.mark.parametrize(
    ("language", "rule", "advice"),
    [
        ("en", "Yearly cross-border shopping allowance", "Remove items from your cart"),
        ("it", "Limite annuale degli acquisti transfrontalieri", "Togli articoli dal carrello"),
        ("zh-hans", "年度跨境购物额度", "从购物车中移除商品"),
    ],
)
def test_a_buyer_near_the_limit_sees_the_rule_the_summary_and_a_disabled_button(
    demo: None, language: str, rule: str, advice: str
) -> None:
    variant_id, _name = _cheap_cross_border_variant()
    client = _signed_in("buyer-cbec", language)
    _fill_cart(client, variant_id, quantity=2)
    page = client.get(reverse("orders:checkout", args=[SLUG]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-rule="cross_border_annual_limit"' in html
    assert rule in html and advice in html
    # The order summary stays: the goods, the cross-border tax and the total.
    assert page.context["quote"] is not None and page.context["quote"].total_minor > 0
    assert 'id="summary-heading"' in html
    button = _place_button(html)
    assert "disabled" in button and 'aria-disabled="true"' in button
    # Placing anyway is refused with the same explanation, and nothing is written.
    before = Order.objects.count()
    response = client.post(
        reverse("orders:checkout", args=[SLUG]),
        {**_address(), "idempotency_key": "near-limit-1", "action": "place"},
    )
    assert response.status_code == 422
    assert rule in response.content.decode()
    assert Order.objects.count() == before


def test_buyer_sg_lands_on_singapore_in_sgd_and_pays_from_an_sgd_wallet(demo: None) -> None:
    client = _signed_in("buyer-sg")
    page = client.get("/m/sea/")
    assert page.status_code == 200
    shopping = page.context["shopping"]
    assert (shopping.country, shopping.currency) == ("SG", "SGD")
    html = page.content.decode()
    assert re.search(r'<option value="SG"[^>]*selected', html), "Singapore is not preselected"
    # An explicit choice still wins over the profile, for this marketplace only.
    client.post(reverse("catalog:set_country", args=["sea"]), {"country": "MY"})
    assert client.get("/m/sea/").context["shopping"].country == "MY"
    # A visitor without a profile country keeps the marketplace's default.
    anonymous = Client().get("/m/sea/").context["shopping"]
    assert anonymous.country == "ID"


def test_the_checkout_country_follows_the_profile_too(demo: None) -> None:
    from fiera.catalog.models import Price, StockLevel

    in_stock = StockLevel.objects.filter(units_on_hand__gte=1).values("variant_id")
    price = (
        Price.objects.filter(
            marketplace__slug="sea", currency="SGD", min_quantity=1, variant_id__in=in_stock
        )
        .order_by("variant_id")
        .first()
    )
    assert price is not None
    client = _signed_in("buyer-sg")
    response = client.post(
        reverse("orders:cart_add", args=["sea"]), {"variant_id": price.variant_id, "quantity": 1}
    )
    assert response.status_code == 302
    page = client.get(reverse("orders:checkout", args=["sea"]))
    assert page.status_code == 200
    assert page.context["quote"].currency == "SGD"
    assert page.context["form"].initial["country"] == "SG"
