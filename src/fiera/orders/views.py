"""Pages of the orders app: the cart and checkout on a marketplace, the buyer's orders,
and the merchant console's orders (ship, deliver, refund). Each view makes one call into
the domain for what it shows or changes and turns domain errors into messages or form
errors."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from fiera.accounts.roles import BUYER
from fiera.catalog import selectors as catalog_selectors
from fiera.common.errors import DomainError, NotFound
from fiera.common.errors import PermissionDenied as PermissionDeniedError
from fiera.common.parsing import InvalidNumber, parse_id, parse_int, parse_page
from fiera.common.reference import countries_by_local_name, country_name, local_sort_key
from fiera.marketplaces.selectors import (
    MarketplaceInfo,
    shopping_country,
    shopping_session_key,
)
from fiera.orders import selectors, services
from fiera.orders.forms import AddressForm, CheckoutForm, RefundForm, ShipForm
from fiera.orders.models import OrderStatus, SavedAddress
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
    if request.method != "POST":
        return HttpResponseRedirect(cart_url)
    try:
        variant_id = parse_int(request.POST.get("variant_id"), field="variant_id", minimum=1)
        quantity = parse_int(
            request.POST.get("quantity") or "1", field="quantity", maximum=MAX_QUANTITY
        )
    except InvalidNumber:
        messages.error(request, _("Choose a variant and a quantity."))
        return HttpResponseRedirect(back)
    sample = request.POST.get("sample") == "1"  # --- cart samples ---
    if not request.user.is_authenticated:
        if sample:  # a sample is a business buyer's order: sign in first
            messages.info(request, _("Sign in to order a sample."))
            return redirect_to_login(back)
        return _guest_cart_add(request, slug, variant_id, quantity, back=back)
    user_id, role = _user(request)
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
            sample=sample,
        )
    except NotFound as exc:
        raise _not_found(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(back)
    messages.success(request, _("Added to your cart."))
    return HttpResponseRedirect(cart_url)


# the guest cart: a signed-out visitor's cart lives in their session until they sign in,
# when ``merge_guest_cart`` (on Django's user_logged_in signal) moves it into their cart.

GUEST_CART_SESSION_KEY = selectors.GUEST_CART_SESSION_KEY


def guest_cart_lines(request: HttpRequest, slug: str) -> dict[int, int]:
    """The visitor's session cart on the marketplace: variant id -> quantity."""
    carts = request.session.get(GUEST_CART_SESSION_KEY) or {}
    lines = carts.get(slug) if isinstance(carts, dict) else None
    if not isinstance(lines, dict):
        return {}
    found: dict[int, int] = {}
    for key, value in lines.items():
        if str(key).isdigit() and type(value) is int and value > 0:
            found[int(key)] = value
    return found


def _guest_cart_store(request: HttpRequest, slug: str, lines: dict[int, int]) -> None:
    carts = request.session.get(GUEST_CART_SESSION_KEY)
    carts = dict(carts) if isinstance(carts, dict) else {}
    if lines:
        carts[slug] = {str(variant_id): quantity for variant_id, quantity in lines.items()}
    else:
        carts.pop(slug, None)
    request.session[GUEST_CART_SESSION_KEY] = carts


