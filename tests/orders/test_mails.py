"""The buyer's order mails: a confirmation per order after checkout and a shipping mail when
it ships, sent by outbox subscribers after commit, in the buyer's language, once per event
even when the relay delivers an event again."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends import locmem
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.common import events
from fiera.common.models import DeliveryStatus, OutboxDelivery, OutboxMessage
from fiera.orders import mails, services
from fiera.orders.models import Order
from tests.orders import factories as f

# The relay runs after commit (eagerly in tests, as in the demo without a broker).
pytestmark = pytest.mark.django_db(transaction=True)
NOW = f.NOW


@pytest.fixture
def world() -> dict[str, Any]:
    market = f.marketplace()
    maker = f.merchant()
    buyer = f.user()
    buyer.email = "ana@example.com"
    buyer.first_name = "Ana"
    buyer.preferred_language = "it"
    buyer.save()
    return {
        "market": market,
        "maker": maker,
        "item": f.sku(market=market, merchant_obj=maker, price_minor=2500, stock=10),
        "buyer": buyer,
        "staff": f.staff(merchant_obj=maker),
    }


def checkout(world: dict[str, Any], quantity: int = 2) -> Order:
    result = services.checkout_submit(
        buyer_id=world["buyer"].pk,
        marketplace_slug=world["market"].slug,
        country="IT",
        lines=[(world["item"].id, quantity)],
        shipping_address=f.address(),
        payment_method="cod",
        now=NOW,
        actor_role=SYSTEM,
    )
    return Order.objects.get(number=result.orders[0].number)


def redeliver(topic: str, subscriber: str, func: events.Subscriber) -> None:
    """Deliver the latest ``topic`` message to ``func`` again, as a relay would after losing
    the outcome of a delivery whose work had committed."""
    message = OutboxMessage.objects.filter(topic=topic).latest("id")
    func(
        events.Event(
            id=message.pk,
            topic=topic,
            payload=message.payload,
            created_at=message.created_at,
            subscriber=subscriber,
            attempt=2,
        )
    )


def test_a_checkout_mails_one_confirmation_in_the_buyers_language_once(world) -> None:
    order = checkout(world)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    shop = world["maker"].display_name
    assert sent.to == ["ana@example.com"]
    assert sent.subject == f"Il tuo ordine {order.number} da {shop}"
    body = sent.body
    assert "Ciao Ana," in body
    assert order.number in body and shop in body
    assert "2 \u00d7 " in body  # the line, its quantity
    assert "Totale: 50,00\xa0€" in body
    assert f"http://127.0.0.1:8000/account/orders/{order.number}/" in body
    html, kind = sent.alternatives[0]
    assert kind == "text/html"
    assert 'lang="it"' in str(html) and f"/account/orders/{order.number}/" in str(html)

    # The relay delivers the same event again: nothing more is sent.
    redeliver("orders.checkout.placed", mails.CONFIRMATION, mails.order_confirmation)
    assert len(mail.outbox) == 1


def test_shipping_mails_the_tracking_number_once_in_chinese(world) -> None:
    world["buyer"].preferred_language = "zh-hans"
    world["buyer"].save()
    order = checkout(world)
    services.order_ship(
        actor_id=world["staff"].pk,
        actor_role="merchant",
        number=order.number,
        carrier="BRT",
        tracking_number="TRK-778899",
        now=NOW,
    )
    assert [m.subject for m in mail.outbox] == [
        f"您在 {world['maker'].display_name} 的订单 {order.number}",
        f"{world['maker'].display_name} 已发出您的订单 {order.number}",
    ]
    shipped = mail.outbox[1]
    assert "TRK-778899" in shipped.body and "BRT" in shipped.body
    assert "快递公司" in shipped.body and "运单号" in shipped.body
    assert "TRK-778899" in str(shipped.alternatives[0][0])
    # A carrier the list knows: its tracking page, in the text and as the HTML link.
    assert "https://" in shipped.body and "TRK-778899" in shipped.body.split("https://")[1]
    assert '<a href="https://' in str(shipped.alternatives[0][0])
    redeliver("orders.order.shipped", mails.SHIPPED, mails.order_shipped)
    assert len(mail.outbox) == 2


def test_a_failed_send_is_retried_by_the_relay_and_the_mail_goes_out_once(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_send = EmailMultiAlternatives.send
    calls = {"n": 0}

    def flaky_send_messages(self: Any, messages: list[Any]) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError("SMTP server down")
        return sum(real_send(m) for m in messages)

    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", flaky_send_messages
    )
    checkout(world)  # the checkout itself succeeds; the mail waits for a retry
    assert mail.outbox == []
    row = OutboxDelivery.objects.get(subscriber=mails.CONFIRMATION)
    assert row.status == DeliveryStatus.PENDING and row.attempts == 1
    monkeypatch.undo()
    events.relay(now=timezone.now() + timedelta(hours=1))
    assert len(mail.outbox) == 1
    events.relay(now=timezone.now() + timedelta(hours=2))
    assert len(mail.outbox) == 1


def test_a_buyer_without_an_email_address_gets_no_mail(world) -> None:
    world["buyer"].email = ""
    world["buyer"].save()
    checkout(world)
    assert mail.outbox == []
    assert (
        OutboxDelivery.objects.get(subscriber=mails.CONFIRMATION).status == DeliveryStatus.DELIVERED
    )


def test_without_a_broker_the_checkout_does_not_wait_for_the_mail(
    world, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """As in the demo: the relay runs on a background thread after commit, so a slow mail
    server holds up no checkout."""
    settings.FIERA_OUTBOX_RELAY_THREAD = True
    release = threading.Event()
    real_send_messages = locmem.EmailBackend.send_messages

    def slow_send_messages(self: Any, messages: list[Any]) -> int:
        release.wait(timeout=10)
        return real_send_messages(self, messages)

    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", slow_send_messages
    )
    started = time.monotonic()
    order = checkout(world)
    assert time.monotonic() - started < 5 and mail.outbox == []  # placed, mail still waiting
    release.set()
    deadline = time.monotonic() + 10
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [m.subject for m in mail.outbox] == [
        f"Il tuo ordine {order.number} da {world['maker'].display_name}"
    ]


def test_the_demo_writes_the_mails_to_files(world, settings: Any, tmp_path: Any) -> None:
    """As `make demo` runs: the file backend (FIERA_EMAIL_BACKEND=file, var/mail/) and the
    relay on its background thread."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.FIERA_OUTBOX_RELAY_THREAD = True
    order = checkout(world)
    deadline = time.monotonic() + 10
    while not list(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # the file is written in one go; let it close
    [written] = list(tmp_path.iterdir())
    text = written.read_text(encoding="utf-8")
    assert "To: ana@example.com" in text and order.number in text
    assert "Content-Type: text/html" in text


# --- listing terms ---


def test_the_confirmation_names_a_sample_line_in_the_buyers_language() -> None:
    from fiera.catalog.models import Variant

    market = f.marketplace(
        slug="trade", kind="b2b_trade", worldwide=True, default_currency="USD", countries={}
    )
    item = f.sku(market=market, price_minor=900, moq=10, stock=50)
    Variant.objects.filter(pk=item.id).update(
        sample_units=1, sample_price_minor=1500, sample_currency="USD"
    )
    buyer = f.user()
    buyer.email = "li@example.com"
    buyer.preferred_language = "zh-hans"
    buyer.save()
    services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug="trade",
        country="US",
        lines=[(item.id, 10)],
        samples=[(item.id, 1)],
        shipping_address=f.address("US"),
        payment_method="cod",
        now=NOW,
        actor_role=SYSTEM,
    )
    [sent] = mail.outbox
    assert sent.body.count("样品价") == 1  # the sample line, not the normal one
    assert "样品价" in str(sent.alternatives[0][0])
