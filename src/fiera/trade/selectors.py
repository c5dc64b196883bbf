"""Reads of the trade app. A supplier's effective verification level is computed at
``now``: the highest kind among its verifications with ``checked_at <= now < expires_at``
(an expired one no longer counts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, PARTNER, SYSTEM
from fiera.accounts.selectors import UserSummary, user_summaries
from fiera.catalog import rules
from fiera.catalog.selectors import (
    SearchPage,
    category_list,
    listed_product_counts,
    product_detail,
    product_search,
)
from fiera.common.errors import Conflict, NotFound, PermissionDenied, not_one_of
from fiera.common.money import Money
from fiera.common.reference import language_suffix
from fiera.common.trade_terms import incoterm_name, payment_terms_name
from fiera.marketplaces.selectors import (
    MarketplaceInfo,
    MarketplaceNotFound,
    marketplace_get_by_id,
    marketplace_infos,
)
from fiera.merchants.selectors import (
    MerchantNotFound,
    MerchantSummary,
    authorize,
    merchant_get,
    merchant_ids_for_user,
    merchant_summaries,
    region_name,
    staff_role_of,
)
from fiera.orders import selectors as orders_selectors
from fiera.orders.selectors import (
    EscrowedOrder,
    OrderPanel,
    address_list,
    deals_since,
    order_escrow_facts,
)
from fiera.orders.services import OrderNotEscrowed
from fiera.partners.selectors import authorize as partner_authorize
from fiera.partners.selectors import partner_id_for_user
from fiera.partners.selectors import partner_list as partners_all
from fiera.trade import documents
from fiera.trade.feed import FEED_KINDS as FEED_KINDS  # the analytics feed (a rebuild's source)
from fiera.trade.feed import TradeHappening as TradeHappening
from fiera.trade.feed import trade_feed as trade_feed
from fiera.trade.models import (
    LIVE_APPLICATION_STATUSES,
    ApplicationStatus,
    BuyerCompany,
    BuyerMember,
    Dispute,
    DisputeMessage,
    DisputeReason,
    DisputeSide,
    DisputeStatus,
    Inquiry,
    InquiryMessage,
    InquiryStatus,
    MessageSide,
    Pavilion,
    PavilionApplication,
    Quote,
    QuoteStatus,
    QuoteVersion,
    Rfq,
    RfqMatch,
    RfqStatus,
    RfqUnit,
    SupplierProfile,
    SupplierVerification,
    VerificationKind,
)

LEVELS = ("none", VerificationKind.LICENCE.value, VerificationKind.AUDIT.value)
LEVEL_LABELS = {
    "none": _("Not verified"),
    VerificationKind.LICENCE.value: _("Business licence checked"),
    VerificationKind.AUDIT.value: _("On-site audit"),
}


class InquiryNotFound(NotFound):
    code = "inquiry_not_found"
    message_template = _("This inquiry does not exist.")


class SupplierProfileNotFound(NotFound):
    code = "supplier_not_found"
    message_template = _("This supplier does not exist.")


# --- companies ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberInfo:
    user_id: int
    username: str
    full_name: str
    role: str


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    id: int
    legal_name: str
    country: str
    registration_number: str
    website: str
    verified: bool
    verified_at: datetime | None
    created_at: datetime
    members: tuple[MemberInfo, ...]


def company_info(company: BuyerCompany) -> CompanyInfo:
    """The company with its members, admins first (two queries)."""
    rows = list(BuyerMember.objects.filter(company_id=company.pk).values_list("user_id", "role"))
    people = user_summaries(user_ids=[r[0] for r in rows])
    members = sorted(
        (
            MemberInfo(
                user_id=uid,
                username=people[uid].username if uid in people else "",
                full_name=people[uid].full_name if uid in people else "",
                role=role,
            )
            for uid, role in rows
        ),
        key=lambda m: (m.role != "admin", m.username),
    )
    return CompanyInfo(
        id=company.pk,
        legal_name=company.legal_name,
        country=company.country,
        registration_number=company.registration_number,
        website=company.website,
        verified=company.verified_at is not None,
        verified_at=company.verified_at,
        created_at=company.created_at,
        members=tuple(members),
    )


class CompanyMissing(NotFound):
    code = "company_not_found"
    message_template = _("This buyer company does not exist.")


def company_of_user(*, user_id: int) -> CompanyInfo | None:
    """The buyer's company, or None when the account belongs to none."""
    company = BuyerCompany.objects.filter(members__user_id=user_id).first()
    return company_info(company) if company is not None else None


def company_get(*, company_id: int, actor_id: int, actor_role: str) -> CompanyInfo:
    """A company as its members and operators see it; anyone else 404."""
    company = BuyerCompany.objects.filter(pk=company_id).first()
    if company is None:
        raise CompanyMissing(f"no company {company_id}")
    if (
        actor_role not in (OPERATOR, SYSTEM)
        and not BuyerMember.objects.filter(company_id=company_id, user_id=actor_id).exists()
    ):
        raise CompanyMissing(f"user {actor_id} not in company {company_id}")
    return company_info(company)


def company_list(*, actor_role: str, verified: bool | None = None) -> list[CompanyInfo]:
    """Every buyer company (operators: the verification queue), newest first."""
    if actor_role not in (OPERATOR, SYSTEM):
        raise PermissionDenied("operators only")
    qs = BuyerCompany.objects.order_by("-created_at", "-id")
    if verified is not None:
        qs = qs.filter(verified_at__isnull=not verified)
    return [company_info(c) for c in qs]


# --- suppliers ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerificationInfo:
    id: int
    kind: str
    kind_label: str
    inspection_body: str
    checked_at: datetime
    expires_at: datetime
    evidence: str  # the storage name; shown to operators only


def verification_info(v: SupplierVerification) -> VerificationInfo:
    return VerificationInfo(
        id=v.pk,
        kind=v.kind,
        kind_label=str(LEVEL_LABELS[v.kind]),
        inspection_body=v.inspection_body,
        checked_at=v.checked_at,
        expires_at=v.expires_at,
        evidence=v.evidence.name or "",
    )


@dataclass(frozen=True, slots=True)
class SupplierInfo:
    merchant_id: int
    merchant_slug: str
    display_name: str
    country: str
    region_name: str
    town: str
    capabilities_it: str
    capabilities_en: str
    capabilities_zh: str
    main_markets: tuple[str, ...]
    year_established: int | None
    employees_band: str
    export_share_pct: int | None
    level: str  # effective at ``now``: none, licence, audit
    level_label: str
    level_expires_at: datetime | None  # when the check behind ``level`` lapses
    level_body: str  # the inspection body of the audit behind ``level``
    verifications: tuple[VerificationInfo, ...]  # all, newest first (expired included)

    def capabilities(self, language: str) -> str:
        if language.startswith("zh") and self.capabilities_zh:
            return self.capabilities_zh
        if language.startswith("it") and self.capabilities_it:
            return self.capabilities_it
        return self.capabilities_en or self.capabilities_it or self.capabilities_zh


def effective_level(
    verifications: Iterable[VerificationInfo], *, now: datetime
) -> VerificationInfo | None:
    """The check that gives the highest level at ``now`` (the one expiring last among
    those of that level), or None: not verified."""
    live = [v for v in verifications if v.checked_at <= now < v.expires_at]
    if not live:
        return None
    return max(live, key=lambda v: (LEVELS.index(v.kind), v.expires_at))


def _supplier(profile: SupplierProfile, *, now: datetime) -> SupplierInfo:
    merchant = merchant_get(merchant_id=profile.merchant_id)
    checks = tuple(verification_info(v) for v in profile.verifications.all())
    best = effective_level(checks, now=now)
    level = best.kind if best is not None else "none"
    return SupplierInfo(
        merchant_id=merchant.id,
        merchant_slug=merchant.slug,
        display_name=merchant.display_name,
        country=merchant.country,
        region_name=merchant.region_name,
        town=merchant.town,
        capabilities_it=profile.capabilities_it,
        capabilities_en=profile.capabilities_en,
        capabilities_zh=profile.capabilities_zh,
        main_markets=tuple(c for c in profile.main_markets.split(",") if c),
        year_established=profile.year_established,
        employees_band=profile.employees_band,
        export_share_pct=profile.export_share_pct,
        level=level,
        level_label=str(LEVEL_LABELS[level]),
        level_expires_at=best.expires_at if best is not None else None,
        level_body=best.inspection_body if best is not None else "",
        verifications=checks,
    )


