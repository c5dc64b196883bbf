"""A confirm receipt and a dispute (or two confirms) racing on one order: the order's row
lock serialises them, so the payment is released once or disputed, never both."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from fiera.accounts.roles import BUYER, SYSTEM
from fiera.common.errors import DomainError
from fiera.payments import selectors as pay
from fiera.payments.models import Payment
from fiera.trade import services
from fiera.trade.models import Dispute
from tests.trade.assurance_world import DAY, NOW, make_world, place, ship

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls: Callable[[], Any]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def _ledger_ok() -> None:
    from fiera.ledger.selectors import ledger_verify

    report = ledger_verify(actor_role=SYSTEM)
    assert report.ok, report.summary()


def test_confirm_and_dispute_racing_do_one_or_the_other() -> None:
    world = make_world()
    order = place(world)
    ship(world, order)

    def confirm() -> None:
        services.receipt_confirm(
            actor_id=world.buyer.pk, actor_role=BUYER, order_number=order.number, now=NOW + 4 * DAY
        )

    def dispute() -> None:
        services.dispute_open(
            actor_id=world.buyer.pk,
            actor_role=BUYER,
            order_number=order.number,
            reason="damaged",
            statement="Broken",
            now=NOW + 4 * DAY,
        )

    for _ in range(3):
        outcomes = _race(confirm, dispute)
        assert outcomes in (["escrow_not_held", "ok"], ["dispute_open", "ok"]), outcomes
        status = pay.escrow_get(reference=f"order:{order.number}", now=NOW).status
        disputed = Dispute.objects.filter(order_number=order.number).exists()
        assert (status == "released") != disputed
        if status == "released":
            break
        Dispute.objects.all().delete()  # the next round races again on a held payment
    _ledger_ok()


def test_two_confirms_release_once() -> None:
    world = make_world()
    order = place(world)
    ship(world, order)

    def confirm() -> None:
        services.receipt_confirm(
            actor_id=world.buyer.pk, actor_role=BUYER, order_number=order.number, now=NOW + 4 * DAY
        )

    assert _race(confirm, confirm, confirm) == ["ok", "ok", "ok"]  # the later ones answer it
    assert pay.escrow_get(reference=f"order:{order.number}", now=NOW).status == "released"
    assert Payment.objects.filter(reference=f"escrow:order:{order.number}").count() == 1
    _ledger_ok()
