"""Payments API: points of sale (outlets), their EMVCo QR codes, ECB FX rates, wallets
(balance, statement, top-up), FX quotes and conversions, pay by QR (S/F/U), refunds,
and the operators' settlement runs.

Outlets: operators see and manage all; a merchant's owners and managers manage their own
(clerks read); another company's outlet ids answer 404. QR parsing is for any signed-in
user; FX rates are public.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Path, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from fiera.common.errors import InvalidInput
from fiera.common.money import Money, is_currency
from fiera.common.pagination import Page
from fiera.common.schemas import MAX_ID, ErrorOut, ParamId
from fiera.payments import emvco, selectors, services
from fiera.payments.schemas import (
    CURRENCY_PATTERN,
    MAX_MINOR,
    REQUEST_ID_PATTERN,
    FxConvertIn,
    FxQuoteIn,
    FxQuoteOut,
    FxRateOut,
    ImportErrorOut,
    ImportReportOut,
    OutletDetailOut,
    OutletIn,
    OutletOut,
    OutletQrOut,
    OutletStatusIn,
    OwnerQuery,
    PaymentRefundIn,
    PaymentRefundOut,
    QrErrorOut,
    QrFailedOut,
    QrParsedOut,
    QrParseIn,
    QrPaymentIn,
    QrPaymentOut,
    RolloutOut,
    SettlementReportOut,
    SettlementRunIn,
    SettlementRunOut,
    SettlementStatementOut,
    StatementQuery,
    TerminalIn,
    TerminalOut,
    TopUpIn,
    TopUpOut,
    WalletOpenIn,
    WalletOut,
    WalletPaymentOut,
    WalletStatementOut,
)

router = Router(tags=["payments"])


def _actor(request: HttpRequest) -> tuple[int, str]:
    """(user id, account role) of the signed-in caller."""
    user = request.auth  # type: ignore[attr-defined]
    return int(user.pk), str(user.role)


class QrQuery(Schema):
    amount_minor: int | None = Field(
        None, gt=0, le=MAX_MINOR, description="minor units: a dynamic QR"
    )
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
    merchant_id: int | None = Query(None, ge=1, le=MAX_ID),
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
def outlet_rollout(
    request: HttpRequest, merchant_id: int | None = Query(None, ge=1, le=MAX_ID)
) -> RolloutOut:
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
    request: HttpRequest, merchant_id: Form[ParamId], file: File[UploadedFile]
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
def outlet_detail(request: HttpRequest, outlet_id: ParamId) -> OutletDetailOut:
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
def outlet_status(request: HttpRequest, outlet_id: ParamId, payload: OutletStatusIn) -> OutletOut:
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
    request: HttpRequest, outlet_id: ParamId, payload: TerminalIn
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
def outlet_qr(request: HttpRequest, outlet_id: ParamId, query: Query[QrQuery]) -> OutletQrOut:
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


# --- wallets ------------------------------------------------------------------------------
#
# A buyer's wallets, by currency. Only the owner moves its wallet; operators may read any
# (``user_id``); for anyone else another user's wallet does not exist (404).

CurrencyPath = Path(..., pattern=CURRENCY_PATTERN, description="ISO 4217, e.g. CNY")
RequestIdPath = Path(..., pattern=REQUEST_ID_PATTERN, description="your request id")
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _owner(request: HttpRequest, user_id: int | None) -> tuple[int, int, str]:
    """(whose wallet, actor id, actor role): the caller's own unless an id is given."""
    actor_id, actor_role = _actor(request)
    return (user_id if user_id is not None else actor_id), actor_id, actor_role


@router.get("/wallets", response={200: list[WalletOut], **ERRORS})
def wallet_list(request: HttpRequest, query: Query[OwnerQuery]) -> list[WalletOut]:
    """Your wallets with their balances (operators: anyone's, with ``user_id``)."""
    owner_id, actor_id, actor_role = _owner(request, query.user_id)
    wallets = selectors.wallet_list(owner_id=owner_id, actor_id=actor_id, actor_role=actor_role)
    return [WalletOut.of(w) for w in wallets]


@router.post("/wallets", response={201: WalletOut, **ERRORS})
def wallet_open(request: HttpRequest, payload: WalletOpenIn) -> Status[WalletOut]:
    """Open your wallet in a currency (buyers); opening it again returns it."""
    actor_id, actor_role = _actor(request)
    info = services.wallet_open(
        user_id=actor_id,
        currency=payload.currency,
        now=timezone.now(),
        actor_role=actor_role,
    )
    return Status(201, WalletOut.of(info))


