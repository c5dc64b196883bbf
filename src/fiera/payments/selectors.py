"""Reads of the payments app: outlets (with their QR codes and rollout figures) and FX rates.

Other apps and the pages get frozen dataclasses, never models. Tenant rule: operators see
every outlet; a merchant's staff only their merchants' outlets (another company's outlet
id looks unknown: ``OutletNotFound``, 404); other account roles get 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import overload

from django.db.models import Count, Q, QuerySet

from fiera.common.errors import InvalidInput, NotFound
from fiera.common.money import is_currency
from fiera.common.reference import italian_municipality, italian_region
from fiera.merchants import selectors as merchant_selectors
from fiera.payments import emvco
from fiera.payments.models import FxRate, Outlet, OutletStatus, Terminal

OPERATOR_ROLE = "operator"
MERCHANT_ROLE = "merchant"
RATE_SIGNIFICANT_DIGITS = 10
"""Inverse and cross rates are rounded once, half-even, to this many significant digits."""
_RATE_CONTEXT = Context(prec=RATE_SIGNIFICANT_DIGITS, rounding=ROUND_HALF_EVEN)


class OutletNotFound(NotFound):
    code = "outlet_not_found"


class FxRateNotFound(NotFound):
    code = "fx_rate_not_found"


@dataclass(frozen=True, slots=True)
class OutletInfo:
    id: int
    merchant_id: int
    code: str
    name: str
    address: str
    postal_code: str
    municipality_code: str  # ISTAT
    municipality_name: str
    province: str  # two-letter sigla
    region_code: str  # ISO 3166-2:IT
    region_name: str
    mcc: str
    status: str
    status_label: str
    accepts_payments: bool
    opened_at: datetime | None
    status_changed_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TerminalInfo:
    id: int
    outlet_id: int
    terminal_id: str
    label: str
    active: bool


@dataclass(frozen=True, slots=True)
class OutletDetail:
    outlet: OutletInfo
    merchant_name: str
    terminals: tuple[TerminalInfo, ...]


@dataclass(frozen=True, slots=True)
class OutletQr:
    outlet_id: int
    payload: str
    svg: str
    mode: str  # "static" | "dynamic"
    amount_minor: int | None
    currency: str
    bill_number: str
    terminal_label: str


@dataclass(frozen=True, slots=True)
class RegionRollout:
    region_code: str
    region_name: str
    total: int
    by_status: dict[str, int]


@dataclass(frozen=True, slots=True)
class RolloutSummary:
    total: int
    by_status: dict[str, int]  # every status, zeros included, in lifecycle order
    regions: tuple[RegionRollout, ...]  # by region name


@dataclass(frozen=True, slots=True)
class RateLeg:
    quote: str
    date: date
    rate: Decimal  # EUR 1 = rate quote, exactly as published


@dataclass(frozen=True, slots=True)
class RateInfo:
    """1 ``base`` = ``rate`` ``quote``, from the ECB rates on or before ``on``.

    ``method``: "identity" (base == quote), "direct" (EUR -> quote, exact as published),
    "inverse" (quote EUR: 1 / rate) or "cross" (via EUR: quote leg / base leg); the last two
    are rounded once, half-even, to ``RATE_SIGNIFICANT_DIGITS`` significant digits.
    ``rate_date`` is the oldest ECB date used.
    """

    base: str
    quote: str
    rate: Decimal
    on: date
    rate_date: date
    method: str
    source: str
    legs: tuple[RateLeg, ...]


# --- outlets ----------------------------------------------------------------------------


def _municipality(istat_code: str) -> tuple[str, str]:
    """(name, province) of the municipality; blanks when it left the ISTAT list since
    (municipalities merge every year), so a stored outlet always reads."""
    try:
        found = italian_municipality(istat_code)
    except InvalidInput:
        return "", ""
    return found.name, found.province


def outlet_info(outlet: Outlet) -> OutletInfo:
    municipality_name, province = _municipality(outlet.municipality_code)
    return OutletInfo(
        id=outlet.pk,
        merchant_id=outlet.merchant_id,
        code=outlet.code,
        name=outlet.name,
        address=outlet.address,
        postal_code=outlet.postal_code,
        municipality_code=outlet.municipality_code,
        municipality_name=municipality_name,
        province=province,
        region_code=outlet.region_code,
        region_name=merchant_selectors.region_name(outlet.region_code),
        mcc=outlet.mcc,
        status=outlet.status,
        status_label=str(OutletStatus(outlet.status).label),
        accepts_payments=outlet.accepts_payments,
        opened_at=outlet.opened_at,
        status_changed_at=outlet.status_changed_at,
        created_at=outlet.created_at,
    )


def terminal_info(terminal: Terminal) -> TerminalInfo:
    return TerminalInfo(
        id=terminal.pk,
        outlet_id=terminal.outlet_id,
        terminal_id=terminal.terminal_id,
        label=terminal.label,
        active=terminal.active,
    )


def check_outlet_access(
    *, outlet: Outlet, actor_id: int | None, actor_role: str | None, roles: frozenset[str] | None
) -> None:
    """Authorize the actor on the outlet's merchant (operators and trusted callers always;
    staff with one of ``roles``, any role when None). Staff of another merchant get
    ``OutletNotFound`` (404), so ids of other companies' outlets reveal nothing."""
    try:
        merchant_selectors.authorize(
            merchant_id=outlet.merchant_id, actor_id=actor_id, actor_role=actor_role, roles=roles
        )
    except merchant_selectors.NotMerchantStaff:
        raise OutletNotFound(f"no outlet {outlet.pk}") from None


