"""A pavilion world on top of the trade world: the trade-agency partner that runs it with
its staff, another partner's staff, and a "Made in Italy" pavilion on the trade market."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import count
from typing import Any

from fiera.accounts.roles import SYSTEM
from fiera.orders.models import Checkout, Order
from fiera.trade import services
from fiera.trade.selectors import PavilionInfo
from tests.catalog import factories as f
from tests.partners.factories import make_partner, make_partner_user
from tests.trade.factories import NOW, World, make_world

_seq = count(1)


@dataclass
class PavilionWorld:
    trade: World
    pavilion: PavilionInfo
    partner: Any
    reviewer: Any  # staff of the owner partner
    outsider: Any  # staff of another partner
    category: Any


def supplier(world: World, *, region: str = "IT-25", origin: str = "IT") -> tuple[Any, Any]:
    """Another Italian supplier with a store and one listed product on the trade market;
    returns (merchant, owner)."""
    merchant = f.merchant(region_code=region)
    f.store(merchant, world.market)
    product = f.product(merchant, origin_country=origin)
    f.price(f.variant(product), world.market, 5000, currency="USD")
    services.supplier_profile_save(
        actor_id=None, actor_role=SYSTEM, merchant_id=merchant.pk, capabilities_en="OEM", now=NOW
    )
    return merchant, f.staff(merchant, role="owner")


def make_pavilion_world(*, quota: int = 2, **overrides: Any) -> PavilionWorld:
    world = make_world()
    partner = make_partner(type="trade_agency", name="ICE Agenzia")
    other = make_partner()
    category = f.category("food", name_en="Food")
    values: dict[str, Any] = {
        "actor_id": None,
        "actor_role": SYSTEM,
        "slug": f"made-in-italy-{next(_seq)}",
        "name_it": "Padiglione Made in Italy",
        "name_en": "Made in Italy pavilion",
        "name_zh": "意大利制造馆",
        "intro_en": "Italian makers, sponsored.",
        "marketplace_slug": world.market.slug,
        "partner_id": partner.id,
        "country_code": "IT",
        "quota": quota,
        "sponsorship_months": 24,
        "category_slugs": ["food"],
        "now": NOW,
    }
    values.update(overrides)
    pavilion = services.pavilion_create(**values)
    return PavilionWorld(
        trade=world,
        pavilion=pavilion,
        partner=partner,
        reviewer=make_partner_user(partner),
        outsider=make_partner_user(other),
        category=category,
    )


def apply(pw: PavilionWorld, merchant: Any, owner: Any, *, now: datetime = NOW) -> Any:
    return services.pavilion_apply(
        actor_id=owner.pk,
        actor_role="merchant",
        slug=pw.pavilion.slug,
        merchant_id=merchant.pk,
        motivation="We make olive oil in Lombardy since 1950.",
        now=now,
    )


def decide(
    pw: PavilionWorld,
    application_id: int,
    *,
    admit: bool = True,
    reason: str = "",
    now: datetime = NOW,
) -> Any:
    return services.application_decide(
        actor_id=pw.reviewer.pk,
        actor_role="partner",
        application_id=application_id,
        admit=admit,
        reason=reason,
        now=now,
    )


def paid_order(
    merchant: Any,
    market: Any,
    *,
    total_minor: int,
    paid_at: datetime,
    country: str = "US",
    currency: str = "USD",
) -> Order:
    buyer = f.user("buyer")
    checkout = Checkout.objects.create(
        buyer=buyer,
        marketplace=market,
        country=country,
        currency=currency,
        subtotal_minor=total_minor,
        total_minor=total_minor,
        payment_method="wallet",
        order_count=1,
        placed_at=paid_at,
    )
    return Order.objects.create(
        checkout=checkout,
        number=f"P-{next(_seq)}",
        buyer=buyer,
        merchant=merchant,
        marketplace=market,
        status="paid",
        currency=currency,
        subtotal_minor=total_minor,
        total_minor=total_minor,
        payment_method="wallet",
        ship_name="A",
        ship_line1="B",
        ship_city="C",
        ship_postal_code="D",
        ship_country=country,
        placed_at=paid_at,
        paid_at=paid_at,
    )
