"""Payments API: points of sale (outlets), their EMVCo QR codes, and ECB FX rates.

Outlets: operators see and manage all; a merchant's owners and managers manage their own
(clerks read); another company's outlet ids answer 404. QR parsing is for any signed-in
user; FX rates are public.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from fiera.common.pagination import Page
from fiera.common.schemas import ErrorOut
from fiera.payments import emvco, selectors, services
from fiera.payments.schemas import (
    FxRateOut,
    ImportErrorOut,
    ImportReportOut,
    OutletDetailOut,
    OutletIn,
    OutletOut,
    OutletQrOut,
    OutletStatusIn,
    QrErrorOut,
    QrParsedOut,
    QrParseIn,
    RolloutOut,
    TerminalIn,
    TerminalOut,
)

router = Router(tags=["payments"])


def _actor(request: HttpRequest) -> tuple[int, str]:
    """(user id, account role) of the signed-in caller."""
    user = request.auth  # type: ignore[attr-defined]
    return int(user.pk), str(user.role)


class QrQuery(Schema):
    amount_minor: int | None = Field(None, gt=0, description="minor units: a dynamic QR")
    currency: str = Field("EUR", pattern=r"^[A-Za-z]{3}$")
    bill: str = Field("", max_length=25)
    terminal: str = Field("", max_length=16)


class FxQuery(Schema):
    base: str = Field("EUR", pattern=r"^[A-Za-z]{3}$", description="ISO 4217")
    quote: str = Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217")
    on: date | None = Field(None, description="default: today")


@router.get(
    "/outlets",
    response={200: list[OutletOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
@paginate(Page)
def outlet_list(
    request: HttpRequest,
    merchant_id: int | None = None,
    region: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> selectors.OutletListing:
    """Outlets, filtered by merchant, region (ISO 3166-2:IT, e.g. IT-25), status and a search
    in code or name. Operators see all; merchant staff their merchants' outlets."""
    actor_id, actor_role = _actor(request)
    return selectors.outlet_list(
        actor_id=actor_id,
        actor_role=actor_role,
        merchant_id=merchant_id,
        region_code=region,
        status=status,
        search=q,
    )


@router.get(
    "/outlets/rollout", response={200: RolloutOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
)
def outlet_rollout(request: HttpRequest, merchant_id: int | None = None) -> RolloutOut:
    """Outlet counts per status, and per region and status."""
    actor_id, actor_role = _actor(request)
    summary = selectors.outlet_rollout(
        actor_id=actor_id, actor_role=actor_role, merchant_id=merchant_id
    )
    return RolloutOut.of(summary)


@router.post(
    "/outlets",
    response={
        201: OutletOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def outlet_create(request: HttpRequest, payload: OutletIn) -> Status[OutletOut]:
    """Register an outlet (planned) of a merchant: operators, or its owners and managers."""
    actor_id, actor_role = _actor(request)
    info = services.outlet_register(
        **payload.dict(), now=timezone.now(), actor_id=actor_id, actor_role=actor_role
    )
    return Status(201, OutletOut.of(info))


@router.post(
    "/outlets/import",
    response={
        200: ImportReportOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ImportErrorOut,
    },
)
def outlet_import(
    request: HttpRequest, merchant_id: Form[int], file: File[UploadedFile]
) -> ImportReportOut:
    """Import a CSV of outlets, all or nothing. Columns: code, name, address,
    municipality_code (ISTAT) required; postal_code, mcc, status (planned, pilot, live,
    suspended), terminal_ids (';'-separated) optional. A 422 lists every bad line."""
    actor_id, actor_role = _actor(request)
    report = services.outlets_import_csv(
        merchant_id=merchant_id,
        file=file,
        now=timezone.now(),
        actor_id=actor_id,
        actor_role=actor_role,
    )
    return ImportReportOut.of(report)


@router.get(
    "/outlets/{outlet_id}",
    response={200: OutletDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def outlet_detail(request: HttpRequest, outlet_id: int) -> OutletDetailOut:
    actor_id, actor_role = _actor(request)
    detail = selectors.outlet_get(outlet_id=outlet_id, actor_id=actor_id, actor_role=actor_role)
    return OutletDetailOut.of_detail(detail)


@router.patch(
    "/outlets/{outlet_id}/status",
    response={
        200: OutletOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def outlet_status(request: HttpRequest, outlet_id: int, payload: OutletStatusIn) -> OutletOut:
    """Move an outlet through its rollout: planned -> pilot | live | closed; pilot -> live |
    suspended | closed; live -> suspended | closed; suspended -> pilot | live | closed.
    Any other move is 409."""
    actor_id, actor_role = _actor(request)
    info = services.outlet_set_status(
        outlet_id=outlet_id,
        status=payload.status,
        now=timezone.now(),
        actor_id=actor_id,
        actor_role=actor_role,
    )
    return OutletOut.of(info)


@router.post(
    "/outlets/{outlet_id}/terminals",
    response={
        201: TerminalOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def terminal_create(
    request: HttpRequest, outlet_id: int, payload: TerminalIn
) -> Status[TerminalOut]:
    actor_id, actor_role = _actor(request)
    info = services.terminal_add(
        outlet_id=outlet_id,
        terminal_id=payload.terminal_id,
        label=payload.label,
        now=timezone.now(),
        actor_id=actor_id,
        actor_role=actor_role,
    )
    return Status(201, TerminalOut.of(info))


@router.get(
    "/outlets/{outlet_id}/qr",
    response={200: OutletQrOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def outlet_qr(request: HttpRequest, outlet_id: int, query: Query[QrQuery]) -> OutletQrOut:
    """The outlet's EMVCo QR code: static, or dynamic with ``amount_minor`` (minor units of
    ``currency``) and an optional bill number."""
    actor_id, actor_role = _actor(request)
    qr = selectors.outlet_qr(
        outlet_id=outlet_id,
        amount_minor=query.amount_minor,
        currency=query.currency,
        bill_number=query.bill,
        terminal_id=query.terminal,
        actor_id=actor_id,
        actor_role=actor_role,
    )
    return OutletQrOut.of(qr)


@router.post(
    "/qr/parse",
    response={200: QrParsedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: QrErrorOut},
)
def qr_parse(request: HttpRequest, payload: QrParseIn) -> QrParsedOut:
    """Check and decode an EMVCo merchant-presented payload. A 422 names the tag and the
    character offset at fault (CRC mismatch, malformed TLV, missing or invalid tag)."""
    return QrParsedOut.of(emvco.parse(payload.payload))


@router.get("/fx/rates", auth=None, response={200: FxRateOut, 404: ErrorOut, 422: ErrorOut})
def fx_rate(request: HttpRequest, query: Query[FxQuery]) -> FxRateOut:
    """The ECB reference rate of ``on`` (default today), or the latest one before it: 1
    ``base`` = ``rate`` ``quote``. Rates between two non-euro currencies are crossed via
    EUR and rounded, half-even, to 10 significant digits."""
    on = query.on or timezone.localdate()
    return FxRateOut.of(selectors.fx_rate(base=query.base, quote=query.quote, on=on))
