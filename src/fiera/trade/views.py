"""The trade pages: a buyer's company (create it, see and add colleagues), a supplier's
public profile with its verification badges and the "Contact supplier" form, the inquiries
inbox (buyers: theirs; merchant staff: their companies'; operators: all, for moderation)
and the thread with its reply and close forms. Messages are plain text, escaped by the
templates. Errors show in the reader's language; another's inquiry answers 404."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fiera.catalog.selectors import category_list
from fiera.common.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from fiera.common.money import currency_exponent
from fiera.common.parsing import parse_amount_minor, parse_id, parse_int_or_none, parse_page
from fiera.common.reference import (
    countries_by_local_name,
    country_name,
    italian_regions,
    language_suffix,
)
from fiera.common.trade_terms import INCOTERMS, PAYMENT_TERMS, incoterm_name, payment_terms_name
from fiera.orders.selectors import address_get
from fiera.trade import search as trade_search
from fiera.trade import selectors, services
from fiera.trade.models import (
    ApplicationStatus,
    DisputeReason,
    DisputeStatus,
    InquiryStatus,
    RfqStatus,
    RfqUnit,
)

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


# --- trade assurance: confirm receipt, disputes ------------------------------------------


def _order_page_url(number: str, role: str) -> str:
    if role == "buyer":
        return reverse("orders:order_detail", args=[number])
    if role == "merchant":
        return reverse("orders:console_order", args=[number])
    return ""


@login_required
def assurance_page(request: HttpRequest, number: str) -> HttpResponse:
    """Trade assurance on one order for its buyer, its merchant's staff and operators: the
    held payment, "Confirm receipt" and "Open a dispute" (buyer), the dispute's thread with
    its message and evidence form (both sides), and the decision form (operators)."""
    actor = _actor(request)
    now = timezone.now()
    try:
        info = selectors.assurance_get(order_number=number, now=now, **actor)
        dispute = selectors.dispute_of_order(order_number=number, **actor)
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        raise Http404(exc.message()) from None
    return render(
        request,
        "trade/assurance.html",
        {
            "info": info,
            "dispute": dispute,
            "order_url": _order_page_url(number, actor["actor_role"]),
            "reasons": DisputeReason.choices,
            "form": {k: request.GET.get(k, "")[:4000] for k in ("reason", "statement")},
        },
    )


@login_required
@require_POST
def confirm(request: HttpRequest, number: str) -> HttpResponse:
    """The buyer's "Confirm receipt": releases the held payment; back to the order page
    with a message (a refusal, e.g. an open dispute, says why)."""
    actor = _actor(request)
    try:
        services.receipt_confirm(order_number=number, now=timezone.now(), **actor)
        messages.success(request, _("Thank you: the payment was released to the supplier."))
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    return HttpResponseRedirect(
        _order_page_url(number, actor["actor_role"]) or reverse("trade:assurance", args=[number])
    )


@login_required
@require_POST
def dispute_open(request: HttpRequest, number: str) -> HttpResponse:
    actor = _actor(request)
    try:
        services.dispute_open(
            order_number=number,
            reason=request.POST.get("reason", "")[:20],
            statement=request.POST.get("statement", "")[:5000],
            now=timezone.now(),
            **actor,
        )
        messages.success(
            request, _("Your dispute is open: the payment stays held until Fiera decides.")
        )
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    return HttpResponseRedirect(reverse("trade:assurance", args=[number]) + "#dispute")


def _dispute_number(dispute_id: int, actor: dict[str, Any]) -> str:
    try:
        return selectors.dispute_get(dispute_id=dispute_id, **actor).order_number
    except NotFound as exc:
        raise _page_error(exc) from None


@login_required
@require_POST
def dispute_message(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """A message (and/or one evidence file, multipart) in the dispute's thread."""
    actor = _actor(request)
    number = _dispute_number(dispute_id, actor)
    upload = request.FILES.get("evidence")
    try:
        services.dispute_message_add(
            dispute_id=dispute_id,
            body=request.POST.get("body", "")[:5000],
            evidence=upload,
            evidence_name=(upload.name or "evidence") if upload is not None else "",
            now=timezone.now(),
            **actor,
        )
        messages.success(request, _("Message sent."))
    except DomainError as exc:
        messages.error(request, exc.message())
    return HttpResponseRedirect(reverse("trade:assurance", args=[number]) + "#thread")


