from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiera.common.money import (
    CurrencyMismatch,
    Money,
    MoneyError,
    UnknownCurrency,
    currency_exponent,
    currency_numeric,
)

CURRENCIES = ["EUR", "CNY", "USD", "JPY", "IDR", "VND", "KWD", "SGD"]
amounts = st.integers(min_value=-(10**15), max_value=10**15)


def test_exponents_come_from_iso_4217() -> None:
    assert currency_exponent("EUR") == 2
    assert currency_exponent("JPY") == 0
    assert currency_exponent("VND") == 0
    assert currency_exponent("KWD") == 3
    assert currency_exponent("IDR") == 2  # ISO 4217 says 2, although cash uses none
    assert currency_numeric("EUR") == "978"
    assert currency_numeric("CNY") == "156"


def test_unknown_and_unitless_currencies_are_refused() -> None:
    with pytest.raises(UnknownCurrency):
        Money(1, "XYZ")
    with pytest.raises(UnknownCurrency):
        Money(1, "XAU")  # gold has no minor unit


def test_no_floats_anywhere() -> None:
    with pytest.raises(MoneyError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money.from_major(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(100, "EUR") * 1.5  # type: ignore[operator]
    with pytest.raises(MoneyError):
        Money(100, "EUR").apply_rate(0.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(True, "EUR")  # type: ignore[arg-type]


def test_from_major_is_exact() -> None:
    assert Money.from_major("12.50", "EUR") == Money(1250, "EUR")
    assert Money.from_major("1500", "JPY") == Money(1500, "JPY")
    assert Money.from_major(Decimal("0.125"), "KWD") == Money(125, "KWD")
    with pytest.raises(MoneyError, match="2 decimal places"):
        Money.from_major("12.505", "EUR")
    with pytest.raises(MoneyError, match="0 decimal places"):
        Money.from_major("10.5", "JPY")
    with pytest.raises(MoneyError, match="not a number"):
        Money.from_major("twelve", "EUR")
    with pytest.raises(MoneyError, match="finite"):
        Money.from_major("Infinity", "EUR")


def test_mixed_currency_arithmetic_raises() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(1, "EUR") + Money(1, "USD")
    with pytest.raises(CurrencyMismatch):
        Money(1, "EUR") < Money(1, "USD")  # noqa: B015
    with pytest.raises(TypeError):
        Money(1, "EUR") + 1  # type: ignore[operator]


def test_apply_rate_rounds_once_half_up() -> None:
    assert Money(1000, "CNY").apply_rate("0.091") == Money(91, "CNY")
    assert Money(5, "EUR").apply_rate("0.5") == Money(3, "EUR")  # 2.5 -> 3
    assert Money(-5, "EUR").apply_rate("0.5") == Money(-3, "EUR")


def test_format_per_locale() -> None:
    assert Money(1250, "EUR").format("it") == "12,50\xa0€"
    assert Money(1250, "EUR").format("en") == "€12.50"
    assert Money(1250, "CNY").format("zh-hans") == "¥12.50"
    assert Money(150000, "JPY").format("en") == "¥150,000"
    assert str(Money(1250, "EUR")) == "12.50 EUR"


RATIOS = st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12)


@given(amount=amounts, ratios=RATIOS)
def test_allocate_sums_exactly_and_is_fair(amount: int, ratios: list[int]) -> None:
    if sum(ratios) == 0:
        with pytest.raises(MoneyError):
            Money(amount, "EUR").allocate(ratios)
        return
    parts = Money(amount, "EUR").allocate(ratios)
    assert sum(p.amount_minor for p in parts) == amount
    total = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        exact = Decimal(amount) * ratio / total
        assert abs(Decimal(part.amount_minor) - exact) < 1


@given(amount=amounts, parts=st.integers(min_value=1, max_value=50))
def test_split_sums_exactly_and_parts_differ_by_at_most_one(amount: int, parts: int) -> None:
    pieces = Money(amount, "USD").split(parts)
    assert len(pieces) == parts
    assert sum(p.amount_minor for p in pieces) == amount
    values = [p.amount_minor for p in pieces]
    assert max(values) - min(values) <= 1


@given(a=amounts, b=amounts, currency=st.sampled_from(CURRENCIES))
def test_addition_and_subtraction_are_inverse(a: int, b: int, currency: str) -> None:
    x, y = Money(a, currency), Money(b, currency)
    assert (x + y) - y == x
    assert x + (-x) == Money.zero(currency)


@given(amount=st.integers(min_value=0, max_value=10**12), currency=st.sampled_from(CURRENCIES))
def test_major_round_trip(amount: int, currency: str) -> None:
    money = Money(amount, currency)
    assert Money.from_major(money.to_decimal(), currency) == money
    assert Money.from_major(str(money).split()[0], currency) == money
