from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from fiera.accounts import services
from fiera.accounts.schemas import MeOut, TokenIn, TokenOut
from fiera.common.schemas import ErrorOut, ParamId

router = Router(tags=["auth"])


@router.post("/auth/tokens", auth=None, response={201: TokenOut, 401: ErrorOut, 422: ErrorOut})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenOut]:
    """Exchange a username and password for an API key (shown once)."""
    issued = services.token_issue_for_credentials(
        username=payload.username, password=payload.password, name=payload.name
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
