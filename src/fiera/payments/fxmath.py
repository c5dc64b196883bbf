"""FX arithmetic: how much a payer gives and a payee gets, exact until one rounding.

Pure functions, no database. Every computation is done on exact rationals
(``fractions.Fraction`` built from the Decimal rate and integer minor units), and each
amount that reaches the ledger is rounded ONCE, half up, to the minor unit of its ISO 4217
currency, from exact inputs; the spread is then a difference of integers, never rounded.

Terms. The ECB rate says 1 ``rate_base`` = ``rate`` ``rate_quote`` (EUR is the base
whenever one side is EUR, so the published rate is used exactly; crosses come from
``selectors.fx_rate``). ``markup_bp`` is the stated mark-up in basis points (50 = 0.50 %).

How the spread is computed (and in which currency). The payer sells ``sell``, the payee
receives ``buy``. At the mid (reference) rate, ``buy`` is worth ``mid_sell`` of the sell
currency; the payer gives ``mid_sell x (1 + markup)``. So:

* ``amounts_for_buy`` (the payee's amount is fixed, e.g. a QR bill of EUR 12.50):
  ``mid_exact = buy x price``; ``sell = round(mid_exact x (1 + m))``;
  ``mid_sell = round(mid_exact)``; ``spread = sell - mid_sell``.
* ``amounts_for_sell`` (the payer's amount is fixed, e.g. convert CNY 100.00):
  ``mid_exact = sell / (1 + m)``; ``mid_sell = round(mid_exact)``;
  ``buy = round(mid_exact / price)``; ``spread = sell - mid_sell``.

The spread is in the SELL currency (the payer's, CNY for Chinese wallets): the ledger
books ``mid_sell`` wallet -> fx_liquidity[sell], ``spread`` wallet -> fees[sell], and
``buy`` fx_liquidity[buy] -> payee, so the FX desk trades exactly at the reference rate
and the mark-up is visible on its own line.

Refunds use the payment's own figures, never a new rate (``refund_share``): the
cumulative refunded share of each figure is ``round(total x refunded / paid)``, and each
refund takes the difference from the last cumulative value, so partial refunds always
add up exactly to the payment and never exceed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from fiera.common.money import Money, currency_exponent

BASIS_POINTS = 10_000


class FxMathError(ValueError):
    """The amount is too small to convert (a side would round to zero)."""


@dataclass(frozen=True, slots=True)
class FxTerms:
    sell_currency: str
    buy_currency: str
    rate_base: str
    rate_quote: str
    rate: Decimal
    markup_bp: int

    def __post_init__(self) -> None:
        if {self.rate_base, self.rate_quote} != {self.sell_currency, self.buy_currency}:
            raise ValueError("the rate must be between the sell and the buy currency")
        if not self.rate.is_finite() or self.rate <= 0:
            raise ValueError("the rate must be positive")
        if type(self.markup_bp) is not int or not 0 <= self.markup_bp < BASIS_POINTS:
            raise ValueError("markup_bp is a whole number of basis points, 0 to 9999")

    def price(self) -> Fraction:
        """Major units of the sell currency per one major unit of the buy currency."""
        rate = Fraction(self.rate)
        return rate if self.rate_base == self.buy_currency else 1 / rate

    def sell_minor_per_buy_minor(self) -> Fraction:
        """Sell minor units per buy minor unit at the mid rate (exponents included)."""
        shift = currency_exponent(self.sell_currency) - currency_exponent(self.buy_currency)
        return self.price() * Fraction(10) ** shift

    def markup(self) -> Fraction:
        return Fraction(BASIS_POINTS + self.markup_bp, BASIS_POINTS)


@dataclass(frozen=True, slots=True)
class FxAmounts:
    """The four figures of one conversion, in minor units (see the module docstring)."""

    sell_minor: int  # the payer gives (sell currency)
    mid_sell_minor: int  # converted at the mid rate (sell currency)
    spread_minor: int  # sell - mid_sell: the mark-up, to fees (sell currency)
    buy_minor: int  # the payee gets (buy currency)


def round_half_up(value: Fraction) -> int:
    """The nearest integer, halves away from zero for non-negative values (2.5 -> 3)."""
    if value < 0:
        return -round_half_up(-value)
    return int((2 * value.numerator + value.denominator) // (2 * value.denominator))


def _positive(amounts: FxAmounts) -> FxAmounts:
    if amounts.buy_minor <= 0 or amounts.mid_sell_minor <= 0:
        raise FxMathError("the amount is too small to convert: one side rounds to zero")
    return amounts


def amounts_for_buy(buy_minor: int, terms: FxTerms) -> FxAmounts:
    """What the payer gives for the payee to get exactly ``buy_minor``."""
    if type(buy_minor) is not int or buy_minor <= 0:
        raise FxMathError("the amount must be a positive whole number of minor units")
    mid_exact = buy_minor * terms.sell_minor_per_buy_minor()
    sell = round_half_up(mid_exact * terms.markup())
    mid_sell = round_half_up(mid_exact)
    return _positive(FxAmounts(sell, mid_sell, sell - mid_sell, buy_minor))


def amounts_for_sell(sell_minor: int, terms: FxTerms) -> FxAmounts:
    """What the payee gets when the payer gives exactly ``sell_minor``."""
    if type(sell_minor) is not int or sell_minor <= 0:
        raise FxMathError("the amount must be a positive whole number of minor units")
    mid_exact = sell_minor / terms.markup()
    mid_sell = round_half_up(mid_exact)
    buy = round_half_up(mid_exact / terms.sell_minor_per_buy_minor())
    return _positive(FxAmounts(sell_minor, mid_sell, sell_minor - mid_sell, buy))


def refund_share(*, total: int, already: int, share_num: int, share_den: int) -> int:
    """This refund's part of ``total``: ``round(total x share_num / share_den) - already``,
    where ``share_num / share_den`` is the cumulative refunded fraction (this refund
    included). A full cumulative share gives back exactly what is left."""
    if share_num == share_den:
        return total - already
    return round_half_up(Fraction(total * share_num, share_den)) - already


def client_rate(*, sell: Money, buy: Money) -> Decimal:
    """The effective rate a payer got: sell major units per buy major unit, mark-up
    included (for display; rounded half up to 8 decimals)."""
    shift = buy.exponent - sell.exponent
    value = Fraction(sell.amount_minor, buy.amount_minor) * Fraction(10) ** shift
    return Decimal(round_half_up(value * 10**8)).scaleb(-8)
