"""Reads of the payments app: outlets (with their QR codes and rollout figures), FX rates,
wallets with their ledger balances and statements, payments, QR payments, settlement runs
and trade-assurance holds.

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

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy, gettext_noop

from fiera.accounts.roles import MERCHANT as MERCHANT_ROLE
from fiera.accounts.roles import OPERATOR as OPERATOR_ROLE
from fiera.accounts.roles import SYSTEM
from fiera.common.errors import InvalidInput, NotFound, PermissionDenied
from fiera.common.money import Money, is_currency
from fiera.common.reference import italian_municipality, italian_region
from fiera.ledger import selectors as ledger_selectors
from fiera.ledger.domain import Statement as LedgerStatement
from fiera.ledger.domain import StatementLine
from fiera.merchants import selectors as merchant_selectors
from fiera.payments import emvco, fxmath
from fiera.payments.models import (
    Escrow,
    EscrowStatus,
    FxQuote,
    FxRate,
    Outlet,
    OutletStatus,
    Payment,
    PaymentKind,
    PaymentRefund,
    QrPayment,
    SettlementRun,
    Terminal,
    TopUp,
    Wallet,
)

RATE_SIGNIFICANT_DIGITS = 10
"""Inverse and cross rates are rounded once, half-even, to this many significant digits."""
_RATE_CONTEXT = Context(prec=RATE_SIGNIFICANT_DIGITS, rounding=ROUND_HALF_EVEN)


class OutletNotFound(NotFound):
    code = "outlet_not_found"
    message_template = gettext_lazy("This point of sale does not exist.")


class FxRateNotFound(NotFound):
    code = "fx_rate_not_found"
    message_template = gettext_lazy("There is no exchange rate for these currencies yet.")


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
    *, outlet: Outlet, actor_id: int | None, actor_role: str, roles: frozenset[str] | None
) -> None:
    """Authorize the actor on the outlet's merchant (operators and ``SYSTEM`` always;
    staff with one of ``roles``, any role when None). Staff of another merchant get
    ``OutletNotFound`` (404), so ids of other companies' outlets reveal nothing."""
    try:
        merchant_selectors.authorize(
            merchant_id=outlet.merchant_id, actor_id=actor_id, actor_role=actor_role, roles=roles
        )
    except merchant_selectors.NotMerchantStaff:
        raise OutletNotFound(f"no outlet {outlet.pk}") from None


def _visible_outlets(*, actor_id: int | None, actor_role: str) -> QuerySet[Outlet]:
    qs = Outlet.objects.all()
    if actor_role in (OPERATOR_ROLE, SYSTEM):
        return qs
    if actor_role != MERCHANT_ROLE or actor_id is None:
        raise merchant_selectors.NotAllowed("only operators and merchant staff may see outlets")
    return qs.filter(merchant_id__in=merchant_selectors.merchant_ids_for_user(user_id=actor_id))


def outlet_missing(*, outlet_id: int, actor_role: str) -> Exception:
    """The error for an outlet id that does not exist: 403 for account roles that may not
    see outlets at all (as for existing ones), else ``OutletNotFound`` (404)."""
    if actor_role not in (SYSTEM, OPERATOR_ROLE, MERCHANT_ROLE):
        return merchant_selectors.NotAllowed("only operators and merchant staff may see outlets")
    return OutletNotFound(f"no outlet {outlet_id}")


def _outlet_for(*, outlet_id: int, actor_id: int | None, actor_role: str) -> Outlet:
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
    actor_role: str,
    merchant_id: int | None = None,
    region_code: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> OutletListing:
    """Outlets by merchant and code, filtered by merchant, region (ISO 3166-2:IT), status
    and a search in code or name. In-process callers pass ``actor_role=SYSTEM``."""
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


def outlet_get(*, outlet_id: int, actor_id: int | None = None, actor_role: str) -> OutletDetail:
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
    *, actor_id: int | None = None, actor_role: str, merchant_id: int | None = None
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
    actor_role: str,
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
            raise InvalidInput(
                f"{code!r} is not an ISO 4217 currency code",
                message=gettext_lazy("%(value)s is not a currency code (such as EUR or CNY)."),
                value=str(code),
            )
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


# --- wallets, payments, settlement --------------------------------------------------------
#
# Balances and statements come from the ledger (``fiera.ledger.selectors``); the rows here
# say why money moved. A wallet is seen by its owner and by operators; for anyone else
# it does not exist (404).

STATEMENT_LABELS: dict[str, str] = {
    "topup": gettext_noop("Top-up"),
    "payment": gettext_noop("Payment"),
    "fx_sell": gettext_noop("Payment (converted at the reference rate)"),
    "fx_spread": gettext_noop("FX mark-up"),
    "fx_buy": gettext_noop("Conversion received"),
    "refund": gettext_noop("Refund"),
    "refund_fx_sell": gettext_noop("Refund (at the original rate)"),
    "refund_fx_spread": gettext_noop("FX mark-up refunded"),
    "refund_fx_buy": gettext_noop("Refund (converted)"),
    "escrow_hold": gettext_noop("Trade assurance hold"),
    "reversal": gettext_noop("Reversal"),
}


