"""The demo's requests for quotation (decision 0017): RFQs from buyer companies of several
countries, matched to the trade suppliers of ``fiera.demo.trade``, with quotes in every
state: submitted, revised, accepted (its order placed, awaiting payment), declined,
withdrawn and expired; RFQs open, awarded, closed and expired. Everything goes through
``fiera.trade.services``; the RFQ tables are emptied first, so a rebuild gives the same
world (the orders of accepted quotes stay with the other orders)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from fiera.accounts.models import User
from fiera.accounts.roles import BUYER, MERCHANT, SYSTEM
from fiera.accounts.services import user_create
from fiera.catalog.models import Category, Product
from fiera.common.errors import DomainError
from fiera.marketplaces.models import Marketplace
from fiera.merchants.models import Merchant, StaffMembership
from fiera.merchants.services import staff_add
from fiera.trade import selectors, services
from fiera.trade.models import Quote, QuoteVersion, Rfq, RfqMatch, SupplierProfile

TRADE = "trade"
# (buyer username, product wanted, unit, quantity, destination, days ago, plan)
# plan: what happens to the quotes, one letter per matched supplier in rank order:
# s submitted, r revised, a accepted, d declined, w withdrawn, e expired; a plan with
# "close" closes the RFQ; "lapse" lets the deadline pass. RFQs with two quotes or more go
# to the category that reaches most suppliers, the others to the ``merchant`` login's.
PLAN: tuple[tuple[str, str, str, int, str, int, str], ...] = (
    (
        "buyer-b2b",
        "Extra virgin olive oil for our deli chain, private label",
        "carton",
        300,
        "US",
        6,
        "rsw",
    ),
    ("buyer-b2b", "Aged balsamic vinegar, 250 ml gift bottles", "piece", 1200, "US", 12, "da"),
    ("trade-de", "Bio-Pasta aus Hartweizen für den Einzelhandel", "carton", 400, "DE", 9, "sd"),
    ("trade-jp", "Italian specialities for a department store fair", "box", 150, "JP", 40, "e"),
    ("trade-cn", "意大利食品礼盒 (Italian food gift hampers)", "box", 500, "CN", 8, "sclose"),
    ("trade-gb", "Tinned tomatoes and passata, retail packs", "carton", 800, "GB", 3, "r"),
    ("trade-fr", "Produits italiens pour épiceries fines", "piece", 600, "FR", 2, ""),
    ("trade-ae", "Premium pantry items for hotel supply", "carton", 250, "AE", 1, "s"),
    ("trade-br", "Queijos e embutidos italianos", "kg", 900, "BR", 30, "lapse"),
)
# What each RFQ asks for, in the words of its buyer, by the root category it goes to (the
# PLAN's own words are the food ones); another category gets its name "made in Italy".
WANTED: dict[str, tuple[tuple[str, str], ...]] = {
    "fashion": (
        ("Merino wool crew-neck sweaters for our boutique chain, private label", "piece"),
        ("Silk scarves, 90 x 90 cm, gift boxed", "piece"),
        ("Leinenhemden für den Einzelhandel", "piece"),
        ("Italian knitwear for a department store fair", "piece"),
        ("意大利羊绒围巾 (Italian cashmere scarves)", "piece"),
        ("Cotton poplin shirts, retail packs", "carton"),
        ("Vestes en laine pour boutiques", "piece"),
        ("Staff uniforms for a hotel group, tailored", "set"),
        ("Camisas de linho italianas", "piece"),
    ),
}
ADDRESSES = {
    "US": ("1200 Harbor Blvd", "Boston", "02110"),
    "DE": ("Hafenstraße 12", "Hamburg", "20457"),
    "JP": ("1-2-3 Minato", "Tokyo", "105-0001"),
    "CN": ("外滩 18 号", "上海", "200002"),
    "GB": ("14 Dock Road", "London", "E16 1AA"),
}
NOTES = (
    "Prices FOB Genoa; labels in your language at no extra cost.",
    "We can ship the first lot within three weeks of your order.",
    "Price includes export packing and pallets; certificates of origin provided.",
)


def _reset() -> None:
    QuoteVersion.objects.all().delete()
    Quote.objects.all().delete()
    RfqMatch.objects.all().delete()
    Rfq.objects.all().delete()


def _quoter(merchant_id: int, password: str) -> int:
    """An owner or manager of the merchant (quotes need one): its first, or a
    ``quotes-<merchant slug>`` manager account made for the demo."""
    found = (
        StaffMembership.objects.filter(merchant_id=merchant_id, role__in=("owner", "manager"))
        .order_by("id")
        .values_list("user_id", flat=True)
        .first()
    )
    if found is not None:
        return int(found)
    slug = Merchant.objects.filter(pk=merchant_id).values_list("slug", flat=True).get()
    username = f"quotes-{slug}"[:150]
    user = User.objects.filter(username=username).first() or user_create(
        username=username,
        password=password,
        role=MERCHANT,
        email=f"{username[:60]}@example.com",
        country="IT",
        first_name="Export",
        last_name="Desk",
    )
    staff_add(merchant_id=merchant_id, user_id=user.pk, role="manager", actor_role=SYSTEM)
    return int(user.pk)


def _root_categories(market: Marketplace) -> tuple[list[int], list[int], dict[int, int]]:
    """The top categories of the suppliers' products for sale on the trade marketplace:
    those of the ``merchant`` login's company, all by how many suppliers they reach, and a
    plausible target unit price in each (90% of the lowest list price there)."""
    parents = dict(Category.objects.values_list("id", "parent_id"))

    def root(category_id: int) -> int:
        while parents.get(category_id) is not None:
            category_id = int(parents[category_id])
        return category_id

    reach: Counter[int] = Counter()
    own = (
        StaffMembership.objects.filter(user__username="merchant")
        .values_list("merchant_id", flat=True)
        .first()
    )
    mine: list[int] = []
    lowest: dict[int, int] = {}
    for merchant_id in SupplierProfile.objects.order_by("merchant_id").values_list(
        "merchant_id", flat=True
    ):
        offered = selectors.quotable_variants(
            merchant_id=merchant_id,
            marketplace_id=market.pk,
            currency=market.default_currency,
            limit=20,
        )
        cats = set(
            Product.objects.filter(
                variants__id__in=[v.variant_id for v in offered], category__isnull=False
            ).values_list("category_id", flat=True)
        )
        roots = {root(c) for c in cats}
        reach.update(roots)
        for c in roots:
            cheapest = min((v.unit_price_minor for v in offered), default=0)
            if cheapest and (c not in lowest or cheapest < lowest[c]):
                lowest[c] = cheapest
        if merchant_id == own:
            mine = sorted(roots)
    wide = [c for c, _n in sorted(reach.items(), key=lambda item: (-item[1], item[0]))]
    return (mine or wide), wide, {c: max(1, p * 9 // 10) for c, p in lowest.items()}


def _wanted(category_id: int, n: int, product: str, unit: str) -> tuple[str, str]:
    """The words of the ``n``-th RFQ for its category: the PLAN's (food) words, those of
    ``WANTED`` for the category, or the category's name."""
    found = Category.objects.filter(pk=category_id).values_list("slug", "name_en").first()
    slug, name = found if found is not None else ("food", "")
    if slug == "food" or not name:
        return product, unit
    wanted = WANTED.get(slug)
    if wanted:
        return wanted[n % len(wanted)]
    return f"{name} made in Italy, for our shops", "piece"


