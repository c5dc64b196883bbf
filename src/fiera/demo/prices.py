"""Demo prices: EUR base prices converted to each marketplace currency with FIXED demo
rates, in integer arithmetic, then rounded to a price step a shop would use.

The rates below are round figures close to the 2025 reference rates, frozen so that the
demo world is the same on every run. They are not market data and are used nowhere but
the demo loader; real conversions go through the payments FX quotes.
"""

from __future__ import annotations

from fiera.common.money import Money, currency_exponent

# Units of each currency per 1 EUR, as exact fractions (numerator, denominator).
DEMO_EUR_RATES: dict[str, tuple[int, int]] = {
    "EUR": (1, 1),
    "CNY": (78, 10),  # 7.80
    "USD": (108, 100),  # 1.08
    "IDR": (17_500, 1),  # 17,500
    "MYR": (505, 100),  # 5.05
    "PHP": (625, 10),  # 62.5
    "SGD": (145, 100),  # 1.45
    "THB": (385, 10),  # 38.5
    "VND": (27_500, 1),  # 27,500
}

# The price step of each currency in minor units: prices are rounded (half up) to it.
# CNY, PHP, THB whole units; USD 0.05; MYR, SGD, EUR 0.10; IDR and VND 1,000.
PRICE_STEP_MINOR: dict[str, int] = {
    "EUR": 10,
    "CNY": 100,
    "USD": 5,
    "IDR": 100_000,
    "MYR": 10,
    "PHP": 100,
    "SGD": 10,
    "THB": 100,
    "VND": 1_000,
}


def _div_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def round_to_step(amount_minor: int, currency: str) -> int:
    """Half-up to the currency's price step, never below one step."""
    step = PRICE_STEP_MINOR[currency]
    return max(step, _div_half_up(amount_minor, step) * step)


def convert_eur(eur_cents: int, currency: str) -> Money:
    """A positive EUR amount (cents) in ``currency`` at the demo rate, rounded to the step.

    exact minor units = cents x num x 10^exp(currency) / (den x 10^exp(EUR)), computed on
    integers and rounded once, half up.
    """
    if eur_cents <= 0:
        raise ValueError("demo prices are positive")
    numerator, denominator = DEMO_EUR_RATES[currency]
    exact = _div_half_up(
        eur_cents * numerator * 10 ** currency_exponent(currency),
        denominator * 10 ** currency_exponent("EUR"),
    )
    return Money(round_to_step(exact, currency), currency)


def percent_of(amount_minor: int, percent: int, currency: str) -> int:
    """``percent`` % of an amount, rounded half up to the currency's price step."""
    return round_to_step(_div_half_up(amount_minor * percent, 100), currency)


def eur_cents(amount_minor: int, currency: str) -> int:
    """An amount of ``currency`` back in EUR cents at the demo rate, rounded down (a weight
    for the demo's festival mix, not a conversion anything is paid at)."""
    numerator, denominator = DEMO_EUR_RATES[currency]
    return (
        amount_minor
        * denominator
        * 10 ** currency_exponent("EUR")
        // (numerator * 10 ** currency_exponent(currency))
    )
