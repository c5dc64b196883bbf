"""The raw INSERTs of the checkout's write path (docs/architecture.md hot path 1), used by
``fiera.orders.services``.

Why raw SQL: the checkout writes its checkout row, one order per merchant and all the
lines in three statements whatever the number of lines or merchants (multi-row
``INSERT ... VALUES (...), (...) RETURNING``), which the ORM's ``bulk_create`` does not do
on SQLite with the ids back, and costs several times more per statement.

Each table's row is a ``NamedTuple`` whose field names ARE the table's column names: the
one tuple of fields writes the column list, the placeholders and (built by keyword) the
parameters, so a column cannot drift from its placeholder or its value (as in
``fiera.ledger.sql``). Placeholders are ``%s`` (Django's cursor); only fixed fragments and
placeholders are joined here, never values. A test checks every row type against its
model's columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from fiera.common.trade_terms import ASSURANCE
from fiera.festivals.offers import FLASH
from fiera.orders.models import Checkout, IdempotencyRecord, Order, OrderLine
from fiera.orders.pricing import CheckoutQuote, ShippingAddress

CHECKOUT_TABLE = Checkout._meta.db_table
ORDER_TABLE = Order._meta.db_table
ORDER_LINE_TABLE = OrderLine._meta.db_table
IDEMPOTENCY_TABLE = IdempotencyRecord._meta.db_table


class CheckoutRow(NamedTuple):
    """Amounts in minor units of ``currency``; ``placed_at`` as the connection adapts it."""

    buyer_id: int
    marketplace_id: int
    country: str
    currency: str
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    payment_method: str
    cross_border: bool
    order_count: int
    placed_at: Any


class OrderRow(NamedTuple):
    checkout_id: int
    number: str
    buyer_id: int
    merchant_id: int
    marketplace_id: int
    status: str
    currency: str
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    refunded_minor: int
    payment_method: str
    cross_border_year: int | None
    ship_name: str
    ship_line1: str
    ship_line2: str
    ship_city: str
    ship_postal_code: str
    ship_country: str
    ship_phone: str
    placed_at: Any
    paid_at: Any
    payment_due_at: Any = None  # a method that lets the buyer pay later ("wallet_later")
    # --- listing terms --- (a B2B order's terms, ``pricing.listing_terms_agreed``);
    # payment_terms "assurance" only when the order is (or, paid later, will be) in escrow
    incoterm: str = ""
    incoterm_place: str = ""
    payment_terms: str = ""
    lead_time_days: int | None = None


class OrderLineRow(NamedTuple):
    order_id: int
    merchant_id: int
    variant_id: int
    warehouse_id: int
    sku: str
    label: str
    name_it: str
    name_en: str
    name_zh: str
    hs_code: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    tax_minor: int
    price_kind: str = "list"  # or "festival", "flash" (fiera.festivals.offers)
    flash_sale_id: int | None = None


class IdempotencyRow(NamedTuple):
    """``result``: the stored answer, already adapted as the connection's JSON value."""

    buyer_id: int
    key: str
    request_sha256: str
    checkout_id: int
    result: Any
    created_at: Any


# --- rows of a priced checkout ------------------------------------------------------------
# Datetimes (``placed_at``, ``paid_at``) come already adapted by the connection
# (``connection.ops.adapt_datetimefield_value``), once for the whole checkout.


def checkout_row(
    *, buyer_id: int, quote: CheckoutQuote, payment_method: str, placed_at: Any
) -> CheckoutRow:
    return CheckoutRow(
        buyer_id=buyer_id,
        marketplace_id=quote.marketplace_id,
        country=quote.country,
        currency=quote.currency,
        subtotal_minor=quote.subtotal_minor,
        tax_minor=quote.tax_minor,
        total_minor=quote.total_minor,
        payment_method=payment_method,
        cross_border=quote.cross_border is not None,
        order_count=len(quote.groups),
        placed_at=placed_at,
    )


