"""FX quotes and conversions through the FX liquidity accounts, with hand-computed
amounts (1 EUR = 7.8 CNY, mark-up 0.50 %; see test_fxmath for the arithmetic)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.payments import selectors, services
from fiera.payments.models import FxQuote
from tests.payments.factories import (
    NOW,
    balance,
    funded_wallet,
    make_buyer,
    make_rates,
    snapshot,
    system_balance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]


@pytest.fixture(autouse=True)
def _rates() -> None:
    make_rates()


def quote(user: object, **amounts: Any) -> selectors.FxQuoteInfo:
    return services.fx_quote_create(
        user_id=user.pk,  # type: ignore[attr-defined]
        sell_currency="CNY",
        buy_currency="EUR",
        now=NOW,
        actor_role=amounts.pop("actor_role", SYSTEM),
        **amounts,
    )


def test_a_quote_fixes_rate_markup_and_amounts() -> None:
    buyer = make_buyer()
    info = quote(buyer, sell_amount_minor=10_000)
    assert (info.sell.amount_minor, info.mid_sell.amount_minor, info.spread.amount_minor) == (
        10_000,
        9_950,
        50,
    )
    assert info.buy.amount_minor == 1_276 and info.buy.currency == "EUR"
    assert (info.rate_base, info.rate_quote, info.rate) == ("EUR", "CNY", Decimal("7.8"))
    assert info.rate_date == NOW.date() and info.markup_bp == 50
    assert info.expires_at == NOW + timedelta(seconds=60)
    assert info.executed_at is None and info.fixed_side == "sell"
    assert quote(buyer, buy_amount_minor=1250).sell.amount_minor == 9_799


def test_the_markup_and_validity_are_settings(settings: object) -> None:
    settings.FIERA_FX_MARKUP_BP = 100  # type: ignore[attr-defined]
    settings.FIERA_FX_QUOTE_SECONDS = 30  # type: ignore[attr-defined]
    info = quote(make_buyer(), buy_amount_minor=1250)
    # 9750 x 1.01 = 9847.5 -> 9848
    assert (info.sell.amount_minor, info.spread.amount_minor, info.markup_bp) == (9848, 98, 100)
    assert info.expires_at == NOW + timedelta(seconds=30)


def test_the_latest_ecb_rate_is_used_on_days_without_one() -> None:
    make_rates(on=date(2025, 2, 27), CNY="7.5")
    make_rates(on=date(2025, 3, 3), CNY="9.9")  # after NOW: not used
    info = services.fx_quote_create(
        user_id=make_buyer().pk,
        sell_currency="CNY",
        buy_currency="EUR",
        buy_amount_minor=100,
        now=NOW + timedelta(days=1),  # a Sunday: the 1st's rate
        actor_role=SYSTEM,
    )
    assert info.rate == Decimal("7.8") and info.rate_date == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, services.QuoteAmountsInvalid),
        ({"sell_amount_minor": 100, "buy_amount_minor": 100}, services.QuoteAmountsInvalid),
        ({"sell_amount_minor": 0}, services.InvalidAmount),
        ({"sell_amount_minor": 1}, services.AmountTooSmall),
        ({"buy_amount_minor": -1}, services.InvalidAmount),
    ],
)
def test_bad_quotes_write_nothing(kwargs: dict[str, int], error: type[Exception]) -> None:
    buyer = make_buyer()
    before = snapshot()
    with pytest.raises(error):
        quote(buyer, **kwargs)
    assert snapshot() == before


def test_same_currency_and_unknown_rates_are_refused() -> None:
    buyer = make_buyer()
    with pytest.raises(services.UnsupportedCurrency):
        services.fx_quote_create(
            user_id=buyer.pk,
            sell_currency="CNY",
            buy_currency="CNY",
            sell_amount_minor=1,
            now=NOW,
            actor_role=SYSTEM,
        )
    with pytest.raises(selectors.FxRateNotFound):
        services.fx_quote_create(
            user_id=buyer.pk,
            sell_currency="CNY",
            buy_currency="GBP",  # no GBP rate loaded
            sell_amount_minor=10_000,
            now=NOW,
            actor_role=SYSTEM,
        )


def test_convert_books_two_legs_through_liquidity_and_the_spread_to_fees() -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 20_000)
    info = quote(buyer, sell_amount_minor=10_000)
    done = services.fx_convert(user_id=buyer.pk, quote_id=info.quote_id, now=NOW, actor_role=SYSTEM)
    assert done.executed_at == NOW
    assert balance(buyer, "CNY") == 10_000
    assert balance(buyer, "EUR") == 1_276  # the EUR wallet was opened for it
    assert system_balance("fx_liquidity", "CNY") == 9_950
    assert system_balance("fx_liquidity", "EUR") == -1_276
    assert system_balance("fees", "CNY") == 50
    statement = selectors.wallet_statement(owner_id=buyer.pk, currency="CNY", actor_role=SYSTEM)
    # The conversion and its mark-up are one line of the statement, with both transfers.
    conversion = statement.lines[0]
    assert (conversion.event, conversion.code, conversion.amount.amount_minor) == (
        "conversion",
        "fx_sell",
        -10_000,
    )
    assert len(conversion.transfer_ids) == 2 and statement.count == 2


def test_executing_twice_moves_money_once() -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 20_000)
    info = quote(buyer, sell_amount_minor=10_000)
    services.fx_convert(user_id=buyer.pk, quote_id=info.quote_id, now=NOW, actor_role=SYSTEM)
    before = snapshot()
    again = services.fx_convert(
        user_id=buyer.pk, quote_id=info.quote_id, now=NOW + timedelta(hours=1), actor_role=SYSTEM
    )
    assert again.executed_at == NOW and snapshot() == before


def test_an_expired_quote_is_409_and_writes_nothing() -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 20_000)
    info = quote(buyer, sell_amount_minor=10_000)
    before = snapshot()
    with pytest.raises(services.QuoteExpired) as excinfo:
        services.fx_convert(
            user_id=buyer.pk,
            quote_id=info.quote_id,
            now=NOW + timedelta(seconds=60),
            actor_role=SYSTEM,
        )
    assert excinfo.value.status == 409 and excinfo.value.code == "quote_expired"
    assert snapshot() == before and balance(buyer) == 20_000


def test_insufficient_funds_writes_nothing() -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 9_999)
    info = quote(buyer, sell_amount_minor=10_000)
    before = snapshot()
    with pytest.raises(services.InsufficientFunds) as excinfo:
        services.fx_convert(user_id=buyer.pk, quote_id=info.quote_id, now=NOW, actor_role=SYSTEM)
    assert excinfo.value.code == "insufficient_funds"
    assert snapshot() == before and FxQuote.objects.get().executed_at is None
    assert (
        selectors.wallet_list(owner_id=buyer.pk, actor_role=SYSTEM)[0].currency == "CNY"
    )  # no EUR wallet left


def test_another_users_quote_is_unknown() -> None:
    owner, other = make_buyer(), make_buyer()
    funded_wallet(other, 20_000)
    info = quote(owner, sell_amount_minor=10_000)
    with pytest.raises(services.QuoteNotFound):
        services.fx_convert(user_id=other.pk, quote_id=info.quote_id, now=NOW, actor_role=SYSTEM)
    with pytest.raises(services.QuoteNotFound):
        services.fx_convert(user_id=other.pk, quote_id="not-a-uuid", now=NOW, actor_role=SYSTEM)


def test_converting_without_a_sell_wallet_is_409() -> None:
    buyer = make_buyer()
    info = quote(buyer, sell_amount_minor=10_000)
    with pytest.raises(services.NoWallet):
        services.fx_convert(user_id=buyer.pk, quote_id=info.quote_id, now=NOW, actor_role=SYSTEM)
