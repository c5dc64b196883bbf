"""The one NinjaAPI: every app's router under /api/v1, and the one error handler."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.parser import Parser

from fiera.academy.api import router as academy_router
from fiera.accounts.api import router as accounts_router
from fiera.accounts.auth import API_AUTH
from fiera.analytics.api import router as analytics_router
from fiera.catalog.api import router as catalog_router
from fiera.common.api import router as reference_router
from fiera.common.errors import DomainError
from fiera.common.money import MoneyError
from fiera.common.schemas import ErrorOut
from fiera.festivals.api import router as festivals_router
from fiera.ledger.api import router as ledger_router
from fiera.marketplaces.api import router as marketplaces_router
from fiera.merchants.api import router as merchants_router
from fiera.orders.api import router as orders_router
from fiera.partners.api import router as partners_router
from fiera.payments.api import router as payments_router
from fiera.trade.api import router as trade_router


def _has_nul(value: Any) -> bool:
    """True when a string anywhere in ``value`` holds U+0000 or a lone surrogate (neither can
    be stored as UTF-8 text)."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class FieraParser(Parser):
    """JSON and query parsing that refuses NUL characters.

    PostgreSQL cannot store U+0000 in text, so a NUL that reached a query would be a 500; it
    is refused up front instead (400 for a body, 422 for a query parameter).
    """

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if _has_nul(data):
            raise ValueError("the body contains a NUL character or an unpaired surrogate")
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        if _has_nul(result):
            raise HttpError(422, "a query parameter or form field contains a NUL character")
        return result


class FieraAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI also states the errors every operation can answer.

    Beside what each operation declares, the shared machinery can answer: 400 when a body is
    not JSON, 401 (and 403 for a session without its CSRF token) on every operation that
    needs a sign-in, and 422 when a parameter or the body does not match its schema. All in
    the error shape ``{"error": code, "detail": text}``.
    """

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The view function's name (``checkout_create``), not its module path: generated
        clients name their functions after it. Unique over the API (a test holds it)."""
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", ErrorOut.model_json_schema())
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                shared: list[tuple[int, str]] = []
                if "requestBody" in operation:
                    shared.append((400, "The body is not valid JSON"))
                if operation.get("security"):
                    shared.append((401, "Not signed in: send Authorization: Bearer <key>"))
                    shared.append((403, "Not allowed (or a session request without CSRF token)"))
                if operation.get("parameters") or "requestBody" in operation:
                    shared.append((422, "A parameter or the body is invalid"))
                for status, description in shared:
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": description, "content": error}
        return schema


def _docs_gate(view: Any) -> Any:
    """/api/v1/docs and /api/v1/openapi.json for whom FIERA_API_DOCS says: everyone
    (``public``), staff signed in to the admin (``staff``), or no one (``off``: 404)."""
    staff_view = staff_member_required(view)

    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        mode = settings.FIERA_API_DOCS
        if mode == "off":
            raise Http404("the API documentation is turned off (FIERA_API_DOCS=off)")
        if mode == "staff":
            return staff_view(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return gated


api = FieraAPI(
    parser=FieraParser(),
    title="Fiera API",
    version="1",
    description=(
        "Cross-border commerce: marketplaces, merchants, catalog, orders. Amounts are integer "
        'minor units with an ISO 4217 code. Errors are `{"error": code, "detail": text}`.'
    ),
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=_docs_gate,
)

api.add_router("", accounts_router)
api.add_router("", reference_router)
api.add_router("", marketplaces_router)
api.add_router("", merchants_router)
api.add_router("", catalog_router)
api.add_router("", orders_router)
api.add_router("", ledger_router)
api.add_router("", payments_router)
api.add_router("", festivals_router)
api.add_router("", partners_router)
api.add_router("", trade_router)
# --- academy ---
api.add_router("/academy", academy_router)
# --- reports ---
api.add_router("", analytics_router)


def _error(
    request: HttpRequest, status: int, code: str, detail: str, **extra: object
) -> HttpResponse:
    return api.create_response(request, {"error": code, "detail": detail, **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_payload(), status=exc.status)


@api.exception_handler(MoneyError)
def on_money_error(request: HttpRequest, exc: MoneyError) -> HttpResponse:
    return _error(
        request,
        422,
        "invalid_money",
        _("This amount or currency is not valid."),
        context=str(exc),
    )


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    parts = []
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in {"body", "payload"})
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg")))
    fields = [
        {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors
    ]
    names = sorted(
        {
            next((str(p) for p in reversed(err.get("loc", ())) if isinstance(p, str)), "")
            for err in exc.errors
        }
        - {"", "body"}
    )
    detail = (
        _("Some values in the request are not valid: %(fields)s.") % {"fields": ", ".join(names)}
        if names
        else _("The request is not valid.")
    )
    return _error(
        request, 422, "invalid", detail, context="; ".join(parts) or "invalid input", fields=fields
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "unauthenticated",
        _("Please sign in first, or send an API key (Authorization: Bearer <key>)."),
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(
        request,
        404,
        "not_found",
        _("What you asked for does not exist or is no longer available."),
        context=str(exc) or "not found",
    )


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _error(
        request,
        413,
        "too_large",
        _("The request is too large: send at most %(limit)s bytes.") % {"limit": limit},
        limit=limit,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, Throttled):
        # ninja adds the Retry-After header (whole seconds) to this response.
        return _error(
            request,
            429,
            "too_many_requests",
            _("Too many requests from this address; please wait a moment and try again."),
        )
    code = {400: "bad_request", 403: "forbidden", 404: "not_found"}.get(exc.status_code, "error")
    if exc.status_code == 400:
        detail = _("The request body could not be read: send valid JSON without NUL characters.")
    elif exc.status_code == 422:
        detail = _(
            "A query parameter or form field contains a NUL character, which is not allowed."
        )
    elif exc.status_code == 403:
        detail = _("You are not allowed to do this.")
    elif exc.status_code == 404:
        detail = _("What you asked for does not exist or is no longer available.")
    else:
        detail = _("The request could not be handled.")
    return _error(request, exc.status_code, code, detail, context=str(exc))


def api_not_found(request: HttpRequest) -> HttpResponse:
    """Every path under /api/v1/ that no operation serves, with any method: 404 in the error
    shape, never the HTML page (mounted after the API's own URLs)."""
    return _error(
        request,
        404,
        "not_found",
        _("There is no API endpoint at %(path)s.") % {"path": request.path},
    )
