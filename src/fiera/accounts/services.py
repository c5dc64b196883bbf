from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fiera.accounts.models import ApiToken, BuyerKind, Role, User
from fiera.common.errors import Conflict, InvalidInput, NotFound, Unauthenticated, not_one_of
from fiera.common.reference import is_country


class BadCredentials(Unauthenticated):
    code = "bad_credentials"
    message_template = gettext_lazy("The user name or password is wrong.")


class UsernameTaken(Conflict):
    code = "username_taken"
    message_template = gettext_lazy("This user name is taken; choose another.")


class EmailTaken(Conflict):
    code = "email_taken"
    message_template = gettext_lazy(
        "An account with this email address exists already: sign in, or reset its password."
    )


class InvalidEmail(InvalidInput):
    code = "invalid_email"
    message_template = gettext_lazy("Enter an email address such as name@example.com.")


class InvalidUsername(InvalidInput):
    code = "invalid_username"
    message_template = gettext_lazy(
        "A user name has up to 150 letters, digits and the characters @ . + - _ only."
    )


class WeakPassword(InvalidInput):
    code = "weak_password"
    message_template = gettext_lazy("Choose another password. %(reasons)s")


class UnknownLanguage(InvalidInput):
    code = "unknown_language"
    message_template = gettext_lazy("Choose one of these languages: %(choices)s.")


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
        raise not_one_of("role", Role.values)
    if country and not is_country(country):
        raise InvalidInput(
            f"{country!r} is not an ISO 3166-1 alpha-2 country code",
            message=gettext_lazy("%(value)s is not a country code (such as IT or CN)."),
            value=str(country),
        )
    if role == Role.BUYER and buyer_kind not in BuyerKind.values:
        buyer_kind = BuyerKind.CONSUMER
    if role == Role.OPERATOR and not business_unit:
        raise InvalidInput("an operator needs a business unit")
    if len(password) < 8:
        raise InvalidInput(
            "the password must have at least 8 characters",
            message=gettext_lazy("Choose a password of at least %(minimum)s characters."),
            minimum=8,
        )
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


def buyer_signup(
    *,
    username: str,
    email: str,
    password: str,
    country: str,
    preferred_language: str = "",
) -> User:
    """A new consumer buyer account, signing up by themselves (the sign-up page and
    ``POST /api/v1/auth/signup``); nobody is signed in yet, so there is no actor to check.

    ``username`` may be empty: the email address is the user name then. The password must
    pass Django's validators (AUTH_PASSWORD_VALIDATORS; their reasons in the active
    language). The user name and the email address are unique regardless of case.
    Raises ``InvalidUsername``, ``InvalidEmail``, ``WeakPassword``, ``UnknownLanguage``,
    ``InvalidInput`` (country), ``UsernameTaken`` or ``EmailTaken``. One transaction.
    """
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidEmail(f"{email!r} is not an email address") from None
    email = User.objects.normalize_email(email)
    username = username.strip() or email
    try:
        if len(username) > 150:
            raise ValidationError("too long")
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise InvalidUsername(f"{username!r} is not a valid user name") from None
    country = country.strip().upper()
    if not is_country(country):
        raise InvalidInput(
            f"{country!r} is not an ISO 3166-1 alpha-2 country code",
            message=gettext_lazy("%(value)s is not a country code (such as IT or CN)."),
            value=country,
        )
    languages = [code for code, _name in settings.LANGUAGES]
    if preferred_language and preferred_language not in languages:
        raise UnknownLanguage(
            f"{preferred_language!r} is not one of {languages}", choices=", ".join(languages)
        )
    candidate = User(username=username, email=email, role=Role.BUYER)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise WeakPassword(
            "the password fails: " + ", ".join(str(e.code) for e in exc.error_list),
            reasons=" ".join(str(message) for message in exc.messages),
            problems=[str(e.code) for e in exc.error_list],
        ) from None
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise UsernameTaken(f"the username {username!r} is taken")
        if User.objects.filter(email__iexact=email).exists():
            raise EmailTaken(f"an account with the email {email!r} exists")
        try:
            with transaction.atomic():
                return User.objects.create_user(
                    username=username,
                    email=email,
                    password=password,
                    role=Role.BUYER,
                    buyer_kind=BuyerKind.CONSUMER,
                    country=country,
                    preferred_language=preferred_language,
                )
        except IntegrityError:
            raise UsernameTaken(f"the username {username!r} is taken") from None


def token_issue(*, user_id: int, name: str = "api") -> IssuedToken:
    key = "fk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=user_id, name=name, prefix=key[3:11], key_sha256=_hash(key)
    )
    return IssuedToken(token_id=token.pk, key=key)


def token_issue_for_credentials(
    *, username: str, password: str, name: str = "api", request: HttpRequest | None = None
) -> IssuedToken:
    """An API key for these credentials.

    ``request`` is the HTTP request they came with: the sign-in lockout (django-axes, see
    ``accounts.backends``) counts wrong passwords per username and client address and
    refuses a locked pair; its middleware then answers 429. Without a request (a command)
    nothing is counted.
    """
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise BadCredentials("wrong username or password")
    return token_issue(user_id=user.pk, name=name)


def token_revoke(*, user_id: int, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound(f"no active token {token_id} of yours")


@dataclass(frozen=True)
class _UserQuery:
    sql: str
    names: list[str]
    converters: list[tuple[list[Any], Any]]  # per column: the ORM's converters, their Col


_USER_QUERY: dict[str, _UserQuery] = {}


def _user_query() -> _UserQuery:
    """The token lookup's SQL (every concrete ``User`` column) and, per column, the
    database converters the ORM would apply. Built once per connection vendor, on first
    use (other apps' fields are only known after setup)."""
    found = _USER_QUERY.get(connection.vendor)
    if found is None:
        quote = connection.ops.quote_name
        fields = User._meta.concrete_fields
        columns = ", ".join(f"u.{quote(str(field.column))}" for field in fields)
        converters = []
        for field in fields:
            col = field.get_col("u")
            found_converters = connection.ops.get_db_converters(col) + col.get_db_converters(
                connection
            )
            converters.append((found_converters, col))
        found = _UserQuery(
            sql=(
                f"SELECT {columns} FROM {quote(ApiToken._meta.db_table)} t "
                f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
                "WHERE t.key_sha256 = %s AND t.revoked_at IS NULL AND u.is_active = %s"
            ),
            names=[field.attname for field in fields],
            converters=converters,
        )
        _USER_QUERY[connection.vendor] = found
    return found


def user_for_token(key: str) -> User | None:
    """The active user behind a bearer key, in ONE raw query; None when unknown or revoked.

    Hot path (every API request with a token): compiling the ORM query cost more than
    running it, so the SQL is built once and the row becomes a full ``User`` through
    ``Model.from_db`` with the ORM's own converters. Nothing is cached between requests:
    a revoked token or a deactivated user fails on the very next request.
    """
    query = _user_query()
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [_hash(key), True])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, (converters, col) in enumerate(query.converters):
        for converter in converters:
            values[index] = converter(values[index], col, connection)
    return User.from_db(connection.alias, query.names, values)
