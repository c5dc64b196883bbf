"""Template tags of the orders app: the count on the storefront's Cart link and the
carrier's tracking link of a shipment."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from fiera.accounts.roles import BUYER
from fiera.common import trade_terms
from fiera.orders import carriers, selectors

register = template.Library()

GUEST_CART_SESSION_KEY = selectors.GUEST_CART_SESSION_KEY


def _guest_units(request: Any, slug: str) -> int:
    carts = request.session.get(GUEST_CART_SESSION_KEY) if hasattr(request, "session") else None
    lines = carts.get(slug) if isinstance(carts, dict) else None
    if not isinstance(lines, dict):
        return 0
    return sum(value for value in lines.values() if type(value) is int and value > 0)


@register.simple_tag(takes_context=True)
def cart_count(context: template.Context, marketplace: Any) -> SafeString | str:
    """The units in the visitor's cart on ``marketplace``, as a badge for the Cart link
    (empty when none): one query for a signed-in buyer, none for a guest (their session
    cart) or for other accounts."""
    request = context.get("request")
    if request is None or marketplace is None:
        return ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if getattr(user, "role", "") != BUYER:
            return ""
        units = selectors.cart_units(buyer_id=int(user.pk), marketplace_id=int(marketplace.id))
    else:
        units = _guest_units(request, str(marketplace.slug))
    if units <= 0:
        return ""
    label = ngettext("%(count)d item in your cart", "%(count)d items in your cart", units) % {
        "count": units
    }
    return format_html(
        '<span class="cart-count" data-cart-count="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        units,
        units if units < 1000 else "999+",
        label,
    )


@register.simple_tag
def tracking(carrier: str, number: str) -> SafeString:
    """The tracking number as a link to the carrier's tracking page (a new tab, no
    referrer), or as plain text for a carrier not in ``orders/data/carriers.json``."""
    url = carriers.tracking_url(carrier, number)
    if url is None:
        return format_html('<strong class="tracking-number">{}</strong>', number)
    return format_html(
        '<a class="tracking-number" href="{}" target="_blank" rel="noopener noreferrer">'
        "<strong>{}</strong></a>",
        url,
        number,
    )


# --- listing terms ---


@register.filter
def incoterm_name(code: str) -> str:
    """The Incoterms 2020 rule's name in the active language ("FOB" -> "Free on Board")."""
    return trade_terms.incoterm_name(code)


@register.filter
def payment_terms_name(code: str) -> str:
    """The payment terms in the active language ("assurance" -> "Trade assurance: ...")."""
    return trade_terms.payment_terms_name(code)
