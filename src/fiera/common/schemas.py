from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from fiera.common.money import Money

MAX_ID = 2**63 - 1
"""Ids are positive signed 64-bit integers (PostgreSQL bigint): a larger one answers 422."""

# Integers in a JSON body are JSON integers only: `true`, `"100"` and `100.0` answer 422
# (Python would take True as 1), as the ledger API does. Give every integer field of a body
# `strict=True` and bounds; tests/test_api_schema.py walks every input to hold that.
BodyId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
# A path, query or form value arrives as text: it is parsed as a whole number, then bounded.
ParamId = Annotated[int, Field(ge=1, le=MAX_ID)]


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