def supplier_get(*, merchant_id: int, now: datetime) -> SupplierInfo:
    """The public supplier profile with its effective level at ``now`` (404 without one)."""
    profile = (
        SupplierProfile.objects.prefetch_related("verifications")
        .filter(merchant_id=merchant_id)
        .first()
    )
    if profile is None:
        raise SupplierProfileNotFound(f"merchant {merchant_id} has no supplier profile")
    try:
        return _supplier(profile, now=now)
    except MerchantNotFound as exc:
        raise SupplierProfileNotFound(f"no merchant {merchant_id}") from exc


def first_merchant_of(*, user_id: int) -> int | None:
    """The first company the staff member works for (the console's default), or None."""
    ids = merchant_ids_for_user(user_id=user_id)
    return ids[0] if ids else None


def supplier_editor_check(*, merchant_id: int, actor_id: int, actor_role: str) -> None:
    """The actor may open the merchant's profile editor: its staff (any role: clerks are
    refused on save) and operators; another merchant's staff 404."""
    authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role)


def supplier_list(*, now: datetime, level: str | None = None) -> list[SupplierInfo]:
    """Every supplier profile with its effective level at ``now``; ``level`` keeps those at
    that level or higher."""
    profiles = SupplierProfile.objects.prefetch_related("verifications").order_by("merchant_id")
    found = [_supplier(p, now=now) for p in profiles]
    if level in LEVELS:
        found = [s for s in found if LEVELS.index(s.level) >= LEVELS.index(level)]
    return found


# --- inquiries ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageInfo:
    id: int
    side: str
    author: str
    body: str  # plain text: escape it wherever it is shown
    created_at: datetime


@dataclass(frozen=True, slots=True)
class InquirySummary:
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
    unread: int  # for the side that lists it
    created_at: datetime
    last_message_at: datetime


@dataclass(frozen=True, slots=True)
class InquiryThread:
    inquiry: InquirySummary
    side: str  # the reader's side: buyer, supplier, operator
    marketplace_id: int
    messages: tuple[MessageInfo, ...]
    product_name: str = ""  # in English ("" without a product or when no longer listed)


def trade_marketplace() -> MarketplaceInfo:
    """The first active B2B trade marketplace (the pages' default); ``MarketplaceNotFound``
    (404) when there is none."""
    found = next((m for m in marketplace_infos() if m.kind == "b2b_trade"), None)
    if found is None:
        raise MarketplaceNotFound("no active b2b_trade marketplace")
    return found


def product_name(
    *, marketplace_id: int, product_id: int | None, merchant_id: int | None = None
) -> str:
    """The product's English name as listed on the marketplace, or "" (no product, it is
    no longer listed there, or it is not ``merchant_id``'s when that is given)."""
    if product_id is None:
        return ""
    market = marketplace_get_by_id(marketplace_id=marketplace_id)
    try:
        detail = product_detail(
            marketplace_id=market.id, currency=market.default_currency, product_id=product_id
        )
    except NotFound:
        return ""
    if merchant_id is not None and detail.merchant.id != merchant_id:
        return ""
    return detail.name_en or detail.name_it


def inquiry_access(
    inquiry: Inquiry | None, *, actor_id: int | None, actor_role: str, inquiry_id: int
) -> str:
    """The actor's side of the inquiry: ``buyer`` (its buyer), ``supplier`` (staff of its
    merchant, any role) or ``operator``; anyone else gets ``InquiryNotFound`` (404)."""
    if inquiry is not None:
        if actor_role in (OPERATOR, SYSTEM):
            return "operator"
        if actor_role == BUYER and inquiry.buyer_id == actor_id:
            return MessageSide.BUYER
        if (
            actor_role == MERCHANT
            and actor_id is not None
            and staff_role_of(user_id=actor_id, merchant_id=inquiry.merchant_id) is not None
        ):
            return MessageSide.SUPPLIER
    raise InquiryNotFound(f"inquiry {inquiry_id} is not the actor's")


def _summaries(rows: list[Inquiry], *, side: str) -> list[InquirySummary]:
    merchants = merchant_summaries(merchant_ids=[r.merchant_id for r in rows])
    people = user_summaries(user_ids=[r.buyer_id for r in rows])
    out = []
    for r in rows:
        person = people.get(r.buyer_id)
        out.append(
            InquirySummary(
                id=r.pk,
                subject=r.subject,
                quantity=r.quantity,
                status=r.status,
                status_label=str(InquiryStatus(r.status).label),
                merchant_id=r.merchant_id,
                supplier_name=merchants[r.merchant_id].display_name
                if r.merchant_id in merchants
                else "",
                buyer_id=r.buyer_id,
                buyer_name=(person.full_name or person.username) if person else "",
                company_id=r.company_id,
                product_id=r.product_id,
                unread=r.buyer_unread if side == MessageSide.BUYER else r.supplier_unread,
                created_at=r.created_at,
                last_message_at=r.last_message_at,
            )
        )
    return out


def inquiry_thread(*, inquiry_id: int, actor_id: int | None, actor_role: str) -> InquiryThread:
    """The inquiry with its messages, oldest first, for its buyer, its supplier's staff and
    operators (anyone else 404). Four queries."""
    inquiry = Inquiry.objects.filter(pk=inquiry_id).first()
    side = inquiry_access(inquiry, actor_id=actor_id, actor_role=actor_role, inquiry_id=inquiry_id)
    assert inquiry is not None
    rows = list(InquiryMessage.objects.filter(inquiry_id=inquiry_id))
    authors = user_summaries(user_ids={m.author_id for m in rows})
    messages = tuple(
        MessageInfo(
            id=m.pk,
            side=m.side,
            author=(authors[m.author_id].full_name or authors[m.author_id].username)
            if m.author_id in authors
            else "",
            body=m.body,
            created_at=m.created_at,
        )
        for m in rows
    )
    summary = _summaries([inquiry], side=side if side != "operator" else MessageSide.SUPPLIER)[0]
    return InquiryThread(
        inquiry=summary,
        side=side,
        marketplace_id=inquiry.marketplace_id,
        messages=messages,
        product_name=product_name(
            marketplace_id=inquiry.marketplace_id, product_id=inquiry.product_id
        ),
    )


def inquiry_list(
    *,
    actor_id: int,
    actor_role: str,
    merchant_id: int | None = None,
    status: str | None = None,
) -> list[InquirySummary]:
    """The actor's inbox, most recent activity first: a buyer's own inquiries; a merchant's
    (``merchant_id``, staff of any role, another merchant 404) or, without it, those of
    every merchant the staff member works for; operators every inquiry (moderation)."""
    qs = Inquiry.objects.all()
    side: str = MessageSide.SUPPLIER
    if actor_role == BUYER:
        qs = qs.filter(buyer_id=actor_id)
        side = MessageSide.BUYER
    elif merchant_id is not None:
        authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role)
        qs = qs.filter(merchant_id=merchant_id)
    elif actor_role == MERCHANT:
        qs = qs.filter(merchant_id__in=merchant_ids_for_user(user_id=actor_id))
    elif actor_role not in (OPERATOR, SYSTEM):
        raise PermissionDenied("no inbox for this role")
    if status in InquiryStatus.values:
        qs = qs.filter(status=status)
    return _summaries(list(qs.order_by("-last_message_at", "-id")[:1000]), side=side)


