"""Builders for partners, their staff and leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from fiera.accounts.roles import SYSTEM
from fiera.partners.selectors import LeadInfo, PartnerInfo
from fiera.partners.services import (
    lead_advance,
    lead_register,
    partner_create,
    staff_add,
)
from tests.merchants.factories import italian_vat, make_user

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
_seq = count(1)


def make_partner(**overrides: Any) -> PartnerInfo:
    n = next(_seq)
    values: dict[str, Any] = {
        "slug": f"partner-{n}",
        "name": f"Partner {n}",
        "type": "consultancy",
        "region_codes": ["IT-25", "IT-45"],
        "website": "https://example.org",
        "now": NOW,
        "actor_role": SYSTEM,
    }
    values.update(overrides)
    return partner_create(**values)


def make_partner_user(partner: PartnerInfo, role: str = "staff") -> Any:
    user = make_user("partner")
    staff_add(
        partner_id=partner.id, username=user.username, role=role, actor_id=None, actor_role=SYSTEM
    )
    return user


def make_lead(partner: PartnerInfo, stage: str = "new", **overrides: Any) -> LeadInfo:
    values: dict[str, Any] = {
        "partner_id": partner.id,
        "firm_name": f"Pastificio {next(_seq)} S.r.l.",
        "vat_number": italian_vat(),
        "region_code": "IT-25",
        "contact_name": "Anna Rossi",
        "contact_email": "anna@example.org",
        "now": NOW,
        "actor_id": None,
        "actor_role": SYSTEM,
    }
    values.update(overrides)
    lead = lead_register(**values)
    path = ["contacted", "documents"]
    for step, when in zip(path, (1, 2), strict=True):
        if stage == "new" or (stage == "contacted" and step == "documents"):
            break
        lead = lead_advance(
            partner_id=partner.id,
            lead_id=lead.id,
            to_stage=step,
            now=NOW + timedelta(days=when),
            actor_id=None,
            actor_role=SYSTEM,
        )
    return lead