class WalletNotFound(NotFound):
    code = "wallet_not_found"
    message_template = gettext_lazy("This wallet does not exist.")


class QrPaymentNotFound(NotFound):
    code = "qr_payment_not_found"
    message_template = gettext_lazy("This QR payment does not exist.")


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    message_template = gettext_lazy("This payment does not exist.")


class SettlementRunNotFound(NotFound):
    code = "settlement_run_not_found"
    message_template = gettext_lazy("This settlement run does not exist.")


class SettlementOperatorsOnly(PermissionDenied):
    code = "settlement_operators_only"
    message_template = gettext_lazy("Only a Fiera operator can see settlement.")


class EscrowNotFound(NotFound):
    code = "escrow_not_found"
    message_template = gettext_lazy("This held payment does not exist.")


@dataclass(frozen=True, slots=True)
class WalletInfo:
    """A wallet with its ledger balance (posted, pending and available; see
    ``fiera.ledger.domain.Balance``), in minor units of ``currency``."""

    id: int
    user_id: int
    currency: str
    account_id: int
    posted: Money
    pending: Money
    available: Money
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StatementOrder:
    """An order a wallet payment paid (or a refund gave back part of)."""

    number: str
    merchant_id: int
    shop: str
    paid: Money  # what the wallet gave for it
    credit: Money  # what the merchant was credited (the settlement currency)


@dataclass(frozen=True, slots=True)
class WalletStatementLine:
    """One event of a wallet as its owner sees it: the ledger transfers it groups
    (``transfer_ids``; ``transfer_id``, ``code`` and ``reference`` are the first one's)."""

    transfer_id: str
    created_at: datetime
    code: str
    label: str
    kind: str  # single, pending, post, void, expiry (the ledger's)
    direction: str  # "credit" (money in) or "debit" (money out)
    amount: Money  # signed: + in, - out; the sum of the grouped transfers
    balance_after: Money  # posted balance right after it
    reference: str
    event: str = "other"  # payment, qr_payment, refund, top_up, conversion, other
    transfer_ids: tuple[str, ...] = ()
    payment_reference: str = ""  # the payment's (charge) reference: its detail page
    orders: tuple[StatementOrder, ...] = ()
    shops: tuple[str, ...] = ()
    outlet_name: str = ""  # a QR payment's point of sale
    qr_request_id: str = ""  # a QR payment's request id: its result page


@dataclass(frozen=True, slots=True)
class WalletStatement:
    wallet: WalletInfo
    count: int
    limit: int
    offset: int
    lines: tuple[WalletStatementLine, ...]


@dataclass(frozen=True, slots=True)
class TopUpInfo:
    request_id: str
    status: str  # pending, succeeded, failed
    amount: Money
    funding_reference: str
    gateway_reference: str
    error_code: str
    error_detail: str
    transfer_id: str | None
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class FxQuoteInfo:
    quote_id: str
    sell: Money  # the payer gives
    buy: Money  # the payee gets
    mid_sell: Money  # converted at the reference rate
    spread: Money  # the mark-up, in the sell currency
    fixed_side: str
    rate_base: str
    rate_quote: str
    rate: Decimal  # ECB: 1 rate_base = rate rate_quote
    rate_date: date
    markup_bp: int
    client_rate: Decimal  # sell major units per buy major unit, mark-up included
    created_at: datetime
    expires_at: datetime
    executed_at: datetime | None


@dataclass(frozen=True, slots=True)
class PaymentInfo:
    payment_id: str
    kind: str
    reference: str
    charge_reference: str
    payer_id: int
    merchant_id: int
    outlet_id: int | None
    paid: Money
    credit: Money
    rate: str  # "" when no FX
    rate_base: str
    rate_quote: str
    markup_bp: int
    spread: Money
    fee_bp: int
    fee: Money
    refunded_paid: Money
    refunded_credit: Money
    settlement_run_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RefundInfo:
    reference: str
    payment_reference: str
    merchant_id: int
    paid: Money  # back to the wallet
    credit: Money  # out of the merchant's payable
    spread: Money  # of ``paid``, from fees
    created_at: datetime
    payment: PaymentInfo


@dataclass(frozen=True, slots=True)
class QrPaymentResult:
    """Alipay+-style answer: ``status`` S (paid), F (failed: ``result_code`` says why; no
    money moved) or U (unknown: query it with the same request id)."""

    status: str
    request_id: str
    result_code: str
    detail: str
    amount: Money  # what the merchant is paid (the QR's currency)
    outlet_id: int
    outlet_name: str
    merchant_id: int
    merchant_name: str
    wallet_currency: str
    payment: PaymentInfo | None
    created_at: datetime
    updated_at: datetime
    bill_number: str = ""  # the QR's bill number (tag 62, sub-tag 01)
    qr_merchant_name: str = ""  # the name the QR code shows (tag 59)
    rate_date: date | None = None  # the day of the reference rate, when FX was used


