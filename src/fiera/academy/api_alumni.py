"""The alumni community's API: the opt-in directory, one's own directory profile, and the
board (posts and replies). Alumni (people with an academy certificate) and operators only:
others get 403 ``alumni_only``, an anonymous caller 401.

No ``from __future__ import annotations`` here: ``@paginate`` rebuilds the operation's
signature in ninja's module, where string annotations would not resolve.
"""

from datetime import datetime
from typing import Annotated, Literal, TypedDict

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from fiera.academy import alumni
from fiera.common.pagination import Page
from fiera.common.schemas import BodyId, ErrorOut, ObjectIn, ParamId

router = Router(tags=["academy"])

DENIALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE = {**DENIALS, 400: ErrorOut, 409: ErrorOut}


class Actor(TypedDict):
    actor_id: int
    actor_role: str


def _actor(request: HttpRequest) -> Actor:
    user = request.auth  # type: ignore[attr-defined]
    return {"actor_id": int(user.pk), "actor_role": str(user.role)}


# --- schemas -------------------------------------------------------------------------------


class AlumniCohortOut(Schema):
    slug: str
    name: str
    certificate_url: str = Field(description='the certificate page, "" when not known')


class AlumnusOut(Schema):
    user_id: int
    name: str
    headline: str
    company_name: str
    country: str = Field(description='ISO 3166-1 alpha-2, "" when not given')
    country_name: str = Field(description="in the request's language")
    sector_slug: str
    sector_name: str = Field(description="in the request's language")
    cohorts: list[AlumniCohortOut]
    email: str = Field(description='shown only when the person chose so, else ""')

    @classmethod
    def of(cls, info: alumni.Alumnus) -> "AlumnusOut":
        return cls(
            user_id=info.user_id,
            name=info.name,
            headline=info.headline,
            company_name=info.company_name,
            country=info.country,
            country_name=info.country_name,
            sector_slug=info.sector_slug,
            sector_name=info.sector_name,
            cohorts=[
                AlumniCohortOut(slug=c.slug, name=c.name, certificate_url=c.certificate_url)
                for c in info.cohorts
            ],
            email=info.email,
        )


ContactName = Literal["none", "email"]


class AlumniChoiceOut(Schema):
    value: str
    label: str


class AlumniProfileOut(Schema):
    listed: bool = Field(description="shown in the alumni directory")
    name: str
    headline: str
    company_merchant_id: int | None = Field(
        description="the merchant the company, sector and country are taken from"
    )
    company_name: str
    sector_slug: str
    country: str
    contact: ContactName
    companies: list[AlumniChoiceOut] = Field(description="the merchants you work for")
    saved: bool

    @classmethod
    def of(cls, info: alumni.AlumniProfileInfo) -> "AlumniProfileOut":
        return cls(
            listed=info.listed,
            name=info.name,
            headline=info.headline,
            company_merchant_id=info.company_merchant_id,
            company_name=info.company_name,
            sector_slug=info.sector_slug,
            country=info.country,
            contact=info.contact,  # type: ignore[arg-type]
            companies=[AlumniChoiceOut(value=c.value, label=c.label) for c in info.companies],
            saved=info.saved,
        )


class AlumniProfileIn(ObjectIn):
    listed: bool = Field(description="opt in to (true) or out of (false) the directory")
    name: str = Field(min_length=1, max_length=120)
    headline: str = Field("", max_length=160)
    company_merchant_id: BodyId | None = Field(
        None, description="a merchant you work for; its name, sector and country are shown"
    )
    company_name: str = Field("", max_length=200, description="without a merchant")
    sector_slug: str = Field("", max_length=60, description="without a merchant")
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2, without a merchant")
    contact: ContactName = "none"


class AlumniPostSummaryOut(Schema):
    id: int
    title: str
    author_id: int
    author_name: str
    created_at: datetime
    edited_at: datetime | None
    reply_count: int
    hidden: bool
    hidden_reason: str

    @classmethod
    def of(cls, info: alumni.PostSummary) -> "AlumniPostSummaryOut":
        return cls(**{name: getattr(info, name) for name in cls.model_fields})


