"""Reads of the orders app: the cart, the checkout quote, orders as each role may see them.

Visibility: a buyer sees their own orders, merchant staff their merchants' orders,
operators all. An order someone may not see is ``OrderNotFound`` (404).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.catalog import selectors as catalog_selectors
from fiera.catalog.reservations import PricedVariant, checkout_variants_priced
from fiera.common.errors import NotFound, PermissionDenied
from fiera.common.money import Money
from fiera.common.trade_terms import SAMPLE
from fiera.marketplaces.selectors import (
    MarketplaceInfo,
    ShoppingContext,
    marketplace_get,
    marketplace_get_by_id,
    marketplace_shopping_context,
    resolve_country,
)
from fiera.merchants.selectors import MerchantSummary, merchant_ids_for_user, merchant_summaries
from fiera.orders.models import (
    MAX_LINE_QUANTITY,
    CartLine,
    Checkout,
    Order,
    OrderLine,
    OrderStatus,
    SavedAddress,
)
from fiera.orders.payment import escrow_reference, is_escrowed, payment_method_get
from fiera.orders.pricing import (
    B2B_KIND,
    CROSS_BORDER_KIND,
    CheckoutQuote,
    EmptyCheckout,
    allowance_used_minor,
    annual_limit_error,
    cross_border_regime_for,
    currency_for,
    festival_offers_apply,
    lines_normalize,
    quote_compute,
    samples_normalize,
)
from fiera.payments import selectors as payments_selectors
from fiera.payments.selectors import EscrowInfo


class OrderNotFound(NotFound):
    code = "order_not_found"
    message_template = gettext_lazy("This order does not exist.")


class CheckoutNotFound(NotFound):
    code = "checkout_not_found"
    message_template = gettext_lazy("This checkout does not exist.")


class AddressNotFound(NotFound):
    code = "address_not_found"
    message_template = gettext_lazy("This address is not in your address book.")


class AddressBookBuyersOnly(PermissionDenied):
    code = "address_book_buyers_only"
    message_template = gettext_lazy("Only buyer accounts have an address book.")


class ConsoleOnly(PermissionDenied):
    code = "merchant_staff_only"
    message_template = gettext_lazy("The merchant console is for merchant staff.")


# cart ---------------------------------------------------------------------------------

GUEST_CART_SESSION_KEY = "fiera_guest_cart"
"""Where a signed-out visitor's carts live in their session: {marketplace slug: {variant id
(text): quantity}} until they sign in (``services.cart_merge_guest``)."""


@dataclass(frozen=True, slots=True)
class CartLineView:
    variant_id: int
    quantity: int
    sku: str
    label: str
    name_it: str
    name_en: str
    name_zh: str
    merchant_id: int | None
    merchant_name: str
    min_order_quantity: int
    unit_price_minor: int | None  # None: not for sale in this currency any more
    line_total_minor: int | None
    units_available: int | None
    problem: str  # "" when the line can be checked out as it is
    # What prices the line now: "list", or a festival offer ("festival", "flash":
    # fiera.festivals.offers), whose price the checkout charges; then the list price.
    price_kind: str = "list"
    list_unit_price_minor: int | None = None
    # --- cart samples --- a sample line (price_kind "sample"): 1 to ``sample_units`` units
    is_sample: bool = False
    sample_units: int = 0


@dataclass(frozen=True, slots=True)
class CartView:
    marketplace: MarketplaceInfo
    country: str
    currency: str
    cart_id: int | None
    lines: tuple[CartLineView, ...]
    subtotal_minor: int
    max_quantity: int = MAX_LINE_QUANTITY

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and not any(line.problem for line in self.lines)

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


def cart_view(
    *, buyer_id: int, marketplace_slug: str, country: str | None, now: datetime | None = None
) -> CartView:
    """The buyer's cart on the marketplace priced for the destination ``country`` (or the
    marketplace's default one) at ``now`` (default: the clock), as the checkout would price
    it: a festival price or live flash sale replaces the list price
    (``fiera.festivals.offers``). A problem text marks each line that cannot be bought as
    it is. Five queries whatever the number of lines (one more while a festival is near)."""
    shopping = marketplace_shopping_context(slug=marketplace_slug, country=country)
    rows = list(
        CartLine.objects.filter(
            cart__buyer_id=buyer_id, cart__marketplace_id=shopping.marketplace.id
        ).values_list("cart_id", "variant_id", "quantity", "is_sample")
    )
    return _cart_priced(shopping, rows, now=now or timezone.now())


def guest_cart_view(
    *,
    lines: Sequence[tuple[int, int]],
    marketplace_slug: str,
    country: str | None,
    now: datetime | None = None,
) -> CartView:
    """A visitor's cart (kept in their session until they sign in: ``lines`` are
    (variant_id, quantity)) priced like ``cart_view``; ``cart_id`` is None."""
    shopping = marketplace_shopping_context(slug=marketplace_slug, country=country)
    return _cart_priced(
        shopping,
        [(None, variant_id, quantity, False) for variant_id, quantity in lines],
        now=now or timezone.now(),
    )


def _cart_priced(
    shopping: ShoppingContext, rows: Sequence[tuple[int | None, int, int, bool]], *, now: datetime
) -> CartView:
    """Cart rows (cart_id, variant_id, quantity, is_sample) priced for the shopping context
    at ``now``, festival offers included (as ``checkout_quote`` prices them); a sample line
    at the sample price (``catalog.rules``)."""
    priced = checkout_variants_priced(
        marketplace_id=shopping.marketplace.id,
        currency=shopping.currency,
        variant_ids=[row[1] for row in rows],
        with_stock=True,
    )
    list_priced = dict(priced)  # before the offers replace the tiers
    offers = festival_offers_apply(
        marketplace_id=shopping.marketplace.id,
        currency=shopping.currency,
        priced=priced,
        named={},
        now=now,
    )
    merchants = merchant_summaries(merchant_ids={v.merchant_id for v in priced.values()})
    lines: list[CartLineView] = []
    for _cart_id, variant_id, quantity, is_sample in rows:
        variant = priced.get(variant_id)
        if is_sample and variant is not None:
            lines.append(_sample_line(variant, quantity, merchants))
            continue
        if variant is None:
            lines.append(
                CartLineView(
                    variant_id=variant_id,
                    quantity=quantity,
                    sku="",
                    label="",
                    name_it=f"#{variant_id}",
                    name_en=f"#{variant_id}",
                    name_zh=f"#{variant_id}",
                    merchant_id=None,
                    merchant_name="",
                    min_order_quantity=1,
                    unit_price_minor=None,
                    line_total_minor=None,
                    units_available=None,
                    problem=gettext("no longer for sale in %(currency)s")
                    % {"currency": shopping.currency},
                    is_sample=is_sample,
                    price_kind=SAMPLE if is_sample else "list",
                )
            )
            continue
        minimum = variant.order_minimum
        unit_price = variant.unit_price_minor(quantity)
        offer = offers.get(variant_id)
        flash = offer.flash if offer is not None else None
        problem = ""
        if quantity < minimum or unit_price is None:
            problem = ngettext("sold from %(count)d unit", "sold from %(count)d units", minimum) % {
                "count": minimum
            }
        elif flash is not None and quantity > flash.per_buyer_limit:
            problem = ngettext(
                "at most %(count)d per buyer at the flash-sale price",
                "at most %(count)d per buyer at the flash-sale price",
                flash.per_buyer_limit,
            ) % {"count": flash.per_buyer_limit}
        elif flash is not None:  # flash units come from the sale, not the warehouse
            if flash.units_left < quantity:
                problem = ngettext(
                    "only %(count)d left at the flash-sale price",
                    "only %(count)d left at the flash-sale price",
                    flash.units_left,
                ) % {"count": flash.units_left}
        elif variant.units_available is not None and variant.units_available < quantity:
            problem = gettext("only %(count)d in stock") % {"count": variant.units_available}
        elif variant.units_available is None:
            problem = gettext("out of stock")
        merchant = merchants.get(variant.merchant_id)
        lines.append(
            CartLineView(
                variant_id=variant_id,
                quantity=quantity,
                sku=variant.sku,
                label=variant.label,
                name_it=variant.name_it,
                name_en=variant.name_en,
                name_zh=variant.name_zh,
                merchant_id=variant.merchant_id,
                merchant_name=merchant.display_name if merchant else "",
                min_order_quantity=minimum,
                unit_price_minor=unit_price,
                line_total_minor=None if unit_price is None else unit_price * quantity,
                units_available=variant.units_available,
                problem=problem,
                price_kind=offer.kind if offer is not None else "list",
                list_unit_price_minor=(
                    list_priced[variant_id].unit_price_minor(quantity)
                    if offer is not None
                    else None
                ),
            )
        )
    return CartView(
        marketplace=shopping.marketplace,
        country=shopping.country,
        currency=shopping.currency,
        cart_id=rows[0][0] if rows else None,
        lines=tuple(lines),
        subtotal_minor=sum(line.line_total_minor or 0 for line in lines),
    )


def _sample_line(
    variant: PricedVariant, quantity: int, merchants: dict[int, MerchantSummary]
) -> CartLineView:
    """A cart's sample line (``catalog.rules``): the sample price, 1 to ``sample_units``."""
    price = variant.sample_price_minor
    problem = ""
    if price is None:
        problem = gettext("no samples offered any more")
    elif not variant.sample_allowed(quantity):
        problem = ngettext(
            "at most %(count)d unit as a sample",
            "at most %(count)d units as a sample",
            variant.sample_units,
        ) % {"count": variant.sample_units}
    elif variant.units_available is None:
        problem = gettext("out of stock")
    elif variant.units_available < quantity:
        problem = gettext("only %(count)d in stock") % {"count": variant.units_available}
    merchant = merchants.get(variant.merchant_id)
    return CartLineView(
        variant_id=variant.variant_id,
        quantity=quantity,
        sku=variant.sku,
        label=variant.label,
        name_it=variant.name_it,
        name_en=variant.name_en,
        name_zh=variant.name_zh,
        merchant_id=variant.merchant_id,
        merchant_name=merchant.display_name if merchant else "",
        min_order_quantity=1,
        unit_price_minor=price,
        line_total_minor=None if price is None else price * quantity,
        units_available=variant.units_available,
        problem=problem,
        price_kind=SAMPLE,
        is_sample=True,
        sample_units=variant.sample_units,
    )


