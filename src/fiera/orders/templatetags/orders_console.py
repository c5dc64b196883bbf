"""The orders app's figures on pages other apps render: the merchant console home
(``merchants/console_home.html``) shows sales, orders to ship and low stock, which the
merchants app, below orders and catalog in the layers, cannot read itself."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from fiera.orders import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def console_figures(context: dict[str, Any], merchant_id: int) -> selectors.ConsoleFigures | None:
    """``{% console_figures merchant.id as figures %}``: the home's figures for the
    signed-in staff member, or None for anyone else (the page then leaves them out)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    try:
        return selectors.console_figures(
            user_id=int(user.pk),
            actor_role=str(getattr(user, "role", "")),
            merchant_id=int(merchant_id),
            now=timezone.now(),
        )
    except selectors.NotStaff:
        return None
