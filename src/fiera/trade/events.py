"""The events the trade app publishes through the outbox (``fiera.common.events``).

Each is a frozen dataclass of plain values (ids, ISO country codes, minor units with their
currency, ISO 8601 times), published in the transaction of the change it reports, so it
exists if and only if the change committed; a refused action publishes nothing.
Subscribers key their idempotency on the event id, or on the trade id it carries (each
event names one inquiry, RFQ or quote, and is published once for it).

Topics:
- ``trade.inquiry.sent``: a buyer opened a new inquiry thread with a supplier (replies in
  the thread publish nothing).
- ``trade.rfq.posted``: a buyer posted a request for quotation (``matched``: how many
  suppliers it went to).
- ``trade.quote.sent``: a supplier sent the first version of a quote (a revision publishes
  nothing). ``value_minor`` = unit price x quantity of that version, in ``currency``.
- ``trade.quote.accepted``: the deal: the buyer accepted a quote and the order was placed.
  ``value_minor`` is the agreed value (the accepted version's unit price x quantity, in
  ``currency``): the placed order's total, as an agreed order has no tax or surcharge;
  ``order_id``/``order_number`` name that order.

The supplier's ``merchant_country`` and ``region`` (ISO 3166-2:IT, "" outside Italy) are
the merchant's when the event was published; ``buyer_country`` is the buyer's company's
country, else the buyer's account's, else "".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from fiera.common.events import publish
from fiera.trade.feed import buyer_countries, merchant_places

INQUIRY_SENT = "trade.inquiry.sent"
RFQ_POSTED = "trade.rfq.posted"
QUOTE_SENT = "trade.quote.sent"
QUOTE_ACCEPTED = "trade.quote.accepted"


@dataclass(frozen=True, slots=True)
class TradeEvent:
    topic: ClassVar[str]

    marketplace_id: int
    buyer_id: int
    company_id: int | None
    buyer_country: str

    def payload(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def publish(self, *, now: datetime) -> None:
        """Into the outbox, in the caller's transaction."""
        publish(self.topic, self.payload(), now=now)


@dataclass(frozen=True, slots=True)
class InquirySent(TradeEvent):
    topic: ClassVar[str] = INQUIRY_SENT
    inquiry_id: int
    merchant_id: int
    merchant_country: str
    region: str
    product_id: int | None
    quantity: int
    sent_at: str


@dataclass(frozen=True, slots=True)
class RfqPosted(TradeEvent):
    topic: ClassVar[str] = RFQ_POSTED
    rfq_id: int
    category_id: int
    destination_country: str
    quantity: int
    unit: str
    currency: str
    target_unit_price_minor: int | None
    matched: int
    posted_at: str


@dataclass(frozen=True, slots=True)
class QuoteSent(TradeEvent):
    topic: ClassVar[str] = QUOTE_SENT
    quote_id: int
    rfq_id: int
    merchant_id: int
    merchant_country: str
    region: str
    currency: str
    unit_price_minor: int
    quantity: int
    value_minor: int
    sent_at: str


@dataclass(frozen=True, slots=True)
class QuoteAccepted(TradeEvent):
    topic: ClassVar[str] = QUOTE_ACCEPTED
    quote_id: int
    rfq_id: int
    merchant_id: int
    merchant_country: str
    region: str
    order_id: int
    order_number: str
    currency: str
    value_minor: int
    accepted_at: str


@dataclass(frozen=True, slots=True)
class Parties:
    """Who traded, as the events name them."""

    merchant_country: str
    region: str
    buyer_country: str


def buyer_country(*, buyer_id: int, company_id: int | None) -> str:
    """The buyer's company's country, else the buyer account's, else ""."""
    return buyer_countries([(buyer_id, company_id)])[(buyer_id, company_id)]


def parties(*, merchant_id: int, buyer_id: int, company_id: int | None) -> Parties:
    country, region = merchant_places([merchant_id])[merchant_id]
    return Parties(
        merchant_country=country,
        region=region,
        buyer_country=buyer_country(buyer_id=buyer_id, company_id=company_id),
    )
