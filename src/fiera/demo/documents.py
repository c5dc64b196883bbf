"""Demo B2B orders that show each trade document (fiera.trade.documents): ``buyer-b2b`` has
an order awaiting payment with a quote reference and agreed terms (its proforma invoice),
and a shipped order with terms (its commercial invoice and packing list), from the
``merchant`` login's company when it sells on the trade marketplace (so that its console
shows them too), else from another company with a staff login.

Orders go through the orders services (checkout, shipment) as a buyer and a merchant would.
The terms are written on the orders directly when nothing else set them: a quote accepted
through the RFQ flow (``Order.quote_ref``) sets them itself, and then this step keeps the
order it finds. The unpaid order is placed to be paid after checkout ("wallet_later") with
its deadline moved 14 days out, as a proforma gives a business buyer time to arrange a bank
transfer or a letter of credit. The shipped one is a wallet-paid order of the history
(``fiera.demo.build``: paid, settled and shipped like the others), given terms "paid in
advance"; no payment is made here, since every payment of the demo's past days is settled
and one of its day would be left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from fiera.accounts.models import User
from fiera.accounts.roles import BUYER, MERCHANT
from fiera.catalog.models import Price, StockLevel
from fiera.common.errors import DomainError
from fiera.marketplaces.models import Marketplace
from fiera.merchants.models import StaffMembership, Store
from fiera.orders import services as orders
from fiera.orders.models import Order, OrderStatus

BUYER_USERNAME = "buyer-b2b"
MERCHANT_USERNAME = "merchant"
TRADE = "trade"
CANDIDATES = 30
ADDRESS = {
    "name": "Miller Fine Foods - receiving",
    "line1": "500 Harbor Boulevard",
    "line2": "Dock 4",
    "city": "Newark",
    "postal_code": "07114",
    "country": "US",
    "phone": "+1 973 555 0100",
}
PROFORMA_TERMS = {
    "incoterm": "FOB",
    "incoterm_place": "Genova",
    "payment_terms": "assurance",
    "lead_time_days": 30,
}
SHIPPED_TERMS = {
    "incoterm": "CIF",
    "incoterm_place": "New York",
    "payment_terms": "advance",
    "lead_time_days": 21,
}


def _suppliers(market: Marketplace) -> list[int]:
    """The merchants selling on the trade marketplace with a staff login (who ships and
    opens the documents in the console), the ``merchant`` login's first."""
    staffed = StaffMembership.objects.filter(user__role=MERCHANT).values("merchant_id")
    selling = list(
        Store.objects.filter(marketplace=market, is_active=True, merchant_id__in=staffed)
        .order_by("merchant_id")
        .values_list("merchant_id", flat=True)
    )
    own = set(
        StaffMembership.objects.filter(user__username=MERCHANT_USERNAME).values_list(
            "merchant_id", flat=True
        )
    )
    return sorted(selling, key=lambda merchant_id: merchant_id not in own)


def _candidates(market: Marketplace, merchant_id: int) -> Iterator[tuple[int, int]]:
    """(variant id, quantity) of the merchant priced in USD on the market with stock for
    twice the minimum order, cheapest first."""
    rows = (
        Price.objects.filter(
            marketplace=market,
            merchant_id=merchant_id,
            currency="USD",
            min_quantity=1,
            variant__is_active=True,
        )
        .order_by("amount_minor", "variant_id")
        .values_list("variant_id", "variant__min_order_quantity")[:CANDIDATES]
    )
    for variant_id, minimum in rows:
        quantity = max(int(minimum or 1), 12)
        stocked = StockLevel.objects.filter(
            variant_id=variant_id, units_on_hand__gte=quantity * 2
        ).exists()
        if stocked:
            yield variant_id, quantity


