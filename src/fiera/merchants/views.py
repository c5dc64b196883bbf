"""The merchant console home: the company profile, its stores per marketplace, its staff
and a form to open a store on another marketplace. Merchant accounts only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fiera.accounts.roles import MERCHANT as MERCHANT_ROLE
from fiera.common.errors import DomainError, NotFound
from fiera.common.parsing import parse_id
from fiera.merchants import selectors, services
from fiera.merchants.forms import StoreOpenForm


def _merchant_user_id(request: HttpRequest) -> int:
    user = request.user
    if getattr(user, "role", "") != MERCHANT_ROLE or user.pk is None:
        raise PermissionDenied(_("The merchant console is for merchant accounts."))
    return int(user.pk)


def _chosen_merchant(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    chosen = parse_id(raw)
    if chosen is None:
        raise Http404(_("No such company."))
    return chosen


def _render(
    request: HttpRequest,
    overview: selectors.ConsoleOverview,
    form: StoreOpenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = StoreOpenForm(
            initial={"merchant": overview.merchant.id}, marketplaces=overview.open_marketplaces
        )
    return render(
        request,
        "merchants/console_home.html",
        {"overview": overview, "form": form, "console_section": "company"},
        status=status,
    )


def _overview(user_id: int, merchant_id: int | None) -> selectors.ConsoleOverview | None:
    try:
        return selectors.console_overview(user_id=user_id, merchant_id=merchant_id)
    except selectors.NoCompany:
        return None
    except NotFound:
        raise Http404(_("No such company.")) from None


@login_required
def console_home(request: HttpRequest) -> HttpResponse:
    user_id = _merchant_user_id(request)
    overview = _overview(user_id, _chosen_merchant(request.GET.get("merchant")))
    if overview is None:
        return render(request, "merchants/console_no_company.html", {"console_section": "company"})
    return _render(request, overview)


@login_required
@require_POST
def console_store_open(request: HttpRequest) -> HttpResponse:
    user_id = _merchant_user_id(request)
    overview = _overview(user_id, _chosen_merchant(request.POST.get("merchant")))
    if overview is None:
        raise Http404(_("No such company."))
    form = StoreOpenForm(request.POST, marketplaces=overview.open_marketplaces)
    if not form.is_valid():
        return _render(request, overview, form, status=400)
    try:
        store = services.store_open(
            merchant_id=overview.merchant.id,
            marketplace_id=form.cleaned_data["marketplace"],
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"] or None,
            actor_id=user_id,
            actor_role=MERCHANT_ROLE,
        )
    except DomainError as exc:
        form.add_error(None, exc.message())
        return _render(request, overview, form, status=exc.status)
    messages.success(request, _("Store “%(name)s” opened.") % {"name": store.name})
    url = reverse("merchants:console_home") + f"?merchant={overview.merchant.id}"
    return HttpResponseRedirect(url)


@login_required
@require_POST
def console_store_media(request: HttpRequest, store_id: int) -> HttpResponse:
    """A store's logo (upload or remove) and descriptions, from the console home; back to
    it with a message (errors such as a file that is not a picture in the reader's
    language)."""
    user_id = _merchant_user_id(request)
    overview = _overview(user_id, _chosen_merchant(request.POST.get("merchant")))
    if overview is None:
        raise Http404(_("No such company."))
    merchant_id = overview.merchant.id
    actor: dict[str, Any] = {
        "actor_id": user_id,
        "actor_role": MERCHANT_ROLE,
        "merchant_id": merchant_id,
    }
    action = request.POST.get("action")
    try:
        if action == "logo":
            upload = request.FILES.get("logo")
            if upload is None:
                messages.error(request, _("Choose a picture to upload."))
            else:
                services.store_logo_set(store_id=store_id, upload=upload, **actor)
                messages.success(request, _("Logo saved."))
        elif action == "logo_delete":
            services.store_logo_delete(store_id=store_id, **actor)
            messages.success(request, _("Logo removed."))
        elif action == "describe":
            services.store_describe(
                store_id=store_id,
                description_it=request.POST.get("description_it", ""),
                description_en=request.POST.get("description_en", ""),
                description_zh=request.POST.get("description_zh", ""),
                **actor,
            )
            messages.success(request, _("Descriptions saved."))
        else:
            raise Http404(_("Unknown action."))
    except NotFound:
        raise Http404(_("No such store.")) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    url = reverse("merchants:console_home") + f"?merchant={merchant_id}#store-pages"
    return HttpResponseRedirect(url)