# quote --------------------------------------------------------------------------------


def checkout_quote(
    *,
    buyer_id: int | None,
    marketplace_slug: str,
    country: str | None,
    lines: Sequence[tuple[int, int]] | None,
    now: datetime,
    samples: Sequence[tuple[int, int]] | None = None,
) -> CheckoutQuote:
    """What ``checkout_submit`` would charge, WITHOUT reserving anything: lines priced
    (tiers, MOQ), grouped per merchant, CBEC tax per line and the cross-border terms
    (with what is left of the buyer's yearly allowance). ``lines`` None quotes the
    buyer's cart. Refuses what the checkout would refuse, except stock, which is only
    reported (``units_available`` and ``warnings``)."""
    marketplace = marketplace_get(slug=marketplace_slug)
    destination = (country or "").strip().upper() or resolve_country(marketplace, None)
    currency = currency_for(marketplace, destination)
    sample_lines = samples_normalize(samples or ())
    if lines is None:
        if buyer_id is None:
            raise EmptyCheckout("sign in to quote your cart")
        rows = list(
            CartLine.objects.filter(
                cart__buyer_id=buyer_id, cart__marketplace_id=marketplace.id
            ).values_list("variant_id", "quantity", "is_sample")
        )
        if not rows:
            raise EmptyCheckout("your cart is empty")
        lines = [(v, q) for v, q, is_sample in rows if not is_sample]
        sample_lines = samples_normalize([(v, q) for v, q, is_sample in rows if is_sample])
    normalised = lines_normalize(lines) if (lines or not sample_lines) else []
    priced = checkout_variants_priced(
        marketplace_id=marketplace.id,
        currency=currency,
        variant_ids=[variant_id for variant_id, _ in normalised + sample_lines],
        with_stock=True,
    )
    list_priced = dict(priced)  # before the offers replace the tiers
    offers = festival_offers_apply(
        marketplace_id=marketplace.id, currency=currency, priced=priced, named={}, now=now
    )
    regime = (
        cross_border_regime_for(marketplace_id=marketplace.id, country=destination)
        if marketplace.kind == CROSS_BORDER_KIND
        else None
    )
    quote = quote_compute(
        marketplace_id=marketplace.id,
        country=destination,
        currency=currency,
        lines=normalised,
        priced=priced,
        regime=regime,
        today=now.date(),
        kinds={v: (o.kind, o.flash_sale_id) for v, o in offers.items()},
        samples=sample_lines,
        listing_terms=marketplace.kind == B2B_KIND,
    )
    if offers:  # the pages strike the list price through beside the offer's
        quote = replace(
            quote,
            groups=tuple(
                replace(
                    group,
                    lines=tuple(
                        replace(
                            line,
                            list_unit_price_minor=list_priced[line.variant_id].unit_price_minor(
                                line.quantity
                            ),
                        )
                        if line.variant_id in offers and line.price_kind != SAMPLE
                        else line
                        for line in group.lines
                    ),
                )
                for group in quote.groups
            ),
        )
    terms = quote.cross_border
    if terms is not None and buyer_id is not None:
        used = allowance_used_minor(buyer_id=buyer_id, year=terms.year, currency=currency)
        if used + quote.subtotal_minor > terms.annual_limit_minor:
            raise annual_limit_error(
                terms=terms, used_minor=used, wanted_minor=quote.subtotal_minor, currency=currency
            )
        quote = replace(quote, cross_border=replace(terms, annual_used_minor=used))
    return quote


