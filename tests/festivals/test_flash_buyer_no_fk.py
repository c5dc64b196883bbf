"""FlashSaleBuyer has no database foreign key to FlashSale (decision 0011): with one,
PostgreSQL takes FOR KEY SHARE on the hot flash-sale row at every buyer upsert, so a
checkout would queue behind anything holding that row FOR UPDATE (closing the sale, a
give-back) and every concurrent buyer would share-lock the one row. PostgreSQL only."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from fiera.festivals import offers
from fiera.festivals.models import FlashSale, FlashSaleBuyer
from tests.festivals.test_flash_checkout import NOW, festival, flash_sale
from tests.orders import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_no_foreign_key_from_flash_sale_buyer_to_flash_sale() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = 'festivals_flashsalebuyer'::regclass "
            "AND confrelid = 'festivals_flashsale'::regclass"
        )
        assert cursor.fetchall() == []


def test_a_buyer_upsert_does_not_wait_on_a_locked_flash_sale_row() -> None:
    market = f.marketplace()
    item = f.sku(market=market, price_minor=5_000, stock=10)
    sale = flash_sale(festival(market), item, quantity=5, limit=2)
    buyer = f.user()
    locked, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                FlashSale.objects.select_for_update().get(pk=sale.pk)  # FOR UPDATE
                locked.set()
                release.wait(10)
        finally:
            connections["default"].close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            offers.flash_take(
                buyer_id=buyer.pk,
                takes=[offers.FlashTake(sale.pk, item.merchant.pk, 1, 2, 1)],
                now=NOW,
            )
    finally:
        release.set()
        holder.join(10)
    assert FlashSaleBuyer.objects.get(flash_sale=sale, buyer=buyer).units == 1
