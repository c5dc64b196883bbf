"""Demo orders paid after checkout ("wallet_later", fiera.orders.payment.WalletPayLater), so
that the pages show such an order's two open endings: the README's buyer has one awaiting
payment (its page counts the time left down; placed a few minutes before the demo's
``now``, so it stays payable for the rest of the timeout after ``make demo``) and one
cancelled because it was not paid in time (its units went back on sale).

Everything goes through the orders services: the checkout and the expiry job
(``orders_expire_unpaid``), as a buyer and Celery beat would. It runs before the festivals'
step, whose rebuild of the tallies counts these orders like the others (their events, when
the relay delivers them, find them counted: the tallies are idempotent per order). No order
is paid here: a payment of the demo's day would sit outside the settled past days. Items
are the cheapest in-stock variants on a marketplace of the buyer's country, so the buyer's
cross-border allowance is barely touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings

from fiera.accounts.models import User
from fiera.accounts.roles import BUYER
from fiera.catalog.models import Price, StockLevel
from fiera.common.errors import DomainError
from fiera.marketplaces.models import MarketplaceCountry
from fiera.orders import services as orders

BUYER_USERNAME = "buyer"
CANDIDATES = 40  # cheapest variants tried per marketplace before giving up


def _address(user: User, country: str) -> dict[str, str]:
    name = user.get_full_name() or user.username
    if country == "CN":
        return {
            "name": name,
            "line1": "88 Century Avenue",
            "city": "Shanghai",
            "postal_code": "200120",
            "country": "CN",
            "phone": "+86 21 5000 0000",
        }
    return {
        "name": name,
        "line1": "1 Demo Street",
        "city": "Demo City",
        "postal_code": "10000",
        "country": country,
        "phone": "",
    }


def _candidates(marketplace_id: int, currency: str) -> Iterator[int]:
    """Variant ids priced from one unit on the marketplace in ``currency``, in stock,
    cheapest first."""
    in_stock = StockLevel.objects.filter(units_on_hand__gte=5).values("variant_id")
    yield from (
        Price.objects.filter(
            marketplace_id=marketplace_id,
            currency=currency,
            min_quantity=1,
            variant__min_order_quantity__lte=1,
            variant_id__in=in_stock,
        )
        .order_by("amount_minor", "variant_id")
        .values_list("variant_id", flat=True)[:CANDIDATES]
    )


def build_pay_later(*, now: datetime) -> str:
    """Place the README buyer's pay-later orders; returns one summary line."""
    buyer = User.objects.filter(username=BUYER_USERNAME).first()
    if buyer is None:
        return "pay later      no demo buyer to place orders for"
    markets = MarketplaceCountry.objects.filter(
        country=buyer.country or "IT", marketplace__is_active=True
    ).select_related("marketplace")
    timeout = timedelta(minutes=int(settings.FIERA_PAYMENT_TIMEOUT_MINUTES))
    # placed this long before now: one past its deadline (the job below cancels it), one
    # awaiting payment
    stories = (timeout * 4, timedelta(minutes=3))
    placed: list[str] = []
    for market in markets:
        variants = _candidates(market.marketplace_id, market.currency)
        for ago in stories[len(placed) :]:
            number = _place(buyer, market, variants, at=now - ago)
            if number is None:
                break
            placed.append(number)
        if len(placed) == len(stories):
            break
    cancelled = orders.orders_expire_unpaid(now=now)
    return (
        f"pay later      {len(placed)} orders of {BUYER_USERNAME} paid after checkout: "
        f"{len(placed) - cancelled} awaiting payment, {cancelled} cancelled unpaid "
        "(fiera.demo.paylater)"
    )


def _place(
    buyer: User, market: MarketplaceCountry, variants: Iterator[int], *, at: datetime
) -> str | None:
    """One pay-later order of one unit of the next variant the checkout accepts."""
    for variant_id in variants:
        try:
            result = orders.checkout_submit(
                buyer_id=buyer.pk,
                marketplace_slug=market.marketplace.slug,
                country=market.country,
                lines=[(variant_id, 1)],
                shipping_address=_address(buyer, market.country),
                payment_method="wallet_later",
                now=at,
                actor_role=BUYER,
            )
        except DomainError:
            continue
        return result.orders[0].number
    return None
