from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone

from fiera.common.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from fiera.common.reference import is_country
from fiera.accounts.models import ApiToken, BuyerKind, Role, User


class BadCredentials(Unauthenticated):
    code = "bad_credentials"


class UsernameTaken(Conflict):
    code = "username_taken"


@dataclass(frozen=True)
class IssuedToken:
    token_id: int
    key: str  # shown once, never stored


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    email: str = "",
    country: str = "",
    buyer_kind: str = "",
    business_unit: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    if role not in Role.values:
        raise InvalidInput(f"role must be one of {', '.join(Role.values)}")
    if country and not is_country(country):
        raise InvalidInput(f"{country!r} is not an ISO 3166-1 alpha-2 country code")
    if role == Role.BUYER and buyer_kind not in BuyerKind.values:
        buyer_kind = BuyerKind.CONSUMER
    if role == Role.OPERATOR and not business_unit:
        raise InvalidInput("an operator needs a business unit")
    if len(password) < 8:
        raise InvalidInput("the password must have at least 8 characters")
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=username,
                password=password,
                email=email,
                role=role,
                country=country,
                buyer_kind=buyer_kind if role == Role.BUYER else "",
                business_unit=business_unit,
                first_name=first_name,
                last_name=last_name,
                is_staff=role == Role.OPERATOR,
            )
    except IntegrityError:
        raise UsernameTaken(f"the username {username!r} is taken") from None


def token_issue(*, user_id: int, name: str = "api") -> IssuedToken:
    key = "fk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=user_id, name=name, prefix=key[3:11], key_sha256=_hash(key)
    )
    return IssuedToken(token_id=token.pk, key=key)


def token_issue_for_credentials(*, username: str, password: str, name: str = "api") -> IssuedToken:
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise BadCredentials("wrong username or password")
    return token_issue(user_id=user.pk, name=name)


def token_revoke(*, user_id: int, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound(f"no active token {token_id} of yours")


def user_for_token(key: str) -> User | None:
    """The active user behind a bearer key, in one query; None when unknown or revoked."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=_hash(key), revoked_at__isnull=True, user__is_active=True)
        .only("id", "user")
        .first()
    )
    return token.user if token else None
