"""Without a broker there is no `celery beat`: `fiera periodic` runs the beat schedule's
jobs itself (`fiera serve` starts it). Every job of the schedule runs, and what each is for
happens: an overdue pay-later order is cancelled, the ledger's balance deltas are folded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings

from fiera.cli import main
from fiera.ledger.models import BalanceDelta
from fiera.orders.models import OrderStatus
from tests.orders.test_pay_later import NOW, place, world  # noqa: F401 - world is a fixture

# The outbox relay, one of the jobs, commits as it goes: no test transaction around it.
pytestmark = pytest.mark.django_db(transaction=True)


def test_every_scheduled_job_is_a_known_task() -> None:
    from fiera.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_periodic_once_runs_every_job(world) -> None:  # noqa: F811
    overdue = place(world, quantity=1, at=NOW - timedelta(hours=2))
    paid = place(world, quantity=1, method="wallet", at=NOW)
    assert BalanceDelta.objects.exists()  # the wallet checkout deferred its payable's side
    assert main(["periodic", "--once"]) == 0
    overdue.refresh_from_db()
    paid.refresh_from_db()
    assert overdue.status == OrderStatus.CANCELLED
    assert paid.status == OrderStatus.PAID
    assert not BalanceDelta.objects.exists()


def test_a_failing_job_is_logged_and_the_others_still_run(world, monkeypatch, capfd) -> None:  # noqa: F811
    from fiera.celery import app

    app.loader.import_default_modules()
    overdue = place(world, quantity=1, at=NOW - timedelta(hours=2))

    def broken(*args, **kwargs):
        raise RuntimeError("the roll-up broke")

    monkeypatch.setattr(app.tasks["fiera.ledger.balance_deltas_apply"], "run", broken)
    assert main(["periodic", "--once"]) == 1
    overdue.refresh_from_db()
    assert overdue.status == OrderStatus.CANCELLED
    assert "periodic job ledger-balance-deltas failed" in capfd.readouterr().err
