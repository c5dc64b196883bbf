"""Alumni for tests: certified enrolments (``certified_at`` set) with or without a directory
profile, and board posts written at a given time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fiera.academy import alumni
from fiera.academy.models import Cohort, Enrolment
from fiera.accounts.models import User
from tests.academy import factories as af
from tests.catalog import factories as f

NOW = af.NOW


def certified(co: Cohort, user: User | None = None, *, role: str = "learner") -> Enrolment:
    """A person certified in the cohort (a learner unless ``user`` says otherwise)."""
    return af.enrolment(co, user or f.user(role=role), certified_at=NOW, status="completed")


def listed(
    co: Cohort,
    *,
    name: str,
    user: User | None = None,
    company_name: str = "",
    country: str = "",
    sector_slug: str = "",
    headline: str = "",
    contact: str = "none",
    company_merchant_id: int | None = None,
) -> Enrolment:
    """A certified person who opted in to the directory with a profile."""
    e = certified(co, user)
    alumni.alumni_profile_save(
        actor_id=e.user_id,
        actor_role=e.user.role,
        listed=True,
        name=name,
        headline=headline,
        company_merchant_id=company_merchant_id,
        company_name=company_name,
        sector_slug=sector_slug,
        country=country,
        contact=contact,
        now=NOW,
    )
    return e


def post(
    author: User, *, title: str = "Hello", body: str = "Hi **all**", now: datetime = NOW
) -> Any:
    return alumni.alumni_post_create(
        actor_id=author.pk, actor_role=author.role, title=title, body=body, now=now
    )


def reply(author: User, post_id: int, *, body: str = "Welcome!", now: datetime = NOW) -> Any:
    return alumni.alumni_reply_create(
        post_id=post_id, actor_id=author.pk, actor_role=author.role, body=body, now=now
    )
