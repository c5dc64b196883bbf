"""A buyer sending inquiries at once from several sessions cannot pass the daily quota: the
quota check is serialised per buyer (an advisory lock on PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from fiera.trade.models import Inquiry
from fiera.trade.services import InquiryQuota
from tests.trade.factories import inquire, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_sends_stop_at_the_quota(settings: Any) -> None:
    settings.FIERA_TRADE_INQUIRIES_PER_DAY = 3
    world = make_world()
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def send() -> None:
        try:
            barrier.wait()
            inquire(world)
            outcomes.append("sent")
        except InquiryQuota:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["sent"] * 3
    assert Inquiry.objects.filter(buyer_id=world.buyer.pk).count() == 3


# --- pavilions ---


def test_simultaneous_admissions_never_pass_the_quota() -> None:
    """Eight reviewers admit eight companies at once into a pavilion with three seats: the
    pavilion row's lock queues them, so exactly three are admitted and five waitlisted."""
    from fiera.trade.models import Pavilion, PavilionApplication
    from tests.trade.pavilion_factories import apply, decide, make_pavilion_world, supplier

    pw = make_pavilion_world(quota=3)
    ids = []
    for _ in range(8):
        merchant, owner = supplier(pw.trade)
        ids.append(apply(pw, merchant, owner).id)
    barrier = threading.Barrier(len(ids))
    outcomes: list[str] = []

    def admit(application_id: int) -> None:
        try:
            barrier.wait()
            outcomes.append(decide(pw, application_id).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=admit, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["admitted"] * 3 + ["waitlisted"] * 5
    assert Pavilion.objects.get(pk=pw.pavilion.id).admitted_count == 3
    rows = PavilionApplication.objects.filter(pavilion_id=pw.pavilion.id)
    assert rows.filter(status="admitted").count() == 3
