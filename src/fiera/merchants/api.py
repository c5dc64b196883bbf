"""Merchants, their stores and staff. Operators see and manage every merchant; merchant
staff only their own company (another company's id answers 404); buyers get 403."""

from __future__ import annotations

from typing import Annotated, TypedDict

from django.http import HttpRequest
from ninja import Field, File, Router, Status, UploadedFile
from ninja.pagination import paginate

from fiera.common.pagination import Page
from fiera.common.schemas import ErrorOut
from fiera.merchants import selectors, services
from fiera.merchants.schemas import (
    MerchantIn,
    MerchantOut,
    MerchantPatch,
    SectorOut,
    StaffIn,
    StaffOut,
    StoreDescriptionIn,
    StoreIn,
    StoreOut,
    StorePatch,
    VerifyIn,
)

router = Router(tags=["merchants"])

# Every operation with typed inputs can answer 422 (a malformed id, a wrong body); one
# with a JSON body 400 when the body is not JSON at all.
DENIALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
BODY = {400: ErrorOut}
# Ids are positive 64-bit integers: larger numbers answer 422, not a database overflow.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Actor(TypedDict):
    actor_id: int
    actor_role: str


def _actor(request: HttpRequest) -> Actor:
    """The signed-in user, as the keyword arguments services take for authorization."""
    user = request.auth  # type: ignore[attr-defined]
    return {"actor_id": int(user.pk), "actor_role": str(user.role)}


@router.get("/sectors", auth=None, response=list[SectorOut])
def sector_list(request: HttpRequest) -> list[SectorOut]:
    """The business sectors, with the ATECO 2025 codes each spans."""
    return [SectorOut.of(s) for s in selectors.sector_list()]


