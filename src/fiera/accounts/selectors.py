"""Reads of accounts for other apps: frozen values keyed by user id, never the user model.

Other apps store ``"accounts.User"`` foreign keys by string and ask here what they need
to know about a person, instead of importing the user model or joining through
``user__...`` lookups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fiera.accounts.models import User


@dataclass(frozen=True)
class UserSummary:
    user_id: int
    username: str
    full_name: str  # "" when the account has no names
    role: str  # one of ``fiera.accounts.roles.ACCOUNT_ROLES``
    is_active: bool


def _summary(row: dict[str, object]) -> UserSummary:
    first, last = str(row["first_name"]), str(row["last_name"])
    return UserSummary(
        user_id=int(row["pk"]),  # type: ignore[call-overload]
        username=str(row["username"]),
        full_name=f"{first} {last}".strip(),
        role=str(row["role"]),
        is_active=bool(row["is_active"]),
    )


_FIELDS = ("pk", "username", "first_name", "last_name", "role", "is_active")


def user_role_get(*, user_id: int) -> str | None:
    """The role of the ACTIVE user with this id, or None if there is no such active user."""
    return User.objects.filter(pk=user_id, is_active=True).values_list("role", flat=True).first()


def user_summaries(*, user_ids: Iterable[int]) -> dict[int, UserSummary]:
    """The users with these ids, by id (unknown ids are absent); one query."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = User.objects.filter(pk__in=wanted).values(*_FIELDS)
    return {int(row["pk"]): _summary(row) for row in rows}


def user_ids_by_username(*, usernames: Iterable[str]) -> dict[str, int]:
    """The ids of the users with these usernames, by username (unknown ones are absent); one
    query. For tools that create or reuse named accounts (``fiera festival simulate``)."""
    wanted = set(usernames)
    if not wanted:
        return {}
    rows = User.objects.filter(username__in=wanted).values_list("username", "pk")
    return {str(name): int(pk) for name, pk in rows}


@dataclass(frozen=True)
class UserContact:
    """Where and how to write to a person: for mails sent without a request at hand."""

    user_id: int
    username: str
    full_name: str  # "" when the account has no names
    email: str  # "" when the account has none: nothing is sent
    language: str  # a code of settings.LANGUAGES, "" when the person chose none
    is_active: bool


def user_contacts(*, user_ids: Iterable[int]) -> dict[int, UserContact]:
    """Email address and preferred language of these users, by id; one query."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = User.objects.filter(pk__in=wanted).values(
        "pk", "username", "first_name", "last_name", "email", "preferred_language", "is_active"
    )
    return {
        int(row["pk"]): UserContact(
            user_id=int(row["pk"]),
            username=str(row["username"]),
            full_name=f"{row['first_name']} {row['last_name']}".strip(),
            email=str(row["email"]),
            language=str(row["preferred_language"]),
            is_active=bool(row["is_active"]),
        )
        for row in rows
    }


# --- feeds ---


def user_countries(*, user_ids: Iterable[int]) -> dict[int, str]:
    """The country (ISO 3166-1 alpha-2) each of these users gave, by id; users who gave
    none and unknown ids are absent; one query (analytics' learner and buyer countries)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = User.objects.filter(pk__in=wanted).exclude(country="").values_list("pk", "country")
    return {int(pk): str(code) for pk, code in rows}