def _visible_outlets(*, actor_id: int | None, actor_role: str | None) -> QuerySet[Outlet]:
    qs = Outlet.objects.all()
    if actor_role is None or actor_role == OPERATOR_ROLE:
        return qs
    if actor_role != MERCHANT_ROLE or actor_id is None:
        raise merchant_selectors.NotAllowed("only operators and merchant staff may see outlets")
    return qs.filter(merchant_id__in=merchant_selectors.merchant_ids_for_user(user_id=actor_id))


def outlet_missing(*, outlet_id: int, actor_role: str | None) -> Exception:
    """The error for an outlet id that does not exist: 403 for account roles that may not
    see outlets at all (as for existing ones), else ``OutletNotFound`` (404)."""
    if actor_role not in (None, OPERATOR_ROLE, MERCHANT_ROLE):
        return merchant_selectors.NotAllowed("only operators and merchant staff may see outlets")
    return OutletNotFound(f"no outlet {outlet_id}")


def _outlet_for(*, outlet_id: int, actor_id: int | None, actor_role: str | None) -> Outlet:
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None:
        raise outlet_missing(outlet_id=outlet_id, actor_role=actor_role)
    check_outlet_access(outlet=outlet, actor_id=actor_id, actor_role=actor_role, roles=None)
    return outlet


class OutletListing(Sequence[OutletInfo]):
    """A lazy, sliceable list of outlets: ``len()`` counts in SQL, a slice fetches one page
    in one query. Made for ninja's ``@paginate`` and Django's ``Paginator``."""

    def __init__(self, queryset: QuerySet[Outlet]) -> None:
        self._queryset = queryset

    def __len__(self) -> int:
        return self._queryset.count()

    @overload
    def __getitem__(self, index: int) -> OutletInfo: ...

    @overload
    def __getitem__(self, index: slice) -> list[OutletInfo]: ...

    def __getitem__(self, index: int | slice) -> OutletInfo | list[OutletInfo]:
        if isinstance(index, slice):
            return [outlet_info(o) for o in self._queryset[index]]
        return outlet_info(self._queryset[index])