@login_required
@require_POST
def dispute_decide(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """An operator's decision (upheld or rejected, with its written reason); back to the
    queue (``next=queue``) or to the dispute."""
    actor = _actor(request)
    number = _dispute_number(dispute_id, actor)
    try:
        services.dispute_decide(
            dispute_id=dispute_id,
            outcome=request.POST.get("outcome", "")[:10],
            reason=request.POST.get("reason", "")[:5000],
            now=timezone.now(),
            **actor,
        )
        messages.success(request, _("The dispute is decided."))
    except PermissionDenied as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    if request.POST.get("next") == "queue":
        return HttpResponseRedirect(reverse("trade:disputes") + "?status=open")
    return HttpResponseRedirect(reverse("trade:assurance", args=[number]) + "#dispute")


@login_required
def dispute_evidence(request: HttpRequest, dispute_id: int, message_id: int) -> HttpResponse:
    """An evidence file, for the dispute's parties only (others 404); sent as an attachment
    so that the browser never renders it inside Fiera's pages."""
    try:
        found = selectors.dispute_evidence(
            dispute_id=dispute_id, message_id=message_id, **_actor(request)
        )
    except NotFound as exc:
        raise _page_error(exc) from None
    response = HttpResponse(found.content, content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def disputes_page(request: HttpRequest) -> HttpResponse:
    """The disputes the reader sees (a buyer: theirs; merchant staff: their companies';
    operators: the queue, open ones oldest first, with the decision form). ``?status=``
    filters; paged."""
    actor = _actor(request)
    status = request.GET.get("status", "")
    if status not in ("", "open", "upheld", "rejected"):
        status = ""
    try:
        found = selectors.dispute_list(status=status or None, **actor)
    except PermissionDenied as exc:
        raise _page_error(exc) from None
    page = Paginator(found, PAGE_SIZE).get_page(parse_page(request.GET.get("page")))
    return render(
        request,
        "trade/disputes.html",
        {
            "page": page,
            "status": status,
            "is_operator": actor["actor_role"] == "operator",
            "statuses": [("", _("All")), *DisputeStatus.choices],
        },
    )


# --- RFQs and quotes ---

RFQ_FORM_FIELDS = (
    "product",
    "category_id",
    "quantity",
    "unit",
    "target_price",
    "destination_country",
    "deadline",
    "description",
)
QUOTE_FORM_FIELDS = (
    "variant_id",
    "unit_price",
    "quantity",
    "incoterm",
    "incoterm_place",
    "payment_terms",
    "lead_time_days",
    "valid_until",
    "note",
)


def _end_of_day(text: str, *, label: str) -> datetime:
    """A date typed in a form (YYYY-MM-DD) as the end of that day, UTC."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidInput(
            f"date {text!r}",
            message=gettext_lazy("%(field)s: choose a date."),
            field=label,
        ) from None
    return datetime.combine(day, time(23, 59), tzinfo=UTC)


def _amount(text: str, currency: str, *, label: str) -> int | None:
    return parse_amount_minor(text, currency, field=label) if (text or "").strip() else None


@login_required
def rfq_list(request: HttpRequest) -> HttpResponse:
    """A buyer's RFQs ("My RFQs"), a supplier's "RFQs for you", or every RFQ (operators)."""
    status = request.GET.get("status") or ""
    status = status if status in RfqStatus.values else ""
    actor = _actor(request)
    try:
        found = selectors.rfq_list(status=status or None, **actor)
    except DomainError as exc:
        raise _page_error(exc) from None
    paginator = Paginator(found, PAGE_SIZE)
    page = paginator.get_page(parse_page(request.GET.get("page"), last=paginator.num_pages))
    return render(
        request,
        "trade/rfqs.html",
        {
            "page": page,
            "status": status,
            "statuses": [(s.value, s.label) for s in RfqStatus],
            "is_buyer": actor["actor_role"] == "buyer",
            "is_supplier": actor["actor_role"] == "merchant",
        },
    )


@login_required
def rfq_new(request: HttpRequest) -> HttpResponse:
    """The buyer's "Post an RFQ" form; POST posts it and opens it."""
    actor = _actor(request)
    if actor["actor_role"] != "buyer":
        raise DjangoPermissionDenied(_("Only business buyer accounts can do this."))
    try:
        market = selectors.trade_marketplace()
    except DomainError as exc:
        raise _page_error(exc) from None
    form: dict[str, str] = {"unit": "piece", "quantity": ""}
    error, status = "", 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "")[:4100] for k in RFQ_FORM_FIELDS}
        try:
            detail = services.rfq_post(
                marketplace_slug=market.slug,
                category_id=parse_id(form["category_id"]) or 0,
                product=form["product"],
                quantity=parse_int_or_none(form["quantity"], minimum=None, maximum=None) or 0,
                unit=form["unit"],
                target_unit_price_minor=_amount(
                    form["target_price"], market.default_currency, label=_("Target unit price")
                ),
                destination_country=form["destination_country"] or "XX",
                deadline=_end_of_day(form["deadline"], label=_("Deadline")),
                description=form["description"],
                now=timezone.now(),
                **actor,
            )
        except DomainError as exc:
            error, status = exc.message(), exc.status
        else:
            messages.success(request, _("Your request for quotation was posted."))
            return HttpResponseRedirect(reverse("trade:rfq", args=[detail.rfq.id]))
    return render(
        request,
        "trade/rfq_new.html",
        {
            "form": form,
            "error": error,
            "currency": market.default_currency,
            "categories": selectors.category_choices(getattr(request, "LANGUAGE_CODE", "en")),
            "units": [(u.value, u.label) for u in RfqUnit],
            "countries": countries_by_local_name(getattr(request, "LANGUAGE_CODE", "en")),
        },
        status=status,
    )