# orders -------------------------------------------------------------------------------


def _visible(*, user_id: int, actor_role: str) -> QuerySet[Order]:
    if actor_role == OPERATOR:
        return Order.objects.all()
    if actor_role == MERCHANT:
        return Order.objects.filter(merchant_id__in=merchant_ids_for_user(user_id=user_id))
    return Order.objects.filter(buyer_id=user_id)


def order_list(
    *, user_id: int, actor_role: str, status: str | None = None, merchant_id: int | None = None
) -> QuerySet[Order]:
    """Orders the user may see, newest first, optionally by status and merchant."""
    qs = _visible(user_id=user_id, actor_role=actor_role)
    if status:
        qs = qs.filter(status=status)
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    return qs.order_by("-placed_at", "-id")


def _detailed(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")), "shipments", "refunds"
    )


def order_get(*, user_id: int, actor_role: str, number: str) -> Order:
    """The order with its lines, shipments and refunds, if the user may see it."""
    order = _detailed(
        _visible(user_id=user_id, actor_role=actor_role).filter(number=number)
    ).first()
    if order is None:
        raise OrderNotFound(f"no order {number}")
    return order


def order_detail(*, order_id: int) -> Order:
    """The order with its lines, shipments and refunds; no authorization (callers check)."""
    return _detailed(Order.objects.filter(pk=order_id)).get()


@dataclass(frozen=True, slots=True)
class OrderPage:
    """An order as a page shows it, with what the viewer may do to it now."""

    order: Order
    merchant: MerchantSummary | None
    can_cancel: bool
    can_ship: bool
    can_deliver: bool
    can_refund: bool
    refundable_minor: int
    is_staff: bool
    can_pay: bool = False  # its buyer, a pay-later order still awaiting payment
    # the trade documents it has now (``trade_documents_available``), linked from the page
    documents: tuple[str, ...] = ()


def order_page(*, user_id: int, actor_role: str, number: str) -> OrderPage:
    merchant_ids = set(merchant_ids_for_user(user_id=user_id)) if actor_role == MERCHANT else set()
    order = order_get(user_id=user_id, actor_role=actor_role, number=number)
    staff = order.merchant_id in merchant_ids
    cod = payment_method_get(order.payment_method).collects_on_delivery
    status = order.status
    left = order.total_minor - order.refunded_minor
    return OrderPage(
        order=order,
        merchant=merchant_summaries(merchant_ids=[order.merchant_id]).get(order.merchant_id),
        can_cancel=status in {OrderStatus.PLACED, OrderStatus.PAID}
        and (staff or order.buyer_id == user_id or actor_role == OPERATOR),
        can_ship=staff
        and (
            status in {OrderStatus.PAID, OrderStatus.SHIPPED}
            or (status == OrderStatus.PLACED and cod)
        ),
        can_deliver=staff and status == OrderStatus.SHIPPED,
        can_refund=(staff or actor_role == OPERATOR)
        and status in {OrderStatus.PAID, OrderStatus.DELIVERED}
        and left > 0,
        refundable_minor=left,
        is_staff=staff,
        can_pay=order.awaiting_payment and order.buyer_id == user_id and actor_role == BUYER,
        documents=trade_documents_available(
            marketplace_kind=marketplace_get_by_id(marketplace_id=order.marketplace_id).kind,
            status=status,
            shipped_at=order.shipped_at,
        ),
    )