def _check_filters(region_code: str | None, status: str | None) -> None:
    if region_code:
        italian_region(region_code)
    if status and status not in OutletStatus.values:
        raise InvalidInput(f"status must be one of {', '.join(OutletStatus.values)}")


def outlet_list(
    *,
    actor_id: int | None = None,
    actor_role: str | None = None,
    merchant_id: int | None = None,
    region_code: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> OutletListing:
    """Outlets by merchant and code, filtered by merchant, region (ISO 3166-2:IT), status
    and a search in code or name. ``actor_role`` None is a trusted in-process caller."""
    _check_filters(region_code, status)
    qs = _visible_outlets(actor_id=actor_id, actor_role=actor_role).order_by("merchant_id", "code")
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    if region_code:
        qs = qs.filter(region_code=region_code)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return OutletListing(qs)


def outlet_get(
    *, outlet_id: int, actor_id: int | None = None, actor_role: str | None = None
) -> OutletDetail:
    """The outlet with its terminals and its merchant's name (three queries)."""
    outlet = _outlet_for(outlet_id=outlet_id, actor_id=actor_id, actor_role=actor_role)
    summaries = merchant_selectors.merchant_summaries(merchant_ids=[outlet.merchant_id])
    summary = summaries.get(outlet.merchant_id)
    terminals = Terminal.objects.filter(outlet_id=outlet.pk).order_by("terminal_id")
    return OutletDetail(
        outlet=outlet_info(outlet),
        merchant_name=summary.display_name if summary else "",
        terminals=tuple(terminal_info(t) for t in terminals),
    )


def outlet_codes(*, merchant_id: int) -> set[str]:
    """Every outlet code the merchant uses (one query; no authorization: callers check)."""
    return set(Outlet.objects.filter(merchant_id=merchant_id).values_list("code", flat=True))


def outlet_rollout(
    *, actor_id: int | None = None, actor_role: str | None = None, merchant_id: int | None = None
) -> RolloutSummary:
    """Outlet counts per status and per region and status, in one GROUP BY query."""
    qs = _visible_outlets(actor_id=actor_id, actor_role=actor_role)
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    rows = qs.order_by().values("region_code", "status").annotate(n=Count("id"))
    by_status = dict.fromkeys(OutletStatus.values, 0)
    regions: dict[str, dict[str, int]] = {}
    for row in rows:
        by_status[row["status"]] += row["n"]
        counts = regions.setdefault(row["region_code"], dict.fromkeys(OutletStatus.values, 0))
        counts[row["status"]] += row["n"]
    region_rows = [
        RegionRollout(
            region_code=code,
            region_name=merchant_selectors.region_name(code),
            total=sum(counts.values()),
            by_status=counts,
        )
        for code, counts in regions.items()
    ]
    region_rows.sort(key=lambda r: (r.region_name, r.region_code))
    return RolloutSummary(
        total=sum(by_status.values()), by_status=by_status, regions=tuple(region_rows)
    )


def outlet_qr(
    *,
    outlet_id: int,
    actor_id: int | None = None,
    actor_role: str | None = None,
    amount_minor: int | None = None,
    currency: str = "EUR",
    bill_number: str = "",
    terminal_id: str = "",
) -> OutletQr:
    """The outlet's EMVCo QR: static (the payer keys in the amount) or, with
    ``amount_minor`` (minor units of ``currency``), dynamic with an optional bill number.

    The account template 26 holds "it.fiera", the merchant id (01) and the outlet code
    (02). Name and city are made printable ASCII for tags 59/60 (``emvco.ans_text``);
    where that changed them, the Italian originals go in the language template (64). The
    terminal label (62/07) is ``terminal_id`` or the outlet's first active terminal.
    """
    detail = outlet_get(outlet_id=outlet_id, actor_id=actor_id, actor_role=actor_role)
    outlet = detail.outlet
    if terminal_id and terminal_id not in {t.terminal_id for t in detail.terminals}:
        raise InvalidInput(f"outlet {outlet.code} has no terminal {terminal_id!r}")
    label = terminal_id or next((t.terminal_id for t in detail.terminals if t.active), "")
    merchant_name = detail.merchant_name or outlet.name
    city = outlet.municipality_name or "Italia"
    ascii_name = emvco.ans_text(merchant_name, 25) or emvco.ans_text(outlet.code, 25)
    ascii_city = emvco.ans_text(city, 15) or "Italia"
    alternate = None
    if not (merchant_name.isascii() and city.isascii()):
        alternate = emvco.AlternateLanguage(
            language="it",
            merchant_name=merchant_name[:25].strip(),
            merchant_city=city[:15].strip(),
        )
    payload = emvco.build(
        merchant_name=ascii_name,
        merchant_city=ascii_city,
        country="IT",
        currency=currency,
        mcc=outlet.mcc,
        accounts=[emvco.fiera_account(merchant_id=outlet.merchant_id, outlet_code=outlet.code)],
        amount_minor=amount_minor,
        postal_code=outlet.postal_code,
        bill_number=bill_number if amount_minor is not None else "",
        terminal_label=label,
        alternate=alternate,
    )
    return OutletQr(
        outlet_id=outlet.id,
        payload=payload,
        svg=emvco.render_svg(payload, title=f"{outlet.name} ({outlet.code})"),
        mode="static" if amount_minor is None else "dynamic",
        amount_minor=amount_minor,
        currency=currency,
        bill_number=bill_number if amount_minor is not None else "",
        terminal_label=label,
    )


# --- FX rates ---------------------------------------------------------------------------


def rate_from_e9(rate_e9: int) -> Decimal:
    """The stored fixed point as the exact Decimal, without trailing zeros ("1.0956")."""
    text = f"{Decimal(rate_e9).scaleb(-9):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


def _leg(quote: str, on: date) -> RateLeg:
    row = (
        FxRate.objects.filter(quote=quote, date__lte=on)
        .order_by("-date")
        .values("date", "rate_e9")
        .first()
    )
    if row is None:
        raise FxRateNotFound(f"no ECB rate for {quote} on or before {on.isoformat()}")
    return RateLeg(quote=quote, date=row["date"], rate=rate_from_e9(row["rate_e9"]))


def _plain(value: Decimal) -> Decimal:
    """The same value written without an exponent (1.23E+4 -> 12300)."""
    return Decimal(f"{value:f}")


def fx_rate(*, base: str, quote: str, on: date) -> RateInfo:
    """How many ``quote`` one ``base`` buys by the ECB reference rates of ``on`` (or the
    latest published before it: no rates on weekends and TARGET holidays). Exact Decimal
    arithmetic, never float; at most two queries. Raises ``InvalidInput`` for unknown
    currencies and ``FxRateNotFound`` (404) when the ECB has no rate that early."""
    base, quote = base.strip().upper(), quote.strip().upper()
    for code in (base, quote):
        if not is_currency(code):
            raise InvalidInput(f"{code!r} is not an ISO 4217 currency code")
    if base == quote:
        return RateInfo(base, quote, Decimal(1), on, on, "identity", "ECB", ())
    if base == "EUR":
        leg = _leg(quote, on)
        return RateInfo(base, quote, leg.rate, on, leg.date, "direct", "ECB", (leg,))
    if quote == "EUR":
        leg = _leg(base, on)
        rate = _plain(_RATE_CONTEXT.divide(Decimal(1), leg.rate))
        return RateInfo(base, quote, rate, on, leg.date, "inverse", "ECB", (leg,))
    base_leg, quote_leg = _leg(base, on), _leg(quote, on)
    rate = _plain(_RATE_CONTEXT.divide(quote_leg.rate, base_leg.rate))
    return RateInfo(
        base,
        quote,
        rate,
        on,
        min(base_leg.date, quote_leg.date),
        "cross",
        "ECB",
        (base_leg, quote_leg),
    )
