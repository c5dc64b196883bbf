from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from fiera.common.schemas import ErrorOut
from fiera.payments.emvco import ParsedPayload
from fiera.payments.selectors import (
    OutletDetail,
    OutletInfo,
    OutletQr,
    RateInfo,
    RolloutSummary,
    TerminalInfo,
)
from fiera.payments.services import ImportReport


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
    merchant_id: int
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
