"""What the checkout page says when a rule refuses a checkout: which rule, what it means
for this cart, and what the buyer can do, in the reader's language (it, en, zh-Hans, es).

Built from the domain error's stable ``code`` and its parameters (``exc.extra``), never
from its English ``detail``: the rule's own message (``exc.message()``, translated, the same
the API answers) says what it means for the cart where that is enough; an error without a
wording here falls back to its message and general advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fiera.common.errors import DomainError
from fiera.common.money import Money, MoneyError


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str  # the domain error's code, e.g. "cross_border_annual_limit"
    rule: str  # the rule's name
    detail: str  # what the rule means for this cart
    advice: str  # what the buyer can do
    wallet_help: bool = False  # the wallet page can help (top up)


def _money(amount_minor: Any, currency: str) -> str:
    try:
        return Money(int(amount_minor), currency).format(get_language() or "en")
    except (MoneyError, TypeError, ValueError):
        return ""


def checkout_refusal(exc: DomainError, currency: str) -> Refusal:
    """The page's wording for ``exc`` refusing a checkout priced in ``currency``."""
    extra = exc.extra
    code = exc.code
    if code == "cross_border_annual_limit":
        left = _money(extra.get("left_minor", 0), currency)
        limit = _money(extra.get("limit_minor", 0), currency)
        params = {"limit": limit, "left": left, "year": extra.get("year", "")}
        return Refusal(
            code,
            _("Yearly cross-border shopping allowance"),
            _(
                "China's customs let each shopper buy at most %(limit)s of cross-border "
                "goods a year. You have %(left)s left for %(year)s, less than the goods in "
                "this checkout."
            )
            % params,
            _(
                "Remove items from your cart until the goods cost at most %(left)s, or buy "
                "them from a shop on the domestic marketplace, where the allowance does not "
                "apply."
            )
            % params,
        )
    if code == "cross_border_order_limit":
        return Refusal(
            code,
            _("Cross-border limit per order"),
            exc.message(),
            _(
                "Lower the quantities or remove items in your cart; you can order the rest "
                "in a second checkout."
            ),
        )
    if code == "below_minimum_order":
        return Refusal(
            code,
            _("Minimum order quantity"),
            exc.message(),
            _("Raise the quantity in your cart to the minimum, or remove the item."),
        )
    if code == "out_of_stock":
        return Refusal(
            code,
            _("Stock"),
            exc.message(),
            _("Lower the quantity or remove the item in your cart."),
        )
    if code == "variant_unavailable":
        return Refusal(
            code,
            _("Availability"),
            _("Some items are no longer for sale on this marketplace in %(currency)s.")
            % {"currency": currency},
            _("Remove the items marked in your cart."),
        )
    if code == "price_changed":
        return Refusal(
            code,
            _("Price changed"),
            exc.message(),
            _(
                "The order summary now shows the price you would pay. Check it and place "
                "the order again, or change your cart."
            ),
        )
    if code in {"flash_sale_sold_out", "flash_sale_ended", "flash_sale_limit"}:
        return Refusal(
            code,
            _("Flash sale"),
            exc.message(),
            _(
                "Lower the quantity or remove the item in your cart; once the flash sale is "
                "over the item is sold at its festival or list price."
            ),
        )
    if code == "insufficient_funds":
        return Refusal(
            code,
            _("Wallet balance"),
            _("Your wallet holds less than the total of this checkout."),
            _("Top up your wallet, or choose another way to pay."),
            wallet_help=True,
        )
    if code == "no_wallet":
        return Refusal(
            code,
            _("Wallet"),
            _("You have no wallet in %(currency)s.") % {"currency": currency},
            _("Choose another way to pay, or open a wallet in %(currency)s and top it up.")
            % {"currency": currency},
            wallet_help=True,
        )
    return Refusal(
        code,
        _("Checkout refused"),
        exc.message(),
        _("Change your cart or the address and try again."),
    )
