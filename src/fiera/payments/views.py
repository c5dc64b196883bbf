"""Pages of the payments app: the outlet network (rollout by region, filtered and paged
list), one outlet with its QR code and status, and the CSV import with its error report;
the buyer's wallet (balances, statement, top-up, pay by QR); the operators' settlement runs.

Outlets are for operators (every outlet) and merchant staff (their merchants' outlets);
other accounts get 403, other companies' outlets 404. The wallet is for buyers, the
settlement pages for operators (403 otherwise).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR
from fiera.common.errors import DomainError, InvalidInput, NotFound
from fiera.common.errors import PermissionDenied as DomainPermissionDenied
from fiera.common.money import is_currency
from fiera.common.parsing import InvalidNumber, parse_amount_minor, parse_id, parse_page
from fiera.common.reference import babel_locale, italian_regions
from fiera.merchants import selectors as merchant_selectors
from fiera.payments import selectors, services
from fiera.payments.models import OutletStatus

PAGE_SIZE = 50
ALLOWED_ROLES = {OPERATOR, MERCHANT}


def _actor(request: HttpRequest) -> tuple[int, str]:
    user = request.user
    role = str(getattr(user, "role", ""))
    if role not in ALLOWED_ROLES or user.pk is None:
        raise PermissionDenied(_("Outlets are for operators and merchant staff."))
    return int(user.pk), role


def _raise_http(exc: DomainError) -> None:
    if isinstance(exc, NotFound):
        raise Http404(exc.message())
    if isinstance(exc, DomainPermissionDenied):
        raise PermissionDenied(exc.message())


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
        page = Paginator(outlets, PAGE_SIZE).get_page(parse_page(request.GET.get("page")))
    except InvalidInput as exc:
        error = exc.message()
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
        amount_minor = parse_amount_minor(amount_text, currency, field=_("Amount"))
    except InvalidNumber as exc:
        return None, "EUR", "", exc.message()
    if amount_minor <= 0:
        return None, "EUR", "", _("The amount must be more than zero.")
    return amount_minor, currency, bill, ""


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
        error = exc.message()
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
        messages.error(request, exc.message())
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
    merchant_id = parse_id(merchant)
    if upload is None or merchant_id is None:
        context["error"] = _("Choose the merchant and a CSV file.")
        return render(request, "payments/outlet_import.html", context, status=422)
    try:
        report = services.outlets_import_csv(
            merchant_id=merchant_id,
            file=upload,
            now=timezone.now(),
            actor_id=actor_id,
            actor_role=actor_role,
        )
    except services.OutletImportInvalid as exc:
        context["error"] = exc.message()
        context["errors"] = exc.errors
        return render(request, "payments/outlet_import.html", context, status=422)
    except DomainError as exc:
        context["error"] = exc.message()
        return render(request, "payments/outlet_import.html", context, status=exc.status)
    messages.success(
        request,
        _("Imported %(outlets)d outlets and %(terminals)d terminals.")
        % {"outlets": report.outlets_created, "terminals": report.terminals_created},
    )
    return HttpResponseRedirect(reverse("payments:outlets"))


# --- the wallet (buyers) ------------------------------------------------------------------

STATEMENT_PAGE = 20


def _buyer(request: HttpRequest) -> int:
    user = request.user
    if str(getattr(user, "role", "")) != BUYER or user.pk is None:
        raise PermissionDenied(_("The wallet is for buyers."))
    return int(user.pk)


def _minor(text: str, currency: str) -> int:
    """Major units typed in a form ("97.99") as minor units; InvalidInput when not exact."""
    amount_minor = parse_amount_minor(text, currency, field=_("Amount"))
    if amount_minor <= 0:
        raise InvalidInput("amount <= 0", message=_("The amount must be more than zero."))
    return amount_minor


def _wallet_page(
    request: HttpRequest, user_id: int, *, status: int = 200, qr: dict[str, str] | None = None
) -> HttpResponse:
    wallets = selectors.wallet_list(owner_id=user_id, actor_id=user_id, actor_role=BUYER)
    codes = [w.currency for w in wallets]
    currency = request.GET.get("currency", "").upper()
    currency = currency if currency in codes else (codes[0] if codes else "")
    page_number = parse_page(request.GET.get("page"))
    statement = None
    pages = 1
    if currency:
        statement = selectors.wallet_statement(
            owner_id=user_id,
            currency=currency,
            limit=STATEMENT_PAGE,
            offset=min((page_number - 1) * STATEMENT_PAGE, 9_800),
            actor_id=user_id,
            actor_role=BUYER,
        )
        pages = max(1, -(-statement.count // STATEMENT_PAGE))
    qr_form = {
        "payload": "",
        "amount": "",
        "wallet_currency": "CNY" if "CNY" in codes else (codes[0] if codes else ""),
        "error": "",
    } | (qr or {})
    return render(
        request,
        "payments/wallet.html",
        {
            "wallets": wallets,
            "currency": currency,
            "statement": statement,
            "page_number": page_number,
            "pages": pages,
            "closed_currencies": [c for c in services.wallet_currencies() if c not in codes],
            "recent": selectors.qr_payment_list(user_id=user_id, limit=5),
            "qr": qr_form,
            "request_id": str(uuid.uuid4()),
            "settlement_currency": services.settlement_currency(),
        },
        status=status,
    )


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    """Balances, the paged statement of one wallet, top-up and pay-by-QR forms."""
    return _wallet_page(request, _buyer(request))


@login_required
@require_POST
def wallet_open(request: HttpRequest) -> HttpResponse:
    user_id = _buyer(request)
    currency = request.POST.get("currency", "")
    try:
        info = services.wallet_open(
            user_id=user_id, currency=currency, now=timezone.now(), actor_role=BUYER
        )
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(reverse("payments:wallet"))
    messages.success(request, _("Your %(currency)s wallet is open.") % {"currency": info.currency})
    return HttpResponseRedirect(reverse("payments:wallet") + f"?currency={info.currency}")


@login_required
@require_POST
def wallet_top_up(request: HttpRequest) -> HttpResponse:
    """Top up through the simulated funding source (``gateways.funding_gateway``)."""
    user_id = _buyer(request)
    currency = request.POST.get("currency", "").upper()
    back = reverse("payments:wallet") + f"?currency={currency}"
    try:
        if not is_currency(currency):
            raise InvalidInput(
                f"{currency!r} is not a currency", message=_("Choose one of your wallets.")
            )
        info = services.wallet_top_up(
            user_id=user_id,
            amount_minor=_minor(request.POST.get("amount", ""), currency),
            currency=currency,
            funding_reference=request.POST.get("funding_reference", "") or "simulated card",
            request_id=request.POST.get("request_id", ""),
            now=timezone.now(),
            actor_role=BUYER,
        )
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(back)
    if info.status == "succeeded":
        messages.success(
            request,
            _("%(amount)s added to your wallet.")
            % {"amount": info.amount.format(get_language() or "en")},
        )
    else:
        messages.warning(request, _("The funding source has not answered yet; try again."))
    return HttpResponseRedirect(back)


@login_required
@require_POST
def wallet_pay(request: HttpRequest) -> HttpResponse:
    """Pay a pasted QR payload; the result page tells S, F or U."""
    user_id = _buyer(request)
    form = {
        "payload": request.POST.get("payload", "").strip(),
        "amount": request.POST.get("amount", "").strip(),
        "wallet_currency": request.POST.get("wallet_currency", "CNY").upper(),
    }
    request_id = request.POST.get("request_id", "")
    try:
        amount_minor = (
            _minor(form["amount"], services.settlement_currency()) if form["amount"] else None
        )
        result = services.qr_payment_submit(
            user_id=user_id,
            payload=form["payload"],
            request_id=request_id,
            amount_minor=amount_minor,
            wallet_currency=form["wallet_currency"],
            now=timezone.now(),
            actor_role=BUYER,
        )
    except DomainError as exc:
        return _wallet_page(request, user_id, status=exc.status, qr=form | {"error": exc.message()})
    return HttpResponseRedirect(reverse("payments:qr_payment", args=[result.request_id]))


@login_required
def qr_payment(request: HttpRequest, request_id: str) -> HttpResponse:
    """A payment request's result; POST asks again (which settles an unknown outcome)."""
    user_id = _buyer(request)
    try:
        if request.method == "POST":
            result = services.qr_payment_query(
                user_id=user_id, request_id=request_id, now=timezone.now(), actor_role=BUYER
            )
        else:
            result = selectors.qr_payment_get(user_id=user_id, request_id=request_id)
    except NotFound as exc:
        raise Http404(exc.message()) from None
    return render(request, "payments/qr_payment.html", {"result": result})


