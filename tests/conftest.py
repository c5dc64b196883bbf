"""Shared test set-up.

Tests marked ``postgres`` need PostgreSQL. Locally, on SQLite, they skip with the
reason. When FIERA_REQUIRE_POSTGRES=1 (CI's PostgreSQL pass) the database must be
PostgreSQL, or the whole run fails: such tests never silently skip there.
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    on_postgres = vendor == "postgresql"
    if os.environ.get("FIERA_REQUIRE_POSTGRES") == "1" and not on_postgres:
        raise pytest.UsageError(
            "FIERA_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL: the PostgreSQL tests "
            "would not run"
        )
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgresql://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
