"""FX arithmetic with hand-computed numbers, and the invariants of refunds (hypothesis).

Worked by hand: 1 EUR = 7.8 CNY, mark-up 50 bp (0.50 %).

* Pay EUR 12.50 (buy-fixed): at mid 1250 x 7.8 = 9750 fen; x 1.005 = 9798.75 -> 9799 fen
  paid; spread 9799 - 9750 = 49 fen.
* Sell CNY 100.00 (sell-fixed): mid 10000 / 1.005 = 9950.2487... -> 9950 fen converted;
  spread 50 fen; buy 9950.2487... / 7.8 = 1275.6729... -> 1276 cents (EUR 12.76).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiera.common.money import Money
from fiera.payments import fxmath
from fiera.payments.fxmath import FxAmounts, FxTerms

EUR_CNY = FxTerms(
    sell_currency="CNY",
    buy_currency="EUR",
    rate_base="EUR",
    rate_quote="CNY",
    rate=Decimal("7.8"),
    markup_bp=50,
)


def test_buy_fixed_hand_computed() -> None:
    assert fxmath.amounts_for_buy(1250, EUR_CNY) == FxAmounts(9799, 9750, 49, 1250)


def test_buy_fixed_rounds_once_half_up() -> None:
    terms = FxTerms("CNY", "EUR", "EUR", "CNY", Decimal("7.8123"), 50)
    # mid 1000 x 7.8123 = 7812.3 -> 7812; paid 7812.3 x 1.005 = 7851.3615 -> 7851
    assert fxmath.amounts_for_buy(1000, terms) == FxAmounts(7851, 7812, 39, 1000)
    # exactly half a fen rounds up: 5 x 7.81 = 39.05 fen at mid -> x 1 (no mark-up)
    flat = FxTerms("CNY", "EUR", "EUR", "CNY", Decimal("7.81"), 0)
    assert fxmath.amounts_for_buy(5, flat) == FxAmounts(39, 39, 0, 5)
    half = FxTerms("CNY", "EUR", "EUR", "CNY", Decimal("7.3"), 0)
    assert fxmath.amounts_for_buy(5, half) == FxAmounts(37, 37, 0, 5)  # 36.5 -> 37


def test_sell_fixed_hand_computed() -> None:
    assert fxmath.amounts_for_sell(10000, EUR_CNY) == FxAmounts(10000, 9950, 50, 1276)


def test_selling_euros_uses_the_inverse_exactly() -> None:
    terms = FxTerms("EUR", "CNY", "EUR", "CNY", Decimal("7.8"), 50)
    # sell EUR 10.00: mid 1000 / 1.005 = 995.0248... -> 995 cents; buy 995.0248 x 7.8
    # = 7761.19... -> 7761 fen
    assert fxmath.amounts_for_sell(1000, terms) == FxAmounts(1000, 995, 5, 7761)


def test_exponents_are_respected() -> None:
    jpy = FxTerms("JPY", "EUR", "EUR", "JPY", Decimal("155.68"), 0)
    # EUR 1.00 = 155.68 yen -> 156 (JPY has no minor unit)
    assert fxmath.amounts_for_buy(100, jpy) == FxAmounts(156, 156, 0, 100)


def test_too_small_amounts_are_refused() -> None:
    with pytest.raises(fxmath.FxMathError):
        fxmath.amounts_for_sell(1, EUR_CNY)  # 1 fen buys 0.13 cent -> 0
    with pytest.raises(fxmath.FxMathError):
        fxmath.amounts_for_buy(0, EUR_CNY)


def test_terms_are_checked() -> None:
    with pytest.raises(ValueError, match="between"):
        FxTerms("CNY", "EUR", "EUR", "USD", Decimal("1.1"), 50)
    with pytest.raises(ValueError, match="positive"):
        FxTerms("CNY", "EUR", "EUR", "CNY", Decimal("0"), 50)


def test_round_half_up() -> None:
    assert [fxmath.round_half_up(Fraction(n, 2)) for n in (1, 3, 5, -1, -3)] == [1, 2, 3, -1, -2]


def test_client_rate_includes_the_mark_up() -> None:
    rate = fxmath.client_rate(sell=Money(9799, "CNY"), buy=Money(1250, "EUR"))
    assert rate == Decimal("7.83920000")


def test_refund_shares_hand_computed() -> None:
    # EUR 5.00 of EUR 12.50 back: paid 9799 x 500/1250 = 3919.6 -> 3920; spread 19.6 -> 20
    assert fxmath.refund_share(total=9799, already=0, share_num=500, share_den=1250) == 3920
    assert fxmath.refund_share(total=49, already=0, share_num=500, share_den=1250) == 20
    # the rest gives back exactly what is left
    assert fxmath.refund_share(total=9799, already=3920, share_num=1250, share_den=1250) == 5879


@given(
    total=st.integers(min_value=1, max_value=10**9),
    other=st.integers(min_value=0, max_value=10**9),
    cuts=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=12),
)
def test_partial_refunds_add_up_exactly_and_never_go_negative(
    total: int, other: int, cuts: list[int]
) -> None:
    """Refunding ``total`` in pieces, the other figure's shares are each >= 0 and sum to
    exactly ``other`` once everything is refunded."""
    done = given_back = 0
    for cut in cuts:
        piece = min(cut, total - done)
        if piece == 0:
            break
        done += piece
        share = fxmath.refund_share(
            total=other, already=given_back, share_num=done, share_den=total
        )
        assert share >= 0
        given_back += share
        assert given_back <= other
    if done < total:
        given_back += fxmath.refund_share(
            total=other, already=given_back, share_num=total, share_den=total
        )
    assert given_back == other


@given(
    buy=st.integers(min_value=1, max_value=10**10),
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("20000"), places=4),
    markup=st.integers(min_value=0, max_value=500),
)
def test_buy_fixed_spread_is_the_rounded_mark_up(buy: int, rate: Decimal, markup: int) -> None:
    terms = FxTerms("CNY", "EUR", "EUR", "CNY", rate, markup)
    try:
        amounts = fxmath.amounts_for_buy(buy, terms)
    except fxmath.FxMathError:
        return
    exact_mid = Fraction(buy) * Fraction(rate)
    assert abs(amounts.mid_sell_minor - exact_mid) <= Fraction(1, 2)
    assert abs(amounts.sell_minor - exact_mid * Fraction(10000 + markup, 10000)) <= Fraction(1, 2)
    assert amounts.spread_minor == amounts.sell_minor - amounts.mid_sell_minor >= 0
