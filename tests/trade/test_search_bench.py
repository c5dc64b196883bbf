"""bench/search.py --trade writes its marketplace with raw INSERTs: they must keep up with the
catalog's columns (the listing terms added NOT NULL columns and broke a fresh generation),
and what they write must be found by the trade search the bench measures."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from django.utils import timezone

from fiera.catalog.models import Product, Variant
from fiera.trade import search

pytestmark = pytest.mark.django_db
BENCH = Path(__file__).resolve().parents[2] / "bench" / "search.py"


def _bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH.parent))  # the scripts import each other
    spec = importlib.util.spec_from_file_location("bench_search", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_trade_bench_generates_a_marketplace_the_search_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bench = _bench(monkeypatch)
    bench.generate_trade(1000)
    assert bench._trade_generated(1000)
    assert Product.objects.count() == 1000 and Variant.objects.count() == 1000
    assert not Product.objects.exclude(incoterm="").exists()
    now = timezone.now()
    for kind, params in (
        ("listings", {}),
        ("listings", {"q": "olio", "max_moq": 50}),
        ("listings", {"level": "audit"}),
        ("suppliers", {}),
    ):
        found = search.trade_search(
            kind=kind, marketplace_slug=bench.TRADE_MARKETPLACE, now=now, **params
        )
        assert found.items, (kind, params)


# --- pav ---
def test_the_pavilion_bench_admits_the_first_companies_and_the_search_keeps_to_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fiera.trade import selectors

    bench = _bench(monkeypatch)
    bench.generate_trade(2000)  # 4 suppliers of 500 listings
    pavilion = bench.pavilion_admit(3)
    assert pavilion.admitted == 3
    admitted = set(selectors.pavilion_admitted(pavilion_id=pavilion.id))
    for params in ({}, {"q": "olio"}, {"category_slug": "food"}):
        found = selectors.pavilion_listing_search(pavilion=pavilion, **params)
        assert found.items and {c.merchant_id for c in found.items} <= admitted, params
    assert bench.pavilion_admit(2).admitted == 2  # made again for another number