class AlumniReplyOut(Schema):
    id: int
    post_id: int
    author_id: int
    author_name: str
    body: str = Field(description="Markdown, as written")
    body_html: str = Field(description="the Markdown rendered as safe HTML")
    created_at: datetime
    edited_at: datetime | None
    hidden: bool
    hidden_reason: str
    can_change: bool
    can_hide: bool

    @classmethod
    def of(cls, info: alumni.ReplyInfo) -> "AlumniReplyOut":
        return cls(**{name: getattr(info, name) for name in cls.model_fields})


class AlumniPostOut(Schema):
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
    can_change: bool = Field(description="you wrote it and may still change or delete it")
    can_hide: bool
    replies: list[AlumniReplyOut]

    @classmethod
    def of(cls, info: alumni.PostInfo) -> "AlumniPostOut":
        fields = {name: getattr(info, name) for name in cls.model_fields if name != "replies"}
        return cls(**fields, replies=[AlumniReplyOut.of(r) for r in info.replies])


class AlumniPostIn(ObjectIn):
    title: str = Field(min_length=1, max_length=alumni.TITLE_MAX)
    body: str = Field(min_length=1, max_length=alumni.BODY_MAX, description="Markdown")


class AlumniReplyIn(ObjectIn):
    body: str = Field(min_length=1, max_length=alumni.BODY_MAX, description="Markdown")


class AlumniHideIn(ObjectIn):
    reason: str = Field(min_length=1, max_length=alumni.REASON_MAX)


Text = Annotated[str, Field(max_length=alumni.SEARCH_MAX)]
Code = Annotated[str, Field(max_length=80)]


# --- the directory -------------------------------------------------------------------------


@router.get("/alumni", response={200: list[AlumnusOut], **DENIALS})
@paginate(Page)
def alumni_directory(
    request: HttpRequest,
    q: Text = "",
    country: Code = "",
    sector: Code = "",
    cohort: Code = "",
) -> alumni.AlumniListing:
    """The alumni who opted in to the directory, by name: ``q`` searches names and
    companies; ``country`` (ISO alpha-2), ``sector`` (slug) and ``cohort`` (slug) filter.
    Alumni and operators. Paged with ?limit=&offset=."""
    return alumni.alumni_directory(
        search=q,
        country=country,
        sector_slug=sector,
        cohort_slug=cohort,
        language=get_language(),
        **_actor(request),
    )


@router.get("/alumni/profile", response={200: AlumniProfileOut, **DENIALS})
def alumni_profile(request: HttpRequest) -> AlumniProfileOut:
    """Your own directory profile (certified people only); ``saved`` false before the
    first save."""
    return AlumniProfileOut.of(alumni.alumni_profile_get(**_actor(request)))


@router.put("/alumni/profile", response={200: AlumniProfileOut, **WRITE})
def alumni_profile_put(request: HttpRequest, payload: AlumniProfileIn) -> AlumniProfileOut:
    """Save your directory profile and opt in (``listed``) or out. With
    ``company_merchant_id`` the company, sector and country come from that merchant."""
    return AlumniProfileOut.of(
        alumni.alumni_profile_save(**payload.dict(), now=timezone.now(), **_actor(request))
    )


# --- the board -----------------------------------------------------------------------------


@router.get("/alumni/posts", response={200: list[AlumniPostSummaryOut], **DENIALS})
@paginate(Page)
def alumni_post_list(request: HttpRequest) -> list[AlumniPostSummaryOut]:
    """The board, newest post first, with reply counts; operators also see hidden posts.
    Paged with ?limit=&offset=."""
    return alumni.alumni_post_list(**_actor(request))  # type: ignore[return-value]


