"""Authentication backends: the sign-in lockout in front of Django's ModelBackend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


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