def unread_count(*, actor_id: int, actor_role: str) -> int:
    """Messages from the other side not yet read, over the actor's inquiries (one query)."""
    if actor_role == BUYER:
        total = Inquiry.objects.filter(buyer_id=actor_id).aggregate(n=Sum("buyer_unread"))["n"]
    elif actor_role == MERCHANT:
        total = Inquiry.objects.filter(
            Q(merchant_id__in=merchant_ids_for_user(user_id=actor_id))
        ).aggregate(n=Sum("supplier_unread"))["n"]
    else:
        return 0
    return int(total or 0)


# --- trade assurance: disputes ---

DISPUTE_WINDOW_DAYS = 30  # a dispute is opened within 30 days of delivery (or shipment)


class DisputeNotFound(NotFound):
    code = "dispute_not_found"
    message_template = _("This dispute does not exist.")


class AssuranceOrderNotFound(NotFound):
    code = "order_not_found"
    message_template = _("This order does not exist.")


@dataclass(frozen=True, slots=True)
class DisputeMessageInfo:
    id: int
    side: str  # buyer, supplier, operator
    side_label: str
    author_id: int
    author_name: str
    body: str
    evidence_name: str  # "" without evidence; the file is served to the parties only
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DisputeInfo:
    """A dispute as one of its parties (``viewer_side``: buyer, supplier, operator) sees
    it, with its thread oldest first."""

    id: int
    order_number: str
    buyer_id: int
    buyer_name: str
    merchant_id: int
    merchant_name: str
    amount: Money
    reason: str
    reason_label: str
    statement: str
    status: str  # open, upheld, rejected
    status_label: str
    opened_at: datetime
    decided_at: datetime | None
    decision_reason: str
    messages: tuple[DisputeMessageInfo, ...]
    viewer_side: str

    @property
    def is_open(self) -> bool:
        return self.status == DisputeStatus.OPEN


@dataclass(frozen=True, slots=True)
class AssuranceInfo:
    """Trade assurance on one order as one of its parties sees it: the hold (``escrow_status``
    held, released, refunded, expired, or "" while nothing is held), until when the buyer
    may open a dispute (``dispute_until``: 30 days after delivery, else after shipment),
    when the periodic job releases an undisputed hold (``release_due_at``), the dispute if
    any, and what the viewer may do now."""

    order_number: str
    order_status: str
    buyer_id: int
    merchant_id: int
    escrow_status: str
    amount: Money | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    dispute_until: datetime | None
    release_due_at: datetime | None
    dispute_id: int | None
    dispute_status: str
    viewer_side: str
    can_confirm: bool
    can_dispute: bool


def order_side(
    facts: EscrowedOrder | None, *, actor_id: int | None, actor_role: str, number: str
) -> str:
    """The actor's side of the order: buyer, supplier (any staff of its merchant) or
    operator; anyone else ``AssuranceOrderNotFound`` (404)."""
    if facts is not None:
        if actor_role in (OPERATOR, SYSTEM):
            return "operator"
        if actor_role == BUYER and facts.buyer_id == actor_id:
            return DisputeSide.BUYER
        if (
            actor_role == MERCHANT
            and actor_id is not None
            and staff_role_of(user_id=actor_id, merchant_id=facts.merchant_id) is not None
        ):
            return DisputeSide.SUPPLIER
    raise AssuranceOrderNotFound(f"order {number} is not the actor's")


def dispute_until(facts: EscrowedOrder) -> datetime | None:
    base = facts.delivered_at or facts.shipped_at
    return base + timedelta(days=DISPUTE_WINDOW_DAYS) if base is not None else None


def release_due_at(facts: EscrowedOrder) -> datetime | None:
    if facts.delivered_at is None:
        return None
    return facts.delivered_at + timedelta(days=int(settings.FIERA_TRADE_ASSURANCE_RELEASE_DAYS))


def assurance_info(facts: EscrowedOrder, *, side: str, now: datetime) -> AssuranceInfo:
    dispute = Dispute.objects.filter(order_number=facts.number).values_list("pk", "status").first()
    held = facts.escrow_status == "held" and facts.status in ("shipped", "delivered")
    until = dispute_until(facts)
    buyer = side == DisputeSide.BUYER
    return AssuranceInfo(
        order_number=facts.number,
        order_status=facts.status,
        buyer_id=facts.buyer_id,
        merchant_id=facts.merchant_id,
        escrow_status=facts.escrow_status,
        amount=facts.escrow_amount,
        shipped_at=facts.shipped_at,
        delivered_at=facts.delivered_at,
        dispute_until=until,
        release_due_at=release_due_at(facts),
        dispute_id=dispute[0] if dispute else None,
        dispute_status=dispute[1] if dispute else "",
        viewer_side=side,
        can_confirm=buyer and held and not (dispute and dispute[1] == DisputeStatus.OPEN),
        can_dispute=buyer and held and dispute is None and until is not None and now <= until,
    )


def assurance_get(
    *, actor_id: int | None, actor_role: str, order_number: str, now: datetime
) -> AssuranceInfo:
    """Trade assurance on the order ``order_number`` for its buyer, its merchant's staff or
    an operator (others 404; an order not paid under trade assurance 409
    ``order_not_escrowed``)."""
    facts = order_escrow_facts(number=order_number, now=now)
    side = order_side(facts, actor_id=actor_id, actor_role=actor_role, number=order_number)
    assert facts is not None
    if not facts.escrowed:
        raise OrderNotEscrowed(f"order {order_number} is not under trade assurance")
    return assurance_info(facts, side=side, now=now)


def dispute_access(
    dispute: Dispute | None, *, actor_id: int | None, actor_role: str, dispute_id: int
) -> str:
    """The actor's side of the dispute (buyer, supplier, operator); others 404."""
    if dispute is not None:
        if actor_role in (OPERATOR, SYSTEM):
            return DisputeSide.OPERATOR
        if actor_role == BUYER and dispute.buyer_id == actor_id:
            return DisputeSide.BUYER
        if (
            actor_role == MERCHANT
            and actor_id is not None
            and staff_role_of(user_id=actor_id, merchant_id=dispute.merchant_id) is not None
        ):
            return DisputeSide.SUPPLIER
    raise DisputeNotFound(f"dispute {dispute_id} is not the actor's")


def _name(person: UserSummary | None) -> str:
    return (person.full_name or person.username) if person is not None else ""


def _dispute_info(
    dispute: Dispute,
    *,
    side: str,
    messages: Iterable[DisputeMessage] = (),
    people: dict[int, UserSummary] | None = None,
    merchants: dict[int, MerchantSummary] | None = None,
) -> DisputeInfo:
    rows = list(messages)
    if people is None:
        people = user_summaries(user_ids=[dispute.buyer_id, *(m.author_id for m in rows)])
    if merchants is None:
        merchants = merchant_summaries(merchant_ids=[dispute.merchant_id])
    merchant = merchants.get(dispute.merchant_id)
    buyer = people.get(dispute.buyer_id)
    labels = dict(DisputeSide.choices)
    return DisputeInfo(
        id=dispute.pk,
        order_number=dispute.order_number,
        buyer_id=dispute.buyer_id,
        buyer_name=_name(buyer),
        merchant_id=dispute.merchant_id,
        merchant_name=merchant.display_name if merchant is not None else "",
        amount=Money(dispute.amount_minor, dispute.currency),
        reason=dispute.reason,
        reason_label=str(dict(DisputeReason.choices).get(dispute.reason, dispute.reason)),
        statement=dispute.statement,
        status=dispute.status,
        status_label=str(dict(DisputeStatus.choices).get(dispute.status, dispute.status)),
        opened_at=dispute.opened_at,
        decided_at=dispute.decided_at,
        decision_reason=dispute.decision_reason,
        messages=tuple(
            DisputeMessageInfo(
                id=m.pk,
                side=m.side,
                side_label=str(labels.get(m.side, m.side)),
                author_id=m.author_id,
                author_name=_name(people.get(m.author_id)),
                body=m.body,
                evidence_name=(m.evidence.name or "").rsplit("/", 1)[-1] if m.evidence else "",
                created_at=m.created_at,
            )
            for m in rows
        ),
        viewer_side=side,
    )


