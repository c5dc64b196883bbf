"""Reads of the orders app: the cart, the checkout quote, orders as each role may see them.

Visibility: a buyer sees their own orders, merchant staff their merchants' orders,
operators all. An order someone may not see is ``OrderNotFound`` (404).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext, gettext_lazy, ngettext

from fiera.accounts.roles import MERCHANT, OPERATOR
from fiera.catalog.reservations import checkout_variants_priced
from fiera.common.errors import NotFound, PermissionDenied
from fiera.marketplaces.selectors import (
    MarketplaceInfo,
    marketplace_get,
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
)
from fiera.orders.payment import payment_method_get
from fiera.orders.pricing import (
    CROSS_BORDER_KIND,
    CheckoutQuote,
    EmptyCheckout,
    allowance_used_minor,
    annual_limit_error,
    cross_border_regime_for,
    currency_for,
    lines_normalize,
    quote_compute,
)


class OrderNotFound(NotFound):
    code = "order_not_found"
    message_template = gettext_lazy("This order does not exist.")


class CheckoutNotFound(NotFound):
    code = "checkout_not_found"
    message_template = gettext_lazy("This checkout does not exist.")


class ConsoleOnly(PermissionDenied):
    code = "merchant_staff_only"
    message_template = gettext_lazy("The merchant console is for merchant staff.")


# cart ---------------------------------------------------------------------------------


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


def cart_view(*, buyer_id: int, marketplace_slug: str, country: str | None) -> CartView:
    """The buyer's cart on the marketplace priced for the destination ``country`` (or the
    marketplace's default one), with a problem text on each line that cannot be bought
    as it is. Five queries whatever the number of lines."""
    shopping = marketplace_shopping_context(slug=marketplace_slug, country=country)
    rows = list(
        CartLine.objects.filter(
            cart__buyer_id=buyer_id, cart__marketplace_id=shopping.marketplace.id
        ).values_list("cart_id", "variant_id", "quantity")
    )
    priced = checkout_variants_priced(
        marketplace_id=shopping.marketplace.id,
        currency=shopping.currency,
        variant_ids=[row[1] for row in rows],
        with_stock=True,
    )
    merchants = merchant_summaries(merchant_ids={v.merchant_id for v in priced.values()})
    lines: list[CartLineView] = []
    for _cart_id, variant_id, quantity in rows:
        variant = priced.get(variant_id)
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
                )
            )
            continue
        minimum = variant.order_minimum
        unit_price = variant.unit_price_minor(quantity)
        problem = ""
        if quantity < minimum or unit_price is None:
            problem = ngettext("sold from %(count)d unit", "sold from %(count)d units", minimum) % {
                "count": minimum
            }
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


# quote --------------------------------------------------------------------------------


def checkout_quote(
    *,
    buyer_id: int | None,
    marketplace_slug: str,
    country: str | None,
    lines: Sequence[tuple[int, int]] | None,
    now: datetime,
) -> CheckoutQuote:
    """What ``checkout_submit`` would charge, WITHOUT reserving anything: lines priced
    (tiers, MOQ), grouped per merchant, CBEC tax per line and the cross-border terms
    (with what is left of the buyer's yearly allowance). ``lines`` None quotes the
    buyer's cart. Refuses what the checkout would refuse, except stock, which is only
    reported (``units_available`` and ``warnings``)."""
    marketplace = marketplace_get(slug=marketplace_slug)
    destination = (country or "").strip().upper() or resolve_country(marketplace, None)
    currency = currency_for(marketplace, destination)
    if lines is None:
        if buyer_id is None:
            raise EmptyCheckout("sign in to quote your cart")
        lines = list(
            CartLine.objects.filter(
                cart__buyer_id=buyer_id, cart__marketplace_id=marketplace.id
            ).values_list("variant_id", "quantity")
        )
        if not lines:
            raise EmptyCheckout("your cart is empty")
    normalised = lines_normalize(lines)
    priced = checkout_variants_priced(
        marketplace_id=marketplace.id,
        currency=currency,
        variant_ids=[variant_id for variant_id, _ in normalised],
        with_stock=True,
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
        can_cancel=(
            status == OrderStatus.PLACED
            and (staff or order.buyer_id == user_id or actor_role == OPERATOR)
        )
        or (status == OrderStatus.PAID and (staff or actor_role == OPERATOR)),
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
