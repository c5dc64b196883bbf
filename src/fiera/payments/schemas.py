from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Schema

from fiera.common.money import Money
from fiera.common.schemas import BodyId, ErrorOut, MoneyOut, ObjectIn
from fiera.payments.emvco import ParsedPayload
from fiera.payments.selectors import (
    FxQuoteInfo,
    OutletDetail,
    OutletInfo,
    OutletQr,
    PaymentInfo,
    QrPaymentResult,
    RateInfo,
    RefundInfo,
    RolloutSummary,
    SettlementRunInfo,
    SettlementStatement,
    StatementOrder,
    TerminalInfo,
    TopUpInfo,
    WalletInfo,
    WalletPaymentDetail,
    WalletStatement,
    WalletStatementLine,
)
from fiera.payments.services import ImportReport, SettlementReport


class OutletOut(Schema):
    id: int
    merchant_id: int
    code: str
    name: str
    address: str
    postal_code: str
    municipality_code: str = Field(description="ISTAT, six digits")
    municipality_name: str
    province: str
    region_code: str = Field(description="ISO 3166-2:IT")
    region_name: str
    mcc: str = Field(description="ISO 18245 merchant category code")
    status: str = Field(description="planned, pilot, live, suspended or closed")
    accepts_payments: bool
    opened_at: datetime | None
    status_changed_at: datetime

    @classmethod
    def of(cls, info: OutletInfo) -> OutletOut:
        return cls(
            id=info.id,
            merchant_id=info.merchant_id,
            code=info.code,
            name=info.name,
            address=info.address,
            postal_code=info.postal_code,
            municipality_code=info.municipality_code,
            municipality_name=info.municipality_name,
            province=info.province,
            region_code=info.region_code,
            region_name=info.region_name,
            mcc=info.mcc,
            status=info.status,
            accepts_payments=info.accepts_payments,
            opened_at=info.opened_at,
            status_changed_at=info.status_changed_at,
        )


class TerminalOut(Schema):
    id: int
    outlet_id: int
    terminal_id: str
    label: str
    active: bool

    @classmethod
    def of(cls, info: TerminalInfo) -> TerminalOut:
        return cls(
            id=info.id,
            outlet_id=info.outlet_id,
            terminal_id=info.terminal_id,
            label=info.label,
            active=info.active,
        )


class OutletDetailOut(OutletOut):
    merchant_name: str
    terminals: list[TerminalOut]

    @classmethod
    def of_detail(cls, detail: OutletDetail) -> OutletDetailOut:
        base = OutletOut.of(detail.outlet).dict()
        return cls(
            **base,
            merchant_name=detail.merchant_name,
            terminals=[TerminalOut.of(t) for t in detail.terminals],
        )


OutletStatusName = Literal["planned", "pilot", "live", "suspended", "closed"]


class OutletIn(Schema):
    merchant_id: BodyId
    code: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
        description="unique per merchant, e.g. UP-015146-01",
    )
    name: str = Field(min_length=1, max_length=120)
    address: str = Field(min_length=1, max_length=200)
    municipality_code: str = Field(
        pattern=r"^[0-9]{6}$", description="ISTAT, six digits, e.g. 015146 (Milano)"
    )
    postal_code: str = Field("", pattern=r"^([0-9]{5})?$", description="CAP, five digits")
    mcc: str = Field("9402", pattern=r"^[0-9]{4}$", description="ISO 18245 merchant category")


class OutletStatusIn(Schema):
    status: OutletStatusName


class TerminalIn(Schema):
    terminal_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$")
    label: str = Field("", max_length=80)


