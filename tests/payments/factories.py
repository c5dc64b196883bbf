"""Builders for the payments tests: users with a role, merchants with staff, outlets.

Merchants are created through the merchants models directly (tests sit outside the app
layers), with real Italian VAT numbers (Luhn check digit, as stdnum validates).
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from stdnum import luhn

from fiera.accounts.services import token_issue, user_create
from fiera.merchants.models import Merchant, StaffMembership
from fiera.payments import services
from fiera.payments.selectors import OutletInfo

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
_seq = count(1)


def make_user(role: str = "merchant", **overrides: Any) -> Any:
    n = next(_seq)
    values: dict[str, Any] = {
        "username": f"pay-{role}-{n}",
        "password": "correct-horse-battery",
        "role": role,
    }
    if role == "operator":
        values["business_unit"] = "Payments desk"
    if role == "buyer":
        values["buyer_kind"] = "consumer"
    values.update(overrides)
    return user_create(**values)


def bearer(user: Any) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}"}


def italian_vat() -> str:
    body = f"{2000000 + next(_seq):07d}058"
    return f"IT{body}{luhn.calc_check_digit(body)}"


def make_merchant(name: str = "Rete Postale Test", **overrides: Any) -> Merchant:
    n = next(_seq)
    values: dict[str, Any] = {
        "slug": f"merchant-{n}",
        "legal_name": f"{name} S.p.A.",
        "display_name": name,
        "vat_number": italian_vat(),
        "country": "IT",
        "region_code": "IT-62",
        "municipality_code": "058091",
        "town": "Roma",
        "size": "large",
    }
    values.update(overrides)
    return Merchant.objects.create(**values)


def make_staff(merchant: Merchant, role: str = "owner") -> Any:
    user = make_user("merchant")
    StaffMembership.objects.create(user=user, merchant=merchant, role=role)
    return user


def make_outlet(
    merchant: Merchant,
    code: str | None = None,
    municipality_code: str = "015146",
    status: str = "planned",
    terminals: tuple[str, ...] = ("T1",),
    **overrides: Any,
) -> OutletInfo:
    """An outlet (through the service) moved to ``status``, with ``terminals``."""
    info = services.outlet_register(
        merchant_id=merchant.pk,
        code=code or f"UP-{next(_seq):04d}",
        name=overrides.pop("name", "Ufficio postale Milano Cordusio"),
        address=overrides.pop("address", "Piazza Cordusio 1"),
        municipality_code=municipality_code,
        postal_code=overrides.pop("postal_code", "20123"),
        now=NOW,
        **overrides,
    )
    for terminal_id in terminals:
        services.terminal_add(outlet_id=info.id, terminal_id=terminal_id, now=NOW)
    path = {
        "planned": [],
        "pilot": ["pilot"],
        "live": ["live"],
        "suspended": ["live", "suspended"],
        "closed": ["closed"],
    }[status]
    for step in path:
        info = services.outlet_set_status(outlet_id=info.id, status=step, now=NOW)
    return info