@dataclass(frozen=True, slots=True)
class ConsoleContext:
    merchant_ids: tuple[int, ...]
    merchants: dict[int, MerchantSummary]


def console_context(*, user_id: int, actor_role: str) -> ConsoleContext:
    """The merchants whose orders the console shows (staff: theirs; operators: none
    chosen, so all). Other roles get ``ConsoleOnly`` (403)."""
    if actor_role == OPERATOR:
        return ConsoleContext(merchant_ids=(), merchants={})
    if actor_role != MERCHANT:
        raise ConsoleOnly("the merchant console is for merchant staff")
    ids = tuple(merchant_ids_for_user(user_id=user_id))
    return ConsoleContext(merchant_ids=ids, merchants=merchant_summaries(merchant_ids=ids))


def checkout_get(*, buyer_id: int, checkout_id: int) -> Checkout:
    """The buyer's checkout with its orders (another buyer's is not found)."""
    checkout = (
        Checkout.objects.filter(pk=checkout_id, buyer_id=buyer_id)
        .prefetch_related(Prefetch("orders", queryset=Order.objects.order_by("number")))
        .first()
    )
    if checkout is None:
        raise CheckoutNotFound(f"no checkout {checkout_id}")
    return checkout


# address book -------------------------------------------------------------------------


def address_book_check(*, actor_role: str) -> None:
    """Raise ``AddressBookBuyersOnly`` (403) unless ``actor_role`` keeps an address book."""
    if actor_role not in (BUYER, SYSTEM):
        raise AddressBookBuyersOnly("only buyers keep an address book")


def address_list(*, buyer_id: int, actor_role: str) -> list[SavedAddress]:
    """The buyer's saved addresses, the default first, then oldest first (one query)."""
    address_book_check(actor_role=actor_role)
    return list(SavedAddress.objects.filter(buyer_id=buyer_id).order_by("-is_default", "id"))


def address_get(*, buyer_id: int, address_id: int, actor_role: str) -> SavedAddress:
    """One of the buyer's saved addresses; another buyer's is ``AddressNotFound`` (404)."""
    address_book_check(actor_role=actor_role)
    found = SavedAddress.objects.filter(buyer_id=buyer_id, pk=address_id).first()
    if found is None:
        raise AddressNotFound(f"no address {address_id} in the address book of {buyer_id}")
    return found


def cart_units(*, buyer_id: int, marketplace_id: int) -> int:
    """How many units the buyer's cart on the marketplace holds (one query; the count on
    the storefront's Cart link)."""
    total = CartLine.objects.filter(
        buyer_id=buyer_id, cart__marketplace_id=marketplace_id
    ).aggregate(units=Sum("quantity"))["units"]
    return int(total or 0)


# merchant console: the stock history and the home's figures ---------------------------

SALE = "sale"  # the kind of a stock change made by a checkout (an order line)
# the reason services._release_goods records: "fiera:order-cancelled:<number>" (and
# -refunded, -unpaid; catalog's system reasons), earlier "order <number> cancelled|refunded"
_RELEASE_REASON = re.compile(r"fiera:order-(cancelled|refunded|unpaid):(\S+)")
_RELEASE_REASON_BEFORE = re.compile(r"order (\S+) (cancelled|refunded)")
_RELEASE_LABELS = {
    "cancelled": OrderStatus.CANCELLED.label,
    "refunded": OrderStatus.REFUNDED.label,
    "unpaid": gettext_lazy("Not paid in time"),
}
_SALE_RANK, _MOVEMENT_RANK = 0, 1  # at the same moment, movements list before sales


class NotStaff(PermissionDenied):
    code = "not_merchant_staff"
    message_template = gettext_lazy("Only the company's staff can see this.")


def _check_staff(*, user_id: int, actor_role: str, merchant_id: int) -> None:
    if actor_role != MERCHANT or merchant_id not in merchant_ids_for_user(user_id=user_id):
        raise NotStaff(f"user {user_id} ({actor_role}) is not staff of merchant {merchant_id}")


@dataclass(frozen=True, slots=True)
class StockChange:
    """One change of a stock level: a sale (an order line: ``order_number`` set,
    ``units_after`` unknown) or a recorded movement (count, adjustment, units an order
    gave back: then ``order_number`` is that order and ``reason`` its status, in the
    active language). ``delta`` is signed units."""

    kind: str  # SALE or a catalog StockMovementKind value
    created_at: datetime
    sku: str
    warehouse_id: int
    warehouse_name: str
    delta: int
    units_after: int | None
    reason: str
    actor_username: str
    order_number: str
    rank: int
    id: int

    @property
    def cursor(self) -> str:
        """This row's place in the newest-first order, for ``?before=``."""
        return f"{self.created_at.isoformat()}~{self.rank}~{self.id}"


@dataclass(frozen=True, slots=True)
class StockHistoryPage:
    items: list[StockChange]
    next_cursor: str  # "" on the last page
    warehouses: dict[int, str]  # id -> name, every warehouse of the merchant


def parse_history_cursor(text: str | None) -> tuple[datetime, int, int] | None:
    """``moment~rank~id`` (``StockChange.cursor``) or None when absent or malformed."""
    parts = (text or "").split("~")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(parts[0])
    except ValueError:
        return None
    rank, row_id = int(parts[1]), int(parts[2])
    if moment.tzinfo is None or rank not in (_SALE_RANK, _MOVEMENT_RANK) or row_id > 2**62:
        return None
    return moment, rank, row_id


