"""Checkout's hot path over the catalog tables: price many variants in one query, reserve
and release stock for many lines in one statement each.

This is the documented hot path (docs/architecture.md "Hot paths", 1): it joins catalog_variant,
catalog_product, catalog_price, catalog_stocklevel and catalog_warehouse, and the
merchants app's merchants_store (what is for sale is ``fiera.catalog.rules``, the same
joins as the storefront's), in raw SQL,
so a checkout costs the same number of queries for 1 line or for 20. Called by
``fiera.orders.services`` inside its checkout transaction.

Stock rule: a line is served from ONE warehouse, the active one with the most units that
can cover the whole quantity. ``units_on_hand`` never goes below zero (the UPDATE
re-checks it, and a CHECK constraint guards it), so concurrent checkouts never oversell
under PostgreSQL READ COMMITTED or SQLite's single writer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fiera.catalog import rules
from fiera.catalog.models import (
    StockLevel,
    StockMovement,
    StockMovementKind,
    Variant,
    Warehouse,
)
from fiera.common.errors import Conflict

_VARIANT = Variant._meta.db_table
_STOCK = StockLevel._meta.db_table
_WAREHOUSE = Warehouse._meta.db_table


class OutOfStock(Conflict):
    """Some lines cannot be served from any one warehouse; ``skus`` names them."""

    code = "out_of_stock"
    message_template = gettext_lazy("There is not enough stock of %(skus)s for this order.")


@dataclass(frozen=True, slots=True)
class PricedVariant:
    """A variant with its price tiers on one marketplace in one currency.

    ``tiers`` are ``(min_quantity, amount_minor)`` ascending by ``min_quantity``; the unit
    price for a quantity is the tier with the greatest ``min_quantity`` <= quantity.
    ``units_available`` (only when asked for) is the most units one active warehouse holds.
    """

    variant_id: int
    sku: str
    label: str
    product_id: int
    merchant_id: int
    min_order_quantity: int
    name_it: str
    name_en: str
    name_zh: str
    hs_code: str
    origin_country: str
    currency: str
    tiers: tuple[tuple[int, int], ...]
    units_available: int | None = None
    # --- listing terms ---
    # the sample price in ``currency`` (``rules.sample_price_sql``; None: no samples here),
    # the most units a sample line may hold, and the product's B2B terms (blank: not set)
    sample_price_minor: int | None = None
    sample_units: int = 0
    incoterm: str = ""
    incoterm_place: str = ""
    payment_terms: str = ""
    lead_time_days: int | None = None

    @property
    def offers_samples(self) -> bool:
        return self.sample_price_minor is not None

    def sample_allowed(self, quantity: int) -> bool:
        """Whether a sample line may hold ``quantity`` units (``rules.sample_quantity_allowed``)."""
        return self.offers_samples and rules.sample_quantity_allowed(
            quantity, sample_units=self.sample_units
        )

    def unit_price_minor(self, quantity: int) -> int | None:
        """Minor units per unit for ``quantity`` (B2B tiers, ``rules.unit_price_minor``),
        None below the first tier."""
        return rules.unit_price_minor(self.tiers, quantity)

    @property
    def order_minimum(self) -> int:
        """The fewest units an order line may hold (``rules.order_minimum``)."""
        return rules.order_minimum(min_order_quantity=self.min_order_quantity)


def checkout_variants_priced(
    *, marketplace_id: int, currency: str, variant_ids: Iterable[int], with_stock: bool = False
) -> dict[int, PricedVariant]:
    """The variants for sale on ``marketplace_id`` in ``currency`` (``fiera.catalog.rules``),
    with all their price tiers there, their sample offer and their product's listing
    terms, in ONE query. Others are left out.
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    stock_column = (
        f", (SELECT MAX(s.units_on_hand) FROM {_STOCK} s JOIN {_WAREHOUSE} w "
        f"ON w.id = s.warehouse_id AND w.is_active = %s WHERE s.variant_id = v.id)"
        if with_stock
        else ", NULL"
    )
    sql = (
        "SELECT v.id, v.sku, v.label, v.product_id, v.merchant_id, v.min_order_quantity, "
        "p.name_it, p.name_en, p.name_zh, p.hs_code, p.origin_country, "
        f"pr.min_quantity, pr.amount_minor{stock_column}, "
        f"{rules.sample_price_sql()}, v.sample_units, "
        "p.incoterm, p.incoterm_place, p.payment_terms, p.lead_time_days "
        f"FROM {_VARIANT} v {rules.sellable_joins(every_tier=True)} "
        f"WHERE v.id IN ({placeholders}) "
        "ORDER BY v.id, pr.min_quantity"
    )
    params: list[Any] = [True] if with_stock else []
    params += [marketplace_id, currency, *ids]
    rows_by_variant: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            rows_by_variant[int(row[0])].append(row)
    priced: dict[int, PricedVariant] = {}
    for variant_id, rows in rows_by_variant.items():
        first = rows[0]
        priced[variant_id] = PricedVariant(
            variant_id=variant_id,
            sku=str(first[1]),
            label=str(first[2]),
            product_id=int(first[3]),
            merchant_id=int(first[4]),
            min_order_quantity=int(first[5]),
            name_it=str(first[6]),
            name_en=str(first[7]),
            name_zh=str(first[8]),
            hs_code=str(first[9]),
            origin_country=str(first[10]),
            currency=currency,
            tiers=tuple((int(r[11]), int(r[12])) for r in rows),
            units_available=None if first[13] is None else int(first[13]),
            sample_price_minor=None if first[14] is None else int(first[14]),
            sample_units=int(first[15]),
            incoterm=str(first[16]),
            incoterm_place=str(first[17]),
            payment_terms=str(first[18]),
            lead_time_days=None if first[19] is None else int(first[19]),
        )
    return priced


