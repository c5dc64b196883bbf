"""Pages of the orders app: the cart and checkout on a marketplace, the buyer's orders,
and the merchant console's orders (ship, deliver, refund). Each view makes one call into
the domain for what it shows or changes and turns domain errors into messages or form
errors."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from fiera.accounts.roles import BUYER
from fiera.common.errors import DomainError, NotFound
from fiera.common.parsing import InvalidNumber, parse_id, parse_int, parse_page
from fiera.common.reference import countries as all_countries
from fiera.marketplaces.selectors import (
    MarketplaceInfo,
    shopping_country,
    shopping_session_key,
)
from fiera.orders import selectors, services
from fiera.orders.forms import CheckoutForm, RefundForm, ShipForm
from fiera.orders.models import OrderStatus
from fiera.orders.refusals import Refusal, checkout_refusal

PAGE_SIZE = 20
MAX_QUANTITY = 1_000_000_000  # cart line quantities are 32-bit integer columns


def _profile_country(request: HttpRequest) -> str | None:
    """The signed-in user's country (their profile), the default destination."""
    return getattr(request.user, "country", None) or None


def _user(request: HttpRequest) -> tuple[int, str]:
    user = request.user
    return int(user.pk), str(getattr(user, "role", ""))  # type: ignore[arg-type]


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _page(request: HttpRequest, items: Any) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(parse_page(request.GET.get("page")))


def _not_found(exc: NotFound) -> Http404:
    return Http404(exc.message())


# cart ---------------------------------------------------------------------------------


