from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status
from ninja.throttling import AnonRateThrottle

from fiera.accounts import services
from fiera.accounts.schemas import MeOut, TokenIn, TokenOut
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


@router.delete("/auth/tokens/{token_id}", response={204: None, 404: ErrorOut})
def token_delete(request: HttpRequest, token_id: ParamId) -> Status[None]:
    services.token_revoke(user_id=request.auth.pk, token_id=token_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    return MeOut.from_orm(user)
