from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import model_validator

from fiera.common.money import Money

MAX_ID = 2**63 - 1
"""Ids are positive signed 64-bit integers (PostgreSQL bigint): a larger one answers 422."""

# Integers in a JSON body are JSON integers only: `true`, `"100"` and `100.0` answer 422
# (Python would take True as 1), as the ledger API does. Give every integer field of a body
# `strict=True` and bounds; tests/test_api_schema.py walks every input to hold that.
BodyId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
# A path, query or form value arrives as text: it is parsed as a whole number, then bounded.
ParamId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ObjectIn(Schema):
    """A JSON body that must be an object. ninja reads an array, a string or a number as an
    empty object, so a body whose fields all have defaults took ``[]`` as ``{}`` (``POST
    /wallets`` with ``[]`` opened a wallet): such bodies derive from this class."""

    @model_validator(mode="before")
    @classmethod
    def _object_only(cls, data: Any) -> Any:
        # ninja hands the input over wrapped in a DjangoGetter; look at what it wraps
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("the body must be a JSON object")
        return data


class ErrorOut(Schema):
    """Every 4xx answer: ``error`` is the stable code a client branches on, ``detail`` the
    message for a person in the request's language (Accept-Language), ``context`` the
    technical account in English for logs and support. Some errors add their parameters
    (e.g. ``fields`` for a 422) as further keys."""

    error: str
    detail: str
    context: str | None = None


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