def cart_add(request: HttpRequest, slug: str) -> HttpResponse:
    """POST variant_id, quantity (default 1) and optionally next (where to come back).
    Anonymous visitors are sent to sign in, then back to ``next``."""
    cart_url = reverse("orders:cart", args=[slug])
    back = (
        _safe_next(request, request.POST.get("next"))
        or _safe_next(request, request.headers.get("referer"))
        or cart_url
    )
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if request.method != "POST":
        return HttpResponseRedirect(cart_url)
    user_id, role = _user(request)
    try:
        variant_id = parse_int(request.POST.get("variant_id"), field="variant_id", minimum=1)
        quantity = parse_int(
            request.POST.get("quantity") or "1", field="quantity", maximum=MAX_QUANTITY
        )
    except InvalidNumber:
        messages.error(request, _("Choose a variant and a quantity."))
        return HttpResponseRedirect(back)
    try:
        services.cart_line_set(
            buyer_id=user_id,
            actor_role=role,
            marketplace_slug=slug,
            variant_id=variant_id,
            quantity=quantity,
            add=True,
            country=shopping_country(request.session, slug, _profile_country(request)),
            now=timezone.now(),
        )
    except NotFound as exc:
        raise _not_found(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(back)
    messages.success(request, _("Added to your cart."))
    return HttpResponseRedirect(cart_url)


@login_required
def cart_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The cart; POST ``action``: "update" (fields qty-<variant id>; 0 removes),
    "remove" (value: the variant id)."""
    user_id, role = _user(request)
    country = shopping_country(request.session, slug, _profile_country(request))
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                services.cart_line_remove(
                    buyer_id=user_id,
                    actor_role=role,
                    marketplace_slug=slug,
                    variant_id=parse_int(request.POST["remove"], field="variant_id", minimum=1),
                    now=timezone.now(),
                )
                messages.success(request, _("Removed from your cart."))
            else:
                quantities = {
                    parse_int(key.removeprefix("qty-"), field="variant_id", minimum=1): parse_int(
                        str(value or 0), field="quantity", maximum=MAX_QUANTITY
                    )
                    for key, value in request.POST.items()
                    if key.startswith("qty-")
                }
                services.cart_update(
                    buyer_id=user_id,
                    actor_role=role,
                    marketplace_slug=slug,
                    quantities=quantities,
                    now=timezone.now(),
                )
                messages.success(request, _("Your cart is updated."))
        except InvalidNumber:
            messages.error(request, _("Quantities are whole numbers."))
        except NotFound as exc:
            raise _not_found(exc) from None
        except DomainError as exc:
            messages.error(request, exc.message())
        return HttpResponseRedirect(reverse("orders:cart", args=[slug]))
    try:
        cart = selectors.cart_view(buyer_id=user_id, marketplace_slug=slug, country=country)
    except NotFound as exc:
        raise _not_found(exc) from None
    return render(
        request,
        "orders/cart.html",
        {"cart": cart, "marketplace": cart.marketplace, "shopping": cart},
    )


# checkout -----------------------------------------------------------------------------


def _country_choices(marketplace: MarketplaceInfo) -> list[tuple[str, str]]:
    if marketplace.worldwide:
        return [(c.code, c.name) for c in all_countries()]
    names = {c.code: c.name for c in all_countries()}
    return [(code, names.get(code, code)) for code in marketplace.countries]


@login_required
def checkout_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The address form, the quote (with cross-border tax) and the place-order button.
    POST ``action`` "quote" re-prices for the chosen country; "place" places the order
    (the hidden Idempotency-Key makes a double submit place it once)."""
    user_id, role = _user(request)
    session_key = shopping_session_key(slug)
    try:
        cart = selectors.cart_view(
            buyer_id=user_id,
            marketplace_slug=slug,
            country=shopping_country(request.session, slug, _profile_country(request)),
        )
    except NotFound as exc:
        raise _not_found(exc) from None
    choices = _country_choices(cart.marketplace)
    status = 200
    error = ""
    refusal: Refusal | None = None
    if request.method == "POST":
        form = CheckoutForm(request.POST, countries=choices)
        if form.is_valid():
            country = form.cleaned_data["country"]
            request.session[session_key] = country
            if request.POST.get("action") == "place":
                try:
                    result = services.checkout_submit(
                        buyer_id=user_id,
                        actor_role=role,
                        marketplace_slug=slug,
                        country=country,
                        lines=None,
                        shipping_address=form.address(),
                        payment_method=form.cleaned_data["payment_method"],
                        idempotency_key=form.cleaned_data["idempotency_key"],
                        now=timezone.now(),
                    )
                except DomainError as exc:
                    error, status = exc.message(), exc.status
                    refusal = checkout_refusal(exc, cart.currency)
                else:
                    messages.success(request, _("Thank you: your order is placed."))
                    return HttpResponseRedirect(
                        reverse("orders:checkout_done", args=[result.checkout_id])
                    )
        else:
            status = 400
        quote_country = form.data.get("country") or cart.country
    else:
        form = CheckoutForm(
            countries=choices,
            initial={
                "country": cart.country,
                "idempotency_key": uuid.uuid4().hex,
                "name": request.user.get_full_name(),  # type: ignore[union-attr]
            },
        )
        quote_country = cart.country
    quote = None
    quote_error = ""
    if cart.lines:
        try:
            quote = selectors.checkout_quote(
                buyer_id=user_id,
                marketplace_slug=slug,
                country=str(quote_country),
                lines=None,
                now=timezone.now(),
            )
        except DomainError as exc:
            # A rule refuses this cart: the page says which and what to do, keeps the order
            # summary (the quote without the buyer's allowance, or the cart's lines) and
            # the place-order button is disabled.
            quote_error = exc.message()
            refusal = checkout_refusal(exc, cart.currency)
            if exc.code == "cross_border_annual_limit":
                quote = selectors.checkout_quote(
                    buyer_id=None,
                    marketplace_slug=slug,
                    country=str(quote_country),
                    lines=[(line.variant_id, line.quantity) for line in cart.lines],
                    now=timezone.now(),
                )
    return render(
        request,
        "orders/checkout.html",
        {
            "cart": cart,
            "marketplace": cart.marketplace,
            "shopping": cart,
            "form": form,
            "quote": quote,
            "quote_error": quote_error,
            "error": error,
            "refusal": refusal,
            "blocked": quote is None or bool(quote_error),
        },
        status=status,
    )


@login_required
def checkout_done(request: HttpRequest, checkout_id: int) -> HttpResponse:
    user_id, _role = _user(request)
    try:
        checkout = selectors.checkout_get(buyer_id=user_id, checkout_id=checkout_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    return render(request, "orders/checkout_done.html", {"checkout": checkout})


# the buyer's orders -------------------------------------------------------------------


def _status_filter(request: HttpRequest) -> str | None:
    status = request.GET.get("status") or None
    return status if status in OrderStatus.values else None


@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    """The orders the signed-in person placed, newest first, paged."""
    user_id, _role = _user(request)
    status = _status_filter(request)
    orders = selectors.order_list(user_id=user_id, actor_role=BUYER, status=status)
    return render(
        request,
        "orders/my_orders.html",
        {"page": _page(request, orders), "status": status or "", "statuses": OrderStatus.choices},
    )


def _act(request: HttpRequest, number: str, *, console: bool) -> HttpResponse | None:
    """Run the POSTed action on the order; None when a form must be shown with errors."""
    user_id, role = _user(request)
    action = request.POST.get("action")
    now = timezone.now()
    try:
        if action == "cancel":
            services.order_cancel(actor_id=user_id, actor_role=role, number=number, now=now)
            messages.success(request, _("The order is cancelled."))
        elif action == "deliver":
            services.order_deliver(actor_id=user_id, actor_role=role, number=number, now=now)
            messages.success(request, _("The order is marked delivered."))
        else:
            messages.error(request, _("Unknown action."))
    except NotFound as exc:
        raise _not_found(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    name = "orders:console_order" if console else "orders:order_detail"
    return HttpResponseRedirect(reverse(name, args=[number]))


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    """An order as its buyer sees it; POST action=cancel while it is placed."""
    user_id, role = _user(request)
    if request.method == "POST":
        response = _act(request, number, console=False)
        if response is not None:
            return response
    try:
        page = selectors.order_page(user_id=user_id, actor_role=role, number=number)
    except NotFound as exc:
        raise _not_found(exc) from None
    return render(request, "orders/order_detail.html", {"view": page, "order": page.order})


# merchant console ---------------------------------------------------------------------


def _console(request: HttpRequest) -> selectors.ConsoleContext:
    user_id, role = _user(request)
    try:
        return selectors.console_context(user_id=user_id, actor_role=role)
    except DomainError as exc:
        raise PermissionDenied(exc.message()) from None


@login_required
def console_orders(request: HttpRequest) -> HttpResponse:
    """The merchant's orders, newest first, by status, paged (operators: all merchants)."""
    context = _console(request)
    user_id, role = _user(request)
    status = _status_filter(request)
    raw_merchant = request.GET.get("merchant", "")
    merchant_id = parse_id(raw_merchant)
    if raw_merchant and merchant_id is None:
        messages.warning(request, _("That company filter is not a company id: showing all."))
    orders = selectors.order_list(
        user_id=user_id, actor_role=role, status=status, merchant_id=merchant_id
    )
    return render(
        request,
        "orders/console_orders.html",
        {
            "console_section": "orders",
            "page": _page(request, orders),
            "status": status or "",
            "statuses": OrderStatus.choices,
            "merchants": context.merchants,
            "merchant_id": merchant_id,
        },
    )


@login_required
def console_order(request: HttpRequest, number: str) -> HttpResponse:
    """One order in the console: ship (carrier + tracking number), mark delivered,
    refund (amount in major units), cancel."""
    _console(request)
    user_id, role = _user(request)
    try:
        page = selectors.order_page(user_id=user_id, actor_role=role, number=number)
    except NotFound as exc:
        raise _not_found(exc) from None
    ship_form = ShipForm(prefix="ship")
    refund_form = RefundForm(prefix="refund", currency=page.order.currency)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        now = timezone.now()
        if action == "ship":
            ship_form = ShipForm(request.POST, prefix="ship")
            if ship_form.is_valid():
                try:
                    services.order_ship(
                        actor_id=user_id,
                        actor_role=role,
                        number=number,
                        carrier=ship_form.cleaned_data["carrier"],
                        tracking_number=ship_form.cleaned_data["tracking_number"],
                        now=now,
                    )
                except DomainError as exc:
                    ship_form.add_error(None, exc.message())
                else:
                    messages.success(request, _("The package is recorded as shipped."))
                    return HttpResponseRedirect(reverse("orders:console_order", args=[number]))
            status = 400
        elif action == "refund":
            refund_form = RefundForm(request.POST, prefix="refund", currency=page.order.currency)
            if refund_form.is_valid():
                try:
                    services.order_refund(
                        actor_id=user_id,
                        actor_role=role,
                        number=number,
                        amount_minor=refund_form.cleaned_data["amount"],
                        reason=refund_form.cleaned_data["reason"],
                        now=now,
                    )
                except DomainError as exc:
                    refund_form.add_error(None, exc.message())
                else:
                    messages.success(request, _("The refund is recorded."))
                    return HttpResponseRedirect(reverse("orders:console_order", args=[number]))
            status = 400
        else:
            response = _act(request, number, console=True)
            if response is not None:
                return response
    return render(
        request,
        "orders/console_order.html",
        {
            "console_section": "orders",
            "view": page,
            "order": page.order,
            "ship_form": ship_form,
            "refund_form": refund_form,
        },
        status=status,
    )
