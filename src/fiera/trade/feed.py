"""What analytics counts of the trade, read from the trade's own tables: the source of a
rebuild of the analytics trade figures (``fiera.analytics.feeds``), and the places (the
supplier's country and region, the buyer's country) the trade events carry
(``fiera.trade.events``), so the events and a rebuild name the same places.

A trade "happening" is one of:
- ``inquiry``: an inquiry thread opened (``Inquiry.created_at``);
- ``rfq``: an RFQ posted (``Rfq.created_at``; no supplier: ``merchant_id`` 0);
- ``quote``: a quote sent (its first version: ``Quote.created_at``, that version's unit
  price x quantity);
- ``deal``: a quote accepted (``Quote.decided_at`` of an accepted quote; the accepted
  version's unit price x quantity, the value of the order it placed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.accounts.selectors import user_countries
from fiera.common.errors import InvalidInput, PermissionDenied
from fiera.merchants import selectors as merchants_selectors
from fiera.trade.models import BuyerCompany, Inquiry, Quote, QuoteStatus, QuoteVersion, Rfq

FEED_KINDS = ("inquiry", "rfq", "quote", "deal")
FEED_BATCH = 1_000


@dataclass(frozen=True, slots=True)
class TradeHappening:
    kind: str  # one of FEED_KINDS
    source_id: int  # the inquiry, RFQ or quote (quote and deal: the quote's id)
    at: datetime
    marketplace_id: int
    merchant_id: int  # the supplier; 0 for an RFQ
    merchant_country: str  # "" for an RFQ
    region: str  # ISO 3166-2:IT, "" outside Italy and for an RFQ
    buyer_country: str  # the company's, else the buyer account's, else ""
    currency: str  # "" when there is no value
    value_minor: int  # quote and deal: unit price x quantity in ``currency``; else 0


def merchant_places(merchant_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(country, region code) per merchant id (unknown: ("", "")); one query."""
    ids = set(merchant_ids)
    found = merchants_selectors.merchant_places(merchant_ids=ids)
    return {m: found.get(m, ("", "")) for m in ids}


def buyer_countries(pairs: Iterable[tuple[int, int | None]]) -> dict[tuple[int, int | None], str]:
    """The country of each (buyer id, company id): the company's, else the buyer
    account's, else ""; two queries."""
    wanted = set(pairs)
    companies = dict(
        BuyerCompany.objects.filter(pk__in={c for _, c in wanted if c is not None}).values_list(
            "pk", "country"
        )
    )
    users = user_countries(user_ids={b for b, _ in wanted})
    return {
        (b, c): (companies.get(c) if c is not None else None) or users.get(b, "") for b, c in wanted
    }


def trade_feed(
    *, kind: str, actor_role: str, after_id: int = 0, limit: int = FEED_BATCH
) -> list[TradeHappening]:
    """Up to ``limit`` happenings of ``kind`` with source ids above ``after_id``, in id
    order (a rebuild reads them in batches). Operators and the platform only."""
    if actor_role not in {OPERATOR, SYSTEM}:
        raise PermissionDenied("only operators read the trade feed")
    if kind not in FEED_KINDS:
        raise InvalidInput(f"unknown trade feed kind {kind!r}")
    rows: list[tuple[int, datetime, int, int, int, int | None, str, int]] = []
    if kind == "inquiry":
        inquiries = Inquiry.objects.filter(pk__gt=after_id).order_by("pk")[:limit]
        rows = [
            (i.pk, i.created_at, i.marketplace_id, i.merchant_id, i.buyer_id, i.company_id, "", 0)
            for i in inquiries.only(
                "id", "created_at", "marketplace_id", "merchant_id", "buyer_id", "company_id"
            )
        ]
    elif kind == "rfq":
        rfqs = Rfq.objects.filter(pk__gt=after_id).order_by("pk")[:limit]
        rows = [
            (r.pk, r.created_at, r.marketplace_id, 0, r.buyer_id, r.company_id, "", 0)
            for r in rfqs.only("id", "created_at", "marketplace_id", "buyer_id", "company_id")
        ]
    else:
        quotes = Quote.objects.filter(pk__gt=after_id)
        if kind == "deal":
            quotes = quotes.filter(status=QuoteStatus.ACCEPTED)
        picked = list(
            quotes.order_by("pk")
            .select_related("rfq")
            .only(
                "id",
                "created_at",
                "decided_at",
                "merchant_id",
                "version",
                "rfq__marketplace_id",
                "rfq__buyer_id",
                "rfq__company_id",
            )[:limit]
        )
        number = {q.pk: (q.version if kind == "deal" else 1) for q in picked}
        terms = {
            v.quote_id: v
            for v in QuoteVersion.objects.filter(quote_id__in=number).only(
                "quote_id", "number", "unit_price_minor", "quantity", "currency"
            )
            if v.number == number[v.quote_id]
        }
        for q in picked:
            version = terms[q.pk]
            at = q.decided_at if kind == "deal" else q.created_at
            assert at is not None
            rows.append(
                (
                    q.pk,
                    at,
                    q.rfq.marketplace_id,
                    q.merchant_id,
                    q.rfq.buyer_id,
                    q.rfq.company_id,
                    version.currency,
                    int(version.unit_price_minor) * version.quantity,
                )
            )
    places = merchant_places({r[3] for r in rows if r[3]})
    countries = buyer_countries({(r[4], r[5]) for r in rows})
    return [
        TradeHappening(
            kind=kind,
            source_id=source_id,
            at=at,
            marketplace_id=marketplace_id,
            merchant_id=merchant_id,
            merchant_country=places.get(merchant_id, ("", ""))[0],
            region=places.get(merchant_id, ("", ""))[1],
            buyer_country=countries[(buyer_id, company_id)],
            currency=currency,
            value_minor=value,
        )
        for source_id, at, marketplace_id, merchant_id, buyer_id, company_id, currency, value in (
            rows
        )
    ]
