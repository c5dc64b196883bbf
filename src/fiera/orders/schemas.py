"""API shapes of the orders app. Amounts are MoneyOut (minor units + ISO 4217 code)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from ninja import Field, Schema

from fiera.common.money import Money, currency_exponent
from fiera.common.schemas import MAX_ID, BodyId, MoneyOut, ObjectIn
from fiera.orders.carriers import tracking_url
from fiera.orders.models import MAX_LINE_QUANTITY, Order, OrderStatus
from fiera.orders.pricing import CheckoutQuote
from fiera.orders.selectors import CartView, order_escrow
from fiera.orders.services import CheckoutResult
from fiera.payments.selectors import EscrowInfo

SLUG = r"^[-a-zA-Z0-9_]+$"
COUNTRY = r"^[A-Za-z]{2}$"
TEXT = r"^[^\x00]*$"  # PostgreSQL text refuses NUL characters
# one line of text without control characters, optional / with something that is not space
LINE = r"^[^\x00-\x1f\x7f]*$"
FILLED_LINE = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
ORDER_NUMBER = r"^[A-Za-z0-9-]+$"
STATUS_PATTERN = r"^(placed|paid|shipped|delivered|cancelled|refunded)$"
StatusName = Literal["placed", "paid", "shipped", "delivered", "cancelled", "refunded"]


def _money(amount_minor: int, currency: str) -> MoneyOut:
    return MoneyOut.of(Money(amount_minor, currency))


# carts --------------------------------------------------------------------------------


class CartLineIn(Schema):
    variant_id: BodyId
    quantity: int = Field(..., strict=True, ge=1, le=MAX_LINE_QUANTITY)
    mode: Literal["set", "add"] = Field(
        "set", description='"set" replaces the quantity in the cart, "add" adds to it'
    )
    sample: bool = Field(
        False,
        strict=True,
        description="the variant's sample line (B2B: 1-2 units at the sample price, outside "
        "the MOQ; 422 sample_not_offered / sample_limit)",
    )


class CartLineOut(Schema):
    variant_id: int
    quantity: int
    sku: str
    label: str
    name: str
    merchant_id: int | None
    merchant_name: str
    min_order_quantity: int
    unit_price: MoneyOut | None
    line_total: MoneyOut | None
    units_available: int | None
    problem: str = Field(..., description='"" when the line can be checked out as it is')
    price_kind: str = Field("list", description='"list", "festival", "flash" or "sample"')
    list_unit_price: MoneyOut | None = Field(
        None, description="the list price a festival or flash-sale price replaces"
    )
    sample: bool = Field(False, description="a sample line (beside the variant's normal line)")


class CartOut(Schema):
    marketplace: str
    country: str
    currency: str
    lines: list[CartLineOut]
    subtotal: MoneyOut
    can_check_out: bool

    @classmethod
    def of(cls, cart: CartView) -> CartOut:
        currency = cart.currency
        return cls(
            marketplace=cart.marketplace.slug,
            country=cart.country,
            currency=currency,
            lines=[
                CartLineOut(
                    variant_id=line.variant_id,
                    quantity=line.quantity,
                    sku=line.sku,
                    label=line.label,
                    name=line.name_en,
                    merchant_id=line.merchant_id,
                    merchant_name=line.merchant_name,
                    min_order_quantity=line.min_order_quantity,
                    unit_price=None
                    if line.unit_price_minor is None
                    else _money(line.unit_price_minor, currency),
                    line_total=None
                    if line.line_total_minor is None
                    else _money(line.line_total_minor, currency),
                    units_available=line.units_available,
                    problem=line.problem,
                    price_kind=line.price_kind,
                    list_unit_price=None
                    if line.list_unit_price_minor is None
                    else _money(line.list_unit_price_minor, currency),
                    sample=line.is_sample,
                )
                for line in cart.lines
            ],
            subtotal=_money(cart.subtotal_minor, currency),
            can_check_out=cart.can_check_out,
        )


# checkout -----------------------------------------------------------------------------


class LineIn(Schema):
    variant_id: BodyId
    quantity: int = Field(..., strict=True, ge=1, le=MAX_LINE_QUANTITY)
    unit_price_minor: int | None = Field(
        None,
        strict=True,
        ge=1,
        le=MAX_ID,
        description="the unit price the buyer saw: a different current price is a 409",
    )
    flash_sale_id: BodyId | None = Field(
        None, description="buy in this flash sale (409 with the reason when it is not live)"
    )
    sample: bool = Field(
        False,
        strict=True,
        description="a sample line: 1-2 units at the variant's sample price, outside the MOQ "
        "(B2B listings; 422 sample_not_offered / sample_limit)",
    )


class AddressIn(Schema):
    name: str = Field(..., min_length=1, max_length=120, pattern=FILLED_LINE)
    line1: str = Field(..., min_length=1, max_length=200, pattern=FILLED_LINE)
    line2: str = Field("", max_length=200, pattern=LINE)
    city: str = Field(..., min_length=1, max_length=120, pattern=FILLED_LINE)
    postal_code: str = Field(..., min_length=1, max_length=20, pattern=FILLED_LINE)
    country: str = Field(..., pattern=COUNTRY, description="ISO 3166-1 alpha-2; the destination")
    phone: str = Field("", max_length=32, pattern=LINE)


class QuoteIn(Schema):
    marketplace: str = Field(..., max_length=40, pattern=SLUG)
    country: str = Field(..., pattern=COUNTRY, description="destination, ISO 3166-1 alpha-2")
    lines: list[LineIn] | None = Field(None, max_length=200)
    from_cart: bool = Field(False, description="quote the buyer's cart instead of `lines`")


class CheckoutIn(QuoteIn):
    shipping_address: AddressIn
    payment_method: str = Field(
        "cod",
        max_length=16,
        pattern=TEXT,
        description='"cod": cash on delivery; "wallet": the Fiera wallet now; "wallet_later": '
        'the Fiera wallet within a timeout (POST /orders/{number}/pay); "assurance" (B2B '
        "trade marketplaces only): trade assurance, held in escrow from the wallet until the "
        "buyer confirms receipt",
    )


class QuoteLineOut(Schema):
    variant_id: int
    sku: str
    label: str
    name: str
    quantity: int
    unit_price: MoneyOut
    line_total: MoneyOut
    tax: MoneyOut
    vat_rate: str | None
    consumption_tax_rate: str | None
    units_available: int | None
    price_kind: str = Field("list", description='"list", "festival", "flash" or "sample"')
    flash_sale_id: int | None = None


class QuoteGroupOut(Schema):
    merchant_id: int
    lines: list[QuoteLineOut]
    subtotal: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    incoterm: str = Field("", description="B2B: the order's Incoterm (its lines agree)")
    incoterm_place: str = ""
    payment_terms: str = ""
    lead_time_days: int | None = Field(None, description="B2B: the longest of its lines")


class CrossBorderOut(Schema):
    per_order_limit: MoneyOut
    annual_limit: MoneyOut
    annual_left: MoneyOut | None
    tax_share: str
    year: int


class QuoteOut(Schema):
    marketplace_id: int
    country: str
    currency: str
    orders: list[QuoteGroupOut]
    subtotal: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    cross_border: CrossBorderOut | None
    warnings: list[str]

    @classmethod
    def of(cls, quote: CheckoutQuote) -> QuoteOut:
        c = quote.currency
        terms = quote.cross_border
        left = terms.annual_left_minor if terms is not None else None
        return cls(
            marketplace_id=quote.marketplace_id,
            country=quote.country,
            currency=c,
            orders=[
                QuoteGroupOut(
                    merchant_id=group.merchant_id,
                    lines=[
                        QuoteLineOut(
                            variant_id=line.variant_id,
                            sku=line.sku,
                            label=line.label,
                            name=line.name_en,
                            quantity=line.quantity,
                            unit_price=_money(line.unit_price_minor, c),
                            line_total=_money(line.line_total_minor, c),
                            tax=_money(line.tax_minor, c),
                            price_kind=line.price_kind,
                            flash_sale_id=line.flash_sale_id,
                            vat_rate=None
                            if line.vat_rate is None
                            else str(line.vat_rate.normalize()),
                            consumption_tax_rate=None
                            if line.consumption_tax_rate is None
                            else str(line.consumption_tax_rate.normalize()),
                            units_available=line.units_available,
                        )
                        for line in group.lines
                    ],
                    subtotal=_money(group.subtotal_minor, c),
                    tax=_money(group.tax_minor, c),
                    total=_money(group.total_minor, c),
                    incoterm=group.incoterm,
                    incoterm_place=group.incoterm_place,
                    payment_terms=group.payment_terms,
                    lead_time_days=group.lead_time_days,
                )
                for group in quote.groups
            ],
            subtotal=_money(quote.subtotal_minor, c),
            tax=_money(quote.tax_minor, c),
            total=_money(quote.total_minor, c),
            cross_border=None
            if terms is None
            else CrossBorderOut(
                per_order_limit=_money(terms.per_order_limit_minor, c),
                annual_limit=_money(terms.annual_limit_minor, c),
                annual_left=None if left is None else _money(left, c),
                tax_share=str(terms.tax_share.normalize()),
                year=terms.year,
            ),
            warnings=list(quote.warnings),
        )


class PlacedLineOut(Schema):
    variant_id: int
    sku: str
    label: str
    name: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    tax_minor: int
    price_kind: str = Field("list", description='"list", "festival", "flash", "sample"...')


class PlacedOrderOut(Schema):
    number: str
    merchant_id: int
    status: StatusName
    lines: list[PlacedLineOut]
    subtotal: MoneyOut
    tax: MoneyOut
    total: MoneyOut


class CheckoutOut(Schema):
    """Answer of POST /checkout; a replayed Idempotency-Key gets the same body again."""

    checkout_id: int
    currency: str
    country: str
    payment_method: str
    placed_at: datetime
    payment_due_at: datetime | None = Field(
        None,
        description='"wallet_later": pay each order by then (POST /orders/{number}/pay), or it '
        "is cancelled; null for other methods",
    )
    subtotal: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    orders: list[PlacedOrderOut]

    @classmethod
    def of(cls, result: CheckoutResult) -> CheckoutOut:
        c = result.currency
        return cls(
            checkout_id=result.checkout_id,
            currency=c,
            country=result.country,
            payment_method=result.payment_method,
            placed_at=datetime.fromisoformat(result.placed_at),
            payment_due_at=(
                datetime.fromisoformat(result.payment_due_at) if result.payment_due_at else None
            ),
            subtotal=_money(result.subtotal_minor, c),
            tax=_money(result.tax_minor, c),
            total=_money(result.total_minor, c),
            orders=[
                PlacedOrderOut(
                    number=order.number,
                    merchant_id=order.merchant_id,
                    status=order.status,  # type: ignore[arg-type]
                    lines=[
                        PlacedLineOut(
                            variant_id=line.variant_id,
                            sku=line.sku,
                            label=line.label,
                            name=line.name_en,
                            quantity=line.quantity,
                            unit_price_minor=line.unit_price_minor,
                            line_total_minor=line.line_total_minor,
                            tax_minor=line.tax_minor,
                            price_kind=line.price_kind,
                        )
                        for line in order.lines
                    ],
                    subtotal=_money(order.subtotal_minor, c),
                    tax=_money(order.tax_minor, c),
                    total=_money(order.total_minor, c),
                )
                for order in result.orders
            ],
        )


_PROBE_DIGITS = "1234567"
_PROBE = re.compile(
    r"^(?P<prefix>\D*)1(?P<group>\D?)234(?P=group)567"
    r"(?:(?P<point>\D+)(?P<fraction>\d+))?(?P<suffix>\D*)$"
)
_CHECKS = (0, 1, 7, 99, 100, 999, 1_000, 9_999, 10_000, 123_456, 1_000_000, 98_765_432, 10**15 + 7)


@dataclass(frozen=True, slots=True)
class _MoneyShape:
    prefix: str
    group: str
    point: str
    suffix: str
    exponent: int

    def format(self, amount_minor: int) -> str:
        major, minor = divmod(amount_minor, 10**self.exponent)
        text = f"{major:,}".replace(",", self.group) if self.group else str(major)
        if self.exponent:
            text += f"{self.point}{minor:0{self.exponent}d}"
        return f"{self.prefix}{text}{self.suffix}"


@lru_cache(maxsize=512)
def _money_shape(currency: str, locale: str) -> _MoneyShape | None:
    """How ``Money.format`` writes non-negative amounts of ``currency`` in ``locale``,
    learnt once from Babel's own output for a probe amount and then checked against Babel
    on amounts from 0 to 10^15 (grouping, minimum grouping, padding). None when the shape
    is not a plain prefix + grouped digits + decimals + suffix: Babel formats every time."""
    exponent = currency_exponent(currency)
    fraction = "".join(str(n % 10) for n in range(1, exponent + 1))
    probe = Money(int(_PROBE_DIGITS + fraction), currency).format(locale)
    found = _PROBE.match(probe)
    if found is None or (found["fraction"] or "") != fraction:
        return None
    shape = _MoneyShape(
        prefix=found["prefix"],
        group=found["group"],
        point=found["point"] or "",
        suffix=found["suffix"],
        exponent=exponent,
    )
    for major in _CHECKS:
        for minor in {0, 10**exponent - 1, 10**exponent // 2}:
            amount = major * 10**exponent + minor
            if shape.format(amount) != Money(amount, currency).format(locale):
                return None
    return shape


def money_formatted(amount_minor: int, currency: str, locale: str = "en") -> str:
    """Exactly ``Money(amount_minor, currency).format(locale)`` (a test compares them on
    random amounts), about 20 times faster for the usual shapes: Babel's pattern
    machinery costs ~30 us per amount, and a checkout answer holds 3 + 3 per order."""
    if amount_minor >= 0 and type(amount_minor) is int:
        shape = _money_shape(currency, locale)
        if shape is not None:
            return shape.format(amount_minor)
    return Money(amount_minor, currency).format(locale)


def _money_json(amount_minor: int, currency: str) -> dict[str, Any]:
    """``MoneyOut`` as the JSON object it serializes to (locale "en", as ``MoneyOut.of``)."""
    return {
        "amount_minor": amount_minor,
        "currency": currency,
        "formatted": money_formatted(amount_minor, currency),
    }


_JSON_DATETIME = DjangoJSONEncoder()


def checkout_json(result: CheckoutResult) -> dict[str, Any]:
    """The body of POST /checkout as plain JSON values, built directly: exactly what
    ``CheckoutOut.of(result)`` serializes to (a test holds them equal), without building
    and validating some 10 + 3 x orders + lines pydantic models per request. The checkout
    is the hot path (docs/architecture.md); the schema stays declared for the OpenAPI document."""
    c = result.currency
    return {
        "checkout_id": result.checkout_id,
        "currency": c,
        "country": result.country,
        "payment_method": result.payment_method,
        "placed_at": _JSON_DATETIME.default(datetime.fromisoformat(result.placed_at)),
        "payment_due_at": (
            _JSON_DATETIME.default(datetime.fromisoformat(result.payment_due_at))
            if result.payment_due_at
            else None
        ),
        "subtotal": _money_json(result.subtotal_minor, c),
        "tax": _money_json(result.tax_minor, c),
        "total": _money_json(result.total_minor, c),
        "orders": [
            {
                "number": order.number,
                "merchant_id": order.merchant_id,
                "status": order.status,
                "lines": [
                    {
                        "variant_id": line.variant_id,
                        "sku": line.sku,
                        "label": line.label,
                        "name": line.name_en,
                        "quantity": line.quantity,
                        "unit_price_minor": line.unit_price_minor,
                        "line_total_minor": line.line_total_minor,
                        "tax_minor": line.tax_minor,
                        "price_kind": line.price_kind,
                    }
                    for line in order.lines
                ],
                "subtotal": _money_json(order.subtotal_minor, c),
                "tax": _money_json(order.tax_minor, c),
                "total": _money_json(order.total_minor, c),
            }
            for order in result.orders
        ],
    }


# orders -------------------------------------------------------------------------------


class OrderSummaryOut(Schema):
    number: str
    merchant_id: int
    buyer_id: int
    marketplace_id: int
    status: StatusName
    total: MoneyOut
    placed_at: datetime
    payment_due_at: datetime | None = Field(
        None, description="a placed order paid later: cancelled if not paid by then"
    )

    @staticmethod
    def resolve_total(obj: Order) -> MoneyOut:
        return _money(obj.total_minor, obj.currency)


class OrderLineOut(Schema):
    variant_id: int
    sku: str
    label: str
    name_en: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    tax_minor: int
    price_kind: str = Field(
        "list", description='"list", "festival", "flash", "contract" (a quote\'s) or "sample"'
    )


class ShipmentOut(Schema):
    carrier: str
    tracking_number: str
    tracking_url: str | None = Field(
        ..., description="the carrier's tracking page; null for a carrier Fiera does not know"
    )
    shipped_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, shipment: Any) -> ShipmentOut:
        return cls(
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            tracking_url=tracking_url(shipment.carrier, shipment.tracking_number),
            shipped_at=shipment.shipped_at,
            delivered_at=shipment.delivered_at,
        )


class OrderRefundOut(Schema):
    amount: MoneyOut
    reason: str
    created_at: datetime


class AddressOut(Schema):
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    phone: str


class OrderOut(Schema):
    number: str
    checkout_id: int
    merchant_id: int
    buyer_id: int
    marketplace_id: int
    status: StatusName
    currency: str
    payment_method: str
    subtotal: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    refunded: MoneyOut
    shipping_address: AddressOut
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]
    refunds: list[OrderRefundOut]
    placed_at: datetime
    paid_at: datetime | None
    payment_due_at: datetime | None = Field(
        ...,
        description='"wallet_later": pay by then (POST /orders/{number}/pay), or the order is '
        "cancelled",
    )
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    refunded_at: datetime | None
    incoterm: str = Field("", description="B2B: Incoterms 2020 code, blank when not set")
    incoterm_place: str = ""
    payment_terms: str = Field(
        "", description='B2B: "assurance" (paid into escrow) or "advance"; "" on storefront orders'
    )
    lead_time_days: int | None = None
    escrow: EscrowOut | None = Field(
        None,
        description="trade assurance: the payment held for the supplier (null when the order "
        "is not paid into escrow, or not paid yet)",
    )

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        c = order.currency
        held = order_escrow(order)
        return cls(
            number=order.number,
            checkout_id=order.checkout_id,
            merchant_id=order.merchant_id,
            buyer_id=order.buyer_id,
            marketplace_id=order.marketplace_id,
            status=order.status,  # type: ignore[arg-type]
            currency=c,
            payment_method=order.payment_method,
            subtotal=_money(order.subtotal_minor, c),
            tax=_money(order.tax_minor, c),
            total=_money(order.total_minor, c),
            refunded=_money(order.refunded_minor, c),
            shipping_address=AddressOut(
                name=order.ship_name,
                line1=order.ship_line1,
                line2=order.ship_line2,
                city=order.ship_city,
                postal_code=order.ship_postal_code,
                country=order.ship_country,
                phone=order.ship_phone,
            ),
            lines=[OrderLineOut.from_orm(line) for line in order.lines.all()],
            shipments=[ShipmentOut.of(s) for s in order.shipments.all()],
            refunds=[
                OrderRefundOut(
                    amount=_money(r.amount_minor, r.currency),
                    reason=r.reason,
                    created_at=r.created_at,
                )
                for r in order.refunds.all()
            ],
            placed_at=order.placed_at,
            paid_at=order.paid_at,
            payment_due_at=order.payment_due_at,
            shipped_at=order.shipped_at,
            delivered_at=order.delivered_at,
            cancelled_at=order.cancelled_at,
            refunded_at=order.refunded_at,
            incoterm=order.incoterm,
            incoterm_place=order.incoterm_place,
            payment_terms=order.payment_terms,
            lead_time_days=order.lead_time_days,
            escrow=EscrowOut.of(held) if held is not None else None,
        )


# --- trade assurance ---


class EscrowOut(Schema):
    status: Literal["held", "released", "refunded", "expired"] = Field(
        description="held for the supplier; released to it (receipt confirmed, the release "
        "day passed, or a dispute rejected); refunded to the buyer (cancelled, refunded, or a "
        "dispute upheld)"
    )
    amount: MoneyOut
    held_at: datetime
    resolved_at: datetime | None

    @classmethod
    def of(cls, info: EscrowInfo) -> EscrowOut:
        return cls(
            status=info.status,  # type: ignore[arg-type]
            amount=MoneyOut.of(info.amount),
            held_at=info.created_at,
            resolved_at=info.resolved_at,
        )


OrderOut.model_rebuild()


class CancelIn(ObjectIn):
    reason: str = Field("", max_length=300, pattern=TEXT)


class ShipmentIn(Schema):
    carrier: str = Field(..., min_length=1, max_length=60, pattern=FILLED_LINE)
    tracking_number: str = Field(..., min_length=1, max_length=60, pattern=FILLED_LINE)


class OrderRefundIn(Schema):
    amount_minor: int = Field(
        ..., strict=True, ge=1, le=MAX_ID, description="minor units of the order currency"
    )
    reason: str = Field("", max_length=300, pattern=TEXT)


assert set(StatusName.__args__) == set(OrderStatus.values)  # type: ignore[attr-defined]


# address book -------------------------------------------------------------------------


class SavedAddressIn(AddressIn):
    country: str = Field(..., pattern=COUNTRY, description="ISO 3166-1 alpha-2")
    is_default: bool = Field(False, strict=True, description="make it the default address")


class SavedAddressOut(Schema):
    id: int
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    phone: str
    is_default: bool
    created_at: datetime
    updated_at: datetime
