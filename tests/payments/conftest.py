"""Payments fixtures: the ledger's invariants after a test, an in-memory funding gateway."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.payments.gateways import InMemoryFundingGateway


@pytest.fixture
def ledger_ok() -> Iterator[None]:
    """After the test: the ledger's invariants hold (debits = credits per currency, every
    balance equals its transfers, pending resolutions match)."""
    yield
    from fiera.ledger.selectors import ledger_verify

    report = ledger_verify(actor_role=SYSTEM)
    assert report.ok, report.summary()


@pytest.fixture
def gateway() -> InMemoryFundingGateway:
    return InMemoryFundingGateway()