def dispute_get(*, actor_id: int | None, actor_role: str, dispute_id: int) -> DisputeInfo:
    """The dispute with its thread, for its buyer, its merchant's staff or an operator
    (others 404)."""
    dispute = Dispute.objects.filter(pk=dispute_id).first()
    side = dispute_access(dispute, actor_id=actor_id, actor_role=actor_role, dispute_id=dispute_id)
    assert dispute is not None
    return _dispute_info(dispute, side=side, messages=dispute.messages.all())


def dispute_of_order(
    *, actor_id: int | None, actor_role: str, order_number: str
) -> DisputeInfo | None:
    """The dispute of the order, if any, for one of its parties (others 404)."""
    dispute = Dispute.objects.filter(order_number=order_number).first()
    if dispute is None:
        return None
    return dispute_get(actor_id=actor_id, actor_role=actor_role, dispute_id=dispute.pk)


def dispute_list(
    *, actor_id: int | None, actor_role: str, status: str | None = None
) -> list[DisputeInfo]:
    """The disputes the actor sees, without their threads: a buyer its own, merchant staff
    their merchants', operators all (the queue: open ones oldest first, then decided ones
    newest first). ``status`` filters (open, upheld, rejected)."""
    rows = Dispute.objects.all()
    side: str = DisputeSide.OPERATOR
    if actor_role == BUYER:
        rows, side = rows.filter(buyer_id=actor_id), DisputeSide.BUYER
    elif actor_role == MERCHANT:
        ids = merchant_ids_for_user(user_id=actor_id) if actor_id is not None else []
        rows, side = rows.filter(merchant_id__in=list(ids)), DisputeSide.SUPPLIER
    elif actor_role not in (OPERATOR, SYSTEM):
        raise PermissionDenied("only buyers, merchant staff and operators have disputes")
    if status:
        rows = rows.filter(status=status)
    found = sorted(
        rows[:500],
        key=lambda d: (
            d.status != DisputeStatus.OPEN,
            d.opened_at.timestamp() * (1 if d.status == DisputeStatus.OPEN else -1),
        ),
    )
    people = user_summaries(user_ids=[d.buyer_id for d in found])
    merchants = merchant_summaries(merchant_ids=[d.merchant_id for d in found])
    return [_dispute_info(d, side=side, people=people, merchants=merchants) for d in found]


@dataclass(frozen=True, slots=True)
class DisputeEvidence:
    name: str
    content: bytes
    content_type: str


def dispute_evidence(
    *, actor_id: int | None, actor_role: str, dispute_id: int, message_id: int
) -> DisputeEvidence:
    """The evidence file of one message of the dispute, for its parties only (others and a
    message without a file: 404). At most 5 MB, read whole."""
    dispute = Dispute.objects.filter(pk=dispute_id).first()
    dispute_access(dispute, actor_id=actor_id, actor_role=actor_role, dispute_id=dispute_id)
    message = DisputeMessage.objects.filter(pk=message_id, dispute_id=dispute_id).first()
    if message is None or not message.evidence:
        raise DisputeNotFound(f"no evidence {message_id} in dispute {dispute_id}")
    name = (message.evidence.name or "").rsplit("/", 1)[-1]
    with message.evidence.open("rb") as handle:
        content = handle.read()
    kind = "application/pdf" if content.startswith(b"%PDF-") else _picture_type(content)
    return DisputeEvidence(name=name, content=content, content_type=kind)


def _picture_type(content: bytes) -> str:
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"


def dispute_panel(*, number: str, actor_id: int, actor_role: str) -> OrderPanel | None:
    """The order pages' dispute section (registered with
    ``orders.selectors.order_panel_register`` in ``TradeConfig.ready``): the dispute of the
    order with its thread, for its parties; None without a dispute or for anyone else."""
    try:
        found = dispute_of_order(actor_id=actor_id, actor_role=actor_role, order_number=number)
    except NotFound:
        return None
    if found is None:
        return None
    return OrderPanel(template="trade/_dispute_panel.html", context={"dispute": found})


# --- RFQs and quotes ---


class RfqNotFound(NotFound):
    code = "rfq_not_found"
    message_template = _("This request for quotation does not exist.")


class QuoteNotFound(NotFound):
    code = "quote_not_found"
    message_template = _("This quote does not exist.")


LIVE_QUOTES = (QuoteStatus.SUBMITTED.value, QuoteStatus.REVISED.value)


@dataclass(frozen=True, slots=True)
class RfqSummary:
    id: int
    product: str
    category_id: int
    category_name_it: str
    category_name_en: str
    category_name_zh: str
    quantity: int
    unit: str
    unit_label: str
    target_unit_price_minor: int | None  # shown to the buyer, matched suppliers, operators
    currency: str
    destination_country: str
    deadline: datetime
    description: str  # plain text: escape it wherever it is shown
    status: str
    status_label: str
    buyer_id: int
    buyer_name: str
    company_name: str
    company_country: str
    company_verified: bool
    marketplace_id: int
    created_at: datetime
    closed_at: datetime | None
    quotes: int  # the reader's: every quote for the buyer and operators, its own for a supplier
    unread: int  # buyer: quotes and revisions not yet seen; supplier: 1 when not yet opened
    matched: int  # suppliers matched when posted
    category_name_es: str = ""  # empty: not translated, the English name is shown

    def category_name(self, language: str) -> str:
        return _in_language(
            language,
            self.category_name_it,
            self.category_name_en,
            self.category_name_zh,
            self.category_name_es,
        )


@dataclass(frozen=True, slots=True)
class QuoteVersionInfo:
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
    note: str  # plain text
    author: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QuoteInfo:
    id: int
    rfq_id: int
    merchant_id: int
    supplier_name: str
    supplier_level: str
    supplier_level_label: str
    status: str
    status_label: str
    version: int
    valid_until: datetime
    ref: str
    order_number: str  # the order its acceptance placed
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None
    versions: tuple[QuoteVersionInfo, ...]  # oldest first

    @property
    def latest(self) -> QuoteVersionInfo:
        return self.versions[-1]

    @property
    def live(self) -> bool:
        return self.status in LIVE_QUOTES


@dataclass(frozen=True, slots=True)
class RfqDetail:
    rfq: RfqSummary
    side: str  # buyer, supplier or operator
    merchant_id: int | None  # the supplier side's merchant
    quotes: tuple[QuoteInfo, ...]  # buyer/operator: all; supplier: its own (0 or 1)


def _category_names(ids: Iterable[int]) -> dict[int, tuple[str, str, str, str]]:
    wanted = set(ids)
    return {
        c.id: (c.name_it, c.name_en, c.name_zh, c.name_es)
        for c in category_list()
        if c.id in wanted
    }


def _rfq_summaries(
    rows: list[Rfq], *, side: str, merchant_ids: Iterable[int] = ()
) -> list[RfqSummary]:
    """Summaries of ``rows`` for the reader's ``side`` (four queries whatever their number)."""
    if not rows:
        return []
    ids = [r.pk for r in rows]
    people = user_summaries(user_ids={r.buyer_id for r in rows})
    companies = {
        c.pk: c
        for c in BuyerCompany.objects.filter(pk__in={r.company_id for r in rows if r.company_id})
    }
    categories = _category_names(r.category_id for r in rows)
    matched = dict(
        RfqMatch.objects.filter(rfq_id__in=ids)
        .values("rfq_id")
        .annotate(n=Count("id"))
        .values_list("rfq_id", "n")
    )
    quotes_qs = Quote.objects.filter(rfq_id__in=ids)
    unread_match: set[int] = set()
    if side == "supplier":
        mids = list(merchant_ids)
        quotes_qs = quotes_qs.filter(merchant_id__in=mids)
        unread_match = set(
            RfqMatch.objects.filter(
                rfq_id__in=ids, merchant_id__in=mids, supplier_unread=True
            ).values_list("rfq_id", flat=True)
        )
    counts = dict(quotes_qs.values("rfq_id").annotate(n=Count("id")).values_list("rfq_id", "n"))
    out = []
    for r in rows:
        person = people.get(r.buyer_id)
        company = companies.get(r.company_id) if r.company_id else None
        names = categories.get(r.category_id, ("", "", "", ""))
        if side == "buyer":
            unread = r.buyer_unread
        elif side == "supplier":
            unread = 1 if r.pk in unread_match else 0
        else:
            unread = 0
        out.append(
            RfqSummary(
                id=r.pk,
                product=r.product,
                category_id=r.category_id,
                category_name_it=names[0],
                category_name_en=names[1],
                category_name_zh=names[2],
                quantity=r.quantity,
                unit=r.unit,
                unit_label=str(RfqUnit(r.unit).label),
                target_unit_price_minor=r.target_unit_price_minor,
                currency=r.currency,
                destination_country=r.destination_country,
                deadline=r.deadline,
                description=r.description,
                status=r.status,
                status_label=str(RfqStatus(r.status).label),
                buyer_id=r.buyer_id,
                buyer_name=(person.full_name or person.username) if person else "",
                company_name=company.legal_name if company else "",
                company_country=company.country if company else "",
                company_verified=bool(company and company.verified_at),
                marketplace_id=r.marketplace_id,
                created_at=r.created_at,
                closed_at=r.closed_at,
                quotes=int(counts.get(r.pk, 0)),
                unread=unread,
                matched=int(matched.get(r.pk, 0)),
                category_name_es=names[3],
            )
        )
    return out


