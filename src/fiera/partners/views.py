"""The partner pages: a partner's leads (list with filters and a form to register one),
a lead with its history and the buttons that move it, and the operators' coverage map of
the 20 regions. The partner's own page (its merchants and their sales) is in
``fiera.web.partners``, which may read orders. Partner staff see their partner only
(another partner's pages answer 404); operators every partner; other roles 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fiera.common.errors import DomainError, NotFound, PermissionDenied
from fiera.common.parsing import parse_id, parse_page
from fiera.common.reference import ITALIAN_REGION_GRID, ITALIAN_REGION_TILES, italian_regions
from fiera.merchants.selectors import sector_list
from fiera.partners import selectors, services
from fiera.partners.models import LeadStage

PAGE_SIZE = 25

# The tile map: the shared layout of the 20 regions (fiera.common.reference).
TILES = ITALIAN_REGION_TILES
TILE_W, TILE_H = 100, 70


def _actor(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {"actor_id": int(user.pk or 0), "actor_role": str(getattr(user, "role", ""))}


def _page_error(exc: DomainError) -> Exception:
    """A domain error as the page's answer: 404 and 403 pages in the reader's language."""
    if isinstance(exc, NotFound):
        return Http404(exc.message())
    if isinstance(exc, PermissionDenied):
        return DjangoPermissionDenied(exc.message())
    return exc


def _partner(request: HttpRequest, slug: str) -> selectors.PartnerInfo:
    try:
        partner_id = selectors.partner_id_for(slug=slug, **_actor(request))
        return selectors.partner_get(partner_id=partner_id, **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None


def _regions() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in italian_regions()]


def _stage_choices() -> list[tuple[str, str]]:
    return [(s.value, str(s.label)) for s in LeadStage]


@login_required
def lead_list(request: HttpRequest, slug: str) -> HttpResponse:
    partner = _partner(request, slug)
    return _render_leads(request, partner)


def _render_leads(
    request: HttpRequest,
    partner: selectors.PartnerInfo,
    *,
    form: dict[str, str] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    stage = request.GET.get("stage") or ""
    region = request.GET.get("region") or ""
    stage = stage if stage in LeadStage.values else ""
    region = region if region in dict(_regions()) else ""
    try:
        leads = selectors.lead_list(
            partner_id=partner.id,
            stage=stage or None,
            region_code=region or None,
            **_actor(request),
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    paginator = Paginator(leads, PAGE_SIZE)
    page = paginator.get_page(parse_page(request.GET.get("page"), last=paginator.num_pages))
    query = "".join(f"{k}={v}&" for k, v in (("stage", stage), ("region", region)) if v)
    return render(
        request,
        "partners/lead_list.html",
        {
            "partner": partner,
            "page": page,
            "stage": stage,
            "region": region,
            "query": query,
            "stages": _stage_choices(),
            "regions": _regions(),
            "sectors": sector_list(),
            "form": form or {},
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def lead_new(request: HttpRequest, slug: str) -> HttpResponse:
    partner = _partner(request, slug)
    fields = ("firm_name", "vat_number", "region_code", "sector_slug", "contact_name")
    form = {name: request.POST.get(name, "")[:300] for name in (*fields, "contact_email")}
    try:
        lead = services.lead_register(
            partner_id=partner.id,
            firm_name=form["firm_name"],
            vat_number=form["vat_number"],
            region_code=form["region_code"],
            sector_slug=form["sector_slug"],
            contact_name=form["contact_name"],
            contact_email=form["contact_email"],
            now=timezone.now(),
            **_actor(request),
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _render_leads(request, partner, form=form, error=exc.message(), status=exc.status)
    messages.success(request, _("Lead “%(name)s” registered.") % {"name": lead.firm_name})
    return HttpResponseRedirect(reverse("partners:lead_detail", args=[partner.slug, lead.id]))


def _lead(request: HttpRequest, partner: selectors.PartnerInfo, lead_id: int) -> Any:
    try:
        return selectors.lead_get(partner_id=partner.id, lead_id=lead_id, **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None


@login_required
def lead_detail(request: HttpRequest, slug: str, lead_id: int) -> HttpResponse:
    partner = _partner(request, slug)
    lead = _lead(request, partner, lead_id)
    sector = next((s for s in sector_list() if s.slug == lead.sector_slug), None)
    return render(
        request,
        "partners/lead_detail.html",
        {"partner": partner, "lead": lead, "sector": sector},
    )


@login_required
@require_POST
def lead_move(request: HttpRequest, slug: str, lead_id: int) -> HttpResponse:
    """The lead page's buttons: advance one stage, go live (attach or create the company),
    or lose with a reason. Back to the lead with a message (errors in the reader's
    language)."""
    partner = _partner(request, slug)
    action = request.POST.get("action", "")
    now = timezone.now()
    try:
        if action == "advance":
            lead = services.lead_advance(
                partner_id=partner.id,
                lead_id=lead_id,
                to_stage=request.POST.get("stage", ""),
                now=now,
                **_actor(request),
            )
            messages.success(request, _("Moved to “%(stage)s”.") % {"stage": lead.stage_label})
        elif action == "go_live":
            raw_merchant = request.POST.get("merchant_id", "").strip()
            merchant_id = parse_id(raw_merchant) if raw_merchant else None
            if raw_merchant and merchant_id is None:
                messages.error(request, _("The company id must be a whole number."))
            else:
                result = services.lead_go_live(
                    partner_id=partner.id,
                    lead_id=lead_id,
                    merchant_id=merchant_id,
                    municipality_code=request.POST.get("municipality_code", "")[:6],
                    ateco_code=request.POST.get("ateco_code", "")[:10],
                    now=now,
                    **_actor(request),
                )
                messages.success(
                    request,
                    _("The store is live: company %(id)s is attributed to %(partner)s.")
                    % {"id": result.merchant_id, "partner": partner.name},
                )
        elif action == "lose":
            services.lead_lose(
                partner_id=partner.id,
                lead_id=lead_id,
                reason=request.POST.get("reason", "")[:300],
                now=now,
                **_actor(request),
            )
            messages.success(request, _("The lead is closed as lost."))
        else:
            raise Http404(_("Unknown action."))
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    return HttpResponseRedirect(reverse("partners:lead_detail", args=[partner.slug, lead_id]))


@login_required
@require_POST
def staff_change(request: HttpRequest, slug: str) -> HttpResponse:
    """The partner page's staff form: add a partner account (by username, with a role) or
    remove someone. Operators and the partner's admins; back to the partner page."""
    partner = _partner(request, slug)
    action = request.POST.get("action", "")
    try:
        if action == "add":
            username = request.POST.get("username", "").strip()[:150]
            services.staff_add(
                partner_id=partner.id,
                username=username,
                role=request.POST.get("role", "staff"),
                **_actor(request),
            )
            messages.success(request, _("%(name)s joined the staff.") % {"name": username})
        elif action == "remove":
            user_id = parse_id(request.POST.get("user_id"))
            if user_id is None:
                raise Http404(_("No such person."))
            services.staff_remove(partner_id=partner.id, user_id=user_id, **_actor(request))
            messages.success(request, _("Removed from the staff."))
        else:
            raise Http404(_("Unknown action."))
    except PermissionDenied as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    return HttpResponseRedirect(reverse("web:partner_page", args=[partner.slug]) + "#staff")


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """The operators' map of the 20 regions, coloured by coverage, and the table."""
    try:
        found = selectors.coverage(actor_role=_actor(request)["actor_role"])
    except DomainError as exc:
        raise _page_error(exc) from None
    tiles = [
        {
            "region": r,
            "x": TILES[r.region_code][0] * TILE_W + 4,
            "y": TILES[r.region_code][1] * TILE_H + 4,
            "cx": TILES[r.region_code][0] * TILE_W + TILE_W // 2,
            "cy": TILES[r.region_code][1] * TILE_H + 30,
            "cy2": TILES[r.region_code][1] * TILE_H + 52,
            "abbr": TILES[r.region_code][2],
        }
        for r in found.regions
        if r.region_code in TILES
    ]
    return render(
        request,
        "partners/coverage.html",
        {
            "coverage": found,
            "tiles": tiles,
            "tile_w": TILE_W - 8,
            "tile_h": TILE_H - 8,
            "width": ITALIAN_REGION_GRID[0] * TILE_W,
            "height": ITALIAN_REGION_GRID[1] * TILE_H,
        },
    )
