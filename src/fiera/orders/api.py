"""Orders API: carts, the checkout quote, THE checkout (hot path 1), orders and their
shipments and refunds. Buyers authenticate by token or session (request.auth is the
User); each operation parses, makes ONE service or selector call, and serializes.

Idempotency: POST /checkout takes an ``Idempotency-Key`` header. A retry with the same
key and the same body answers 201 with the same body as the first time (and the header
``Idempotent-Replayed: true``) and places nothing; the same key with another body is
409 ``idempotency_key_reused``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Path, Query, Router, Status
from ninja.pagination import paginate

from fiera.common.pagination import Page
from fiera.common.schemas import ErrorOut
from fiera.orders import selectors, services
from fiera.orders.schemas import (
    MAX_ID,
    ORDER_NUMBER,
    SLUG,
    STATUS_PATTERN,
    CancelIn,
    CartLineIn,
    CartOut,
    CheckoutIn,
    CheckoutOut,
    OrderOut,
    OrderRefundIn,
    OrderSummaryOut,
    QuoteIn,
    QuoteOut,
    SavedAddressIn,
    SavedAddressOut,
    ShipmentIn,
    checkout_json,
)

router = Router(tags=["orders"])

MarketplaceSlug = Path(..., max_length=40, pattern=SLUG, description="marketplace slug")
VariantId = Path(..., ge=1, le=MAX_ID)
AddressId = Path(..., ge=1, le=MAX_ID, description="the saved address's id")
OrderNumber = Path(
    ..., max_length=24, pattern=ORDER_NUMBER, description='the order number, e.g. "F000042-1"'
)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"  # what ninja's renderer answers with
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _actor(request: HttpRequest) -> tuple[int, str]:
    user = request.auth  # type: ignore[attr-defined]
    return int(user.pk), str(user.role)


# carts --------------------------------------------------------------------------------


@router.post("/carts/{marketplace_slug}/lines", response={200: CartOut, **ERRORS})
def cart_line_put(
    request: HttpRequest, payload: CartLineIn, marketplace_slug: str = MarketplaceSlug
) -> CartOut:
    """Put a variant in the cart (``mode`` "set": this quantity; "add": this many more)."""
    user_id, role = _actor(request)
    cart = services.cart_line_set(
        buyer_id=user_id,
        actor_role=role,
        marketplace_slug=marketplace_slug,
        variant_id=payload.variant_id,
        quantity=payload.quantity,
        add=payload.mode == "add",
        now=timezone.now(),
        sample=payload.sample,
    )
    return CartOut.of(cart)


@router.get("/carts/{marketplace_slug}", response={200: CartOut, **ERRORS})
def cart_get(
    request: HttpRequest,
    marketplace_slug: str = MarketplaceSlug,
    country: str | None = Query(None, pattern=r"^[A-Za-z]{2}$", description="destination"),
) -> CartOut:
    """The cart priced for the destination ``country`` (default: the marketplace's)."""
    user_id, _role = _actor(request)
    return CartOut.of(
        selectors.cart_view(
            buyer_id=user_id,
            marketplace_slug=marketplace_slug,
            country=country,
            now=timezone.now(),
        )
    )


@router.delete("/carts/{marketplace_slug}/lines/{variant_id}", response={200: CartOut, **ERRORS})
def cart_line_delete(
    request: HttpRequest,
    marketplace_slug: str = MarketplaceSlug,
    variant_id: int = VariantId,
    sample: bool = Query(False, description="remove the variant's sample line instead"),
) -> CartOut:
    user_id, role = _actor(request)
    cart = services.cart_line_remove(
        buyer_id=user_id,
        actor_role=role,
        marketplace_slug=marketplace_slug,
        variant_id=variant_id,
        now=timezone.now(),
        sample=sample,
    )
    return CartOut.of(cart)


# checkout -----------------------------------------------------------------------------


def _lines(payload: QuoteIn) -> list[tuple[int, int]] | None:
    if payload.from_cart:
        return None
    return [(line.variant_id, line.quantity) for line in payload.lines or [] if not line.sample]


def _samples(payload: QuoteIn) -> list[tuple[int, int]] | None:
    """The sample lines of ``lines`` (B2B listings); from the cart, the cart's."""
    if payload.from_cart:
        return None
    return [(line.variant_id, line.quantity) for line in payload.lines or [] if line.sample]


def _by_variant(payload: QuoteIn, field: str) -> dict[int, int] | None:
    """The lines' optional ``field`` (expected price, flash sale) by variant."""
    if payload.from_cart:
        return None
    found = {
        line.variant_id: value
        for line in payload.lines or []
        if not line.sample and (value := getattr(line, field)) is not None
    }
    return found or None


@router.post("/checkout/quote", response={200: QuoteOut, **ERRORS})
def checkout_quote(request: HttpRequest, payload: QuoteIn) -> QuoteOut:
    """Totals, CBEC tax and limits of a checkout, without reserving anything."""
    user_id, _role = _actor(request)
    quote = selectors.checkout_quote(
        buyer_id=user_id,
        marketplace_slug=payload.marketplace,
        country=payload.country,
        lines=_lines(payload),
        now=timezone.now(),
        samples=_samples(payload),
    )
    return QuoteOut.of(quote)


@router.post("/checkout", response={201: CheckoutOut, **ERRORS})
def checkout_create(
    request: HttpRequest,
    payload: CheckoutIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="retries with the same key and body return the first result",
    ),
) -> HttpResponse:
    """Place one order per merchant (stock reserved atomically; see the module docstring
    for Idempotency-Key). ``lines`` or ``from_cart``: true (the cart is emptied).

    The hot path (docs/architecture.md): the 201 body is built as plain JSON
    (``checkout_json``, equal to what ``CheckoutOut`` serializes to) and returned as is;
    ``CheckoutOut`` stays the declared schema of the OpenAPI document."""
    user_id, role = _actor(request)
    result = services.checkout_submit(
        buyer_id=user_id,
        actor_role=role,
        marketplace_slug=payload.marketplace,
        country=payload.country,
        lines=_lines(payload),
        shipping_address=payload.shipping_address.model_dump(),
        payment_method=payload.payment_method,
        idempotency_key=idempotency_key,
        now=timezone.now(),
        expected_prices=_by_variant(payload, "unit_price_minor"),
        flash_sale_ids=_by_variant(payload, "flash_sale_id"),
        samples=_samples(payload),
    )
    answer = HttpResponse(
        json.dumps(checkout_json(result)), status=201, content_type=JSON_CONTENT_TYPE
    )
    if result.replayed:
        answer["Idempotent-Replayed"] = "true"
    return answer