def supplier_levels(merchant_ids: Iterable[int], *, now: datetime) -> dict[int, str]:
    """The effective verification level of each merchant at ``now`` (one query)."""
    checks: dict[int, list[VerificationInfo]] = {}
    for v in SupplierVerification.objects.filter(
        profile__merchant_id__in=set(merchant_ids)
    ).select_related("profile"):
        checks.setdefault(v.profile.merchant_id, []).append(verification_info(v))
    out = {}
    for mid in merchant_ids:
        best = effective_level(checks.get(mid, []), now=now)
        out[mid] = best.kind if best is not None else "none"
    return out


def quote_infos(rows: list[Quote], *, now: datetime) -> list[QuoteInfo]:
    """``rows`` with their versions and suppliers (four queries whatever their number)."""
    if not rows:
        return []
    versions: dict[int, list[QuoteVersion]] = {}
    for v in QuoteVersion.objects.filter(quote_id__in=[q.pk for q in rows]).order_by("number"):
        versions.setdefault(v.quote_id, []).append(v)
    authors = user_summaries(user_ids={v.author_id for vs in versions.values() for v in vs})
    merchants = merchant_summaries(merchant_ids={q.merchant_id for q in rows})
    levels = supplier_levels({q.merchant_id for q in rows}, now=now)
    out = []
    for q in rows:
        found = merchants.get(q.merchant_id)
        level = levels.get(q.merchant_id, "none")
        out.append(
            QuoteInfo(
                id=q.pk,
                rfq_id=q.rfq_id,
                merchant_id=q.merchant_id,
                supplier_name=found.display_name if found else "",
                supplier_level=level,
                supplier_level_label=str(LEVEL_LABELS[level]),
                status=q.status,
                status_label=str(QuoteStatus(q.status).label),
                version=q.version,
                valid_until=q.valid_until,
                ref=q.ref,
                order_number=q.order_number,
                created_at=q.created_at,
                updated_at=q.updated_at,
                decided_at=q.decided_at,
                versions=tuple(
                    QuoteVersionInfo(
                        number=v.number,
                        variant_id=v.variant_id,
                        product_id=v.product_id,
                        sku=v.sku,
                        product_name=v.product_name,
                        unit_price_minor=v.unit_price_minor,
                        currency=v.currency,
                        quantity=v.quantity,
                        total_minor=v.unit_price_minor * v.quantity,
                        incoterm=v.incoterm,
                        incoterm_label=incoterm_name(v.incoterm),
                        incoterm_place=v.incoterm_place,
                        payment_terms=v.payment_terms,
                        payment_terms_label=payment_terms_name(v.payment_terms),
                        lead_time_days=v.lead_time_days,
                        valid_until=v.valid_until,
                        note=v.note,
                        author=(authors[v.author_id].full_name or authors[v.author_id].username)
                        if v.author_id in authors
                        else "",
                        created_at=v.created_at,
                    )
                    for v in versions.get(q.pk, [])
                ),
            )
        )
    return out


def rfq_access(
    rfq: Rfq | None, *, actor_id: int | None, actor_role: str, rfq_id: int
) -> tuple[str, int | None]:
    """The actor's side of the RFQ and, for a supplier, the merchant it acts for: its buyer
    (colleagues do not see it), staff (any role) of a merchant it matched, or operators;
    anyone else ``RfqNotFound`` (404)."""
    if rfq is not None:
        if actor_role in (OPERATOR, SYSTEM):
            return "operator", None
        if actor_role == BUYER and rfq.buyer_id == actor_id:
            return "buyer", None
        if actor_role == MERCHANT and actor_id is not None:
            mine = merchant_ids_for_user(user_id=actor_id)
            matched = (
                RfqMatch.objects.filter(rfq_id=rfq.pk, merchant_id__in=mine)
                .order_by("rank")
                .values_list("merchant_id", flat=True)
                .first()
            )
            if matched is not None:
                return "supplier", int(matched)
    raise RfqNotFound(f"rfq {rfq_id} is not the actor's")


def rfq_detail(*, rfq_id: int, actor_id: int | None, actor_role: str, now: datetime) -> RfqDetail:
    """The RFQ with the quotes its reader may see: the buyer and operators every quote
    (side by side), a matched supplier only its own; anyone else 404."""
    rfq = Rfq.objects.filter(pk=rfq_id).first()
    side, merchant_id = rfq_access(rfq, actor_id=actor_id, actor_role=actor_role, rfq_id=rfq_id)
    assert rfq is not None
    quotes = Quote.objects.filter(rfq_id=rfq_id).order_by("created_at", "id")
    if side == "supplier" and merchant_id is not None:
        quotes = quotes.filter(merchant_id=merchant_id)
    summary = _rfq_summaries(
        [rfq], side=side, merchant_ids=[merchant_id] if merchant_id is not None else []
    )[0]
    return RfqDetail(
        rfq=summary,
        side=side,
        merchant_id=merchant_id,
        quotes=tuple(quote_infos(list(quotes), now=now)),
    )


def rfq_list(
    *,
    actor_id: int,
    actor_role: str,
    merchant_id: int | None = None,
    status: str | None = None,
) -> list[RfqSummary]:
    """The actor's RFQs, newest first: a buyer's own; for merchant staff those that matched
    their merchant (``merchant_id``, another merchant 404) or any of their merchants;
    operators every RFQ."""
    qs = Rfq.objects.all()
    side = "operator"
    mids: list[int] = []
    if actor_role == BUYER:
        qs = qs.filter(buyer_id=actor_id)
        side = "buyer"
    elif actor_role == MERCHANT or (merchant_id is not None and actor_role != BUYER):
        if merchant_id is not None:
            authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role)
            mids = [merchant_id]
        else:
            mids = list(merchant_ids_for_user(user_id=actor_id))
        qs = qs.filter(matches__merchant_id__in=mids).distinct()
        side = "supplier"
    elif actor_role not in (OPERATOR, SYSTEM):
        raise PermissionDenied("no RFQs for this role")
    if status in RfqStatus.values:
        qs = qs.filter(status=status)
    return _rfq_summaries(
        list(qs.order_by("-created_at", "-id")[:1000]), side=side, merchant_ids=mids
    )


def quote_get(*, quote_id: int, actor_id: int | None, actor_role: str, now: datetime) -> QuoteInfo:
    """One quote for the RFQ's buyer, its supplier's staff (any role) and operators; a
    competing supplier or anyone else 404."""
    quote = Quote.objects.select_related("rfq").filter(pk=quote_id).first()
    quote_access(quote, actor_id=actor_id, actor_role=actor_role, quote_id=quote_id)
    assert quote is not None
    return quote_infos([quote], now=now)[0]


