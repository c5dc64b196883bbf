"""Builders for the payments tests: users with a role, merchants with staff, outlets.

Merchants are created through the merchants models directly (tests sit outside the app
layers), with real Italian VAT numbers (Luhn check digit, as stdnum validates).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from stdnum import luhn

from fiera.accounts.roles import SYSTEM
from fiera.accounts.services import token_issue, user_create
from fiera.merchants.models import Merchant, StaffMembership
from fiera.payments import selectors, services
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
        actor_role=overrides.pop("actor_role", SYSTEM),
        **overrides,
    )
    for terminal_id in terminals:
        services.terminal_add(
            outlet_id=info.id, terminal_id=terminal_id, now=NOW, actor_role=SYSTEM
        )
    path = {
        "planned": [],
        "pilot": ["pilot"],
        "live": ["live"],
        "suspended": ["live", "suspended"],
        "closed": ["closed"],
    }[status]
    for step in path:
        info = services.outlet_set_status(
            outlet_id=info.id, status=step, now=NOW, actor_role=SYSTEM
        )
    return info


# --- wallets and money ------------------------------------------------------------------

EUR_CNY = "7.8"  # 1 EUR = 7.8 CNY: round numbers for hand-computed FX tests


def make_rates(on: date | None = None, **rates: str) -> None:
    """ECB rates of ``on`` (default: NOW's day; EUR base), by default CNY 7.8, USD 1.05."""
    from fiera.payments.models import FxRate

    values = {"CNY": EUR_CNY, "USD": "1.05", **rates}
    for quote, rate in values.items():
        FxRate.objects.update_or_create(
            quote=quote, date=on or NOW.date(), defaults={"rate_e9": int(Decimal(rate) * 10**9)}
        )


def make_buyer(**overrides: Any) -> Any:
    return make_user("buyer", country="CN", **overrides)


def funded_wallet(user: Any, amount_minor: int, currency: str = "CNY", now: datetime = NOW) -> Any:
    """The user's wallet in ``currency`` with ``amount_minor`` topped up (a fake gateway)."""
    from fiera.payments.gateways import InMemoryFundingGateway

    services.wallet_open(user_id=user.pk, currency=currency, now=now, actor_role=SYSTEM)
    if amount_minor:
        services.wallet_top_up(
            user_id=user.pk,
            amount_minor=amount_minor,
            currency=currency,
            funding_reference="card-4242",
            request_id=f"seed-{next(_seq)}",
            now=now,
            gateway=InMemoryFundingGateway(),
            actor_role=SYSTEM,
        )
    return selectors.wallet_get(owner_id=user.pk, currency=currency, actor_role=SYSTEM)


def balance(user: Any, currency: str = "CNY") -> int:
    """The wallet's available balance in minor units."""
    return int(
        selectors.wallet_get(
            owner_id=user.pk, currency=currency, actor_role=SYSTEM
        ).available.amount_minor
    )


def system_balance(code: str, currency: str) -> int:
    """A system account's balance on its credit side (credits - debits, posted)."""
    from fiera.ledger import selectors as ledger_selectors

    account = ledger_selectors.account_get_by_key(
        code=code, owner_type="system", owner_id=0, currency=currency
    )
    return 0 if account is None else account.credits_posted - account.debits_posted


def merchant_balance(
    merchant_id: int, code: str = "merchant_payable", currency: str = "EUR"
) -> int:
    from fiera.ledger import selectors as ledger_selectors

    account = ledger_selectors.account_get_by_key(
        code=code, owner_type="merchant", owner_id=merchant_id, currency=currency
    )
    return 0 if account is None else account.credits_posted - account.debits_posted


def pilot_outlet(merchant: Merchant | None = None, **overrides: Any) -> OutletInfo:
    return make_outlet(merchant or make_merchant(), status="pilot", **overrides)


def qr_for(outlet: OutletInfo, amount_minor: int | None = None, currency: str = "EUR") -> str:
    """The outlet's QR payload (dynamic when ``amount_minor`` is given)."""
    return selectors.outlet_qr(
        outlet_id=outlet.id, amount_minor=amount_minor, currency=currency, actor_role=SYSTEM
    ).payload


def snapshot() -> dict[str, int]:
    """Row counts of every money table and of the ledger: equal before and after means
    nothing was written."""
    from fiera.ledger.selectors import ledger_verify
    from fiera.payments import models

    counts = {
        name: getattr(models, name).objects.count()
        for name in (
            "Wallet",
            "TopUp",
            "FxQuote",
            "Payment",
            "PaymentRefund",
            "QrPayment",
            "SettlementRun",
            "Escrow",
        )
    }
    counts["ledger_transfers"] = ledger_verify(actor_role=SYSTEM).transfers
    return counts