def _before_for(rank: int, cursor: tuple[datetime, int, int] | None) -> tuple[datetime, int] | None:
    """The (moment, id) bound of one source so that only rows after the cursor in the merged
    order (moment, rank, id) descending remain."""
    if cursor is None:
        return None
    moment, cursor_rank, row_id = cursor
    if rank < cursor_rank:  # this source's rows at the same moment come later: keep them all
        return moment, 2**62
    if rank > cursor_rank:  # ... came earlier: only older moments remain
        return moment, 0
    return moment, row_id


def stock_history(
    *,
    user_id: int,
    actor_role: str,
    merchant_id: int,
    warehouse_id: int | None = None,
    kind: str | None = None,
    before: tuple[datetime, int, int] | None = None,
    limit: int = 50,
) -> StockHistoryPage:
    """Every change of the merchant's stock, newest first: the sales (order lines: the
    checkout takes units without writing a movement, decision 0005) merged with the
    catalog's recorded movements (counts, adjustments, units given back by cancellations
    and refunds). ``kind`` keeps one kind (``SALE`` or a movement kind); ``before`` is a
    cursor from ``parse_history_cursor`` (keyset paging). Two bounded queries (``limit``
    + 1 rows each) merged in Python, plus the permission checks, the warehouse names and
    the people's names."""
    _check_staff(user_id=user_id, actor_role=actor_role, merchant_id=merchant_id)
    limit = min(max(int(limit), 1), 100)
    warehouses = {
        w.id: w.name
        for w in catalog_selectors.warehouse_list(
            actor_user_id=user_id, actor_role=actor_role, merchant_id=merchant_id
        )
    }
    if warehouse_id is not None and warehouse_id not in warehouses:
        warehouse_id = -1  # not one of the merchant's: nothing matches
    changes: list[StockChange] = []
    if kind in (None, "") or kind != SALE:
        for m in catalog_selectors.stock_movement_list(
            actor_user_id=user_id,
            actor_role=actor_role,
            merchant_id=merchant_id,
            warehouse_id=warehouse_id,
            kinds=[kind] if kind else None,
            before=_before_for(_MOVEMENT_RANK, before),
            limit=limit + 1,
        ):
            reason, number = m.reason, ""
            if m.kind == "release":  # written by services._release_goods
                if given_back := _RELEASE_REASON.fullmatch(m.stored_reason):
                    why, number = given_back.group(1), given_back.group(2)
                    reason = str(_RELEASE_LABELS[why])
                elif before_now := _RELEASE_REASON_BEFORE.fullmatch(m.stored_reason):
                    number = before_now.group(1)
                    reason = str(_RELEASE_LABELS[before_now.group(2)])
            changes.append(
                StockChange(
                    kind=m.kind,
                    created_at=m.created_at,
                    sku=m.sku,
                    warehouse_id=m.warehouse_id,
                    warehouse_name=m.warehouse_name,
                    delta=m.delta,
                    units_after=m.units_after,
                    reason=reason,
                    actor_username=m.actor_username,
                    order_number=number,
                    rank=_MOVEMENT_RANK,
                    id=m.id,
                )
            )
    if kind in (None, "", SALE):
        lines = OrderLine.objects.filter(merchant_id=merchant_id)
        if warehouse_id is not None:
            lines = lines.filter(warehouse_id=warehouse_id)
        bound = _before_for(_SALE_RANK, before)
        if bound is not None:
            moment, last_id = bound
            lines = lines.filter(
                Q(order__placed_at__lt=moment) | Q(order__placed_at=moment, pk__lt=last_id)
            )
        for line_id, sku, line_warehouse, quantity, number, placed_at in lines.order_by(
            "-order__placed_at", "-pk"
        ).values_list("pk", "sku", "warehouse_id", "quantity", "order__number", "order__placed_at")[
            : limit + 1
        ]:
            changes.append(
                StockChange(
                    kind=SALE,
                    created_at=placed_at,
                    sku=sku,
                    warehouse_id=line_warehouse,
                    warehouse_name=warehouses.get(line_warehouse, ""),
                    delta=-int(quantity),
                    units_after=None,
                    reason="",
                    actor_username="",
                    order_number=number,
                    rank=_SALE_RANK,
                    id=line_id,
                )
            )
    changes.sort(key=lambda c: (c.created_at, c.rank, c.id), reverse=True)
    page = changes[:limit]
    return StockHistoryPage(
        items=page,
        next_cursor=page[-1].cursor if len(changes) > limit else "",
        warehouses=warehouses,
    )


@dataclass(frozen=True, slots=True)
class ConsoleFigures:
    """The console home's figures for one merchant. Sales are the paid orders that are
    not cancelled (totals less refunds), by the day and month they were paid in, in the
    active time zone; one ``Money`` per currency."""

    sales_today: list[Money]
    sales_month: list[Money]
    orders_today: int
    orders_month: int
    to_ship: int
    low_stock: int
    low_stock_threshold: int
    recent: list[Order]


def console_figures(
    *, user_id: int, actor_role: str, merchant_id: int, now: datetime, recent: int = 5
) -> ConsoleFigures:
    """Sales today and this month, orders waiting to ship (paid, not shipped), variants
    low on stock and the latest orders. Four aggregate or bounded queries plus the
    permission checks, whatever the number of orders."""
    _check_staff(user_id=user_id, actor_role=actor_role, merchant_id=merchant_id)
    local = timezone.localtime(now)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = day_start.replace(day=1)
    net = F("total_minor") - F("refunded_minor")
    today = Q(paid_at__gte=day_start)
    rows = (
        Order.objects.filter(merchant_id=merchant_id, paid_at__gte=month_start, paid_at__lte=now)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by()
        .values("currency")
        .annotate(
            month=Sum(net),
            day=Coalesce(Sum(net, filter=today), Value(0)),
            month_count=Count("pk"),
            day_count=Count("pk", filter=today),
        )
        .order_by("currency")
    )
    sales = list(rows)
    to_ship = Order.objects.filter(merchant_id=merchant_id, status=OrderStatus.PAID).count()
    low = catalog_selectors.low_stock_count(
        actor_user_id=user_id, actor_role=actor_role, merchant_id=merchant_id
    )
    latest = list(
        Order.objects.filter(merchant_id=merchant_id).order_by("-placed_at", "-id")[
            : min(max(recent, 0), 20)
        ]
    )
    return ConsoleFigures(
        sales_today=[Money(int(r["day"]), r["currency"]) for r in sales if r["day_count"]],
        sales_month=[Money(int(r["month"]), r["currency"]) for r in sales],
        orders_today=sum(int(r["day_count"]) for r in sales),
        orders_month=sum(int(r["month_count"]) for r in sales),
        to_ship=to_ship,
        low_stock=low,
        low_stock_threshold=catalog_selectors.LOW_STOCK_UNITS,
        recent=latest,
    )


