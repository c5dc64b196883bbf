"""Reads of the trade app. A supplier's effective verification level is computed at
``now``: the highest kind among its verifications with ``checked_at <= now < expires_at``
(an expired one no longer counts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, PARTNER, SYSTEM
from fiera.accounts.selectors import user_summaries
from fiera.catalog.selectors import (
    SearchPage,
    listed_product_counts,
    listed_product_ids,
    product_detail,
    product_search,
)
from fiera.common.errors import NotFound, PermissionDenied
from fiera.common.money import Money
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
from fiera.orders.selectors import deals_since
from fiera.partners.selectors import authorize as partner_authorize
from fiera.partners.selectors import partner_id_for_user
from fiera.partners.selectors import partner_list as partners_all
from fiera.trade.models import (
    LIVE_APPLICATION_STATUSES,
    ApplicationStatus,
    BuyerCompany,
    BuyerMember,
    Inquiry,
    InquiryMessage,
    InquiryStatus,
    MessageSide,
    Pavilion,
    PavilionApplication,
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

    def name(self, language: str) -> str:
        return _in_language(language, self.name_it, self.name_en, self.name_zh)


def _in_language(language: str, it: str, en: str, zh: str) -> str:
    if language.startswith("zh") and zh:
        return zh
    if language.startswith("it") and it:
        return it
    return en or it or zh


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

    @property
    def seats_left(self) -> int:
        return max(self.quota - self.admitted, 0)

    def name(self, language: str) -> str:
        return _in_language(language, self.name_it, self.name_en, self.name_zh)

    def intro(self, language: str) -> str:
        return _in_language(language, self.intro_it, self.intro_en, self.intro_zh)


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
        featured[link.pavilion_id].append(FeaturedCategory(c.slug, c.name_it, c.name_en, c.name_zh))
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
    inquiries since their admission."""

    quota: int
    admitted: int
    waitlisted: int
    pending: int
    listings: int
    inquiries: int
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
    inquiries = 0
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
    marketplace. TODO(lead): switch to the B2B listing search with ``merchant_ids`` when it
    lands; today the catalog's ``product_search`` restricted to the admitted companies'
    listed products (their ids, newest 5,000)."""
    merchant_ids = list(pavilion_admitted(pavilion_id=pavilion.id))
    ids = listed_product_ids(
        marketplace_id=pavilion.marketplace_id,
        currency=pavilion.currency,
        merchant_ids=merchant_ids,
    )
    return product_search(
        marketplace_id=pavilion.marketplace_id,
        currency=pavilion.currency,
        q=q or None,
        category_slug=category_slug or None,
        product_ids=ids,
        limit=limit,
        offset=offset,
    )
