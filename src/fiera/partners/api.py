"""Partners, their staff and their onboarding pipeline. Operators see and manage every
partner; partner staff only their own (another partner's id answers 404); buyers,
merchants and learners get 403.

No ``from __future__ import annotations`` here: ``@paginate`` rebuilds the operation's
signature in ninja's module, where the string "Id" of a path parameter would not resolve.
"""

from typing import Annotated, TypedDict

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Status
from ninja.pagination import paginate

from fiera.common.pagination import Page
from fiera.common.schemas import ErrorOut
from fiera.partners import selectors, services
from fiera.partners.schemas import (
    AdvanceIn,
    ConversionOut,
    CoverageOut,
    GoLiveIn,
    GoLiveOut,
    LeadIn,
    LeadOut,
    LoseIn,
    PartnerIn,
    PartnerMerchantOut,
    PartnerOut,
    PartnerPatch,
    PartnerStaffIn,
    PartnerStaffOut,
    StageName,
)

router = Router(tags=["partners"])

DENIALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
BODY = {400: ErrorOut}
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Actor(TypedDict):
    actor_id: int
    actor_role: str


def _actor(request: HttpRequest) -> Actor:
    user = request.auth  # type: ignore[attr-defined]
    return {"actor_id": int(user.pk), "actor_role": str(user.role)}


@router.get("/partners/coverage", response={200: CoverageOut, 401: ErrorOut, 403: ErrorOut})
def partner_coverage(request: HttpRequest) -> CoverageOut:
    """The 20 Italian regions: active partners, open leads and live merchants brought by
    partners in each; ``uncovered`` names those without an active partner (operators)."""
    return CoverageOut.of(selectors.coverage(actor_role=_actor(request)["actor_role"]))


@router.get("/partners", response={200: list[PartnerOut], 401: ErrorOut, 403: ErrorOut})
def partner_list(request: HttpRequest) -> list[PartnerOut]:
    """Operators: every partner; partner staff: their own."""
    return [PartnerOut.of(p) for p in selectors.partner_list(**_actor(request))]


