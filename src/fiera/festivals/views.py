"""Pages of the festivals app: the public festival page (countdown and flash sales), the
operators' live dashboard (GMV counter, GMV per minute as inline SVG, rankings, growth;
static/festivals/festivals.js polls GET /api/v1/festivals/<slug>/live and redraws it), and
the merchant console's festival sales. Each view reads through the festivals selectors and
figures and turns domain errors into 404/403."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import MERCHANT, OPERATOR
from fiera.catalog import selectors as catalog_selectors
from fiera.common.errors import DomainError, NotFound
from fiera.common.parsing import parse_page
from fiera.festivals import figures, selectors
from fiera.festivals.selectors import ENDED, LIVE, UPCOMING, WARM_UP, FlashSaleView
from fiera.merchants import selectors as merchant_selectors

CHART_MINUTES = 60
CHART_WIDTH = 600
CHART_HEIGHT = 160
CHART_PAD = 8

SOLD_OUT = "sold-out"
SALE_STATUS_LABELS = {
    UPCOMING: gettext_lazy("Upcoming"),
    LIVE: gettext_lazy("Live now"),
    SOLD_OUT: gettext_lazy("Sold out"),
    ENDED: gettext_lazy("Ended"),
}
PHASE_LABELS = {
    UPCOMING: gettext_lazy("Coming soon"),
    WARM_UP: gettext_lazy("Warm-up"),
    LIVE: gettext_lazy("Live now"),
    ENDED: gettext_lazy("Ended"),
}


FLASH_SALES_PER_PAGE = 24
CONSOLE_FESTIVALS_PER_PAGE = 5
CONSOLE_SALES_PER_FESTIVAL = 50


def _page(request: HttpRequest, items: Any, per_page: int) -> Page:
    """The ``?page=`` page of ``items`` (a bad or too high number: the nearest page)."""
    return Paginator(items, per_page).get_page(parse_page(request.GET.get("page")))


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", "")) if request.user.is_authenticated else ""


@dataclass(frozen=True, slots=True)
class Countdown:
    seconds: int
    days: int
    clock: str  # HH:MM:SS


def countdown(until: datetime, *, now: datetime) -> Countdown:
    seconds = max(0, int((until - now).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return Countdown(seconds, days, f"{hours:02d}:{minutes:02d}:{secs:02d}")


def sale_status(view: FlashSaleView, *, now: datetime) -> str:
    sale = view.sale
    if sale.closed_at is not None or now >= sale.ends_at:
        return ENDED
    if view.units_left <= 0:
        return SOLD_OUT
    if now < sale.starts_at:
        return UPCOMING
    return LIVE


@dataclass(frozen=True, slots=True)
class SaleRow:
    view: FlashSaleView
    status: str
    status_label: str
    product: catalog_selectors.VariantProductRef | None
    product_url: str


def _sale_rows(
    views: list[FlashSaleView], *, markets: Sequence[Any] = (), now: datetime
) -> list[SaleRow]:
    """The rows of ``views``, each linked to its product's page on the first of ``markets``
    that sells the variant in the flash sale's currency (none links when none does)."""
    products = catalog_selectors.variant_products(variant_ids=[v.sale.variant_id for v in views])
    sold_on: dict[tuple[int, str], set[int]] = {}
    for currency in sorted({v.sale.currency for v in views}):
        wanted = [v.sale.variant_id for v in views if v.sale.currency == currency]
        for market in markets:
            sold_on[(market.pk, currency)] = catalog_selectors.variants_for_sale(
                marketplace_id=market.pk, currency=currency, variant_ids=wanted
            )
    rows = []
    for v in views:
        product = products.get(v.sale.variant_id)
        url = ""
        if product is not None:
            market = next(
                (
                    m
                    for m in markets
                    if v.sale.variant_id in sold_on.get((m.pk, v.sale.currency), ())
                ),
                None,
            )
            if market is not None:
                url = reverse("catalog:product", args=[market.slug, product.product_id])
        status = sale_status(v, now=now)
        rows.append(SaleRow(v, status, str(SALE_STATUS_LABELS[status]), product, url))
    return rows