@router.get("/wallets/{currency}", response={200: WalletOut, **ERRORS})
def wallet_detail(
    request: HttpRequest, query: Query[OwnerQuery], currency: str = CurrencyPath
) -> WalletOut:
    owner_id, actor_id, actor_role = _owner(request, query.user_id)
    info = selectors.wallet_get(
        owner_id=owner_id, currency=currency, actor_id=actor_id, actor_role=actor_role
    )
    return WalletOut.of(info)


@router.get("/wallets/{currency}/statement", response={200: WalletStatementOut, **ERRORS})
def wallet_statement(
    request: HttpRequest, query: Query[StatementQuery], currency: str = CurrencyPath
) -> WalletStatementOut:
    """The wallet's movements, newest first, each with the balance after it."""
    owner_id, actor_id, actor_role = _owner(request, query.user_id)
    statement = selectors.wallet_statement(
        owner_id=owner_id,
        currency=currency,
        limit=query.limit,
        offset=query.offset,
        actor_id=actor_id,
        actor_role=actor_role,
    )
    return WalletStatementOut.of(statement)


@router.get("/wallets/payments/{reference}", response={200: WalletPaymentOut, **ERRORS})
def wallet_payment_detail(
    request: HttpRequest,
    reference: str = Path(..., min_length=1, max_length=200, description="payment_reference"),
) -> WalletPaymentOut:
    """One payment from your wallet (its ``payment_reference`` in the statement): the total
    paid, the orders and shops, and the conversion into the shops' currency (the ECB rate
    and its day, the mark-up). Another user's payment does not exist (404); operators see
    any."""
    actor_id, actor_role = _actor(request)
    return WalletPaymentOut.of(
        selectors.wallet_payment_get(reference=reference, actor_id=actor_id, actor_role=actor_role)
    )


@router.post("/wallets/{currency}/top-ups", response={201: TopUpOut, 202: TopUpOut, **ERRORS})
def wallet_top_up(
    request: HttpRequest, payload: TopUpIn, currency: str = CurrencyPath
) -> Status[TopUpOut]:
    """Top up your wallet from a funding source. 201 when booked; 202 when the funding
    source has not answered yet (retry with the same ``request_id``); 409
    ``funding_declined`` when it refused. The same ``request_id`` with another body is
    409 ``request_id_reused``."""
    actor_id, actor_role = _actor(request)
    info = services.wallet_top_up(
        user_id=actor_id,
        amount_minor=payload.amount_minor,
        currency=currency.upper(),
        funding_reference=payload.funding_reference,
        request_id=payload.request_id,
        now=timezone.now(),
        actor_role=actor_role,
    )
    return Status(201 if info.status == "succeeded" else 202, TopUpOut.of(info))


# --- FX -----------------------------------------------------------------------------------


@router.post("/fx/quotes", response={201: FxQuoteOut, **ERRORS})
def fx_quote(request: HttpRequest, payload: FxQuoteIn) -> Status[FxQuoteOut]:
    """Quote a conversion between two of your wallet currencies: the ECB rate of the day
    plus the stated mark-up, fixed for a short time (``expires_at``). Give the amount to
    sell or the amount to buy."""
    actor_id, actor_role = _actor(request)
    info = services.fx_quote_create(
        user_id=actor_id,
        sell_currency=payload.sell_currency.upper(),
        buy_currency=payload.buy_currency.upper(),
        sell_amount_minor=payload.sell_amount_minor,
        buy_amount_minor=payload.buy_amount_minor,
        now=timezone.now(),
        actor_role=actor_role,
    )
    return Status(201, FxQuoteOut.of(info))


@router.post("/fx/conversions", response={200: FxQuoteOut, **ERRORS})
def fx_conversion(request: HttpRequest, payload: FxConvertIn) -> FxQuoteOut:
    """Execute your quote before it expires (409 ``quote_expired`` after)."""
    actor_id, actor_role = _actor(request)
    info = services.fx_convert(
        user_id=actor_id, quote_id=payload.quote_id, now=timezone.now(), actor_role=actor_role
    )
    return FxQuoteOut.of(info)


# --- pay by QR ----------------------------------------------------------------------------