def quote_access(
    quote: Quote | None, *, actor_id: int | None, actor_role: str, quote_id: int
) -> str:
    """``buyer`` (the RFQ's buyer), ``supplier`` (staff of the quoting merchant, any role),
    ``operator``; anyone else ``QuoteNotFound`` (404)."""
    if quote is not None:
        if actor_role in (OPERATOR, SYSTEM):
            return "operator"
        if actor_role == BUYER and quote.rfq.buyer_id == actor_id:
            return "buyer"
        if (
            actor_role == MERCHANT
            and actor_id is not None
            and staff_role_of(user_id=actor_id, merchant_id=quote.merchant_id) is not None
        ):
            return "supplier"
    raise QuoteNotFound(f"quote {quote_id} is not the actor's")


@dataclass(frozen=True, slots=True)
class QuotableVariant:
    variant_id: int
    sku: str
    label: str
    name_en: str
    name_it: str
    name_zh: str
    min_order_quantity: int
    unit_price_minor: int  # the list price from 1 unit, in the RFQ's currency


def quotable_variants(
    *, merchant_id: int, marketplace_id: int, currency: str, limit: int = 300
) -> list[QuotableVariant]:
    """The merchant's variants for sale on the marketplace in ``currency`` (``catalog.rules``),
    what its quote form offers, by product name; one query (a documented cross-app read)."""
    sql = (
        "SELECT v.id, v.sku, v.label, p.name_en, p.name_it, p.name_zh, v.min_order_quantity, "
        f"pr.amount_minor FROM catalog_variant v {rules.sellable_joins()} "
        "WHERE v.merchant_id = %s ORDER BY p.name_en, v.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [marketplace_id, currency, merchant_id, limit])
        return [
            QuotableVariant(
                variant_id=int(r[0]),
                sku=str(r[1]),
                label=str(r[2]),
                name_en=str(r[3]),
                name_it=str(r[4]),
                name_zh=str(r[5]),
                min_order_quantity=rules.order_minimum(min_order_quantity=int(r[6])),
                unit_price_minor=int(r[7]),
            )
            for r in cursor.fetchall()
        ]


def saved_addresses_in(*, buyer_id: int, country_code: str) -> list[tuple[int, str]]:
    """The buyer's saved addresses in the country, as (id, one-line text), default first."""
    return [
        (a.pk, f"{a.name}, {a.line1}, {a.city} {a.postal_code}")
        for a in address_list(buyer_id=buyer_id, actor_role=BUYER)
        if a.country == country_code
    ]


def category_choices(language: str) -> list[tuple[int, str]]:
    """The catalog's categories for the RFQ form: (id, name in ``language``), each
    parent followed by its subcategories (indented with "— ")."""
    found = category_list()
    suffix = language_suffix(language)
    children: dict[int | None, list[Any]] = {}
    for c in found:
        children.setdefault(c.parent_id, []).append(c)
    out: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in sorted(
            children.get(parent, []), key=lambda c: getattr(c, f"name_{suffix}") or c.name_en
        ):
            out.append((c.id, "— " * depth + (getattr(c, f"name_{suffix}") or c.name_en)))
            walk(c.id, depth + 1)

    walk(None, 0)
    return out


# --- trade documents ---------------------------------------------------------------------
# The proforma invoice, the commercial invoice and the packing list of a B2B order as PDF
# (fiera.trade.documents, decision 0018). Read-only: nothing is stored; the same order
# gives the same document (its number is the order's with the kind's prefix).

DOCUMENT_KINDS = orders_selectors.TRADE_DOCUMENTS
DOCUMENT_NAMES = {
    orders_selectors.PROFORMA: _("proforma invoice"),
    orders_selectors.INVOICE: _("commercial invoice"),
    orders_selectors.PACKING_LIST: _("packing list"),
}
# what ``?lang=`` accepts -> the language code of settings.LANGUAGES
DOCUMENT_LANGUAGES = {"en": "en", "it": "it", "zh": "zh-hans", "zh-hans": "zh-hans", "es": "es"}
TradeDocument = documents.Document


class DocumentsB2BOnly(NotFound):
    code = "trade_documents_b2b_only"
    message_template = _(
        "Trade documents (proforma invoice, commercial invoice, packing list) exist only for "
        "orders on the B2B trade marketplace; this order was placed in a shop."
    )


class DocumentNotYet(Conflict):
    code = "trade_document_not_yet"
    message_template = _(
        "The %(document)s exists once the order ships, and this order has not shipped yet."
    )


class DocumentsOrderCancelled(Conflict):
    code = "trade_documents_order_cancelled"
    message_template = _("This order was cancelled, so it has no trade documents.")


def document_language(requested: str | None) -> str:
    """The language a document is written in: ``requested`` ("en", "it", "zh", "es"; customs
    papers are usually asked for in English) or else the active language (the reader's)."""
    if requested:
        found = DOCUMENT_LANGUAGES.get(requested.strip().lower())
        if found is None:
            raise not_one_of("lang", ("en", "it", "zh", "es"))
        return found
    suffix = language_suffix(get_language())
    return "zh-hans" if suffix == "zh" else suffix


def _seller(merchant_id: int) -> documents.Party:
    merchant = merchant_get(merchant_id=merchant_id)
    address = tuple(part for part in (merchant.town, merchant.region_name) if part)
    return documents.Party(
        name=merchant.legal_name or merchant.display_name,
        address=address,
        country=merchant.country,
        vat_number=merchant.vat_number,
    )


def _buyer(buyer_id: int) -> documents.Party:
    """The buyer's trade company when they belong to one, else the person."""
    company = company_of_user(user_id=buyer_id)
    if company is not None:
        return documents.Party(
            name=company.legal_name,
            address=(),
            country=company.country,
            registration_number=company.registration_number,
        )
    person = user_summaries(user_ids=[buyer_id]).get(buyer_id)
    name = (person.full_name or person.username) if person is not None else f"#{buyer_id}"
    return documents.Party(name=name, address=(), country="")


def order_document(
    *, actor_id: int, actor_role: str, number: str, kind: str, language: str | None = None
) -> documents.Document:
    """The ``kind`` document ("proforma", "invoice", "packing-list") of order ``number`` as
    a PDF, in ``language`` ("en", "it", "zh", "es") or else the active language.

    Who: the order's buyer, staff of its merchant (any role) and operators; anyone else
    ``OrderNotFound`` (404). A shop order: ``DocumentsB2BOnly`` (404). The proforma exists
    from the moment the order is placed and stays available once it is paid (marked paid);
    the commercial invoice and the packing list once it has shipped (``DocumentNotYet``,
    409, before); a cancelled order has none (409). A few small queries, then the drawing
    (a fraction of a second per page; ``documents.DocumentsUnavailable``, 503, without
    WeasyPrint)."""
    if kind not in DOCUMENT_KINDS:
        raise not_one_of("kind", DOCUMENT_KINDS)
    language = document_language(language)
    order = orders_selectors.order_for_documents(
        user_id=actor_id, actor_role=actor_role, number=number
    )
    if order.marketplace_kind != orders_selectors.B2B_MARKETPLACE_KIND:
        raise DocumentsB2BOnly(f"order {number} is on a {order.marketplace_kind} marketplace")
    if order.status == "cancelled":
        raise DocumentsOrderCancelled(f"order {number} is cancelled")
    if kind not in order.documents:
        raise DocumentNotYet(f"order {number} has not shipped", document=DOCUMENT_NAMES[kind])
    return documents.render(
        kind=kind,
        order=order,
        seller=_seller(order.merchant_id),
        buyer=_buyer(order.buyer_id),
        language=language,
    )


# --- pavilions ------------------------------------------------------------------------------


class PavilionNotFound(NotFound):
    code = "pavilion_not_found"
    message_template = _("This pavilion does not exist.")


class ApplicationNotFound(NotFound):
    code = "pavilion_application_not_found"
    message_template = _("This pavilion application does not exist.")


class PavilionReviewersOnly(PermissionDenied):
    code = "pavilion_reviewers_only"
    message_template = _(
        "Only the staff of the partner that runs this pavilion and operators can do this."
    )


@dataclass(frozen=True, slots=True)
class FeaturedCategory:
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    name_es: str = ""

    def name(self, language: str) -> str:
        return _in_language(language, self.name_it, self.name_en, self.name_zh, self.name_es)


def _in_language(language: str, it: str, en: str, zh: str, es: str = "") -> str:
    """The text in ``language`` where there is one, else English (else any there is)."""
    wanted = {"it": it, "zh": zh, "es": es}.get(language_suffix(language), "")
    return wanted or en or it or zh or es


@dataclass(frozen=True, slots=True)
class PavilionInfo:
    id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    intro_it: str
    intro_en: str
    intro_zh: str
    marketplace_id: int
    marketplace_slug: str
    currency: str  # the marketplace's: the currency of the deals' value
    partner_id: int
    partner_name: str
    country: str  # ISO 3166-1: the products' origin
    quota: int
    sponsorship_months: int
    is_open: bool
    admitted: int
    featured: tuple[FeaturedCategory, ...]
    created_at: datetime
    name_es: str = ""  # empty: not translated, English is shown
    intro_es: str = ""

    @property
    def seats_left(self) -> int:
        return max(self.quota - self.admitted, 0)

    def name(self, language: str) -> str:
        return _in_language(language, self.name_it, self.name_en, self.name_zh, self.name_es)

    def intro(self, language: str) -> str:
        return _in_language(language, self.intro_it, self.intro_en, self.intro_zh, self.intro_es)


def _pavilion_infos(rows: list[Pavilion]) -> list[PavilionInfo]:
    """A few queries besides ``rows`` (partners' names, featured categories, marketplaces);
    none when there are no rows."""
    if not rows:
        return []
    names = {p.id: p.name for p in partners_all(actor_id=None, actor_role=SYSTEM)}
    featured: dict[int, list[FeaturedCategory]] = {p.pk: [] for p in rows}
    links = Pavilion.featured_categories.through.objects.filter(
        pavilion_id__in=list(featured)
    ).select_related("category")
    for link in links.order_by("category__slug"):
        c = link.category
        featured[link.pavilion_id].append(
            FeaturedCategory(c.slug, c.name_it, c.name_en, c.name_zh, c.name_es)
        )
    markets = {}
    out = []
    for p in rows:
        if p.marketplace_id not in markets:
            markets[p.marketplace_id] = marketplace_get_by_id(marketplace_id=p.marketplace_id)
        market = markets[p.marketplace_id]
        out.append(
            PavilionInfo(
                id=p.pk,
                slug=p.slug,
                name_it=p.name_it,
                name_en=p.name_en,
                name_zh=p.name_zh,
                intro_it=p.intro_it,
                intro_en=p.intro_en,
                intro_zh=p.intro_zh,
                marketplace_id=p.marketplace_id,
                marketplace_slug=market.slug,
                currency=market.default_currency,
                partner_id=p.partner_id,
                partner_name=names.get(p.partner_id, ""),
                country=p.country,
                quota=p.quota,
                sponsorship_months=p.sponsorship_months,
                is_open=p.is_open,
                admitted=p.admitted_count,
                featured=tuple(featured[p.pk]),
                created_at=p.created_at,
                name_es=p.name_es,
                intro_es=p.intro_es,
            )
        )
    return out


def pavilion_get(*, slug: str) -> PavilionInfo:
    """A pavilion, public (404 ``pavilion_not_found``)."""
    row = Pavilion.objects.filter(slug=slug).first()
    if row is None:
        raise PavilionNotFound(f"no pavilion {slug!r}")
    return _pavilion_infos([row])[0]


def pavilion_list(*, partner_id: int | None = None) -> list[PavilionInfo]:
    """Every pavilion (or those ``partner_id`` runs), open ones first, then by slug
    (public). One query when there is none."""
    qs = Pavilion.objects.order_by("-is_open", "slug")
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return _pavilion_infos(list(qs))


def pavilion_reviewer_check(
    *, pavilion: PavilionInfo, actor_id: int | None, actor_role: str
) -> None:
    """The actor reviews the pavilion's applications: staff of its owner partner (any staff
    role) and operators. Another partner's staff and every other role: 403
    ``pavilion_reviewers_only`` (the pavilion itself is public, so no 404)."""
    try:
        partner_authorize(partner_id=pavilion.partner_id, actor_id=actor_id, actor_role=actor_role)
    except (NotFound, PermissionDenied) as exc:
        raise PavilionReviewersOnly(f"{actor_role} {actor_id} on {pavilion.slug}") from exc


def pavilions_reviewed_by(
    *, pavilions: Iterable[PavilionInfo], actor_id: int | None, actor_role: str
) -> set[int]:
    """The ids of those pavilions whose applications the actor reviews (operators: all;
    partner staff: their partner's; anyone else none). At most one query."""
    if actor_role in (OPERATOR, SYSTEM):
        return {p.id for p in pavilions}
    if actor_role != PARTNER or not actor_id:
        return set()
    mine = partner_id_for_user(user_id=actor_id)
    return {p.id for p in pavilions if mine is not None and p.partner_id == mine}


@dataclass(frozen=True, slots=True)
class ApplicationInfo:
    id: int
    pavilion_id: int
    pavilion_slug: str
    merchant_id: int
    merchant_name: str
    region_code: str
    region_name: str
    motivation: str  # plain text: escape it wherever it is shown
    status: str
    status_label: str
    reason: str  # the reviewer's reason (rejected), "quota full" (waitlisted), or ""
    created_at: datetime
    decided_at: datetime | None
    waitlisted_at: datetime | None
    admitted_at: datetime | None
    sponsorship_ends_at: datetime | None
    closed_at: datetime | None
    waitlist_position: int | None  # 1 = the next to be admitted

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_APPLICATION_STATUSES

    @property
    def reason_text(self) -> str:
        """The reason as the merchant reads it (the quota's in the reader's language)."""
        if self.status == ApplicationStatus.WAITLISTED:
            return str(_("The quota of sponsored companies is full."))
        return self.reason


def _application_infos(rows: list[PavilionApplication]) -> list[ApplicationInfo]:
    """Two queries besides ``rows``: merchants, and the waiting lists they are on."""
    merchants = merchant_summaries(merchant_ids=[r.merchant_id for r in rows])
    queues: dict[int, list[int]] = {}
    waiting = {r.pavilion_id for r in rows if r.status == ApplicationStatus.WAITLISTED}
    if waiting:
        for pavilion_id, app_id in (
            PavilionApplication.objects.filter(
                pavilion_id__in=waiting, status=ApplicationStatus.WAITLISTED
            )
            .order_by("waitlisted_at", "id")
            .values_list("pavilion_id", "id")
        ):
            queues.setdefault(pavilion_id, []).append(app_id)
    slugs = dict(
        Pavilion.objects.filter(pk__in={r.pavilion_id for r in rows}).values_list("pk", "slug")
    )
    out = []
    for r in rows:
        m = merchants.get(r.merchant_id)
        queue = queues.get(r.pavilion_id, [])
        out.append(
            ApplicationInfo(
                id=r.pk,
                pavilion_id=r.pavilion_id,
                pavilion_slug=slugs.get(r.pavilion_id, ""),
                merchant_id=r.merchant_id,
                merchant_name=m.display_name if m else "",
                region_code=m.region_code if m else "",
                region_name=m.region_name if m else "",
                motivation=r.motivation,
                status=r.status,
                status_label=str(ApplicationStatus(r.status).label),
                reason=r.reason,
                created_at=r.created_at,
                decided_at=r.decided_at,
                waitlisted_at=r.waitlisted_at,
                admitted_at=r.admitted_at,
                sponsorship_ends_at=r.sponsorship_ends_at,
                closed_at=r.closed_at,
                waitlist_position=queue.index(r.pk) + 1 if r.pk in queue else None,
            )
        )
    return out


def application_info(application_id: int) -> ApplicationInfo:
    row = PavilionApplication.objects.filter(pk=application_id).first()
    if row is None:
        raise ApplicationNotFound(f"no application {application_id}")
    return _application_infos([row])[0]


def application_list(
    *, slug: str, actor_id: int | None, actor_role: str, status: str | None = None
) -> list[ApplicationInfo]:
    """The pavilion's applications for its reviewers (see ``pavilion_reviewer_check``):
    pending first (oldest first), then the waiting list in its order, then the rest by the
    latest decision."""
    pavilion = pavilion_get(slug=slug)
    pavilion_reviewer_check(pavilion=pavilion, actor_id=actor_id, actor_role=actor_role)
    qs = PavilionApplication.objects.filter(pavilion_id=pavilion.id)
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    rank = {"pending": 0, "waitlisted": 1, "admitted": 2}
    rows = list(qs.order_by("created_at", "id")[:5000])
    rows.sort(
        key=lambda r: (
            rank.get(r.status, 3),
            (r.waitlisted_at or r.created_at).timestamp()
            if r.status in ("pending", "waitlisted")
            else -(r.decided_at or r.closed_at or r.created_at).timestamp(),
            r.pk,
        )
    )
    return _application_infos(rows)


def merchant_applications(
    *, merchant_id: int, actor_id: int | None, actor_role: str
) -> list[ApplicationInfo]:
    """A merchant's applications to every pavilion, newest first: its staff (any role) and
    operators; another merchant's staff 404, other roles 403."""
    authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role)
    rows = list(
        PavilionApplication.objects.filter(merchant_id=merchant_id).order_by("-created_at", "-id")
    )
    return _application_infos(rows)


