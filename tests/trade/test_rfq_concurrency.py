"""A supplier sending quotes at once from several sessions cannot pass the monthly quota:
the quota check is serialised per supplier (an advisory lock on PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from fiera.trade.models import Quote
from fiera.trade.services import QuoteQuota
from tests.trade.factories import make_world
from tests.trade.rfq_world import post, quote, rfq_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_quotes_stop_at_the_quota(settings: Any) -> None:
    settings.FIERA_TRADE_QUOTES_PER_MONTH = 3
    rw = rfq_world(make_world())
    rfq_ids = [post(rw).rfq.id for _ in range(6)]
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def send(rfq_id: int) -> None:
        try:
            barrier.wait()
            quote(rw, rfq_id)
            outcomes.append("sent")
        except QuoteQuota:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(rfq_id,)) for rfq_id in rfq_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["sent"] * 3
    assert Quote.objects.filter(merchant_id=rw.w.supplier.pk).count() == 3
