"""The ledger API, for operators (the payments app exposes wallets to their owners).

Each operation passes the caller's role to ONE service or selector, which refuses
anyone but an operator (403 ``ledger_operators_only``).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from fiera.common.schemas import ErrorOut, ParamId
from fiera.ledger import selectors, services
from fiera.ledger.schemas import (
    AccountOut,
    StatementOut,
    TransferIn,
    TransferOut,
    TransferResultsOut,
    VerifyOut,
)

router = Router(tags=["ledger"])


def _role(request: HttpRequest) -> str:
    return str(request.auth.role)  # type: ignore[attr-defined]


class PageIn(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=selectors.MAX_STATEMENT_WINDOW)


@router.get(
    "/ledger/accounts/{account_id}",
    response={200: AccountOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def account_detail(request: HttpRequest, account_id: ParamId) -> AccountOut:
    """An account with its balances (minor units) on its normal side."""
    return AccountOut.of(selectors.account_get(account_id=account_id, actor_role=_role(request)))


@router.get(
    "/ledger/accounts/{account_id}/transfers",
    response={200: StatementOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def account_transfers(
    request: HttpRequest, account_id: ParamId, page: Query[PageIn]
) -> StatementOut:
    """The account's statement: its transfers newest first (``limit`` at most 200), each
    with its direction and the posted balance right after it."""
    return StatementOut.of(
        selectors.account_statement(
            account_id=account_id, limit=page.limit, offset=page.offset, actor_role=_role(request)
        )
    )


@router.post(
    "/ledger/transfers",
    response={
        200: TransferResultsOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ErrorOut,
    },
)
def transfers_post(request: HttpRequest, payload: list[TransferIn]) -> TransferResultsOut:
    """Book a batch of transfers (at most 8189) in one transaction. 200 with one result per
    transfer, in order: each succeeds or fails on its own, except linked chains, which
    succeed or fail together. Retrying a transfer with the same id and fields is safe."""
    results = services.transfers_create(
        transfers=[item.spec() for item in payload], now=timezone.now(), actor_role=_role(request)
    )
    return TransferResultsOut.of(results)


@router.get(
    "/ledger/transfers/{transfer_id}",
    response={200: TransferOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def transfer_detail(request: HttpRequest, transfer_id: str) -> TransferOut:
    """One transfer, by its UUID or the text key it was booked with."""
    return TransferOut.of(
        selectors.transfer_get(transfer_id=transfer_id, actor_role=_role(request))
    )


@router.get(
    "/ledger/verify",
    operation_id="ledger_verify",
    response={200: VerifyOut, 401: ErrorOut, 403: ErrorOut},
)
def verify(request: HttpRequest) -> VerifyOut:
    """Check the ledger's invariants (debits = credits per currency, every balance equal
    to its transfers). A full scan: for operators, now and then."""
    return VerifyOut.of(selectors.ledger_verify(actor_role=_role(request)))
