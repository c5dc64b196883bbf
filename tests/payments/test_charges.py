"""Paying a checkout with the wallet, and refunds (full, partial, at the original rate)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.common.money import Money
from fiera.payments import selectors, services
from fiera.payments.models import FxQuote, Payment
from fiera.payments.services import ChargePart
from tests.payments.factories import (
    NOW,
    balance,
    funded_wallet,
    make_buyer,
    make_merchant,
    make_rates,
    make_staff,
    make_user,
    merchant_balance,
    snapshot,
    system_balance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]


@pytest.fixture(autouse=True)
def _rates() -> None:
    make_rates()


def charge(
    buyer: object, parts: list[ChargePart], currency: str = "CNY", ref: str = "co-1"
) -> services.Charge:
    total = sum(p.amount_minor for p in parts)
    return services.wallet_charge_for_checkout(
        buyer_id=buyer.pk,  # type: ignore[attr-defined]
        checkout_reference=ref,
        amount=Money(total, currency),
        parts=parts,
        now=NOW,
    )


def test_a_euro_checkout_pays_each_merchant_directly() -> None:
    buyer, one, two = make_buyer(), make_merchant(), make_merchant()
    funded_wallet(buyer, 10_000, "EUR")
    result = charge(
        buyer, [ChargePart(one.pk, 3_000, "F1-1"), ChargePart(two.pk, 2_000, "F1-2")], "EUR"
    )
    assert result.amount == Money(5_000, "EUR") and result.credited == Money(5_000, "EUR")
    assert result.rate == "" and result.spread.amount_minor == 0
    assert balance(buyer, "EUR") == 5_000
    assert merchant_balance(one.pk) == 3_000 and merchant_balance(two.pk) == 2_000
    fees = [p.fee.amount_minor for p in result.payments]
    assert fees == [36, 24]  # 1.2 % of each credit, rounded once


def test_a_yuan_checkout_converts_once_and_splits_exactly() -> None:
    buyer, one, two = make_buyer(), make_merchant(), make_merchant()
    funded_wallet(buyer, 20_000)
    result = charge(buyer, [ChargePart(one.pk, 6_000, "F2-1"), ChargePart(two.pk, 4_000, "F2-2")])
    # CNY 100.00 sold: 9950 fen at mid, 50 fen mark-up, EUR 12.76 bought (see test_fxmath)
    assert result.credited == Money(1_276, "EUR") and result.spread == Money(50, "CNY")
    assert result.rate == "7.8" and result.markup_bp == 50
    credits = [p.credit.amount_minor for p in result.payments]
    spreads = [p.spread.amount_minor for p in result.payments]
    assert credits == [766, 510] and spreads == [30, 20]  # 60 % / 40 %
    assert merchant_balance(one.pk) == 766 and merchant_balance(two.pk) == 510
    assert balance(buyer) == 10_000
    assert system_balance("fees", "CNY") == 50
    assert system_balance("fx_liquidity", "CNY") == 9_950
    assert system_balance("fx_liquidity", "EUR") == -1_276
    stored = Payment.objects.get(reference="F2-1")
    # The day's terms come from the cache; no quote row per checkout (decision 0012): the
    # payment records the rate, base and quote, mark-up and spread that refunds use.
    assert stored.fx_quote is None and not FxQuote.objects.exists()
    assert (stored.rate, stored.rate_base, stored.rate_quote) == ("7.8", "EUR", "CNY")
    assert (stored.markup_bp, stored.spread_minor) == (50, 30)


def test_insufficient_funds_is_409_and_writes_nothing() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 4_999, "EUR")
    before = snapshot()
    with pytest.raises(services.InsufficientFunds) as excinfo:
        charge(
            buyer, [ChargePart(merchant.pk, 2_500, "a"), ChargePart(merchant.pk, 2_500, "b")], "EUR"
        )
    assert excinfo.value.status == 409 and excinfo.value.code == "insufficient_funds"
    assert snapshot() == before and balance(buyer, "EUR") == 4_999


def test_no_wallet_in_the_checkout_currency_is_409() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 10_000, "CNY")
    with pytest.raises(services.NoWallet):
        charge(buyer, [ChargePart(merchant.pk, 100, "x")], "USD")


@pytest.mark.parametrize(
    "parts",
    [
        [],
        [ChargePart(1, 0, "a")],
        [ChargePart(1, 100, "a"), ChargePart(1, 100, "a")],
        [ChargePart(1, 100, "")],
    ],
)
def test_bad_parts_are_refused(parts: list[ChargePart]) -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 10_000, "EUR")
    before = snapshot()
    with pytest.raises((services.InvalidCharge, services.InvalidAmount)):
        services.wallet_charge_for_checkout(
            buyer_id=buyer.pk,
            checkout_reference="co",
            amount=Money(200, "EUR"),
            parts=parts,
            now=NOW,
        )
    assert snapshot() == before


def test_parts_must_add_up() -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 10_000, "EUR")
    with pytest.raises(services.InvalidCharge, match="add up"):
        services.wallet_charge_for_checkout(
            buyer_id=buyer.pk,
            checkout_reference="co",
            amount=Money(300, "EUR"),
            parts=[ChargePart(1, 100, "a")],
            now=NOW,
        )


def test_a_retried_charge_moves_nothing_and_another_is_409() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 10_000)
    first = charge(buyer, [ChargePart(merchant.pk, 5_000, "F3-1")])
    before = snapshot()
    assert charge(buyer, [ChargePart(merchant.pk, 5_000, "F3-1")]) == first
    assert snapshot() == before
    with pytest.raises(services.RequestIdReused):
        charge(buyer, [ChargePart(merchant.pk, 4_000, "F3-1")])


def refund(reference: str, amount: Money, key: str, **kwargs: Any) -> selectors.RefundInfo:
    kwargs.setdefault("actor_role", SYSTEM)
    return services.wallet_refund(
        payment_reference=reference, amount=amount, refund_reference=key, now=NOW, **kwargs
    )


def test_partial_refunds_go_back_at_the_original_rate_and_add_up() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 20_000)
    charge(buyer, [ChargePart(merchant.pk, 10_000, "F4-1")])
    make_rates(on=NOW.date() + timedelta(days=1), CNY="9.0")  # a new rate must not matter
    # CNY 40.00 of CNY 100.00: EUR 12.76 x 0.4 = 5.104 -> 5.10; spread 50 x 0.4 = 20
    first = refund("F4-1", Money(4_000, "CNY"), "r1")
    assert (first.paid.amount_minor, first.credit.amount_minor, first.spread.amount_minor) == (
        4_000,
        510,
        20,
    )
    assert balance(buyer) == 14_000 and merchant_balance(merchant.pk) == 766
    second = refund("F4-1", Money(766, "EUR"), "r2")  # the rest, asked in EUR
    assert (second.paid.amount_minor, second.credit.amount_minor, second.spread.amount_minor) == (
        6_000,
        766,
        30,
    )
    assert balance(buyer) == 20_000  # all of it back, mark-up included
    assert merchant_balance(merchant.pk) == 0
    assert system_balance("fees", "CNY") == 0
    assert system_balance("fx_liquidity", "CNY") == system_balance("fx_liquidity", "EUR") == 0
    with pytest.raises(services.RefundExceedsPayment):
        refund("F4-1", Money(1, "CNY"), "r3")


def test_a_refund_never_exceeds_what_is_left_and_writes_nothing_then() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 10_000, "EUR")
    charge(buyer, [ChargePart(merchant.pk, 5_000, "F5-1")], "EUR")
    refund("F5-1", Money(3_000, "EUR"), "r1")
    before = snapshot()
    with pytest.raises(services.RefundExceedsPayment) as excinfo:
        refund("F5-1", Money(2_001, "EUR"), "r2")
    assert excinfo.value.extra == {"left_minor": 2_000}
    with pytest.raises(services.CurrencyMismatch):
        refund("F5-1", Money(100, "USD"), "r2")
    with pytest.raises(services.PaymentNotFound):
        refund("nope", Money(100, "EUR"), "r2")
    with pytest.raises(services.InvalidAmount):
        refund("F5-1", Money(0, "EUR"), "r2")
    assert snapshot() == before
    assert balance(buyer, "EUR") == 8_000


def test_refunds_are_idempotent_per_reference() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 10_000, "EUR")
    charge(buyer, [ChargePart(merchant.pk, 5_000, "F6-1")], "EUR")
    first = refund("F6-1", Money(1_000, "EUR"), "r1")
    before = snapshot()
    assert refund("F6-1", Money(1_000, "EUR"), "r1") == first
    assert snapshot() == before
    with pytest.raises(services.RequestIdReused):
        refund("F6-1", Money(2_000, "EUR"), "r1")


def test_who_may_refund() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 10_000, "EUR")
    charge(buyer, [ChargePart(merchant.pk, 5_000, "F7-1")], "EUR")
    clerk, stranger = make_staff(merchant, "clerk"), make_staff(make_merchant(), "owner")
    with pytest.raises(services.PaymentNotFound):
        refund("F7-1", Money(100, "EUR"), "a", actor_id=stranger.pk, actor_role="merchant")
    with pytest.raises(services.PaymentNotFound):
        refund("F7-1", Money(100, "EUR"), "a", actor_id=buyer.pk, actor_role="buyer")
    with pytest.raises(Exception, match="owner or a manager"):
        refund("F7-1", Money(100, "EUR"), "a", actor_id=clerk.pk, actor_role="merchant")
    owner = make_staff(merchant, "owner")
    refund("F7-1", Money(100, "EUR"), "a", actor_id=owner.pk, actor_role="merchant")
    operator = make_user("operator")
    refund("F7-1", Money(100, "EUR"), "b", actor_id=operator.pk, actor_role="operator")
    assert balance(buyer, "EUR") == 5_200
