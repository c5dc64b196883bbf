from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from fiera.common.schemas import BodyId, MoneyOut, ObjectIn
from fiera.trade.search import TradeSearchPage
from fiera.trade.selectors import (
    ApplicationInfo,
    AssuranceInfo,
    CompanyInfo,
    DisputeInfo,
    InquirySummary,
    InquiryThread,
    PavilionInfo,
    PavilionStats,
    QuoteInfo,
    RfqDetail,
    RfqSummary,
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


# --- trade assurance: disputes ---


class AssuranceOut(Schema):
    order_number: str
    order_status: str
    escrow_status: str = Field(
        description='held, released (to the supplier), refunded (to the buyer), expired, or ""'
        " while nothing is held (an order not paid yet)"
    )
    amount: MoneyOut | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    dispute_until: datetime | None = Field(
        description="the last moment to open a dispute: 30 days after delivery (or shipment)"
    )
    release_due_at: datetime | None = Field(
        description="when the periodic job releases an undisputed, unconfirmed payment"
    )
    dispute_id: int | None
    dispute_status: str = Field(description='open, upheld, rejected, or "" without a dispute')
    side: str = Field(description="the reader's side: buyer, supplier or operator")
    can_confirm: bool
    can_dispute: bool

    @classmethod
    def of(cls, a: AssuranceInfo) -> AssuranceOut:
        return cls(
            order_number=a.order_number,
            order_status=a.order_status,
            escrow_status=a.escrow_status,
            amount=MoneyOut.of(a.amount) if a.amount is not None else None,
            shipped_at=a.shipped_at,
            delivered_at=a.delivered_at,
            dispute_until=a.dispute_until,
            release_due_at=a.release_due_at,
            dispute_id=a.dispute_id,
            dispute_status=a.dispute_status,
            side=a.viewer_side,
            can_confirm=a.can_confirm,
            can_dispute=a.can_dispute,
        )


class DisputeMessageOut(Schema):
    id: int
    side: str = Field(description="buyer, supplier or operator")
    author: str
    body: str = Field(description="plain text")
    evidence_name: str = Field(description='the attached file\'s name, "" without one')
    created_at: datetime


class DisputeOut(Schema):
    id: int
    order_number: str
    buyer: str
    merchant_id: int
    supplier: str
    amount: MoneyOut = Field(description="the payment held when the dispute was opened")
    reason: Literal["not_received", "not_as_described", "damaged", "quantity_short", "other"]
    statement: str = Field(description="plain text")
    status: Literal["open", "upheld", "rejected"]
    opened_at: datetime
    decided_at: datetime | None
    decision_reason: str
    side: str = Field(description="the reader's side: buyer, supplier or operator")
    messages: list[DisputeMessageOut] = Field(description="oldest first; empty in lists")

    @classmethod
    def of(cls, d: DisputeInfo) -> DisputeOut:
        return cls(
            id=d.id,
            order_number=d.order_number,
            buyer=d.buyer_name,
            merchant_id=d.merchant_id,
            supplier=d.merchant_name,
            amount=MoneyOut.of(d.amount),
            reason=d.reason,  # type: ignore[arg-type]
            statement=d.statement,
            status=d.status,  # type: ignore[arg-type]
            opened_at=d.opened_at,
            decided_at=d.decided_at,
            decision_reason=d.decision_reason,
            side=d.viewer_side,
            messages=[
                DisputeMessageOut(
                    id=m.id,
                    side=m.side,
                    author=m.author_name,
                    body=m.body,
                    evidence_name=m.evidence_name,
                    created_at=m.created_at,
                )
                for m in d.messages
            ],
        )


class DisputeIn(ObjectIn):
    reason: Literal["not_received", "not_as_described", "damaged", "quantity_short", "other"]
    statement: str = Field(max_length=4000, description="plain text: what went wrong")


class DisputeDecisionIn(ObjectIn):
    outcome: Literal["upheld", "rejected"] = Field(
        description="upheld: refund the buyer; rejected: release the payment to the supplier"
    )
    reason: str = Field(max_length=4000, description="the written reason, shown to both sides")


# --- RFQs and quotes ---

Minor = Annotated[int, Field(strict=True, ge=1, le=10**12)]


class RfqOut(Schema):
    id: int
    product: str
    category_id: int
    category_name_en: str
    category_name_it: str
    category_name_zh: str
    category_name_es: str = Field("", description="in Spanish; empty when not translated")
    quantity: int
    unit: str
    unit_label: str
    target_unit_price_minor: int | None = Field(description="per unit, minor units of currency")
    currency: str
    destination_country: str
    deadline: datetime
    description: str = Field(description="plain text")
    status: str = Field(description="open, closed, expired or awarded")
    status_label: str
    buyer_name: str
    company_name: str
    company_country: str
    company_verified: bool
    created_at: datetime
    closed_at: datetime | None
    quotes: int = Field(
        description="quotes the reader sees: all for the buyer, its own for a supplier"
    )
    unread: int = Field(description="buyer: quotes and revisions not yet seen; supplier: 1 if new")
    matched: int = Field(description="suppliers the RFQ was matched to when posted")

    @classmethod
    def of(cls, s: RfqSummary) -> RfqOut:
        return cls(**{name: getattr(s, name) for name in cls.model_fields})


class RfqQuoteVersionOut(Schema):
    number: int
    variant_id: int
    product_id: int
    sku: str
    product_name: str
    unit_price_minor: int
    currency: str
    quantity: int
    total_minor: int
    incoterm: str
    incoterm_label: str
    incoterm_place: str
    payment_terms: str
    payment_terms_label: str
    lead_time_days: int
    valid_until: datetime
    note: str = Field(description="plain text")
    author: str
    created_at: datetime


class RfqQuoteOut(Schema):
    id: int
    rfq_id: int
    merchant_id: int
    supplier_name: str
    supplier_level: str
    status: str = Field(description="submitted, revised, accepted, declined, withdrawn, expired")
    status_label: str
    version: int
    valid_until: datetime
    ref: str = Field(description="printed on the order as its quote reference")
    order_number: str = Field(description="the order the acceptance placed, or empty")
    created_at: datetime
    decided_at: datetime | None
    versions: list[RfqQuoteVersionOut]

    @classmethod
    def of(cls, q: QuoteInfo) -> RfqQuoteOut:
        return cls(
            **{name: getattr(q, name) for name in cls.model_fields if name != "versions"},
            versions=[
                RfqQuoteVersionOut(**{n: getattr(v, n) for n in RfqQuoteVersionOut.model_fields})
                for v in q.versions
            ],
        )


class RfqDetailOut(Schema):
    rfq: RfqOut
    side: str = Field(description="the reader's side: buyer, supplier or operator")
    quotes: list[RfqQuoteOut] = Field(description="buyer and operators: all; a supplier: its own")

    @classmethod
    def of(cls, d: RfqDetail) -> RfqDetailOut:
        return cls(rfq=RfqOut.of(d.rfq), side=d.side, quotes=[RfqQuoteOut.of(q) for q in d.quotes])


class RfqIn(ObjectIn):
    marketplace: str = Field(max_length=40, description="slug of a B2B trade marketplace")
    category_id: BodyId
    product: str = Field(max_length=160)
    quantity: Count
    unit: Literal["piece", "set", "box", "carton", "kg", "litre", "metre"] = "piece"
    target_unit_price_minor: Minor | None = None
    destination_country: str = Field(min_length=2, max_length=2)
    deadline: datetime
    description: str = Field("", max_length=4000)


class RfqQuoteIn(ObjectIn):
    variant_id: BodyId
    unit_price_minor: Minor
    quantity: Annotated[int, Field(strict=True, ge=1, le=999)]
    incoterm: str = Field(max_length=3, description="an Incoterms 2020 rule, e.g. FOB")
    incoterm_place: str = Field("", max_length=80)
    payment_terms: Literal["assurance", "advance"]
    lead_time_days: Annotated[int, Field(strict=True, ge=0, le=365)]
    valid_until: datetime
    note: str = Field("", max_length=2000)


class ShipToIn(ObjectIn):
    name: str = Field(max_length=120)
    line1: str = Field(max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field(max_length=120)
    postal_code: str = Field(max_length=20)
    phone: str = Field("", max_length=32)


class AcceptIn(ObjectIn):
    shipping_address: ShipToIn | None = Field(
        None, description="in the RFQ's destination country; without it, a saved address there"
    )


# --- pavilions ------------------------------------------------------------------------------


class FeaturedCategoryOut(Schema):
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    name_es: str = Field("", description="in Spanish; empty when not translated")


class PavilionOut(Schema):
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    intro_it: str
    intro_en: str
    intro_zh: str
    name_es: str = Field("", description="in Spanish; empty when not translated")
    intro_es: str = Field("", description="in Spanish; empty when not translated")
    marketplace: str = Field(description="slug of the B2B trade marketplace")
    currency: str = Field(description="the marketplace's: the currency of the deals' value")
    partner_id: int
    partner_name: str
    country: str = Field(description="ISO 3166-1 alpha-2: the country of origin of products")
    quota: int = Field(description="sponsored companies at most")
    admitted: int
    seats_left: int
    sponsorship_months: int
    is_open: bool = Field(description="accepting applications")
    featured_categories: list[FeaturedCategoryOut]
    created_at: datetime

    @classmethod
    def of(cls, p: PavilionInfo) -> PavilionOut:
        return cls(
            slug=p.slug,
            name_it=p.name_it,
            name_en=p.name_en,
            name_zh=p.name_zh,
            intro_it=p.intro_it,
            intro_en=p.intro_en,
            intro_zh=p.intro_zh,
            name_es=p.name_es,
            intro_es=p.intro_es,
            marketplace=p.marketplace_slug,
            currency=p.currency,
            partner_id=p.partner_id,
            partner_name=p.partner_name,
            country=p.country,
            quota=p.quota,
            admitted=p.admitted,
            seats_left=p.seats_left,
            sponsorship_months=p.sponsorship_months,
            is_open=p.is_open,
            featured_categories=[
                FeaturedCategoryOut(
                    slug=c.slug,
                    name_it=c.name_it,
                    name_en=c.name_en,
                    name_zh=c.name_zh,
                    name_es=c.name_es,
                )
                for c in p.featured
            ],
            created_at=p.created_at,
        )


class PavilionStatsOut(Schema):
    quota: int
    admitted: int
    waitlisted: int
    pending: int
    listings: int = Field(description="products of the admitted companies listed for sale")
    inquiries: int = Field(description="inquiries they received since their admission")
    quotes: int = Field(description="quotes they sent to buyers' RFQs since their admission")
    deals: int = Field(description="paid orders on the marketplace since their admission")
    deal_value_minor: int = Field(description="net of refunds, in minor units of currency")
    currency: str
    buyer_countries: list[str] = Field(description="ISO 3166-1 codes reached")
    at: datetime

    @classmethod
    def of(cls, s: PavilionStats) -> PavilionStatsOut:
        return cls(
            quota=s.quota,
            admitted=s.admitted,
            waitlisted=s.waitlisted,
            pending=s.pending,
            listings=s.listings,
            inquiries=s.inquiries,
            quotes=s.quotes,
            deals=s.deals,
            deal_value_minor=s.deal_value.amount_minor,
            currency=s.deal_value.currency,
            buyer_countries=list(s.buyer_countries),
            at=s.at,
        )


class ApplicationOut(Schema):
    id: int
    pavilion: str = Field(description="the pavilion's slug")
    merchant_id: int
    merchant_name: str
    region_code: str
    motivation: str
    status: Literal["pending", "admitted", "waitlisted", "rejected", "withdrawn", "ended"]
    status_label: str
    reason: str = Field(description="why rejected (the reviewer's words) or waitlisted")
    waitlist_position: int | None
    created_at: datetime
    decided_at: datetime | None
    admitted_at: datetime | None
    sponsorship_ends_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, a: ApplicationInfo) -> ApplicationOut:
        return cls(
            id=a.id,
            pavilion=a.pavilion_slug,
            merchant_id=a.merchant_id,
            merchant_name=a.merchant_name,
            region_code=a.region_code,
            motivation=a.motivation,
            status=a.status,  # type: ignore[arg-type]
            status_label=a.status_label,
            reason=a.reason_text,
            waitlist_position=a.waitlist_position,
            created_at=a.created_at,
            decided_at=a.decided_at,
            admitted_at=a.admitted_at,
            sponsorship_ends_at=a.sponsorship_ends_at,
            closed_at=a.closed_at,
        )


class ApplyIn(ObjectIn):
    merchant_id: BodyId
    motivation: str = Field(max_length=1000)


class PavilionDecisionIn(ObjectIn):
    decision: Literal["admit", "reject"]
    reason: str = Field("", max_length=500, description="required to reject; the company reads it")


class PavilionOpenIn(ObjectIn):
    is_open: bool


class PavilionIn(ObjectIn):
    slug: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")
    name_it: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    name_zh: str = Field(max_length=120)
    intro_it: str = Field("", max_length=2000)
    intro_en: str = Field("", max_length=2000)
    intro_zh: str = Field("", max_length=2000)
    name_es: str = Field("", max_length=120, description="in Spanish (optional)")
    intro_es: str = Field("", max_length=2000, description="in Spanish (optional)")
    marketplace: str = Field(max_length=40, description="slug of a B2B trade marketplace")
    partner_id: BodyId
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1: products' origin")
    quota: Annotated[int, Field(strict=True, ge=1, le=100_000)]
    sponsorship_months: Annotated[int, Field(strict=True, ge=1, le=120)] = 24
    featured_categories: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=20, description="category slugs"
    )
    is_open: bool = True


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
    name_es: str = Field("", description="in Spanish; empty when not translated")


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
                    {
                        "slug": c[0],
                        "name_it": c[1],
                        "name_en": c[2],
                        "name_zh": c[3],
                        "name_es": c[4],
                    }
                    for c in s.categories
                ],
            }
            for s in page.items
        ]