def _guest_cart_add(
    request: HttpRequest, slug: str, variant_id: int, quantity: int, *, back: str
) -> HttpResponse:
    try:
        lines = services.guest_cart_line_set(
            lines=guest_cart_lines(request, slug),
            marketplace_slug=slug,
            variant_id=variant_id,
            quantity=quantity,
            add=True,
            country=shopping_country(request.session, slug, None),
        )
    except NotFound as exc:
        raise _not_found(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(back)
    _guest_cart_store(request, slug, lines)
    messages.success(request, _("Added to your cart."))
    return HttpResponseRedirect(reverse("orders:cart", args=[slug]))


def _guest_cart_page(request: HttpRequest, slug: str) -> HttpResponse:
    country = shopping_country(request.session, slug, None)
    if request.method == "POST":
        lines = guest_cart_lines(request, slug)
        try:
            if "remove" in request.POST:
                lines.pop(parse_int(request.POST["remove"], field="variant_id", minimum=1), None)
                messages.success(request, _("Removed from your cart."))
            else:
                for key, value in request.POST.items():
                    if not key.startswith("qty-"):
                        continue
                    variant_id = parse_int(key.removeprefix("qty-"), field="variant_id", minimum=1)
                    quantity = parse_int(str(value or 0), field="quantity", maximum=MAX_QUANTITY)
                    if variant_id not in lines:
                        continue
                    if quantity == 0:
                        lines.pop(variant_id)
                        continue
                    lines = services.guest_cart_line_set(
                        lines=lines,
                        marketplace_slug=slug,
                        variant_id=variant_id,
                        quantity=quantity,
                        country=country,
                    )
                messages.success(request, _("Your cart is updated."))
            _guest_cart_store(request, slug, lines)
        except InvalidNumber:
            messages.error(request, _("Quantities are whole numbers."))
        except NotFound as exc:
            raise _not_found(exc) from None
        except DomainError as exc:
            messages.error(request, exc.message())
        return HttpResponseRedirect(reverse("orders:cart", args=[slug]))
    try:
        cart = selectors.guest_cart_view(
            lines=list(guest_cart_lines(request, slug).items()),
            marketplace_slug=slug,
            country=country,
        )
    except NotFound as exc:
        raise _not_found(exc) from None
    return render(
        request,
        "orders/cart.html",
        {"cart": cart, "marketplace": cart.marketplace, "shopping": cart, "guest": True},
    )


def merge_guest_cart(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Receiver of ``user_logged_in``: the visitor's session carts join the cart of the
    account they signed in to (quantities add up), and a message says so. Accounts that
    cannot shop keep the session cart untouched (a buyer may sign in later)."""
    if request is None or not hasattr(request, "session"):
        return
    carts = request.session.get(GUEST_CART_SESSION_KEY)
    if not isinstance(carts, dict) or not carts:
        return
    lines = {slug: guest_cart_lines(request, slug) for slug in carts if isinstance(slug, str)}
    try:
        units = services.cart_merge_guest(
            buyer_id=int(user.pk),
            actor_role=str(getattr(user, "role", "")),
            carts=lines,
            now=timezone.now(),
        )
    except DomainError:
        return
    request.session.pop(GUEST_CART_SESSION_KEY, None)
    if units:
        # In the account's language: the sign-in switches the pages to it (web.views).
        preferred = str(getattr(user, "preferred_language", "") or "")
        languages = {code for code, _name in settings.LANGUAGES}
        with translation.override(preferred if preferred in languages else get_language()):
            text = ngettext(
                "We kept your cart: the item you added before signing in is in it.",
                "We kept your cart: the %(count)d items you added before signing in are in it.",
                units,
            ) % {"count": units}
        # A login outside a page (the test client's) has no message storage.
        messages.info(request, text, fail_silently=True)


def cart_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The cart; POST ``action``: "update" (fields qty-<variant id>; 0 removes),
    "remove" (value: the variant id). A signed-out visitor's cart is their session's."""
    if not request.user.is_authenticated:
        return _guest_cart_page(request, slug)
    user_id, role = _user(request)
    country = shopping_country(request.session, slug, _profile_country(request))
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                removed = request.POST["remove"]  # "<variant id>" or "sample-<variant id>"
                services.cart_line_remove(
                    buyer_id=user_id,
                    actor_role=role,
                    marketplace_slug=slug,
                    variant_id=parse_int(
                        removed.removeprefix("sample-"), field="variant_id", minimum=1
                    ),
                    now=timezone.now(),
                    sample=removed.startswith("sample-"),
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
        return [(c.code, c.name) for c in countries_by_local_name()]
    return sorted(
        ((code, country_name(code)) for code in marketplace.countries),
        key=lambda row: local_sort_key(row[1]),
    )


def _checkout_sign_in(request: HttpRequest, slug: str) -> HttpResponse:
    """A signed-out visitor at the checkout: sign in or open an account; the cart is kept."""
    try:
        cart = selectors.guest_cart_view(
            lines=list(guest_cart_lines(request, slug).items()),
            marketplace_slug=slug,
            country=shopping_country(request.session, slug, None),
        )
    except NotFound as exc:
        raise _not_found(exc) from None
    return render(
        request,
        "orders/checkout_sign_in.html",
        {
            "cart": cart,
            "marketplace": cart.marketplace,
            "shopping": cart,
            "next": reverse("orders:checkout", args=[slug]),
        },
    )


def checkout_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The address form, the quote (with cross-border tax) and the place-order button.
    POST ``action`` "quote" re-prices for the chosen country; "place" places the order
    (the hidden Idempotency-Key makes a double submit place it once). A saved address
    fills the form (``?address=<id>``, else the buyer's default); ``save_address`` keeps
    the one entered in the address book once the order is placed. Signed-out visitors
    are asked to sign in (their cart is kept)."""
    if not request.user.is_authenticated:
        return _checkout_sign_in(request, slug)
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
    addresses = selectors.address_list(buyer_id=user_id, actor_role=role) if role == BUYER else []
    status = 200
    error = ""
    refusal: Refusal | None = None
    if request.method == "POST":
        form = CheckoutForm(request.POST, countries=choices, marketplace_kind=cart.marketplace.kind)
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
                        # the unit prices the summary showed: a price that changed since
                        # (a flash sale sold out or ended...) is refused, not charged
                        expected_prices=_expected_prices(request),
                        now=timezone.now(),
                    )
                except InvalidNumber:
                    error, status = _("The order summary was not sent whole; check it again."), 400
                except DomainError as exc:
                    error, status = exc.message(), exc.status
                    refusal = checkout_refusal(exc, cart.currency)
                else:
                    messages.success(request, _("Thank you: your order is placed."))
                    if form.cleaned_data.get("save_address"):
                        _save_address(request, form.address())
                    return HttpResponseRedirect(
                        reverse("orders:checkout_done", args=[result.checkout_id])
                    )
        else:
            status = 400
        quote_country = form.data.get("country") or cart.country
    else:
        initial: dict[str, Any] = {
            "country": cart.country,
            "idempotency_key": uuid.uuid4().hex,
            "name": request.user.get_full_name(),
        }
        picked = _picked_address(addresses, request.GET.get("address"))
        if picked is not None and picked.country in dict(choices):
            initial.update({key: getattr(picked, key) for key in ADDRESS_FIELDS})
        form = CheckoutForm(
            countries=choices, initial=initial, marketplace_kind=cart.marketplace.kind
        )
        quote_country = initial["country"]
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
                    lines=[(ln.variant_id, ln.quantity) for ln in cart.lines if not ln.is_sample],
                    now=timezone.now(),
                    samples=[(ln.variant_id, ln.quantity) for ln in cart.lines if ln.is_sample],
                )
                # The summary keeps the "left of your allowance" line: the refusal's amount.
                quote = selectors.quote_with_allowance_left(
                    quote, left_minor=exc.extra.get("left_minor")
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
            "addresses": addresses,
        },
        status=status,
    )


EXPECTED_PRICE_PREFIX = "expected-"  # hidden fields expected-<variant id>: unit price shown


def _expected_prices(request: HttpRequest) -> dict[int, int]:
    """The unit prices (minor units) the checkout page showed, by variant, from its hidden
    fields; ``InvalidNumber`` when one is not a whole number in range."""
    return {
        parse_int(key.removeprefix(EXPECTED_PRICE_PREFIX), field="variant_id", minimum=1): (
            parse_int(str(value), field="unit_price_minor", minimum=0, maximum=10**15)
        )
        for key, value in request.POST.items()
        if key.startswith(EXPECTED_PRICE_PREFIX)
    }


ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postal_code", "country", "phone")


def _picked_address(addresses: list[SavedAddress], raw_id: str | None) -> SavedAddress | None:
    """The saved address asked for by id (``?address=``), else the default one."""
    wanted = parse_id(raw_id) if raw_id else None
    for address in addresses:
        if (wanted is None and address.is_default) or address.pk == wanted:
            return address
    return None


def _save_address(request: HttpRequest, address: dict[str, str]) -> None:
    """The checkout's "save this address": after the order is placed, its own use case."""
    user_id, role = _user(request)
    try:
        services.address_create(
            buyer_id=user_id, actor_role=role, address=address, now=timezone.now()
        )
    except DomainError as exc:
        messages.warning(request, exc.message())
    else:
        messages.info(request, _("The address is saved in your address book."))


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


def _act(
    request: HttpRequest, number: str, *, console: bool, query: str = ""
) -> HttpResponse | None:
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
        elif action == "pay" and not console:
            services.order_pay(buyer_id=user_id, actor_role=role, number=number, now=now)
            messages.success(
                request,
                _("Thank you: the order is paid. The shop now prepares it for shipping."),
            )
        else:
            messages.error(request, _("Unknown action."))
    except NotFound as exc:
        raise _not_found(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        if exc.code in WALLET_SHORT:
            messages.info(request, _("Top up your wallet, then pay again before the deadline."))
    name = "orders:console_order" if console else "orders:order_detail"
    return HttpResponseRedirect(reverse(name, args=[number]) + (f"?{query}" if query else ""))


WALLET_SHORT = frozenset({"insufficient_funds", "no_wallet"})  # the pay button's refusals


def _seconds_left(page: selectors.OrderPage) -> int | None:
    """Seconds until a pay-later order's deadline (0 once passed); None for other orders."""
    due = page.order.payment_due_at
    if not page.order.awaiting_payment or due is None:
        return None
    return max(0, int((due - timezone.now()).total_seconds()))


def _clock(seconds: int) -> str:
    """``MM:SS``, or ``H:MM:SS`` from an hour (as orders/static/orders/orders.js ticks it)."""
    hours, rest = divmod(seconds, 3600)
    clock = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{hours}:{clock}" if hours else clock


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    """An order as its buyer sees it; POST action=cancel while it is placed, action=pay
    while a pay-later order awaits its payment (the page counts the time left down)."""
    user_id, role = _user(request)
    if request.method == "POST":
        response = _act(request, number, console=False)
        if response is not None:
            return response
    try:
        page = selectors.order_page(user_id=user_id, actor_role=role, number=number)
    except NotFound as exc:
        raise _not_found(exc) from None
    left = _seconds_left(page)
    return render(
        request,
        "orders/order_detail.html",
        {
            "view": page,
            "order": page.order,
            "pay_seconds_left": left,
            "pay_clock": _clock(left or 0),
            "escrow": selectors.order_escrow(page.order),  # trade assurance
            "buyer_view": True,
            "panels": selectors.order_panels(number=number, actor_id=user_id, actor_role=role),
        },
    )


@login_required
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """The buyer's "Cancel order": GET asks to confirm (what happens to the money and the
    goods); POST cancels through ``services.order_cancel`` (before it ships: a paid order
    is refunded in full). Refusals come back as a message on the order page."""
    user_id, role = _user(request)
    if request.method == "POST":
        try:
            order = services.order_cancel(
                actor_id=user_id,
                actor_role=role,
                number=number,
                reason="cancelled by the buyer",
                now=timezone.now(),
            )
        except NotFound as exc:
            raise _not_found(exc) from None
        except DomainError as exc:
            messages.error(request, exc.message())
        else:
            if order.refunded_minor:
                messages.success(
                    request, _("The order is cancelled and its payment is refunded in full.")
                )
            else:
                messages.success(request, _("The order is cancelled."))
        return HttpResponseRedirect(reverse("orders:order_detail", args=[number]))
    try:
        page = selectors.order_page(user_id=user_id, actor_role=role, number=number)
    except NotFound as exc:
        raise _not_found(exc) from None
    if not page.can_cancel:
        if page.order.status in {OrderStatus.SHIPPED, OrderStatus.DELIVERED}:
            messages.error(request, services.ALREADY_SHIPPED_MESSAGE)
        else:
            messages.error(request, _("This order can no longer be cancelled."))
        return HttpResponseRedirect(reverse("orders:order_detail", args=[number]))
    return render(request, "orders/order_cancel.html", {"view": page, "order": page.order})


# address book -------------------------------------------------------------------------


def _address_form_for(address: SavedAddress | None, data: Any = None) -> AddressForm:
    initial = (
        {key: getattr(address, key) for key in (*ADDRESS_FIELDS, "is_default")} if address else None
    )
    return AddressForm(data, initial=initial)


@login_required
def addresses(request: HttpRequest) -> HttpResponse:
    """The buyer's address book: the list, a form to add one; POST ``action`` "add",
    "default" or "delete" (with ``address`` = its id)."""
    user_id, role = _user(request)
    form = AddressForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        now = timezone.now()
        try:
            if action == "add":
                form = AddressForm(request.POST)
                if form.is_valid():
                    services.address_create(
                        buyer_id=user_id,
                        actor_role=role,
                        address=form.address(),
                        make_default=form.cleaned_data["is_default"],
                        now=now,
                    )
                    messages.success(request, _("The address is saved in your address book."))
                    return HttpResponseRedirect(reverse("orders:addresses"))
                status = 400
            elif action in {"default", "delete"}:
                address_id = parse_int(request.POST.get("address"), field="address", minimum=1)
                if action == "default":
                    services.address_set_default(
                        buyer_id=user_id, actor_role=role, address_id=address_id, now=now
                    )
                    messages.success(request, _("This is now your default address."))
                else:
                    services.address_delete(
                        buyer_id=user_id, actor_role=role, address_id=address_id, now=now
                    )
                    messages.success(request, _("The address is deleted."))
                return HttpResponseRedirect(reverse("orders:addresses"))
            else:
                messages.error(request, _("Unknown action."))
                return HttpResponseRedirect(reverse("orders:addresses"))
        except InvalidNumber:
            raise Http404(_("This address is not in your address book.")) from None
        except NotFound as exc:
            raise _not_found(exc) from None
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message()) from None
        except DomainError as exc:
            form.add_error(None, exc.message())
            status = exc.status
    try:
        book = selectors.address_list(buyer_id=user_id, actor_role=role)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message()) from None
    return render(
        request, "orders/addresses.html", {"addresses": book, "form": form}, status=status
    )


@login_required
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    """Change one saved address (another buyer's is not found)."""
    user_id, role = _user(request)
    try:
        address = selectors.address_get(buyer_id=user_id, actor_role=role, address_id=address_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message()) from None
    form = _address_form_for(address)
    status = 200
    if request.method == "POST":
        form = _address_form_for(address, request.POST)
        if form.is_valid():
            try:
                services.address_update(
                    buyer_id=user_id,
                    actor_role=role,
                    address_id=address_id,
                    address=form.address(),
                    make_default=form.cleaned_data["is_default"],
                    now=timezone.now(),
                )
            except DomainError as exc:
                form.add_error(None, exc.message())
            else:
                messages.success(request, _("The address is updated."))
                return HttpResponseRedirect(reverse("orders:addresses"))
        status = 400
    return render(
        request,
        "orders/address_edit.html",
        {"address": address, "form": form},
        status=status,
    )


# merchant console ---------------------------------------------------------------------


def _console(request: HttpRequest) -> selectors.ConsoleContext:
    user_id, role = _user(request)
    try:
        return selectors.console_context(user_id=user_id, actor_role=role)
    except DomainError as exc:
        raise PermissionDenied(exc.message()) from None


def _console_list_query(request: HttpRequest) -> str:
    """The console orders list's filters (status, company, page) as a query string,
    rebuilt from the known fields only, so the order page and its forms lead back there."""
    status = _status_filter(request)
    merchant_id = parse_id(request.GET.get("merchant", ""))
    number = parse_page(request.GET.get("page"))
    params = {"status": status, "merchant": merchant_id, "page": number if number > 1 else None}
    return urlencode({k: v for k, v in params.items() if v})


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
            "list_query": _console_list_query(request),
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
    list_query = _console_list_query(request)
    here = reverse("orders:console_order", args=[number]) + (f"?{list_query}" if list_query else "")
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
                    return HttpResponseRedirect(here)
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
                    return HttpResponseRedirect(here)
            status = 400
        else:
            response = _act(request, number, console=True, query=list_query)
            if response is not None:
                return response
    return render(
        request,
        "orders/console_order.html",
        {
            "console_section": "orders",
            "view": page,
            "order": page.order,
            "escrow": selectors.order_escrow(page.order),  # trade assurance
            "panels": selectors.order_panels(number=number, actor_id=user_id, actor_role=role),
            "ship_form": ship_form,
            "refund_form": refund_form,
            "list_url": reverse("orders:console_orders") + (f"?{list_query}" if list_query else ""),
            "here": here,
        },
        status=status,
    )


@login_required
def console_stock_movements(request: HttpRequest) -> HttpResponse:
    """Every change of one company's stock, sales included, newest first; by warehouse and
    kind, paged by a cursor (``?before=``)."""
    context = _console(request)
    user_id, role = _user(request)
    if not context.merchant_ids:
        raise PermissionDenied(_("The merchant console is for merchant staff."))
    raw_merchant = request.GET.get("merchant", "")
    merchant_id = parse_id(raw_merchant) if raw_merchant else context.merchant_ids[0]
    if merchant_id not in context.merchant_ids:
        raise Http404(_("No such company."))
    kinds = [(selectors.SALE, _("Sale")), *catalog_selectors.movement_kinds()]
    kind = request.GET.get("kind") or ""
    kind = kind if kind in dict(kinds) else ""
    warehouse_id = parse_id(request.GET.get("warehouse", ""))
    history = selectors.stock_history(
        user_id=user_id,
        actor_role=role,
        merchant_id=merchant_id,
        warehouse_id=warehouse_id,
        kind=kind or None,
        before=selectors.parse_history_cursor(request.GET.get("before")),
        limit=PAGE_SIZE,
    )
    params = {"merchant": merchant_id, "warehouse": warehouse_id, "kind": kind}
    filters = {k: v for k, v in params.items() if v}
    older = urlencode({**filters, "before": history.next_cursor}) if history.next_cursor else ""
    return render(
        request,
        "orders/console_stock_movements.html",
        {
            "console_section": "stock",
            "history": history,
            "kinds": kinds,
            "kind": kind,
            "warehouse_id": warehouse_id,
            "merchant_id": merchant_id,
            "merchants": context.merchants,
            "kind_labels": dict(kinds),
            "newest_query": urlencode(filters) if request.GET.get("before") else "",
            "older_query": older,
            "stock_url": reverse("catalog:console_stock") + f"?merchant={merchant_id}",
        },
    )