def quote_with_allowance_left(quote: CheckoutQuote, *, left_minor: object) -> CheckoutQuote:
    """A quote made without the buyer (``buyer_id=None``, the summary a refused checkout
    keeps) with what is left of their yearly allowance put back in: ``left_minor`` as the
    annual-limit refusal gave it. Unchanged when not cross-border or not an amount."""
    terms = quote.cross_border
    if terms is None or type(left_minor) is not int or left_minor < 0:
        return quote
    used = max(terms.annual_limit_minor - left_minor, 0)
    return replace(quote, cross_border=replace(terms, annual_used_minor=used))


@dataclass(frozen=True, slots=True)
class MerchantSales:
    """A merchant's sales over a period: paid orders that are not cancelled (totals less
    refunds), one ``Money`` per currency (the orders' own currencies, never converted)."""

    merchant_id: int
    orders: int
    sales: list[Money]


def merchant_sales(
    *, merchant_ids: Sequence[int], since: datetime, until: datetime
) -> dict[int, MerchantSales]:
    """Sales of each of ``merchant_ids`` paid in [since, until), by merchant id (merchants
    without sales are absent). ONE aggregate query on the (merchant, status, placed_at)
    index's table, whatever the number of orders. No authorization: the caller (the
    partner page in ``fiera.web``) has authorized the reader on these merchants."""
    ids = sorted(set(merchant_ids))
    if not ids:
        return {}
    rows = (
        Order.objects.filter(merchant_id__in=ids, paid_at__gte=since, paid_at__lt=until)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by()
        .values("merchant_id", "currency")
        .annotate(net=Sum(F("total_minor") - F("refunded_minor")), n=Count("pk"))
        .order_by("merchant_id", "currency")
    )
    found: dict[int, MerchantSales] = {}
    for row in rows:
        mid = int(row["merchant_id"])
        before = found.get(mid)
        money = Money(int(row["net"]), row["currency"])
        found[mid] = MerchantSales(
            merchant_id=mid,
            orders=(before.orders if before else 0) + int(row["n"]),
            sales=[*(before.sales if before else []), money],
        )
    return found


# --- trade assurance ---


def order_escrow(order: Order, *, now: datetime | None = None) -> EscrowInfo | None:
    """The trade-assurance hold of ``order`` (held, released, refunded or expired, with its
    amount), or None when the order is not paid into escrow (no query then) or nothing is
    held yet (an unpaid order: one query)."""
    if not is_escrowed(payment_method=order.payment_method, payment_terms=order.payment_terms):
        return None
    try:
        return payments_selectors.escrow_get(
            reference=escrow_reference(order.number), now=now or timezone.now()
        )
    except payments_selectors.EscrowNotFound:
        return None


@dataclass(frozen=True, slots=True)
class EscrowedOrder:
    """A B2B order paid (or to be paid) into escrow, as trade assurance needs it.
    ``escrow_status``: held, released, refunded, expired, or "" while nothing is held."""

    order_id: int
    number: str
    buyer_id: int
    merchant_id: int
    marketplace_id: int
    status: str
    total: Money
    shipped_at: datetime | None
    delivered_at: datetime | None
    escrow_status: str
    escrow_amount: Money | None
    escrowed: bool = True  # paid (or to be paid) under trade assurance


def escrowed_order(order: Order, now: datetime | None = None) -> EscrowedOrder:
    """The facts of an escrowed order and its hold (one query)."""
    info = order_escrow(order, now=now)
    return EscrowedOrder(
        order_id=order.pk,
        number=order.number,
        buyer_id=order.buyer_id,
        merchant_id=order.merchant_id,
        marketplace_id=order.marketplace_id,
        status=str(order.status),
        total=Money(order.total_minor, order.currency),
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        escrow_status=info.status if info is not None else "",
        escrow_amount=info.amount if info is not None else None,
        escrowed=is_escrowed(
            payment_method=order.payment_method, payment_terms=order.payment_terms
        ),
    )


def order_escrow_facts(*, number: str, now: datetime | None = None) -> EscrowedOrder | None:
    """The order ``number`` as trade assurance reads it (``escrowed`` False when it is not
    paid under trade assurance), or None when there is no such order (two queries). No
    authorization: trusted callers (the trade app) check who reads it."""
    order = Order.objects.filter(number=number).first()
    if order is None:
        return None
    return escrowed_order(order, now)


@dataclass(frozen=True, slots=True)
class OrderPanel:
    """A section that an app above orders adds to the order pages (trade assurance: the
    dispute): the template it is drawn with and that template's context."""

    template: str
    context: dict[str, object]


OrderPanelSource = Callable[..., "OrderPanel | None"]
_panels: dict[str, OrderPanelSource] = {}


