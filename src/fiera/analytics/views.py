"""The analytics pages (decision 0027): the dashboard at ``/analytics/`` (operators see all
of Fiera, merchant staff their store, partner staff their partner's merchants), a
pavilion's dashboard at ``/analytics/pavilion/<slug>/`` (operators and the partner that runs
it), and each chart's figures as CSV and SVG at ``.../chart/<name>.csv|.svg`` with the
page's filters. Anonymous visitors are sent to sign in; other roles get the 403 page; a
filter that cannot be read answers 400 with the dashboard's form and what is wrong.

The reports page at ``/analytics/reports/`` (decision 0028) offers a form per report the
user may have; each is a GET of ``/analytics/reports/<kind>/`` that downloads the file, or
answers the page again with what is wrong (4xx; 503 for a PDF where WeasyPrint is missing)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from fiera.analytics import dashboard, report_downloads
from fiera.analytics.charts import chart_csv, chart_svg
from fiera.common.errors import DomainError, NotFound, PermissionDenied

SCOPE_PARAMS = ("merchant", "partner")


def _actor(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {"actor_id": int(user.pk or 0), "actor_role": str(getattr(user, "role", ""))}


def _refuse(exc: DomainError) -> Exception:
    if isinstance(exc, NotFound):
        return Http404(exc.message())
    return DjangoPermissionDenied(exc.message())


def _scope(request: HttpRequest, slug: str) -> dashboard.selectors.Scope:
    """The scope the signed-in user asked for; 403 / 404 pages for what they may not see
    (an id that is not a number is ``BadFilter``, for the caller to show)."""
    try:
        return dashboard.dashboard_scope(
            **_actor(request),
            pavilion_slug=slug,
            merchant="" if slug else request.GET.get("merchant", ""),
            partner="" if slug else request.GET.get("partner", ""),
        )
    except (PermissionDenied, NotFound) as exc:
        raise _refuse(exc) from None


def _status(exc: DomainError) -> int:
    return exc.status if 400 <= exc.status < 500 else 400


def _chart_url(slug: str, name: str, extension: str, query: str) -> str:
    if slug:
        path = reverse("analytics:pavilion_chart", args=[slug, name, extension])
    else:
        path = reverse("analytics:chart", args=[name, extension])
    return f"{path}?{query}" if query else path


@login_required
def dashboard_page(request: HttpRequest, slug: str = "") -> HttpResponse:
    """The dashboard: filters, KPI tiles, the charts with their downloads."""
    context: dict[str, Any] = {
        "scope": None,
        "slug": slug,
        "choices": dashboard.filter_choices(),
        "values": {k: request.GET.get(k, "") for k in dashboard.PARAMS},
        "pavilions": [] if slug else dashboard.pavilion_links(**_actor(request)),
    }
    try:
        context["scope"] = scope = _scope(request, slug)
        question = dashboard.question_from(request.GET, today=timezone.now().date())
        found = dashboard.dashboard_get(question=question, scope=scope)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise _refuse(exc) from None
        context["error"] = exc.message()
        return render(request, "analytics/dashboard.html", context, status=_status(exc))
    kept = [(k, request.GET[k]) for k in SCOPE_PARAMS if request.GET.get(k) and not slug]
    query = urlencode([*question.params, *kept])
    context.update(
        {
            "values": dict(question.params),
            "question": question,
            "dashboard": found,
            "cards": {
                chart.name.replace("-", "_"): {
                    "chart": chart,
                    "svg": mark_safe(chart_svg(chart)),  # noqa: S308 - escaped by charts.py
                    "csv_url": _chart_url(slug, chart.name, "csv", query),
                    "svg_url": _chart_url(slug, chart.name, "svg", query),
                    "png_name": dashboard.file_name(chart, question, "png"),
                }
                for chart in found.charts
            },
        }
    )
    return render(request, "analytics/dashboard.html", context)


@login_required
def chart_file(request: HttpRequest, name: str, extension: str, slug: str = "") -> HttpResponse:
    """One chart's figures as CSV or as a standalone SVG file, for the page's filters."""
    try:
        scope = _scope(request, slug)
        question = dashboard.question_from(request.GET, today=timezone.now().date())
        chart = dashboard.dashboard_chart(name=name, question=question, scope=scope)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise _refuse(exc) from None
        if isinstance(exc, dashboard.UnknownChart):
            raise Http404(exc.message()) from None
        return HttpResponse(
            exc.message() + "\n",
            status=_status(exc),
            content_type="text/plain; charset=utf-8",
        )
    if extension == "csv":
        response = HttpResponse(chart_csv(chart), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            chart_svg(chart, standalone=True), content_type="image/svg+xml; charset=utf-8"
        )
    filename = dashboard.file_name(chart, question, extension)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _reports_context(request: HttpRequest, kind: str = "") -> dict[str, Any]:
    """The reports page's choices for the signed-in user (buyers and learners: the 403
    page); the asked form keeps the values it was sent with."""
    try:
        choices = report_downloads.report_choices(**_actor(request), today=timezone.now().date())
    except DomainError as exc:
        raise _refuse(exc) from None
    values: dict[str, dict[str, str]] = {k: {} for k in choices.kinds}
    if kind:
        values[kind] = request.GET.dict()
    return {
        "choices": choices,
        "values": values,
        "language": report_downloads.reader_language(),
        "format": report_downloads.DEFAULT_FORMAT,
    }


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """A form per report the user may have: festival, month, pavilion, partner."""
    return render(request, "analytics/reports.html", _reports_context(request))


@login_required
def report_file(request: HttpRequest, kind: str) -> HttpResponse:
    """One report as a file, from the page's form (its query string)."""
    try:
        ask = report_downloads.report_asked(kind, request.GET)
        found = report_downloads.report_file(ask=ask, **_actor(request), now=timezone.now())
    except DomainError as exc:
        context = _reports_context(request, kind)
        context["error"] = exc.message()
        return render(request, "analytics/reports.html", context, status=exc.status)
    response = HttpResponse(found.data, content_type=found.content_type)
    response["Content-Disposition"] = found.disposition
    response["Content-Language"] = found.language
    response["Cache-Control"] = "private, no-store"
    return response
