"""The alumni community: the opt-in directory of certified people and their board.

Who belongs: a person with at least one enrolment whose ``certified_at`` is set (an
alumnus). Alumni and operators may read the directory and the board and write on the board;
everyone else gets ``NotAlumnus`` (403, saying how one becomes an alumnus), and the pages and
the API turn an anonymous visitor away before any of this runs (login / 401).

The directory lists a person when they opted in (``Enrolment.alumni_listed`` on their
certified enrolments, default off) and have an ``AlumniProfile``; one row per person with the
cohorts they were certified in. The board holds posts and replies in Markdown, rendered safely
(no raw HTML, no images, links only to http, https and mailto). An author may change or delete
their own post or reply in its first ``EDIT_WINDOW``; operators hide any, with a reason. A
person writes at most ``POSTS_PER_HOUR`` posts and ``REPLIES_PER_HOUR`` replies an hour
(operators are not limited).

Services (writes) take ``now``; each runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, overload

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fiera.academy.markdown import render as render_markdown
from fiera.academy.models import (
    AlumniContact,
    AlumniPost,
    AlumniProfile,
    AlumniReply,
    Cohort,
    Enrolment,
)
from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.accounts.selectors import user_contacts, user_summaries
from fiera.common.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    not_one_of,
)
from fiera.common.reference import country_name, is_country
from fiera.merchants.selectors import (
    merchant_get,
    merchant_ids_for_user,
    merchant_summaries,
    sector_list,
)

EDIT_WINDOW = timedelta(minutes=15)
POSTS_PER_HOUR = 10
REPLIES_PER_HOUR = 30
TITLE_MAX = 160
BODY_MAX = 10_000
REASON_MAX = 300
SEARCH_MAX = 100

_MODERATORS = frozenset({OPERATOR, SYSTEM})


# --- errors --------------------------------------------------------------------------------


class NotAlumnus(PermissionDenied):
    code = "alumni_only"
    message_template = _(
        "The alumni community is open to people who earned an academy certificate, and to "
        "operators. Complete a course and pass its final exam to join."
    )


class AlumniPostNotFound(NotFound):
    code = "alumni_post_not_found"
    message_template = _("This post does not exist or was removed.")


class AlumniReplyNotFound(NotFound):
    code = "alumni_reply_not_found"
    message_template = _("This reply does not exist or was removed.")


class NotTheAuthor(PermissionDenied):
    code = "alumni_not_author"
    message_template = _("Only the person who wrote it can change or delete it.")


class EditWindowClosed(Conflict):
    code = "alumni_edit_window_closed"
    message_template = _(
        "Posts and replies can be changed or deleted only in the first %(minutes)s minutes "
        "after writing them."
    )


class ModeratorsOnly(PermissionDenied):
    code = "alumni_moderators_only"
    message_template = _("Only operators can hide posts and replies.")


class WritingTooOften(DomainError):
    status = 429
    code = "alumni_rate_limited"
    message_template = _(
        "You have written %(limit)s posts in the last hour, the most allowed; please try "
        "again later."
    )


_REPLIES_TOO_OFTEN = _(
    "You have written %(limit)s replies in the last hour, the most allowed; please try again later."
)


class NoSuchCompany(InvalidInput):
    code = "alumni_company_not_yours"
    message_template = _("Choose one of the companies you work for, or type the company name.")


# --- Markdown ------------------------------------------------------------------------------


def markdown_html(text: str) -> str:
    """Markdown as HTML that is safe to show, by the academy's one renderer
    (``fiera.academy.markdown``: raw HTML escaped, links only to http(s)/mailto/relative with
    ``rel=nofollow`` when external, images only from this site)."""
    return str(render_markdown(text))


# --- who belongs ---------------------------------------------------------------------------


def _certified(user_id: int) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(user_id=user_id, certified_at__isnull=False)


def alumni_is_member(*, actor_id: int | None, actor_role: str) -> bool:
    """True for operators (and the system) and for people with a certified enrolment."""
    if actor_role in _MODERATORS:
        return True
    return actor_id is not None and _certified(actor_id).exists()


def _require_member(actor_id: int | None, actor_role: str) -> None:
    if not alumni_is_member(actor_id=actor_id, actor_role=actor_role):
        raise NotAlumnus(f"user {actor_id} ({actor_role}) has no certified enrolment")


def _require_alumnus(actor_id: int | None) -> int:
    """The actor's id when they are certified themselves (a profile needs a certificate)."""
    if actor_id is None or not _certified(actor_id).exists():
        raise NotAlumnus(f"user {actor_id} has no certified enrolment")
    return actor_id


