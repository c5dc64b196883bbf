"""Reads of the trade app. A supplier's effective verification level is computed at
``now``: the highest kind among its verifications with ``checked_at <= now < expires_at``
(an expired one no longer counts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.accounts.selectors import user_summaries
from fiera.catalog.selectors import product_detail
from fiera.common.errors import Conflict, NotFound, PermissionDenied, not_one_of
from fiera.marketplaces.selectors import (
    MarketplaceInfo,
    MarketplaceNotFound,
    marketplace_get_by_id,
    marketplace_infos,
)
from fiera.merchants.selectors import (
    MerchantNotFound,
    authorize,
    merchant_get,
    merchant_ids_for_user,
    merchant_summaries,
    staff_role_of,
)
from fiera.orders import selectors as orders_selectors
from fiera.trade import documents
from fiera.trade.models import (
    BuyerCompany,
    BuyerMember,
    Inquiry,
    InquiryMessage,
    InquiryStatus,
    MessageSide,
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
DOCUMENT_LANGUAGES = {"en": "en", "it": "it", "zh": "zh-hans", "zh-hans": "zh-hans"}
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
    """The language a document is written in: ``requested`` ("en", "it", "zh"; customs
    papers are usually asked for in English) or else the active language (the reader's)."""
    if requested:
        found = DOCUMENT_LANGUAGES.get(requested.strip().lower())
        if found is None:
            raise not_one_of("lang", ("en", "it", "zh"))
        return found
    active = (get_language() or "en").lower()
    return "zh-hans" if active.startswith("zh") else "it" if active.startswith("it") else "en"


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
    a PDF, in ``language`` ("en", "it", "zh") or else the active language.

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