class OutletQrOut(Schema):
    outlet_id: int
    payload: str = Field(description="the EMVCo merchant-presented payload, CRC included")
    svg: str = Field(description="the QR symbol as an <svg> element")
    mode: str = Field(description="static (the payer keys in the amount) or dynamic")
    amount_minor: int | None
    currency: str
    bill_number: str
    terminal_label: str

    @classmethod
    def of(cls, qr: OutletQr) -> OutletQrOut:
        return cls(
            outlet_id=qr.outlet_id,
            payload=qr.payload,
            svg=qr.svg,
            mode=qr.mode,
            amount_minor=qr.amount_minor,
            currency=qr.currency,
            bill_number=qr.bill_number,
            terminal_label=qr.terminal_label,
        )


class RegionRolloutOut(Schema):
    region_code: str
    region_name: str
    total: int
    by_status: dict[str, int]


class RolloutOut(Schema):
    total: int
    by_status: dict[str, int]
    regions: list[RegionRolloutOut]

    @classmethod
    def of(cls, summary: RolloutSummary) -> RolloutOut:
        return cls(
            total=summary.total,
            by_status=summary.by_status,
            regions=[
                RegionRolloutOut(
                    region_code=r.region_code,
                    region_name=r.region_name,
                    total=r.total,
                    by_status=r.by_status,
                )
                for r in summary.regions
            ],
        )


class ImportReportOut(Schema):
    merchant_id: int
    outlets_created: int
    terminals_created: int
    by_status: dict[str, int]

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportOut:
        return cls(
            merchant_id=report.merchant_id,
            outlets_created=report.outlets_created,
            terminals_created=report.terminals_created,
            by_status=report.by_status,
        )


class RowErrorOut(Schema):
    line: int = Field(description="line of the file; the header is line 1")
    column: str
    message: str


class ImportErrorOut(ErrorOut):
    errors: list[RowErrorOut] = Field(
        default_factory=list, description="every problem found, when the file was checked"
    )


class QrParseIn(Schema):
    payload: str = Field(min_length=1, max_length=2000)


class QrWarningOut(Schema):
    tag: str = Field(description='the data object, e.g. "59" or "62.01"')
    detail: str


class QrParsedOut(Schema):
    mode: str | None = Field(description="static, dynamic, or null when tag 01 is absent")
    merchant_name: str | None
    merchant_city: str | None
    country: str
    currency: str = Field(description="ISO 4217 alphabetic, from tag 53")
    amount_minor: int | None
    merchant_category_code: str | None
    postal_code: str | None
    bill_number: str | None
    reference_label: str | None
    terminal_label: str | None
    alternate_language: str | None
    alternate_name: str | None
    alternate_city: str | None
    crc: str
    merchant_accounts: dict[str, Any]
    fields: dict[str, Any] = Field(description="every data object by ID; templates nested")
    warnings: list[QrWarningOut] = Field(
        description="what the spec wants and the payload lacks or bends, without which it "
        "can still be paid (e.g. no merchant name when a scheme template names the payee)"
    )

    @classmethod
    def of(cls, parsed: ParsedPayload) -> QrParsedOut:
        return cls(**parsed.to_dict())


class QrErrorOut(ErrorOut):
    tag: str | None = None
    offset: int | None = None


class FxLegOut(Schema):
    quote: str
    date: date
    rate: str


class FxRateOut(Schema):
    base: str
    quote: str
    rate: str = Field(description="1 base = rate quote, an exact decimal string")
    on: date
    rate_date: date = Field(description="the oldest ECB date used")
    method: str = Field(description="identity, direct, inverse or cross (via EUR)")
    source: str
    legs: list[FxLegOut]

    @classmethod
    def of(cls, info: RateInfo) -> FxRateOut:
        return cls(
            base=info.base,
            quote=info.quote,
            rate=f"{info.rate:f}",
            on=info.on,
            rate_date=info.rate_date,
            method=info.method,
            source=info.source,
            legs=[
                FxLegOut(quote=leg.quote, date=leg.date, rate=f"{leg.rate:f}") for leg in info.legs
            ],
        )


# --- wallets, FX, payments, settlement ---------------------------------------------------

CURRENCY_PATTERN = r"^[A-Za-z]{3}$"
REQUEST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
MAX_MINOR = 10**15


