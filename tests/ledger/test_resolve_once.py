"""Once only, without the unique indexes that Citus cannot keep (decision 0008).

Transfers are distributed by ``transfer_id``, so "a pending transfer is resolved once" and
"a transfer is reversed once" are no longer unique indexes: the write path checks them after
locking the two accounts that every resolution or reversal of one transfer locks. Here many
threads race to resolve or reverse the same transfer with fresh ids on PostgreSQL; exactly
one wins. And the transfer id stays unique across debit accounts (it is the distribution
column), so the happy path's idempotency holds for an id reused with another debit account.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import pytest
from django.db import connection

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import DomainError
from fiera.ledger import selectors, services
from fiera.ledger.domain import TransferSpec
from fiera.ledger.models import Transfer
from tests.ledger.factories import NOW, funded_wallet, move, tid, wallet

RACERS = 8


def _race(attempt: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    won: list[object] = []
    lost: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(RACERS)

    def run(n: int) -> None:
        try:
            start.wait()
            result = attempt(n)
            with lock:
                won.append(result)
        except DomainError as exc:
            with lock:
                lost.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, lost


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_posts_and_voids_resolve_a_pending_transfer_once() -> None:
    w, shop = funded_wallet(1000), wallet()
    pending = services.transfer_create(spec=move(w, shop, 400, pending=True), now=NOW)

    def resolve(n: int) -> object:
        flag = {"post_pending": True} if n % 2 else {"void_pending": True}
        return services.transfer_create(
            spec=TransferSpec(id=tid(), pending_id=pending.id, **flag),  # type: ignore[arg-type]
            now=NOW,
        )

    won, lost = _race(resolve)
    assert len(won) == 1 and len(lost) == RACERS - 1, lost
    assert Transfer.objects.filter(pending_transfer_id=pending.id).count() == 1
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_reversals_reverse_a_transfer_once() -> None:
    w, shop = funded_wallet(1000), wallet()
    paid = services.transfer_create(spec=move(w, shop, 300), now=NOW)

    won, lost = _race(
        lambda n: services.transfer_reverse(transfer_id=paid.id, new_id=tid(), now=NOW)
    )
    assert len(won) == 1 and len(lost) == RACERS - 1, lost
    assert Transfer.objects.filter(reversal_of_id=paid.id).count() == 1
    assert selectors.ledger_verify(actor_role=SYSTEM).ok


@pytest.mark.django_db
def test_an_id_reused_with_another_debit_account_is_a_conflict() -> None:
    first, second, shop = funded_wallet(500), funded_wallet(500), wallet()
    spec = move(first, shop, 100)
    services.transfer_create(spec=spec, now=NOW)
    with pytest.raises(services.TransferIdReused):
        services.transfer_create(spec=replace(spec, debit_account_id=second.id), now=NOW)
    assert Transfer.objects.filter(transfer_id=spec.id).count() == 1
