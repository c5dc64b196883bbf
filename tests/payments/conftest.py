"""Payments tests create many users: hash their passwords the fast way (the slow hasher
is the accounts app's concern, tested there)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.payments.gateways import InMemoryFundingGateway


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
