"""One demo world for every test module of this package: ``fiera demo``'s builder with 20
merchants, seed 5, at ``NOW``, built ONCE in a transaction that is rolled back when the
package's last test has run (each test runs in a savepoint inside it, so what a test
changes is undone after it). Building it takes tens of seconds, minutes on a loaded
PostgreSQL: six modules used to build the same world each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction

from fiera.demo.build import build_demo

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="package")
def _world(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[str]]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(merchants=20, seed=5, now=NOW, progress=False)
        transaction.set_rollback(True)
