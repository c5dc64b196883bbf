"""The demo's B2B listings: trade terms on most products of the trade marketplace (lead
time, an Incoterm 2020 with its named place, payment terms), sample offers on most of their
variants (1 or 2 units at about twice the unit price, in US dollars), the terms snapshot on
the trade orders the bulk builder wrote, and one order of the README's business buyer with
a sample line beside a normal line, placed through the checkout (``orders.services``), plus
a sample waiting in their cart.

Values are checked with ``common.trade_terms`` and written in bulk (a loader, as
``fiera.demo.build``); the rule that prices a sample is ``catalog.rules``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction

from fiera.accounts.models import User
from fiera.accounts.roles import BUYER
from fiera.catalog.models import Price, Product, StockLevel, Variant
from fiera.common import trade_terms
from fiera.common.errors import DomainError
from fiera.marketplaces.models import Marketplace
from fiera.merchants.models import Merchant
from fiera.orders import services as orders
from fiera.orders.models import Order, OrderLine

TRADE = "trade"
B2B_BUYER = "buyer-b2b"
PORTS = ("Genova", "La Spezia", "Livorno", "Napoli", "Venezia", "Trieste", "Ancona", "Bari")
TOWNS = ("Milano", "Bologna", "Verona", "Torino", "Firenze", "Padova", "Brescia", "Modena")
INCOTERMS = ("FOB", "FOB", "FOB", "EXW", "EXW", "FCA", "CIF", "CFR", "DAP", "CIP")


def _terms(rng: random.Random, town: str) -> dict[str, object]:
    code = trade_terms.incoterm_check(rng.choice(INCOTERMS))
    port = trade_terms.INCOTERMS[code][1]
    place = rng.choice(PORTS) if port else (town or rng.choice(TOWNS))
    if code in {"CIF", "CFR", "CIP", "DAP"}:  # the buyer's side: a destination
        place = rng.choice(("New York", "Rotterdam", "Shanghai", "Dubai", "Santos", "Sydney"))
    return {
        "lead_time_days": trade_terms.lead_time_check(rng.choice((7, 10, 14, 15, 21, 30, 45))),
        "incoterm": code,
        "incoterm_place": place,
        "payment_terms": trade_terms.payment_terms_check(
            trade_terms.ASSURANCE if rng.random() < 0.75 else trade_terms.ADVANCE
        ),
    }


def build_listing(*, now: datetime, seed: int) -> str:
    """Give the trade marketplace's listings their terms and samples; one summary line."""
    rng = random.Random(seed * 7919 + 17)
    market = Marketplace.objects.filter(slug=TRADE).first()
    if market is None:
        return "listing terms  skipped: no trade marketplace"
    with transaction.atomic():
        first_prices = dict(
            Price.objects.filter(marketplace=market, currency="USD", min_quantity=1).values_list(
                "variant_id", "amount_minor"
            )
        )
        variants = list(Variant.objects.filter(pk__in=list(first_prices)).order_by("pk"))
        product_ids = sorted({v.product_id for v in variants})
        products = list(Product.objects.filter(pk__in=product_ids).order_by("pk"))
        towns = dict(
            Merchant.objects.filter(pk__in={p.merchant_id for p in products}).values_list(
                "pk", "town"
            )
        )
        with_terms = []
        for product in products:
            if rng.random() < 0.85:  # most listings say their terms; some leave them blank
                for key, value in _terms(rng, towns.get(product.merchant_id) or "").items():
                    setattr(product, key, value)
                with_terms.append(product)
        Product.objects.bulk_update(
            with_terms,
            ["lead_time_days", "incoterm", "incoterm_place", "payment_terms"],
            batch_size=500,
        )
        sampled = []
        for variant in variants:
            if rng.random() < 0.8:
                unit = first_prices[variant.pk]
                variant.sample_units = rng.choice((1, 2, 2))
                # a sample costs more per unit than an order: about twice, rounded to 50 cents
                variant.sample_price_minor = max(100, (unit * 2 + 49) // 50 * 50)
                variant.sample_currency = "USD"
                sampled.append(variant)
        Variant.objects.bulk_update(
            sampled, ["sample_units", "sample_price_minor", "sample_currency"], batch_size=500
        )
        snapshots = _snapshot_orders(market.pk)
    number, cart = _sample_order(market, now=now, sampled=sampled)
    return (
        f"listing terms  {len(with_terms)} of {len(products)} trade listings with terms, "
        f"{len(sampled)} variants offering samples, terms on {snapshots} trade orders; "
        f"{B2B_BUYER}'s order {number or '(none)'} holds a sample line"
        f"{', a sample in their cart' if cart else ''} (fiera.demo.listing)"
    )


def _snapshot_orders(marketplace_id: int) -> int:
    """The terms the checkout would have recorded on the trade orders the bulk builder
    wrote (``orders.pricing.listing_terms_agreed``'s rule, over their lines' listings)."""
    lines = OrderLine.objects.filter(order__marketplace_id=marketplace_id).values_list(
        "order_id", "variant__product_id"
    )
    by_order: dict[int, set[int]] = defaultdict(set)
    for order_id, product_id in lines:
        by_order[order_id].add(product_id)
    terms = {
        p["pk"]: p
        for p in Product.objects.filter(
            pk__in={pid for pids in by_order.values() for pid in pids}
        ).values("pk", "lead_time_days", "incoterm", "incoterm_place", "payment_terms")
    }
    changed = []
    for order in Order.objects.filter(pk__in=list(by_order)):
        listed = [terms[pid] for pid in by_order[order.pk] if pid in terms]
        if not listed:
            continue
        leads = [t["lead_time_days"] for t in listed if t["lead_time_days"] is not None]
        incoterms = {(t["incoterm"], t["incoterm_place"]) for t in listed}
        payments = {t["payment_terms"] for t in listed}
        order.incoterm, order.incoterm_place = (
            next(iter(incoterms)) if len(incoterms) == 1 else ("", "")
        )
        order.payment_terms = next(iter(payments)) if len(payments) == 1 else ""
        order.lead_time_days = max(leads) if leads else None
        changed.append(order)
    Order.objects.bulk_update(
        changed, ["incoterm", "incoterm_place", "payment_terms", "lead_time_days"], batch_size=500
    )
    return len(changed)


def _sample_order(
    market: Marketplace, *, now: datetime, sampled: list[Variant]
) -> tuple[str | None, bool]:
    """The business buyer orders a variant at its MOQ plus one sample of it (a normal line
    and a sample line of one variant), then puts a sample of another in the cart."""
    buyer = User.objects.filter(username=B2B_BUYER).first()
    if buyer is None or not sampled:
        return None, False
    stocked = set(
        StockLevel.objects.filter(
            variant_id__in=[v.pk for v in sampled], units_on_hand__gte=60
        ).values_list("variant_id", flat=True)
    )
    candidates = [v for v in sampled if v.pk in stocked and v.min_order_quantity <= 50]
    address = {
        "name": buyer.get_full_name() or buyer.username,
        "line1": "350 Fifth Avenue",
        "city": "New York",
        "postal_code": "10118",
        "country": "US",
        "phone": "+1 212 555 0100",
    }
    number: str | None = None
    for variant in candidates:
        try:
            result = orders.checkout_submit(
                buyer_id=buyer.pk,
                marketplace_slug=market.slug,
                country="US",
                lines=[(variant.pk, variant.min_order_quantity)],
                samples=[(variant.pk, 1)],
                shipping_address=address,
                payment_method="cod",
                now=now - timedelta(hours=5),
                actor_role=BUYER,
            )
        except DomainError:
            continue
        number = result.orders[0].number
        break
    in_cart = False
    for variant in candidates[::-1]:
        try:
            orders.cart_line_set(
                buyer_id=buyer.pk,
                marketplace_slug=market.slug,
                variant_id=variant.pk,
                quantity=1,
                now=now,
                country="US",
                actor_role=BUYER,
                sample=True,
            )
        except DomainError:
            continue
        in_cart = True
        break
    return number, in_cart
