"""The one family of domain errors. One handler (fiera.api) maps them to 4xx JSON.

Each app defines its specific errors next to the service that raises them, as
subclasses of these, with a stable machine ``code`` and a message written for people,
translated lazily, with named parameters filled in when it is shown:

    class OutOfStock(Conflict):
        code = "out_of_stock"
        message_template = _("There is not enough stock of %(skus)s.")

    raise OutOfStock("not enough stock for OXFO-05187-01", skus=["OXFO-05187-01"])

The first argument (``detail``, also ``context``) is the technical English account for
logs, the CLI and operators (checksums, offsets, raw values); it never reaches a page or
the API's ``detail``. The keyword arguments are the error's ``params``: they fill the
message template and travel in the API body. ``message()`` renders the template in the
active language. A raise site that knows better than the class may pass ``message=``
(a lazily translated template using the same params).

The API response is ``{"error": code, "detail": message(), "context": detail, **params}``
with ``status``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fiera.common.money import Money, MoneyError


class _Params(dict[str, Any]):
    """Params for %-formatting: a missing one renders empty rather than failing a page."""

    def __missing__(self, key: str) -> str:
        return ""


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message_template: ClassVar[str | Promise] = _("The request could not be handled.")

    def __init__(self, detail: str = "", *, message: str | Promise | None = None, **extra: Any):
        super().__init__(detail or self.code)
        self.detail = detail
        self.extra = extra
        self._message = message

    @property
    def context(self) -> str:
        """The technical account (English, may hold raw values): for logs, not for people."""
        return self.detail

    @property
    def params(self) -> dict[str, Any]:
        return self.extra

    def message_params(self) -> dict[str, Any]:
        """The values the message template names: lists joined with commas, and each
        ``<name>_minor`` amount also as ``<name>``, formatted as money in the active
        language when the params name the ``currency``."""
        params: dict[str, Any] = {
            key: ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else value
            for key, value in self.extra.items()
        }
        currency = self.extra.get("currency")
        if isinstance(currency, str):
            language = get_language() or "en"
            for key, value in self.extra.items():
                if key.endswith("_minor") and isinstance(value, int):
                    try:
                        params[key.removesuffix("_minor")] = Money(value, currency).format(language)
                    except MoneyError:
                        params[key.removesuffix("_minor")] = f"{value} {currency}"
        return params

    def message(self) -> str:
        """The message for people, in the active language."""
        template = str(self._message if self._message is not None else self.message_template)
        try:
            return template % _Params(self.message_params())
        except (TypeError, ValueError):
            return template

    def as_payload(self) -> dict[str, Any]:
        """The API body: the code, the message in the active language, the params, and the
        technical account as ``context`` (for developers; never shown to people)."""
        params = {k: str(v) if isinstance(v, Promise) else v for k, v in self.extra.items()}
        payload: dict[str, Any] = {**params, "error": self.code, "detail": self.message()}
        if self.detail and self.detail != payload["detail"]:
            payload["context"] = self.detail
        return payload


class InvalidInput(DomainError):
    """The request is well-formed but its values break a rule (HTTP 422)."""

    status = 422
    code = "invalid"
    message_template = _("Some of the values given are not valid; check them and try again.")


def not_one_of(field: str, allowed: Iterable[str]) -> InvalidInput:
    """The error for a value outside a fixed set (``field`` is the API's name for it)."""
    choices = ", ".join(allowed)
    return InvalidInput(
        f"{field} must be one of {choices}",
        message=_("%(field)s: choose one of %(choices)s."),
        field=field,
        choices=choices,
    )


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message_template = _("What you asked for does not exist or is no longer available.")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    message_template = _("You are not allowed to do this.")


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    message_template = _("Please sign in first.")


class Conflict(DomainError):
    """The action clashes with the current state (HTTP 409)."""

    status = 409
    code = "conflict"
    message_template = _("This cannot be done in the current state; reload and try again.")