def festival_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page of a published festival (operators also see unpublished ones):
    its dates in its time zone, a countdown and its flash sales."""
    role = _role(request)
    now = timezone.now()
    try:
        festival = selectors.festival_get(slug=slug, actor_role=role)
        sales = selectors.flash_sale_list(actor_role=role, festival_slug=slug)
    except NotFound as exc:
        raise Http404(exc.message()) from None
    page = _page(request, sales, FLASH_SALES_PER_PAGE)
    phase = selectors.festival_phase(festival, now=now)
    markets = list(festival.marketplaces.all())
    target = festival.ends_at if phase == LIVE else festival.starts_at
    return render(
        request,
        "festivals/festival.html",
        {
            "festival": festival,
            "phase": phase,
            "phase_label": PHASE_LABELS[phase],
            "countdown": None if phase == ENDED else countdown(target, now=now),
            "counting_to_end": phase == LIVE,
            "markets": markets,
            "sales": _sale_rows(list(page.object_list), markets=markets, now=now),
            "page": page,
        },
    )


# --- the operators' live dashboard -----------------------------------------------------------


def chart_points(
    points: list[figures.MinutePoint], *, now: datetime, minutes: int = CHART_MINUTES
) -> tuple[str, int]:
    """The SVG polyline of GMV per minute over the last ``minutes`` (a point a minute, 0
    where nothing sold), and the highest minute's GMV (US cents)."""
    end = now.replace(second=0, microsecond=0)
    start = end - timedelta(minutes=minutes)
    by_slot: dict[int, int] = {}
    for p in points:
        slot = int((p.minute - start) // timedelta(minutes=1))
        if 0 <= slot <= minutes:
            by_slot[slot] = by_slot.get(slot, 0) + p.gmv_usd_minor
    top = max(by_slot.values(), default=0)
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    coords = []
    for slot in range(minutes + 1):
        x = CHART_PAD + inner_w * slot / minutes
        y = CHART_PAD + inner_h - (inner_h * by_slot.get(slot, 0) / top if top else 0)
        coords.append(f"{x:.1f},{y:.1f}")
    return " ".join(coords), top


def _require_operator(request: HttpRequest) -> str:
    role = _role(request)
    if role != OPERATOR:
        raise PermissionDenied(_("The live dashboard is for operators."))
    return role


@login_required
def festival_live_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Operators: GMV, orders, units and merchants now, GMV per minute over the last hour,
    the top merchant countries, merchants and buyer countries, growth against the
    baseline. Times are in the festival's time zone, named on the page (as on the
    festival page and the merchant console)."""
    role = _require_operator(request)
    now = timezone.now()
    try:
        live = figures.festival_live(slug=slug, now=now, actor_role=role)
    except NotFound as exc:
        raise Http404(exc.message()) from None
    points, top = chart_points(live.last_minutes, now=now)
    return render(
        request,
        "festivals/live.html",
        {
            "live": live,
            "now": now,
            "chart": {
                "since": now - timedelta(minutes=CHART_MINUTES),
                "points": points,
                "top": top,
                "width": CHART_WIDTH,
                "height": CHART_HEIGHT,
                "pad": CHART_PAD,
                "minutes": CHART_MINUTES,
                "baseline_y": CHART_HEIGHT - CHART_PAD,
            },
            "poll_url": f"/api/v1/festivals/{live.slug}/live",
        },
    )


# --- the merchant console ------------------------------------------------------------------


@dataclass
class ConsoleFestival:
    slug: str
    name: str
    starts_at: datetime
    ends_at: datetime
    merchant_name: str
    timezone: str
    merchant_id: int
    festival_id: int
    gmv_usd_minor: int = 0
    orders: int = 0
    units: int = 0
    sales_count: int = 0  # the merchant's flash sales in the festival
    sales: list[SaleRow] | None = None  # the first CONSOLE_SALES_PER_FESTIVAL of them


@login_required
def console_festivals(request: HttpRequest) -> HttpResponse:
    """Merchant staff: each festival their merchants sold in or run flash sales in, with
    its GMV (USD), orders, units, and the flash sales with units sold and left; paged by
    festival (``?page=``), at most ``CONSOLE_SALES_PER_FESTIVAL`` flash sales each (the
    count says how many in all). Times in each festival's time zone, named."""
    role = _role(request)
    if role != MERCHANT:
        raise PermissionDenied(_("Festival sales are for the merchant's staff."))
    user_id = int(request.user.pk)  # type: ignore[arg-type]
    merchant_ids = merchant_selectors.merchant_ids_for_user(user_id=user_id)
    names = merchant_selectors.merchant_summaries(merchant_ids=merchant_ids)
    blocks: dict[tuple[int, str], ConsoleFestival] = {}
    try:
        for merchant_id in merchant_ids:
            name = names[merchant_id].display_name if merchant_id in names else ""
            for s in figures.merchant_festival_sales(
                merchant_id=merchant_id, actor_id=user_id, actor_role=role
            ):
                blocks[(merchant_id, s.slug)] = ConsoleFestival(
                    s.slug,
                    s.name,
                    s.starts_at,
                    s.ends_at,
                    name,
                    s.timezone,
                    merchant_id,
                    s.festival_id,
                    s.gmv_usd_minor,
                    s.orders,
                    s.units,
                )
            for fest, count in selectors.merchant_flash_sale_festivals(
                actor_id=user_id, actor_role=role, merchant_id=merchant_id
            ):
                block = blocks.setdefault(
                    (merchant_id, fest.slug),
                    ConsoleFestival(
                        fest.slug,
                        fest.name,
                        fest.starts_at,
                        fest.ends_at,
                        name,
                        fest.timezone,
                        merchant_id,
                        fest.pk,
                    ),
                )
                block.sales_count = count
        ordered: list[Any] = sorted(blocks.values(), key=lambda b: b.starts_at, reverse=True)
        page = _page(request, ordered, CONSOLE_FESTIVALS_PER_PAGE)
        now = timezone.now()
        for block in page.object_list:
            if block.sales_count:
                views = selectors.merchant_flash_sales(
                    actor_id=user_id,
                    actor_role=role,
                    merchant_id=block.merchant_id,
                    festival_id=block.festival_id,
                )[:CONSOLE_SALES_PER_FESTIVAL]
                block.sales = _sale_rows(views, now=now)
    except DomainError as exc:
        raise PermissionDenied(exc.message()) from None
    return render(
        request,
        "festivals/console_festivals.html",
        {
            "console_section": "festivals",
            "festivals": page.object_list,
            "page": page,
            "sales_shown": CONSOLE_SALES_PER_FESTIVAL,
            "many_merchants": len(merchant_ids) > 1,
        },
    )
