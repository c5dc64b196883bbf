"""Money: an integer amount of a currency's minor unit plus its ISO 4217 code.

The minor-unit exponent of each currency comes from the ISO 4217 table as shipped by
the ``iso4217`` package (EUR 2, JPY 0, KWD 3). Nothing here ever touches a float:
major-unit input is parsed from strings/Decimals and must be exact, and every
operation that can produce a fraction of a minor unit (rates, splits) says how it
rounds.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

import iso4217
from babel import Locale, UnknownLocaleError
from babel.numbers import NumberPattern


class MoneyError(ValueError):
    """Invalid money input or an operation Money refuses (mixed currencies)."""


class UnknownCurrency(MoneyError):
    pass


class CurrencyMismatch(MoneyError):
    pass


@lru_cache(maxsize=512)
def currency_exponent(code: str) -> int:
    """Digits of the minor unit per ISO 4217 (EUR 2, JPY 0, BHD 3)."""
    try:
        currency = iso4217.Currency(code)
    except ValueError:
        raise UnknownCurrency(f"{code!r} is not an ISO 4217 currency code") from None
    exponent = currency.exponent
    if exponent is None:  # funds and metals (XAU, XDR) have no minor unit
        raise UnknownCurrency(f"{code} has no minor unit and cannot be used for prices")
    return int(exponent)


@lru_cache(maxsize=512)
def currency_numeric(code: str) -> str:
    """The three-digit ISO 4217 numeric code ("978" for EUR), as EMVCo tag 53 wants it."""
    currency_exponent(code)
    return f"{iso4217.Currency(code).number:03d}"


@lru_cache(maxsize=256)
def _pattern(locale: str, exponent: int) -> tuple[Locale, NumberPattern]:
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        parsed = Locale.parse("en")
    pattern = copy.copy(parsed.currency_formats["standard"])
    pattern.frac_prec = (exponent, exponent)  # ISO 4217 digits, not CLDR's cash digits
    return parsed, pattern


def _format(value: Decimal, currency: str, locale: str, exponent: int) -> str:
    parsed, pattern = _pattern(locale, exponent)
    return str(pattern.apply(value, parsed, currency=currency, currency_digits=False))


def is_currency(code: str) -> bool:
    try:
        currency_exponent(code)
    except UnknownCurrency:
        return False
    return True


@dataclass(frozen=True, slots=True, order=False)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount_minor) is not int:
            raise MoneyError(
                "amount_minor must be an int of minor units, got "
                f"{type(self.amount_minor).__name__}"
            )
        currency_exponent(self.currency)

    # construction -------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_major(cls, value: str | Decimal | int, currency: str) -> Money:
        """Parse a major-unit amount exactly ("12.50" EUR -> 1250). Too many decimals raise."""
        if isinstance(value, float):
            raise MoneyError("floats are not accepted for money; pass a string or Decimal")
        try:
            dec = Decimal(str(value).strip())
        except InvalidOperation:
            raise MoneyError(f"{value!r} is not a number") from None
        if not dec.is_finite():
            raise MoneyError(f"{value!r} is not a finite amount")
        exponent = currency_exponent(currency)
        scaled = dec.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{currency} has {exponent} decimal places; {value!r} has more")
        return cls(int(scaled), currency)

    # views ---------------------------------------------------------------------------
    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def to_decimal(self) -> Decimal:
        """The major-unit value as an exact Decimal (for display and export only)."""
        return Decimal(self.amount_minor).scaleb(-self.exponent)

    def format(self, locale: str = "en") -> str:
        """Localised text, e.g. "€ 12,50" for it, "€12.50" for en, "¥12.50" for zh."""
        return _format(self.to_decimal(), self.currency, locale, self.exponent)

    def __str__(self) -> str:
        return f"{self.to_decimal():.{self.exponent}f} {self.currency}"

    # arithmetic ----------------------------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount_minor + self._same(other).amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount_minor - self._same(other).amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if type(factor) is not int:
            raise MoneyError("Money multiplies by whole numbers only; use apply_rate for rates")
        return Money(self.amount_minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount_minor < self._same(other).amount_minor

    def __le__(self, other: Money) -> bool:
        return self.amount_minor <= self._same(other).amount_minor

    def __gt__(self, other: Money) -> bool:
        return self.amount_minor > self._same(other).amount_minor

    def __ge__(self, other: Money) -> bool:
        return self.amount_minor >= self._same(other).amount_minor

    def is_zero(self) -> bool:
        return self.amount_minor == 0

    def apply_rate(self, rate: Decimal | str, rounding: str = ROUND_HALF_UP) -> Money:
        """self x rate, rounded once to the minor unit (half up unless told otherwise).

        ``rate`` is an exact Decimal such as Decimal("0.091"); floats are refused.
        """
        if isinstance(rate, float):
            raise MoneyError("rates must be Decimal or str, never float")
        product = Decimal(self.amount_minor) * Decimal(rate)
        return Money(int(product.quantize(Decimal(1), rounding=rounding)), self.currency)

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Split by integer ratios so that the parts sum exactly to the whole.

        Largest-remainder method: each part gets floor(amount x ratio / total); the
        leftover minor units go one each to the parts with the largest remainders
        (earlier parts first on ties). Negative amounts split symmetrically.
        """
        if not ratios or any(type(r) is not int or r < 0 for r in ratios):
            raise MoneyError("ratios must be a non-empty list of non-negative integers")
        total = sum(ratios)
        if total == 0:
            raise MoneyError("at least one ratio must be positive")
        sign = -1 if self.amount_minor < 0 else 1
        amount = abs(self.amount_minor)
        shares = [amount * r // total for r in ratios]
        remainders = [amount * r % total for r in ratios]
        leftover = amount - sum(shares)
        order = sorted(range(len(ratios)), key=lambda i: (-remainders[i], i))
        for i in order[:leftover]:
            shares[i] += 1
        return [Money(sign * s, self.currency) for s in shares]

    def split(self, parts: int) -> list[Money]:
        """Split into ``parts`` near-equal amounts that sum exactly to the whole."""
        if type(parts) is not int or parts < 1:
            raise MoneyError("parts must be a positive integer")
        return self.allocate([1] * parts)
