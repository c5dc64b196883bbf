"""B2B trade: buyer companies, supplier profiles and inquiries. Buyers see only their own
company and inquiries, merchant staff only their merchant's (another's id answers 404),
operators everything (they verify companies and suppliers and read inquiries for
moderation). The supplier profile is public.

No ``from __future__ import annotations`` here: ``@paginate`` rebuilds the operation's
signature in ninja's module.
"""

from datetime import datetime
from typing import Annotated, Literal, TypedDict

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Path, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from fiera.common.pagination import Page
from fiera.common.schemas import ErrorOut
from fiera.trade import search as trade_search
from fiera.trade import selectors, services
from fiera.trade.schemas import (
    AcceptIn,
    ApplicationOut,
    ApplyIn,
    AssuranceOut,
    CompanyIn,
    CompanyOut,
    CompanyVerifyIn,
    DisputeDecisionIn,
    DisputeIn,
    DisputeOut,
    InquiryIn,
    InquiryOut,
    ListingSearchOut,
    MemberIn,
    PavilionDecisionIn,
    PavilionIn,
    PavilionOpenIn,
    PavilionOut,
    PavilionStatsOut,
    ReplyIn,
    RfqDetailOut,
    RfqIn,
    RfqOut,
    RfqQuoteIn,
    RfqQuoteOut,
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
OrderNumber = Annotated[str, Field(min_length=1, max_length=24, pattern=r"^[A-Za-z0-9-]+$")]
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


# --- trade assurance: disputes ---


@router.get(
    "/trade/orders/{number}/assurance", response={200: AssuranceOut, **DENIALS, 409: ErrorOut}
)
def assurance_detail(request: HttpRequest, number: OrderNumber) -> AssuranceOut:
    """Trade assurance on a B2B order: the held payment (held, released, refunded), the
    dispute window, the release day and what the reader may do. Its buyer, its merchant's
    staff and operators (anyone else 404); an order not paid under trade assurance 409."""
    return AssuranceOut.of(
        selectors.assurance_get(order_number=number, now=timezone.now(), **_actor(request))
    )


@router.post(
    "/trade/orders/{number}/confirm-receipt", response={200: AssuranceOut, **DENIALS, 409: ErrorOut}
)
def receipt_confirm(request: HttpRequest, number: OrderNumber) -> AssuranceOut:
    """The buyer confirms the goods arrived: the held payment is released to the supplier.
    After shipment only, never while a dispute is open (409); again: answered as it is."""
    info = services.receipt_confirm(order_number=number, now=timezone.now(), **_actor(request))
    return AssuranceOut.of(info)


@router.post(
    "/trade/orders/{number}/disputes", response={201: DisputeOut, **DENIALS, 409: ErrorOut}
)
def dispute_open(
    request: HttpRequest, number: OrderNumber, payload: DisputeIn
) -> Status[DisputeOut]:
    """The buyer opens the order's dispute, within 30 days of delivery (or of shipment when
    delivery was never recorded): 409 ``dispute_window_closed``, ``already_disputed``,
    ``escrow_not_held``, ``order_not_escrowed``; other buyers 404."""
    info = services.dispute_open(
        order_number=number,
        reason=payload.reason,
        statement=payload.statement,
        now=timezone.now(),
        **_actor(request),
    )
    return Status(201, DisputeOut.of(info))


@router.get("/trade/disputes", response={200: list[DisputeOut], **DENIALS})
@paginate(Page)
def dispute_list(
    request: HttpRequest, status: Literal["open", "upheld", "rejected"] | None = None
) -> list[DisputeOut]:
    """A buyer's own disputes, a merchant's staff their merchants', operators all (open
    ones first, oldest first: the queue). Without their threads; paged."""
    return [DisputeOut.of(d) for d in selectors.dispute_list(status=status, **_actor(request))]


@router.get("/trade/disputes/{dispute_id}", response={200: DisputeOut, **DENIALS})
def dispute_detail(request: HttpRequest, dispute_id: Id) -> DisputeOut:
    """The dispute with its thread: its buyer, its merchant's staff and operators (anyone
    else 404)."""
    return DisputeOut.of(selectors.dispute_get(dispute_id=dispute_id, **_actor(request)))


@router.post(
    "/trade/disputes/{dispute_id}/messages", response={201: DisputeOut, **DENIALS, 409: ErrorOut}
)
def dispute_message_add(
    request: HttpRequest,
    dispute_id: Id,
    body: str = Form("", max_length=4000),
    evidence: File[UploadedFile | None] = None,
) -> Status[DisputeOut]:
    """Write in the thread (multipart/form-data): ``body`` plain text and/or ``evidence``, a
    PDF or a picture of at most 5 MB (422 ``evidence_refused``). Both sides and operators;
    409 once decided."""
    info = services.dispute_message_add(
        dispute_id=dispute_id,
        body=body,
        evidence=evidence,
        evidence_name=(evidence.name or "evidence") if evidence is not None else "",
        now=timezone.now(),
        **_actor(request),
    )
    return Status(201, DisputeOut.of(info))


@router.post(
    "/trade/disputes/{dispute_id}/decision", response={200: DisputeOut, **DENIALS, 409: ErrorOut}
)
def dispute_decide(request: HttpRequest, dispute_id: Id, payload: DisputeDecisionIn) -> DisputeOut:
    """An operator decides with a written reason: ``upheld`` refunds the buyer (the order
    is refunded; its shipped goods are not restocked), ``rejected`` pays the supplier.
    Others 403; decided already 409."""
    info = services.dispute_decide(
        dispute_id=dispute_id,
        outcome=payload.outcome,
        reason=payload.reason,
        now=timezone.now(),
        **_actor(request),
    )
    return DisputeOut.of(info)


# --- RFQs and quotes ---


@router.get("/trade/rfqs", response={200: list[RfqOut], **DENIALS})
@paginate(Page)
def rfq_list(
    request: HttpRequest,
    merchant_id: Id | None = None,
    status: Literal["open", "closed", "expired", "awarded"] | None = None,
) -> list[RfqOut]:
    """A buyer's own RFQs; a supplier's staff the RFQs that matched their merchant
    (``merchant_id`` picks one); operators every RFQ. Newest first; paged."""
    found = selectors.rfq_list(merchant_id=merchant_id, status=status, **_actor(request))
    return [RfqOut.of(s) for s in found]


@router.post("/trade/rfqs", response={201: RfqDetailOut, **DENIALS})
def rfq_post(request: HttpRequest, payload: RfqIn) -> Status[RfqDetailOut]:
    """A business buyer posts a request for quotation; it is matched at once to up to 20
    suppliers with products for sale in its category (or a subcategory)."""
    detail = services.rfq_post(
        marketplace_slug=payload.marketplace,
        category_id=payload.category_id,
        product=payload.product,
        quantity=payload.quantity,
        unit=payload.unit,
        target_unit_price_minor=payload.target_unit_price_minor,
        destination_country=payload.destination_country,
        deadline=payload.deadline,
        description=payload.description,
        now=timezone.now(),
        **_actor(request),
    )
    return Status(201, RfqDetailOut.of(detail))


@router.get("/trade/rfqs/{rfq_id}", response={200: RfqDetailOut, **DENIALS})
def rfq_detail(request: HttpRequest, rfq_id: Id) -> RfqDetailOut:
    """The RFQ: its buyer and operators see every quote; a matched supplier only its own
    (and the target price); anyone else 404."""
    found = selectors.rfq_detail(rfq_id=rfq_id, now=timezone.now(), **_actor(request))
    return RfqDetailOut.of(found)


@router.post("/trade/rfqs/{rfq_id}/read", response={200: RfqDetailOut, **DENIALS})
def rfq_read(request: HttpRequest, rfq_id: Id) -> RfqDetailOut:
    """Mark the RFQ seen for the reader's side (the buyer's new quotes, a supplier's new RFQ)."""
    found = services.rfq_mark_read(rfq_id=rfq_id, now=timezone.now(), **_actor(request))
    return RfqDetailOut.of(found)


@router.post("/trade/rfqs/{rfq_id}/close", response={200: RfqDetailOut, **DENIALS, 409: ErrorOut})
def rfq_close(request: HttpRequest, rfq_id: Id) -> RfqDetailOut:
    """The buyer closes the RFQ without an award (409 when no longer open)."""
    found = services.rfq_close(rfq_id=rfq_id, now=timezone.now(), **_actor(request))
    return RfqDetailOut.of(found)


@router.post(
    "/trade/rfqs/{rfq_id}/quotes",
    response={201: RfqQuoteOut, **DENIALS, 409: ErrorOut, 429: ErrorOut},
)
def quote_submit(request: HttpRequest, rfq_id: Id, payload: RfqQuoteIn) -> Status[RfqQuoteOut]:
    """A matched supplier's owner or manager quotes (one quote per supplier and RFQ: 409;
    422 ``moq_not_met``; 429 ``quote_quota`` past the month's limit)."""
    info = services.quote_submit(
        rfq_id=rfq_id, now=timezone.now(), **payload.dict(), **_actor(request)
    )
    return Status(201, RfqQuoteOut.of(info))


@router.get("/trade/quotes/{quote_id}", response={200: RfqQuoteOut, **DENIALS})
def quote_detail(request: HttpRequest, quote_id: Id) -> RfqQuoteOut:
    """A quote for the RFQ's buyer, its supplier's staff and operators (others 404)."""
    return RfqQuoteOut.of(
        selectors.quote_get(quote_id=quote_id, now=timezone.now(), **_actor(request))
    )


@router.post(
    "/trade/quotes/{quote_id}/revisions", response={201: RfqQuoteOut, **DENIALS, 409: ErrorOut}
)
def quote_revise(request: HttpRequest, quote_id: Id, payload: RfqQuoteIn) -> Status[RfqQuoteOut]:
    """Version 2 of the quote; the one revision allowed (a second: 409
    ``quote_revised_twice``; an expired quote: 409 ``quote_expired``)."""
    info = services.quote_revise(
        quote_id=quote_id, now=timezone.now(), **payload.dict(), **_actor(request)
    )
    return Status(201, RfqQuoteOut.of(info))


@router.post(
    "/trade/quotes/{quote_id}/withdraw", response={200: RfqQuoteOut, **DENIALS, 409: ErrorOut}
)
def quote_withdraw(request: HttpRequest, quote_id: Id) -> RfqQuoteOut:
    """The supplier's owner or manager withdraws a live quote."""
    info = services.quote_withdraw(quote_id=quote_id, now=timezone.now(), **_actor(request))
    return RfqQuoteOut.of(info)


@router.post(
    "/trade/quotes/{quote_id}/decline", response={200: RfqQuoteOut, **DENIALS, 409: ErrorOut}
)
def quote_decline(request: HttpRequest, quote_id: Id) -> RfqQuoteOut:
    """The RFQ's buyer declines a live quote."""
    info = services.quote_decline(quote_id=quote_id, now=timezone.now(), **_actor(request))
    return RfqQuoteOut.of(info)


@router.post(
    "/trade/quotes/{quote_id}/accept", response={200: RfqQuoteOut, **DENIALS, 409: ErrorOut}
)
def quote_accept(request: HttpRequest, quote_id: Id, payload: AcceptIn) -> RfqQuoteOut:
    """The RFQ's buyer accepts the quote's latest version: a B2B order at the quoted terms
    is placed, unpaid ("wallet_later", due in 7 days; pay it with ``POST
    /orders/{number}/pay``); its number is ``order_number``. Idempotent; an expired quote
    409 ``quote_expired``; short stock 409 ``out_of_stock``."""
    address = payload.shipping_address.dict() if payload.shipping_address else None
    info = services.quote_accept(
        quote_id=quote_id, shipping_address=address, now=timezone.now(), **_actor(request)
    )
    return RfqQuoteOut.of(info)


# --- trade documents ------------------------------------------------------------------------

DocumentOrderNumber = Path(
    ..., max_length=24, pattern=r"^[A-Za-z0-9-]+$", description='the order number, "F000042-1"'
)
PDF_RESPONSE = {
    200: {
        "description": "The document as a PDF (Content-Disposition names the file)",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    "/trade/orders/{number}/documents/{kind}",
    response={**DENIALS, 409: ErrorOut, 503: ErrorOut},
    openapi_extra={"responses": PDF_RESPONSE},
)
def order_document(
    request: HttpRequest,
    kind: Literal["proforma", "invoice", "packing-list"],
    number: str = DocumentOrderNumber,
    lang: Literal["en", "it", "zh", "es"] | None = Query(
        None, description="the document's language; default the reader's (customs papers: en)"
    ),
) -> HttpResponse:
    """A B2B order's trade document as a PDF: ``proforma`` (proforma invoice, from the
    moment the order is placed; marked paid once it is), ``invoice`` (commercial invoice)
    and ``packing-list`` once it has shipped (409 ``trade_document_not_yet`` before).
    With HS codes, origin, Incoterm and named place, payment terms, lead time, seller,
    buyer and ship-to; amounts in the order's currency. Its buyer, its merchant's staff and
    operators; anyone else 404 ``order_not_found``; a shop order 404
    ``trade_documents_b2b_only``; a cancelled one 409."""
    document = selectors.order_document(number=number, kind=kind, language=lang, **_actor(request))
    answer = HttpResponse(document.pdf, content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    answer["Content-Language"] = document.language
    return answer


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
        name_es=payload.name_es,
        intro_es=payload.intro_es,
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
