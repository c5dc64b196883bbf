"""Writes of the orders app: carts, THE checkout (docs/architecture.md hot path 1), order
transitions (cancel, ship, deliver, refund) and the cross-border regime data.

Authorization: callers pass the acting user's id and ``actor_role`` (the accounts role:
"buyer", "merchant", "operator"; in-process callers ``accounts.roles.SYSTEM``; no
default). A buyer acts on their own carts and orders; merchant
staff on their merchants' orders; operators may refund and cancel any order. Orders a
user may not see are reported as not found (404), never as forbidden.

Order states::

    placed -> paid | shipped (cash on delivery only) | cancelled
    paid -> shipped | refunded (a paid order cancelled is refunded in full)
    shipped -> delivered
    delivered -> refunded (when refunds reach the total; partial refunds keep "delivered")

Anything else raises ``BadTransition`` (409, code "bad_transition"). An order paid later
("wallet_later", with a ``payment_due_at``) leaves ``placed`` when its buyer pays it
(``order_pay``) or, once overdue, cancelled by ``orders_expire_unpaid`` (it never ships
unpaid).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.catalog.reservations import (
    OfferedVariant,
    OutOfStock,
    checkout_variants_priced,
    stock_release,
    stock_reserve,
    variants_offered,
)
from fiera.catalog.selectors import system_reason
from fiera.common.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from fiera.common.money import Money, is_currency
from fiera.common.parsing import is_ascii_digits
from fiera.common.reference import is_country
from fiera.common.trade_terms import (
    ADVANCE,
    ASSURANCE,
    CONTRACT,
    incoterm_check,
    lead_time_check,
    payment_terms_check,
)
from fiera.festivals.offers import (
    FLASH,
    FlashInfo,
    FlashTake,
    flash_give_back,
    flash_take,
)
from fiera.marketplaces.selectors import (
    MarketplaceInfo,
    marketplace_get,
    marketplace_get_by_id,
    marketplace_shopping_context,
)
from fiera.merchants.selectors import merchant_ids_for_user
from fiera.orders import sql
from fiera.orders.events import (
    OrderCancelled,
    OrderDelivered,
    OrderPaid,
    OrderRefunded,
    OrderShipped,
    events_publish,
    order_facts,
    paid_at_checkout,
)
from fiera.orders.models import (
    MAX_LINE_QUANTITY,
    Cart,
    CartLine,
    CrossBorderAllowance,
    CrossBorderRegime,
    DutyRate,
    Order,
    OrderStatus,
    Refund,
    SavedAddress,
    Shipment,
)
from fiera.orders.payment import (
    AssuranceRefundPartial,
    CheckoutCharge,
    TradeAssurance,
    WalletPayLater,
    collected_fx,
    escrow_reference,
    is_escrowed,
    payment_method_get,
    refund_collected,
)
from fiera.orders.pricing import (
    B2B_KIND,
    CROSS_BORDER_KIND,
    BelowMinimumOrder,
    CheckoutQuote,
    EmptyCheckout,
    InvalidAddress,
    InvalidQuantity,
    QuoteGroup,
    QuoteLine,
    SampleLimit,
    SampleNotOffered,
    ShippingAddress,
    VariantUnavailable,
    address_check,
    allowance_used_minor,
    annual_limit_error,
    cross_border_regime_for,
    currency_for,
    expected_prices_check,
    festival_offers_apply,
    lines_normalize,
    quote_compute,
    request_fingerprint,
    samples_normalize,
)
from fiera.orders.selectors import (
    AddressNotFound,
    CartView,
    EscrowedOrder,
    OrderNotFound,
    address_book_check,
    cart_view,
    escrowed_order,
    order_detail,
)
from fiera.payments import services as payments

__all__ = [
    "AddressBookFull",
    "AddressNotFound",
    "AgreedLine",
    "BadTransition",
    "BuyersOnly",
    "CheckoutResult",
    "IdempotencyKeyReused",
    "OrderNotFound",
    "OutOfStock",
    "ShippingAddress",
    "address_create",
    "address_delete",
    "address_set_default",
    "address_update",
    "cart_line_remove",
    "cart_line_set",
    "cart_merge_guest",
    "cart_update",
    "checkout_submit",
    "cross_border_rates_load",
    "cross_border_regime_set",
    "guest_cart_line_set",
    "order_cancel",
    "order_deliver",
    "order_pay",
    "order_place_agreed",
    "order_refund",
    "order_ship",
    "orders_expire_unpaid",
]

DEFAULT_RATES_PATH = Path(__file__).resolve().parent / "data" / "china_cbec.json"
MAX_IDEMPOTENCY_KEY_LENGTH = 255


class BuyersOnly(PermissionDenied):
    code = "buyers_only"
    message_template = gettext_lazy("Only buyer accounts can shop.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message_template = gettext_lazy("This checkout was already submitted with a different cart.")


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"
    message_template = gettext_lazy("The checkout key is not valid.")


class BadTransition(Conflict):
    code = "bad_transition"
    message_template = gettext_lazy("The order cannot go to this state from its current one.")


ALREADY_SHIPPED_MESSAGE = gettext_lazy(
    "This order has already shipped, so it can no longer be cancelled. When it arrives, "
    "you can ask the shop for a refund."
)


NOT_PAID_YET_MESSAGE = gettext_lazy(
    "This order is not paid yet, so it cannot ship. Ship it once the buyer has paid; if they "
    "do not pay in time, it is cancelled and its items go back on sale."
)


class ActionNotAllowed(PermissionDenied):
    code = "action_not_allowed"
    message_template = gettext_lazy("You are not allowed to do this with this order.")


class RefundExceedsTotal(InvalidInput):
    code = "refund_exceeds_total"
    message_template = gettext_lazy("The refund is more than what is left of the order total.")


class TrackingNumberTaken(Conflict):
    code = "tracking_number_taken"
    message_template = gettext_lazy("Another shipment already uses this tracking number.")


class InvalidShipment(InvalidInput):
    code = "invalid_shipment"
    message_template = gettext_lazy("The shipment details are not valid.")


class InvalidRegime(InvalidInput):
    code = "invalid_regime"
    message_template = gettext_lazy("The cross-border rules are not valid.")


class MarketplaceClosed(Conflict):
    code = "marketplace_closed"
    message_template = gettext_lazy("This marketplace is not taking orders at the moment.")


# results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacedLine:
    variant_id: int
    sku: str
    label: str
    name_it: str
    name_en: str
    name_zh: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    tax_minor: int
    price_kind: str = "list"  # --- cart samples --- ("sample", "festival", "flash", ...)


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    order_id: int
    number: str
    merchant_id: int
    status: str
    currency: str
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    lines: tuple[PlacedLine, ...]


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    """THE shape of a placed checkout: what the checkout returns, what the idempotency
    record stores for a retry (``as_json`` / ``from_json``), and the payload of the
    ``orders.checkout.placed`` event (``as_json``); the API's ``CheckoutOut`` renders it.
    Amounts in minor units of ``currency``; ``placed_at`` in ISO 8601.

    ``replayed`` is True when this is the stored answer to a retried Idempotency-Key
    (statuses are those at placement: read the order for its current state).
    """

    checkout_id: int
    buyer_id: int
    marketplace_id: int
    country: str
    currency: str
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    payment_method: str
    placed_at: str
    orders: tuple[PlacedOrder, ...]
    payment_due_at: str | None = None  # paid later ("wallet_later"): pay by then (ISO 8601)
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        """Every field but ``replayed``, as plain JSON values (nested dataclasses as
        objects, tuples as lists); ``from_json`` reads it back."""
        data = _plain(self)
        del data["replayed"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, replayed: bool) -> CheckoutResult:
        orders = tuple(
            PlacedOrder(**{**o, "lines": tuple(PlacedLine(**line) for line in o["lines"])})
            for o in data["orders"]
        )
        return cls(**{**data, "orders": orders, "replayed": replayed})


def _plain(result: Any) -> dict[str, Any]:
    """A result dataclass as a JSON object by its fields; a tuple field holds nested result
    dataclasses (orders, lines) and becomes a list of objects. (``dataclasses.asdict``
    deep-copies every leaf: about 3x slower on the hot path.)"""
    data: dict[str, Any] = {}
    for name in result.__dataclass_fields__:
        value = getattr(result, name)
        data[name] = [_plain(item) for item in value] if type(value) is tuple else value
    return data


# carts --------------------------------------------------------------------------------


def _require_buyer(actor_role: str) -> None:
    if actor_role not in (BUYER, SYSTEM):
        raise BuyersOnly("only buyers have carts and place orders")


def cart_line_set(
    *,
    buyer_id: int,
    marketplace_slug: str,
    variant_id: int,
    quantity: int,
    now: datetime,
    add: bool = False,
    country: str | None = None,
    actor_role: str,
    sample: bool = False,
) -> CartView:
    """Put ``quantity`` units of a variant in the buyer's cart on the marketplace (or add
    them to what is there when ``add``). The result must be 1..999 and at least the
    variant's minimum order quantity (``catalog.rules.order_minimum``), and the variant
    for sale in the currency of ``country`` (the one the cart is priced in, so the cart
    takes what the storefront shows and the checkout sells). Creates the cart on first
    use; returns the cart priced for ``country`` (see ``selectors.cart_view``).

    ``sample``: the variant's sample line instead (B2B listings, ``catalog.rules``): 1 to
    its ``sample_units`` units whatever the MOQ (``SampleLimit``), refused when it offers
    no samples in that currency (``SampleNotOffered``); it sits beside the normal line."""
    _require_buyer(actor_role)
    marketplace, variant = _variant_for_cart(
        marketplace_slug=marketplace_slug, variant_id=variant_id, quantity=quantity, country=country
    )
    with transaction.atomic():
        cart, _ = Cart.objects.get_or_create(
            buyer_id=buyer_id,
            marketplace_id=marketplace.id,
            defaults={"created_at": now, "updated_at": now},
        )
        line = (
            CartLine.objects.select_for_update()
            .filter(cart=cart, variant_id=variant_id, is_sample=sample)
            .first()
        )
        wanted = quantity + (line.quantity if (add and line is not None) else 0)
        if sample:
            _check_sample_quantity(
                marketplace_slug=marketplace_slug,
                variant_id=variant_id,
                wanted=wanted,
                country=country,
            )
        else:
            _check_cart_quantity(variant, wanted)
        if line is None:
            CartLine.objects.create(
                cart=cart,
                buyer_id=cart.buyer_id,
                variant_id=variant_id,
                quantity=wanted,
                added_at=now,
                is_sample=sample,
            )
        else:
            line.quantity = wanted
            line.save(update_fields=["quantity"])
        Cart.objects.filter(pk=cart.pk).update(updated_at=now)
    return cart_view(buyer_id=buyer_id, marketplace_slug=marketplace_slug, country=country, now=now)


def _variant_for_cart(
    *, marketplace_slug: str, variant_id: int, quantity: int, country: str | None
) -> tuple[MarketplaceInfo, OfferedVariant]:
    """The marketplace and the variant a cart may take, for sale in ``country``'s currency."""
    if type(quantity) is not int or quantity < 1:
        raise InvalidQuantity("the quantity must be a whole number of at least 1")
    shopping = marketplace_shopping_context(slug=marketplace_slug, country=country)
    marketplace = shopping.marketplace
    offered = variants_offered(
        marketplace_id=marketplace.id, variant_ids=[variant_id], currency=shopping.currency
    )
    if variant_id not in offered:
        raise VariantUnavailable(
            f"variant {variant_id} is not for sale on {marketplace.name} in {shopping.currency}",
            variant_ids=[variant_id],
        )
    return marketplace, offered[variant_id]