def order_panel_register(name: str, source: OrderPanelSource) -> None:
    """Apps above orders add a section to the buyer's and the console's order page without
    orders importing them (registered once in their ``AppConfig.ready``): ``source(*,
    number, actor_id, actor_role)`` returns an ``OrderPanel`` or None (nothing to show, or
    not for this reader). Replaces one registered under the same name."""
    _panels[name] = source


def order_panels(*, number: str, actor_id: int, actor_role: str) -> list[OrderPanel]:
    """The registered sections for this order and reader, by name."""
    found = (
        _panels[name](number=number, actor_id=actor_id, actor_role=actor_role)
        for name in sorted(_panels)
    )
    return [panel for panel in found if panel is not None]


# --- trade documents ---
# What the trade app's documents (proforma invoice, commercial invoice, packing list) read
# of a B2B order: the order as frozen values, its lines with each product's origin and each
# variant's weight, and its packages. The rule of which documents exist lives here, beside
# the order's states, so that the order pages link exactly the documents the trade app
# serves.

B2B_MARKETPLACE_KIND = "b2b_trade"
PROFORMA, INVOICE, PACKING_LIST = "proforma", "invoice", "packing-list"
TRADE_DOCUMENTS = (PROFORMA, INVOICE, PACKING_LIST)


def trade_documents_available(
    *, marketplace_kind: str, status: str, shipped_at: datetime | None
) -> tuple[str, ...]:
    """The trade documents an order has now: none off the B2B marketplace or once
    cancelled; the proforma invoice from the moment it is placed (paid or not); the
    commercial invoice and the packing list once it has shipped (its first package)."""
    if marketplace_kind != B2B_MARKETPLACE_KIND or status == OrderStatus.CANCELLED:
        return ()
    if shipped_at is None:
        return (PROFORMA,)
    return TRADE_DOCUMENTS


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """An order line as the documents print it. ``origin_country`` (ISO 3166-1 alpha-2)
    and ``weight_grams`` (0: not recorded) are the product's and the variant's now: the
    order keeps no copy of them."""

    variant_id: int
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
    price_kind: str
    origin_country: str
    weight_grams: int


@dataclass(frozen=True, slots=True)
class DocumentPackage:
    carrier: str
    tracking_number: str
    shipped_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class OrderForDocuments:
    """A B2B order with what its trade documents print; amounts in minor units of
    ``currency``. ``documents`` is ``trade_documents_available`` for it."""

    id: int
    number: str
    buyer_id: int
    merchant_id: int
    marketplace_id: int
    marketplace_kind: str
    status: str
    currency: str
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    refunded_minor: int
    payment_method: str
    ship_name: str
    ship_line1: str
    ship_line2: str
    ship_city: str
    ship_postal_code: str
    ship_country: str
    ship_phone: str
    placed_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    incoterm: str
    incoterm_place: str
    payment_terms: str
    lead_time_days: int | None
    quote_ref: str
    lines: tuple[DocumentLine, ...]
    packages: tuple[DocumentPackage, ...]
    documents: tuple[str, ...]


def order_for_documents(*, user_id: int, actor_role: str, number: str) -> OrderForDocuments:
    """The order for its trade documents, if the user may see it (its buyer, staff of its
    merchant of any role, operators; anyone else ``OrderNotFound``, 404). Four queries:
    the order with its lines and packages, its marketplace, its products' origins and
    weights. Whether the order is a B2B one is the caller's to check (``documents``)."""
    order = order_get(user_id=user_id, actor_role=actor_role, number=number)
    kind = marketplace_get_by_id(marketplace_id=order.marketplace_id).kind
    lines = list(order.lines.all())
    facts = catalog_selectors.variant_trade_facts(variant_ids=[line.variant_id for line in lines])
    return OrderForDocuments(
        id=order.pk,
        number=order.number,
        buyer_id=order.buyer_id,
        merchant_id=order.merchant_id,
        marketplace_id=order.marketplace_id,
        marketplace_kind=kind,
        status=order.status,
        currency=order.currency,
        subtotal_minor=order.subtotal_minor,
        tax_minor=order.tax_minor,
        total_minor=order.total_minor,
        refunded_minor=order.refunded_minor,
        payment_method=order.payment_method,
        ship_name=order.ship_name,
        ship_line1=order.ship_line1,
        ship_line2=order.ship_line2,
        ship_city=order.ship_city,
        ship_postal_code=order.ship_postal_code,
        ship_country=order.ship_country,
        ship_phone=order.ship_phone,
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        incoterm=order.incoterm,
        incoterm_place=order.incoterm_place,
        payment_terms=order.payment_terms,
        lead_time_days=order.lead_time_days,
        quote_ref=order.quote_ref,
        lines=tuple(
            DocumentLine(
                variant_id=line.variant_id,
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
                origin_country=facts[line.variant_id].origin_country
                if line.variant_id in facts
                else "",
                weight_grams=facts[line.variant_id].weight_grams if line.variant_id in facts else 0,
            )
            for line in lines
        ),
        packages=tuple(
            DocumentPackage(
                carrier=s.carrier,
                tracking_number=s.tracking_number,
                shipped_at=s.shipped_at,
                delivered_at=s.delivered_at,
            )
            for s in order.shipments.all()
        ),
        documents=trade_documents_available(
            marketplace_kind=kind, status=order.status, shipped_at=order.shipped_at
        ),
    )


# --- pavilions (trade): the deals of a group of merchants since each one's date ------------


@dataclass(frozen=True, slots=True)
class DealFigures:
    """Orders of a group of merchants on one marketplace: how many, their value net of
    refunds in ``currency`` (minor units; orders in another currency are counted but not
    valued, ``other_currency`` says how many), and the countries they ship to."""

    orders: int
    value: Money
    other_currency: int
    ship_countries: tuple[str, ...]