@dataclass(frozen=True, slots=True)
class SettlementRunInfo:
    id: int
    merchant_id: int
    merchant_name: str
    day: date
    gross: Money
    refunds: Money
    fees: Money
    carried_in: Money
    net: Money
    payout: Money
    carried_out: Money
    payments_count: int
    refunds_count: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SettlementLine:
    kind: str  # "payment" or "refund"
    reference: str
    payment_kind: str
    created_at: datetime
    amount: Money  # + payments, - refunds (settlement currency)
    fee: Money
    paid: Money  # what the payer gave or got back (its wallet currency)
    rate: str

    @property
    def payment_kind_label(self) -> str:
        """What the payment was, in the reader's language ("Trade assurance" for "escrow")."""
        return str(PaymentKind(self.payment_kind).label)


@dataclass(frozen=True, slots=True)
class SettlementStatement:
    run: SettlementRunInfo
    lines: tuple[SettlementLine, ...]


@dataclass(frozen=True, slots=True)
class EscrowInfo:
    reference: str
    buyer_id: int
    merchant_id: int
    amount: Money
    status: str  # held, released, refunded, expired
    expires_at: datetime | None
    created_at: datetime
    resolved_at: datetime | None
    payment: PaymentInfo | None


def _can_read_wallets(*, owner_id: int, actor_id: int | None, actor_role: str) -> bool:
    return actor_role in (OPERATOR_ROLE, SYSTEM) or (actor_id is not None and actor_id == owner_id)


def wallet_info(wallet: Wallet) -> WalletInfo:
    balance = ledger_selectors.account_balance(account_id=wallet.ledger_account_id)
    return WalletInfo(
        id=wallet.pk,
        user_id=wallet.user_id,
        currency=wallet.currency,
        account_id=wallet.ledger_account_id,
        posted=balance.posted,
        pending=balance.pending,
        available=balance.available,
        created_at=wallet.created_at,
    )


def wallet_list(*, owner_id: int, actor_id: int | None = None, actor_role: str) -> list[WalletInfo]:
    """The owner's wallets by currency, with balances (1 + one ledger read per wallet).
    Another user's wallets are unknown (``WalletNotFound``, 404) to all but operators."""
    if not _can_read_wallets(owner_id=owner_id, actor_id=actor_id, actor_role=actor_role):
        raise WalletNotFound(f"no wallets of user {owner_id}")
    return [wallet_info(w) for w in Wallet.objects.filter(user_id=owner_id).order_by("currency")]


def _wallet_for(*, owner_id: int, currency: str, actor_id: int | None, actor_role: str) -> Wallet:
    code = currency.strip().upper() if isinstance(currency, str) else ""
    wallet = None
    if _can_read_wallets(owner_id=owner_id, actor_id=actor_id, actor_role=actor_role):
        wallet = Wallet.objects.filter(user_id=owner_id, currency=code).first()
    if wallet is None:
        raise WalletNotFound(f"no {code or currency} wallet")
    return wallet


def wallet_get(
    *, owner_id: int, currency: str, actor_id: int | None = None, actor_role: str
) -> WalletInfo:
    """The owner's wallet in ``currency`` with its balance; ``WalletNotFound`` (404) when
    there is none or the actor is neither its owner nor an operator."""
    return wallet_info(
        _wallet_for(owner_id=owner_id, currency=currency, actor_id=actor_id, actor_role=actor_role)
    )


def wallet_statement(
    *,
    owner_id: int,
    currency: str,
    limit: int = 20,
    offset: int = 0,
    actor_id: int | None = None,
    actor_role: str,
) -> WalletStatement:
    """The wallet's statement, newest first, ``limit`` (1-200) lines from ``offset``: one
    line per event the buyer sees (a payment of a checkout's total, a QR payment, a
    refund, a top-up, a conversion), each grouping the ledger transfers of that event
    (the conversion and mark-up legs of a payment are one line), with the shops and
    orders it was for and the posted balance after it.

    Reads the ledger statement from its newest line in windows of 200 transfers until the
    page is complete (the ledger's own cost, O(offset + limit)), plus one query for the
    payments behind a window, one for the page's payments, one for the shops, one for the
    outlets and three small counts; never a query per line."""
    wallet = _wallet_for(
        owner_id=owner_id, currency=currency, actor_id=actor_id, actor_role=actor_role
    )
    limit = min(max(limit, 1), 200)
    offset = min(max(offset, 0), ledger_selectors.MAX_STATEMENT_WINDOW)
    groups, statement = _statement_groups(wallet, want=offset + limit)
    account = statement.account
    balance = account.balance()
    info = WalletInfo(
        id=wallet.pk,
        user_id=wallet.user_id,
        currency=wallet.currency,
        account_id=account.id,
        posted=balance.posted,
        pending=balance.pending,
        available=balance.available,
        created_at=wallet.created_at,
    )
    return WalletStatement(
        wallet=info,
        count=max(statement.count - _merged_transfers(wallet), 0),
        limit=limit,
        offset=offset,
        lines=_statement_lines(wallet, groups[offset : offset + limit]),
    )


_STATEMENT_WINDOW = 200
_PAY_CODES = frozenset({"payment", "fx_sell", "fx_spread"})
_REFUND_CODES = frozenset({"refund", "refund_fx_sell", "refund_fx_spread"})
_REFUND_PREFIX = "refund of "

