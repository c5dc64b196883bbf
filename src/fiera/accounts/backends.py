"""Authentication backends: the sign-in lockout in front of Django's ModelBackend, which
also takes an account's email address in place of its user name."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from fiera.accounts.models import User


class LoginAttemptBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come over HTTP.

    A sign-in with a request (the sign-in page, the admin, POST /api/v1/auth/tokens) is
    refused while its username and client address are locked out; wrong passwords are
    counted by axes' ``user_login_failed`` handler. A check without a request (a command, a
    test's ``Client.login``) is no network attempt and passes through to the next backend,
    where axes' own backend would raise.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class UsernameOrEmailBackend(ModelBackend):
    """Django's ModelBackend, also signing in with the account's email address (any case)
    in place of its user name, when exactly one account has that address."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None or not username or "@" not in username or password is None:
            return user
        matches = list(User.objects.filter(email__iexact=username.strip())[:2])
        if len(matches) != 1:
            return None
        candidate = matches[0]
        if candidate.check_password(password) and self.user_can_authenticate(candidate):
            return candidate
        return None
