"""PostgreSQL: flash sales set stock aside under concurrency without overcommitting it, and a
flash sale closed from two threads returns its units once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.catalog.models import StockLevel, StockMovement
from fiera.festivals import services
from fiera.festivals.models import Festival, FlashSale, Participation
from tests.orders import factories as f
from tests.orders.test_concurrency import run_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = f.NOW
H = timedelta(hours=1)


def _world():
    market = f.marketplace()
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=1000, stock=100)
    services.festival_create(
        actor_id=None,
        actor_role=SYSTEM,
        slug="storm",
        name="Storm",
        marketplace_slugs=[market.slug],
        warmup_starts_at=NOW + H,
        starts_at=NOW + 2 * H,
        ends_at=NOW + 10 * H,
        is_published=True,
        now=NOW,
    )
    Participation.objects.create(
        festival=Festival.objects.get(slug="storm"),
        merchant=maker,
        status="approved",
        applied_at=NOW,
    )
    return maker, item


def _create(maker, item, quantity):
    return services.flash_sale_create(
        actor_id=None,
        actor_role=SYSTEM,
        festival_slug="storm",
        merchant_id=maker.pk,
        variant_id=item.id,
        warehouse_id=item.warehouse.pk,
        currency="EUR",
        price_minor=500,
        quantity=quantity,
        starts_at=NOW + 2 * H,
        ends_at=NOW + 3 * H,
        now=NOW,
    )


def test_concurrent_flash_sales_never_overcommit_stock():
    maker, item = _world()

    def work(i):
        try:
            return _create(maker, item, 30).pk
        except services.FlashSaleStockShort:
            return None

    results = run_threads(8, work)
    created = [r for r in results if r is not None]
    assert len(created) == 3  # 3 x 30 of 100
    assert StockLevel.objects.get(variant=item.variant).units_on_hand == 10
    assert FlashSale.objects.count() == 3


def test_concurrent_close_returns_units_once():
    maker, item = _world()
    sale = _create(maker, item, 40)

    def work(i):
        return services.flash_sale_close(
            actor_id=None, actor_role=SYSTEM, flash_sale_id=sale.pk, now=NOW
        ).units_returned

    assert run_threads(6, work) == [40] * 6
    assert StockLevel.objects.get(variant=item.variant).units_on_hand == 100
    assert StockMovement.objects.filter(variant=item.variant, delta=40).count() == 1