# --- sectors, countries, certificates -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


def _language(language: str | None) -> str:
    return (language or get_language() or "en").lower()


def _sectors() -> dict[str, Any]:
    return {s.slug: s for s in sector_list()}


def _sector_name(info: Any, language: str) -> str:
    if info is None:
        return ""
    if language.startswith("it") and info.name_it:
        return str(info.name_it)
    if language.startswith("zh") and info.name_zh:
        return str(info.name_zh)
    if language.startswith("es") and info.name_es:
        return str(info.name_es)
    return str(info.name)


def _certificate_paths(enrolment_ids: Iterable[int]) -> dict[int, str]:
    """The certificate page of each enrolment, when the certificates feature keeps one
    (``academy.Certificate`` with ``enrolment`` and ``public_id``); empty otherwise."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    try:
        model: Any = apps.get_model("academy." + "Certificate")
        rows = model.objects.filter(enrolment_id__in=ids).values_list("enrolment_id", "public_id")
        return {int(e): f"/academy/certificates/{p}/" for e, p in rows}
    except (LookupError, FieldError):
        return {}


# --- the directory -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CohortRef:
    slug: str
    name: str
    certificate_url: str  # "" when unknown


@dataclass(frozen=True, slots=True)
class Alumnus:
    user_id: int
    name: str
    headline: str
    company_name: str
    country: str  # ISO 3166-1 alpha-2, "" when not given
    country_name: str  # in the requested language
    sector_slug: str
    sector_name: str  # in the requested language
    cohorts: tuple[CohortRef, ...]
    email: str  # "" unless the person chose to show it


T = TypeVar("T")
_MAX_OFFSET = 2**62


class _Listing(Sequence[T]):
    """A lazy, sliceable list: ``len()`` counts in SQL, a slice fetches one page and turns
    its rows into values in a few batch queries. Made for ninja's ``@paginate`` and Django's
    ``Paginator``."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self._queryset = queryset

    def __len__(self) -> int:
        return self._queryset.count()

    def _rows(self, rows: list[Any]) -> list[T]:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            if (index.start or 0) >= _MAX_OFFSET:
                return []
            stop = None if index.stop is None else min(index.stop, _MAX_OFFSET)
            return self._rows(list(self._queryset[index.start : stop]))
        return self._rows([self._queryset[index]])[0]


class AlumniListing(_Listing[Alumnus]):
    def __init__(self, queryset: QuerySet[Any], *, language: str) -> None:
        super().__init__(queryset)
        self._language = language

    def _rows(self, rows: list[Any]) -> list[Alumnus]:
        user_ids = [p.user_id for p in rows]
        enrolments = list(
            Enrolment.objects.filter(
                user_id__in=user_ids, certified_at__isnull=False, alumni_listed=True
            )
            .select_related("cohort")
            .order_by("cohort__starts_on", "id")
        )
        paths = _certificate_paths(e.pk for e in enrolments)
        cohorts: dict[int, list[CohortRef]] = {}
        for e in enrolments:
            cohorts.setdefault(e.user_id, []).append(
                CohortRef(e.cohort.slug, e.cohort.name, paths.get(e.pk, ""))
            )
        emails = {
            uid: c.email
            for uid, c in user_contacts(
                user_ids=[p.user_id for p in rows if p.contact == AlumniContact.EMAIL]
            ).items()
        }
        sectors = _sectors()
        return [
            Alumnus(
                user_id=p.user_id,
                name=p.name,
                headline=p.headline,
                company_name=p.company_name,
                country=p.country,
                country_name=country_name(p.country, self._language) if p.country else "",
                sector_slug=p.sector_slug,
                sector_name=_sector_name(sectors.get(p.sector_slug), self._language),
                cohorts=tuple(cohorts.get(p.user_id, ())),
                email=emails.get(p.user_id, ""),
            )
            for p in rows
        ]


