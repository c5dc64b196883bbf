"""A Jepsen-style bank test on PostgreSQL: money is neither created nor lost under load.

Eight writer threads move random amounts between ten wallets (single transfers, batches,
linked pairs, and retries of ids other threads may be booking at the same moment) while
two readers sum the wallets in one statement (one snapshot) again and again. Every read
must see the starting total and no wallet below zero; each id must be booked at most
once; the final balances must be what the successful results add up to.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.ledger import selectors, services
from fiera.ledger.domain import TransferResult, TransferSpec
from fiera.ledger.models import Transfer
from tests.ledger.factories import NOW, funding, move, wallet

WALLETS = 10
START = 10_000
WRITERS = 8
READERS = 2
ROUNDS = 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_bank_keeps_its_total_under_concurrent_transfers() -> None:
    source = funding()
    wallets = [wallet() for _ in range(WALLETS)]
    for w in wallets:
        services.transfer_create(spec=move(source, w, START, code="topup"), now=NOW)
    ids = [w.id for w in wallets]
    total = WALLETS * START

    lock = threading.Lock()
    pool: list[TransferSpec] = []  # specs any thread may retry
    outcomes: list[tuple[TransferSpec, TransferResult]] = []
    reads: list[tuple[int, int]] = []
    failures: list[BaseException] = []
    writers_done = threading.Event()
    start = threading.Barrier(WRITERS + READERS)

    def spec(rng: random.Random, *, linked: bool = False) -> TransferSpec:
        debit, credit = rng.sample(ids, 2)
        return TransferSpec(
            id=uuid.uuid4(),
            debit_account_id=debit,
            credit_account_id=credit,
            amount_minor=rng.randint(1, 4000),
            currency="EUR",
            code="payment",
            linked=linked,
        )

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(ROUNDS):
                roll = rng.random()
                with lock:
                    retry = rng.choice(pool) if pool and roll < 0.25 else None
                if retry is not None:
                    batch = [retry]
                elif roll < 0.55:
                    batch = [spec(rng)]
                elif roll < 0.8:
                    batch = [spec(rng) for _ in range(rng.randint(2, 6))]
                    batch.append(batch[0])  # the same id twice in one batch
                else:
                    batch = [spec(rng, linked=True), spec(rng)]
                results = services.transfers_create(
                    transfers=batch, now=timezone.now(), actor_role=SYSTEM
                )
                with lock:
                    outcomes.extend(zip(batch, results, strict=True))
                    pool.extend(s for s in batch if not s.linked)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    def reader() -> None:
        try:
            start.wait()
            while not writers_done.is_set():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT SUM(credits_posted - debits_posted), "
                        "MIN(credits_posted - debits_posted - debits_pending) "
                        "FROM ledger_account WHERE id = ANY(%s)",
                        [ids],
                    )
                    row = cursor.fetchone()
                assert row is not None
                reads.append((int(row[0]), int(row[1])))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(WRITERS)]
    threads += [threading.Thread(target=reader) for _ in range(READERS)]
    for t in threads:
        t.start()
    for t in threads[:WRITERS]:
        t.join(timeout=300)
    writers_done.set()
    for t in threads[WRITERS:]:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not failures, failures

    # Every snapshot saw all the money and no negative wallet.
    assert len(reads) > 10
    assert {r[0] for r in reads} == {total}
    assert min(r[1] for r in reads) >= 0

    # Each id was booked at most once, whatever the retries; failures are the expected kind.
    created = Counter(s.id for s, r in outcomes if r.ok and not r.replayed)
    assert max(created.values()) == 1
    errors = Counter(r.error for _, r in outcomes if r.error)
    assert set(errors) <= {"exceeds_credits", "linked_event_failed"}, errors
    replayed = sum(1 for _, r in outcomes if r.replayed)
    assert replayed > 0 and errors["exceeds_credits"] > 0 and len(created) > 50
    stored = Counter(
        Transfer.objects.filter(transfer_id__in=list(created)).values_list("transfer_id", flat=True)
    )
    assert stored == created

    # The final balances are exactly what the booked transfers add up to.
    expected: dict[int, int] = defaultdict(lambda: START)
    for s, r in outcomes:
        if r.ok and not r.replayed:
            assert s.debit_account_id is not None and s.credit_account_id is not None
            assert s.amount_minor is not None
            expected[s.debit_account_id] -= s.amount_minor
            expected[s.credit_account_id] += s.amount_minor
    for account_id in ids:
        balance = selectors.account_balance(account_id=account_id)
        assert balance.posted.amount_minor == expected[account_id] >= 0
    report = selectors.ledger_verify(actor_role=SYSTEM)
    assert report.ok, report.problems