EVENT_LABELS: dict[str, str] = {
    "payment": gettext_noop("Payment"),
    "qr_payment": gettext_noop("QR payment"),
    "refund": gettext_noop("Refund"),
    "top_up": gettext_noop("Top-up"),
    "conversion": gettext_noop("Currency conversion"),
}


def _group_key(line: StatementLine, charge_of: dict[str, str]) -> tuple[object, ...]:
    """Transfers with the same key, one after the other, are one event: the legs of one
    payment (its charge: several orders of a checkout, conversion and mark-up), the legs
    of one refund; anything else is an event of its own."""
    transfer = line.transfer
    if transfer.kind == "single" and transfer.code in _PAY_CODES:
        return ("pay", charge_of.get(transfer.reference, transfer.reference))
    if transfer.kind == "single" and transfer.code in _REFUND_CODES:
        return ("refund", transfer.reference, transfer.created_at)
    return ("one", transfer.id)


def _statement_groups(
    wallet: Wallet, *, want: int
) -> tuple[list[list[StatementLine]], LedgerStatement]:
    """At least ``want`` + 1 complete groups of the wallet's ledger lines, newest first
    (fewer when the statement ends first)."""
    groups: list[list[StatementLine]] = []
    keys: list[tuple[object, ...]] = []
    read = 0
    while True:
        statement = ledger_selectors.account_statement(
            account_id=wallet.ledger_account_id,
            limit=_STATEMENT_WINDOW,
            offset=read,
            actor_role=SYSTEM,
        )
        single_refs = {
            line.transfer.reference
            for line in statement.lines
            if line.transfer.code == "payment" and line.transfer.kind == "single"
        }
        charge_of = dict(
            Payment.objects.filter(wallet_id=wallet.pk, reference__in=single_refs).values_list(
                "reference", "charge_reference"
            )
            if single_refs
            else ()
        )
        for line in statement.lines:
            key = _group_key(line, charge_of)
            codes = {member.transfer.code for member in groups[-1]} if groups else set()
            if (
                keys
                and keys[-1] == key
                and (line.transfer.code == "payment" or line.transfer.code not in codes)
            ):
                groups[-1].append(line)
            else:
                groups.append([line])
                keys.append(key)
        read += len(statement.lines)
        if (
            len(groups) > want
            or not statement.lines
            or read >= statement.count
            or read + _STATEMENT_WINDOW > ledger_selectors.MAX_STATEMENT_WINDOW
        ):
            return groups, statement


def _merged_transfers(wallet: Wallet) -> int:
    """How many of the wallet's transfers join an earlier one's line (three counts)."""
    payments = Payment.objects.filter(wallet_id=wallet.pk)
    parts = payments.filter(kind=PaymentKind.CHECKOUT, rate="").aggregate(
        payments=Count("id"), charges=Count("charge_reference", distinct=True)
    )
    marked_up = (
        payments.filter(kind__in=(PaymentKind.CHECKOUT, PaymentKind.QR), spread_minor__gt=0)
        .values("charge_reference")
        .distinct()
        .count()
    )
    refunds = PaymentRefund.objects.filter(
        payment__wallet_id=wallet.pk, spread_minor__gt=0, paid_minor__gt=F("spread_minor")
    ).count()
    conversions = FxQuote.objects.filter(
        user_id=wallet.user_id,
        sell_currency=wallet.currency,
        purpose="convert",
        executed_at__isnull=False,
        spread_minor__gt=0,
    ).count()
    return (parts["payments"] or 0) - (parts["charges"] or 0) + marked_up + refunds + conversions