@router.post(
    "/partners",
    response={201: PartnerOut, **BODY, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def partner_create(request: HttpRequest, payload: PartnerIn) -> Status[PartnerOut]:
    """Create a partner with the regions it covers (operators only); a slug in use answers
    409 partner_slug_taken."""
    info = services.partner_create(
        **payload.dict(), now=timezone.now(), actor_role=_actor(request)["actor_role"]
    )
    return Status(201, PartnerOut.of(info))


@router.get("/partners/{partner_id}", response={200: PartnerOut, **DENIALS})
def partner_detail(request: HttpRequest, partner_id: Id) -> PartnerOut:
    return PartnerOut.of(selectors.partner_get(partner_id=partner_id, **_actor(request)))


@router.patch("/partners/{partner_id}", response={200: PartnerOut, **BODY, **DENIALS})
def partner_patch(request: HttpRequest, partner_id: Id, payload: PartnerPatch) -> PartnerOut:
    """Change a partner (operators only); omitted fields stay, ``region_codes`` replaces all."""
    info = services.partner_update(
        partner_id=partner_id,
        actor_role=_actor(request)["actor_role"],
        **payload.dict(exclude_unset=True),
    )
    return PartnerOut.of(info)


@router.get("/partners/{partner_id}/staff", response={200: list[PartnerStaffOut], **DENIALS})
def partner_staff_list(request: HttpRequest, partner_id: Id) -> list[PartnerStaffOut]:
    staff = selectors.staff_list(partner_id=partner_id, **_actor(request))
    return [PartnerStaffOut.of(s) for s in staff]


@router.post(
    "/partners/{partner_id}/staff",
    response={201: list[PartnerStaffOut], **BODY, **DENIALS, 409: ErrorOut},
)
def partner_staff_add(
    request: HttpRequest, partner_id: Id, payload: PartnerStaffIn
) -> Status[list[PartnerStaffOut]]:
    """Add a partner account to the staff (operators or the partner's admins)."""
    staff = services.staff_add(
        partner_id=partner_id, username=payload.username, role=payload.role, **_actor(request)
    )
    return Status(201, [PartnerStaffOut.of(s) for s in staff])


@router.delete(
    "/partners/{partner_id}/staff/{user_id}",
    response={200: list[PartnerStaffOut], **DENIALS, 409: ErrorOut},
)
def partner_staff_remove(
    request: HttpRequest, partner_id: Id, user_id: Id
) -> list[PartnerStaffOut]:
    """Remove someone from the staff; the last admin stays (409 last_partner_admin)."""
    staff = services.staff_remove(partner_id=partner_id, user_id=user_id, **_actor(request))
    return [PartnerStaffOut.of(s) for s in staff]


@router.get("/partners/{partner_id}/leads", response={200: list[LeadOut], **DENIALS})
@paginate(Page)
def lead_list(
    request: HttpRequest,
    partner_id: Id,
    stage: StageName | None = None,
    region_code: Annotated[str | None, Field(max_length=6)] = None,
) -> selectors.LeadListing:
    """The partner's leads, most recently moved first; filter by stage and region (ISO
    3166-2:IT). Paged with ?limit=&offset=."""
    return selectors.lead_list(
        partner_id=partner_id, stage=stage, region_code=region_code, **_actor(request)
    )


@router.post(
    "/partners/{partner_id}/leads", response={201: LeadOut, **BODY, **DENIALS, 409: ErrorOut}
)
def lead_register(request: HttpRequest, partner_id: Id, payload: LeadIn) -> Status[LeadOut]:
    """Register a firm as a lead. The partita IVA's check digit is verified (422
    invalid_vat); a firm already open as a lead answers 409 lead_exists."""
    info = services.lead_register(
        partner_id=partner_id, **payload.dict(), now=timezone.now(), **_actor(request)
    )
    return Status(201, LeadOut.of(info))


@router.get("/partners/{partner_id}/leads/{lead_id}", response={200: LeadOut, **DENIALS})
def lead_detail(request: HttpRequest, partner_id: Id, lead_id: Id) -> LeadOut:
    """The lead with its stage history."""
    info = selectors.lead_get(partner_id=partner_id, lead_id=lead_id, **_actor(request))
    return LeadOut.of(info)


@router.post(
    "/partners/{partner_id}/leads/{lead_id}/advance",
    response={200: LeadOut, **BODY, **DENIALS, 409: ErrorOut},
)
def lead_advance(request: HttpRequest, partner_id: Id, lead_id: Id, payload: AdvanceIn) -> LeadOut:
    """Move the lead one stage on (new -> contacted -> documents); any other move answers
    409 lead_stage_conflict."""
    info = services.lead_advance(
        partner_id=partner_id,
        lead_id=lead_id,
        to_stage=payload.stage,
        now=timezone.now(),
        **_actor(request),
    )
    return LeadOut.of(info)


@router.post(
    "/partners/{partner_id}/leads/{lead_id}/go-live",
    response={200: GoLiveOut, **BODY, **DENIALS, 409: ErrorOut},
)
def lead_go_live(request: HttpRequest, partner_id: Id, lead_id: Id, payload: GoLiveIn) -> GoLiveOut:
    """The lead's store goes live: attach the existing company (``merchant_id``, same VAT
    number, no partner yet) or register it (``municipality_code`` and ``ateco_code``)."""
    result = services.lead_go_live(
        partner_id=partner_id,
        lead_id=lead_id,
        now=timezone.now(),
        **payload.dict(),
        **_actor(request),
    )
    return GoLiveOut.of(result)


@router.post(
    "/partners/{partner_id}/leads/{lead_id}/lose",
    response={200: LeadOut, **BODY, **DENIALS, 409: ErrorOut},
)
def lead_lose(request: HttpRequest, partner_id: Id, lead_id: Id, payload: LoseIn) -> LeadOut:
    """Close an open lead as lost, with the reason."""
    info = services.lead_lose(
        partner_id=partner_id,
        lead_id=lead_id,
        reason=payload.reason,
        now=timezone.now(),
        **_actor(request),
    )
    return LeadOut.of(info)


@router.get("/partners/{partner_id}/merchants", response={200: list[PartnerMerchantOut], **DENIALS})
def partner_merchant_list(request: HttpRequest, partner_id: Id) -> list[PartnerMerchantOut]:
    """The companies the partner brought to Fiera (its live leads)."""
    found = selectors.partner_merchants(partner_id=partner_id, **_actor(request))
    return [PartnerMerchantOut.of(m) for m in found]


@router.get("/partners/{partner_id}/conversion", response={200: ConversionOut, **DENIALS})
def partner_conversion(request: HttpRequest, partner_id: Id) -> ConversionOut:
    """Leads per stage and the share that went live."""
    return ConversionOut.of(selectors.conversion(partner_id=partner_id, **_actor(request)))
