"""The RFQ tests' world: the trade world plus a category tree, the suppliers' products
filed in it with MOQ and stock, and helpers that post RFQs and quotes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fiera.catalog.models import Variant
from fiera.trade import services
from tests.catalog import factories as f
from tests.trade.factories import NOW, World

ADDRESS = {
    "name": "Acme Imports",
    "line1": "1 Main St",
    "city": "Boston",
    "postal_code": "02110",
    "country": "US",
}


@dataclass
class RfqWorld:
    w: World
    food: Any
    oil: Any
    variant: Any  # the supplier's, MOQ 10, 4200 USD, 500 in stock
    other_variant: Any  # the other supplier's


def rfq_world(world: World) -> RfqWorld:
    food = f.category("food", name_en="Food")
    oil = f.category("oil", parent=food, name_en="Olive oil")
    world.product.category = oil
    world.product.save(update_fields=["category"])
    world.other_product.category = food
    world.other_product.save(update_fields=["category"])
    variant = Variant.objects.get(product=world.product)
    variant.min_order_quantity = 10
    variant.save(update_fields=["min_order_quantity"])
    f.stock(variant, f.warehouse(world.supplier), 500)
    other_variant = Variant.objects.get(product=world.other_product)
    f.stock(other_variant, f.warehouse(world.other), 500)
    return RfqWorld(w=world, food=food, oil=oil, variant=variant, other_variant=other_variant)


def post(rw: RfqWorld, buyer: Any = None, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "actor_id": (buyer or rw.w.buyer).pk,
        "actor_role": "buyer",
        "marketplace_slug": "trade",
        "category_id": rw.food.pk,
        "product": "Extra virgin olive oil, 5 l tins",
        "quantity": 200,
        "unit": "piece",
        "target_unit_price_minor": 3900,
        "destination_country": "US",
        "deadline": NOW + timedelta(days=14),
        "description": "Private label <b>welcome</b>",
        "now": NOW,
    }
    values.update(overrides)
    return services.rfq_post(**values)


def quote(rw: RfqWorld, rfq_id: int, user: Any = None, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "actor_id": (user or rw.w.owner).pk,
        "actor_role": "merchant",
        "rfq_id": rfq_id,
        "variant_id": rw.variant.pk,
        "unit_price_minor": 4000,
        "quantity": 200,
        "incoterm": "FOB",
        "incoterm_place": "Genova",
        "payment_terms": "assurance",
        "lead_time_days": 21,
        "valid_until": NOW + timedelta(days=30),
        "note": "Tins of 5 l",
        "now": NOW,
    }
    values.update(overrides)
    return services.quote_submit(**values)
