"""A buyer cancels their order before it ships: a confirmation step on the order page and
the API; a paid order is refunded in full (the wallet gets its money back), stock and the
cross-border allowance come back; after shipping it is refused with a clear message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fiera.accounts.roles import BUYER, SYSTEM
from fiera.orders import services
from fiera.orders.models import Order, OrderStatus
from tests.orders import factories as f
from tests.orders.test_api import Api
from tests.payments.factories import balance, funded_wallet, make_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    market = f.marketplace(slug="mercato")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=2500, stock=10)
    return {
        "market": market,
        "item": item,
        "buyer": f.user(),
        "staff": f.staff(merchant_obj=maker),
        "client": client,
    }


def placed(world, quantity: int = 2) -> str:
    result = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug="mercato",
        country="IT",
        lines=[(world["item"].id, quantity)],
        shipping_address=f.address(),
        payment_method="cod",
        now=f.NOW,
        actor_role=SYSTEM,
    )
    return result.orders[0].number


def ship(world, number: str) -> None:
    services.order_ship(
        actor_id=world["staff"].pk,
        actor_role="merchant",
        number=number,
        carrier="BRT",
        tracking_number=f"T-{number}",
        now=f.NOW,
    )


def test_cancel_asks_to_confirm_then_cancels_and_restocks(world):
    client = world["client"]
    number = placed(world)
    client.force_login(world["buyer"])
    detail = client.get(reverse("orders:order_detail", args=[number])).content.decode()
    confirm_url = reverse("orders:order_cancel", args=[number])
    assert confirm_url in detail and "Cancel order" in detail
    confirm = client.get(confirm_url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Yes, cancel the order" in html and "Keep the order" in html
    assert Order.objects.get(number=number).status == OrderStatus.PLACED  # GET changes nothing
    response = client.post(confirm_url, follow=True)
    assert Order.objects.get(number=number).status == OrderStatus.CANCELLED
    assert "The order is cancelled." in response.content.decode()
    assert world["item"].stock() == 10


def test_after_shipping_the_cancel_is_refused_with_a_clear_message(world):
    client = world["client"]
    number = placed(world)
    ship(world, number)
    client.force_login(world["buyer"])
    detail = client.get(reverse("orders:order_detail", args=[number])).content.decode()
    assert reverse("orders:order_cancel", args=[number]) not in detail
    for response in (
        client.get(reverse("orders:order_cancel", args=[number]), follow=True),
        client.post(reverse("orders:order_cancel", args=[number]), follow=True),
    ):
        assert "already shipped, so it can no longer be cancelled" in response.content.decode()
    assert Order.objects.get(number=number).status == OrderStatus.SHIPPED


def test_the_shipped_refusal_is_in_italian_and_chinese(world):
    from django.utils import translation

    number = placed(world)
    ship(world, number)
    for language, words in (("it", "già stato spedito"), ("zh-hans", "已发货")):
        with translation.override(language):
            with pytest.raises(services.BadTransition) as excinfo:
                services.order_cancel(
                    actor_id=world["buyer"].pk, actor_role=BUYER, number=number, now=f.NOW
                )
            assert words in excinfo.value.message()


def test_another_buyer_cannot_cancel_or_see_the_confirmation(world):
    client = world["client"]
    number = placed(world)
    client.force_login(f.user())
    assert client.get(reverse("orders:order_cancel", args=[number])).status_code == 404
    assert client.post(reverse("orders:order_cancel", args=[number])).status_code == 404
    assert Api(client, f.user()).post(f"/orders/{number}/cancel").status_code == 404
    assert Order.objects.get(number=number).status == OrderStatus.PLACED


def test_buyer_cancels_a_wallet_paid_order_and_gets_the_money_back(client):
    make_rates(on=f.NOW.date())
    market = f.marketplace(countries={"CN": "CNY"}, default_currency="CNY")
    item = f.sku(market=market, price_minor=6_000, stock=5)
    buyer = f.user()
    funded_wallet(buyer, 20_000, now=f.NOW)
    result = services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country="CN",
        lines=[(item.id, 1)],
        shipping_address=f.address("CN", city="Shanghai", postal_code="200000"),
        payment_method="wallet",
        now=f.NOW,
        actor_role=BUYER,
    )
    number = result.orders[0].number
    assert balance(buyer) == 14_000
    response = Api(client, buyer).post(f"/orders/{number}/cancel", {"reason": "changed my mind"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "refunded"
    assert body["refunded"]["amount_minor"] == 6_000
    assert body["cancelled_at"] is not None
    assert balance(buyer) == 20_000
    assert item.stock() == 5
