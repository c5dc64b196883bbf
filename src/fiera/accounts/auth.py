"""API authentication: bearer tokens for programs, the Django session for pages.

Both give ``request.auth`` the signed-in ``User``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from fiera.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    openapi_description = (
        "A key from POST /api/v1/auth/tokens, sent as `Authorization: Bearer <key>`."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session cookie (CSRF-checked for unsafe methods)."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Only a signed-in session is checked for its CSRF token: a request with no session
        # is simply not signed in (401), not a forged one (403).
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


API_AUTH = [TokenAuth(), SessionAuth()]