def _statement_lines(
    wallet: Wallet, groups: Sequence[list[StatementLine]]
) -> tuple[WalletStatementLine, ...]:
    pay_refs = {
        line.transfer.reference
        for group in groups
        for line in group
        if line.transfer.code in _PAY_CODES
    } | {
        group[0].transfer.reference.removeprefix(_REFUND_PREFIX)
        for group in groups
        if group[0].transfer.code in _REFUND_CODES
    }
    rows = (
        list(
            Payment.objects.filter(wallet_id=wallet.pk).filter(
                Q(reference__in=pay_refs) | Q(charge_reference__in=pay_refs)
            )
        )
        if pay_refs
        else []
    )
    by_charge: dict[str, list[Payment]] = {}
    by_reference: dict[str, Payment] = {}
    for row in sorted(rows, key=lambda p: p.pk):
        by_charge.setdefault(row.charge_reference, []).append(row)
        by_reference[row.reference] = row
    shops = _shop_names({row.merchant_id for row in rows})
    outlets = _outlet_names({row.outlet_id for row in rows if row.outlet_id})
    lines = []
    for group in groups:
        first, last = group[-1], group[0]  # oldest leg, newest leg
        transfer = first.transfer
        amount_minor = sum(
            (1 if line.direction == "credit" else -1) * line.transfer.amount_minor for line in group
        )
        event, label = "other", STATEMENT_LABELS.get(transfer.code, transfer.code.replace("_", " "))
        charge: list[Payment] = []
        if transfer.kind == "single" and transfer.code in _PAY_CODES:
            payment = by_reference.get(transfer.reference)
            charge_reference = payment.charge_reference if payment else transfer.reference
            charge = by_charge.get(charge_reference, [])
            if charge:
                event = "qr_payment" if charge[0].kind == PaymentKind.QR else "payment"
            elif transfer.code != "payment":
                event = "conversion"
        elif transfer.kind == "single" and transfer.code in _REFUND_CODES:
            payment = by_reference.get(transfer.reference.removeprefix(_REFUND_PREFIX))
            charge = [payment] if payment is not None else []
            event = "refund"
        elif transfer.code == "topup":
            event = "top_up"
        label = EVENT_LABELS.get(event, label)
        qr = charge[0] if charge and charge[0].kind == PaymentKind.QR else None
        lines.append(
            WalletStatementLine(
                transfer_id=str(transfer.id),
                created_at=transfer.created_at,
                code=transfer.code,
                label=label,
                kind=transfer.kind,
                direction=first.direction
                if len(group) == 1
                else ("credit" if amount_minor > 0 else "debit"),
                amount=Money(amount_minor, transfer.currency),
                balance_after=last.posted_balance_after,
                reference=transfer.reference,
                event=event,
                transfer_ids=tuple(str(line.transfer.id) for line in reversed(group)),
                payment_reference=charge[0].charge_reference if charge else "",
                orders=tuple(
                    _statement_order(p, shops) for p in charge if p.kind != PaymentKind.QR
                ),
                shops=tuple(dict.fromkeys(shops.get(p.merchant_id, "") for p in charge)),
                outlet_name=outlets.get(qr.outlet_id or 0, "") if qr is not None else "",
                qr_request_id=_qr_request_id(qr.reference) if qr is not None else "",
            )
        )
    return tuple(lines)


def _shop_names(merchant_ids: set[int]) -> dict[int, str]:
    summaries = merchant_selectors.merchant_summaries(merchant_ids=merchant_ids)
    return {mid: summary.display_name for mid, summary in summaries.items()}


def _outlet_names(outlet_ids: set[int]) -> dict[int, str]:
    if not outlet_ids:
        return {}
    return dict(Outlet.objects.filter(pk__in=outlet_ids).values_list("pk", "name"))


