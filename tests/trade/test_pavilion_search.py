"""The search inside a pavilion (decision 0020): the admitted companies' products for sale on
the pavilion's marketplace, exactly those the storefront search lists for those companies
(one sellability rule, catalog/rules.py), in the same order, paged, and never another
company's."""

from __future__ import annotations

from typing import Any

import pytest

from fiera.catalog import selectors as catalog
from fiera.catalog.selectors import SearchPage
from fiera.trade import selectors
from tests.catalog import factories as f
from tests.trade.pavilion_factories import (
    PavilionWorld,
    apply,
    decide,
    make_pavilion_world,
    supplier,
)

pytestmark = pytest.mark.django_db

QUERIES = [None, "olive", "olive oil", "olio", "wool", "zzzz", "橄榄油"]


@pytest.fixture(params=["set drives", "set filters"])
def pw(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> PavilionWorld:
    """Three admitted companies (one whose store on the market is closed), one still under
    review and one that never applied, each with products for sale and products that are
    not (inactive product or variant, priced only in another currency or not at all).
    Twice: with the company set driving SQLite's plan, and as a filter beside the
    newest-first or the text index (what a set of many listings does)."""
    if request.param == "set filters":
        monkeypatch.setattr(catalog, "SET_DRIVES_BELOW", 1)
    pw = make_pavilion_world(quota=5)
    w = pw.trade
    food = pw.category
    wool = f.category("textiles", name_en="Textiles")
    first, first_owner = w.supplier, w.owner
    second, second_owner = supplier(w, region="IT-52")
    closed, closed_owner = supplier(w, region="IT-45")
    pending, pending_owner = supplier(w)
    outsider, _ = supplier(w)
    for merchant, owner in ((first, first_owner), (second, second_owner), (closed, closed_owner)):
        decide(pw, apply(pw, merchant, owner).id)
    apply(pw, pending, pending_owner)
    closed.stores.update(is_active=False)
    for merchant in (first, second, closed, pending, outsider):
        for n in range(4):
            olive = f.product(
                merchant,
                name_en=f"Olive oil {n}",
                name_it=f"Olio d'oliva {n}",
                name_zh=f"橄榄油{n}",
                category=food,
            )
            f.price(f.variant(olive), w.market, 900 + n, currency="USD")
            scarf = f.product(merchant, name_en=f"Wool scarf {n}", category=wool)
            f.variant(scarf, is_active=False)  # the second variant is for sale
            f.price(f.variant(scarf), w.market, 1200 + n, currency="USD")
        hidden = f.product(merchant, name_en="Olive oil hidden", is_active=False)
        f.price(f.variant(hidden), w.market, 900, currency="USD")
        off = f.product(merchant, name_en="Olive oil variant off", category=food)
        f.price(f.variant(off, is_active=False), w.market, 900, currency="USD")
        euro = f.product(merchant, name_en="Olive oil in euro", category=food)
        f.price(f.variant(euro), w.market, 900, currency="EUR")
        f.variant(f.product(merchant, name_en="Olive oil unpriced", category=food))
    return pw


def _admitted(pw: PavilionWorld) -> set[int]:
    return set(selectors.pavilion_admitted(pavilion_id=pw.pavilion.id))


def _storefront(pw: PavilionWorld, **filters: Any) -> list[int]:
    """The storefront's search of the whole marketplace (the set of what is for sale),
    kept to the admitted companies."""
    page = catalog.product_search(
        marketplace_id=pw.trade.market.pk, currency="USD", limit=100, **filters
    )
    assert page.total_exact and page.total < 100
    admitted = _admitted(pw)
    return [c.product_id for c in page.items if c.merchant_id in admitted]


def _pavilion(pw: PavilionWorld, **arguments: Any) -> SearchPage:
    return selectors.pavilion_listing_search(pavilion=pw.pavilion, **arguments)


@pytest.mark.parametrize("category", [None, "food"])
@pytest.mark.parametrize("q", QUERIES)
def test_the_same_products_as_the_storefront_for_the_admitted_companies(
    pw: PavilionWorld, q: str | None, category: str | None
) -> None:
    expected = _storefront(pw, q=q, category_slug=category)
    found = _pavilion(pw, q=q, category_slug=category, limit=100)
    assert [c.product_id for c in found.items] == expected
    assert (found.total, found.total_exact) == (len(expected), True)
    if q in (None, "olive"):
        assert expected  # the world holds something to find


def test_only_the_admitted_companies_and_only_what_is_for_sale(pw: PavilionWorld) -> None:
    from fiera.merchants.models import Store

    found = _pavilion(pw, limit=100)
    admitted = _admitted(pw)
    closed = set(
        Store.objects.filter(marketplace=pw.trade.market, is_active=False).values_list(
            "merchant_id", flat=True
        )
    )
    assert len(admitted) == 3 and len(closed & admitted) == 1
    # the company whose store is closed is admitted but sells nothing on the market
    assert {c.merchant_id for c in found.items} == admitted - closed
    assert not {c.name_en for c in found.items} & {
        "Olive oil hidden",
        "Olive oil variant off",
        "Olive oil in euro",
        "Olive oil unpriced",
    }
    # each of the two: its first listing, 4 olive oils and 4 scarves
    assert (found.total, len(found.items)) == (18, 18)
    everything = catalog.product_search(
        marketplace_id=pw.trade.market.pk, currency="USD", limit=100
    )
    assert {c.merchant_id for c in everything.items} - admitted  # others sell there too
    assert all(c.from_price_minor > 0 and c.store_slug for c in found.items)


@pytest.mark.parametrize("q", [None, "olive"])
def test_pages_walk_every_result_once(pw: PavilionWorld, q: str | None) -> None:
    expected = _storefront(pw, q=q)
    walked: list[int] = []
    offset = 0
    while True:
        page = _pavilion(pw, q=q, limit=3, offset=offset)
        assert (page.total, page.total_exact) == (len(expected), True)
        if not page.items:
            break
        assert len(page.items) <= 3
        walked.extend(c.product_id for c in page.items)
        offset += 3
    assert walked == expected
    past = _pavilion(pw, q=q, limit=3, offset=300)
    assert past.items == [] and past.total == len(expected)


def test_a_withdrawn_company_leaves_the_search(pw: PavilionWorld) -> None:
    from fiera.trade.models import PavilionApplication

    before = {c.merchant_id for c in _pavilion(pw, limit=100).items}
    gone = pw.trade.supplier.pk
    assert gone in before
    PavilionApplication.objects.filter(pavilion_id=pw.pavilion.id, merchant_id=gone).update(
        status="withdrawn", closed_at=pw.pavilion.created_at
    )
    after = _pavilion(pw, limit=100)
    assert {c.merchant_id for c in after.items} == before - {gone}
    assert [c.product_id for c in after.items] == _storefront(pw)


@pytest.mark.postgres
def test_postgresql_plans_the_search_without_jit(pw: PavilionWorld) -> None:
    """The search's statements run with JIT off (its compilation cost 300-450 ms at 1M
    listings for statements of 25-200 ms, decision 0020): ``SET LOCAL``, to the end of the
    search's transaction (or the caller's, when it runs inside one)."""
    from django.db import connection, transaction

    seen: list[str] = []

    def jit_state(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if "FROM catalog_product p " in sql:
            with connection.cursor() as cursor:
                cursor.execute("SHOW jit")
                seen.append(cursor.fetchone()[0])
        return result

    with transaction.atomic():
        with connection.execute_wrapper(jit_state):
            found = _pavilion(pw, q="olive")
        assert found.items and seen and set(seen) == {"off"}
