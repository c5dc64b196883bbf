"""Concurrent duplicates on PostgreSQL: the same request from many threads at once moves
money once; many payments on one wallet never overdraw it; a settlement day run twice at
once pays out once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from django.db import connection

from fiera.accounts.roles import SYSTEM
from fiera.common.money import Money
from fiera.ledger.selectors import ledger_verify
from fiera.payments import services
from fiera.payments.gateways import InMemoryFundingGateway
from fiera.payments.models import Payment, SettlementRun, TopUp
from fiera.payments.services import ChargePart
from tests.payments.factories import (
    NOW,
    balance,
    funded_wallet,
    make_buyer,
    make_merchant,
    make_rates,
    merchant_balance,
    pilot_outlet,
    qr_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
T = TypeVar("T")


def at_once(work: Callable[[int], T], threads: int = THREADS) -> list[T | BaseException]:
    """Run ``work(i)`` in ``threads`` threads released together; results or exceptions."""
    barrier = threading.Barrier(threads)
    results: list[T | BaseException] = [RuntimeError("not run")] * threads

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


def test_the_same_top_up_from_many_threads_books_once() -> None:
    buyer = make_buyer()
    services.wallet_open(user_id=buyer.pk, currency="CNY", now=NOW, actor_role=SYSTEM)
    gateway = InMemoryFundingGateway()

    def top_up(_: int) -> Any:
        return services.wallet_top_up(
            user_id=buyer.pk,
            amount_minor=10_000,
            currency="CNY",
            funding_reference="card",
            request_id="same",
            now=NOW,
            gateway=gateway,
            actor_role=SYSTEM,
        )

    results = at_once(top_up)
    assert all(not isinstance(r, BaseException) for r in results), results
    assert {r.status for r in results} == {"succeeded"}  # type: ignore[union-attr]
    assert len({r.transfer_id for r in results}) == 1  # type: ignore[union-attr]
    assert balance(buyer) == 10_000 and TopUp.objects.count() == 1
    assert gateway.total("CNY").amount_minor == 10_000
    assert ledger_verify(actor_role=SYSTEM).ok


def test_the_same_qr_payment_from_many_threads_pays_once() -> None:
    make_rates()
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 50_000)
    payload = qr_for(outlet, 1250)

    def pay(_: int) -> Any:
        return services.qr_payment_submit(
            user_id=buyer.pk, payload=payload, request_id="same", now=NOW, actor_role=SYSTEM
        )

    results = at_once(pay)
    assert all(not isinstance(r, BaseException) for r in results), results
    assert {r.status for r in results} == {"S"}  # type: ignore[union-attr]
    assert Payment.objects.count() == 1
    assert balance(buyer) == 50_000 - 9_799
    assert merchant_balance(outlet.merchant_id) == 1_250
    assert ledger_verify(actor_role=SYSTEM).ok


def test_many_payments_never_overdraw_a_wallet() -> None:
    make_rates()
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 3 * 9_799 + 100)
    payload = qr_for(outlet, 1250)

    def pay(i: int) -> Any:
        return services.qr_payment_submit(
            user_id=buyer.pk, payload=payload, request_id=f"r-{i}", now=NOW, actor_role=SYSTEM
        )

    results = at_once(pay)
    assert all(not isinstance(r, BaseException) for r in results), results
    statuses = Counter(r.status for r in results)  # type: ignore[union-attr]
    assert statuses == {"S": 3, "F": THREADS - 3}
    assert balance(buyer) == 100
    assert ledger_verify(actor_role=SYSTEM).ok


def test_concurrent_checkout_charges_of_one_wallet() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 5 * 1_000, "EUR")

    def charge(i: int) -> Any:
        return services.wallet_charge_for_checkout(
            buyer_id=buyer.pk,
            checkout_reference=f"co-{i}",
            amount=Money(1_000, "EUR"),
            parts=[ChargePart(merchant.pk, 1_000, f"F{i}")],
            now=NOW,
        )

    results = at_once(charge)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == THREADS - 5
    assert all(isinstance(f, services.InsufficientFunds) for f in failures), failures
    assert balance(buyer, "EUR") == 0 and merchant_balance(merchant.pk) == 5_000
    assert ledger_verify(actor_role=SYSTEM).ok


def test_a_day_settled_twice_at_once_pays_out_once() -> None:
    buyer, one, two = make_buyer(), make_merchant(), make_merchant()
    funded_wallet(buyer, 10_000, "EUR")
    for i, merchant in enumerate((one, two)):
        services.wallet_charge_for_checkout(
            buyer_id=buyer.pk,
            checkout_reference=f"co-{i}",
            amount=Money(2_000, "EUR"),
            parts=[ChargePart(merchant.pk, 2_000, f"F{i}")],
            now=NOW,
        )
    after = datetime(2025, 3, 2, 2, 0, tzinfo=UTC)
    results = at_once(
        lambda _: services.settlement_run(day=NOW.date(), now=after, actor_role=SYSTEM), threads=4
    )
    assert all(not isinstance(r, BaseException) for r in results), results
    assert SettlementRun.objects.count() == 2
    assert merchant_balance(one.pk, "payout") == merchant_balance(two.pk, "payout") == 2_000 - 24
    assert sum(r.created for r in results if not isinstance(r, BaseException)) == 2
    assert ledger_verify(actor_role=SYSTEM).ok