def _qr_request_id(reference: str) -> str:
    """The payer's request id in a QR payment's reference ("qr:<user id>:<request id>")."""
    parts = reference.split(":", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "qr" else ""


def _statement_order(payment: Payment, shops: dict[int, str]) -> StatementOrder:
    return StatementOrder(
        number=payment.reference.removeprefix("escrow:"),
        merchant_id=payment.merchant_id,
        shop=shops.get(payment.merchant_id, ""),
        paid=Money(payment.paid_minor, payment.paid_currency),
        credit=Money(payment.credit_minor, payment.credit_currency),
    )


def top_up_info(top_up: TopUp) -> TopUpInfo:
    return TopUpInfo(
        request_id=top_up.request_id,
        status=top_up.status,
        amount=Money(top_up.amount_minor, top_up.currency),
        funding_reference=top_up.funding_reference,
        gateway_reference=top_up.gateway_reference,
        error_code=top_up.error_code,
        error_detail=top_up.error_detail,
        transfer_id=str(top_up.transfer_id) if top_up.transfer_id else None,
        created_at=top_up.created_at,
        completed_at=top_up.completed_at,
    )


def fx_quote_info(quote: FxQuote) -> FxQuoteInfo:
    sell = Money(quote.sell_amount_minor, quote.sell_currency)
    buy = Money(quote.buy_amount_minor, quote.buy_currency)
    return FxQuoteInfo(
        quote_id=str(quote.quote_id),
        sell=sell,
        buy=buy,
        mid_sell=Money(quote.mid_sell_minor, quote.sell_currency),
        spread=Money(quote.spread_minor, quote.sell_currency),
        fixed_side=quote.fixed_side,
        rate_base=quote.rate_base,
        rate_quote=quote.rate_quote,
        rate=Decimal(quote.rate),
        rate_date=quote.rate_date,
        markup_bp=quote.markup_bp,
        client_rate=fxmath.client_rate(sell=sell, buy=buy),
        created_at=quote.created_at,
        expires_at=quote.expires_at,
        executed_at=quote.executed_at,
    )


def payment_info(payment: Payment) -> PaymentInfo:
    return PaymentInfo(
        payment_id=str(payment.payment_id),
        kind=payment.kind,
        reference=payment.reference,
        charge_reference=payment.charge_reference,
        payer_id=payment.payer_id,
        merchant_id=payment.merchant_id,
        outlet_id=payment.outlet_id,
        paid=Money(payment.paid_minor, payment.paid_currency),
        credit=Money(payment.credit_minor, payment.credit_currency),
        rate=payment.rate,
        rate_base=payment.rate_base,
        rate_quote=payment.rate_quote,
        markup_bp=payment.markup_bp,
        spread=Money(payment.spread_minor, payment.paid_currency),
        fee_bp=payment.fee_bp,
        fee=Money(payment.fee_minor, payment.credit_currency),
        refunded_paid=Money(payment.refunded_paid_minor, payment.paid_currency),
        refunded_credit=Money(payment.refunded_credit_minor, payment.credit_currency),
        settlement_run_id=payment.settlement_run_id,
        created_at=payment.created_at,
    )


def refund_info(refund: PaymentRefund, payment: Payment) -> RefundInfo:
    return RefundInfo(
        reference=refund.reference,
        payment_reference=payment.reference,
        merchant_id=refund.merchant_id,
        paid=Money(refund.paid_minor, payment.paid_currency),
        credit=Money(refund.credit_minor, payment.credit_currency),
        spread=Money(refund.spread_minor, payment.paid_currency),
        created_at=refund.created_at,
        payment=payment_info(payment),
    )


def payment_get(*, reference: str, actor_id: int | None = None, actor_role: str) -> PaymentInfo:
    """A payment by its reference: its payer, its merchant's staff and operators see it;
    for anyone else it does not exist (404)."""
    payment = Payment.objects.filter(reference=reference).first()
    if payment is None or not _can_see_payment(payment, actor_id, actor_role):
        raise PaymentNotFound(f"no payment {reference!r}")
    return payment_info(payment)


@dataclass(frozen=True, slots=True)
class WalletPaymentDetail:
    """One payment from a wallet as its payer sees it: the total paid (every order of a
    checkout, or one QR payment) and its conversion into the merchants' currency."""

    reference: str  # the charge reference (the checkout's, or the QR payment's)
    kind: str  # checkout, qr, escrow
    payer_id: int
    created_at: datetime
    paid: Money  # what left the wallet
    credit: Money  # what the merchants were credited
    mid_paid: Money  # the part of ``paid`` converted at the reference rate
    spread: Money  # the FX mark-up, in the wallet's currency
    markup_bp: int
    rate: str  # "" when no FX: 1 ``rate_base`` = ``rate`` ``rate_quote`` (ECB)
    rate_base: str
    rate_quote: str
    rate_date: date | None
    refunded_paid: Money
    orders: tuple[StatementOrder, ...]
    shops: tuple[str, ...]
    outlet_name: str
    qr_request_id: str
    bill_number: str
    payments: tuple[PaymentInfo, ...]


def wallet_payment_get(
    *, reference: str, actor_id: int | None = None, actor_role: str
) -> WalletPaymentDetail:
    """A wallet payment by its charge reference (a checkout's "checkout:<id>", a QR
    payment's "qr:<user>:<request id>"), with its orders, shops and conversion. Its payer
    and operators see it; for anyone else it does not exist (``PaymentNotFound``, 404).
    At most five queries."""
    rows = (
        list(Payment.objects.filter(charge_reference=reference).order_by("id"))
        if isinstance(reference, str) and reference
        else []
    )
    if not rows or not (
        actor_role in (OPERATOR_ROLE, SYSTEM)
        or (actor_id is not None and rows[0].payer_id == actor_id)
    ):
        raise PaymentNotFound(f"no payment {reference!r}")
    first = rows[0]
    shops = _shop_names({row.merchant_id for row in rows})
    outlets = _outlet_names({row.outlet_id for row in rows if row.outlet_id})
    bill_number = ""
    if first.kind == PaymentKind.QR:
        payload = (
            QrPayment.objects.filter(user_id=first.payer_id, payment_id=first.pk)
            .values_list("payload", flat=True)
            .first()
        )
        bill_number = _qr_texts(payload)[0] if payload else ""
    quote_id = first.fx_quote_id
    paid, spread = sum(r.paid_minor for r in rows), sum(r.spread_minor for r in rows)
    return WalletPaymentDetail(
        reference=first.charge_reference,
        kind=first.kind,
        payer_id=first.payer_id,
        created_at=first.created_at,
        paid=Money(paid, first.paid_currency),
        credit=Money(sum(r.credit_minor for r in rows), first.credit_currency),
        mid_paid=Money(paid - spread, first.paid_currency),
        spread=Money(spread, first.paid_currency),
        markup_bp=first.markup_bp,
        rate=first.rate,
        rate_base=first.rate_base,
        rate_quote=first.rate_quote,
        rate_date=_rate_dates({quote_id}).get(quote_id) if quote_id else _rate_date_of(first),
        refunded_paid=Money(sum(r.refunded_paid_minor for r in rows), first.paid_currency),
        orders=tuple(_statement_order(r, shops) for r in rows if r.kind != PaymentKind.QR),
        shops=tuple(dict.fromkeys(shops.get(r.merchant_id, "") for r in rows)),
        outlet_name=outlets.get(first.outlet_id or 0, ""),
        qr_request_id=_qr_request_id(first.reference) if first.kind == PaymentKind.QR else "",
        bill_number=bill_number,
        payments=tuple(payment_info(r) for r in rows),
    )


def _can_see_payment(payment: Payment, actor_id: int | None, actor_role: str) -> bool:
    if actor_role in (OPERATOR_ROLE, SYSTEM) or payment.payer_id == actor_id:
        return True
    if actor_role == MERCHANT_ROLE and actor_id is not None:
        return (
            merchant_selectors.staff_role_of(user_id=actor_id, merchant_id=payment.merchant_id)
            is not None
        )
    return False


# What a failed or open QR payment says to the payer, in their language, by its stored code
# (the row's ``error_detail`` keeps the technical account).
_QR_FAILURES = {
    "insufficient_funds": gettext_lazy(
        "Your wallet holds less than this payment; top it up or pay another way."
    ),
    "not_completed": gettext_lazy("The payment did not complete; no money moved."),
}
_QR_UNKNOWN = gettext_lazy(
    "We do not know yet whether this payment went through; ask again for the final answer."
)


def _qr_texts(payload: str) -> tuple[str, str]:
    """(bill number, merchant name) written in a recorded QR payload ("" when absent)."""
    try:
        parsed = emvco.parse(payload, strict=False)
    except emvco.EmvQrError:
        return "", ""
    return parsed.bill_number or "", parsed.merchant_name or ""


def _rate_date_of(payment: Payment) -> date | None:
    """The ECB day of the rate a payment without a stored quote used (the lean wallet
    checkout caches the day's terms instead of storing a quote: decision 0012)."""
    if not payment.rate:
        return None
    try:
        return fx_rate(
            base=payment.rate_base, quote=payment.rate_quote, on=payment.created_at.date()
        ).rate_date
    except FxRateNotFound:
        return None


def _rate_dates(quote_ids: set[int]) -> dict[int, date]:
    if not quote_ids:
        return {}
    return dict(FxQuote.objects.filter(pk__in=quote_ids).values_list("pk", "rate_date"))


def qr_payment_result(qr: QrPayment, *, status: str | None = None) -> QrPaymentResult:
    """The answer for a QR payment row (``status`` overrides the stored one: a caller that
    lost the outcome answers U even when the row already says S)."""
    return _qr_results([qr], status=status)[0]


def _qr_results(rows: Sequence[QrPayment], *, status: str | None = None) -> list[QrPaymentResult]:
    """The answers for QR payment rows (their wallets selected): one query each for their
    outlets, merchants, payments and rate days, however many rows."""
    outlets = _outlet_names({qr.outlet_id for qr in rows})
    shops = _shop_names({qr.merchant_id for qr in rows})
    payment_ids = {qr.payment_id for qr in rows if qr.payment_id}
    payments = {p.pk: p for p in Payment.objects.filter(pk__in=payment_ids)} if payment_ids else {}
    rate_dates = _rate_dates({p.fx_quote_id for p in payments.values() if p.fx_quote_id})
    results = []
    for qr in rows:
        payment = payments.get(qr.payment_id) if qr.payment_id else None
        bill_number, qr_merchant_name = _qr_texts(qr.payload)
        shown = status or qr.status
        paid = payment is not None and shown == "S"
        results.append(
            QrPaymentResult(
                status=shown,
                request_id=qr.request_id,
                result_code={"S": "SUCCESS", "U": "UNKNOWN"}.get(shown, qr.error_code or "FAILED"),
                detail=""
                if shown == "S"
                else str(_QR_FAILURES.get(qr.error_code, qr.error_detail))
                if shown == "F"
                else str(_QR_UNKNOWN),
                amount=Money(qr.amount_minor, qr.currency),
                outlet_id=qr.outlet_id,
                outlet_name=outlets.get(qr.outlet_id, ""),
                merchant_id=qr.merchant_id,
                merchant_name=shops.get(qr.merchant_id, ""),
                wallet_currency=qr.wallet.currency,
                payment=payment_info(payment) if paid and payment is not None else None,
                created_at=qr.created_at,
                updated_at=qr.updated_at,
                bill_number=bill_number,
                qr_merchant_name=qr_merchant_name,
                rate_date=rate_dates.get(payment.fx_quote_id or 0)
                if paid and payment is not None
                else None,
            )
        )
    return results


def qr_payment_list(*, user_id: int, limit: int = 10) -> list[QrPaymentResult]:
    """The user's latest QR payments, newest first (five queries however many)."""
    rows = QrPayment.objects.filter(user_id=user_id).select_related("wallet")[: max(limit, 0)]
    return _qr_results(list(rows))


# --- settlement ---------------------------------------------------------------------------


def check_settlement_reader(*, actor_role: str) -> None:
    if actor_role not in (OPERATOR_ROLE, SYSTEM):
        raise SettlementOperatorsOnly("settlement runs are for operators")


def settlement_run_info(run: SettlementRun, merchant_name: str = "") -> SettlementRunInfo:
    c = run.currency
    return SettlementRunInfo(
        id=run.pk,
        merchant_id=run.merchant_id,
        merchant_name=merchant_name,
        day=run.day,
        gross=Money(run.gross_minor, c),
        refunds=Money(run.refunds_minor, c),
        fees=Money(run.fees_minor, c),
        carried_in=Money(run.carried_in_minor, c),
        net=Money(run.net_minor, c),
        payout=Money(run.payout_minor, c),
        carried_out=Money(run.carried_out_minor, c),
        payments_count=run.payments_count,
        refunds_count=run.refunds_count,
        created_at=run.created_at,
    )


class SettlementRunListing(Sequence[SettlementRunInfo]):
    """Runs, newest day first; a slice fetches one page (two queries: runs, names)."""

    def __init__(self, queryset: QuerySet[SettlementRun]) -> None:
        self._queryset = queryset

    def __len__(self) -> int:
        return self._queryset.count()

    @overload
    def __getitem__(self, index: int) -> SettlementRunInfo: ...

    @overload
    def __getitem__(self, index: slice) -> list[SettlementRunInfo]: ...

    def __getitem__(self, index: int | slice) -> SettlementRunInfo | list[SettlementRunInfo]:
        runs = list(self._queryset[index]) if isinstance(index, slice) else [self._queryset[index]]
        names = merchant_selectors.merchant_summaries(merchant_ids={r.merchant_id for r in runs})
        infos = [
            settlement_run_info(
                r, names[r.merchant_id].display_name if r.merchant_id in names else ""
            )
            for r in runs
        ]
        return infos if isinstance(index, slice) else infos[0]


def settlement_run_list(
    *, day: date | None = None, merchant_id: int | None = None, actor_role: str
) -> SettlementRunListing:
    """Settlement runs (operators), filtered by day and merchant."""
    check_settlement_reader(actor_role=actor_role)
    qs = SettlementRun.objects.order_by("-day", "merchant_id")
    if day is not None:
        qs = qs.filter(day=day)
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    return SettlementRunListing(qs)


def settlement_run_get(*, run_id: int, actor_role: str) -> SettlementStatement:
    """A run with its statement: one line per payment and per refund it settled, oldest
    first (three queries)."""
    check_settlement_reader(actor_role=actor_role)
    run = SettlementRun.objects.filter(pk=run_id).first()
    if run is None:
        raise SettlementRunNotFound(f"no settlement run {run_id}")
    names = merchant_selectors.merchant_summaries(merchant_ids=[run.merchant_id])
    c = run.currency
    lines = [
        SettlementLine(
            kind="payment",
            reference=p.reference,
            payment_kind=p.kind,
            created_at=p.created_at,
            amount=Money(p.credit_minor, c),
            fee=Money(p.fee_minor, c),
            paid=Money(p.paid_minor, p.paid_currency),
            rate=p.rate,
        )
        for p in Payment.objects.filter(settlement_run=run)
    ]
    lines += [
        SettlementLine(
            kind="refund",
            reference=r.reference,
            payment_kind=r.payment.kind,
            created_at=r.created_at,
            amount=Money(-r.credit_minor, c),
            fee=Money(0, c),
            paid=Money(-r.paid_minor, r.payment.paid_currency),
            rate=r.payment.rate,
        )
        for r in PaymentRefund.objects.filter(settlement_run=run).select_related("payment")
    ]
    lines.sort(key=lambda line: (line.created_at, line.kind, line.reference))
    name = names[run.merchant_id].display_name if run.merchant_id in names else ""
    return SettlementStatement(run=settlement_run_info(run, name), lines=tuple(lines))


def escrow_info(escrow: Escrow, *, now: datetime | None = None) -> EscrowInfo:
    """The hold; a held one past its ``expires_at`` at ``now`` reads "expired"."""
    status = escrow.status
    if (
        status == EscrowStatus.HELD
        and now is not None
        and escrow.expires_at is not None
        and now >= escrow.expires_at
    ):
        status = EscrowStatus.EXPIRED
    payment = Payment.objects.filter(pk=escrow.payment_id).first() if escrow.payment_id else None
    return EscrowInfo(
        reference=escrow.reference,
        buyer_id=escrow.buyer_id,
        merchant_id=escrow.merchant_id,
        amount=Money(escrow.amount_minor, escrow.currency),
        status=status,
        expires_at=escrow.expires_at,
        created_at=escrow.created_at,
        resolved_at=escrow.resolved_at,
        payment=payment_info(payment) if payment is not None else None,
    )


def escrow_get(*, reference: str, now: datetime) -> EscrowInfo:
    """A trade-assurance hold by reference (trusted callers: the B2B app authorizes)."""
    escrow = Escrow.objects.filter(reference=reference).first()
    if escrow is None:
        raise EscrowNotFound(f"no escrow {reference!r}")
    return escrow_info(escrow, now=now)


def qr_payment_get(*, user_id: int, request_id: str) -> QrPaymentResult:
    """The user's payment request as recorded (a U stays U: ``services.qr_payment_query``
    settles it). Another user's is unknown (404)."""
    row = (
        QrPayment.objects.select_related("wallet")
        .filter(user_id=user_id, request_id=request_id if isinstance(request_id, str) else "")
        .first()
    )
    if row is None:
        raise QrPaymentNotFound(f"no payment request {request_id!r}")
    return qr_payment_result(row)


# --- trade assurance ---


def escrows_held(*, prefix: str, after_id: int = 0, limit: int = 100) -> list[tuple[int, str]]:
    """(id, reference) of the holds still held whose reference starts with ``prefix``, by
    id after ``after_id`` (the release job of trade assurance pages through them)."""
    rows = (
        Escrow.objects.filter(
            status=EscrowStatus.HELD, reference__startswith=prefix, pk__gt=after_id
        )
        .order_by("pk")
        .values_list("pk", "reference")[:limit]
    )
    return [(int(pk), str(reference)) for pk, reference in rows]
