"""The rollup tables in the admin (read-only), and the outbox relay delivering the order
events to the analytics subscribers under their stable names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.test import Client

from fiera.analytics import rollups
from fiera.analytics.models import OrderFact, SalesCell
from fiera.common import events
from tests.analytics.support import NOW, place, usd
from tests.orders import factories as f
from tests.payments.factories import make_rates

TABLES = ("orderfact", "salescell", "salesrollup", "merchantday", "merchantmonth")


@pytest.mark.django_db(transaction=True)
def test_the_outbox_relay_delivers_to_the_analytics_subscribers() -> None:
    for topic, name in (
        (rollups.PLACED_TOPIC, "analytics.rollups.placed"),
        (rollups.CANCELLED_TOPIC, "analytics.rollups.cancelled"),
        (rollups.REFUNDED_TOPIC, "analytics.rollups.refunded"),
        (rollups.SHIPPED_TOPIC, "analytics.rollups.shipped"),
    ):
        assert name in events.subscriber_names(topic)
    make_rates(on=NOW.date() - timedelta(days=1))
    market = f.marketplace()
    item = f.sku(market=market, price_minor=2_500)
    result = place(f.user(), market, [(item.id, 2)])
    events.relay(now=NOW)
    events.relay(now=NOW)  # nothing left to deliver: nothing counted twice
    assert OrderFact.objects.get().order_id == result.orders[0].order_id
    assert SalesCell.objects.aggregate(g=Sum("gmv_usd_minor"))["g"] == usd(5_000, "1.05")


@pytest.mark.django_db
def test_operators_read_the_rollup_tables_in_the_admin(client: Client) -> None:
    from fiera.analytics.rollups import Deltas

    d = Deltas()
    merchant = f.merchant()
    d.add_order(
        merchant_id=merchant.pk,
        day=NOW.date(),
        marketplace_id=1,
        buyer_country="CN",
        place=("IT", ""),
        delta={0: (1, 1, 100)},
    )
    d.add_package(merchant_id=merchant.pk, day=NOW.date(), marketplace_id=1, place=("IT", ""))
    d.write()
    operator = f.user(role="operator")
    operator.is_superuser = True
    operator.save(update_fields=["is_superuser"])
    client.force_login(operator)
    for table in TABLES:
        page = client.get(f"/admin/analytics/{table}/")
        assert page.status_code == 200, table
        assert client.get(f"/admin/analytics/{table}/add/").status_code == 403, table