def _place(buyer: User, market: Marketplace, method: str, at: datetime) -> Order | None:
    for merchant_id in _suppliers(market):
        for variant_id, quantity in _candidates(market, merchant_id):
            try:
                result = orders.checkout_submit(
                    buyer_id=buyer.pk,
                    marketplace_slug=market.slug,
                    country="US",
                    lines=[(variant_id, quantity)],
                    shipping_address=ADDRESS,
                    payment_method=method,
                    now=at,
                    actor_role=BUYER,
                )
            except DomainError:
                continue
            return Order.objects.get(number=result.orders[0].number)
    return None


def _with_terms(order: Order, terms: dict[str, object], quote_ref: str = "") -> None:
    """Agreed terms on the order unless something (an accepted quote) set them already."""
    if order.incoterm:
        return
    Order.objects.filter(pk=order.pk).update(
        **terms, **({"quote_ref": quote_ref} if quote_ref and not order.quote_ref else {})
    )


def _staff_of(merchant_id: int) -> int | None:
    return (
        StaffMembership.objects.filter(merchant_id=merchant_id, user__role=MERCHANT)
        .order_by("role", "id")
        .values_list("user_id", flat=True)
        .first()
    )


def _shipped_from_history(mine: QuerySet[Order], market: Marketplace) -> Order | None:
    """A wallet-paid order of the history that shipped, the ``merchant`` login's company's
    first, then one of a company with a staff login, then any."""
    paid = mine.filter(
        status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED],
        paid_at__isnull=False,
        payment_method="wallet",
    ).order_by("-placed_at", "-id")
    suppliers = _suppliers(market)
    for merchant_id in suppliers[:1]:
        found = paid.filter(merchant_id=merchant_id).first()
        if found is not None:
            return found
    return paid.filter(merchant_id__in=suppliers).first() or paid.first()


def _placed_and_shipped(buyer: User, market: Marketplace, now: datetime) -> Order | None:
    """Without such an order: one paid on delivery, placed six days before ``now`` and
    shipped two days before (it stays unpaid until delivered, so its payment terms are left
    open: cash on delivery is none of the B2B terms)."""
    placed = _place(buyer, market, "cod", now - timedelta(days=6))
    staff = _staff_of(placed.merchant_id) if placed is not None else None
    if placed is None or staff is None:
        return None
    _with_terms(placed, {**SHIPPED_TERMS, "payment_terms": ""})
    return orders.order_ship(
        actor_id=staff,
        actor_role=MERCHANT,
        number=placed.number,
        carrier="DHL",
        tracking_number=f"JD0146{placed.pk:08d}",
        now=now - timedelta(days=2),
    )


def build_documents(*, now: datetime) -> str:
    """The two orders; returns one summary line."""
    buyer = User.objects.filter(username=BUYER_USERNAME).first()
    market = Marketplace.objects.filter(slug=TRADE).first()
    if buyer is None or market is None:
        return "documents      skipped: no trade marketplace or no buyer-b2b"
    mine = Order.objects.filter(buyer_id=buyer.pk, marketplace_id=market.pk)
    unpaid = mine.filter(status=OrderStatus.PLACED).exclude(quote_ref="").first()
    if unpaid is None:
        unpaid = _place(buyer, market, "wallet_later", now - timedelta(hours=2))
        if unpaid is not None:
            Order.objects.filter(pk=unpaid.pk).update(payment_due_at=now + timedelta(days=14))
            _with_terms(unpaid, PROFORMA_TERMS, quote_ref=f"Q-{now:%Y}-{unpaid.pk:05d}")
    shipped = (
        mine.filter(status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED])
        .filter(~Q(incoterm=""))
        .first()
    )
    if shipped is None:
        shipped = _shipped_from_history(mine, market)
        if shipped is not None:
            _with_terms(shipped, SHIPPED_TERMS)
        else:
            shipped = _placed_and_shipped(buyer, market, now)
    made = [
        f"{o.number} ({label})"
        for o, label in ((unpaid, "proforma"), (shipped, "invoice, packing list"))
        if o is not None
    ]
    return "documents      " + (
        f"{BUYER_USERNAME}'s B2B orders with trade documents: {', '.join(made)} "
        "(fiera.demo.documents)"
        if made
        else "no B2B order could be placed for the trade documents"
    )
