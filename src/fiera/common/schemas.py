from __future__ import annotations

from ninja import Schema

from fiera.common.money import Money


class ErrorOut(Schema):
    error: str
    detail: str


class MoneyOut(Schema):
    """An amount in minor units (EUR 12.50 -> 1250) with its ISO 4217 code."""

    amount_minor: int
    currency: str
    formatted: str

    @classmethod
    def of(cls, money: Money, locale: str = "en") -> MoneyOut:
        return cls(
            amount_minor=money.amount_minor, currency=money.currency, formatted=money.format(locale)
        )
