"""A small B2B world for the trade tests: a trade marketplace (USD), two suppliers with
owners, managers and clerks, a product sold there, business buyers and an operator."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from fiera.accounts.roles import SYSTEM
from fiera.trade import services
from tests.catalog import factories as f

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    market: Any
    shop_market: Any  # a B2C marketplace
    supplier: Any
    other: Any
    owner: Any
    manager: Any
    clerk: Any
    other_owner: Any
    product: Any
    other_product: Any
    buyer: Any
    other_buyer: Any
    operator: Any


def business_buyer(**extra: Any) -> Any:
    return f.user("buyer", buyer_kind="business", **extra)


def make_world() -> World:
    market = f.marketplace(
        slug="trade",
        name="Fiera Trade",
        kind="b2b_trade",
        default_currency="USD",
        countries={"US": "USD", "DE": "USD"},
    )
    shop_market = f.marketplace(slug="shop", kind="b2c_domestic")
    supplier = f.merchant(display_name="Oleificio Rossi")
    other = f.merchant(display_name="Lanificio Blu")
    f.store(supplier, market)
    f.store(other, market)
    product = f.product(supplier, name_en="Extra virgin olive oil 5 l")
    variant = f.variant(product)
    f.price(variant, market, 4200, currency="USD")
    other_product = f.product(other, name_en="Wool cloth")
    f.price(f.variant(other_product), market, 9000, currency="USD")
    world = World(
        market=market,
        shop_market=shop_market,
        supplier=supplier,
        other=other,
        owner=f.staff(supplier, role="owner"),
        manager=f.staff(supplier, role="manager"),
        clerk=f.staff(supplier, role="clerk"),
        other_owner=f.staff(other, role="owner"),
        product=product,
        other_product=other_product,
        buyer=business_buyer(),
        other_buyer=business_buyer(),
        operator=f.user("operator"),
    )
    for m in (supplier, other):
        services.supplier_profile_save(
            actor_id=None,
            actor_role=SYSTEM,
            merchant_id=m.pk,
            capabilities_en="Private label",
            main_markets=["US", "DE"],
            now=NOW,
        )
    return world


def inquire(world: World, buyer: Any = None, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "actor_id": (buyer or world.buyer).pk,
        "actor_role": "buyer",
        "marketplace_slug": world.market.slug,
        "merchant_id": world.supplier.pk,
        "product_id": world.product.pk,
        "subject": "Price for 2,000 bottles",
        "quantity": 2000,
        "message": "Hello, what is your best price?",
        "now": NOW,
    }
    values.update(overrides)
    return services.inquiry_create(**values)