def build_rfqs(*, now: datetime, seed: int, password: str) -> str:
    """Build the RFQs and quotes; returns the summary line ``fiera demo`` prints."""
    rng = random.Random(seed * 7919 + 17)
    market = Marketplace.objects.filter(slug=TRADE).first()
    if market is None:
        return "rfqs           skipped: no trade marketplace"
    with transaction.atomic():
        _reset()
        mine, wide, targets = _root_categories(market)
        if not wide:
            return "rfqs           skipped: no supplier sells on the trade marketplace"
        for n, (username, product, unit, quantity, country, ago, plan) in enumerate(PLAN):
            buyer = User.objects.filter(username=username).first()
            if buyer is None:
                continue
            posted = now - timedelta(days=ago)
            lapse = plan == "lapse" or "e" in plan
            category = wide[0] if len(plan) >= 2 and plan != "lapse" else mine[n % len(mine)]
            product, unit = _wanted(category, n, product, unit)
            deadline = posted + timedelta(days=10 if lapse else 30)
            detail = services.rfq_post(
                actor_id=buyer.pk,
                actor_role=BUYER,
                marketplace_slug=TRADE,
                category_id=category,
                product=product,
                quantity=quantity,
                unit=unit,
                target_unit_price_minor=targets.get(category) if n % 3 != 2 else None,
                destination_country=country,
                deadline=deadline,
                description="Please quote your best unit price, Incoterm and lead time; "
                "samples welcome before the first order.",
                now=posted,
            )
            matched = list(
                RfqMatch.objects.filter(rfq_id=detail.rfq.id)
                .order_by("rank")
                .values_list("merchant_id", flat=True)
            )
            letters = plan.replace("close", "").replace("lapse", "")
            for k, (letter, merchant_id) in enumerate(zip(letters, matched, strict=False)):
                _quote(
                    market=market,
                    rfq=detail.rfq,
                    buyer=buyer,
                    merchant_id=merchant_id,
                    letter=letter,
                    at=posted + timedelta(hours=6 + 5 * k),
                    lapse=lapse,
                    rng=rng,
                    now=now,
                    password=password,
                    note=NOTES[(n + k) % len(NOTES)],
                )
            if "close" in plan:
                services.rfq_close(
                    actor_id=buyer.pk,
                    actor_role=BUYER,
                    rfq_id=detail.rfq.id,
                    now=now - timedelta(days=1),
                )
        services.rfqs_expire(now=now)
    rfqs = Counter(Rfq.objects.values_list("status", flat=True))
    quotes = Counter(Quote.objects.values_list("status", flat=True))
    by_rfq = ", ".join(f"{v} {k}" for k, v in sorted(rfqs.items()))
    by_quote = ", ".join(f"{v} {k}" for k, v in sorted(quotes.items()))
    return (
        f"rfqs           {sum(rfqs.values())} RFQs ({by_rfq}), "
        f"{sum(quotes.values())} quotes ({by_quote})"
    )


