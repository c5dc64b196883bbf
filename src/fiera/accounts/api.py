from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router, Status
from ninja.throttling import AnonRateThrottle

from fiera.accounts import services
from fiera.accounts.schemas import MeOut, SignupIn, SignupOut, TokenIn, TokenOut
from fiera.common.schemas import ErrorOut, ParamId

router = Router(tags=["auth"])


@router.post(
    "/auth/tokens",
    auth=None,
    throttle=[AnonRateThrottle(settings.FIERA_API_TOKEN_RATE)],
    response={201: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenOut]:
    """Exchange a username and password for an API key (shown once).

    429 with Retry-After: too many requests from this address (FIERA_API_TOKEN_RATE), or too
    many wrong passwords for this username from it (FIERA_LOGIN_FAILURE_LIMIT).
    """
    issued = services.token_issue_for_credentials(
        username=payload.username, password=payload.password, name=payload.name, request=request
    )
    return Status(201, TokenOut(token_id=issued.token_id, key=issued.key))


class SignupRateThrottle(AnonRateThrottle):
    """Sign-ups per client address, counted apart from the token endpoint's requests."""

    scope = "signup"


@router.post(
    "/auth/signup",
    auth=None,
    throttle=[SignupRateThrottle(settings.FIERA_SIGNUP_RATE)],
    response={201: SignupOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
)
def signup(request: HttpRequest, payload: SignupIn) -> Status[SignupOut]:
    """Create a buyer account (then exchange its credentials at ``/auth/tokens``).

    409 ``username_taken`` / ``email_taken``; 422 ``weak_password`` (``problems`` lists
    Django's validator codes, ``detail`` says why in the request's language),
    ``invalid_email``, ``invalid_username``, ``unknown_language`` or a bad country; 429 with
    Retry-After: too many sign-ups from this address (FIERA_SIGNUP_RATE).
    """
    user = services.buyer_signup(
        username=payload.username,
        email=payload.email,
        password=payload.password,
        country=payload.country,
        preferred_language=payload.preferred_language or _request_language(),
    )
    return Status(201, SignupOut.from_orm(user))


def _request_language() -> str:
    """The request's language (Accept-Language) as one of settings.LANGUAGES, or ""."""
    active = (get_language() or "").lower()
    codes = [code for code, _name in settings.LANGUAGES]
    return active if active in codes else ""


@router.delete("/auth/tokens/{token_id}", response={204: None, 404: ErrorOut})
def token_delete(request: HttpRequest, token_id: ParamId) -> Status[None]:
    services.token_revoke(user_id=request.auth.pk, token_id=token_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    return MeOut.from_orm(user)