def _check_cart_quantity(variant: OfferedVariant, wanted: int) -> None:
    if wanted > MAX_LINE_QUANTITY:
        raise InvalidQuantity(f"at most {MAX_LINE_QUANTITY} units of one variant")
    if wanted < variant.order_minimum:
        raise BelowMinimumOrder(
            f"{variant.sku} is sold from {variant.order_minimum} units",
            sku=variant.sku,
            min_order_quantity=variant.order_minimum,
        )


def _check_sample_quantity(
    *, marketplace_slug: str, variant_id: int, wanted: int, country: str | None
) -> None:
    """Refuse a sample line the checkout would refuse (``catalog.rules``: samples offered
    in the cart's currency, 1 to ``sample_units`` units)."""
    shopping = marketplace_shopping_context(slug=marketplace_slug, country=country)
    priced = checkout_variants_priced(
        marketplace_id=shopping.marketplace.id, currency=shopping.currency, variant_ids=[variant_id]
    ).get(variant_id)
    if priced is None or not priced.offers_samples:
        sku = priced.sku if priced is not None else str(variant_id)
        raise SampleNotOffered(f"{sku} offers no samples in {shopping.currency}", sku=sku)
    if not priced.sample_allowed(wanted):
        raise SampleLimit(
            f"a sample line of {priced.sku} holds 1 to {priced.sample_units} units "
            f"(asked {wanted})",
            sku=priced.sku,
            sample_units=priced.sample_units,
        )


def guest_cart_line_set(
    *,
    lines: Mapping[int, int],
    marketplace_slug: str,
    variant_id: int,
    quantity: int,
    add: bool = False,
    country: str | None = None,
) -> dict[int, int]:
    """A signed-out visitor's cart, kept in their session (``lines``: variant id ->
    quantity) until they sign in, when ``cart_merge_guest`` moves it into their cart.
    The same rules as ``cart_line_set`` (for sale in ``country``'s currency, 1..999, at
    least the MOQ); returns the new lines and writes nothing (the caller keeps them)."""
    _marketplace, variant = _variant_for_cart(
        marketplace_slug=marketplace_slug, variant_id=variant_id, quantity=quantity, country=country
    )
    wanted = quantity + (lines.get(variant_id, 0) if add else 0)
    _check_cart_quantity(variant, wanted)
    return {**lines, variant_id: wanted}


def cart_merge_guest(
    *,
    buyer_id: int,
    carts: Mapping[str, Mapping[int, int]],
    now: datetime,
    actor_role: str,
) -> int:
    """Move a visitor's session carts (marketplace slug -> variant id -> quantity) into the
    buyer's carts once they sign in, in ONE transaction: quantities of a variant already in
    the cart add up (capped at 999); variants no longer sold on the marketplace, and
    marketplaces that no longer exist, are left out. MOQ and stock are the checkout's to
    judge (the cart page marks lines it cannot sell). Returns the units moved."""
    _require_buyer(actor_role)
    moved = 0
    with transaction.atomic():
        for slug, lines in carts.items():
            try:
                marketplace = marketplace_get(slug=slug)
            except NotFound:
                continue
            offered = variants_offered(marketplace_id=marketplace.id, variant_ids=list(lines))
            wanted = {
                variant_id: quantity
                for variant_id, quantity in lines.items()
                if variant_id in offered and type(quantity) is int and quantity >= 1
            }
            if not wanted:
                continue
            cart, _ = Cart.objects.get_or_create(
                buyer_id=buyer_id,
                marketplace_id=marketplace.id,
                defaults={"created_at": now, "updated_at": now},
            )
            existing = {
                line.variant_id: line
                for line in CartLine.objects.select_for_update().filter(
                    cart=cart, variant_id__in=list(wanted), is_sample=False
                )
            }
            for variant_id, quantity in wanted.items():
                line = existing.get(variant_id)
                if line is None:
                    CartLine.objects.create(
                        cart=cart,
                        buyer_id=buyer_id,
                        variant_id=variant_id,
                        quantity=min(quantity, MAX_LINE_QUANTITY),
                        added_at=now,
                    )
                else:
                    line.quantity = min(line.quantity + quantity, MAX_LINE_QUANTITY)
                    line.save(update_fields=["quantity"])
                moved += quantity
            Cart.objects.filter(pk=cart.pk).update(updated_at=now)
    return moved


def cart_line_remove(
    *,
    buyer_id: int,
    marketplace_slug: str,
    variant_id: int,
    now: datetime,
    country: str | None = None,
    actor_role: str,
    sample: bool = False,
) -> CartView:
    """Take a variant out of the buyer's cart (its sample line with ``sample``; what is
    not there is a no-op); returns the cart priced for ``country``."""
    _require_buyer(actor_role)
    marketplace = marketplace_get(slug=marketplace_slug)
    with transaction.atomic():
        CartLine.objects.filter(
            cart__buyer_id=buyer_id,
            cart__marketplace_id=marketplace.id,
            variant_id=variant_id,
            is_sample=sample,
        ).delete()
        Cart.objects.filter(buyer_id=buyer_id, marketplace_id=marketplace.id).update(updated_at=now)
    return cart_view(buyer_id=buyer_id, marketplace_slug=marketplace_slug, country=country, now=now)


def cart_update(
    *,
    buyer_id: int,
    marketplace_slug: str,
    quantities: dict[int, int],
    now: datetime,
    actor_role: str,
) -> None:
    """Set many lines of the buyer's cart at once (the cart page's form): a quantity of 0
    removes the line. All or nothing: one bad quantity changes nothing."""
    _require_buyer(actor_role)
    marketplace = marketplace_get(slug=marketplace_slug)
    offered = variants_offered(
        marketplace_id=marketplace.id, variant_ids=[v for v, q in quantities.items() if q > 0]
    )
    for variant_id, quantity in quantities.items():
        if quantity == 0:
            continue
        variant = offered.get(variant_id)
        if variant is None:
            raise VariantUnavailable(f"variant {variant_id} is not for sale on {marketplace.name}")
        if not 1 <= quantity <= MAX_LINE_QUANTITY:
            raise InvalidQuantity(f"{variant.sku}: the quantity must be 1..{MAX_LINE_QUANTITY}")
        if quantity < variant.order_minimum:
            raise BelowMinimumOrder(
                f"{variant.sku} is sold from {variant.order_minimum} units",
                sku=variant.sku,
                min_order_quantity=variant.order_minimum,
            )
    with transaction.atomic():
        lines = CartLine.objects.filter(
            cart__buyer_id=buyer_id, cart__marketplace_id=marketplace.id, is_sample=False
        )
        lines.filter(variant_id__in=[v for v, q in quantities.items() if q == 0]).delete()
        for variant_id, quantity in quantities.items():
            if quantity > 0:
                lines.filter(variant_id=variant_id).update(quantity=quantity)
        Cart.objects.filter(buyer_id=buyer_id, marketplace_id=marketplace.id).update(updated_at=now)