@router.post(
    "/qr-payments",
    response={
        200: QrPaymentOut,
        202: QrPaymentOut,
        **ERRORS,
        409: QrFailedOut | ErrorOut,
        422: QrErrorOut,
    },
)
def qr_payment_create(request: HttpRequest, payload: QrPaymentIn) -> Any:
    """Pay a scanned EMVCo QR code of a Fiera point of sale from your wallet (CNY by
    default; the merchant is paid in EUR through FX). Answers S (200), U (202: the
    outcome is not known, GET it with the same request id) or F (409 with the reason:
    ``insufficient_funds``). A bad payload is 422 naming the tag and offset; an unknown
    outlet 404 ``unknown_outlet``; an outlet that is not open 409. The same
    ``request_id`` with the same body answers the same; with another body 409."""
    actor_id, actor_role = _actor(request)
    result = services.qr_payment_submit(
        user_id=actor_id,
        payload=payload.payload,
        request_id=payload.request_id,
        amount_minor=payload.amount_minor,
        wallet_currency=payload.wallet_currency.upper(),
        now=timezone.now(),
        actor_role=actor_role,
    )
    out = QrPaymentOut.of(result)
    if result.status == "F":
        return Status(
            409,
            QrFailedOut(
                error=result.result_code,
                detail=result.detail,
                request_id=result.request_id,
                result=out,
            ),
        )
    return Status(202 if result.status == "U" else 200, out)


@router.get("/qr-payments/{request_id}", response={200: QrPaymentOut, **ERRORS})
def qr_payment_detail(request: HttpRequest, request_id: str = RequestIdPath) -> QrPaymentOut:
    """The result of your payment request: S or F (a U is settled by asking)."""
    actor_id, actor_role = _actor(request)
    result = services.qr_payment_query(
        user_id=actor_id, request_id=request_id, now=timezone.now(), actor_role=actor_role
    )
    return QrPaymentOut.of(result)


@router.post("/payments/refunds", response={201: PaymentRefundOut, **ERRORS})
def payment_refund(request: HttpRequest, payload: PaymentRefundIn) -> Status[PaymentRefundOut]:
    """Refund part or all of a wallet payment at its original rate (the merchant's owners
    and managers, or operators). ``currency`` is the payer's (what goes back) or the
    merchant's (what is taken back)."""
    actor_id, actor_role = _actor(request)
    if not is_currency(payload.currency.upper()):
        raise services.CurrencyMismatch(f"{payload.currency!r} is not an ISO 4217 code")
    info = services.wallet_refund(
        payment_reference=payload.payment_reference,
        amount=Money(payload.amount_minor, payload.currency.upper()),
        refund_reference=payload.refund_reference,
        now=timezone.now(),
        actor_id=actor_id,
        actor_role=actor_role,
    )
    return Status(201, PaymentRefundOut.of(info))


# --- settlement (operators) ---------------------------------------------------------------


@router.post("/settlement/runs", response={200: SettlementReportOut, **ERRORS})
def settlement_run(request: HttpRequest, payload: SettlementRunIn) -> SettlementReportOut:
    """Settle a day (default yesterday, UTC) for every merchant: payouts net of refunds
    and fees. Running a day again returns the runs made the first time."""
    _, actor_role = _actor(request)
    now = timezone.now()
    report = services.settlement_run(
        day=payload.day or (now.date() - timedelta(days=1)), now=now, actor_role=actor_role
    )
    return SettlementReportOut.of(report)


@router.get("/settlement/runs", response={200: list[SettlementRunOut], **ERRORS})
@paginate(Page)
def settlement_run_list(
    request: HttpRequest,
    day: str | None = Query(None, max_length=10, description="YYYY-MM-DD"),
    merchant_id: int | None = Query(None, ge=1, le=2**62),
) -> selectors.SettlementRunListing:
    """Settlement runs, newest day first, filtered by ``day`` (YYYY-MM-DD) and merchant
    (operators)."""
    _, actor_role = _actor(request)
    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        raise InvalidInput(
            f"day: {day!r} is not a date (YYYY-MM-DD)",
            message=gettext_lazy("%(value)s is not a date (write it as YYYY-MM-DD)."),
            value=str(day),
        ) from None
    return selectors.settlement_run_list(day=on, merchant_id=merchant_id, actor_role=actor_role)


@router.get("/settlement/runs/{run_id}", response={200: SettlementStatementOut, **ERRORS})
def settlement_run_detail(
    request: HttpRequest, run_id: int = Path(..., ge=1, le=2**62)
) -> SettlementStatementOut:
    """A run with its statement: one line per payment and per refund."""
    _, actor_role = _actor(request)
    return SettlementStatementOut.of(
        selectors.settlement_run_get(run_id=run_id, actor_role=actor_role)
    )