def _money(money: Money) -> MoneyOut:
    return MoneyOut.of(money, get_language() or "en")


class WalletOpenIn(ObjectIn):
    currency: str = Field("CNY", pattern=CURRENCY_PATTERN, description="ISO 4217, e.g. CNY")


class WalletOut(Schema):
    currency: str
    posted: MoneyOut = Field(description="the settled balance")
    pending: MoneyOut = Field(description="reserved by pending transfers (trade assurance)")
    available: MoneyOut = Field(description="what can be spent now")
    created_at: datetime

    @classmethod
    def of(cls, info: WalletInfo) -> WalletOut:
        return cls(
            currency=info.currency,
            posted=_money(info.posted),
            pending=_money(info.pending),
            available=_money(info.available),
            created_at=info.created_at,
        )


class StatementOrderOut(Schema):
    number: str = Field(description="the order number (the buyer's order page)")
    merchant_id: int
    shop: str
    paid: MoneyOut = Field(description="what the wallet paid for this order")
    credit: MoneyOut = Field(description="what the shop was credited for it")

    @classmethod
    def of(cls, order: StatementOrder) -> StatementOrderOut:
        return cls(
            number=order.number,
            merchant_id=order.merchant_id,
            shop=order.shop,
            paid=_money(order.paid),
            credit=_money(order.credit),
        )


class WalletLineOut(Schema):
    transfer_id: str = Field(description="the first of the ledger transfers the line groups")
    created_at: datetime
    code: str = Field(
        description='the first transfer\'s: "topup", "payment", "fx_sell", "refund_fx_sell" ...'
    )
    label: str = Field(description="what happened, in the request's language")
    kind: str = Field(description="single, pending, post, void or expiry")
    direction: str = Field(description="credit (in) or debit (out)")
    amount: MoneyOut = Field(description="signed: positive in, negative out (all its transfers)")
    balance_after: MoneyOut = Field(description="the posted balance right after it")
    reference: str = Field(description="the first transfer's ledger reference")
    event: str = Field(
        "other", description="payment, qr_payment, refund, top_up, conversion or other"
    )
    transfer_ids: list[str] = Field(
        default_factory=list, description="every ledger transfer of this line, oldest first"
    )
    payment_reference: str = Field(
        "", description="the payment's reference: GET /wallets/payments/{reference}"
    )
    orders: list[StatementOrderOut] = Field(default_factory=list)
    shops: list[str] = Field(default_factory=list)
    outlet_name: str = Field("", description="a QR payment's point of sale")
    qr_request_id: str = Field("", description="a QR payment's request id")

    @classmethod
    def of(cls, line: WalletStatementLine) -> WalletLineOut:
        return cls(
            transfer_id=line.transfer_id,
            created_at=line.created_at,
            code=line.code,
            label=_(line.label),
            kind=line.kind,
            direction=line.direction,
            amount=_money(line.amount),
            balance_after=_money(line.balance_after),
            reference=line.reference,
            event=line.event,
            transfer_ids=list(line.transfer_ids),
            payment_reference=line.payment_reference,
            orders=[StatementOrderOut.of(order) for order in line.orders],
            shops=list(line.shops),
            outlet_name=line.outlet_name,
            qr_request_id=line.qr_request_id,
        )


class WalletStatementOut(Schema):
    wallet: WalletOut
    count: int = Field(description="lines in all (one per payment, refund, top-up ...)")
    limit: int
    offset: int
    lines: list[WalletLineOut]

    @classmethod
    def of(cls, statement: WalletStatement) -> WalletStatementOut:
        return cls(
            wallet=WalletOut.of(statement.wallet),
            count=statement.count,
            limit=statement.limit,
            offset=statement.offset,
            lines=[WalletLineOut.of(line) for line in statement.lines],
        )


