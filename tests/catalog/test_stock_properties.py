"""Stock never goes below zero, whatever sequence of adjustments is asked for."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiera.catalog import services
from fiera.catalog.models import StockLevel, StockMovement
from tests.catalog import factories as f

deltas = st.lists(st.integers(min_value=-50, max_value=50).filter(bool), max_size=25)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.integers(min_value=0, max_value=30), changes=deltas)
def test_stock_adjust_sequences_never_go_below_zero(start: int, changes: list[int]) -> None:
    shop = f.shop()
    variant = f.variant(f.product(shop.merchant))
    actor = {"actor_user_id": shop.owner.pk, "actor_role": shop.owner.role}
    services.stock_set(
        **actor, variant_id=variant.pk, warehouse_id=shop.warehouse.pk, units_on_hand=start
    )
    expected = start
    for delta in changes:
        try:
            level = services.stock_adjust(
                **actor,
                variant_id=variant.pk,
                warehouse_id=shop.warehouse.pk,
                delta=delta,
                reason="property",
            )
        except services.StockNegative:
            assert expected + delta < 0  # refused only when it would go negative
        else:
            expected += delta
            assert level.units_on_hand == expected
        assert expected >= 0
    on_hand = StockLevel.objects.get(variant=variant, warehouse=shop.warehouse).units_on_hand
    assert on_hand == expected
    # the audit trail adds up to the level: every accepted change was recorded once
    moves = StockMovement.objects.filter(variant=variant)
    assert sum(m.delta for m in moves) == on_hand
    assert all(m.units_after >= 0 for m in moves)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_removals_never_oversell() -> None:
    """Twelve clerks remove one unit each from a shelf of five, at the same time."""
    import threading

    from django.db import connection

    shop = f.shop()
    variant = f.variant(f.product(shop.merchant))
    f.stock(variant, shop.warehouse, 5)
    barrier = threading.Barrier(12)
    outcomes: list[str] = []
    lock = threading.Lock()

    def remove_one() -> None:
        try:
            barrier.wait()
            services.stock_adjust(
                actor_user_id=shop.owner.pk,
                actor_role="merchant",
                variant_id=variant.pk,
                warehouse_id=shop.warehouse.pk,
                delta=-1,
                reason="concurrent",
            )
            result = "ok"
        except services.StockNegative:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=remove_one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 5 + ["refused"] * 7
    assert StockLevel.objects.get(variant=variant).units_on_hand == 0
    assert StockMovement.objects.filter(variant=variant).count() == 5
