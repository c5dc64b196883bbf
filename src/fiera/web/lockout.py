"""The answers to too many sign-in attempts.

``lockout_response`` is django-axes' lockout callable (too many wrong passwords for one
username from one address): the API gets its error shape, a person the "try again later"
page; both are 429 with ``Retry-After``, the whole cool-off, since every attempt during a
lockout starts it anew. ``login_rate_exceeded`` limits the sign-in form per address, whatever
the username (FIERA_LOGIN_RATE).
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from ninja.throttling import SimpleRateThrottle


class AddressRateThrottle(SimpleRateThrottle):
    """Requests per client address (see NINJA_NUM_PROXIES), counted in the default cache.

    It keeps the current request's state on itself: make one per request."""

    def __init__(self, scope: str, rate: str) -> None:
        self.scope = scope
        super().__init__(rate)

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def client_address(request: HttpRequest) -> str | None:
    """The client address django-axes locks by (AXES_CLIENT_IP_CALLABLE): the same one the
    throttles count by, so behind a proxy each client is told apart by the address the proxy
    appended to X-Forwarded-For, never by the proxy's own address (which would lock a username
    for every client at once) nor by what a client wrote there itself."""
    return AddressRateThrottle("login", "1/s").get_ident(request)


def login_rate_exceeded(request: HttpRequest) -> HttpResponse | None:
    """The 429 page when this address has posted the sign-in form more than FIERA_LOGIN_RATE
    allows, else None (and the attempt is counted)."""
    return form_rate_exceeded(request, "login_form", settings.FIERA_LOGIN_RATE)


def form_rate_exceeded(request: HttpRequest, scope: str, rate: str) -> HttpResponse | None:
    """The 429 page when this address has posted the ``scope`` form more than ``rate``
    allows (sign-in, sign-up, password reset), else None (and the attempt is counted)."""
    throttle = AddressRateThrottle(scope, rate)
    if throttle.allow_request(request):
        return None
    seconds = max(1, math.ceil(throttle.wait() or throttle.duration or 60))
    response = render(request, "web/too_many_attempts.html", {"seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    seconds = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = math.ceil(seconds / 60)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "error": "too_many_requests",
                "detail": gettext(
                    "Too many wrong passwords for this username: signing in is locked for "
                    "%(minutes)s minutes. Try again later."
                )
                % {"minutes": minutes},
                "context": f"django-axes lockout for {minutes} minutes",
                "retry_after_seconds": seconds,
            },
            status=429,
        )
    else:
        response = render(
            request,
            "web/locked_out.html",
            {"minutes": minutes},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response