class StatementQuery(Schema):
    limit: int = Field(20, ge=1, le=200, description="lines per page (1-200)")
    offset: int = Field(0, ge=0, le=9800, description="lines to skip (at most 9,800)")
    user_id: int | None = Field(None, ge=1, le=2**62, description="operators: whose wallet")


class OwnerQuery(Schema):
    user_id: int | None = Field(None, ge=1, le=2**62, description="operators: whose wallets")


class TopUpIn(Schema):
    amount_minor: int = Field(
        strict=True, gt=0, le=MAX_MINOR, description="minor units of the wallet currency"
    )
    funding_reference: str = Field(
        min_length=1, max_length=100, description="the card or account to charge"
    )
    request_id: str = Field(
        pattern=REQUEST_ID_PATTERN, description="your idempotency key: retry with the same one"
    )


class TopUpOut(Schema):
    request_id: str
    status: str = Field(description="succeeded, or pending when the gateway did not answer")
    amount: MoneyOut
    funding_reference: str
    gateway_reference: str
    transfer_id: str | None
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, info: TopUpInfo) -> TopUpOut:
        return cls(
            request_id=info.request_id,
            status=info.status,
            amount=_money(info.amount),
            funding_reference=info.funding_reference,
            gateway_reference=info.gateway_reference,
            transfer_id=info.transfer_id,
            created_at=info.created_at,
            completed_at=info.completed_at,
        )


class FxQuoteIn(ObjectIn):
    sell_currency: str = Field("CNY", pattern=CURRENCY_PATTERN)
    buy_currency: str = Field("EUR", pattern=CURRENCY_PATTERN)
    sell_amount_minor: int | None = Field(None, strict=True, gt=0, le=MAX_MINOR)
    buy_amount_minor: int | None = Field(None, strict=True, gt=0, le=MAX_MINOR)


class FxQuoteOut(Schema):
    quote_id: str
    sell: MoneyOut = Field(description="what leaves your wallet")
    buy: MoneyOut = Field(description="what you get")
    mid_sell: MoneyOut = Field(description="the part converted at the ECB reference rate")
    spread: MoneyOut = Field(description="the mark-up, in the sell currency")
    fixed_side: str
    rate_base: str
    rate_quote: str
    rate: str = Field(description="ECB: 1 rate_base = rate rate_quote")
    rate_date: date
    markup_bp: int = Field(description="the mark-up in basis points (50 = 0.50 %)")
    client_rate: str = Field(description="sell units per buy unit, mark-up included")
    expires_at: datetime
    executed_at: datetime | None

    @classmethod
    def of(cls, info: FxQuoteInfo) -> FxQuoteOut:
        return cls(
            quote_id=info.quote_id,
            sell=_money(info.sell),
            buy=_money(info.buy),
            mid_sell=_money(info.mid_sell),
            spread=_money(info.spread),
            fixed_side=info.fixed_side,
            rate_base=info.rate_base,
            rate_quote=info.rate_quote,
            rate=f"{info.rate:f}",
            rate_date=info.rate_date,
            markup_bp=info.markup_bp,
            client_rate=f"{info.client_rate:f}",
            expires_at=info.expires_at,
            executed_at=info.executed_at,
        )


class FxConvertIn(Schema):
    quote_id: str = Field(min_length=1, max_length=40)


class PaymentOut(Schema):
    payment_id: str
    kind: str = Field(description="checkout, qr or escrow")
    reference: str
    merchant_id: int
    paid: MoneyOut = Field(description="what the payer's wallet gave")
    credit: MoneyOut = Field(description="what the merchant is credited")
    rate: str = Field(description='the ECB rate used ("" when no FX)')
    rate_base: str
    rate_quote: str
    markup_bp: int
    spread: MoneyOut
    refunded_paid: MoneyOut
    refunded_credit: MoneyOut
    created_at: datetime

    @classmethod
    def of(cls, info: PaymentInfo) -> PaymentOut:
        return cls(
            payment_id=info.payment_id,
            kind=info.kind,
            reference=info.reference,
            merchant_id=info.merchant_id,
            paid=_money(info.paid),
            credit=_money(info.credit),
            rate=info.rate,
            rate_base=info.rate_base,
            rate_quote=info.rate_quote,
            markup_bp=info.markup_bp,
            spread=_money(info.spread),
            refunded_paid=_money(info.refunded_paid),
            refunded_credit=_money(info.refunded_credit),
            created_at=info.created_at,
        )


