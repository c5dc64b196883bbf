"""B2B trade: buyer companies, supplier profiles and inquiries. Buyers see only their own
company and inquiries, merchant staff only their merchant's (another's id answers 404),
operators everything (they verify companies and suppliers and read inquiries for
moderation). The supplier profile is public.

No ``from __future__ import annotations`` here: ``@paginate`` rebuilds the operation's
signature in ninja's module.
"""

from datetime import datetime
from typing import Annotated, Literal, TypedDict

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from fiera.common.pagination import Page
from fiera.common.schemas import ErrorOut
from fiera.trade import selectors, services
from fiera.trade.schemas import (
    ApplicationOut,
    ApplyIn,
    CompanyIn,
    CompanyOut,
    CompanyVerifyIn,
    InquiryIn,
    InquiryOut,
    MemberIn,
    PavilionDecisionIn,
    PavilionIn,
    PavilionOpenIn,
    PavilionOut,
    PavilionStatsOut,
    ReplyIn,
    SupplierIn,
    SupplierOut,
    ThreadOut,
    UnreadOut,
    VerificationOut,
)

router = Router(tags=["trade"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
DENIALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class Actor(TypedDict):
    actor_id: int
    actor_role: str


def _actor(request: HttpRequest) -> Actor:
    user = request.auth  # type: ignore[attr-defined]
    return {"actor_id": int(user.pk), "actor_role": str(user.role)}


# --- buyer companies ------------------------------------------------------------------------


@router.get("/trade/companies/mine", response={200: CompanyOut | None, 401: ErrorOut})
def company_mine(request: HttpRequest) -> CompanyOut | None:
    """The signed-in buyer's company, or null when they belong to none."""
    found = selectors.company_of_user(user_id=int(request.auth.pk))  # type: ignore[attr-defined]
    return CompanyOut.of(found) if found is not None else None


@router.post("/trade/companies", response={201: CompanyOut, **DENIALS, 409: ErrorOut})
def company_create(request: HttpRequest, payload: CompanyIn) -> Status[CompanyOut]:
    """A buyer creates their company and becomes its admin (409 ``already_in_company``,
    ``registration_taken``)."""
    info = services.company_create(
        **_actor(request),
        legal_name=payload.legal_name,
        country_code=payload.country,
        registration_number=payload.registration_number,
        website=payload.website,
        now=timezone.now(),
    )
    return Status(201, CompanyOut.of(info))


@router.get("/trade/companies", response={200: list[CompanyOut], **DENIALS})
@paginate(Page)
def company_list(request: HttpRequest, verified: bool | None = None) -> list[CompanyOut]:
    """Every buyer company, newest first (operators: the verification queue). Paged."""
    found = selectors.company_list(actor_role=_actor(request)["actor_role"], verified=verified)
    return [CompanyOut.of(c) for c in found]


@router.get("/trade/companies/{company_id}", response={200: CompanyOut, **DENIALS})
def company_detail(request: HttpRequest, company_id: Id) -> CompanyOut:
    """The company for its members and operators (anyone else 404)."""
    return CompanyOut.of(selectors.company_get(company_id=company_id, **_actor(request)))


@router.post(
    "/trade/companies/{company_id}/members", response={201: CompanyOut, **DENIALS, 409: ErrorOut}
)
def company_member_add(
    request: HttpRequest, company_id: Id, payload: MemberIn
) -> Status[CompanyOut]:
    """The company's admins add a buyer account (one company per account: 409)."""
    info = services.company_member_add(
        company_id=company_id,
        username=payload.username,
        role=payload.role,
        **_actor(request),
    )
    return Status(201, CompanyOut.of(info))


@router.post("/trade/companies/{company_id}/verification", response={200: CompanyOut, **DENIALS})
def company_verify(request: HttpRequest, company_id: Id, payload: CompanyVerifyIn) -> CompanyOut:
    """Operators verify a company (or withdraw the mark)."""
    info = services.company_verify(
        company_id=company_id,
        verified=payload.verified,
        now=timezone.now(),
        **_actor(request),
    )
    return CompanyOut.of(info)


# --- suppliers ------------------------------------------------------------------------------


@router.get("/trade/suppliers", response={200: list[SupplierOut], 401: ErrorOut, 422: ErrorOut})
@paginate(Page)
def supplier_list(
    request: HttpRequest, level: Literal["none", "licence", "audit"] | None = None
) -> list[SupplierOut]:
    """Supplier profiles with their verification level now; ``level`` keeps those at that
    level or higher. Paged."""
    return [SupplierOut.of(s) for s in selectors.supplier_list(now=timezone.now(), level=level)]


@router.get("/trade/suppliers/{merchant_id}", response={200: SupplierOut, **DENIALS})
def supplier_detail(request: HttpRequest, merchant_id: Id) -> SupplierOut:
    """A supplier's public profile; expired verifications no longer count for ``level``."""
    return SupplierOut.of(selectors.supplier_get(merchant_id=merchant_id, now=timezone.now()))


@router.put("/trade/suppliers/{merchant_id}", response={200: SupplierOut, **DENIALS})
def supplier_save(request: HttpRequest, merchant_id: Id, payload: SupplierIn) -> SupplierOut:
    """Create or replace the profile: the merchant's owners and managers (clerks 403, other
    merchants 404) or operators."""
    info = services.supplier_profile_save(
        merchant_id=merchant_id,
        now=timezone.now(),
        **payload.dict(),
        **_actor(request),
    )
    return SupplierOut.of(info)


@router.post(
    "/trade/suppliers/{merchant_id}/verifications",
    response={201: VerificationOut, **DENIALS},
)
def verification_add(
    request: HttpRequest,
    merchant_id: Id,
    evidence: File[UploadedFile],
    kind: Form[Literal["licence", "audit"]],
    checked_at: Form[datetime],
    expires_at: Form[datetime],
    inspection_body: Form[Annotated[str, Field(max_length=120)]] = "",
) -> Status[VerificationOut]:
    """Operators record a verification (multipart/form-data): ``evidence`` a PDF or a
    picture up to 5 MB, ``kind``, ``inspection_body`` (required for an audit),
    ``checked_at`` and ``expires_at``."""
    info = services.verification_add(
        merchant_id=merchant_id,
        kind=kind,
        inspection_body=inspection_body,
        evidence=evidence,
        evidence_name=evidence.name or "evidence",
        checked_at=checked_at,
        expires_at=expires_at,
        **_actor(request),
    )
    return Status(201, VerificationOut.of(info))


# --- inquiries ------------------------------------------------------------------------------


@router.get("/trade/inquiries", response={200: list[InquiryOut], **DENIALS})
@paginate(Page)
def inquiry_list(
    request: HttpRequest,
    merchant_id: Id | None = None,
    status: Literal["open", "answered", "closed"] | None = None,
) -> list[InquiryOut]:
    """The inbox: a buyer's own inquiries; a merchant's staff theirs (``merchant_id`` to
    pick one company); operators every inquiry. Most recent activity first; paged."""
    found = selectors.inquiry_list(merchant_id=merchant_id, status=status, **_actor(request))
    return [InquiryOut.of(s) for s in found]


@router.get("/trade/inquiries/unread", response={200: UnreadOut, 401: ErrorOut})
def inquiry_unread(request: HttpRequest) -> UnreadOut:
    """Messages from the other side not yet read, over all the actor's inquiries."""
    return UnreadOut(unread=selectors.unread_count(**_actor(request)))


@router.post("/trade/inquiries", response={201: ThreadOut, **DENIALS, 409: ErrorOut, 429: ErrorOut})
def inquiry_create(request: HttpRequest, payload: InquiryIn) -> Status[ThreadOut]:
    """A buyer contacts a supplier on a B2B trade marketplace (429 ``inquiry_quota`` past
    the day's limit)."""
    thread = services.inquiry_create(
        marketplace_slug=payload.marketplace,
        merchant_id=payload.merchant_id,
        product_id=payload.product_id,
        subject=payload.subject,
        quantity=payload.quantity,
        message=payload.message,
        now=timezone.now(),
        **_actor(request),
    )
    return Status(201, ThreadOut.of(thread))


@router.get("/trade/inquiries/{inquiry_id}", response={200: ThreadOut, **DENIALS})
def inquiry_detail(request: HttpRequest, inquiry_id: Id) -> ThreadOut:
    """The thread, for its buyer, the supplier's staff and operators (anyone else 404)."""
    return ThreadOut.of(selectors.inquiry_thread(inquiry_id=inquiry_id, **_actor(request)))


@router.post(
    "/trade/inquiries/{inquiry_id}/messages", response={201: ThreadOut, **DENIALS, 409: ErrorOut}
)
def inquiry_reply(request: HttpRequest, inquiry_id: Id, payload: ReplyIn) -> Status[ThreadOut]:
    """Write in the thread (the buyer or the supplier's staff; 409 when closed)."""
    thread = services.inquiry_reply(
        inquiry_id=inquiry_id,
        body=payload.body,
        now=timezone.now(),
        **_actor(request),
    )
    return Status(201, ThreadOut.of(thread))


@router.post("/trade/inquiries/{inquiry_id}/read", response={200: ThreadOut, **DENIALS})
def inquiry_read(request: HttpRequest, inquiry_id: Id) -> ThreadOut:
    """Mark the thread read for the actor's side."""
    return ThreadOut.of(services.inquiry_mark_read(inquiry_id=inquiry_id, **_actor(request)))


@router.post(
    "/trade/inquiries/{inquiry_id}/close", response={200: ThreadOut, **DENIALS, 409: ErrorOut}
)
def inquiry_close(request: HttpRequest, inquiry_id: Id) -> ThreadOut:
    """Close the inquiry: its buyer, or the supplier's owners and managers."""
    thread = services.inquiry_close(inquiry_id=inquiry_id, now=timezone.now(), **_actor(request))
    return ThreadOut.of(thread)


# --- pavilions ------------------------------------------------------------------------------

PavilionSlug = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")]


@router.get("/trade/pavilions", auth=None, response={200: list[PavilionOut]})
def pavilion_list(request: HttpRequest) -> list[PavilionOut]:
    """Every pavilion, open ones first (public)."""
    return [PavilionOut.of(p) for p in selectors.pavilion_list()]


@router.post("/trade/pavilions", response={201: PavilionOut, **DENIALS, 409: ErrorOut})
def pavilion_create(request: HttpRequest, payload: PavilionIn) -> Status[PavilionOut]:
    """Operators open a pavilion on a B2B trade marketplace, run by a partner (409
    ``pavilion_slug_taken``)."""
    info = services.pavilion_create(
        slug=payload.slug,
        name_it=payload.name_it,
        name_en=payload.name_en,
        name_zh=payload.name_zh,
        intro_it=payload.intro_it,
        intro_en=payload.intro_en,
        intro_zh=payload.intro_zh,
        marketplace_slug=payload.marketplace,
        partner_id=payload.partner_id,
        country_code=payload.country,
        quota=payload.quota,
        sponsorship_months=payload.sponsorship_months,
        category_slugs=payload.featured_categories,
        is_open=payload.is_open,
        now=timezone.now(),
        **_actor(request),
    )
    return Status(201, PavilionOut.of(info))


@router.get(
    "/trade/pavilions/{slug}", auth=None, response={200: PavilionOut, 404: ErrorOut, 422: ErrorOut}
)
def pavilion_detail(request: HttpRequest, slug: PavilionSlug) -> PavilionOut:
    """A pavilion: names, partner, origin, quota and seats left, featured categories."""
    return PavilionOut.of(selectors.pavilion_get(slug=slug))


@router.get(
    "/trade/pavilions/{slug}/stats",
    auth=None,
    response={200: PavilionStatsOut, 404: ErrorOut, 422: ErrorOut},
)
def pavilion_stats(request: HttpRequest, slug: PavilionSlug) -> PavilionStatsOut:
    """The live results the landing page polls (public; recomputed at most every 5 s):
    admitted companies, their active listings, inquiries and deals since their admission,
    the deals' value in the marketplace currency (minor units), buyer countries reached."""
    stats = selectors.pavilion_stats_cached(slug=slug, now=timezone.now())
    return PavilionStatsOut.of(stats)


@router.put("/trade/pavilions/{slug}/open", response={200: PavilionOut, **DENIALS})
def pavilion_open(request: HttpRequest, slug: PavilionSlug, payload: PavilionOpenIn) -> PavilionOut:
    """The owner partner's staff or operators open or close the pavilion to applications."""
    info = services.pavilion_open_set(slug=slug, is_open=payload.is_open, **_actor(request))
    return PavilionOut.of(info)


@router.post(
    "/trade/pavilions/{slug}/applications",
    response={201: ApplicationOut, **DENIALS, 409: ErrorOut},
)
def pavilion_apply(
    request: HttpRequest, slug: PavilionSlug, payload: ApplyIn
) -> Status[ApplicationOut]:
    """A merchant's owner or manager applies (clerks 403, another merchant 404): the
    pavilion must be open (409), the company on its marketplace with every active product
    made in the pavilion's country (422), one live application per company (409)."""
    info = services.pavilion_apply(
        slug=slug,
        merchant_id=payload.merchant_id,
        motivation=payload.motivation,
        now=timezone.now(),
        **_actor(request),
    )
    return Status(201, ApplicationOut.of(info))


@router.get("/trade/pavilions/{slug}/applications", response={200: list[ApplicationOut], **DENIALS})
@paginate(Page)
def pavilion_applications(
    request: HttpRequest,
    slug: PavilionSlug,
    status: Literal["pending", "admitted", "waitlisted", "rejected", "withdrawn", "ended"]
    | None = None,
) -> list[ApplicationOut]:
    """The applications, for the owner partner's staff and operators (others 403): pending
    first, then the waiting list in order, then the rest. Paged."""
    found = selectors.application_list(slug=slug, status=status, **_actor(request))
    return [ApplicationOut.of(a) for a in found]


@router.post(
    "/trade/pavilion-applications/{application_id}/decision",
    response={200: ApplicationOut, **DENIALS, 409: ErrorOut},
)
def pavilion_decide(
    request: HttpRequest, application_id: Id, payload: PavilionDecisionIn
) -> ApplicationOut:
    """Admit (waitlisted instead when the quota is full) or reject with a reason: the owner
    partner's staff and operators; a closed application 409."""
    info = services.application_decide(
        application_id=application_id,
        admit=payload.decision == "admit",
        reason=payload.reason,
        now=timezone.now(),
        **_actor(request),
    )
    return ApplicationOut.of(info)


@router.post(
    "/trade/pavilion-applications/{application_id}/withdraw",
    response={200: ApplicationOut, **DENIALS, 409: ErrorOut},
)
def pavilion_withdraw(request: HttpRequest, application_id: Id) -> ApplicationOut:
    """The company's owner or manager withdraws (an admitted company leaves: its seat goes
    to the first waitlisted)."""
    info = services.application_withdraw(
        application_id=application_id, now=timezone.now(), **_actor(request)
    )
    return ApplicationOut.of(info)


@router.get("/trade/pavilion-applications", response={200: list[ApplicationOut], **DENIALS})
@paginate(Page)
def merchant_pavilion_applications(request: HttpRequest, merchant_id: Id) -> list[ApplicationOut]:
    """A company's applications to every pavilion, newest first: its staff (any role) and
    operators (another merchant 404). Paged."""
    found = selectors.merchant_applications(merchant_id=merchant_id, **_actor(request))
    return [ApplicationOut.of(a) for a in found]
