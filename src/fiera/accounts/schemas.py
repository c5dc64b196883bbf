from __future__ import annotations

from ninja import Schema


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
