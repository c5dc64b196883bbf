from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from fiera.common.schemas import BodyId, ObjectIn
from fiera.trade.search import TradeSearchPage
from fiera.trade.selectors import (
    CompanyInfo,
    InquirySummary,
    InquiryThread,
    SupplierInfo,
    VerificationInfo,
)

Count = Annotated[int, Field(strict=True, ge=1, le=100_000_000)]


class MemberOut(Schema):
    user_id: int
    username: str
    full_name: str
    role: str


class CompanyOut(Schema):
    id: int
    legal_name: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    registration_number: str
    website: str
    verified: bool
    verified_at: datetime | None
    created_at: datetime
    members: list[MemberOut]

    @classmethod
    def of(cls, info: CompanyInfo) -> CompanyOut:
        return cls(
            id=info.id,
            legal_name=info.legal_name,
            country=info.country,
            registration_number=info.registration_number,
            website=info.website,
            verified=info.verified,
            verified_at=info.verified_at,
            created_at=info.created_at,
            members=[
                MemberOut(
                    user_id=m.user_id, username=m.username, full_name=m.full_name, role=m.role
                )
                for m in info.members
            ],
        )


class CompanyIn(ObjectIn):
    legal_name: str = Field(max_length=200)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    registration_number: str = Field(max_length=40, description="VAT or company number")
    website: str = Field("", max_length=200)


class MemberIn(ObjectIn):
    username: str = Field(max_length=150)
    role: Literal["admin", "member"] = "member"


class CompanyVerifyIn(ObjectIn):
    verified: bool


class VerificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    inspection_body: str
    checked_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, v: VerificationInfo) -> VerificationOut:
        return cls(
            id=v.id,
            kind=v.kind,
            kind_label=v.kind_label,
            inspection_body=v.inspection_body,
            checked_at=v.checked_at,
            expires_at=v.expires_at,
        )


class SupplierOut(Schema):
    merchant_id: int
    merchant_slug: str
    display_name: str
    country: str
    region_name: str
    town: str
    capabilities_it: str
    capabilities_en: str
    capabilities_zh: str
    main_markets: list[str]
    year_established: int | None
    employees_band: str
    export_share_pct: int | None
    level: str = Field(description="effective now: none, licence or audit")
    level_label: str
    level_expires_at: datetime | None
    level_body: str = Field(description="the inspection body of the audit behind the level")
    verifications: list[VerificationOut]

    @classmethod
    def of(cls, s: SupplierInfo) -> SupplierOut:
        return cls(
            merchant_id=s.merchant_id,
            merchant_slug=s.merchant_slug,
            display_name=s.display_name,
            country=s.country,
            region_name=s.region_name,
            town=s.town,
            capabilities_it=s.capabilities_it,
            capabilities_en=s.capabilities_en,
            capabilities_zh=s.capabilities_zh,
            main_markets=list(s.main_markets),
            year_established=s.year_established,
            employees_band=s.employees_band,
            export_share_pct=s.export_share_pct,
            level=s.level,
            level_label=s.level_label,
            level_expires_at=s.level_expires_at,
            level_body=s.level_body,
            verifications=[VerificationOut.of(v) for v in s.verifications],
        )


class SupplierIn(ObjectIn):
    capabilities_it: str = Field("", max_length=4000)
    capabilities_en: str = Field("", max_length=4000)
    capabilities_zh: str = Field("", max_length=4000)
    main_markets: list[str] = Field([], max_length=30, description="ISO 3166-1 alpha-2 codes")
    year_established: int | None = Field(None, strict=True, ge=1800, le=2100)
    employees_band: Literal["", "1-9", "10-49", "50-249", "250+"] = ""
    export_share_pct: int | None = Field(None, strict=True, ge=0, le=100)


class InquiryOut(Schema):
    id: int
    subject: str
    quantity: int
    status: str
    status_label: str
    merchant_id: int
    supplier_name: str
    buyer_id: int
    buyer_name: str
    company_id: int | None
    product_id: int | None
    unread: int = Field(description="messages from the other side not yet read by yours")
    created_at: datetime
    last_message_at: datetime

    @classmethod
    def of(cls, s: InquirySummary) -> InquiryOut:
        return cls(**{name: getattr(s, name) for name in cls.model_fields})


