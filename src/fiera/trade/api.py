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
from ninja import Field, File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from fiera.common.pagination import Page
from fiera.common.schemas import ErrorOut
from fiera.trade import search as trade_search
from fiera.trade import selectors, services
from fiera.trade.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyVerifyIn,
    InquiryIn,
    InquiryOut,
    ListingSearchOut,
    MemberIn,
    ReplyIn,
    SupplierIn,
    SupplierOut,
    SupplierSearchOut,
    ThreadOut,
    TradeSearchQuery,
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


# --- trade search ---


@router.get(
    "/trade/search/listings",
    auth=None,
    response={200: ListingSearchOut, 404: ErrorOut, 422: ErrorOut},
)
def trade_search_listings(
    request: HttpRequest, params: Query[TradeSearchQuery]
) -> trade_search.TradeSearchPage:
    """Public: listings of the B2B trade marketplace (the first one, or ``marketplace``)
    matching ``q`` in it/en/zh and every filter, most relevant first (then the supplier's
    verification level, then newest; newest first without ``q``). Paged; prices in the
    marketplace's default currency."""
    return trade_search.trade_search(
        kind="listings",
        marketplace_slug=params.marketplace,
        now=timezone.now(),
        **params.dict(exclude={"marketplace"}),
    )


@router.get(
    "/trade/search/suppliers",
    auth=None,
    response={200: SupplierSearchOut, 404: ErrorOut, 422: ErrorOut},
)
def trade_search_suppliers(
    request: HttpRequest, params: Query[TradeSearchQuery]
) -> trade_search.TradeSearchPage:
    """Public: suppliers (supplier profile and a store on the marketplace) matching ``q``
    in their name, their capabilities or their listings; the listing filters (category,
    max_moq, origin) keep those with at least one such listing. Ranked, paged."""
    return trade_search.trade_search(
        kind="suppliers",
        marketplace_slug=params.marketplace,
        now=timezone.now(),
        **params.dict(exclude={"marketplace"}),
    )