@dataclass(frozen=True, slots=True)
class RegionGroup:
    region_code: str
    region_name: str
    companies: tuple[MerchantSummary, ...]


def pavilion_admitted(*, pavilion_id: int) -> dict[int, datetime]:
    """The admitted merchants and when each was admitted (one query)."""
    return {
        int(mid): at
        for mid, at in PavilionApplication.objects.filter(
            pavilion_id=pavilion_id, status=ApplicationStatus.ADMITTED
        ).values_list("merchant_id", "admitted_at")
        if at is not None  # always set when admitted (a CHECK)
    }


def pavilion_companies(*, pavilion_id: int) -> list[RegionGroup]:
    """The admitted companies grouped by Italian region (by region name; companies by
    name); companies outside the 20 regions last, under an empty code. Two queries."""
    merchants = merchant_summaries(merchant_ids=pavilion_admitted(pavilion_id=pavilion_id))
    groups: dict[str, list[MerchantSummary]] = {}
    for m in merchants.values():
        groups.setdefault(m.region_code or "", []).append(m)
    return sorted(
        (
            RegionGroup(
                region_code=code,
                region_name=region_name(code) if code else "",
                companies=tuple(sorted(ms, key=lambda m: m.display_name.lower())),
            )
            for code, ms in groups.items()
        ),
        key=lambda g: (not g.region_code, g.region_name),
    )