def alumni_directory(
    *,
    actor_id: int | None,
    actor_role: str,
    search: str = "",
    country: str = "",
    sector_slug: str = "",
    cohort_slug: str = "",
    language: str | None = None,
) -> AlumniListing:
    """The listed alumni by name, filtered by a text in their name or company, a country
    (ISO alpha-2), a sector slug and a cohort slug; for alumni and operators (``NotAlumnus``
    otherwise). Names of countries and sectors in ``language`` (the active one by default).
    Unknown filter values match nobody; a search longer than ``SEARCH_MAX`` is cut."""
    _require_member(actor_id, actor_role)
    listed = Enrolment.objects.filter(certified_at__isnull=False, alumni_listed=True)
    if cohort_slug:
        listed = listed.filter(cohort__slug=cohort_slug)
    qs = AlumniProfile.objects.filter(user_id__in=listed.values("user_id"))
    text = (search or "").strip()[:SEARCH_MAX]
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(company_name__icontains=text))
    if country:
        qs = qs.filter(country=country.upper())
    if sector_slug:
        qs = qs.filter(sector_slug=sector_slug)
    return AlumniListing(qs.order_by("name", "id"), language=_language(language))


@dataclass(frozen=True, slots=True)
class DirectoryFilters:
    countries: tuple[Choice, ...]
    sectors: tuple[Choice, ...]
    cohorts: tuple[Choice, ...]


def alumni_directory_filters(
    *, actor_id: int | None, actor_role: str, language: str | None = None
) -> DirectoryFilters:
    """The countries, sectors and cohorts that listed alumni have, for the filter menus."""
    _require_member(actor_id, actor_role)
    lang = _language(language)
    listed = Enrolment.objects.filter(certified_at__isnull=False, alumni_listed=True)
    profiles = AlumniProfile.objects.filter(user_id__in=listed.values("user_id"))
    codes = set(profiles.exclude(country="").values_list("country", flat=True))
    slugs = set(profiles.exclude(sector_slug="").values_list("sector_slug", flat=True))
    sectors = _sectors()
    cohorts = Cohort.objects.filter(pk__in=listed.values("cohort_id")).order_by("-starts_on")
    return DirectoryFilters(
        countries=tuple(
            sorted((Choice(c, country_name(c, lang)) for c in codes), key=lambda c: c.label.lower())
        ),
        sectors=tuple(
            sorted(
                (Choice(s, _sector_name(sectors.get(s), lang) or s) for s in slugs),
                key=lambda c: c.label.lower(),
            )
        ),
        cohorts=tuple(Choice(c.slug, c.name) for c in cohorts),
    )


# --- the profile ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlumniProfileInfo:
    user_id: int
    listed: bool
    name: str
    headline: str
    company_merchant_id: int | None
    company_name: str
    sector_slug: str
    country: str
    contact: str
    companies: tuple[Choice, ...]  # the merchants the person works for (value: the id)
    sectors: tuple[Choice, ...]  # every sector, in the requested language
    saved: bool  # False until the person saves it the first time


def _companies(user_id: int) -> tuple[Choice, ...]:
    summaries = merchant_summaries(merchant_ids=merchant_ids_for_user(user_id=user_id))
    return tuple(
        Choice(str(m.id), m.display_name)
        for m in sorted(summaries.values(), key=lambda m: m.display_name)
    )


def _all_sectors(language: str) -> tuple[Choice, ...]:
    return tuple(
        sorted(
            (Choice(s.slug, _sector_name(s, language)) for s in sector_list()),
            key=lambda c: c.label.lower(),
        )
    )


def _account_name(user_id: int) -> str:
    summary = user_summaries(user_ids=[user_id]).get(user_id)
    if summary is None:
        return ""
    return summary.full_name or summary.username


