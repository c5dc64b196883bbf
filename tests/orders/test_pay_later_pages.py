"""The pay-later method on the pages: offered at checkout with its timeout, the order page
counting the time left with a Pay now button (and what to do when the wallet is short or
the time ran out), the buyer's orders list, the merchant console that will not ship it
unpaid, and the confirmation mail with the deadline; in English, Italian and Chinese."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from fiera.accounts.roles import BUYER
from fiera.orders import services
from fiera.orders.models import Order, OrderStatus
from tests.orders import factories as f
from tests.payments.factories import balance, funded_wallet, make_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    make_rates(on=timezone.now().date() - timedelta(days=1))
    market = f.marketplace(slug="tardi")
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=2_500, stock=10)
    buyer = f.user()
    buyer.email = "ada@example.com"
    buyer.save(update_fields=["email"])
    return {"market": market, "item": item, "buyer": buyer, "staff": f.staff(merchant_obj=maker)}


def place(world, *, at=None, method="wallet_later") -> Order:
    result = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug="tardi",
        country="IT",
        lines=[(world["item"].id, 1)],
        shipping_address=f.address(),
        payment_method=method,
        now=at or timezone.now(),
        actor_role=BUYER,
    )
    return Order.objects.get(number=result.orders[0].number)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_checkout_offers_the_method_with_its_timeout_and_places_the_order(client, world):
    client.force_login(world["buyer"])
    client.post(reverse("orders:cart_add", args=["tardi"]), {"variant_id": world["item"].id})
    page = text(client.get(reverse("orders:checkout", args=["tardi"])))
    assert 'value="wallet_later"' in page
    assert "Fiera wallet: pay within 30 minutes (15 for flash-sale items)" in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    done = client.post(
        reverse("orders:checkout", args=["tardi"]),
        {
            **f.address(),
            "payment_method": "wallet_later",
            "idempotency_key": key,
            "action": "place",
        },
        follow=True,
    )
    order = Order.objects.get(buyer=world["buyer"])
    assert (order.status, order.payment_method) == (OrderStatus.PLACED, "wallet_later")
    assert "Pay for your order from your Fiera wallet by" in text(done)


def test_the_order_page_counts_down_and_pays(client, world):
    funded_wallet(world["buyer"], 10_000, currency="EUR", now=timezone.now() - timedelta(days=1))
    order = place(world)
    client.force_login(world["buyer"])
    url = reverse("orders:order_detail", args=[order.number])
    page = text(client.get(url))
    assert "Awaiting payment — pay by" in page
    seconds = int(re.search(r'data-pay-countdown="(\d+)"', page).group(1))
    assert 29 * 60 < seconds <= 30 * 60
    assert re.search(r"data-pay-clock>(29:\d\d|30:00)<", page)
    assert 'name="action" value="pay"' in page and "csrfmiddlewaretoken" in page
    assert "orders/orders.js" in page and reverse("payments:wallet") in page
    paid = text(client.post(url, {"action": "pay"}, follow=True))
    assert "Thank you: the order is paid." in paid
    assert "Awaiting payment" not in paid
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert balance(world["buyer"], "EUR") == 10_000 - 2_500
    client.post(url, {"action": "pay"})  # a second press charges nothing more
    assert balance(world["buyer"], "EUR") == 7_500


def test_a_short_wallet_says_to_top_up_and_a_late_payment_says_the_order_was_cancelled(
    client, world
):
    funded_wallet(world["buyer"], 100, currency="EUR", now=timezone.now() - timedelta(days=1))
    order = place(world)
    client.force_login(world["buyer"])
    url = reverse("orders:order_detail", args=[order.number])
    short = text(client.post(url, {"action": "pay"}, follow=True))
    assert "Your wallet holds less than this payment" in short
    assert "Top up your wallet, then pay again before the deadline." in short
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED
    late = place(world, at=timezone.now() - timedelta(hours=1))
    late_url = reverse("orders:order_detail", args=[late.number])
    assert "The time to pay has run out" in text(client.get(late_url))
    refused = text(client.post(late_url, {"action": "pay"}, follow=True))
    assert "The time to pay for this order has run out, so it was cancelled" in refused
    assert "cancelled because it was not paid in time" in refused
    assert Order.objects.get(pk=late.pk).status == OrderStatus.CANCELLED


def test_the_orders_list_shows_the_deadline_and_the_timeouts(client, world):
    waiting = place(world)
    place(world, at=timezone.now() - timedelta(hours=2))
    services.orders_expire_unpaid(now=timezone.now())
    client.force_login(world["buyer"])
    page = text(client.get(reverse("orders:my_orders")))
    assert "awaiting payment, pay by" in page and waiting.number in page
    assert "not paid in time" in page


def test_others_cannot_pay_and_the_console_will_not_ship_it_unpaid(client, world):
    order = place(world)
    url = reverse("orders:order_detail", args=[order.number])
    client.force_login(f.user())
    assert client.post(url, {"action": "pay"}).status_code == 404
    client.force_login(world["staff"])
    listed = text(client.get(reverse("orders:console_orders")))
    assert order.number in listed and "awaiting payment, pay by" in listed
    console_url = reverse("orders:console_order", args=[order.number])
    console = text(client.get(console_url))
    assert "Awaiting the buyer's payment until" in console
    assert 'value="ship"' not in console
    refused = client.post(
        console_url,
        {
            "action": "ship",
            "ship-carrier": "other",
            "ship-carrier_other": "Corriere",
            "ship-tracking_number": "T-1",
        },
        follow=True,
    )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED
    assert "This order is not paid yet, so it cannot ship." in text(refused)


@pytest.mark.django_db(transaction=True)  # the mails go out after commit
def test_the_confirmation_mail_states_the_deadline_in_the_buyers_language(world):
    place(world)
    [sent] = mail.outbox
    assert "Please pay for it from your Fiera wallet by" in sent.body
    assert "Please pay for it from your Fiera wallet by" in sent.alternatives[0][0]
    place(world, method="cod")
    assert "Please pay for it" not in mail.outbox[1].body
    world["buyer"].preferred_language = "zh-hans"
    world["buyer"].save(update_fields=["preferred_language"])
    place(world)
    assert "Fiera 钱包" in mail.outbox[2].body and "Please pay" not in mail.outbox[2].body


@pytest.mark.parametrize(
    ("language", "words"),
    [("it", ("In attesa di pagamento", "Paga ora")), ("zh-hans", ("等待付款", "立即支付"))],
)
def test_the_pay_later_texts_are_translated(client, world, language, words):
    waiting = place(world)
    gone = place(world, at=timezone.now() - timedelta(hours=2))
    services.orders_expire_unpaid(now=timezone.now())
    client.cookies["django_language"] = language
    client.force_login(world["buyer"])
    pages = [
        text(client.get(reverse("orders:order_detail", args=[waiting.number]))),
        text(client.get(reverse("orders:order_detail", args=[gone.number]))),
        text(client.get(reverse("orders:my_orders"))),
    ]
    client.post(reverse("orders:cart_add", args=["tardi"]), {"variant_id": world["item"].id})
    pages.append(text(client.get(reverse("orders:checkout", args=["tardi"]))))
    joined = " ".join(pages)
    for word in words:
        assert word in joined
    for english in (
        "Awaiting payment",
        "pay by",
        "Pay now",
        "Time left to pay",
        "Top it up",
        "not paid in time",
        "pay within",
        "for flash-sale items",
        "Fiera wallet, paid after the order",
        "go back on sale",
    ):
        assert english not in joined, english