# checkout -----------------------------------------------------------------------------


def _address(value: ShippingAddress | dict[str, Any]) -> ShippingAddress:
    if isinstance(value, ShippingAddress):
        return value
    known = {"name", "line1", "line2", "city", "postal_code", "country", "phone"}
    return ShippingAddress(**{k: str(v or "") for k, v in value.items() if k in known})


def _check_key(idempotency_key: str | None) -> str | None:
    if idempotency_key is None:
        return None
    key = idempotency_key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or "\x00" in key:
        raise InvalidIdempotencyKey(
            f"an Idempotency-Key has 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters"
        )
    return key


def _replay(*, buyer_id: int, key: str, fingerprint: str) -> CheckoutResult | None:
    """The stored result for this buyer's key (one raw query); a different body is refused."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT request_sha256, result FROM {sql.IDEMPOTENCY_TABLE} "
            "WHERE buyer_id = %s AND key = %s",
            [buyer_id, key],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    if found[0] != fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used for a different checkout request; use a new key"
        )
    stored = found[1]
    return CheckoutResult.from_json(
        json.loads(stored) if isinstance(stored, (str, bytes)) else stored, replayed=True
    )


def _allowance_take(
    *, buyer_id: int, year: int, currency: str, amount_minor: int, limit_minor: int, now: datetime
) -> bool:
    """Count ``amount_minor`` against the buyer's yearly allowance in ONE conditional
    upsert (``used + amount <= limit``); False when it would exceed the limit."""
    if amount_minor > limit_minor:
        return False
    table = CrossBorderAllowance._meta.db_table
    sql_text = (
        f"INSERT INTO {table} (buyer_id, year, currency, used_minor, updated_at) "
        "VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (buyer_id, year, currency) DO UPDATE "
        f"SET used_minor = {table}.used_minor + excluded.used_minor, "
        "updated_at = excluded.updated_at "
        f"WHERE {table}.used_minor + excluded.used_minor <= %s "
        "RETURNING used_minor"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql_text, [buyer_id, year, currency, amount_minor, now, limit_minor])
        return cursor.fetchone() is not None


def _allowance_give_back(
    *, buyer_id: int, year: int, currency: str, amount_minor: int, now: datetime
) -> None:
    CrossBorderAllowance.objects.filter(
        buyer_id=buyer_id, year=year, currency=currency, used_minor__gte=amount_minor
    ).update(used_minor=F("used_minor") - amount_minor, updated_at=now)


def checkout_submit(
    *,
    buyer_id: int,
    marketplace_slug: str,
    country: str,
    lines: Sequence[tuple[int, int]] | None,
    shipping_address: ShippingAddress | dict[str, Any],
    payment_method: str,
    idempotency_key: str | None = None,
    now: datetime,
    actor_role: str,
    expected_prices: Mapping[int, int] | None = None,
    flash_sale_ids: Mapping[int, int] | None = None,
    samples: Sequence[tuple[int, int]] | None = None,
) -> CheckoutResult:
    """THE checkout (the API's, the checkout page's and the bench's): one order per
    merchant for ``lines`` ((variant_id, quantity), merged by variant, 1..999 each) shipped
    to ``country``, in ONE transaction. ``lines`` None means "the buyer's cart on that
    marketplace", whose lines are removed in the same transaction.

    Prices are those of the marketplace in the destination's currency (B2B tier: the row
    with the greatest min_quantity <= quantity); quantities respect each variant's MOQ.
    Stock is taken atomically (``OutOfStock``, 409, when any line cannot be served; no
    oversell under concurrency). On a cross-border marketplace with a regime for the
    destination, the per-order and yearly limits are enforced and the CBEC tax is added
    to each line (see ``fiera.orders.pricing``).

    Festivals (``fiera.festivals.offers``): a live flash sale with units left, else a
    festival price, replaces the list price of a variant; flash lines take their units
    from the flash sale's buckets (per-buyer limit, ``FlashSaleSoldOut``...) instead of the
    stock. ``flash_sale_ids`` (variant -> flash sale) names the flash sale a line means to
    buy in (refused with the reason when it is not live); ``expected_prices`` (variant ->
    unit price the buyer saw) refuses a changed price (``PriceChanged``, 409).

    Samples (B2B listings, ``catalog.rules``): ``samples`` ((variant_id, quantity), with
    explicit ``lines``; from the cart, its sample lines) are priced at the sample price,
    kind "sample", 1 to the variant's ``sample_units`` whatever its MOQ
    (``SampleLimit``, ``SampleNotOffered``: 422). On a B2B marketplace each order records
    its lines' listing terms (``pricing.listing_terms_agreed``), read by the same query
    that prices the variants.

    Idempotency: the same ``idempotency_key`` with the same request returns the stored
    result (``replayed=True``) and places nothing; with a different request it raises
    ``IdempotencyKeyReused`` (409). Concurrent duplicates place one checkout (the unique
    (buyer, key) index decides; the loser answers with the winner's result).

    Queries: marketplace, [idempotency lookup], [cart lines], priced variants, [CBEC
    regime], then the writes of ``_checkout_write`` in ONE transaction. None of these
    depend on the number of lines or merchants (``tests/orders/test_queries.py``).
    """
    _require_buyer(actor_role)
    marketplace = marketplace_get(slug=marketplace_slug)
    if not marketplace.is_active:
        raise MarketplaceClosed(f"{marketplace.name} is closed")
    key = _check_key(idempotency_key)
    country = (country or "").strip().upper()
    method = payment_method_get(payment_method)
    _check_method_offered(method, marketplace.kind)
    address = address_check(_address(shipping_address), destination=country)
    currency = currency_for(marketplace, country)
    from_cart = lines is None
    sample_lines = samples_normalize(samples or ())
    normalised = (
        None if from_cart else ([] if sample_lines and not lines else lines_normalize(lines or []))
    )
    fingerprint = ""
    if key is not None:
        fingerprint = request_fingerprint(
            {
                "marketplace": marketplace.id,
                "country": country,
                "lines": "cart" if from_cart else normalised,
                "address": asdict(address),
                "payment_method": method.code,
                **({"expected": sorted(expected_prices.items())} if expected_prices else {}),
                **({"flash": sorted(flash_sale_ids.items())} if flash_sale_ids else {}),
                **({"samples": sample_lines} if sample_lines else {}),
            }
        )
        replay = _replay(buyer_id=buyer_id, key=key, fingerprint=fingerprint)
        if replay is not None:
            return replay
    cart_line_ids: list[int] = []
    if from_cart:
        rows = list(
            CartLine.objects.filter(
                cart__buyer_id=buyer_id, cart__marketplace_id=marketplace.id
            ).values_list("pk", "variant_id", "quantity", "is_sample")
        )
        if not rows:
            raise EmptyCheckout("your cart is empty")
        cart_line_ids = [row[0] for row in rows]
        normal_rows = [(row[1], row[2]) for row in rows if not row[3]]
        normalised = lines_normalize(normal_rows) if normal_rows else []
        sample_lines = samples_normalize([(row[1], row[2]) for row in rows if row[3]])
    assert normalised is not None
    priced = checkout_variants_priced(
        marketplace_id=marketplace.id,
        currency=currency,
        variant_ids=[v for v, _ in normalised] + [v for v, _ in sample_lines],
    )
    offers = festival_offers_apply(
        marketplace_id=marketplace.id,
        currency=currency,
        priced=priced,
        named=flash_sale_ids or {},
        now=now,
    )
    regime = (
        cross_border_regime_for(marketplace_id=marketplace.id, country=country)
        if marketplace.kind == CROSS_BORDER_KIND
        else None
    )
    quote = quote_compute(
        marketplace_id=marketplace.id,
        country=country,
        currency=currency,
        lines=normalised,
        priced=priced,
        regime=regime,
        today=now.date(),
        kinds={v: (o.kind, o.flash_sale_id) for v, o in offers.items()},
        samples=sample_lines,
        listing_terms=marketplace.kind == B2B_KIND,
    )
    expected_prices_check(quote, expected_prices)
    try:
        with transaction.atomic():
            return _checkout_write(
                buyer_id=buyer_id,
                quote=quote,
                address=address,
                method_code=method.code,
                key=key,
                fingerprint=fingerprint,
                cart_line_ids=cart_line_ids,
                now=now,
                flash={v: o.flash for v, o in offers.items() if o.flash is not None},
            )
    except (IntegrityError, DomainError):
        # A concurrent request with the same key may have won: answer with its result.
        if key is not None:
            winner = _replay(buyer_id=buyer_id, key=key, fingerprint=fingerprint)
            if winner is not None:
                return winner
        raise


def _settled_terms(method_code: str) -> str | None:
    """What the payment method makes of the listings' payment terms (``sql._payment_terms``):
    trade assurance holds in escrow, paying later keeps the listings' terms (None), cash on
    delivery is neither, any other method paid the supplier in advance."""
    if method_code == TradeAssurance.code:
        return ASSURANCE
    if method_code == WalletPayLater.code:
        return None
    return "" if payment_method_get(method_code).collects_on_delivery else ADVANCE


def _checkout_write(
    *,
    buyer_id: int,
    quote: CheckoutQuote,
    address: ShippingAddress,
    method_code: str,
    key: str | None,
    fingerprint: str,
    cart_line_ids: list[int],
    now: datetime,
    flash: Mapping[int, FlashInfo] | None = None,
    payment_due_at: datetime | None = None,
) -> CheckoutResult:
    """Write a priced checkout; call inside ``transaction.atomic()``, which any error
    here rolls back whole. ``payment_due_at`` replaces the pay-later method's own deadline
    (an agreed-terms order's, ``order_place_agreed``).

    Statements, in this order and whatever the number of lines or merchants: [allowance
    upsert], checkout INSERT, orders INSERT, [idempotency record INSERT], outbox INSERT
    (the checkout's event and, when paid at once, each order's ``orders.order.paid``),
    [cart lines DELETE], [flash sales: the buyers' counters upsert and the buckets UPDATE,
    two statements for any number of flash lines (``fiera.festivals.offers.flash_take``)],
    [stock UPDATE, when any line is not a flash line] (as late as possible: its row locks
    are what concurrent buyers of a hot SKU queue on), lines INSERT, then [the payment
    method's ``Settled.collect``: for the wallet four statements, the transfers INSERT, the
    buyer's own wallet row debited by one conditional UPDATE, the balance deltas of the
    payables, FX and fee accounts INSERT (no shared ledger row locked) and the payments
    INSERT; docs/decisions/0012-lean-wallet-checkout.md]. The method decides ``paid`` and
    the FX figures before the orders are written, without a statement; the money is taken
    after the stock, so a buyer refused for stock never reaches the ledger. Rows are built
    by column name (``fiera.orders.sql``).
    """
    terms = quote.cross_border
    if terms is not None and not _allowance_take(
        buyer_id=buyer_id,
        year=terms.year,
        currency=quote.currency,
        amount_minor=quote.subtotal_minor,
        limit_minor=terms.annual_limit_minor,
        now=now,
    ):
        used = allowance_used_minor(buyer_id=buyer_id, year=terms.year, currency=quote.currency)
        raise annual_limit_error(
            terms=terms, used_minor=used, wanted_minor=quote.subtotal_minor, currency=quote.currency
        )
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        checkout = sql.checkout_row(
            buyer_id=buyer_id, quote=quote, payment_method=method_code, placed_at=at
        )
        [(new_id,)] = sql.insert(cursor, sql.CHECKOUT_TABLE, [checkout], "id")
        checkout_id = int(new_id)
        numbers = [f"F{checkout_id:06d}-{index}" for index in range(1, len(quote.groups) + 1)]
        settled = payment_method_get(method_code).settle_checkout(
            charge=CheckoutCharge(
                checkout_id=checkout_id,
                buyer_id=buyer_id,
                marketplace_id=quote.marketplace_id,
                currency=quote.currency,
                total_minor=quote.total_minor,
                order_numbers=tuple(numbers),
                order_totals_minor=tuple(group.total_minor for group in quote.groups),
                merchant_ids=tuple(group.merchant_id for group in quote.groups),
                has_flash_lines=bool(flash),
            ),
            now=now,
        )
        paid = settled.paid
        if payment_due_at is not None and not paid:
            settled = replace(settled, payment_due_at=payment_due_at)
        status = str(OrderStatus.PAID if paid else OrderStatus.PLACED)
        orders = sql.order_rows(
            checkout_id=checkout_id,
            numbers=numbers,
            buyer_id=buyer_id,
            quote=quote,
            address=address,
            payment_method=method_code,
            status=status,
            placed_at=at,
            paid_at=at if paid else None,
            payment_due_at=(
                connection.ops.adapt_datetimefield_value(settled.payment_due_at)
                if settled.payment_due_at is not None
                else None
            ),
            payment_terms=_settled_terms(method_code),
        )
        returned = sql.insert(cursor, sql.ORDER_TABLE, orders, "id, number")
        id_of = {str(number): int(order_id) for order_id, number in returned}
        order_ids = [id_of[number] for number in numbers]
        result = _placed(
            checkout_id=checkout_id,
            buyer_id=buyer_id,
            quote=quote,
            payment_method=method_code,
            placed_at=now,
            order_ids=order_ids,
            numbers=numbers,
            status=status,
            payment_due_at=settled.payment_due_at,
        )
        result_json = result.as_json()
        if key is not None:
            record = sql.IdempotencyRow(
                buyer_id=buyer_id,
                key=key,
                request_sha256=fingerprint,
                checkout_id=checkout_id,
                result=connection.ops.adapt_json_value(result_json, None),
                created_at=at,
            )
            sql.insert(cursor, sql.IDEMPOTENCY_TABLE, [record])
        paid_events = (
            paid_at_checkout(
                checkout_id=checkout_id,
                buyer_id=buyer_id,
                marketplace_id=quote.marketplace_id,
                payment_method=method_code,
                orders=result.orders,
                fx=settled.fx,
                now=now,
            )
            if paid
            else []
        )
        events_publish([("orders.checkout.placed", result_json), *paid_events], now=now)
        if cart_line_ids:
            CartLine.objects.filter(pk__in=cart_line_ids).delete()
        all_lines = [line for group in quote.groups for line in group.lines]
        flash = flash or {}
        flash_take(
            buyer_id=buyer_id,
            takes=[
                FlashTake(
                    flash_sale_id=info.flash_sale_id,
                    merchant_id=info.merchant_id,
                    units=line.quantity,
                    per_buyer_limit=info.per_buyer_limit,
                    bucket_count=info.bucket_count,
                )
                for line in all_lines
                if line.price_kind == FLASH and (info := flash.get(line.variant_id)) is not None
            ],
            now=now,
        )
        # a sample line and a normal line of one variant take their units together
        stocked: dict[int, int] = {}
        for line in all_lines:
            if line.price_kind != FLASH:
                stocked[line.variant_id] = stocked.get(line.variant_id, 0) + line.quantity
        warehouses = stock_reserve(
            items=list(stocked.items()),
            now=now,
            skus={line.variant_id: line.sku for line in all_lines},
        )
        lines = sql.order_line_rows(
            order_ids=order_ids,
            quote=quote,
            warehouses=warehouses,
            flash_warehouses={v: info.warehouse_id for v, info in flash.items()},
        )
        sql.insert(cursor, sql.ORDER_LINE_TABLE, lines)
    if settled.collect is not None:
        settled.collect()  # the money, last: stock first, ledger after (decision 0012)
    return result


def _placed(
    *,
    checkout_id: int,
    buyer_id: int,
    quote: CheckoutQuote,
    payment_method: str,
    placed_at: datetime,
    order_ids: Sequence[int],
    numbers: Sequence[str],
    status: str,
    payment_due_at: datetime | None = None,
) -> CheckoutResult:
    """The result of a checkout just written: ``quote``'s groups as orders ``order_ids`` /
    ``numbers`` (same order), all in ``status``."""
    return CheckoutResult(
        checkout_id=checkout_id,
        buyer_id=buyer_id,
        marketplace_id=quote.marketplace_id,
        country=quote.country,
        currency=quote.currency,
        subtotal_minor=quote.subtotal_minor,
        tax_minor=quote.tax_minor,
        total_minor=quote.total_minor,
        payment_method=payment_method,
        placed_at=placed_at.isoformat(),
        payment_due_at=payment_due_at.isoformat() if payment_due_at is not None else None,
        orders=tuple(
            PlacedOrder(
                order_id=order_id,
                number=number,
                merchant_id=group.merchant_id,
                status=status,
                currency=quote.currency,
                subtotal_minor=group.subtotal_minor,
                tax_minor=group.tax_minor,
                total_minor=group.total_minor,
                lines=tuple(
                    PlacedLine(
                        variant_id=line.variant_id,
                        sku=line.sku,
                        label=line.label,
                        name_it=line.name_it,
                        name_en=line.name_en,
                        name_zh=line.name_zh,
                        quantity=line.quantity,
                        unit_price_minor=line.unit_price_minor,
                        line_total_minor=line.line_total_minor,
                        tax_minor=line.tax_minor,
                        price_kind=line.price_kind,
                    )
                    for line in group.lines
                ),
            )
            for group, order_id, number in zip(quote.groups, order_ids, numbers, strict=True)
        ),
    )


# order transitions --------------------------------------------------------------------

_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.REFUNDED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.REFUNDED}),
}


def _bad(order: Order, to: str, why: str = "") -> BadTransition:
    text = f"order {order.number} is {order.status} and cannot become {to}"
    return BadTransition(text + (f": {why}" if why else ""), from_status=order.status, to_status=to)


def transition_check(order: Order, to: str) -> None:
    """Raise ``BadTransition`` unless ``order`` may move to ``to`` now."""
    if to not in _TRANSITIONS.get(order.status, frozenset()):
        raise _bad(order, to)
    if (
        order.status == OrderStatus.PLACED
        and to == OrderStatus.SHIPPED
        and not payment_method_get(order.payment_method).collects_on_delivery
    ):
        raise BadTransition(
            f"order {order.number} is placed and cannot become shipped: it is not paid yet",
            from_status=order.status,
            to_status=to,
            message=NOT_PAID_YET_MESSAGE,
        )


@dataclass(frozen=True, slots=True)
class _Actor:
    user_id: int
    role: str
    merchant_ids: frozenset[int]

    def is_buyer_of(self, order: Order) -> bool:
        return order.buyer_id == self.user_id

    def is_staff_of(self, order: Order) -> bool:
        return order.merchant_id in self.merchant_ids

    @property
    def is_operator(self) -> bool:
        return self.role == OPERATOR


def _actor(user_id: int, role: str) -> _Actor:
    merchant_ids = (
        frozenset(merchant_ids_for_user(user_id=user_id)) if role == MERCHANT else frozenset()
    )
    return _Actor(user_id=user_id, role=role, merchant_ids=merchant_ids)


def _order_for_update(*, actor: _Actor, number: str) -> Order:
    """The order locked for the rest of the transaction; 404 if the actor may not see it."""
    order = Order.objects.select_for_update().filter(number=number).first()
    if order is None or not (
        actor.is_operator or actor.is_buyer_of(order) or actor.is_staff_of(order)
    ):
        raise OrderNotFound(f"no order {number}")
    return order


def _release_goods(order: Order, *, actor_id: int | None, why: str, now: datetime) -> None:
    """Put the order's units back in stock (recorded in the stock audit trail as done by
    ``actor_id``, with the platform reason ``why`` of ``catalog.selectors.SYSTEM_REASONS``,
    shown in the reader's language) and its goods value back in the CBEC allowance.

    In the checkout's lock order (allowance, flash-sale buckets, stock; the wallet after),
    so that a cancel never waits on a row that a checkout of the same buyer holds while that
    checkout waits on one the cancel holds."""
    rows = list(order.lines.values_list("variant_id", "warehouse_id", "quantity", "flash_sale_id"))
    reason = system_reason(why, order.number)
    if order.cross_border_year is not None:
        _allowance_give_back(
            buyer_id=order.buyer_id,
            year=order.cross_border_year,
            currency=order.currency,
            amount_minor=order.subtotal_minor,
            now=now,
        )
    flash_give_back(
        items=[(sale, order.buyer_id, units) for _, _, units, sale in rows if sale is not None],
        actor_user_id=actor_id,
        reason=reason,
        now=now,
    )
    stock_release(
        items=[(v, w, units) for v, w, units, sale in rows if sale is None],
        actor_user_id=actor_id,
        reason=reason,
        now=now,
    )


def _save(order: Order, fields: list[str]) -> None:
    order.save(update_fields=fields)


def order_cancel(
    *, actor_id: int, actor_role: str, number: str, now: datetime, reason: str = ""
) -> Order:
    """Cancel an order before it ships (its buyer, the merchant's staff or an operator).
    A placed order becomes cancelled; a paid order is refunded in full through its payment
    method (the wallet gets the money back at the original rate) and becomes refunded.
    Either way its stock and CBEC allowance are given back in the same transaction. A
    shipped or delivered order is refused (``BadTransition``, 409, with a message that says
    it has shipped)."""
    actor = _actor(actor_id, actor_role)
    with transaction.atomic():
        order = _order_for_update(actor=actor, number=number)
        staff = actor.is_staff_of(order) or actor.is_operator
        if order.status in {OrderStatus.SHIPPED, OrderStatus.DELIVERED}:
            raise BadTransition(
                f"order {order.number} is {order.status} and cannot become cancelled",
                from_status=order.status,
                to_status=str(OrderStatus.CANCELLED),
                message=ALREADY_SHIPPED_MESSAGE,
            )
        paid = order.status == OrderStatus.PAID
        if paid:
            if not (staff or actor.is_buyer_of(order)):
                raise ActionNotAllowed("you may not cancel this order")
            transition_check(order, OrderStatus.REFUNDED)
        else:
            transition_check(order, OrderStatus.CANCELLED)
            if not (staff or actor.is_buyer_of(order)):
                raise ActionNotAllowed("you may not cancel this order")
        # The goods before the money: the checkout takes the stock before the buyer's
        # wallet, and so does a cancel (no deadlock with the same buyer's checkout).
        _release_goods(order, actor_id=actor_id, why="order-cancelled", now=now)
        if paid:
            refund = _refund_record(
                order=order,
                amount_minor=order.total_minor - order.refunded_minor,
                reason=reason or "cancelled",
                actor_id=actor_id,
                now=now,
            )
            order.status = OrderStatus.REFUNDED
            order.refunded_minor = order.total_minor
            order.refunded_at = now
            order.cancelled_at = now
            _save(order, ["status", "refunded_minor", "refunded_at", "cancelled_at"])
            events_publish([_refunded(order, refund, now)], now=now)
        else:
            order.status = OrderStatus.CANCELLED
            order.cancelled_at = now
            _save(order, ["status", "cancelled_at"])
            cancelled = OrderCancelled(
                **order_facts(order),
                cancelled_at=now.isoformat(),
                reason=reason.replace("\x00", "")[:300],
            )
            events_publish([cancelled], now=now)
    return order_detail(order_id=order.pk)


def order_ship(
    *,
    actor_id: int,
    actor_role: str,
    number: str,
    carrier: str,
    tracking_number: str,
    now: datetime,
) -> Order:
    """Record a package sent by the merchant (staff only). The first one moves the order
    to shipped (a placed order only when paid on delivery); more packages may follow while
    it is shipped. A tracking number is unique per carrier."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if (
        not carrier
        or not tracking_number
        or len(carrier) > 60
        or len(tracking_number) > 60
        or "\x00" in carrier + tracking_number
    ):
        raise InvalidShipment(
            "a shipment needs a carrier and a tracking number (60 characters at most)"
        )
    actor = _actor(actor_id, actor_role)
    with transaction.atomic():
        order = _order_for_update(actor=actor, number=number)
        if not actor.is_staff_of(order):
            raise ActionNotAllowed("only the merchant's staff ship an order")
        first_package = order.status != OrderStatus.SHIPPED
        if first_package:
            transition_check(order, OrderStatus.SHIPPED)
            order.status = OrderStatus.SHIPPED
            order.shipped_at = now
            _save(order, ["status", "shipped_at"])
        try:
            with transaction.atomic():
                Shipment.objects.create(
                    order=order,
                    merchant_id=order.merchant_id,
                    carrier=carrier,
                    tracking_number=tracking_number,
                    shipped_at=now,
                )
        except IntegrityError:
            raise TrackingNumberTaken(
                f"{carrier} tracking number {tracking_number} is already used"
            ) from None
        if first_package:
            shipped = OrderShipped(
                **order_facts(order),
                shipped_at=now.isoformat(),
                carrier=carrier,
                tracking_number=tracking_number,
            )
            events_publish([shipped], now=now)
    return order_detail(order_id=order.pk)


def order_deliver(*, actor_id: int, actor_role: str, number: str, now: datetime) -> Order:
    """Mark a shipped order delivered (merchant staff only), with its packages. For cash
    on delivery this is when the payment is collected: ``paid_at`` is set now."""
    actor = _actor(actor_id, actor_role)
    with transaction.atomic():
        order = _order_for_update(actor=actor, number=number)
        if not actor.is_staff_of(order):
            raise ActionNotAllowed("only the merchant's staff mark an order delivered")
        transition_check(order, OrderStatus.DELIVERED)
        order.status = OrderStatus.DELIVERED
        order.delivered_at = now
        fields = ["status", "delivered_at"]
        published: list[OrderPaid | OrderDelivered] = []
        if order.paid_at is None and payment_method_get(order.payment_method).collects_on_delivery:
            order.paid_at = now
            fields.append("paid_at")
            published.append(OrderPaid(**order_facts(order), paid_at=now.isoformat(), fx=None))
        _save(order, fields)
        published.append(OrderDelivered(**order_facts(order), delivered_at=now.isoformat()))
        events_publish(published, now=now)
        order.shipments.filter(delivered_at__isnull=True).update(delivered_at=now)
    return order_detail(order_id=order.pk)


def _refund_record(
    *, order: Order, amount_minor: int, reason: str, actor_id: int | None, now: datetime
) -> Refund:
    """Record the refund and, in the same transaction, give the money back through the
    order's payment method when it collected it (the wallet: at the original rate)."""
    refund = Refund.objects.create(
        order=order,
        merchant_id=order.merchant_id,
        amount_minor=amount_minor,
        currency=order.currency,
        reason=reason.replace("\x00", "")[:300],
        created_by_id=actor_id,
        created_at=now,
    )
    if is_escrowed(payment_method=order.payment_method, payment_terms=order.payment_terms):
        # trade assurance: a held payment is voided whole, a released one refunded
        TradeAssurance().refund(
            order_number=order.number,
            amount=Money(amount_minor, order.currency),
            reference=f"order-refund:{refund.pk}",
            now=now,
        )
        return refund
    refund_collected(
        method_code=order.payment_method,
        order_number=order.number,
        amount=Money(amount_minor, order.currency),
        reference=f"order-refund:{refund.pk}",
        now=now,
    )
    return refund


def _refunded(order: Order, refund: Refund, now: datetime) -> OrderRefunded:
    """The ``orders.order.refunded`` event of ``refund``, from the order after it (one query
    for the payment's FX when its method collected the money)."""
    return OrderRefunded(
        **order_facts(order),
        refund_id=refund.pk,
        amount_minor=refund.amount_minor,
        fully_refunded=order.status == OrderStatus.REFUNDED,
        refunded_at=now.isoformat(),
        reason=refund.reason,
        fx=collected_fx(method_code=order.payment_method, order_number=order.number),
    )


def order_refund(
    *, actor_id: int, actor_role: str, number: str, amount_minor: int, reason: str, now: datetime
) -> Order:
    """Give back ``amount_minor`` (minor units of the order's currency) on a paid or
    delivered order; merchant staff or operators. Refunds never sum above the order total
    (``RefundExceedsTotal``, 422). When they reach it the order becomes refunded, and a
    paid order that never shipped gets its stock and CBEC allowance back."""
    if type(amount_minor) is not int or amount_minor <= 0:
        raise InvalidInput(
            "a refund is a positive whole number of minor units",
            message=gettext_lazy("Enter a refund amount above zero."),
        )
    actor = _actor(actor_id, actor_role)
    with transaction.atomic():
        order = _order_for_update(actor=actor, number=number)
        if not (actor.is_staff_of(order) or actor.is_operator):
            raise ActionNotAllowed("refunds are made by the merchant's staff or an operator")
        if order.status not in {OrderStatus.PAID, OrderStatus.DELIVERED}:
            raise _bad(order, OrderStatus.REFUNDED, "only paid or delivered orders are refunded")
        left = order.total_minor - order.refunded_minor
        if amount_minor > left:
            raise RefundExceedsTotal(
                f"at most {Money(left, order.currency)} is left to refund on order {order.number}",
                left_minor=left,
            )
        full = order.refunded_minor + amount_minor == order.total_minor
        if full and order.status == OrderStatus.PAID:
            # The goods before the money, in the checkout's lock order (see order_cancel).
            _release_goods(order, actor_id=actor_id, why="order-refunded", now=now)
        refund = _refund_record(
            order=order, amount_minor=amount_minor, reason=reason, actor_id=actor_id, now=now
        )
        order.refunded_minor += amount_minor
        fields = ["refunded_minor"]
        if full:
            order.status = OrderStatus.REFUNDED
            order.refunded_at = now
            fields += ["status", "refunded_at"]
        _save(order, fields)
        events_publish([_refunded(order, refund, now)], now=now)
    return order_detail(order_id=order.pk)


# cross-border data --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DutyRateIn:
    hs_prefix: str
    vat_rate: Decimal
    consumption_tax_rate: Decimal
    valid_from: date
    description: str = ""
    source: str = ""


def _rate(value: object, what: str, *, up_to_one: bool = False) -> Decimal:
    if isinstance(value, float):
        raise InvalidRegime(f"{what} must be a decimal string, not a float")
    try:
        rate = Decimal(str(value))
    except ArithmeticError:
        raise InvalidRegime(f"{what} {value!r} is not a number") from None
    if rate < 0 or rate > 1 or (rate == 1 and not up_to_one):
        raise InvalidRegime(f"{what} must be at least 0 and below 1")
    return rate


def cross_border_regime_set(
    *,
    marketplace_id: int,
    destination_country: str,
    currency: str,
    per_order_limit_minor: int,
    annual_limit_minor: int,
    tax_share: Decimal | str,
    rates: Sequence[DutyRateIn] = (),
    source: str = "",
    now: datetime,
    actor_role: str,
) -> int:
    """Create or replace the CBEC regime for parcels from a marketplace to a country, and
    add or update its duty rates (keyed by HS prefix and valid-from day). Operators only
    (or ``SYSTEM``: the rates loader, the demo). Returns the regime id."""
    if actor_role not in (OPERATOR, SYSTEM):
        raise PermissionDenied("only an operator sets cross-border rules")
    country = destination_country.strip().upper()
    if not is_country(country):
        raise InvalidRegime(f"{destination_country!r} is not an ISO 3166-1 alpha-2 country code")
    if not is_currency(currency):
        raise InvalidRegime(f"{currency!r} is not an ISO 4217 currency")
    if per_order_limit_minor <= 0 or annual_limit_minor <= 0:
        raise InvalidRegime("the limits must be positive")
    share = _rate(tax_share, "the tax share", up_to_one=True)
    marketplace_get_by_id(marketplace_id=marketplace_id)
    checked = [
        replace(
            rate,
            vat_rate=_rate(rate.vat_rate, f"the VAT rate of {rate.hs_prefix or 'general goods'}"),
            consumption_tax_rate=_rate(
                rate.consumption_tax_rate,
                f"the consumption tax of {rate.hs_prefix or 'general goods'}",
            ),
        )
        for rate in rates
    ]
    for rate in checked:
        if not (
            rate.hs_prefix == "" or (is_ascii_digits(rate.hs_prefix) and len(rate.hs_prefix) <= 10)
        ):
            raise InvalidRegime(f"HS prefix {rate.hs_prefix!r} must be up to 10 digits")
    with transaction.atomic():
        regime, _ = CrossBorderRegime.objects.update_or_create(
            marketplace_id=marketplace_id,
            destination_country=country,
            defaults={
                "currency": currency,
                "per_order_limit_minor": per_order_limit_minor,
                "annual_limit_minor": annual_limit_minor,
                "tax_share": share,
                "source": source,
                "updated_at": now,
            },
        )
        for rate in checked:
            DutyRate.objects.update_or_create(
                regime=regime,
                hs_prefix=rate.hs_prefix,
                valid_from=rate.valid_from,
                defaults={
                    "vat_rate": rate.vat_rate,
                    "consumption_tax_rate": rate.consumption_tax_rate,
                    "description": rate.description[:200],
                    "source": rate.source,
                },
            )
    return regime.pk


def cross_border_rates_load(
    *, marketplace_id: int, path: Path | str = DEFAULT_RATES_PATH, now: datetime
) -> int:
    """Load a regime and its rates from a JSON file (default: China's CBEC rules shipped
    in ``orders/data/china_cbec.json``, limits in major units as strings). Idempotent.
    Returns the regime id."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    currency = data["currency"]
    return cross_border_regime_set(
        marketplace_id=marketplace_id,
        destination_country=data["destination_country"],
        currency=currency,
        per_order_limit_minor=Money.from_major(data["per_order_limit"], currency).amount_minor,
        annual_limit_minor=Money.from_major(data["annual_limit"], currency).amount_minor,
        tax_share=str(data["tax_share"]),
        source=data.get("source", ""),
        rates=[
            DutyRateIn(
                hs_prefix=str(rate["hs_prefix"]),
                vat_rate=Decimal(str(rate["vat_rate"])),
                consumption_tax_rate=Decimal(str(rate.get("consumption_tax_rate", "0"))),
                valid_from=date.fromisoformat(rate["valid_from"]),
                description=rate.get("description", ""),
                source=rate.get("source", ""),
            )
            for rate in data["rates"]
        ],
        now=now,
        actor_role=SYSTEM,
    )


# address book -------------------------------------------------------------------------

MAX_SAVED_ADDRESSES = 20
_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postal_code", "country", "phone")


class AddressBookFull(Conflict):
    code = "address_book_full"
    message_template = gettext_lazy(
        "Your address book is full (%(limit)s addresses): delete one to add another."
    )


def _address_clean(value: ShippingAddress | Mapping[str, Any]) -> ShippingAddress:
    """The address trimmed and checked like a checkout's (``pricing.address_check``), with
    a known ISO country code."""
    address = _address(value) if isinstance(value, ShippingAddress) else _address(dict(value))
    country = (address.country or "").strip().upper()
    if not is_country(country):
        raise InvalidAddress(f"{address.country!r} is not a country code", fields=["country"])
    return address_check(replace(address, country=country), destination=country)


def _address_values(address: ShippingAddress) -> dict[str, str]:
    return {name: getattr(address, name) for name in _ADDRESS_FIELDS}


def address_create(
    *,
    buyer_id: int,
    address: ShippingAddress | Mapping[str, Any],
    make_default: bool = False,
    now: datetime,
    actor_role: str,
) -> SavedAddress:
    """Add an address to the buyer's address book (at most ``MAX_SAVED_ADDRESSES``). The
    first one, or one added with ``make_default``, becomes the default. An address equal to
    one already saved is not saved twice: that one is returned (made default if asked)."""
    address_book_check(actor_role=actor_role)
    values = _address_values(_address_clean(address))
    with transaction.atomic():
        # The buyer's rows, locked: two concurrent adds cannot both pass the limit.
        saved = list(SavedAddress.objects.select_for_update().filter(buyer_id=buyer_id))
        same = next(
            (row for row in saved if all(getattr(row, k) == v for k, v in values.items())), None
        )
        if same is None:
            if len(saved) >= MAX_SAVED_ADDRESSES:
                raise AddressBookFull(
                    f"{buyer_id} has {len(saved)} addresses", limit=MAX_SAVED_ADDRESSES
                )
            same = SavedAddress.objects.create(
                buyer_id=buyer_id, is_default=False, created_at=now, updated_at=now, **values
            )
        if make_default or not any(row.is_default for row in saved):
            _make_default(buyer_id=buyer_id, address=same, now=now)
    return same


def address_update(
    *,
    buyer_id: int,
    address_id: int,
    address: ShippingAddress | Mapping[str, Any],
    make_default: bool = False,
    now: datetime,
    actor_role: str,
) -> SavedAddress:
    """Change one of the buyer's saved addresses (another buyer's is not found), and make
    it the default when ``make_default``."""
    address_book_check(actor_role=actor_role)
    values = _address_values(_address_clean(address))
    with transaction.atomic():
        row = _address_for_update(buyer_id=buyer_id, address_id=address_id)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
        row.save(update_fields=[*values, "updated_at"])
        if make_default and not row.is_default:
            _make_default(buyer_id=buyer_id, address=row, now=now)
    return row


def address_delete(*, buyer_id: int, address_id: int, now: datetime, actor_role: str) -> None:
    """Remove one of the buyer's saved addresses; when it was the default, the oldest one
    left becomes the default."""
    address_book_check(actor_role=actor_role)
    with transaction.atomic():
        row = _address_for_update(buyer_id=buyer_id, address_id=address_id)
        row.delete()
        if row.is_default:
            oldest = SavedAddress.objects.filter(buyer_id=buyer_id).order_by("id").first()
            if oldest is not None:
                _make_default(buyer_id=buyer_id, address=oldest, now=now)


def address_set_default(
    *, buyer_id: int, address_id: int, now: datetime, actor_role: str
) -> SavedAddress:
    """Make one of the buyer's saved addresses the default (the checkout's first choice)."""
    address_book_check(actor_role=actor_role)
    with transaction.atomic():
        row = _address_for_update(buyer_id=buyer_id, address_id=address_id)
        _make_default(buyer_id=buyer_id, address=row, now=now)
    return row


def _address_for_update(*, buyer_id: int, address_id: int) -> SavedAddress:
    row = SavedAddress.objects.select_for_update().filter(buyer_id=buyer_id, pk=address_id).first()
    if row is None:
        raise AddressNotFound(f"no address {address_id} in the address book of {buyer_id}")
    return row


def _make_default(*, buyer_id: int, address: SavedAddress, now: datetime) -> None:
    """Two statements, in this order, so the one-default index never sees two."""
    SavedAddress.objects.filter(buyer_id=buyer_id, is_default=True).exclude(pk=address.pk).update(
        is_default=False, updated_at=now
    )
    SavedAddress.objects.filter(pk=address.pk, buyer_id=buyer_id).update(
        is_default=True, updated_at=now
    )
    address.is_default = True


# paying later ("wallet_later", fiera.orders.payment.WalletPayLater) ----------------------

PAYMENT_TIMEOUT_REASON = "payment timeout"  # the reason of the orders.order.cancelled event


class PaymentOverdue(Conflict):
    code = "payment_overdue"
    message_template = gettext_lazy(
        "The time to pay for this order has run out, so it was cancelled and its items went "
        "back on sale. Nothing was charged. To buy them, place a new order."
    )


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    message_template = gettext_lazy(
        "This order is not paid here: it is paid in cash on delivery, or it was paid at checkout."
    )


ONLY_THE_BUYER_PAYS = gettext_lazy("Only the buyer who placed an order pays for it.")


def order_pay(*, buyer_id: int, number: str, now: datetime, actor_role: str) -> Order:
    """Pay an order placed with the pay-later method from the buyer's wallet.

    Locks the order row (``SELECT ... FOR UPDATE``): a payment and the expiry job
    (``orders_expire_unpaid``) racing for it are decided by that lock, so exactly one wins.
    Only its buyer pays (other roles ``ActionNotAllowed``, 403; another buyer's order
    ``OrderNotFound``, 404). Idempotent: an order already paid is answered as it is, with
    no second charge. A cash-on-delivery or paid-at-checkout order: ``OrderNotPayable``
    (409). Past its ``payment_due_at``: the order is cancelled now (if the expiry job has
    not yet done it, in a transaction of its own that commits) and ``PaymentOverdue``
    (409) is raised. Not enough money or no wallet in the order's currency: the payments
    app's ``InsufficientFunds`` / ``NoWallet`` (409), nothing written. Publishes
    ``orders.order.paid`` in the same transaction as the charge."""
    if actor_role not in (BUYER, SYSTEM):
        raise ActionNotAllowed(
            f"a {actor_role} does not pay for orders", message=ONLY_THE_BUYER_PAYS
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=number, buyer_id=buyer_id).first()
        if order is None:
            raise OrderNotFound(f"no order {number}")
        if order.paid_at is not None:
            return order_detail(order_id=order.pk)
        method = payment_method_get(order.payment_method)
        if order.cancelled_unpaid:
            raise PaymentOverdue(f"order {number} was cancelled unpaid at {order.cancelled_at}")
        if not isinstance(method, WalletPayLater) or order.payment_due_at is None:
            raise OrderNotPayable(f"order {number} is paid by {order.payment_method}")
        if order.status != OrderStatus.PLACED:
            raise _bad(order, OrderStatus.PAID)
        overdue = order.payment_due_at < now
        if not overdue:
            fx = None
            if is_escrowed(payment_method=order.payment_method, payment_terms=order.payment_terms):
                # trade assurance: held in escrow, nothing reaches the merchant yet
                TradeAssurance().hold_order(
                    buyer_id=order.buyer_id,
                    merchant_id=order.merchant_id,
                    number=order.number,
                    amount=Money(order.total_minor, order.currency),
                    now=now,
                )
            else:
                fx = method.charge_order(
                    buyer_id=order.buyer_id,
                    merchant_id=order.merchant_id,
                    number=order.number,
                    amount=Money(order.total_minor, order.currency),
                    now=now,
                )
            order.status = OrderStatus.PAID
            order.paid_at = now
            _save(order, ["status", "paid_at"])
            events_publish(
                [OrderPaid(**order_facts(order), paid_at=now.isoformat(), fx=fx)], now=now
            )
            return order_detail(order_id=order.pk)
        _expire_unpaid(order, now=now)
    raise PaymentOverdue(f"order {number} was due at {order.payment_due_at}, now is {now}")


def _expire_unpaid(order: Order, *, now: datetime) -> None:
    """Cancel a placed, unpaid, overdue ``order`` (locked by the caller) as a cancel does:
    its stock, flash-sale units and CBEC allowance go back, and ``orders.order.cancelled``
    (reason ``PAYMENT_TIMEOUT_REASON``) takes it off the festival tallies."""
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = now
    _save(order, ["status", "cancelled_at"])
    events_publish(
        [
            OrderCancelled(
                **order_facts(order), cancelled_at=now.isoformat(), reason=PAYMENT_TIMEOUT_REASON
            )
        ],
        now=now,
    )
    _release_goods(order, actor_id=None, why="order-unpaid", now=now)


def orders_expire_unpaid(
    *,
    now: datetime,
    limit: int = 1000,
    batch: int = 100,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Cancel up to ``limit`` placed orders whose ``payment_due_at`` is before ``now``
    (the periodic job: Celery beat every minute, ``fiera orders expire-unpaid``).

    Reads the candidates ``batch`` ids at a time (by id, through the ``order_payment_due``
    partial index), then cancels each one in its own short transaction, locking its row
    with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: an order a buyer is paying right now is
    skipped (their ``order_pay`` holds the lock and wins; the next run sees it paid), and
    the row is re-checked under the lock, so a payment that committed first is never
    cancelled. Each order cancelled calls ``progress(1)``. Returns how many were cancelled.
    COD and paid-at-checkout orders have no ``payment_due_at`` and never expire."""
    cancelled = 0
    after = 0
    while cancelled < limit:
        ids = list(
            Order.objects.filter(
                status=OrderStatus.PLACED,
                payment_due_at__isnull=False,
                payment_due_at__lt=now,
                pk__gt=after,
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        after = ids[-1]
        for order_id in ids:
            if cancelled >= limit:
                break
            with transaction.atomic():
                order = (
                    Order.objects.select_for_update(skip_locked=True)
                    .filter(
                        pk=order_id,
                        status=OrderStatus.PLACED,
                        paid_at__isnull=True,
                        payment_due_at__lt=now,
                    )
                    .first()
                )
                if order is None:
                    continue
                _expire_unpaid(order, now=now)
            cancelled += 1
            if progress is not None:
                progress(1)
    return cancelled


# --- trade assurance ---


class PaymentMethodNotOffered(InvalidInput):
    code = "payment_method_not_offered"
    message_template = gettext_lazy(
        "This way to pay is not offered on this marketplace; choose one of those offered."
    )


class OrderNotEscrowed(Conflict):
    code = "order_not_escrowed"
    message_template = gettext_lazy("This order's payment is not held by trade assurance.")


class OrderNotShipped(Conflict):
    code = "order_not_shipped"
    message_template = gettext_lazy(
        "This order has not shipped yet: its receipt is confirmed once the supplier ships it."
    )


def _check_method_offered(method: object, marketplace_kind: str) -> None:
    kinds = getattr(method, "marketplace_kinds", None)
    if kinds is not None and marketplace_kind not in kinds:
        raise PaymentMethodNotOffered(
            f"payment method {getattr(method, 'code', '?')} is not offered on {marketplace_kind}"
        )


def _lock_escrowed(number: str) -> Order:
    order = Order.objects.select_for_update().filter(number=number).first()
    if order is None:
        raise OrderNotFound(f"no order {number}")
    if not is_escrowed(payment_method=order.payment_method, payment_terms=order.payment_terms):
        raise OrderNotEscrowed(f"order {number} is paid by {order.payment_method}")
    return order


def order_escrow_lock(*, number: str, now: datetime) -> EscrowedOrder:
    """The order ``number`` as trade assurance reads it, with its row locked (``SELECT ...
    FOR UPDATE``) until the caller's transaction ends: trade assurance locks it first in
    every use case (confirm receipt, open a dispute, decide one, the release job), so they
    are serialised per order. Trusted callers (the trade app authorizes, then checks
    ``escrowed``); ``OrderNotFound`` (404)."""
    order = Order.objects.select_for_update().filter(number=number).first()
    if order is None:
        raise OrderNotFound(f"no order {number}")
    return escrowed_order(order, now)


def order_escrow_release(*, number: str, actor_id: int | None, now: datetime) -> EscrowedOrder:
    """Receipt confirmed (or the release job): the held payment goes to the merchant's
    payable through the ledger (``payments.services.escrow_release``: settlement pays it
    out). A shipped order becomes delivered now (its packages too, ``orders.order.delivered``
    published). Only a shipped or delivered order (``OrderNotShipped``, 409); idempotent
    once released; a refunded hold is ``EscrowResolved`` (409). Trusted caller (trade)."""
    with transaction.atomic():
        order = _lock_escrowed(number)
        if order.status not in {OrderStatus.SHIPPED, OrderStatus.DELIVERED}:
            raise OrderNotShipped(f"order {number} is {order.status}")
        payments.escrow_release(reference=escrow_reference(order.number), now=now)
        if order.status == OrderStatus.SHIPPED:
            order.status = OrderStatus.DELIVERED
            order.delivered_at = now
            _save(order, ["status", "delivered_at"])
            order.shipments.filter(delivered_at__isnull=True).update(delivered_at=now)
            events_publish(
                [OrderDelivered(**order_facts(order), delivered_at=now.isoformat())], now=now
            )
        return escrowed_order(order, now)


def order_escrow_refund(
    *, number: str, actor_id: int | None, reason: str, now: datetime
) -> EscrowedOrder:
    """An upheld dispute: the held payment is voided (``payments.services.escrow_refund``:
    the buyer's wallet has it available again) and the order refunded in full, recorded as a
    Refund by ``actor_id`` with ``reason``. Its goods are NOT put back in stock: they were
    shipped. A paid, shipped or delivered order only (``BadTransition``, 409); a released
    hold is ``EscrowResolved`` (409). Trusted caller (trade)."""
    with transaction.atomic():
        order = _lock_escrowed(number)
        if order.status not in {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED}:
            raise _bad(order, OrderStatus.REFUNDED, "only a paid order in escrow is refunded")
        refund = _refund_record(
            order=order,
            amount_minor=order.total_minor - order.refunded_minor,
            reason=reason,
            actor_id=actor_id,
            now=now,
        )
        order.status = OrderStatus.REFUNDED
        order.refunded_minor = order.total_minor
        order.refunded_at = now
        _save(order, ["status", "refunded_minor", "refunded_at"])
        events_publish([_refunded(order, refund, now)], now=now)
        return escrowed_order(order, now)


__all__ += [
    "AssuranceRefundPartial",
    "EscrowedOrder",
    "OrderNotEscrowed",
    "OrderNotShipped",
    "PaymentMethodNotOffered",
    "order_escrow_lock",
    "order_escrow_refund",
    "order_escrow_release",
]


# --- agreed-terms B2B orders (RFQ quotes) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgreedLine:
    """One line of an agreed order: ``unit_price_minor`` in the order's currency, per unit."""

    variant_id: int
    quantity: int
    unit_price_minor: int


class AgreedTermsInvalid(InvalidInput):
    code = "agreed_terms_invalid"
    message_template = gettext_lazy("The agreed terms are not complete: %(what)s.")


class AgreedMerchantMismatch(InvalidInput):
    code = "agreed_merchant_mismatch"
    message_template = gettext_lazy("Every item of an agreed order comes from the same supplier.")


def order_place_agreed(
    *,
    buyer_id: int,
    actor_role: str,
    marketplace_id: int,
    merchant_id: int,
    currency: str,
    lines: Sequence[AgreedLine],
    shipping_address: ShippingAddress | dict[str, Any],
    incoterm: str,
    incoterm_place: str = "",
    payment_terms: str,
    lead_time_days: int | None = None,
    quote_ref: str = "",
    payment_due_at: datetime,
    price_kind: str = CONTRACT,
    now: datetime,
) -> CheckoutResult:
    """Place ONE order with ``merchant_id`` at prices and terms agreed outside the cart (an
    accepted RFQ quote; any negotiated B2B deal): a checkout of one order whose lines carry
    the agreed unit prices (``price_kind``, "contract" by default), placed unpaid with the
    pay-later method "wallet_later" and the given ``payment_due_at`` (the buyer pays with
    ``order_pay``; unpaid past it, ``orders_expire_unpaid`` cancels it and the units go
    back on sale), and the order's ``incoterm``/``incoterm_place``/``payment_terms``/
    ``lead_time_days``/``quote_ref`` set.

    The variants must still be for sale on the marketplace in ``currency`` (the one rule of
    ``catalog.rules``: ``VariantUnavailable``, 422) and belong to ``merchant_id``; each
    quantity respects the variant's MOQ (``BelowMinimumOrder``, 422) and 1..999 per line.
    Stock is taken as the checkout takes it (``OutOfStock``, 409, nothing written). No
    cross-border regime, tax or festival price applies: the agreed price is the price.
    Call it inside the caller's transaction or alone (it opens its own savepoint)."""
    _require_buyer(actor_role)
    marketplace = marketplace_get_by_id(marketplace_id=marketplace_id)
    if not marketplace.is_active:
        raise MarketplaceClosed(f"{marketplace.name} is closed")
    if not is_currency(currency):
        raise AgreedTermsInvalid(f"currency {currency!r}", what="currency")
    address = _address(shipping_address)
    address = address_check(address, destination=(address.country or "").strip().upper())
    incoterm = incoterm_check(incoterm)
    payment_terms = payment_terms_check(payment_terms)
    if lead_time_days is not None:
        lead_time_days = lead_time_check(lead_time_days)
    place = (incoterm_place or "").strip()
    if len(place) > 80 or len(quote_ref) > 32:
        raise AgreedTermsInvalid("place or reference too long", what="incoterm_place")
    if payment_due_at <= now:
        raise AgreedTermsInvalid("payment due in the past", what="payment_due_at")
    prices: dict[int, int] = {}
    for line in lines:
        if type(line.unit_price_minor) is not int or line.unit_price_minor < 1:
            raise AgreedTermsInvalid(f"price {line.unit_price_minor!r}", what="unit_price_minor")
        prices[line.variant_id] = line.unit_price_minor
    normalised = lines_normalize([(line.variant_id, line.quantity) for line in lines])
    priced = checkout_variants_priced(
        marketplace_id=marketplace.id, currency=currency, variant_ids=[v for v, _ in normalised]
    )
    unavailable = [v for v, _ in normalised if v not in priced]
    if unavailable:
        raise VariantUnavailable(
            f"not for sale on {marketplace.slug} in {currency}: {unavailable}",
            variant_ids=unavailable,
        )
    quote_lines: list[QuoteLine] = []
    for variant_id, quantity in normalised:
        variant = priced[variant_id]
        if variant.merchant_id != merchant_id:
            raise AgreedMerchantMismatch(f"variant {variant_id} is not merchant {merchant_id}'s")
        if quantity < variant.order_minimum:
            raise BelowMinimumOrder(
                f"{variant.sku} is sold from {variant.order_minimum} units (asked {quantity})",
                sku=variant.sku,
                min_order_quantity=variant.order_minimum,
            )
        unit = prices[variant_id]
        quote_lines.append(
            QuoteLine(
                variant_id=variant_id,
                product_id=variant.product_id,
                merchant_id=merchant_id,
                sku=variant.sku,
                label=variant.label,
                name_it=variant.name_it,
                name_en=variant.name_en,
                name_zh=variant.name_zh,
                hs_code=variant.hs_code,
                quantity=quantity,
                unit_price_minor=unit,
                line_total_minor=unit * quantity,
                tax_minor=0,
                price_kind=price_kind,
            )
        )
    subtotal = sum(line.line_total_minor for line in quote_lines)
    quote = CheckoutQuote(
        marketplace_id=marketplace.id,
        country=address.country,
        currency=currency,
        groups=(
            QuoteGroup(
                merchant_id=merchant_id,
                lines=tuple(quote_lines),
                subtotal_minor=subtotal,
                tax_minor=0,
            ),
        ),
        subtotal_minor=subtotal,
        tax_minor=0,
    )
    with transaction.atomic():
        result = _checkout_write(
            buyer_id=buyer_id,
            quote=quote,
            address=address,
            method_code=WalletPayLater.code,
            key=None,
            fingerprint="",
            cart_line_ids=[],
            now=now,
            payment_due_at=payment_due_at,
        )
        Order.objects.filter(pk=result.orders[0].order_id).update(
            incoterm=incoterm,
            incoterm_place=place,
            payment_terms=payment_terms,
            lead_time_days=lead_time_days,
            quote_ref=quote_ref,
        )
    return result