# orders -------------------------------------------------------------------------------


@router.get("/orders", response={200: list[OrderSummaryOut], 401: ErrorOut, 422: ErrorOut})
@paginate(Page)
def order_list(
    request: HttpRequest,
    status: str | None = Query(None, pattern=STATUS_PATTERN, description="placed, paid, ..."),
    merchant_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> Any:
    """Buyers: their orders; merchant staff: their merchants' (``merchant_id`` narrows);
    operators: all. Newest first; ``status`` filters. (Plain parameters, not a schema:
    ``@paginate`` resolves string annotations in its own module.)"""
    user_id, role = _actor(request)
    return selectors.order_list(
        user_id=user_id, actor_role=role, status=status, merchant_id=merchant_id
    )


@router.get("/orders/{number}", response={200: OrderOut, **ERRORS})
def order_get(request: HttpRequest, number: str = OrderNumber) -> OrderOut:
    user_id, role = _actor(request)
    return OrderOut.of(selectors.order_get(user_id=user_id, actor_role=role, number=number))


@router.post("/orders/{number}/cancel", response={200: OrderOut, **ERRORS})
def order_cancel(request: HttpRequest, payload: CancelIn, number: str = OrderNumber) -> OrderOut:
    """Before the order ships: its buyer, the merchant's staff or an operator. A paid order
    is refunded in full (the wallet gets its money back); stock and the cross-border
    allowance are given back. A shipped order: 409 ``bad_transition``."""
    user_id, role = _actor(request)
    order = services.order_cancel(
        actor_id=user_id, actor_role=role, number=number, reason=payload.reason, now=timezone.now()
    )
    return OrderOut.of(order)


@router.post("/orders/{number}/pay", response={200: OrderOut, **ERRORS})
def order_pay(request: HttpRequest, number: str = OrderNumber) -> OrderOut:
    """Its buyer pays a "wallet_later" order from their wallet before its
    ``payment_due_at`` (a paid order is answered as it is: no second charge). Overdue:
    409 ``payment_overdue`` (the order is cancelled); not enough money or no wallet in the
    currency: 409 ``insufficient_funds`` / ``no_wallet``; cash on delivery or paid at
    checkout: 409 ``order_not_payable``; merchants and operators: 403."""
    user_id, role = _actor(request)
    order = services.order_pay(buyer_id=user_id, actor_role=role, number=number, now=timezone.now())
    return OrderOut.of(order)


@router.post("/orders/{number}/shipments", response={201: OrderOut, **ERRORS})
def order_ship(request: HttpRequest, payload: ShipmentIn, number: str = OrderNumber) -> Status:
    """Merchant staff: a package with the carrier's tracking number (moves to shipped)."""
    user_id, role = _actor(request)
    order = services.order_ship(
        actor_id=user_id,
        actor_role=role,
        number=number,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        now=timezone.now(),
    )
    return Status(201, OrderOut.of(order))


@router.post("/orders/{number}/deliver", response={200: OrderOut, **ERRORS})
def order_deliver(request: HttpRequest, number: str = OrderNumber) -> OrderOut:
    """Merchant staff: the order reached the buyer (cash on delivery: collected now)."""
    user_id, role = _actor(request)
    order = services.order_deliver(
        actor_id=user_id, actor_role=role, number=number, now=timezone.now()
    )
    return OrderOut.of(order)


@router.post("/orders/{number}/refunds", response={201: OrderOut, **ERRORS})
def order_refund(request: HttpRequest, payload: OrderRefundIn, number: str = OrderNumber) -> Status:
    """Merchant staff or operator: give back part or all of a paid or delivered order."""
    user_id, role = _actor(request)
    order = services.order_refund(
        actor_id=user_id,
        actor_role=role,
        number=number,
        amount_minor=payload.amount_minor,
        reason=payload.reason,
        now=timezone.now(),
    )
    return Status(201, OrderOut.of(order))


# address book -------------------------------------------------------------------------


def _address_out(address: Any) -> SavedAddressOut:
    return SavedAddressOut.from_orm(address)


@router.get("/addresses", response={200: list[SavedAddressOut], 401: ErrorOut, 403: ErrorOut})
def address_list(request: HttpRequest) -> list[SavedAddressOut]:
    """The signed-in buyer's address book, the default first."""
    user_id, role = _actor(request)
    return [_address_out(a) for a in selectors.address_list(buyer_id=user_id, actor_role=role)]


@router.post("/addresses", response={201: SavedAddressOut, **ERRORS})
def address_create(request: HttpRequest, payload: SavedAddressIn) -> Status:
    """Save an address (the first one, or ``is_default``, becomes the default; an address
    already saved is not saved twice)."""
    user_id, role = _actor(request)
    data = payload.model_dump()
    make_default = bool(data.pop("is_default"))
    address = services.address_create(
        buyer_id=user_id,
        actor_role=role,
        address=data,
        make_default=make_default,
        now=timezone.now(),
    )
    return Status(201, _address_out(address))


@router.get("/addresses/{address_id}", response={200: SavedAddressOut, **ERRORS})
def address_get(request: HttpRequest, address_id: int = AddressId) -> SavedAddressOut:
    user_id, role = _actor(request)
    return _address_out(
        selectors.address_get(buyer_id=user_id, actor_role=role, address_id=address_id)
    )


@router.put("/addresses/{address_id}", response={200: SavedAddressOut, **ERRORS})
def address_update(
    request: HttpRequest, payload: SavedAddressIn, address_id: int = AddressId
) -> SavedAddressOut:
    """Replace a saved address (``is_default`` true also makes it the default)."""
    user_id, role = _actor(request)
    data = payload.model_dump()
    make_default = bool(data.pop("is_default"))
    address = services.address_update(
        buyer_id=user_id,
        actor_role=role,
        address_id=address_id,
        address=data,
        make_default=make_default,
        now=timezone.now(),
    )
    return _address_out(address)


@router.delete("/addresses/{address_id}", response={204: None, **ERRORS})
def address_delete(request: HttpRequest, address_id: int = AddressId) -> Status:
    """Delete a saved address (when it was the default, the oldest left becomes it)."""
    user_id, role = _actor(request)
    services.address_delete(
        buyer_id=user_id, actor_role=role, address_id=address_id, now=timezone.now()
    )
    return Status(204, None)


@router.post("/addresses/{address_id}/default", response={200: SavedAddressOut, **ERRORS})
def address_set_default(request: HttpRequest, address_id: int = AddressId) -> SavedAddressOut:
    user_id, role = _actor(request)
    address = services.address_set_default(
        buyer_id=user_id, actor_role=role, address_id=address_id, now=timezone.now()
    )
    return _address_out(address)
