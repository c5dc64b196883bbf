from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from fiera.common.schemas import ObjectIn
from fiera.merchants.selectors import MerchantInfo, SectorInfo, StaffInfo, StoreInfo

MAX_ID = 2**63 - 1  # ids are positive 64-bit integers

Size = Literal["sme", "large"]
Level = Literal["unverified", "registered", "audited"]
StaffRoleName = Literal["owner", "manager", "clerk"]


class SectorOut(Schema):
    slug: str
    name: str = Field(description="in English; the default")
    name_it: str = Field(description="in Italian; empty when not translated")
    name_zh: str = Field(description="in Simplified Chinese; empty when not translated")
    name_es: str = Field("", description="in Spanish; empty when not translated")
    ateco_codes: list[str] = Field(description="ATECO 2025 codes the sector spans")

    @classmethod
    def of(cls, sector: SectorInfo) -> SectorOut:
        return cls(
            slug=sector.slug,
            name=sector.name,
            name_it=sector.name_it,
            name_zh=sector.name_zh,
            name_es=sector.name_es,
            ateco_codes=list(sector.ateco_codes),
        )


class MerchantOut(Schema):
    id: int
    slug: str
    legal_name: str
    display_name: str
    vat_number: str = Field(description='normalised EU VAT id, e.g. "IT00743110157"')
    country: str
    region_code: str = Field(description="ISO 3166-2:IT")
    region_name: str
    municipality_code: str = Field(description="ISTAT code")
    town: str
    size: str
    ateco_code: str = Field(description="ATECO 2025")
    sectors: list[SectorOut]
    verification_level: str
    description: str
    created_at: datetime

    @classmethod
    def of(cls, info: MerchantInfo) -> MerchantOut:
        return cls(
            id=info.id,
            slug=info.slug,
            legal_name=info.legal_name,
            display_name=info.display_name,
            vat_number=info.vat_number,
            country=info.country,
            region_code=info.region_code,
            region_name=info.region_name,
            municipality_code=info.municipality_code,
            town=info.town,
            size=info.size,
            ateco_code=info.ateco_code,
            sectors=[SectorOut.of(s) for s in info.sectors],
            verification_level=info.verification_level,
            description=info.description,
            created_at=info.created_at,
        )


class MerchantIn(Schema):
    legal_name: str = Field(max_length=200)
    display_name: str = Field(max_length=120)
    vat_number: str = Field(description='Italian "IT"+11 digits (prefix optional) or EU VAT id')
    region_code: str = Field(description="ISO 3166-2:IT, e.g. IT-25")
    municipality_code: str = Field(description="six-digit ISTAT code, in that region")
    size: Size = "sme"
    ateco_code: str = Field(
        description="ATECO 2025 activity code, from division to subcategory, e.g. 14.21.10",
        examples=["14.21.10"],
    )
    sector_slugs: list[str] = Field(default_factory=list)
    owner_user_id: int | None = Field(
        None, strict=True, ge=1, le=MAX_ID, description="a user with the role merchant"
    )
    description: str = ""


class MerchantPatch(ObjectIn):
    legal_name: str | None = Field(None, max_length=200)
    display_name: str | None = Field(None, max_length=120)
    description: str | None = None
    size: Size | None = None
    ateco_code: str | None = None
    sector_slugs: list[str] | None = None
    region_code: str | None = None
    municipality_code: str | None = None


class VerifyIn(Schema):
    level: Level


class StoreOut(Schema):
    id: int
    merchant_id: int
    marketplace_id: int
    slug: str
    name: str
    is_active: bool
    logo_url: str = Field("", description="the store's logo (WebP, fits 400 x 400); empty without")
    description_it: str = ""
    description_en: str = ""
    description_zh: str = ""
    is_featured: bool = False

    @classmethod
    def of(cls, info: StoreInfo) -> StoreOut:
        return cls(
            id=info.id,
            merchant_id=info.merchant_id,
            marketplace_id=info.marketplace_id,
            slug=info.slug,
            name=info.name,
            is_active=info.is_active,
            logo_url=info.logo_url,
            description_it=info.description_it,
            description_en=info.description_en,
            description_zh=info.description_zh,
            is_featured=info.is_featured,
        )


class StoreIn(Schema):
    marketplace_id: int = Field(strict=True, ge=1, le=MAX_ID)
    name: str = Field(max_length=120)
    slug: str | None = Field(None, max_length=80)


class StorePatch(Schema):
    is_active: bool


class StoreDescriptionIn(ObjectIn):
    """The store's descriptions; an omitted one stays as it is, "" clears it."""

    description_it: str | None = Field(None, max_length=5_000, pattern=r"^[^\x00]*$")
    description_en: str | None = Field(None, max_length=5_000, pattern=r"^[^\x00]*$")
    description_zh: str | None = Field(None, max_length=5_000, pattern=r"^[^\x00]*$")


class StaffOut(Schema):
    user_id: int
    username: str
    full_name: str
    role: str

    @classmethod
    def of(cls, info: StaffInfo) -> StaffOut:
        return cls(
            user_id=info.user_id, username=info.username, full_name=info.full_name, role=info.role
        )


class StaffIn(Schema):
    user_id: int = Field(strict=True, ge=1, le=MAX_ID)
    role: StaffRoleName = "clerk"