@dataclass(frozen=True, slots=True)
class OfferedVariant:
    variant_id: int
    sku: str
    merchant_id: int
    min_order_quantity: int

    @property
    def order_minimum(self) -> int:
        """The fewest units a cart line may hold (``rules.order_minimum``)."""
        return rules.order_minimum(min_order_quantity=self.min_order_quantity)


def variants_offered(
    *, marketplace_id: int, variant_ids: Iterable[int], currency: str | None = None
) -> dict[int, OfferedVariant]:
    """The variants for sale on the marketplace in ``currency`` (``fiera.catalog.rules``;
    in any of its currencies when None), what a cart may hold, in one query."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        "SELECT DISTINCT v.id, v.sku, v.merchant_id, v.min_order_quantity "
        f"FROM {_VARIANT} v {rules.sellable_joins(any_currency=currency is None)} "
        f"WHERE v.id IN ({placeholders})"
    )
    params: list[Any] = [marketplace_id] if currency is None else [marketplace_id, currency]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
        return {
            int(r[0]): OfferedVariant(int(r[0]), str(r[1]), int(r[2]), int(r[3]))
            for r in cursor.fetchall()
        }


def _reserve_statement(items: Sequence[tuple[int, int]]) -> str:
    values = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS INTEGER))"] * len(items))
    return (
        f"WITH v(want_variant, want_units) AS (VALUES {values}) "
        f"UPDATE {_STOCK} AS s SET units_on_hand = s.units_on_hand - v.want_units, updated_at = %s "
        "FROM v "
        "WHERE s.id = ("
        f"SELECT s2.id FROM {_STOCK} s2 JOIN {_WAREHOUSE} w ON w.id = s2.warehouse_id "
        "WHERE s2.variant_id = v.want_variant AND s2.units_on_hand >= v.want_units "
        "AND w.is_active = %s ORDER BY s2.units_on_hand DESC, s2.id LIMIT 1"
        ") AND s.units_on_hand >= v.want_units "
        "RETURNING variant_id, warehouse_id"
    )


def _reserve_once(items: Sequence[tuple[int, int]], now: datetime) -> dict[int, int]:
    params: list[Any] = [value for item in items for value in item]
    params += [now, True]
    with connection.cursor() as cursor:
        cursor.execute(_reserve_statement(items), params)
        return {
            int(variant_id): int(warehouse_id) for variant_id, warehouse_id in cursor.fetchall()
        }


def stock_reserve(
    *,
    items: Sequence[tuple[int, int]],
    now: datetime | None = None,
    skus: dict[int, str] | None = None,
) -> dict[int, int]:
    """Take ``(variant_id, units)`` from stock in ONE statement; returns variant -> warehouse.

    Each variant must appear once (merge lines first). Must run inside the caller's
    transaction: when any line cannot be served, ``OutOfStock`` is raised and the caller's
    rollback puts back the lines that were taken. Under PostgreSQL READ COMMITTED the
    outer ``units_on_hand >= units`` re-check (evaluated on the latest row version after a
    concurrent update) is what forbids oversell; the lines that lost such a race are
    tried once more (a second statement, only then) so another warehouse can serve them.
    ``skus`` (variant -> SKU) only makes the error message readable.
    """
    if not items:
        return {}
    now = now or timezone.now()
    wanted = dict(items)
    if len(wanted) != len(items):
        raise ValueError("stock_reserve: each variant must appear once")
    reserved = _reserve_once(items, now)
    missing = [(variant_id, units) for variant_id, units in items if variant_id not in reserved]
    if missing and connection.vendor == "postgresql":
        reserved.update(_reserve_once(missing, now))
        missing = [
            (variant_id, units) for variant_id, units in missing if variant_id not in reserved
        ]
    if missing:
        names = [(skus or {}).get(variant_id, str(variant_id)) for variant_id, _ in missing]
        raise OutOfStock(
            "not enough stock for " + ", ".join(names),
            skus=names,
            variant_ids=[variant_id for variant_id, _ in missing],
        )
    return reserved


def stock_release(
    *,
    items: Iterable[tuple[int, int, int]],
    actor_user_id: int | None,
    reason: str,
    now: datetime | None = None,
) -> int:
    """Put ``(variant_id, warehouse_id, units)`` back on hand in ONE statement, and record
    each stock row it changed in the audit trail (``StockMovement`` kind "release", by
    ``actor_user_id`` for ``reason``, e.g. "order F000012-1 cancelled") in one more.

    Repeated pairs are summed first; zero units change nothing. Returns how many stock
    rows were updated (a row deleted since the reservation is skipped). Run it in the
    transaction that cancels.
    """
    summed: dict[tuple[int, int], int] = defaultdict(int)
    for variant_id, warehouse_id, units in items:
        if units < 0:
            raise ValueError("stock_release: units must not be negative")
        summed[(variant_id, warehouse_id)] += units
    summed = {pair: units for pair, units in summed.items() if units}
    if not summed:
        return 0
    now = now or timezone.now()
    values = ", ".join(
        ["(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS INTEGER))"] * len(summed)
    )
    sql = (
        f"WITH v(back_variant, back_warehouse, back_units) AS (VALUES {values}) "
        f"UPDATE {_STOCK} AS s SET units_on_hand = s.units_on_hand + v.back_units, updated_at = %s "
        "FROM v WHERE s.variant_id = v.back_variant AND s.warehouse_id = v.back_warehouse "
        # counted by hand: sqlite3's rowcount is -1 for WITH statements
        "RETURNING id, variant_id, warehouse_id, merchant_id, units_on_hand"
    )
    params: list[Any] = [
        x
        for (variant_id, warehouse_id), units in summed.items()
        for x in (variant_id, warehouse_id, units)
    ]
    params.append(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        released = cursor.fetchall()
    StockMovement.objects.bulk_create(
        StockMovement(
            stock_level_id=level_id,
            variant_id=variant_id,
            warehouse_id=warehouse_id,
            merchant_id=merchant_id,
            kind=StockMovementKind.RELEASE,
            delta=summed[(int(variant_id), int(warehouse_id))],
            units_after=units_after,
            reason=reason[:200],
            actor_id=actor_user_id,
        )
        for level_id, variant_id, warehouse_id, merchant_id, units_after in released
    )
    return len(released)
