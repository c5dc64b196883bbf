"""A merchant's payable is opened by the outbox subscriber of its registration (decision
0012), so that its first wallet sale writes no account row."""

from __future__ import annotations

import pytest

from fiera.common import events
from fiera.ledger.selectors import account_get_by_key
from fiera.payments.services.base import settlement_currency
from tests.merchants.factories import make_merchant


def _payable(merchant_id: int) -> object:
    return account_get_by_key(
        code="merchant_payable",
        owner_type="merchant",
        owner_id=merchant_id,
        currency=settlement_currency(),
    )


@pytest.mark.django_db(transaction=True)
def test_registering_a_merchant_opens_its_payable_once_the_relay_runs() -> None:
    merchant = make_merchant()  # commits: the relay delivers the event after the commit
    events.relay()

    payable = _payable(merchant.id)
    assert payable is not None
    assert events.subscriber_names("merchants.merchant.registered") == ["payments.payable_open"]
    events.relay()  # delivered once: another run changes nothing
    assert _payable(merchant.id) == payable
