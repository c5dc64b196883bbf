"""Two operators registering the same VAT number at once: one company, one 409."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from fiera.merchants.models import Merchant
from fiera.merchants.services import VatTaken
from tests.merchants.factories import italian_vat, make_merchant


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_vat_number() -> None:
    vat = italian_vat()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def register() -> None:
        try:
            barrier.wait()
            make_merchant(vat_number=vat, display_name="Same Company")
            outcomes.append("created")
        except VatTaken:
            outcomes.append("vat_taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "vat_taken", "vat_taken", "vat_taken"]
    assert Merchant.objects.filter(vat_number=vat).count() == 1
