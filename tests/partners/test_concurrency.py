"""People moving the same lead one step at once: one move wins, the others get a 409 (the
conditional UPDATE re-checks the stage after the winner commits), and the history records one
step; two partners registering the same firm at once: one lead."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from fiera.accounts.roles import SYSTEM
from fiera.partners.models import Lead, LeadEvent
from fiera.partners.services import LeadExists, StageConflict, lead_advance
from tests.merchants.factories import italian_vat
from tests.partners.factories import NOW, make_lead, make_partner

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(actions: list[Callable[[], object]], expected: type[Exception]) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
            outcomes.append("done")
        except expected:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_one_of_concurrent_moves_wins() -> None:
    partner = make_partner()
    lead = make_lead(partner)
    move = {"partner_id": partner.id, "lead_id": lead.id, "now": NOW, "actor_id": None}

    def advance() -> object:
        return lead_advance(to_stage="contacted", actor_role=SYSTEM, **move)

    outcomes = _race([advance] * 4, StageConflict)
    assert outcomes == ["done", "refused", "refused", "refused"]
    assert LeadEvent.objects.filter(lead_id=lead.id).count() == 2  # new, then the one move


def test_one_lead_per_firm_under_concurrent_registrations() -> None:
    partners = [make_partner() for _ in range(3)]
    vat = italian_vat()
    outcomes = _race(
        [lambda p=p: make_lead(p, vat_number=vat) for p in partners],  # type: ignore[misc]
        LeadExists,
    )
    assert outcomes == ["done", "refused", "refused"]
    assert Lead.objects.filter(vat_number=vat).count() == 1
