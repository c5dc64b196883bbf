from __future__ import annotations

from ninja import Field, Schema


class TokenIn(Schema):
    username: str
    password: str
    name: str = "api"


class TokenOut(Schema):
    token_id: int
    key: str


class MeOut(Schema):
    id: int
    username: str
    role: str
    buyer_kind: str
    business_unit: str
    country: str


class SignupIn(Schema):
    """A new buyer account. ``username`` may be left empty: the email address is used."""

    username: str = Field("", max_length=150)
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. SG")
    preferred_language: str = Field(
        "", max_length=8, description="it, en, zh-hans or es; empty: the request's language"
    )


class SignupOut(Schema):
    id: int
    username: str
    email: str
    role: str
    country: str
    preferred_language: str