@dataclass(frozen=True, slots=True)
class PavilionStats:
    """The pavilion's live results. ``deals``/``deal_value``: paid orders on the pavilion's
    marketplace of the admitted companies since each one's admission, net of refunds, in
    the marketplace currency (integer minor units); ``buyer_countries``: the countries of
    those orders' destinations and of the buyer companies that sent the admitted companies
    inquiries or RFQs they quoted since their admission; ``quotes``: the quotes they sent
    since their admission."""

    quota: int
    admitted: int
    waitlisted: int
    pending: int
    listings: int
    inquiries: int
    quotes: int
    deals: int
    deal_value: Money
    buyer_countries: tuple[str, ...]
    at: datetime


def pavilion_stats(*, slug: str, now: datetime) -> PavilionStats:
    """The live figures, public. A handful of grouped queries whatever the number of
    companies (status counts, admissions, listings, inquiries, orders); the page's poll
    reads ``pavilion_stats_cached``."""
    pavilion = pavilion_get(slug=slug)
    counts = dict(
        PavilionApplication.objects.filter(pavilion_id=pavilion.id)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    admitted = pavilion_admitted(pavilion_id=pavilion.id)
    listings = listed_product_counts(
        marketplace_id=pavilion.marketplace_id, currency=pavilion.currency, merchant_ids=admitted
    )
    inquiries = quotes = 0
    countries: set[str] = set()
    if admitted:  # a semi-join on the admissions (an OR per company cost seconds at 950)
        since_admission = PavilionApplication.objects.filter(
            pavilion_id=pavilion.id,
            status=ApplicationStatus.ADMITTED,
            merchant_id=OuterRef("merchant_id"),
            admitted_at__lte=OuterRef("created_at"),
        )
        rows = (
            Inquiry.objects.filter(
                Exists(since_admission),
                marketplace_id=pavilion.marketplace_id,
                created_at__lt=now,
            )
            .order_by()
            .values("company__country")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            inquiries += int(row["n"])
            if row["company__country"]:
                countries.add(str(row["company__country"]))
        # quotes the admitted companies sent to buyers' RFQs since their admission
        quote_rows = (
            Quote.objects.filter(
                Exists(since_admission),
                rfq__marketplace_id=pavilion.marketplace_id,
                created_at__lt=now,
            )
            .order_by()
            .values("rfq__company__country")
            .annotate(n=Count("pk"))
        )
        for quote_row in quote_rows:
            quotes += int(quote_row["n"])
            if quote_row["rfq__company__country"]:
                countries.add(str(quote_row["rfq__company__country"]))
    deals = deals_since(
        marketplace_id=pavilion.marketplace_id,
        currency=pavilion.currency,
        since_by_merchant=admitted,
        until=now,
    )
    countries.update(deals.ship_countries)
    return PavilionStats(
        quota=pavilion.quota,
        admitted=len(admitted),
        waitlisted=int(counts.get(ApplicationStatus.WAITLISTED, 0)),
        pending=int(counts.get(ApplicationStatus.PENDING, 0)),
        listings=sum(listings.values()),
        inquiries=inquiries,
        quotes=quotes,
        deals=deals.orders,
        deal_value=deals.value,
        buyer_countries=tuple(sorted(countries)),
        at=now,
    )


STATS_SECONDS = 5


def pavilion_stats_cached(*, slug: str, now: datetime) -> PavilionStats:
    """``pavilion_stats`` computed at most once per ``STATS_SECONDS`` per pavilion (the
    cache: Redis in production, so every worker shares it), since every visitor of the
    landing page polls it."""
    key = f"trade:pavilion-stats:{slug}"
    found = cache.get(key)
    if isinstance(found, PavilionStats):
        return found
    stats = pavilion_stats(slug=slug, now=now)
    cache.set(key, stats, STATS_SECONDS)
    return stats


def pavilion_listing_search(
    *,
    pavilion: PavilionInfo,
    q: str | None = None,
    category_slug: str | None = None,
    limit: int = 24,
    offset: int = 0,
) -> SearchPage:
    """The search inside the pavilion: products of its admitted companies listed on its
    marketplace, as the storefront's product cards (pictures, prices): the catalog's
    ``product_search`` restricted to the admitted companies (every listing of each, however
    many they list). The trade search (``trade.search``, filters by level, region, MOQ)
    takes ``merchant_ids`` too. Two queries (the admitted companies, the search)."""
    return product_search(
        marketplace_id=pavilion.marketplace_id,
        currency=pavilion.currency,
        q=q or None,
        category_slug=category_slug or None,
        merchant_ids=list(pavilion_admitted(pavilion_id=pavilion.id)),
        limit=limit,
        offset=offset,
    )


# --- core (analytics) ---


def pavilion_get_by_id(*, pavilion_id: int) -> PavilionInfo:
    """A pavilion by id, public (404 ``pavilion_not_found``)."""
    row = Pavilion.objects.filter(pk=pavilion_id).first()
    if row is None:
        raise PavilionNotFound(f"no pavilion {pavilion_id}")
    return _pavilion_infos([row])[0]
