"""The one family of domain errors. One handler (fiera.api) maps them to 4xx JSON.

Each app defines its specific errors next to the service that raises them, as
subclasses of these, with a stable machine ``code``:

    class OutOfStock(Conflict):
        code = "out_of_stock"

The response is ``{"error": code, "detail": text}`` with ``status``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def as_payload(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.detail, **self.extra}


class InvalidInput(DomainError):
    """The request is well-formed but its values break a rule (HTTP 422)."""

    status = 422
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Conflict(DomainError):
    """The action clashes with the current state (HTTP 409)."""

    status = 409
    code = "conflict"