def _quote(
    *,
    market: Marketplace,
    rfq: Any,
    buyer: User,
    merchant_id: int,
    letter: str,
    at: datetime,
    lapse: bool,
    rng: random.Random,
    now: datetime,
    password: str,
    note: str,
) -> None:
    offered = selectors.quotable_variants(
        merchant_id=merchant_id, marketplace_id=market.pk, currency=market.default_currency, limit=5
    )
    if not offered:
        return
    variant = offered[0]
    quoter = _quoter(merchant_id, password)
    quantity = min(999, max(variant.min_order_quantity, 24))
    price = max(1, variant.unit_price_minor * rng.choice([85, 90, 95]) // 100)
    valid = at + timedelta(days=5 if letter == "e" else 20 if lapse else 40)
    terms: dict[str, Any] = {
        "variant_id": variant.variant_id,
        "unit_price_minor": price,
        "quantity": quantity,
        "incoterm": rng.choice(["FOB", "CIF", "EXW", "DAP"]),
        "incoterm_place": "Genova",
        "payment_terms": rng.choice(["assurance", "assurance", "advance"]),
        "lead_time_days": rng.choice([14, 21, 30, 45]),
        "valid_until": valid,
        "note": note,
    }
    try:
        made = services.quote_submit(
            actor_id=quoter, actor_role=MERCHANT, rfq_id=rfq.id, now=at, **terms
        )
    except DomainError:  # e.g. a quota already spent by this supplier this month
        return
    if letter == "r":
        terms["unit_price_minor"] = max(1, price * 96 // 100)
        terms["note"] = "New price: 4% less for a confirmed order this month."
        services.quote_revise(
            actor_id=quoter,
            actor_role=MERCHANT,
            quote_id=made.id,
            now=at + timedelta(days=1),
            **terms,
        )
    elif letter == "w":
        services.quote_withdraw(
            actor_id=quoter, actor_role=MERCHANT, quote_id=made.id, now=at + timedelta(days=2)
        )
    elif letter == "d":
        services.quote_decline(
            actor_id=buyer.pk, actor_role=BUYER, quote_id=made.id, now=at + timedelta(days=1)
        )
    elif letter == "a":
        line1, city, postal = ADDRESSES.get(rfq.destination_country, ADDRESSES["US"])
        try:
            services.quote_accept(
                actor_id=buyer.pk,
                actor_role=BUYER,
                quote_id=made.id,
                shipping_address={
                    "name": f"{buyer.first_name} {buyer.last_name}".strip() or buyer.username,
                    "line1": line1,
                    "city": city,
                    "postal_code": postal,
                },
                now=min(now, at + timedelta(days=2)),
            )
        except DomainError:  # e.g. not enough stock left in the demo: it stays submitted
            return