@router.post(
    "/merchants",
    response={201: MerchantOut, **BODY, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def merchant_register(request: HttpRequest, payload: MerchantIn) -> Status[MerchantOut]:
    """Register a company (operators only). The VAT id, region, municipality and ATECO
    code are checked; a VAT id already registered answers 409 vat_taken."""
    info = services.merchant_register(
        **payload.dict(),
        actor_role=str(request.auth.role),  # type: ignore[attr-defined]
    )
    return Status(201, MerchantOut.of(info))


@router.get(
    "/merchants", response={200: list[MerchantOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
)
@paginate(Page)
def merchant_list(
    request: HttpRequest,
    region_code: str | None = None,
    sector: str | None = None,
    size: str | None = None,
    search: str | None = None,
) -> selectors.MerchantListing:
    """Operators: every merchant, filtered by region, sector slug, size or name.
    Merchant staff: only their own companies. Paged with ?limit=&offset=."""
    return selectors.merchant_list(
        **_actor(request),
        region_code=region_code,
        sector_slug=sector,
        size=size,
        search=search,
    )


@router.get("/merchants/{merchant_id}", response={200: MerchantOut, **DENIALS})
def merchant_detail(request: HttpRequest, merchant_id: Id) -> MerchantOut:
    info = selectors.merchant_get_for(merchant_id=merchant_id, **_actor(request))
    return MerchantOut.of(info)


@router.patch("/merchants/{merchant_id}", response={200: MerchantOut, **BODY, **DENIALS})
def merchant_patch(request: HttpRequest, merchant_id: Id, payload: MerchantPatch) -> MerchantOut:
    """Change profile fields (owner, manager or operator); omitted fields stay."""
    info = services.merchant_update(
        merchant_id=merchant_id,
        **_actor(request),
        **payload.dict(exclude_unset=True),
    )
    return MerchantOut.of(info)


@router.post("/merchants/{merchant_id}/verify", response={200: MerchantOut, **BODY, **DENIALS})
def merchant_verify(request: HttpRequest, merchant_id: Id, payload: VerifyIn) -> MerchantOut:
    """Set the verification level (operators only)."""
    info = services.merchant_verify(
        merchant_id=merchant_id,
        level=payload.level,
        actor_role=str(request.auth.role),  # type: ignore[attr-defined]
    )
    return MerchantOut.of(info)


@router.get("/merchants/{merchant_id}/stores", response={200: list[StoreOut], **DENIALS})
def store_list(request: HttpRequest, merchant_id: Id) -> list[StoreOut]:
    stores = selectors.store_list_for_merchant(merchant_id=merchant_id, **_actor(request))
    return [StoreOut.of(s) for s in stores]


@router.post(
    "/merchants/{merchant_id}/stores",
    response={201: StoreOut, **BODY, **DENIALS, 409: ErrorOut},
)
def store_open(request: HttpRequest, merchant_id: Id, payload: StoreIn) -> Status[StoreOut]:
    """Open the merchant's store on a marketplace (one per marketplace; owner, manager
    or operator)."""
    info = services.store_open(
        merchant_id=merchant_id,
        marketplace_id=payload.marketplace_id,
        name=payload.name,
        slug=payload.slug,
        **_actor(request),
    )
    return Status(201, StoreOut.of(info))


@router.patch(
    "/merchants/{merchant_id}/stores/{store_id}", response={200: StoreOut, **BODY, **DENIALS}
)
def store_patch(
    request: HttpRequest, merchant_id: Id, store_id: Id, payload: StorePatch
) -> StoreOut:
    """Open or close a store to buyers (owner, manager or operator)."""
    info = services.store_set_active(
        store_id=store_id,
        merchant_id=merchant_id,
        is_active=payload.is_active,
        **_actor(request),
    )
    return StoreOut.of(info)


@router.get("/merchants/{merchant_id}/staff", response={200: list[StaffOut], **DENIALS})
def staff_list(request: HttpRequest, merchant_id: Id) -> list[StaffOut]:
    staff = selectors.staff_list(merchant_id=merchant_id, **_actor(request))
    return [StaffOut.of(s) for s in staff]


@router.post(
    "/merchants/{merchant_id}/staff",
    response={201: list[StaffOut], **BODY, **DENIALS, 409: ErrorOut},
)
def staff_add(request: HttpRequest, merchant_id: Id, payload: StaffIn) -> Status[list[StaffOut]]:
    """Add a merchant account to the company's staff (owner or operator)."""
    staff = services.staff_add(
        merchant_id=merchant_id,
        user_id=payload.user_id,
        role=payload.role,
        **_actor(request),
    )
    return Status(201, [StaffOut.of(s) for s in staff])


@router.delete(
    "/merchants/{merchant_id}/staff/{user_id}", response={204: None, **DENIALS, 409: ErrorOut}
)
def staff_remove(request: HttpRequest, merchant_id: Id, user_id: Id) -> Status[None]:
    """Remove a staff member (owner or operator); the last owner stays."""
    services.staff_remove(merchant_id=merchant_id, user_id=user_id, **_actor(request))
    return Status(204, None)


@router.post("/merchants/{merchant_id}/stores/{store_id}/logo", response={200: StoreOut, **DENIALS})
def store_logo_set(
    request: HttpRequest, logo: File[UploadedFile], merchant_id: Id, store_id: Id
) -> StoreOut:
    """Upload the store's logo (multipart/form-data: ``logo``; JPEG, PNG or WebP up to
    10 MB), stored re-encoded as WebP without metadata; replaces the previous one. Owner,
    manager or operator. 422 ``image_unreadable``, ``image_too_large``,
    ``image_too_many_pixels``."""
    info = services.store_logo_set(
        store_id=store_id, merchant_id=merchant_id, upload=logo, **_actor(request)
    )
    return StoreOut.of(info)


@router.delete(
    "/merchants/{merchant_id}/stores/{store_id}/logo", response={200: StoreOut, **DENIALS}
)
def store_logo_delete(request: HttpRequest, merchant_id: Id, store_id: Id) -> StoreOut:
    """Remove the store's logo (owner, manager or operator)."""
    info = services.store_logo_delete(store_id=store_id, merchant_id=merchant_id, **_actor(request))
    return StoreOut.of(info)


@router.patch(
    "/merchants/{merchant_id}/stores/{store_id}/description",
    response={200: StoreOut, **BODY, **DENIALS},
)
def store_describe(
    request: HttpRequest, merchant_id: Id, store_id: Id, payload: StoreDescriptionIn
) -> StoreOut:
    """Set the store's descriptions in Italian, English and Chinese (plain text, up to
    5,000 characters each; omitted ones stay). Owner, manager or operator."""
    info = services.store_describe(
        store_id=store_id,
        merchant_id=merchant_id,
        **payload.dict(exclude_unset=True),
        **_actor(request),
    )
    return StoreOut.of(info)
