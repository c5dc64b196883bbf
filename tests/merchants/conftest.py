from __future__ import annotations

import pytest

from tests.merchants.factories import load_sectors


@pytest.fixture
def sectors(db: None) -> None:
    load_sectors()