def deals_since(
    *,
    marketplace_id: int,
    currency: str,
    since_by_merchant: dict[int, datetime],
    until: datetime,
) -> DealFigures:
    """Paid, not cancelled orders of each merchant on the marketplace from its own date in
    ``since_by_merchant`` until ``until`` (exclusive). ONE aggregate statement: the
    (merchant, since) pairs are a VALUES list joined to the orders (an OR of 950 conditions
    cost seconds), grouped by currency and ship country. No authorization: the caller shows
    public aggregates."""
    if not since_by_merchant:
        return DealFigures(orders=0, value=Money(0, currency), other_currency=0, ship_countries=())
    pairs = sorted(since_by_merchant.items())
    params: list[Any] = []
    for merchant_id, since in pairs:
        params += [int(merchant_id), connection.ops.adapt_datetimefield_value(since)]
    marks = ", ".join(["(%s, %s)"] * len(pairs))
    sql = (
        f"WITH since_of(merchant_id, since) AS (VALUES {marks}) "
        f"SELECT o.currency, o.ship_country, COUNT(*), SUM(o.total_minor - o.refunded_minor) "
        f"FROM {Order._meta.db_table} o JOIN since_of a ON a.merchant_id = o.merchant_id "
        f"WHERE o.marketplace_id = %s AND o.paid_at >= a.since AND o.paid_at < %s "
        f"AND o.status <> %s GROUP BY o.currency, o.ship_country"
    )
    params += [
        marketplace_id,
        connection.ops.adapt_datetimefield_value(until),
        OrderStatus.CANCELLED.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [
            {"currency": r[0], "ship_country": r[1], "n": r[2], "net": r[3]}
            for r in cursor.fetchall()
        ]
    orders = other = value = 0
    countries: set[str] = set()
    for row in rows:
        orders += int(row["n"])
        countries.add(str(row["ship_country"]))
        if row["currency"] == currency:
            value += int(row["net"] or 0)
        else:
            other += int(row["n"])
    return DealFigures(
        orders=orders,
        value=Money(value, currency),
        other_currency=other,
        ship_countries=tuple(sorted(c for c in countries if c)),
    )


# --- core (analytics) ---


@dataclass(frozen=True, slots=True)
class OrderFactsRow:
    """An order as the analytics rebuild counts it: amounts in minor units of
    ``currency``, lines as (variant_id, quantity, amount_minor incl. tax)."""

    order_id: int
    merchant_id: int
    marketplace_id: int
    buyer_country: str
    status: str
    currency: str
    total_minor: int
    refunded_minor: int
    placed_at: datetime
    shipped_at: datetime | None
    lines: tuple[tuple[int, int, int], ...]


def order_facts_batch(
    *, since: datetime | None, after_id: int, limit: int = 1_000
) -> list[OrderFactsRow]:
    """Up to ``limit`` orders placed at ``since`` or later (all when None), ids above
    ``after_id``, by id, with their lines: the analytics rebuild's reader. Two queries; no
    authorization (the rebuild is an operator's/system's service)."""
    qs = Order.objects.filter(pk__gt=after_id)
    if since is not None:
        qs = qs.filter(placed_at__gte=since)
    heads = list(
        qs.order_by("pk").values_list(
            "pk",
            "merchant_id",
            "marketplace_id",
            "checkout__country",
            "status",
            "currency",
            "total_minor",
            "refunded_minor",
            "placed_at",
            "shipped_at",
        )[:limit]
    )
    if not heads:
        return []
    lines: dict[int, list[tuple[int, int, int]]] = {}
    for order_id, variant_id, quantity, amount, tax in (
        OrderLine.objects.filter(order_id__in=[h[0] for h in heads])
        .order_by("order_id", "pk")
        .values_list("order_id", "variant_id", "quantity", "line_total_minor", "tax_minor")
    ):
        lines.setdefault(int(order_id), []).append(
            (int(variant_id), int(quantity), int(amount) + int(tax))
        )
    return [
        OrderFactsRow(
            order_id=int(h[0]),
            merchant_id=int(h[1]),
            marketplace_id=int(h[2]),
            buyer_country=str(h[3] or ""),
            status=str(h[4]),
            currency=str(h[5]),
            total_minor=int(h[6]),
            refunded_minor=int(h[7]),
            placed_at=h[8],
            shipped_at=h[9],
            lines=tuple(lines.get(int(h[0]), ())),
        )
        for h in heads
    ]


@dataclass(frozen=True, slots=True)
class OrderState:
    """Where an order stands now, as the analytics' placed-event subscriber reads it."""

    status: str
    refunded_minor: int
    shipped_at: datetime | None


def order_states(*, order_ids: Iterable[int]) -> dict[int, OrderState]:
    """The orders' status, refunded amount and first shipment now, by id (one query).

    The outbox may deliver an order's ``cancelled``/``refunded``/``shipped`` event to a
    subscriber BEFORE its ``checkout.placed`` event (the relay runs a topic's subscribers in
    name order), and such an event finds nothing counted yet; so the placed subscriber
    counts the order as it stands. On PostgreSQL the rows are read ``FOR SHARE``: a change
    committing meanwhile waits for the subscriber's transaction, and its own event then
    finds the order counted. No authorization: the platform's subscribers call it."""
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        return {}
    qs = Order.objects.filter(pk__in=ids).order_by("pk")
    if connection.vendor == "postgresql":
        sql, params = qs.values_list(
            "pk", "status", "refunded_minor", "shipped_at"
        ).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} FOR SHARE", params)
            rows = cursor.fetchall()
    else:
        rows = list(qs.values_list("pk", "status", "refunded_minor", "shipped_at"))
    return {
        int(pk): OrderState(status=str(status), refunded_minor=int(refunded), shipped_at=shipped)
        for pk, status, refunded, shipped in rows
    }