class WalletPaymentOut(Schema):
    reference: str = Field(description="the checkout's or the QR payment's reference")
    kind: str = Field(description="checkout, qr or escrow")
    created_at: datetime
    paid: MoneyOut = Field(description="what left your wallet")
    credit: MoneyOut = Field(description="what the shops were credited")
    mid_paid: MoneyOut = Field(description="the part of paid converted at the reference rate")
    spread: MoneyOut = Field(description="the FX mark-up, in your wallet's currency")
    markup_bp: int
    rate: str = Field(description='1 rate_base = rate rate_quote, ECB ("" when no FX)')
    rate_base: str
    rate_quote: str
    rate_date: date | None = Field(description="the day of the ECB reference rate used")
    refunded_paid: MoneyOut
    orders: list[StatementOrderOut]
    shops: list[str]
    outlet_name: str
    qr_request_id: str
    bill_number: str = Field(description="a QR payment's bill number (tag 62/01)")
    payments: list[PaymentOut] = Field(description="one per shop")

    @classmethod
    def of(cls, detail: WalletPaymentDetail) -> WalletPaymentOut:
        return cls(
            reference=detail.reference,
            kind=detail.kind,
            created_at=detail.created_at,
            paid=_money(detail.paid),
            credit=_money(detail.credit),
            mid_paid=_money(detail.mid_paid),
            spread=_money(detail.spread),
            markup_bp=detail.markup_bp,
            rate=detail.rate,
            rate_base=detail.rate_base,
            rate_quote=detail.rate_quote,
            rate_date=detail.rate_date,
            refunded_paid=_money(detail.refunded_paid),
            orders=[StatementOrderOut.of(order) for order in detail.orders],
            shops=list(detail.shops),
            outlet_name=detail.outlet_name,
            qr_request_id=detail.qr_request_id,
            bill_number=detail.bill_number,
            payments=[PaymentOut.of(p) for p in detail.payments],
        )


class PaymentRefundIn(Schema):
    payment_reference: str = Field(min_length=1, max_length=200)
    amount_minor: int = Field(strict=True, gt=0, le=MAX_MINOR)
    currency: str = Field(pattern=CURRENCY_PATTERN, description="the payer's or the merchant's")
    refund_reference: str = Field(
        pattern=REQUEST_ID_PATTERN, description="your idempotency key for this refund"
    )


class PaymentRefundOut(Schema):
    reference: str
    payment_reference: str
    paid: MoneyOut = Field(description="back to the payer's wallet")
    credit: MoneyOut = Field(description="out of the merchant's payable")
    spread: MoneyOut = Field(description="the part of the FX mark-up given back")
    created_at: datetime
    payment: PaymentOut

    @classmethod
    def of(cls, info: RefundInfo) -> PaymentRefundOut:
        return cls(
            reference=info.reference,
            payment_reference=info.payment_reference,
            paid=_money(info.paid),
            credit=_money(info.credit),
            spread=_money(info.spread),
            created_at=info.created_at,
            payment=PaymentOut.of(info.payment),
        )


class QrPaymentIn(Schema):
    payload: str = Field(min_length=1, max_length=512, description="the scanned EMVCo payload")
    request_id: str = Field(
        pattern=REQUEST_ID_PATTERN, description="your idempotency key: query or retry with it"
    )
    amount_minor: int | None = Field(
        None,
        strict=True,
        gt=0,
        le=MAX_MINOR,
        description="for a static QR: minor units of its currency",
    )
    wallet_currency: str = Field("CNY", pattern=CURRENCY_PATTERN)


