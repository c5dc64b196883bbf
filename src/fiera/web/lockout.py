"""The answer to a sign-in locked by too many wrong passwords (django-axes' lockout callable).

The API gets its error shape, a person the sign-in page's "try again later"; both are 429
with ``Retry-After``: the whole cool-off, since every attempt during a lockout starts it anew.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


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
                "detail": (
                    f"too many wrong passwords for this username: sign-in is locked for "
                    f"{minutes} minutes"
                ),
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
