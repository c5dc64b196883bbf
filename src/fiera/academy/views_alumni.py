"""The alumni pages: the directory (search and filters), one's own directory profile (opt in
or out), the board (posts newest first, a post with its replies, edit and delete in the first
15 minutes, operators hide with a reason). Signed-in alumni and operators; anyone else signed
in gets a 403 page saying how one becomes an alumnus, an anonymous visitor the sign-in page.
Each view makes one call into ``fiera.academy.alumni``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fiera.academy import alumni
from fiera.academy.models import AlumniContact
from fiera.academy.pages import page_error as _page_error
from fiera.common.errors import DomainError, NotFound, PermissionDenied
from fiera.common.parsing import parse_id, parse_page
from fiera.common.reference import countries_by_local_name

DIRECTORY_PAGE = 24
BOARD_PAGE = 20


def _actor(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {"actor_id": int(user.pk or 0), "actor_role": str(getattr(user, "role", ""))}


def _query(**params: str) -> str:
    """The filters as a query string prefix for the pager links (``a=1&b=2&`` or "")."""
    kept = {k: v for k, v in params.items() if v}
    return urlencode(kept) + "&" if kept else ""


# --- the directory -------------------------------------------------------------------------


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[: alumni.SEARCH_MAX]
    country = (request.GET.get("country") or "").strip()[:2].upper()
    sector = (request.GET.get("sector") or "").strip()[:80]
    cohort = (request.GET.get("cohort") or "").strip()[:80]
    language = get_language()
    try:
        filters = alumni.alumni_directory_filters(language=language, **_actor(request))
        listing = alumni.alumni_directory(
            search=q,
            country=country,
            sector_slug=sector,
            cohort_slug=cohort,
            language=language,
            **_actor(request),
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    paginator = Paginator(listing, DIRECTORY_PAGE)
    page = paginator.get_page(parse_page(request.GET.get("page"), last=paginator.num_pages))
    return render(
        request,
        "academy/alumni/directory.html",
        {
            "page": page,
            "filters": filters,
            "q": q,
            "country": country,
            "sector": sector,
            "cohort": cohort,
            "query": _query(q=q, country=country, sector=sector, cohort=cohort),
        },
    )


# --- the profile ---------------------------------------------------------------------------


def _profile_form(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    merchant = post.get("company_merchant_id") or ""
    return {
        "listed": post.get("listed") == "on",
        "name": post.get("name", ""),
        "headline": post.get("headline", ""),
        "company_merchant_id": parse_id(merchant) if merchant else None,
        "company_name": post.get("company_name", ""),
        "sector_slug": post.get("sector_slug", ""),
        "country": post.get("country", ""),
        "contact": post.get("contact", AlumniContact.NONE),
    }


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    form: dict[str, Any] | None = None
    if request.method == "POST":
        form = _profile_form(request)
        try:
            alumni.alumni_profile_save(now=timezone.now(), **form, **_actor(request))
        except (NotFound, PermissionDenied) as exc:
            raise _page_error(exc) from None
        except DomainError as exc:
            error, status = exc.message(), exc.status
        else:
            messages.success(request, _("Your directory profile was saved."))
            return HttpResponseRedirect(reverse("academy:alumni_profile"))
    try:
        info = alumni.alumni_profile_get(language=get_language(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    shown: dict[str, Any] = form or {
        "listed": info.listed,
        "name": info.name,
        "headline": info.headline,
        "company_merchant_id": info.company_merchant_id,
        "company_name": info.company_name,
        "sector_slug": info.sector_slug,
        "country": info.country,
        "contact": info.contact,
    }
    shown["company_merchant_id"] = str(shown["company_merchant_id"] or "")
    return render(
        request,
        "academy/alumni/profile.html",
        {
            "info": info,
            "form": shown,
            "error": error,
            "countries": countries_by_local_name(get_language()),
            "contacts": AlumniContact.choices,
        },
        status=status,
    )


# --- the board -----------------------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    form = {"title": "", "body": ""}
    if request.method == "POST":
        form = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        try:
            made = alumni.alumni_post_create(
                title=form["title"], body=form["body"], now=timezone.now(), **_actor(request)
            )
        except (NotFound, PermissionDenied) as exc:
            raise _page_error(exc) from None
        except DomainError as exc:
            error, status = exc.message(), exc.status
        else:
            messages.success(request, _("Your post is on the board."))
            return HttpResponseRedirect(reverse("academy:alumni_post", args=[made.id]))
    try:
        posts = alumni.alumni_post_list(**_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    paginator = Paginator(posts, BOARD_PAGE)
    page = paginator.get_page(parse_page(request.GET.get("page"), last=paginator.num_pages))
    return render(
        request,
        "academy/alumni/board.html",
        {"page": page, "form": form, "error": error},
        status=status,
    )


def _post_page(
    request: HttpRequest,
    post_id: int,
    *,
    reply: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    try:
        info = alumni.alumni_post_get(post_id=post_id, now=timezone.now(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    return render(
        request,
        "academy/alumni/post.html",
        {"post": info, "reply": reply, "error": error},
        status=status,
    )


@login_required
def post(request: HttpRequest, post_id: int) -> HttpResponse:
    if request.method != "POST":
        return _post_page(request, post_id)
    body = request.POST.get("body", "")
    try:
        made = alumni.alumni_reply_create(
            post_id=post_id, body=body, now=timezone.now(), **_actor(request)
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _post_page(request, post_id, reply=body, error=exc.message(), status=exc.status)
    url = reverse("academy:alumni_post", args=[post_id])
    return HttpResponseRedirect(f"{url}#reply-{made.id}")


@login_required
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    error = ""
    status = 200
    try:
        info = alumni.alumni_post_get(post_id=post_id, now=timezone.now(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    form = {"title": info.title, "body": info.body}
    if request.method == "POST":
        form = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        try:
            alumni.alumni_post_edit(
                post_id=post_id,
                title=form["title"],
                body=form["body"],
                now=timezone.now(),
                **_actor(request),
            )
        except (NotFound, PermissionDenied) as exc:
            raise _page_error(exc) from None
        except DomainError as exc:
            error, status = exc.message(), exc.status
        else:
            messages.success(request, _("Your post was changed."))
            return HttpResponseRedirect(reverse("academy:alumni_post", args=[post_id]))
    elif not info.can_change:
        raise DjangoPermissionDenied(
            _("Posts and replies can be changed only in the first 15 minutes after writing them.")
        )
    return render(
        request,
        "academy/alumni/edit.html",
        {"post": info, "form": form, "error": error, "kind": "post"},
        status=status,
    )


@login_required
@require_POST
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    try:
        alumni.alumni_post_delete(post_id=post_id, now=timezone.now(), **_actor(request))
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(reverse("academy:alumni_post", args=[post_id]))
    messages.success(request, _("Your post was deleted."))
    return HttpResponseRedirect(reverse("academy:alumni_board"))


@login_required
@require_POST
def post_hide(request: HttpRequest, post_id: int) -> HttpResponse:
    try:
        alumni.alumni_post_hide(
            post_id=post_id,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
            **_actor(request),
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
    else:
        messages.success(request, _("The post is hidden from alumni."))
    return HttpResponseRedirect(reverse("academy:alumni_post", args=[post_id]))


@login_required
def reply_edit(request: HttpRequest, reply_id: int) -> HttpResponse:
    error = ""
    status = 200
    body = request.POST.get("body", "")
    if request.method == "POST":
        try:
            made = alumni.alumni_reply_edit(
                reply_id=reply_id, body=body, now=timezone.now(), **_actor(request)
            )
        except (NotFound, PermissionDenied) as exc:
            raise _page_error(exc) from None
        except DomainError as exc:
            error, status = exc.message(), exc.status
        else:
            messages.success(request, _("Your reply was changed."))
            url = reverse("academy:alumni_post", args=[made.post_id])
            return HttpResponseRedirect(f"{url}#reply-{made.id}")
    try:
        found = alumni.alumni_reply_get(reply_id=reply_id, now=timezone.now(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    if request.method != "POST":
        if not found.can_change:
            raise DjangoPermissionDenied(
                _(
                    "Posts and replies can be changed only in the first 15 minutes after "
                    "writing them."
                )
            )
        body = found.body
    return render(
        request,
        "academy/alumni/edit.html",
        {"reply": found, "form": {"body": body}, "error": error, "kind": "reply"},
        status=status,
    )


@login_required
@require_POST
def reply_delete(request: HttpRequest, reply_id: int) -> HttpResponse:
    try:
        post_id = alumni.alumni_reply_delete(
            reply_id=reply_id, now=timezone.now(), **_actor(request)
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(reverse("academy:alumni_board"))
    messages.success(request, _("Your reply was deleted."))
    return HttpResponseRedirect(reverse("academy:alumni_post", args=[post_id]))


@login_required
@require_POST
def reply_hide(request: HttpRequest, reply_id: int) -> HttpResponse:
    try:
        made = alumni.alumni_reply_hide(
            reply_id=reply_id,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
            **_actor(request),
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(reverse("academy:alumni_board"))
    messages.success(request, _("The reply is hidden from alumni."))
    url = reverse("academy:alumni_post", args=[made.post_id])
    return HttpResponseRedirect(f"{url}#reply-{made.id}")
