"""The demo's trade marketplace answers the trade search in it/en/zh, and each filter
narrows what it finds (decision 0019)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fiera.trade import search

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(_world: list[str], db: None) -> None:
    return None


def run(kind: str, q: str | None = None, **filters: Any) -> Any:
    return search.trade_search(kind=kind, q=q, now=NOW, limit=100, **filters)


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("olio", "Olio extravergine"),
        ("olive oil", "olive oil"),
        ("橄榄油", "橄榄油"),
        ("wine", None),  # through the category's name (the names are appellations)
        ("红酒", None),
        ("pasta", None),
        ("spaghetti", "spaghetti"),
        ("咖啡", "咖啡"),
    ],
)
def test_the_demo_answers_in_each_language(world: None, q: str, found: str | None) -> None:
    listings = run("listings", q)
    assert listings.total > 0
    assert found is None or any(
        found.lower() in (h.name_it + h.name_en + h.name_zh).lower() for h in listings.items
    )
    assert run("suppliers", q).total > 0


def test_olive_oil_suppliers_from_three_countries(world: None) -> None:
    origins = {h.origin_country for h in run("listings", "橄榄油").items}
    assert {"IT", "ES", "GR"} <= origins
    assert run("suppliers", "Almazara").items[0].display_name == "Almazara Sierra Sur"


@pytest.mark.parametrize(
    "filters",
    [
        {"category": "food"},
        {"category": "food-pasta"},
        {"region": "IT-21"},
        {"max_moq": 1},
        {"level": "licence"},
        {"level": "audit"},
        {"origin": "ES"},
    ],
)
def test_each_filter_narrows_the_demo(world: None, filters: dict) -> None:
    for kind in ("listings", "suppliers"):
        every, narrowed = run(kind).total, run(kind, **filters).total
        assert 0 < narrowed < every, (kind, filters, narrowed, every)
