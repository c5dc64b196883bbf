"""FX quotes and conversions: the one way money changes currency in Fiera.

A quote fixes the ECB reference rate of the day (``selectors.fx_rate``) and the stated
mark-up (``FIERA_FX_MARKUP_BP``, stored on the quote) for ``FIERA_FX_QUOTE_SECONDS``.
Executing it books, as ONE linked chain (all or nothing):

1. source[sell] -> fx_liquidity[sell]: ``mid_sell`` (code ``fx_sell``)
2. source[sell] -> fees[sell]: ``spread``, the mark-up (code ``fx_spread``; left out when 0)
3. fx_liquidity[buy] -> target[buy]: ``buy`` (code ``fx_buy``)

The amounts come from ``fiera.payments.fxmath`` (exact rationals, each rounded once).
Payments made through FX (checkout, QR, escrow release) store the quote's rate and
mark-up, and refunds use them, never a new rate.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy

from fiera.common.errors import Conflict, InvalidInput, NotFound
from fiera.ledger.domain import TransferSpec
from fiera.payments import fxmath, selectors
from fiera.payments.models import FxQuote, Wallet
from fiera.payments.selectors import FxQuoteInfo
from fiera.payments.services.base import (
    NoWallet,
    UnsupportedCurrency,
    book,
    check_amount,
    check_buyer,
    check_wallet_currency,
    fx_markup_bp,
    fx_quote_seconds,
    spec,
    system_account_id,
)
from fiera.payments.services.wallets import wallet_ensure

FX_CODES = ("fx_sell", "fx_spread", "fx_buy")
REFUND_FX_CODES = ("refund_fx_sell", "refund_fx_spread", "refund_fx_buy")


class QuoteNotFound(NotFound):
    code = "quote_not_found"
    message_template = gettext_lazy("This exchange quote does not exist.")


class QuoteExpired(Conflict):
    code = "quote_expired"
    message_template = gettext_lazy("This exchange quote has expired; ask for a new one.")


class AmountTooSmall(InvalidInput):
    code = "amount_too_small"
    message_template = gettext_lazy("The amount is too small to convert.")


class QuoteAmountsInvalid(InvalidInput):
    code = "quote_amounts"
    message_template = gettext_lazy(
        "Give either the amount to sell or the amount to buy, above zero."
    )


def fx_terms(*, sell_currency: str, buy_currency: str, on: date) -> tuple[fxmath.FxTerms, date]:
    """The ECB rate of ``on`` between the two currencies (EUR as the base when either is
    EUR, so the published rate is used exactly) with today's mark-up, and the ECB date of
    the rate. Raises ``FxRateNotFound`` (404) when the ECB has no rate for them."""
    if sell_currency == buy_currency:
        raise UnsupportedCurrency("a conversion needs two different currencies")
    if "EUR" in (sell_currency, buy_currency):
        other = buy_currency if sell_currency == "EUR" else sell_currency
        info = selectors.fx_rate(base="EUR", quote=other, on=on)
    else:
        info = selectors.fx_rate(base=buy_currency, quote=sell_currency, on=on)
    terms = fxmath.FxTerms(
        sell_currency=sell_currency,
        buy_currency=buy_currency,
        rate_base=info.base,
        rate_quote=info.quote,
        rate=info.rate,
        markup_bp=fx_markup_bp(),
    )
    return terms, info.rate_date


def fx_amounts(
    terms: fxmath.FxTerms, *, sell_amount_minor: int | None, buy_amount_minor: int | None
) -> fxmath.FxAmounts:
    """The conversion's figures for the fixed side; ``AmountTooSmall`` (422) when a side
    would round to zero."""
    try:
        if buy_amount_minor is not None:
            return fxmath.amounts_for_buy(buy_amount_minor, terms)
        assert sell_amount_minor is not None
        return fxmath.amounts_for_sell(sell_amount_minor, terms)
    except fxmath.FxMathError as exc:
        raise AmountTooSmall(str(exc)) from None


def quote_new(
    *,
    user_id: int | None,
    terms: fxmath.FxTerms,
    rate_date: date,
    sell_amount_minor: int | None,
    buy_amount_minor: int | None,
    now: datetime,
    purpose: str,
    executed: bool = False,
) -> FxQuote:
    """Store a quote for ``terms`` (``executed``: it is used right away, in the caller's
    transaction, as QR payments and checkouts do)."""
    amounts = fx_amounts(
        terms, sell_amount_minor=sell_amount_minor, buy_amount_minor=buy_amount_minor
    )
    return FxQuote.objects.create(
        quote_id=uuid.uuid4(),
        user_id=user_id,
        sell_currency=terms.sell_currency,
        buy_currency=terms.buy_currency,
        sell_amount_minor=amounts.sell_minor,
        buy_amount_minor=amounts.buy_minor,
        mid_sell_minor=amounts.mid_sell_minor,
        spread_minor=amounts.spread_minor,
        fixed_side="buy" if buy_amount_minor is not None else "sell",
        rate_base=terms.rate_base,
        rate_quote=terms.rate_quote,
        rate=f"{terms.rate:f}",
        rate_date=rate_date,
        markup_bp=terms.markup_bp,
        purpose=purpose,
        created_at=now,
        expires_at=now + timedelta(seconds=max(fx_quote_seconds(), 1)),
        executed_at=now if executed else None,
    )


def fx_legs(
    *,
    key: str,
    reference: str,
    source_account_id: int,
    target_account_id: int,
    sell_currency: str,
    buy_currency: str,
    mid_sell_minor: int,
    spread_minor: int,
    buy_minor: int,
) -> list[TransferSpec]:
    """The transfers of one conversion (see the module docstring), ids "<key>:sell",
    "<key>:spread", "<key>:buy"; the caller books them linked with its own."""
    legs = [
        spec(
            f"{key}:sell",
            debit=source_account_id,
            credit=system_account_id("fx_liquidity", sell_currency),
            amount_minor=mid_sell_minor,
            currency=sell_currency,
            code=FX_CODES[0],
            reference=reference,
        )
    ]
    if spread_minor:
        legs.append(
            spec(
                f"{key}:spread",
                debit=source_account_id,
                credit=system_account_id("fees", sell_currency),
                amount_minor=spread_minor,
                currency=sell_currency,
                code=FX_CODES[1],
                reference=reference,
            )
        )
    legs.append(
        spec(
            f"{key}:buy",
            debit=system_account_id("fx_liquidity", buy_currency),
            credit=target_account_id,
            amount_minor=buy_minor,
            currency=buy_currency,
            code=FX_CODES[2],
            reference=reference,
        )
    )
    return legs


def fx_quote_create(
    *,
    user_id: int,
    sell_currency: str,
    buy_currency: str,
    now: datetime,
    sell_amount_minor: int | None = None,
    buy_amount_minor: int | None = None,
    actor_role: str,
) -> FxQuoteInfo:
    """Quote converting the user's ``sell_currency`` into ``buy_currency``: give exactly one
    of ``sell_amount_minor`` (what to give) or ``buy_amount_minor`` (what to get), in minor
    units of that side's currency. The quote holds for ``FIERA_FX_QUOTE_SECONDS`` after
    ``now``; nothing moves until ``fx_convert``."""
    check_buyer(actor_role=actor_role)
    sell = check_wallet_currency(sell_currency)
    buy = check_wallet_currency(buy_currency)
    if (sell_amount_minor is None) == (buy_amount_minor is None):
        raise QuoteAmountsInvalid("give either the amount to sell or the amount to buy")
    if sell_amount_minor is not None:
        check_amount(sell_amount_minor, sell)
    if buy_amount_minor is not None:
        check_amount(buy_amount_minor, buy)
    terms, rate_date = fx_terms(sell_currency=sell, buy_currency=buy, on=now.date())
    with transaction.atomic():
        quote = quote_new(
            user_id=user_id,
            terms=terms,
            rate_date=rate_date,
            sell_amount_minor=sell_amount_minor,
            buy_amount_minor=buy_amount_minor,
            now=now,
            purpose="convert",
        )
    return selectors.fx_quote_info(quote)


def _quote_uuid(quote_id: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(quote_id))
    except ValueError:
        raise QuoteNotFound(f"no quote {quote_id!r}") from None


def fx_convert(
    *, user_id: int, quote_id: str | uuid.UUID, now: datetime, actor_role: str
) -> FxQuoteInfo:
    """Execute the user's quote: its sell amount leaves the user's wallet in the sell
    currency, its buy amount lands in the wallet in the buy currency (opened if need be).

    Before ``expires_at`` only (``QuoteExpired``, 409); insufficient funds is
    ``InsufficientFunds`` (409); either way nothing is written. Executing an executed
    quote again returns it (the ledger ids are the quote's: nothing moves twice). Another
    user's quote is unknown (404).
    """
    check_buyer(actor_role=actor_role)
    key = _quote_uuid(quote_id)
    with transaction.atomic():
        quote = FxQuote.objects.select_for_update().filter(quote_id=key, user_id=user_id).first()
        if quote is None or quote.purpose != "convert":
            raise QuoteNotFound(f"no quote {quote_id}")
        if quote.executed_at is not None:
            return selectors.fx_quote_info(quote)
        if now >= quote.expires_at:
            raise QuoteExpired(
                f"the quote expired at {quote.expires_at.isoformat()}; ask for a new one"
            )
        source = Wallet.objects.filter(user_id=user_id, currency=quote.sell_currency).first()
        if source is None:
            raise NoWallet(f"you have no {quote.sell_currency} wallet")
        target = wallet_ensure(user_id=user_id, currency=quote.buy_currency, now=now)
        book(
            fx_legs(
                key=f"fx:{quote.quote_id}",
                reference=f"conversion {quote.quote_id}",
                source_account_id=source.ledger_account_id,
                target_account_id=target.ledger_account_id,
                sell_currency=quote.sell_currency,
                buy_currency=quote.buy_currency,
                mid_sell_minor=quote.mid_sell_minor,
                spread_minor=quote.spread_minor,
                buy_minor=quote.buy_amount_minor,
            ),
            now,
        )
        quote.executed_at = now
        quote.save(update_fields=["executed_at"])
    return selectors.fx_quote_info(quote)