def _render_rfq(
    request: HttpRequest,
    detail: selectors.RfqDetail,
    *,
    form: dict[str, str] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    own = detail.quotes[0] if detail.side == "supplier" and detail.quotes else None
    variants: list[selectors.QuotableVariant] = []
    can_quote = False
    if detail.side == "supplier" and detail.merchant_id is not None:
        open_rfq = detail.rfq.status == "open"
        can_quote = open_rfq and (
            (own is None and detail.rfq.deadline > timezone.now())
            or (own is not None and own.live and own.version == 1)
        )
        if can_quote:
            variants = selectors.quotable_variants(
                merchant_id=detail.merchant_id,
                marketplace_id=detail.rfq.marketplace_id,
                currency=detail.rfq.currency,
            )
    if form is None:
        form = {"incoterm": "FOB", "payment_terms": "assurance", "lead_time_days": "30"}
        if own is not None:
            v = own.latest
            form = {
                "variant_id": str(v.variant_id),
                "unit_price": str(
                    Decimal(v.unit_price_minor).scaleb(-currency_exponent(v.currency))
                ),
                "quantity": str(v.quantity),
                "incoterm": v.incoterm,
                "incoterm_place": v.incoterm_place,
                "payment_terms": v.payment_terms,
                "lead_time_days": str(v.lead_time_days),
                "valid_until": v.valid_until.date().isoformat(),
                "note": v.note,
            }
    addresses = (
        selectors.saved_addresses_in(
            buyer_id=actor["actor_id"], country_code=detail.rfq.destination_country
        )
        if detail.side == "buyer" and detail.rfq.status == "open"
        else []
    )
    return render(
        request,
        "trade/rfq.html",
        {
            "detail": detail,
            "rfq": detail.rfq,
            "own": own,
            "can_quote": can_quote,
            "variants": variants,
            "form": form,
            "error": error,
            "incoterms": [(code, incoterm_name(code)) for code in INCOTERMS],
            "payment_terms": [(code, payment_terms_name(code)) for code in PAYMENT_TERMS],
            "addresses": addresses,
            "destination": country_name(detail.rfq.destination_country),
        },
        status=status,
    )


@login_required
def rfq_page(request: HttpRequest, rfq_id: int) -> HttpResponse:
    """The RFQ; opening it marks it seen for the reader's side. The buyer sees the quotes
    side by side with Accept and Decline; a matched supplier its own quote and the form."""
    try:
        detail = services.rfq_mark_read(rfq_id=rfq_id, now=timezone.now(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    return _render_rfq(request, detail)


def _rfq_again(request: HttpRequest, rfq_id: int, exc: DomainError, **extra: Any) -> HttpResponse:
    try:
        detail = selectors.rfq_detail(rfq_id=rfq_id, now=timezone.now(), **_actor(request))
    except DomainError as again:
        raise _page_error(again) from None
    return _render_rfq(request, detail, error=exc.message(), status=exc.status, **extra)


@login_required
@require_POST
def rfq_quote(request: HttpRequest, rfq_id: int) -> HttpResponse:
    """The supplier's quote form: a first quote, or the one revision of its quote."""
    actor = _actor(request)
    form = {k: request.POST.get(k, "")[:2100] for k in QUOTE_FORM_FIELDS}
    try:
        detail = selectors.rfq_detail(rfq_id=rfq_id, now=timezone.now(), **actor)
        own = detail.quotes[0] if detail.side == "supplier" and detail.quotes else None
        terms: dict[str, Any] = {
            "variant_id": parse_id(form["variant_id"]) or 0,
            "unit_price_minor": _amount(
                form["unit_price"], detail.rfq.currency, label=_("Unit price")
            )
            or 0,
            "quantity": parse_int_or_none(form["quantity"], minimum=None, maximum=None) or 0,
            "incoterm": form["incoterm"],
            "incoterm_place": form["incoterm_place"],
            "payment_terms": form["payment_terms"],
            "lead_time_days": parse_int_or_none(form["lead_time_days"], minimum=None, maximum=None)
            or 0,
            "valid_until": _end_of_day(form["valid_until"], label=_("Valid until")),
            "note": form["note"],
            "now": timezone.now(),
        }
        if own is None:
            services.quote_submit(rfq_id=rfq_id, **terms, **actor)
            messages.success(request, _("Your quote was sent."))
        else:
            services.quote_revise(quote_id=own.id, **terms, **actor)
            messages.success(request, _("Your revised quote was sent."))
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _rfq_again(request, rfq_id, exc, form=form)
    return HttpResponseRedirect(reverse("trade:rfq", args=[rfq_id]))


@login_required
@require_POST
def rfq_close(request: HttpRequest, rfq_id: int) -> HttpResponse:
    try:
        services.rfq_close(rfq_id=rfq_id, now=timezone.now(), **_actor(request))
        messages.success(request, _("The request for quotation is closed."))
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    return HttpResponseRedirect(reverse("trade:rfq", args=[rfq_id]))


@login_required
@require_POST
def quote_action(request: HttpRequest, quote_id: int, action: str) -> HttpResponse:
    """Accept or decline (the buyer), withdraw (the supplier's owner or manager)."""
    actor = _actor(request)
    now = timezone.now()
    try:
        found = selectors.quote_get(quote_id=quote_id, now=now, **actor)
        if action == "accept":
            address_id = parse_id(request.POST.get("address_id"))
            address: dict[str, str] | None = None
            if address_id is not None:
                saved = address_get(
                    buyer_id=actor["actor_id"], address_id=address_id, actor_role="buyer"
                )
                address = {
                    "name": saved.name,
                    "line1": saved.line1,
                    "line2": saved.line2,
                    "city": saved.city,
                    "postal_code": saved.postal_code,
                    "phone": saved.phone,
                }
            elif request.POST.get("line1"):
                address = {
                    k: request.POST.get(k, "")[:200]
                    for k in ("name", "line1", "line2", "city", "postal_code", "phone")
                }
            done = services.quote_accept(
                quote_id=quote_id, shipping_address=address, now=now, **actor
            )
            messages.success(
                request,
                _("Quote accepted: order %(number)s was placed; pay it within %(days)s days.")
                % {"number": done.order_number, "days": services.QUOTE_PAYMENT_DAYS},
            )
        elif action == "decline":
            services.quote_decline(quote_id=quote_id, now=now, **actor)
            messages.success(request, _("The quote was declined."))
        elif action == "withdraw":
            services.quote_withdraw(quote_id=quote_id, now=now, **actor)
            messages.success(request, _("Your quote was withdrawn."))
        else:
            raise Http404(_("This quote does not exist."))
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _rfq_again(request, found.rfq_id, exc)
    return HttpResponseRedirect(reverse("trade:rfq", args=[found.rfq_id]))


# --- trade documents ------------------------------------------------------------------------


@login_required
def order_document(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    """A B2B order's proforma invoice, commercial invoice or packing list as a PDF, opened
    in the browser (``?lang=en|it|zh``, default the reader's language). The order pages link
    the documents the order has; one it does not have yet (409) or cannot be drawn (503)
    answers a short page that says why."""
    try:
        document = selectors.order_document(
            number=number[:24], kind=kind, language=request.GET.get("lang"), **_actor(request)
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return render(
            request,
            "trade/document_unavailable.html",
            {
                "message": exc.message(),
                "back": reverse(
                    "orders:console_order"
                    if getattr(request.user, "role", "") == "merchant"
                    else "orders:order_detail",
                    args=[number],
                ),
            },
            status=exc.status,
        )
    answer = HttpResponse(document.pdf, content_type="application/pdf")
    answer["Content-Disposition"] = f'inline; filename="{document.filename}"'
    answer["Content-Language"] = document.language
    return answer


# --- pavilions ------------------------------------------------------------------------------

PAVILION_PAGE_SIZE = 12


def pavilion_list(request: HttpRequest) -> HttpResponse:
    """Public: every pavilion with its quota and seats left."""
    language = getattr(request, "LANGUAGE_CODE", "en")
    pavilions = selectors.pavilion_list()
    reviews = selectors.pavilions_reviewed_by(pavilions=pavilions, **_actor(request))
    return render(
        request,
        "trade/pavilion_list.html",
        {"rows": [(p, p.name(language), p.intro(language), p.id in reviews) for p in pavilions]},
    )


def pavilion_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: the landing page. Hero, featured categories (links to the search inside the
    pavilion), admitted companies by region, the search (``q``, ``category``, ``page``) and
    the live results, which static/trade/pavilion.js refreshes from the stats endpoint."""
    try:
        pavilion = selectors.pavilion_get(slug=slug)
    except DomainError as exc:
        raise _page_error(exc) from None
    language = getattr(request, "LANGUAGE_CODE", "en")
    q = (request.GET.get("q") or "").strip()[:100]
    category = (request.GET.get("category") or "").strip()[:60]
    category = category if category.replace("-", "").isalnum() else ""
    page_number = parse_page(request.GET.get("page"), last=10_000)
    results = selectors.pavilion_listing_search(
        pavilion=pavilion,
        q=q or None,
        category_slug=category or None,
        limit=PAVILION_PAGE_SIZE,
        offset=(page_number - 1) * PAVILION_PAGE_SIZE,
    )
    stats = selectors.pavilion_stats_cached(slug=slug, now=timezone.now())
    query = "".join(f"{k}={v}&" for k, v in (("q", q), ("category", category)) if v)
    return render(
        request,
        "trade/pavilion.html",
        {
            "pavilion": pavilion,
            "name": pavilion.name(language),
            "intro": pavilion.intro(language),
            "featured": [(c.slug, c.name(language)) for c in pavilion.featured],
            "groups": selectors.pavilion_companies(pavilion_id=pavilion.id),
            "results": results,
            "market": {"slug": pavilion.marketplace_slug},
            "q": q,
            "category": category,
            "query": query,
            "page_number": page_number,
            "stats": stats,
            "countries": [country_name(c) for c in stats.buyer_countries],
            "poll_url": f"/api/v1/trade/pavilions/{pavilion.slug}/stats",
            "country_label": country_name(pavilion.country),
            "reviews": bool(
                selectors.pavilions_reviewed_by(pavilions=[pavilion], **_actor(request))
            ),
        },
    )


@login_required
def console_pavilions(request: HttpRequest) -> HttpResponse:
    """The merchant console's "Pavilions": every pavilion with the company's application
    (status, reason, withdraw) and the form to apply; POST applies (owners and managers;
    clerks see the page and are refused on POST)."""
    actor = _actor(request)
    if actor["actor_role"] != "merchant":
        raise DjangoPermissionDenied(_("Only merchant staff can do this."))
    merchant_id = parse_id(request.GET.get("merchant")) or selectors.first_merchant_of(
        user_id=actor["actor_id"]
    )
    if merchant_id is None:
        raise Http404(_("Your account does not belong to a company yet."))
    error, status, failed_slug, motivation = "", 200, "", ""
    if request.method == "POST":
        failed_slug = request.POST.get("pavilion", "")[:60]
        motivation = request.POST.get("motivation", "")[:1100]
        try:
            services.pavilion_apply(
                slug=failed_slug,
                merchant_id=merchant_id,
                motivation=motivation,
                now=timezone.now(),
                **actor,
            )
        except NotFound as exc:
            raise _page_error(exc) from None
        except DomainError as exc:
            error, status = exc.message(), exc.status
        else:
            messages.success(
                request, _("Your application was sent; the pavilion's team will review it.")
            )
            return HttpResponseRedirect(
                f"{reverse('trade:console_pavilions')}?merchant={merchant_id}"
            )
    try:
        applications = selectors.merchant_applications(merchant_id=merchant_id, **actor)
    except DomainError as exc:
        raise _page_error(exc) from None
    language = getattr(request, "LANGUAGE_CODE", "en")
    live = {a.pavilion_id: a for a in applications if a.is_live}
    pavilions = selectors.pavilion_list()
    names = {p.id: p.name(language) for p in pavilions}
    return render(
        request,
        "trade/console_pavilions.html",
        {
            "console_section": "pavilions",
            "merchant_id": merchant_id,
            "rows": [(p, names[p.id], live.get(p.id)) for p in pavilions],
            "applications": [(a, names.get(a.pavilion_id, a.pavilion_slug)) for a in applications],
            "error": error,
            "failed_slug": failed_slug,
            "motivation": motivation,
        },
        status=status,
    )


@login_required
@require_POST
def console_pavilion_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    actor = _actor(request)
    try:
        found = services.application_withdraw(
            application_id=application_id, now=timezone.now(), **actor
        )
        messages.success(request, _("Your application was withdrawn."))
        merchant_id = found.merchant_id
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        merchant_id = parse_id(request.POST.get("merchant")) or 0
    suffix = f"?merchant={merchant_id}" if merchant_id else ""
    return HttpResponseRedirect(reverse("trade:console_pavilions") + suffix)


REVIEW_STATUSES = ("pending", "waitlisted", "admitted", "rejected", "withdrawn", "ended")


@login_required
def pavilion_review(request: HttpRequest, slug: str) -> HttpResponse:
    """The owner partner's staff (and operators): the applications with their review
    buttons, the quota used, and the switch that opens or closes applications. Others 403."""
    actor = _actor(request)
    status = request.GET.get("status") or ""
    status = status if status in REVIEW_STATUSES else ""
    try:
        pavilion = selectors.pavilion_get(slug=slug)
        found = selectors.application_list(slug=slug, status=status or None, **actor)
    except DomainError as exc:
        raise _page_error(exc) from None
    paginator = Paginator(found, PAGE_SIZE)
    page = paginator.get_page(parse_page(request.GET.get("page"), last=paginator.num_pages))
    language = getattr(request, "LANGUAGE_CODE", "en")
    stats = selectors.pavilion_stats(slug=slug, now=timezone.now())
    return render(
        request,
        "trade/pavilion_review.html",
        {
            "pavilion": pavilion,
            "name": pavilion.name(language),
            "page": page,
            "status": status,
            "statuses": [(s, ApplicationStatus(s).label) for s in REVIEW_STATUSES],
            "stats": stats,
            "used_pct": round(100 * pavilion.admitted / pavilion.quota),
        },
    )


@login_required
@require_POST
def pavilion_decide(request: HttpRequest, slug: str, application_id: int) -> HttpResponse:
    actor = _actor(request)
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("admit", "reject"):
            raise DomainError("decision missing", message=_("Choose admit or reject."))
        found = services.application_decide(
            application_id=application_id,
            admit=decision == "admit",
            reason=request.POST.get("reason", "")[:600],
            now=timezone.now(),
            **actor,
        )
    except NotFound as exc:
        raise _page_error(exc) from None
    except PermissionDenied as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    else:
        if found.status == ApplicationStatus.WAITLISTED:
            messages.warning(request, _("The quota is full: the company is on the waiting list."))
        else:
            messages.success(request, _("Decision saved."))
    return HttpResponseRedirect(reverse("trade:pavilion_review", args=[slug]))


@login_required
@require_POST
def pavilion_open(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = services.pavilion_open_set(
            slug=slug, is_open=request.POST.get("is_open") == "1", **_actor(request)
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    if found.is_open:
        messages.success(request, _("The pavilion accepts applications."))
    else:
        messages.success(request, _("The pavilion no longer accepts applications."))
    return HttpResponseRedirect(reverse("trade:pavilion_review", args=[slug]))


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
    suffix = language_suffix(language)
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
