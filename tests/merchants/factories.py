"""Builders for merchants, staff users and sectors.

Italian VAT numbers are real: 7-digit company number, a provincial office code (001-100)
and the Luhn check digit python-stdnum verifies.
"""

from __future__ import annotations

import importlib
from itertools import count
from typing import Any

from django.apps import apps as django_apps
from stdnum import luhn

from fiera.accounts.roles import SYSTEM
from fiera.accounts.services import token_issue, user_create
from fiera.merchants.selectors import MerchantInfo
from fiera.merchants.services import merchant_register

_seq = count(1)


def italian_vat(n: int | None = None, province: int = 15, prefix: bool = True) -> str:
    """A valid Italian VAT number (check digit computed with stdnum's Luhn)."""
    n = next(_seq) if n is None else n
    body = f"{1000000 + n:07d}{province:03d}"
    number = body + luhn.calc_check_digit(body)
    return f"IT{number}" if prefix else number


def wrong_check_digit(vat: str) -> str:
    """The same VAT number with its last digit changed, so the check digit fails."""
    last = int(vat[-1])
    return vat[:-1] + str((last + 1) % 10)


def load_sectors() -> None:
    """Create the sectors exactly as the data migration does (tests run without
    migrations)."""
    migration = importlib.import_module("fiera.merchants.migrations.0002_sectors")
    migration.create_sectors(django_apps, None)


def make_user(role: str = "merchant", **overrides: Any) -> Any:
    n = next(_seq)
    values: dict[str, Any] = {
        "username": f"{role}-{n}",
        "password": "correct-horse-battery",
        "role": role,
    }
    if role == "operator":
        values["business_unit"] = "Trade desk"
    if role == "buyer":
        values["buyer_kind"] = "consumer"
    values.update(overrides)
    return user_create(**values)


def bearer(user: Any) -> dict[str, Any]:
    """Headers for the Django test client carrying a fresh API key of ``user``."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}"}


def make_merchant(**overrides: Any) -> MerchantInfo:
    n = next(_seq)
    values: dict[str, Any] = {
        "legal_name": f"Bottega {n} S.r.l.",
        "display_name": f"Bottega {n}",
        "vat_number": italian_vat(),
        "region_code": "IT-25",
        "municipality_code": "015146",  # Milano
        "size": "sme",
        "ateco_code": "14.21.10",  # ready-to-wear outerwear
        "sector_slugs": [],
        "actor_role": SYSTEM,
    }
    values.update(overrides)
    return merchant_register(**values)
