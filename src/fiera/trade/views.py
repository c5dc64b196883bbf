"""The trade pages: a buyer's company (create it, see and add colleagues), a supplier's
public profile with its verification badges and the "Contact supplier" form, the inquiries
inbox (buyers: theirs; merchant staff: their companies'; operators: all, for moderation)
and the thread with its reply and close forms. Messages are plain text, escaped by the
templates. Errors show in the reader's language; another's inquiry answers 404."""

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

from fiera.catalog.selectors import category_list
from fiera.common.errors import DomainError, NotFound, PermissionDenied
from fiera.common.parsing import parse_id, parse_int_or_none, parse_page
from fiera.common.reference import countries_by_local_name, country_name, italian_regions
from fiera.trade import search as trade_search
from fiera.trade import selectors, services
from fiera.trade.models import InquiryStatus

PAGE_SIZE = 25


def _actor(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {"actor_id": int(user.pk or 0), "actor_role": str(getattr(user, "role", ""))}


def _page_error(exc: DomainError) -> Exception:
    if isinstance(exc, NotFound):
        return Http404(exc.message())
    if isinstance(exc, PermissionDenied):
        return DjangoPermissionDenied(exc.message())
    return exc


# --- company --------------------------------------------------------------------------------


@login_required
def company_page(request: HttpRequest) -> HttpResponse:
    """The buyer's company, or the form that creates it; POST creates or adds a member."""
    actor = _actor(request)
    if actor["actor_role"] != "buyer":
        raise DjangoPermissionDenied(_("Only business buyer accounts can do this."))
    company = selectors.company_of_user(user_id=actor["actor_id"])
    form: dict[str, str] = {}
    error = ""
    status = 200
    if request.method == "POST":
        form = {
            k: request.POST.get(k, "")[:200]
            for k in ("legal_name", "country", "registration_number", "website", "username", "role")
        }
        try:
            if company is None:
                company = services.company_create(
                    legal_name=form["legal_name"],
                    country_code=form["country"],
                    registration_number=form["registration_number"],
                    website=form["website"],
                    now=timezone.now(),
                    **actor,
                )
                messages.success(request, _("Your company was created."))
            else:
                company = services.company_member_add(
                    company_id=company.id,
                    username=form["username"],
                    role=form["role"] or "member",
                    **actor,
                )
                messages.success(request, _("Colleague added."))
            return HttpResponseRedirect(reverse("trade:company"))
        except DomainError as exc:
            error, status = exc.message(), exc.status
    is_admin = company is not None and any(
        m.user_id == actor["actor_id"] and m.role == "admin" for m in company.members
    )
    return render(
        request,
        "trade/company.html",
        {
            "company": company,
            "country_label": country_name(company.country) if company else "",
            "is_admin": is_admin,
            "form": form,
            "error": error,
        },
        status=status,
    )


# --- supplier -------------------------------------------------------------------------------


def _render_supplier(
    request: HttpRequest,
    merchant_id: int,
    *,
    form: dict[str, str] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    try:
        supplier = selectors.supplier_get(merchant_id=merchant_id, now=now)
    except DomainError as exc:
        raise _page_error(exc) from None
    language = getattr(request, "LANGUAGE_CODE", "en")
    form = form or {"product_id": str(parse_id(request.GET.get("product")) or "")}
    try:
        market = selectors.trade_marketplace()
    except DomainError as exc:
        raise _page_error(exc) from None
    about = selectors.product_name(
        marketplace_id=market.id,
        product_id=parse_id(form.get("product_id")),
        merchant_id=merchant_id,
    )
    if not about:
        form["product_id"] = ""
    return render(
        request,
        "trade/supplier.html",
        {
            "supplier": supplier,
            "capabilities": supplier.capabilities(language),
            "markets": [country_name(c) for c in supplier.main_markets],
            "checks": [(v, v.checked_at <= now < v.expires_at) for v in supplier.verifications],
            "can_contact": str(getattr(request.user, "role", "")) == "buyer",
            "product_name": about,
            "form": form,
            "error": error,
        },
        status=status,
    )


def supplier_page(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """Public: the supplier's profile, its verification level now and each check's expiry."""
    return _render_supplier(request, merchant_id)


@login_required
@require_POST
def contact(request: HttpRequest, merchant_id: int) -> HttpResponse:
    form = {
        k: request.POST.get(k, "")[:4100] for k in ("subject", "quantity", "message", "product_id")
    }
    try:
        thread = services.inquiry_create(
            marketplace_slug=selectors.trade_marketplace().slug,
            merchant_id=merchant_id,
            product_id=parse_id(form["product_id"]),
            subject=form["subject"],
            quantity=parse_int_or_none(form["quantity"], minimum=None, maximum=None) or 0,
            message=form["message"],
            now=timezone.now(),
            **_actor(request),
        )
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _render_supplier(
            request, merchant_id, form=form, error=exc.message(), status=exc.status
        )
    messages.success(request, _("Your inquiry was sent."))
    return HttpResponseRedirect(reverse("trade:thread", args=[thread.inquiry.id]))


# --- inquiries ------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    status = status if status in InquiryStatus.values else ""
    actor = _actor(request)
    try:
        found = selectors.inquiry_list(status=status or None, **actor)
    except DomainError as exc:
        raise _page_error(exc) from None
    paginator = Paginator(found, PAGE_SIZE)
    page = paginator.get_page(parse_page(request.GET.get("page"), last=paginator.num_pages))
    return render(
        request,
        "trade/inbox.html",
        {
            "page": page,
            "status": status,
            "statuses": [(s.value, s.label) for s in InquiryStatus],
            "unread": selectors.unread_count(**actor),
            "is_buyer": actor["actor_role"] == "buyer",
        },
    )


@login_required
def thread(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    """The thread; opening it marks it read for the reader's side."""
    actor = _actor(request)
    try:
        found = services.inquiry_mark_read(inquiry_id=inquiry_id, **actor)
    except DomainError as exc:
        raise _page_error(exc) from None
    return _render_thread(request, found)


def _render_thread(
    request: HttpRequest,
    found: selectors.InquiryThread,
    *,
    body: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "trade/thread.html",
        {
            "thread": found,
            "inquiry": found.inquiry,
            "can_write": found.side != "operator" and found.inquiry.status != "closed",
            "body": body,
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def reply(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    actor = _actor(request)
    body = request.POST.get("body", "")[:4100]
    try:
        services.inquiry_reply(inquiry_id=inquiry_id, body=body, now=timezone.now(), **actor)
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        try:
            found = selectors.inquiry_thread(inquiry_id=inquiry_id, **actor)
        except DomainError as again:
            raise _page_error(again) from None
        return _render_thread(request, found, body=body, error=exc.message(), status=exc.status)
    return HttpResponseRedirect(reverse("trade:thread", args=[inquiry_id]))


@login_required
@require_POST
def close(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    try:
        services.inquiry_close(inquiry_id=inquiry_id, now=timezone.now(), **_actor(request))
        messages.success(request, _("The inquiry is closed."))
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    return HttpResponseRedirect(reverse("trade:thread", args=[inquiry_id]))


# --- the merchant console: the supplier profile ---------------------------------------------

PROFILE_FIELDS = (
    "capabilities_it",
    "capabilities_en",
    "capabilities_zh",
    "main_markets",
    "year_established",
    "employees_band",
    "export_share_pct",
)


@login_required
def supplier_edit(request: HttpRequest) -> HttpResponse:
    """The merchant's supplier profile, edited by its owners and managers (``?merchant=``
    picks one of the staff member's companies; clerks see it and are refused on save)."""
    actor = _actor(request)
    if actor["actor_role"] != "merchant":
        raise DjangoPermissionDenied(_("Only merchant staff can do this."))
    merchant_id = parse_id(request.GET.get("merchant")) or selectors.first_merchant_of(
        user_id=actor["actor_id"]
    )
    if merchant_id is None:
        raise Http404(_("This supplier does not exist."))
    error, status = "", 200
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "")[:4000] for k in PROFILE_FIELDS}
        try:
            services.supplier_profile_save(
                merchant_id=merchant_id,
                capabilities_it=form["capabilities_it"],
                capabilities_en=form["capabilities_en"],
                capabilities_zh=form["capabilities_zh"],
                main_markets=[c for c in form["main_markets"].replace(" ", ",").split(",") if c],
                year_established=parse_int_or_none(form["year_established"], maximum=9999),
                employees_band=form["employees_band"],
                export_share_pct=parse_int_or_none(form["export_share_pct"], maximum=999),
                now=timezone.now(),
                **actor,
            )
        except NotFound as exc:
            raise _page_error(exc) from None
        except DomainError as exc:
            error, status = exc.message(), exc.status
        else:
            messages.success(request, _("Your supplier profile was saved."))
            return HttpResponseRedirect(reverse("trade:supplier", args=[merchant_id]))
    try:
        selectors.supplier_editor_check(merchant_id=merchant_id, **actor)
        current = selectors.supplier_get(merchant_id=merchant_id, now=timezone.now())
    except selectors.SupplierProfileNotFound:
        current = None
    except DomainError as exc:
        raise _page_error(exc) from None
    if not form and current is not None:
        form = {
            "capabilities_it": current.capabilities_it,
            "capabilities_en": current.capabilities_en,
            "capabilities_zh": current.capabilities_zh,
            "main_markets": ", ".join(current.main_markets),
            "year_established": str(current.year_established or ""),
            "employees_band": current.employees_band,
            "export_share_pct": ""
            if current.export_share_pct is None
            else str(current.export_share_pct),
        }
    return render(
        request,
        "trade/supplier_edit.html",
        {
            "merchant_id": merchant_id,
            "current": current,
            "form": form,
            "bands": ["1-9", "10-49", "50-249", "250+"],
            "error": error,
        },
        status=status,
    )


# --- trade search ---

SEARCH_PAGE_SIZE = 20
SEARCH_FILTERS = ("category", "region", "max_moq", "level", "origin")


def search_page(request: HttpRequest) -> HttpResponse:
    """Public: search the trade marketplace's listings or suppliers (tabs) with the
    filters; a filter that is not valid is explained on the page (422), not dropped."""
    tab = str(request.GET.get("tab") or "")
    tab = tab if tab in trade_search.KINDS else "listings"
    values = {k: (request.GET.get(k) or "").strip()[:200] for k in ("q", *SEARCH_FILTERS)}
    values["origin"] = values["origin"].upper()
    number = parse_page(request.GET.get("page"))
    error, status = "", 200
    page = None
    try:
        market = trade_search.trade_market(slug=request.GET.get("marketplace") or None)
    except NotFound as exc:
        raise _page_error(exc) from None
    try:
        max_moq = parse_int_or_none(values["max_moq"], minimum=None, maximum=None)
        if values["max_moq"] and max_moq is None:
            max_moq = 0  # not a number: refused below, with what is allowed
        page = trade_search.trade_search(
            kind=tab,
            marketplace_slug=market.slug,
            q=values["q"] or None,
            category=values["category"] or None,
            region=values["region"] or None,
            max_moq=max_moq,
            level=values["level"] or None,
            origin=values["origin"] or None,
            now=timezone.now(),
            limit=SEARCH_PAGE_SIZE,
            offset=(number - 1) * SEARCH_PAGE_SIZE,
        )
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        error, status = exc.message(), exc.status
    language = getattr(request, "LANGUAGE_CODE", "en")
    suffix = "zh" if language.startswith("zh") else "it" if language.startswith("it") else "en"
    links: dict[str, str] = {}
    if page is not None:
        for name, wanted, to in (
            ("previous_query", page.has_previous, number - 1),
            ("next_query", page.has_next, number + 1),
        ):
            if wanted:
                params = request.GET.copy()
                params["page"] = str(to)
                links[name] = params.urlencode()
    tabs = []
    for kind, label in (("listings", _("Listings")), ("suppliers", _("Suppliers"))):
        params = request.GET.copy()
        params["tab"] = kind
        params.pop("page", None)
        tabs.append((kind, label, params.urlencode()))
    return render(
        request,
        "trade/search.html",
        {
            "market": market,
            "tab": tab,
            "tabs": tabs,
            "values": values,
            "page": page,
            "items": [
                (hit, hit.name(language) if tab == "listings" else hit.category_names(language))
                for hit in (page.items if page is not None else [])
            ],
            "page_number": number,
            "error": error,
            "categories": [
                (c.slug, getattr(c, f"name_{suffix}") or c.name_en, c.parent_id is not None)
                for c in category_list()
            ],
            "regions": [(r.code, r.name) for r in italian_regions()],
            "origins": [(c.code, c.name) for c in countries_by_local_name(language)],
            "levels": [(k, selectors.LEVEL_LABELS[k]) for k in selectors.LEVELS[1:]],
            **links,
        },
        status=status,
    )