@router.post("/alumni/posts", response={201: AlumniPostOut, **WRITE, 429: ErrorOut})
def alumni_post_create(request: HttpRequest, payload: AlumniPostIn) -> Status[AlumniPostOut]:
    """Write a post (Markdown body). At most 10 posts an hour per person: 429
    ``alumni_rate_limited`` beyond."""
    info = alumni.alumni_post_create(**payload.dict(), now=timezone.now(), **_actor(request))
    return Status(201, AlumniPostOut.of(info))


@router.get("/alumni/posts/{post_id}", response={200: AlumniPostOut, **DENIALS})
def alumni_post_get(request: HttpRequest, post_id: ParamId) -> AlumniPostOut:
    """A post with its replies, oldest reply first."""
    return AlumniPostOut.of(
        alumni.alumni_post_get(post_id=post_id, now=timezone.now(), **_actor(request))
    )


@router.patch("/alumni/posts/{post_id}", response={200: AlumniPostOut, **WRITE})
def alumni_post_edit(
    request: HttpRequest, post_id: ParamId, payload: AlumniPostIn
) -> AlumniPostOut:
    """Change your own post in its first 15 minutes (403 ``alumni_not_author`` for another's,
    409 ``alumni_edit_window_closed`` later)."""
    return AlumniPostOut.of(
        alumni.alumni_post_edit(
            post_id=post_id, **payload.dict(), now=timezone.now(), **_actor(request)
        )
    )


@router.delete("/alumni/posts/{post_id}", response={204: None, **WRITE})
def alumni_post_delete(request: HttpRequest, post_id: ParamId) -> Status[None]:
    """Delete your own post (with its replies) in its first 15 minutes."""
    alumni.alumni_post_delete(post_id=post_id, now=timezone.now(), **_actor(request))
    return Status(204, None)


@router.post("/alumni/posts/{post_id}/hide", response={200: AlumniPostOut, **WRITE})
def alumni_post_hide(
    request: HttpRequest, post_id: ParamId, payload: AlumniHideIn
) -> AlumniPostOut:
    """Hide a post from alumni, with the reason (operators only)."""
    return AlumniPostOut.of(
        alumni.alumni_post_hide(
            post_id=post_id, reason=payload.reason, now=timezone.now(), **_actor(request)
        )
    )


@router.post(
    "/alumni/posts/{post_id}/replies", response={201: AlumniReplyOut, **WRITE, 429: ErrorOut}
)
def alumni_reply_create(
    request: HttpRequest, post_id: ParamId, payload: AlumniReplyIn
) -> Status[AlumniReplyOut]:
    """Reply to a post (Markdown body). At most 30 replies an hour per person."""
    info = alumni.alumni_reply_create(
        post_id=post_id, body=payload.body, now=timezone.now(), **_actor(request)
    )
    return Status(201, AlumniReplyOut.of(info))


@router.patch("/alumni/replies/{reply_id}", response={200: AlumniReplyOut, **WRITE})
def alumni_reply_edit(
    request: HttpRequest, reply_id: ParamId, payload: AlumniReplyIn
) -> AlumniReplyOut:
    """Change your own reply in its first 15 minutes."""
    return AlumniReplyOut.of(
        alumni.alumni_reply_edit(
            reply_id=reply_id, body=payload.body, now=timezone.now(), **_actor(request)
        )
    )


@router.delete("/alumni/replies/{reply_id}", response={204: None, **WRITE})
def alumni_reply_delete(request: HttpRequest, reply_id: ParamId) -> Status[None]:
    """Delete your own reply in its first 15 minutes."""
    alumni.alumni_reply_delete(reply_id=reply_id, now=timezone.now(), **_actor(request))
    return Status(204, None)


@router.post("/alumni/replies/{reply_id}/hide", response={200: AlumniReplyOut, **WRITE})
def alumni_reply_hide(
    request: HttpRequest, reply_id: ParamId, payload: AlumniHideIn
) -> AlumniReplyOut:
    """Hide a reply from alumni, with the reason (operators only)."""
    return AlumniReplyOut.of(
        alumni.alumni_reply_hide(
            reply_id=reply_id, reason=payload.reason, now=timezone.now(), **_actor(request)
        )
    )