def alumni_profile_get(
    *, actor_id: int | None, actor_role: str, language: str | None = None
) -> AlumniProfileInfo:
    """The actor's own directory profile (a default one, not listed, before the first save).
    Only for certified people (``NotAlumnus`` otherwise, operators included)."""
    user_id = _require_alumnus(actor_id)
    lang = _language(language)
    profile = AlumniProfile.objects.filter(user_id=user_id).first()
    listed = _certified(user_id).filter(alumni_listed=True).exists()
    companies = _companies(user_id)
    if profile is None:
        return AlumniProfileInfo(
            user_id=user_id,
            listed=listed,
            name=_account_name(user_id),
            headline="",
            company_merchant_id=int(companies[0].value) if companies else None,
            company_name="",
            sector_slug="",
            country="",
            contact=AlumniContact.NONE,
            companies=companies,
            sectors=_all_sectors(lang),
            saved=False,
        )
    return AlumniProfileInfo(
        user_id=user_id,
        listed=listed,
        name=profile.name,
        headline=profile.headline,
        company_merchant_id=profile.company_merchant_id,
        company_name=profile.company_name,
        sector_slug=profile.sector_slug,
        country=profile.country,
        contact=profile.contact,
        companies=companies,
        sectors=_all_sectors(lang),
        saved=True,
    )