def _payment_terms(fixed: str | None, listed: str) -> str:
    """The order's payment terms say how it is settled (decision 0016): "assurance" when
    the trade-assurance method holds it in escrow; the terms the listings agree on when it
    is paid later (None: "assurance" terms put it in escrow when paid); otherwise, where the
    listings named terms, what the method did ("advance": paid to the supplier at checkout;
    "": cash on delivery, neither)."""
    if fixed is None:
        return listed
    if fixed == ASSURANCE:
        return ASSURANCE
    return fixed if listed else ""


def order_rows(
    *,
    checkout_id: int,
    numbers: Sequence[str],
    buyer_id: int,
    quote: CheckoutQuote,
    address: ShippingAddress,
    payment_method: str,
    status: str,
    placed_at: Any,
    paid_at: Any,
    payment_due_at: Any = None,
    payment_terms: str | None = None,
) -> list[OrderRow]:
    """One order per merchant group of ``quote``, numbered ``numbers`` (same order)."""
    terms = quote.cross_border
    return [
        OrderRow(
            checkout_id=checkout_id,
            number=number,
            buyer_id=buyer_id,
            merchant_id=group.merchant_id,
            marketplace_id=quote.marketplace_id,
            status=status,
            currency=quote.currency,
            subtotal_minor=group.subtotal_minor,
            tax_minor=group.tax_minor,
            total_minor=group.total_minor,
            refunded_minor=0,
            payment_method=payment_method,
            cross_border_year=terms.year if terms is not None else None,
            ship_name=address.name,
            ship_line1=address.line1,
            ship_line2=address.line2,
            ship_city=address.city,
            ship_postal_code=address.postal_code,
            ship_country=address.country,
            ship_phone=address.phone,
            placed_at=placed_at,
            paid_at=paid_at,
            payment_due_at=payment_due_at,
            incoterm=group.incoterm,
            incoterm_place=group.incoterm_place,
            payment_terms=_payment_terms(payment_terms, group.payment_terms),
            lead_time_days=group.lead_time_days,
        )
        for group, number in zip(quote.groups, numbers, strict=True)
    ]


def order_line_rows(
    *,
    order_ids: Sequence[int],
    quote: CheckoutQuote,
    warehouses: dict[int, int],
    flash_warehouses: Mapping[int, int] | None = None,
) -> list[OrderLineRow]:
    """The lines of each merchant group of ``quote`` under its order (``order_ids`` in the
    groups' order), each served from ``warehouses[variant_id]`` (a flash line from
    ``flash_warehouses[variant_id]`` when given: a sample line of the same variant is
    served from the stock)."""
    flash_at = flash_warehouses or {}
    return [
        OrderLineRow(
            order_id=order_id,
            merchant_id=line.merchant_id,
            variant_id=line.variant_id,
            warehouse_id=(
                flash_at[line.variant_id]
                if line.price_kind == FLASH and line.variant_id in flash_at
                else warehouses[line.variant_id]
            ),
            sku=line.sku,
            label=line.label,
            name_it=line.name_it,
            name_en=line.name_en,
            name_zh=line.name_zh,
            hs_code=line.hs_code,
            quantity=line.quantity,
            unit_price_minor=line.unit_price_minor,
            line_total_minor=line.line_total_minor,
            tax_minor=line.tax_minor,
            price_kind=line.price_kind,
            flash_sale_id=line.flash_sale_id,
        )
        for group, order_id in zip(quote.groups, order_ids, strict=True)
        for line in group.lines
    ]


# --- statements ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def insert_sql(table: str, columns: tuple[str, ...], rows: int, returning: str = "") -> str:
    """``INSERT INTO table (columns) VALUES (...) x rows [RETURNING ...]``; its parameters
    are ``insert_params`` of rows whose fields are ``columns``."""
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one_row] * rows)
    return f"{sql} RETURNING {returning}" if returning else sql


def insert_params(rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    """The values of ``rows``, row after row, as ``insert_sql`` binds them."""
    return [value for row in rows for value in row]


def insert(
    cursor: Any, table: str, rows: Sequence[NamedTuple], returning: str = ""
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (all of one row type, at least one) in ONE statement; the rows of
    ``RETURNING`` (in no promised order), or [] without it."""
    columns: tuple[str, ...] = rows[0]._fields
    cursor.execute(insert_sql(table, columns, len(rows), returning), insert_params(rows))
    return list(cursor.fetchall()) if returning else []
