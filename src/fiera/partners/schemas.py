from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from fiera.common.schemas import BodyId, ObjectIn
from fiera.partners.selectors import (
    Conversion,
    Coverage,
    LeadInfo,
    PartnerInfo,
    PartnerMerchant,
    StaffInfo,
)
from fiera.partners.services import GoLive

PartnerTypeName = Literal["trade_agency", "consultancy", "digital_agency", "bank", "association"]
PartnerRoleName = Literal["admin", "staff"]
StageName = Literal["new", "contacted", "documents", "store_live", "lost"]
RegionCode = str


class PartnerOut(Schema):
    id: int
    slug: str
    name: str
    type: str
    website: str
    is_active: bool
    region_codes: list[str] = Field(description="ISO 3166-2:IT codes of the regions covered")
    created_at: datetime

    @classmethod
    def of(cls, info: PartnerInfo) -> PartnerOut:
        return cls(
            id=info.id,
            slug=info.slug,
            name=info.name,
            type=info.type,
            website=info.website,
            is_active=info.is_active,
            region_codes=list(info.region_codes),
            created_at=info.created_at,
        )


class PartnerIn(ObjectIn):
    slug: str = Field(max_length=60, description="lowercase letters, digits and hyphens")
    name: str = Field(max_length=160)
    type: PartnerTypeName
    region_codes: list[str] = Field(max_length=20, description="ISO 3166-2:IT, e.g. IT-25")
    website: str = Field("", max_length=200)
    is_active: bool = True


class PartnerPatch(ObjectIn):
    name: str | None = Field(None, max_length=160)
    type: PartnerTypeName | None = None
    region_codes: list[str] | None = Field(None, max_length=20)
    website: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class PartnerStaffOut(Schema):
    user_id: int
    username: str
    full_name: str
    role: str

    @classmethod
    def of(cls, info: StaffInfo) -> PartnerStaffOut:
        return cls(
            user_id=info.user_id, username=info.username, full_name=info.full_name, role=info.role
        )


class PartnerStaffIn(ObjectIn):
    username: str = Field(max_length=150)
    role: PartnerRoleName = "staff"


class LeadEventOut(Schema):
    from_stage: str
    to_stage: str
    actor_username: str
    note: str
    at: datetime


class LeadOut(Schema):
    id: int
    partner_slug: str
    firm_name: str
    vat_number: str = Field(description='normalised Italian VAT id, e.g. "IT00743110157"')
    region_code: str = Field(description="ISO 3166-2:IT")
    region_name: str
    sector_slug: str
    contact_name: str
    contact_email: str
    stage: str
    lost_reason: str
    merchant_id: int | None
    created_at: datetime
    stage_changed_at: datetime
    events: list[LeadEventOut] = Field(description="the history; empty in lists")

    @classmethod
    def of(cls, info: LeadInfo) -> LeadOut:
        return cls(
            id=info.id,
            partner_slug=info.partner_slug,
            firm_name=info.firm_name,
            vat_number=info.vat_number,
            region_code=info.region_code,
            region_name=info.region_name,
            sector_slug=info.sector_slug,
            contact_name=info.contact_name,
            contact_email=info.contact_email,
            stage=info.stage,
            lost_reason=info.lost_reason,
            merchant_id=info.merchant_id,
            created_at=info.created_at,
            stage_changed_at=info.stage_changed_at,
            events=[
                LeadEventOut(
                    from_stage=e.from_stage,
                    to_stage=e.to_stage,
                    actor_username=e.actor_username,
                    note=e.note,
                    at=e.at,
                )
                for e in info.events
            ],
        )


class LeadIn(ObjectIn):
    firm_name: str = Field(max_length=200)
    vat_number: str = Field(max_length=20, description="Italian partita IVA, IT prefix optional")
    region_code: str = Field(max_length=6, description="ISO 3166-2:IT, e.g. IT-25")
    sector_slug: str = Field("", max_length=40)
    contact_name: str = Field("", max_length=120)
    contact_email: str = Field("", max_length=254)


class AdvanceIn(ObjectIn):
    stage: StageName = Field(description="the next stage: contacted, then documents")


class LoseIn(ObjectIn):
    reason: str = Field(max_length=300)


class GoLiveIn(ObjectIn):
    merchant_id: BodyId | None = Field(None, description="attach this existing company")
    municipality_code: str = Field("", max_length=6, description="ISTAT code, to create it")
    ateco_code: str = Field("", max_length=10, description="ATECO 2025, to create it")
    size: Literal["sme", "large"] = "sme"


class GoLiveOut(Schema):
    lead: LeadOut
    merchant_id: int
    created: bool
    owner_username: str = Field(description="the new owner account; empty when none")

    @classmethod
    def of(cls, result: GoLive) -> GoLiveOut:
        return cls(
            lead=LeadOut.of(result.lead),
            merchant_id=result.merchant_id,
            created=result.created,
            owner_username=result.owner_username,
        )


class PartnerMerchantOut(Schema):
    merchant_id: int
    slug: str
    display_name: str
    region_code: str
    region_name: str
    town: str
    lead_id: int
    live_since: datetime

    @classmethod
    def of(cls, m: PartnerMerchant) -> PartnerMerchantOut:
        return cls(
            merchant_id=m.merchant_id,
            slug=m.slug,
            display_name=m.display_name,
            region_code=m.region_code,
            region_name=m.region_name,
            town=m.town,
            lead_id=m.lead_id,
            live_since=m.live_since,
        )


class StageCountOut(Schema):
    stage: str
    count: int


class ConversionOut(Schema):
    stages: list[StageCountOut]
    total: int
    live: int
    lost: int
    open: int
    rate: Decimal | None = Field(description="live / total, 4 decimals; null without leads")

    @classmethod
    def of(cls, c: Conversion) -> ConversionOut:
        return cls(
            stages=[StageCountOut(stage=s.stage, count=s.count) for s in c.stages],
            total=c.total,
            live=c.live,
            lost=c.lost,
            open=c.open,
            rate=c.rate,
        )


class RegionCoverageOut(Schema):
    region_code: str
    region_name: str
    level: Literal["none", "partners", "live"]
    partner_names: list[str]
    open_leads: int
    live_merchants: int


class CoverageOut(Schema):
    regions: list[RegionCoverageOut]
    covered: int
    uncovered: list[str] = Field(description="codes of the regions without an active partner")

    @classmethod
    def of(cls, c: Coverage) -> CoverageOut:
        return cls(
            regions=[
                RegionCoverageOut(
                    region_code=r.region_code,
                    region_name=r.region_name,
                    level=r.level,  # type: ignore[arg-type]
                    partner_names=list(r.partner_names),
                    open_leads=r.open_leads,
                    live_merchants=r.live_merchants,
                )
                for r in c.regions
            ],
            covered=c.covered,
            uncovered=[r.region_code for r in c.uncovered],
        )
