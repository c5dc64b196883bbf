"""The partner's page: who the partner is, the companies it brought to Fiera with their
sales over the last 12 months, and its lead funnel. It lives in ``fiera.web`` because it
composes two apps that do not know each other: ``partners`` (which merchants a partner
brought) and ``orders`` (what those merchants sold); ``partners`` sits below ``orders``
and may not read it (docs/decisions/0013-partners.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fiera.accounts.roles import OPERATOR, PARTNER
from fiera.common.errors import DomainError, NotFound
from fiera.common.money import Money
from fiera.orders.selectors import merchant_sales
from fiera.partners import selectors as partner_selectors
from fiera.trade.selectors import pavilion_list

SALES_DAYS = 365


def _actor(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {"actor_id": int(user.pk or 0), "actor_role": str(getattr(user, "role", ""))}


def _refuse(exc: DomainError) -> Exception:
    if isinstance(exc, NotFound):
        return Http404(exc.message())
    return DjangoPermissionDenied(exc.message())


@login_required
def partner_home(request: HttpRequest) -> HttpResponse:
    """Partner staff go to their partner's page; operators see every partner."""
    try:
        partners = partner_selectors.partner_list(**_actor(request))
    except DomainError as exc:
        raise _refuse(exc) from None
    if getattr(request.user, "role", "") == PARTNER:
        if not partners:
            raise Http404(_("Your account does not belong to a partner yet."))
        return HttpResponseRedirect(reverse("web:partner_page", args=[partners[0].slug]))
    return render(request, "web/partner_list.html", {"partners": partners})


def _totals(amounts: list[Money]) -> list[Money]:
    by_currency: dict[str, int] = {}
    for money in amounts:
        by_currency[money.currency] = by_currency.get(money.currency, 0) + money.amount_minor
    return [Money(v, c) for c, v in sorted(by_currency.items())]


@login_required
def partner_page(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _actor(request)
    try:
        partner_id = partner_selectors.partner_id_for(slug=slug, **actor)
        partner = partner_selectors.partner_get(partner_id=partner_id, **actor)
        merchants = partner_selectors.partner_merchants(partner_id=partner_id, **actor)
        funnel = partner_selectors.conversion(partner_id=partner_id, **actor)
        staff = partner_selectors.staff_list(partner_id=partner_id, **actor)
    except DomainError as exc:
        raise _refuse(exc) from None
    until = timezone.now()
    since = until - timedelta(days=SALES_DAYS)
    ids = [m.merchant_id for m in merchants]
    sales = merchant_sales(merchant_ids=ids, since=since, until=until)
    rows = [(m, sales.get(m.merchant_id)) for m in merchants]
    widest = max((s.count for s in funnel.stages), default=0) or 1
    stages = [(s, round(100 * s.count / widest)) for s in funnel.stages]
    user_id = actor["actor_id"]
    manages = actor["actor_role"] == OPERATOR or any(
        s.user_id == user_id and s.role == "admin" for s in staff
    )
    return render(
        request,
        "web/partner_page.html",
        {
            "partner": partner,
            "rows": rows,
            "totals": _totals([money for s in sales.values() for money in s.sales]),
            "orders": sum(s.orders for s in sales.values()),
            "funnel": funnel,
            "stages": stages,
            "staff": staff,
            "manages_staff": manages,
            "since": since,
            "pavilions": [
                (p, p.name(getattr(request, "LANGUAGE_CODE", "en")))
                for p in pavilion_list(partner_id=partner.id)
            ],
        },
    )