class MessageOut(Schema):
    id: int
    side: str
    author: str
    body: str = Field(description="plain text")
    created_at: datetime


class ThreadOut(Schema):
    inquiry: InquiryOut
    side: str = Field(description="the reader's side: buyer, supplier or operator")
    messages: list[MessageOut]

    @classmethod
    def of(cls, t: InquiryThread) -> ThreadOut:
        return cls(
            inquiry=InquiryOut.of(t.inquiry),
            side=t.side,
            messages=[
                MessageOut(
                    id=m.id, side=m.side, author=m.author, body=m.body, created_at=m.created_at
                )
                for m in t.messages
            ],
        )


class InquiryIn(ObjectIn):
    marketplace: str = Field(max_length=40, description="slug of a B2B trade marketplace")
    merchant_id: BodyId
    product_id: BodyId | None = None
    subject: str = Field(max_length=160)
    quantity: Count
    message: str = Field(max_length=4000)


class ReplyIn(ObjectIn):
    body: str = Field(max_length=4000)


class UnreadOut(Schema):
    unread: int


# --- trade search ---

SEARCH_SLUG = r"^[-a-zA-Z0-9_]+$"


class TradeSearchQuery(Schema):
    q: str | None = Field(None, max_length=200, description="words, in Italian, English or Chinese")
    marketplace: str | None = Field(
        None, max_length=60, pattern=SEARCH_SLUG, description="a b2b_trade marketplace slug"
    )
    category: str | None = Field(
        None, max_length=60, pattern=SEARCH_SLUG, description="category slug (with subcategories)"
    )
    region: str | None = Field(
        None, pattern=r"^IT-[0-9]{2}$", description="the supplier's Italian region, e.g. IT-25"
    )
    max_moq: int | None = Field(
        None, ge=1, le=100_000_000, description="a minimum order of at most this many units"
    )
    level: Literal["licence", "audit"] | None = Field(
        None, description="the supplier's verification level now is at least this"
    )
    origin: str | None = Field(
        None, pattern=r"^[A-Z]{2}$", description="country of origin, ISO 3166-1 alpha-2"
    )
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class ListingHitOut(Schema):
    product_id: int
    name_it: str
    name_en: str
    name_zh: str
    merchant_id: int
    supplier_name: str
    level: str = Field(description="the supplier's verification level now: none, licence, audit")
    level_label: str
    moq: int = Field(description="the lowest minimum order quantity of its variants")
    price_from_minor: int = Field(
        description="unit price at the minimum order (the tier that applies), minor units"
    )
    currency: str = Field(description="ISO 4217")
    origin_country: str
    region_code: str = Field(description="ISO 3166-2:IT of the supplier, may be empty")
    region_name: str


class CategoryRefOut(Schema):
    slug: str
    name_it: str
    name_en: str
    name_zh: str


class SupplierHitOut(Schema):
    merchant_id: int
    merchant_slug: str
    display_name: str
    level: str = Field(description="verification level now: none, licence, audit")
    level_label: str
    region_code: str
    region_name: str
    categories: list[CategoryRefOut] = Field(description="its main categories, most listed first")
    listings: int = Field(description="its listings for sale on the marketplace")


class _SearchPageOut(Schema):
    total: int = Field(description="how many match; a lower bound when not total_exact")
    total_exact: bool = Field(description="false when the count stopped past 1,000 results")
    limit: int
    offset: int
    currency: str


class ListingSearchOut(_SearchPageOut):
    items: list[ListingHitOut]


class SupplierSearchOut(_SearchPageOut):
    items: list[SupplierHitOut]

    @staticmethod
    def resolve_items(page: TradeSearchPage) -> list[dict[str, object]]:
        return [
            {
                **{k: getattr(s, k) for k in SupplierHitOut.model_fields if k != "categories"},
                "categories": [
                    {"slug": c[0], "name_it": c[1], "name_en": c[2], "name_zh": c[3]}
                    for c in s.categories
                ],
            }
            for s in page.items
        ]