def _text(value: str | None, *, field: str, maximum: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(
            f"{field} is empty", message=_("%(field)s: please fill this in."), field=field
        )
    if len(text) > maximum:
        raise InvalidInput(
            f"{field} is longer than {maximum}",
            message=_("%(field)s: at most %(maximum)s characters."),
            field=field,
            maximum=maximum,
        )
    return text


def alumni_profile_save(
    *,
    actor_id: int | None,
    actor_role: str,
    listed: bool,
    name: str,
    headline: str = "",
    company_merchant_id: int | None = None,
    company_name: str = "",
    sector_slug: str = "",
    country: str = "",
    contact: str = AlumniContact.NONE,
    now: datetime,
) -> AlumniProfileInfo:
    """Save the actor's directory profile and opt in (``listed``) or out on all their
    certified enrolments at once. With ``company_merchant_id`` (a merchant the actor is staff
    of, else ``NoSuchCompany``) the company name, sector and country are taken from that
    merchant; otherwise from ``company_name``/``sector_slug``/``country``. Certified people
    only (``NotAlumnus``)."""
    user_id = _require_alumnus(actor_id)
    name = _text(name, field="name", maximum=120, required=True)
    headline = _text(headline, field="headline", maximum=160)
    if contact not in AlumniContact.values:
        raise not_one_of("contact", AlumniContact.values)
    if company_merchant_id is not None:
        if company_merchant_id not in merchant_ids_for_user(user_id=user_id):
            raise NoSuchCompany(f"user {user_id} is not staff of merchant {company_merchant_id}")
        merchant = merchant_get(merchant_id=company_merchant_id)
        company_name = merchant.display_name
        sector_slug = merchant.sectors[0].slug if merchant.sectors else ""
        country = merchant.country
    else:
        company_name = _text(company_name, field="company_name", maximum=200)
        sector_slug = (sector_slug or "").strip()
        country = (country or "").strip().upper()
        if sector_slug and sector_slug not in _sectors():
            raise InvalidInput(
                f"sector {sector_slug!r}",
                message=_("%(value)s is not a sector; choose one from the list."),
                value=sector_slug,
            )
        if country and not is_country(country):
            raise InvalidInput(
                f"country {country!r}",
                message=_("%(value)s is not a country code (such as IT or CN)."),
                value=country,
            )
    with transaction.atomic():
        AlumniProfile.objects.update_or_create(
            user_id=user_id,
            defaults={
                "name": name,
                "headline": headline,
                "company_merchant_id": company_merchant_id,
                "company_name": company_name,
                "sector_slug": sector_slug,
                "country": country,
                "contact": contact,
                "updated_at": now,
            },
            create_defaults={
                "name": name,
                "headline": headline,
                "company_merchant_id": company_merchant_id,
                "company_name": company_name,
                "sector_slug": sector_slug,
                "country": country,
                "contact": contact,
                "created_at": now,
                "updated_at": now,
            },
        )
        _certified(user_id).update(alumni_listed=listed)
    return alumni_profile_get(actor_id=user_id, actor_role=actor_role)


# --- the board -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostSummary:
    id: int
    title: str
    author_id: int
    author_name: str
    created_at: datetime
    edited_at: datetime | None
    reply_count: int
    hidden: bool
    hidden_reason: str


@dataclass(frozen=True, slots=True)
class ReplyInfo:
    id: int
    post_id: int
    author_id: int
    author_name: str
    body: str  # Markdown as written
    body_html: str  # safe HTML
    created_at: datetime
    edited_at: datetime | None
    hidden: bool
    hidden_reason: str
    can_change: bool  # the actor wrote it and the edit window is open
    can_hide: bool  # the actor moderates and it is not hidden yet


@dataclass(frozen=True, slots=True)
class PostInfo:
    id: int
    title: str
    author_id: int
    author_name: str
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    hidden: bool
    hidden_reason: str
    can_change: bool
    can_hide: bool
    replies: tuple[ReplyInfo, ...]


def _author_names(user_ids: Iterable[int]) -> dict[int, str]:
    ids = set(user_ids)
    names = dict(AlumniProfile.objects.filter(user_id__in=ids).values_list("user_id", "name"))
    missing = ids - set(names)
    for uid, summary in user_summaries(user_ids=missing).items():
        names[uid] = summary.full_name or summary.username
    return names


class PostListing(_Listing[PostSummary]):
    def _rows(self, rows: list[Any]) -> list[PostSummary]:
        names = _author_names(p.author_id for p in rows)
        return [
            PostSummary(
                id=p.pk,
                title=p.title,
                author_id=p.author_id,
                author_name=names.get(p.author_id, ""),
                created_at=p.created_at,
                edited_at=p.edited_at,
                reply_count=int(p.reply_count),
                hidden=p.hidden_at is not None,
                hidden_reason=p.hidden_reason,
            )
            for p in rows
        ]


def alumni_post_list(*, actor_id: int | None, actor_role: str) -> PostListing:
    """The board's posts, newest first, with the number of visible replies; hidden posts
    only for operators. Alumni and operators only (``NotAlumnus``)."""
    _require_member(actor_id, actor_role)
    qs = AlumniPost.objects.annotate(
        reply_count=Count("replies", filter=Q(replies__hidden_at__isnull=True))
    ).order_by("-created_at", "-id")
    if actor_role not in _MODERATORS:
        qs = qs.filter(hidden_at__isnull=True)
    return PostListing(qs)


def _may_change(author_id: int, created_at: datetime, actor_id: int | None, now: datetime) -> bool:
    return author_id == actor_id and now - created_at <= EDIT_WINDOW


def _visible_post(post_id: int, actor_role: str) -> AlumniPost:
    post = AlumniPost.objects.filter(pk=post_id).first()
    if post is None or (post.hidden_at is not None and actor_role not in _MODERATORS):
        raise AlumniPostNotFound(f"alumni post {post_id}")
    return post


def alumni_post_get(
    *, post_id: int, actor_id: int | None, actor_role: str, now: datetime
) -> PostInfo:
    """A post with its replies, oldest reply first (hidden ones only for operators);
    ``can_change``/``can_hide`` tell the page which buttons to show at ``now``."""
    _require_member(actor_id, actor_role)
    post = _visible_post(post_id, actor_role)
    moderator = actor_role in _MODERATORS
    replies = list(post.replies.order_by("created_at", "id"))
    if not moderator:
        replies = [r for r in replies if r.hidden_at is None]
    names = _author_names([post.author_id, *(r.author_id for r in replies)])
    return PostInfo(
        id=post.pk,
        title=post.title,
        author_id=post.author_id,
        author_name=names.get(post.author_id, ""),
        body=post.body,
        body_html=markdown_html(post.body),
        created_at=post.created_at,
        edited_at=post.edited_at,
        hidden=post.hidden_at is not None,
        hidden_reason=post.hidden_reason,
        can_change=_may_change(post.author_id, post.created_at, actor_id, now),
        can_hide=moderator and post.hidden_at is None,
        replies=tuple(
            ReplyInfo(
                id=r.pk,
                post_id=post.pk,
                author_id=r.author_id,
                author_name=names.get(r.author_id, ""),
                body=r.body,
                body_html=markdown_html(r.body),
                created_at=r.created_at,
                edited_at=r.edited_at,
                hidden=r.hidden_at is not None,
                hidden_reason=r.hidden_reason,
                can_change=_may_change(r.author_id, r.created_at, actor_id, now),
                can_hide=moderator and r.hidden_at is None,
            )
            for r in replies
        ),
    )


def _check_rate(
    model: type[AlumniPost] | type[AlumniReply],
    actor_id: int,
    actor_role: str,
    now: datetime,
    limit: int,
    message: str | Promise | None = None,
) -> None:
    if actor_role in _MODERATORS:
        return
    recent = model.objects.filter(author_id=actor_id, created_at__gt=now - timedelta(hours=1))
    if recent.count() >= limit:
        raise WritingTooOften(
            f"user {actor_id} wrote {limit} {model.__name__} in the last hour",
            message=message,
            limit=limit,
        )


def _member_id(actor_id: int | None, actor_role: str) -> int:
    _require_member(actor_id, actor_role)
    if actor_id is None:  # the system has no account to write as
        raise NotAlumnus("writing on the board needs an account")
    return actor_id


def alumni_post_create(
    *, actor_id: int | None, actor_role: str, title: str, body: str, now: datetime
) -> PostInfo:
    """Write a post (alumni and operators); at most ``POSTS_PER_HOUR`` an hour per person
    (``WritingTooOften``, 429)."""
    author_id = _member_id(actor_id, actor_role)
    title = _text(title, field="title", maximum=TITLE_MAX, required=True)
    body = _text(body, field="body", maximum=BODY_MAX, required=True)
    with transaction.atomic():
        _check_rate(AlumniPost, author_id, actor_role, now, POSTS_PER_HOUR)
        post = AlumniPost.objects.create(
            author_id=author_id, title=title, body=body, created_at=now
        )
    return alumni_post_get(post_id=post.pk, actor_id=actor_id, actor_role=actor_role, now=now)


def _own(author_id: int, created_at: datetime, actor_id: int, now: datetime, what: str) -> None:
    if author_id != actor_id:
        raise NotTheAuthor(f"user {actor_id} is not the author of {what}")
    if now - created_at > EDIT_WINDOW:
        raise EditWindowClosed(
            f"{what} is older than {EDIT_WINDOW}", minutes=int(EDIT_WINDOW.total_seconds() // 60)
        )


def alumni_post_edit(
    *, post_id: int, actor_id: int | None, actor_role: str, title: str, body: str, now: datetime
) -> PostInfo:
    """Change one's own post within ``EDIT_WINDOW`` of writing it (``NotTheAuthor`` 403,
    ``EditWindowClosed`` 409)."""
    author_id = _member_id(actor_id, actor_role)
    title = _text(title, field="title", maximum=TITLE_MAX, required=True)
    body = _text(body, field="body", maximum=BODY_MAX, required=True)
    with transaction.atomic():
        post = _visible_post(post_id, actor_role)
        _own(post.author_id, post.created_at, author_id, now, f"post {post_id}")
        AlumniPost.objects.filter(pk=post.pk).update(title=title, body=body, edited_at=now)
    return alumni_post_get(post_id=post_id, actor_id=actor_id, actor_role=actor_role, now=now)


def alumni_post_delete(
    *, post_id: int, actor_id: int | None, actor_role: str, now: datetime
) -> None:
    """Delete one's own post (and its replies) within ``EDIT_WINDOW`` of writing it."""
    author_id = _member_id(actor_id, actor_role)
    with transaction.atomic():
        post = _visible_post(post_id, actor_role)
        _own(post.author_id, post.created_at, author_id, now, f"post {post_id}")
        post.delete()


def _reason(reason: str) -> str:
    return _text(reason, field="reason", maximum=REASON_MAX, required=True)


def alumni_post_hide(
    *, post_id: int, actor_id: int | None, actor_role: str, reason: str, now: datetime
) -> PostInfo:
    """Hide a post from everyone but operators, with the reason (operators only,
    ``ModeratorsOnly`` otherwise). Hiding a hidden post keeps the first reason."""
    _require_member(actor_id, actor_role)
    if actor_role not in _MODERATORS:
        raise ModeratorsOnly(f"{actor_role} may not hide posts")
    reason = _reason(reason)
    with transaction.atomic():
        post = _visible_post(post_id, actor_role)
        AlumniPost.objects.filter(pk=post.pk, hidden_at__isnull=True).update(
            hidden_at=now, hidden_by_id=actor_id, hidden_reason=reason
        )
    return alumni_post_get(post_id=post_id, actor_id=actor_id, actor_role=actor_role, now=now)


def _visible_reply(reply_id: int, actor_role: str) -> AlumniReply:
    reply = AlumniReply.objects.select_related("post").filter(pk=reply_id).first()
    hidden = reply is not None and (reply.hidden_at is not None or reply.post.hidden_at is not None)
    if reply is None or (hidden and actor_role not in _MODERATORS):
        raise AlumniReplyNotFound(f"alumni reply {reply_id}")
    return reply


def alumni_reply_create(
    *, post_id: int, actor_id: int | None, actor_role: str, body: str, now: datetime
) -> ReplyInfo:
    """Reply to a visible post (alumni and operators); at most ``REPLIES_PER_HOUR`` an hour
    per person (``WritingTooOften``, 429)."""
    author_id = _member_id(actor_id, actor_role)
    body = _text(body, field="body", maximum=BODY_MAX, required=True)
    with transaction.atomic():
        post = _visible_post(post_id, actor_role)
        _check_rate(
            AlumniReply, author_id, actor_role, now, REPLIES_PER_HOUR, message=_REPLIES_TOO_OFTEN
        )
        reply = AlumniReply.objects.create(
            post=post, author_id=author_id, body=body, created_at=now
        )
    return _reply_info(reply, actor_id=actor_id, actor_role=actor_role, now=now)


def _reply_info(
    reply: AlumniReply, *, actor_id: int | None, actor_role: str, now: datetime
) -> ReplyInfo:
    return ReplyInfo(
        id=reply.pk,
        post_id=reply.post_id,
        author_id=reply.author_id,
        author_name=_author_names([reply.author_id]).get(reply.author_id, ""),
        body=reply.body,
        body_html=markdown_html(reply.body),
        created_at=reply.created_at,
        edited_at=reply.edited_at,
        hidden=reply.hidden_at is not None,
        hidden_reason=reply.hidden_reason,
        can_change=_may_change(reply.author_id, reply.created_at, actor_id, now),
        can_hide=actor_role in _MODERATORS and reply.hidden_at is None,
    )


def alumni_reply_get(
    *, reply_id: int, actor_id: int | None, actor_role: str, now: datetime
) -> ReplyInfo:
    """One reply (hidden ones, or those of a hidden post, only for operators)."""
    _require_member(actor_id, actor_role)
    reply = _visible_reply(reply_id, actor_role)
    return _reply_info(reply, actor_id=actor_id, actor_role=actor_role, now=now)


def alumni_reply_edit(
    *, reply_id: int, actor_id: int | None, actor_role: str, body: str, now: datetime
) -> ReplyInfo:
    """Change one's own reply within ``EDIT_WINDOW`` of writing it."""
    author_id = _member_id(actor_id, actor_role)
    body = _text(body, field="body", maximum=BODY_MAX, required=True)
    with transaction.atomic():
        reply = _visible_reply(reply_id, actor_role)
        _own(reply.author_id, reply.created_at, author_id, now, f"reply {reply_id}")
        reply.body, reply.edited_at = body, now
        reply.save(update_fields=["body", "edited_at"])
    return _reply_info(reply, actor_id=actor_id, actor_role=actor_role, now=now)


def alumni_reply_delete(
    *, reply_id: int, actor_id: int | None, actor_role: str, now: datetime
) -> int:
    """Delete one's own reply within ``EDIT_WINDOW``; returns the id of its post."""
    author_id = _member_id(actor_id, actor_role)
    with transaction.atomic():
        reply = _visible_reply(reply_id, actor_role)
        _own(reply.author_id, reply.created_at, author_id, now, f"reply {reply_id}")
        post_id = reply.post_id
        reply.delete()
    return post_id


def alumni_reply_hide(
    *, reply_id: int, actor_id: int | None, actor_role: str, reason: str, now: datetime
) -> ReplyInfo:
    """Hide a reply from everyone but operators, with the reason (operators only)."""
    _require_member(actor_id, actor_role)
    if actor_role not in _MODERATORS:
        raise ModeratorsOnly(f"{actor_role} may not hide replies")
    reason = _reason(reason)
    with transaction.atomic():
        reply = _visible_reply(reply_id, actor_role)
        if reply.hidden_at is None:
            reply.hidden_at, reply.hidden_by_id, reply.hidden_reason = now, actor_id, reason
            reply.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return _reply_info(reply, actor_id=actor_id, actor_role=actor_role, now=now)