@login_required
def wallet_payment(request: HttpRequest, reference: str) -> HttpResponse:
    """One payment from the wallet: what was paid, for which orders and shops, and its
    conversion into the merchants' currency. Its payer and operators see it (404 else)."""
    user = request.user
    role = str(getattr(user, "role", ""))
    if role not in (BUYER, OPERATOR) or user.pk is None:
        raise PermissionDenied(_("The wallet is for buyers."))
    try:
        detail = selectors.wallet_payment_get(
            reference=reference, actor_id=int(user.pk), actor_role=role
        )
    except NotFound as exc:
        raise Http404(exc.message()) from None
    return render(request, "payments/wallet_payment.html", {"payment": detail})


# --- settlement (operators) -----------------------------------------------------------------


def _operator(request: HttpRequest) -> str:
    role = str(getattr(request.user, "role", ""))
    if role != OPERATOR:
        raise PermissionDenied(_("Settlement is for operators."))
    return role


@login_required
def settlement_runs(request: HttpRequest) -> HttpResponse:
    role = _operator(request)
    day_text = request.GET.get("day", "")
    error = ""
    day = None
    if day_text:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            error = _("%(day)s is not a date (YYYY-MM-DD).") % {"day": day_text}
    runs = selectors.settlement_run_list(day=day, actor_role=role)
    page = Paginator(runs, PAGE_SIZE).get_page(parse_page(request.GET.get("page")))
    yesterday = timezone.now().date() - timedelta(days=1)
    return render(
        request,
        "payments/settlement_runs.html",
        {
            "page": page,
            "day": day_text,
            "error": error,
            "yesterday": yesterday.isoformat(),
            "query": f"day={day_text}&" if day_text else "",
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def settlement_run_now(request: HttpRequest) -> HttpResponse:
    role = _operator(request)
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        messages.error(request, _("Give the day to settle as YYYY-MM-DD."))
        return HttpResponseRedirect(reverse("payments:settlement_runs"))
    try:
        report = services.settlement_run(day=day, now=timezone.now(), actor_role=role)
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(reverse("payments:settlement_runs"))
    messages.success(
        request,
        _("Settled %(day)s: %(new)d new, %(old)d already settled.")
        % {
            "day": format_date(day, "medium", locale=babel_locale()),
            "new": report.created,
            "old": report.existing,
        },
    )
    return HttpResponseRedirect(reverse("payments:settlement_runs") + f"?day={day.isoformat()}")


@login_required
def settlement_run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    role = _operator(request)
    try:
        statement = selectors.settlement_run_get(run_id=run_id, actor_role=role)
    except NotFound as exc:
        raise Http404(exc.message()) from None
    page = Paginator(statement.lines, 100).get_page(parse_page(request.GET.get("page")))
    return render(
        request,
        "payments/settlement_run.html",
        {"statement": statement, "run": statement.run, "page": page},
    )
