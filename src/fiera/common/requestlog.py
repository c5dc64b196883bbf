"""One log line per request: method, path, status and milliseconds.

Django's own `django.request` logger writes a warning with the full traceback for an
ordinary 403 or 404 (settings.LOGGING raises it to ERROR, so only 5xx keep their
traceback); this middleware is the one line every request gets instead. The query
string is left out: it can carry tokens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger("fiera.request")


class RequestLogMiddleware:
    """First in MIDDLEWARE, so the time covers every other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        level = logging.ERROR if status >= 500 else logging.INFO
        logger.log(level, "%s %s %d %.0fms", request.method, request.path, status, elapsed_ms)
        return response
