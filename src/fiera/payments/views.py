"""Pages of the payments app: the outlet network (rollout by region, filtered and paged
list), one outlet with its QR code and status, and the CSV import with its error report.

For operators (every outlet) and merchant staff (their merchants' outlets); other
accounts get 403, other companies' outlets 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fiera.common.errors import DomainError, InvalidInput, NotFound
from fiera.common.errors import PermissionDenied as DomainPermissionDenied
from fiera.common.money import Money, MoneyError, is_currency
from fiera.common.reference import italian_regions
from fiera.merchants import selectors as merchant_selectors
from fiera.payments import selectors, services
from fiera.payments.models import OutletStatus

PAGE_SIZE = 50
ALLOWED_ROLES = {"operator", "merchant"}


def _actor(request: HttpRequest) -> tuple[int, str]:
    user = request.user
    role = str(getattr(user, "role", ""))
    if role not in ALLOWED_ROLES or user.pk is None:
        raise PermissionDenied(_("Outlets are for operators and merchant staff."))
    return int(user.pk), role


def _raise_http(exc: DomainError) -> None:
    if isinstance(exc, NotFound):
        raise Http404(exc.detail)
    if isinstance(exc, DomainPermissionDenied):
        raise PermissionDenied(exc.detail)


@login_required
def outlet_list(request: HttpRequest) -> HttpResponse:
    actor_id, actor_role = _actor(request)
    region = request.GET.get("region", "")
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()
    error = ""
    try:
        outlets = selectors.outlet_list(
            actor_id=actor_id,
            actor_role=actor_role,
            region_code=region or None,
            status=status or None,
            search=search or None,
        )
        page = Paginator(outlets, PAGE_SIZE).get_page(request.GET.get("page"))
    except InvalidInput as exc:
        error = exc.detail
        outlets = selectors.outlet_list(actor_id=actor_id, actor_role=actor_role)
        page = Paginator(outlets, PAGE_SIZE).get_page(1)
    rollout = selectors.outlet_rollout(actor_id=actor_id, actor_role=actor_role)
    rollout_rows = [
        (row, [(value, row.by_status[value]) for value in OutletStatus.values])
        for row in rollout.regions
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payments/outlet_list.html",
        {
            "page": page,
            "rollout": rollout,
            "rollout_rows": rollout_rows,
            "rollout_totals": [rollout.by_status[value] for value in OutletStatus.values],
            "statuses": OutletStatus.choices,
            "regions": italian_regions(),
            "region": region,
            "status": status,
            "search": search,
            "error": error,
            "query": query.urlencode(),
        },
        status=422 if error else 200,
    )


def _qr_request(request: HttpRequest) -> tuple[int | None, str, str, str]:
    """(amount_minor, currency, bill number, error) from the dynamic-QR form."""
    amount_text = request.GET.get("amount", "").strip()
    currency = request.GET.get("currency", "EUR").strip().upper() or "EUR"
    bill = request.GET.get("bill", "").strip()
    if not amount_text:
        return None, "EUR", "", ""
    if not is_currency(currency):
        return None, "EUR", "", _("%(code)s is not a currency code.") % {"code": currency}
    try:
        amount = Money.from_major(amount_text, currency)
    except MoneyError as exc:
        return None, "EUR", "", str(exc)
    if amount.amount_minor <= 0:
        return None, "EUR", "", _("The amount must be more than zero.")
    return amount.amount_minor, currency, bill, ""


@login_required
def outlet_detail(request: HttpRequest, outlet_id: int) -> HttpResponse:
    actor_id, actor_role = _actor(request)
    amount_minor, currency, bill, error = _qr_request(request)
    try:
        detail = selectors.outlet_get(outlet_id=outlet_id, actor_id=actor_id, actor_role=actor_role)
    except DomainError as exc:
        _raise_http(exc)
        raise
    static_qr = dynamic_qr = None
    try:
        static_qr = selectors.outlet_qr(
            outlet_id=outlet_id, actor_id=actor_id, actor_role=actor_role
        )
        if amount_minor is not None:
            dynamic_qr = selectors.outlet_qr(
                outlet_id=outlet_id,
                actor_id=actor_id,
                actor_role=actor_role,
                amount_minor=amount_minor,
                currency=currency,
                bill_number=bill,
            )
    except InvalidInput as exc:
        error = exc.detail
    next_statuses = sorted(services.OUTLET_TRANSITIONS[detail.outlet.status])
    return render(
        request,
        "payments/outlet_detail.html",
        {
            "detail": detail,
            "outlet": detail.outlet,
            "static_qr": static_qr,
            "dynamic_qr": dynamic_qr,
            "error": error,
            "form": {
                "amount": request.GET.get("amount", ""),
                "currency": request.GET.get("currency", "EUR"),
                "bill": request.GET.get("bill", ""),
            },
            "next_statuses": [(s, OutletStatus(s).label) for s in next_statuses],
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def outlet_status(request: HttpRequest, outlet_id: int) -> HttpResponse:
    actor_id, actor_role = _actor(request)
    try:
        info = services.outlet_set_status(
            outlet_id=outlet_id,
            status=request.POST.get("status", ""),
            now=timezone.now(),
            actor_id=actor_id,
            actor_role=actor_role,
        )
    except DomainError as exc:
        _raise_http(exc)
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("%(code)s is now %(status)s.") % {"code": info.code, "status": info.status_label},
        )
    return HttpResponseRedirect(reverse("payments:outlet", args=[outlet_id]))


def _merchant_choices(actor_id: int, actor_role: str) -> list[tuple[int, str]]:
    listing = merchant_selectors.merchant_list(actor_id=actor_id, actor_role=actor_role)
    return [(m.id, f"{m.display_name} ({m.slug})") for m in listing[:1000]]


@login_required
def outlet_import(request: HttpRequest) -> HttpResponse:
    actor_id, actor_role = _actor(request)
    context: dict[str, Any] = {
        "merchants": _merchant_choices(actor_id, actor_role),
        "columns": services.IMPORT_COLUMNS,
        "required": services.REQUIRED_COLUMNS,
        "statuses": services.IMPORT_STATUSES,
        "errors": [],
        "error": "",
        "chosen": request.POST.get("merchant", ""),
    }
    if request.method != "POST":
        return render(request, "payments/outlet_import.html", context)
    upload = request.FILES.get("file")
    merchant = request.POST.get("merchant", "")
    if upload is None or not merchant.isdigit():
        context["error"] = _("Choose the merchant and a CSV file.")
        return render(request, "payments/outlet_import.html", context, status=422)
    try:
        report = services.outlets_import_csv(
            merchant_id=int(merchant),
            file=upload,
            now=timezone.now(),
            actor_id=actor_id,
            actor_role=actor_role,
        )
    except services.OutletImportInvalid as exc:
        context["error"] = exc.detail
        context["errors"] = exc.errors
        return render(request, "payments/outlet_import.html", context, status=422)
    except DomainError as exc:
        context["error"] = exc.detail
        return render(request, "payments/outlet_import.html", context, status=exc.status)
    messages.success(
        request,
        _("Imported %(outlets)d outlets and %(terminals)d terminals.")
        % {"outlets": report.outlets_created, "terminals": report.terminals_created},
    )
    return HttpResponseRedirect(reverse("payments:outlets"))