class QrPaymentOut(Schema):
    status: Literal["S", "F", "U"] = Field(description="S paid, F failed, U unknown: query it")
    request_id: str
    result_code: str
    detail: str
    amount: MoneyOut = Field(description="what the merchant is paid")
    outlet_id: int
    outlet_name: str
    merchant_id: int
    merchant_name: str
    wallet_currency: str
    payment: PaymentOut | None
    created_at: datetime
    updated_at: datetime
    bill_number: str = Field("", description="the QR's bill number (tag 62/01)")
    qr_merchant_name: str = Field("", description="the merchant name the QR shows (tag 59)")
    rate_date: date | None = Field(None, description="the day of the ECB rate used (FX only)")

    @classmethod
    def of(cls, result: QrPaymentResult) -> QrPaymentOut:
        return cls(
            status=result.status,  # type: ignore[arg-type]
            request_id=result.request_id,
            result_code=result.result_code,
            detail=result.detail,
            amount=_money(result.amount),
            outlet_id=result.outlet_id,
            outlet_name=result.outlet_name,
            merchant_id=result.merchant_id,
            merchant_name=result.merchant_name,
            wallet_currency=result.wallet_currency,
            payment=PaymentOut.of(result.payment) if result.payment is not None else None,
            created_at=result.created_at,
            updated_at=result.updated_at,
            bill_number=result.bill_number,
            qr_merchant_name=result.qr_merchant_name,
            rate_date=result.rate_date,
        )


class QrFailedOut(ErrorOut):
    status: Literal["F"] = "F"
    request_id: str
    result: QrPaymentOut


class SettlementRunIn(ObjectIn):
    day: date | None = Field(None, description="the UTC day to settle (default: yesterday)")


class SettlementRunOut(Schema):
    id: int
    merchant_id: int
    merchant_name: str
    day: date
    gross: MoneyOut
    refunds: MoneyOut
    fees: MoneyOut
    carried_in: MoneyOut
    net: MoneyOut
    payout: MoneyOut
    carried_out: MoneyOut
    payments_count: int
    refunds_count: int
    created_at: datetime

    @classmethod
    def of(cls, run: SettlementRunInfo) -> SettlementRunOut:
        return cls(
            id=run.id,
            merchant_id=run.merchant_id,
            merchant_name=run.merchant_name,
            day=run.day,
            gross=_money(run.gross),
            refunds=_money(run.refunds),
            fees=_money(run.fees),
            carried_in=_money(run.carried_in),
            net=_money(run.net),
            payout=_money(run.payout),
            carried_out=_money(run.carried_out),
            payments_count=run.payments_count,
            refunds_count=run.refunds_count,
            created_at=run.created_at,
        )


class SettlementReportOut(Schema):
    day: date
    created: int
    existing: int
    runs: list[SettlementRunOut]

    @classmethod
    def of(cls, report: SettlementReport) -> SettlementReportOut:
        return cls(
            day=report.day,
            created=report.created,
            existing=report.existing,
            runs=[SettlementRunOut.of(r) for r in report.runs],
        )


class SettlementLineOut(Schema):
    kind: str = Field(description="payment or refund")
    reference: str
    payment_kind: str
    created_at: datetime
    amount: MoneyOut
    fee: MoneyOut
    paid: MoneyOut
    rate: str


class SettlementStatementOut(Schema):
    run: SettlementRunOut
    lines: list[SettlementLineOut]

    @classmethod
    def of(cls, statement: SettlementStatement) -> SettlementStatementOut:
        return cls(
            run=SettlementRunOut.of(statement.run),
            lines=[
                SettlementLineOut(
                    kind=line.kind,
                    reference=line.reference,
                    payment_kind=line.payment_kind,
                    created_at=line.created_at,
                    amount=_money(line.amount),
                    fee=_money(line.fee),
                    paid=_money(line.paid),
                    rate=line.rate,
                )
                for line in statement.lines
            ],
        )
