"""Mails to buyers about their orders, sent by outbox subscribers after the change committed.

``orders.checkout.placed`` sends one confirmation per order of the checkout (each names its
shop, number, lines and total, with a link to the order page); ``orders.order.shipped`` sends
the shipping mail with the carrier and tracking number. Each mail is written in the buyer's
preferred language (``accounts.User.preferred_language``, else LANGUAGE_CODE), as plain text
with a simple HTML alternative, through Django's email backend (FIERA_EMAIL_*). Links start
with FIERA_BASE_URL: there is no request to take the host from.

The checkout does not wait for them: the relay delivers after commit (a Celery worker with a
broker; in-process otherwise). Delivery is at least once, so each subscriber records the
event with ``processed_once`` in the transaction that sends: a retried delivery whose first
attempt sent the mail finds the record and sends nothing. When sending fails, the transaction
rolls back with the record, and the relay retries later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from fiera.accounts.selectors import UserContact, user_contacts
from fiera.common import events
from fiera.common.money import Money
from fiera.merchants.selectors import merchant_summaries
from fiera.orders.carriers import tracking_url
from fiera.orders.models import Order
from fiera.orders.selectors import order_detail

CONFIRMATION = "orders.mails.order_confirmation"
SHIPPED = "orders.mails.order_shipped"


@dataclass(frozen=True, slots=True)
class MailLine:
    name: str
    label: str
    sku: str
    quantity: int
    unit_price: str
    line_total: str
    price_kind: str = "list"  # --- listing terms --- "sample", "contract" are named in the mail


def _line_name(line: Any, language: str) -> str:
    if language.startswith("zh"):
        return str(line.name_zh or line.name_en)
    if language.startswith("it"):
        return str(line.name_it or line.name_en)
    return str(line.name_en or line.name_it)


def _context(order: Order, shop: str, language: str) -> dict[str, Any]:
    def money(minor: int) -> str:
        return Money(minor, order.currency).format(language)

    lines = [
        MailLine(
            name=_line_name(line, language),
            label=line.label,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=money(line.unit_price_minor),
            line_total=money(line.line_total_minor),
            price_kind=line.price_kind,
        )
        for line in order.lines.all()
    ]
    return {
        "order": order,
        "shop": shop,
        "lines": lines,
        "subtotal": money(order.subtotal_minor),
        "tax": money(order.tax_minor) if order.tax_minor else "",
        "total": money(order.total_minor),
        "order_url": settings.FIERA_BASE_URL
        + reverse("orders:order_detail", kwargs={"number": order.number}),
        "language": language,
        # a pay-later order still awaiting its payment: the mail states its deadline
        "payment_due": order.awaiting_payment,
    }


def _message(
    *, contact: UserContact, template: str, subject: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    context = {**context, "name": contact.full_name or contact.username}
    mail = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"orders/mail/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[contact.email],
    )
    mail.attach_alternative(render_to_string(f"orders/mail/{template}.html", context), "text/html")
    return mail


def _send_once(event: events.Event, order_ids: Sequence[int], build: Any) -> int:
    """Send what ``build(order, shop, contact, language)`` makes for each order, once per
    event; returns how many mails went out (0 on a redelivery, or without an address)."""
    with transaction.atomic():
        if not events.processed_once(event):
            return 0
        orders = [order_detail(order_id=order_id) for order_id in order_ids]
        contacts = user_contacts(user_ids={order.buyer_id for order in orders})
        shops = merchant_summaries(merchant_ids={order.merchant_id for order in orders})
        mails = []
        for order in orders:
            contact = contacts.get(order.buyer_id)
            if contact is None or not contact.email or not contact.is_active:
                continue
            language = contact.language or settings.LANGUAGE_CODE
            shop = shops[order.merchant_id].display_name if order.merchant_id in shops else ""
            with translation.override(language):
                mails.append(build(order, shop, contact, language))
        if mails:
            # Inside the transaction: a failure rolls the ``processed_once`` record back too,
            # and the relay delivers the event again later.
            get_connection(fail_silently=False).send_messages(mails)
        return len(mails)


@events.subscribe("orders.checkout.placed", name=CONFIRMATION)
def order_confirmation(event: events.Event) -> None:
    """One confirmation mail per order of a placed checkout."""

    def build(
        order: Order, shop: str, contact: UserContact, language: str
    ) -> EmailMultiAlternatives:
        return _message(
            contact=contact,
            template="order_confirmation",
            subject=gettext("Your order %(number)s at %(shop)s")
            % {"number": order.number, "shop": shop},
            context=_context(order, shop, language),
        )

    order_ids = [int(placed["order_id"]) for placed in event.payload.get("orders", [])]
    _send_once(event, order_ids, build)


@events.subscribe("orders.order.shipped", name=SHIPPED)
def order_shipped(event: events.Event) -> None:
    """The shipping mail, with the carrier and the tracking number of the first package."""
    payload = event.payload

    def build(
        order: Order, shop: str, contact: UserContact, language: str
    ) -> EmailMultiAlternatives:
        context = _context(order, shop, language)
        context["carrier"] = str(payload.get("carrier", ""))
        context["tracking_number"] = str(payload.get("tracking_number", ""))
        context["tracking_url"] = tracking_url(context["carrier"], context["tracking_number"])
        return _message(
            contact=contact,
            template="order_shipped",
            subject=gettext("Your order %(number)s from %(shop)s has shipped")
            % {"number": order.number, "shop": shop},
            context=context,
        )

    _send_once(event, [int(payload["order_id"])], build)
