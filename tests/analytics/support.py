"""Shared helpers of the analytics tests: a small world, placing orders through the real
checkout, handing the outbox to the analytics subscribers, and the rollups recomputed
straight from the orders tables (written here independently of the app's code)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from fiera.accounts.roles import SYSTEM
from fiera.analytics import rollups
from fiera.analytics.models import (
    MerchantActivity,
    MerchantDay,
    MerchantMonth,
    OrderFact,
    SalesCell,
    SalesRollup,
)
from fiera.common import events
from fiera.common.models import OutboxMessage
from fiera.orders import services as orders
from fiera.orders.models import Order, OrderLine
from tests.orders import factories as f

NOW = f.NOW
HANDLERS = {
    rollups.PLACED_TOPIC: rollups.on_checkout_placed,
    rollups.CANCELLED_TOPIC: rollups.on_order_cancelled,
    rollups.REFUNDED_TOPIC: rollups.on_order_refunded,
    rollups.SHIPPED_TOPIC: rollups.on_order_shipped,
}


def deliver(*, after: int = 0, times: int = 1) -> int:
    """Hand every outbox message after ``after`` to its analytics subscriber, ``times``
    times (the outbox delivers at least once); returns the last message id."""
    last = after
    for message in OutboxMessage.objects.filter(id__gt=after).order_by("id"):
        last = message.pk
        handler = HANDLERS.get(message.topic)
        if handler is None:
            continue
        for attempt in range(1, times + 1):
            handler(
                events.Event(
                    id=message.pk,
                    topic=message.topic,
                    payload=message.payload,
                    created_at=message.created_at,
                    subscriber="test",
                    attempt=attempt,
                )
            )
    return last


def place(
    buyer: Any, market: Any, lines: list[tuple[int, int]], *, at: datetime = NOW, country="IT"
) -> Any:
    return orders.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country=country,
        lines=lines,
        shipping_address=f.address(country),
        payment_method="cod",
        now=at,
        actor_role=SYSTEM,
    )


def usd(amount_minor: int, rate: str) -> int:
    return int((Decimal(amount_minor) * Decimal(rate)).quantize(Decimal(1), ROUND_HALF_EVEN))


def _split(total: int, weights: list[tuple[int, int]]) -> dict[int, int]:
    """``total`` over keys by weight, each key given round(total x cumulative share) minus
    what the keys before it got (the documented rule; keys in the order given)."""
    weight_sum = sum(w for _, w in weights)
    out, given, cumulative = {}, 0, 0
    for i, (key, weight) in enumerate(weights):
        if weight_sum == 0:
            out[key] = total if i == 0 else 0
            continue
        cumulative += weight
        upto = int((Decimal(total) * cumulative / weight_sum).quantize(Decimal(1), ROUND_HALF_EVEN))
        out[key] = upto - given
        given = upto
    return out


def recomputed(rate_on: dict[date, str]) -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    """Every analytics table as it should be, from the orders tables alone: ``rate_on``
    gives USD per EUR from each day on (the latest day not after the placed day applies).
    All orders are in EUR (the test marketplaces')."""
    from fiera.catalog.models import Variant
    from fiera.merchants.models import Merchant

    def rate(day: date) -> str:
        return rate_on[max(d for d in rate_on if d <= day)]

    places = {m.pk: (m.country, m.region_code) for m in Merchant.objects.all()}
    category = {v.pk: v.product.category_id or 0 for v in Variant.objects.select_related("product")}
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.order_by("pk"):
        lines[line.order_id].append(line)
    cells: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    mdays: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    packages: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0])
    for order in Order.objects.select_related("checkout"):
        day = order.placed_at.astimezone(UTC).date()
        m_country, region = places[order.merchant_id]
        if order.shipped_at is not None:
            key = (order.merchant_id, order.shipped_at.astimezone(UTC).date(), order.marketplace_id)
            packages[key][0] += 1
        if order.status in ("cancelled", "refunded"):
            continue
        r = rate(day)
        weights: dict[int, int] = defaultdict(int)
        units: dict[int, int] = defaultdict(int)
        for line in lines[order.pk]:
            weights[category[line.variant_id]] += line.line_total_minor + line.tax_minor
            units[category[line.variant_id]] += line.quantity
        cats = sorted(weights)
        placed = _split(usd(order.total_minor, r), [(c, weights[c]) for c in cats])
        now_usd = placed
        if order.refunded_minor:
            target = usd(order.total_minor - order.refunded_minor, r)
            now_usd = _split(min(target, sum(placed.values())), [(c, placed[c]) for c in cats])
        for c in cats:
            acc = cells[(order.merchant_id, day, order.marketplace_id, order.checkout.country, c)]
            acc[0] += 1 if c == cats[0] else 0
            acc[1] += units[c]
            acc[2] += now_usd[c]
            for market in (order.marketplace_id, 0):  # 0: all marketplaces
                acc = mdays[(order.merchant_id, day, market)]
                acc[0] += 1 if c == cats[0] else 0
                acc[1] += units[c]
                acc[2] += now_usd[c]
    rollup: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    months: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (merchant, day, market), (n,) in packages.items():
        m_country, region = places[merchant]
        for key in ((merchant, day, market), (merchant, day, 0)):
            mdays[key][3] += n
        for grain, period in (("d", day), ("m", day.replace(day=1))):
            for dim, dim_key in (("all", ""), ("merchant_country", m_country), ("region", region)):
                rollup[(grain, dim, period, market, dim_key)][3] += n
    for (merchant, day, market, b_country, c), v in cells.items():
        m_country, region = places[merchant]
        keys = {
            "all": "",
            "merchant_country": m_country,
            "buyer_country": b_country,
            "region": region,
            "category": str(c),
        }
        for grain, period in (("d", day), ("m", day.replace(day=1))):
            for dim, dim_key in keys.items():
                acc = rollup[(grain, dim, period, market, dim_key)]
                for i in range(3):
                    acc[i] += v[i]
    activity: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for (merchant, day, market), v in mdays.items():
        for i in range(4):
            months[(merchant, day.replace(day=1), market)][i] += v[i]
        if v[0] > 0:  # active: the day of the year, in the merchant's place
            key = (merchant, market, day.year, *places[merchant])
            activity[key].append(day.timetuple().tm_yday)
    return {
        "cells": _nonzero(cells),
        "rollups": _nonzero(rollup),
        "merchant_days": _nonzero(mdays),
        "merchant_months": _nonzero(months),
        "activity": {key: tuple(sorted(days)) for key, days in activity.items()},
    }


def _nonzero(rows: dict[tuple[Any, ...], list[int]]) -> dict[tuple[Any, ...], tuple[int, ...]]:
    return {k: tuple(v) for k, v in rows.items() if any(v)}


def stored() -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    """The analytics tables as they are (all-zero rows left out)."""
    return {
        "cells": _nonzero(
            {
                (c.merchant_id, c.day, c.marketplace_id, c.buyer_country, c.category_id): [
                    c.orders,
                    c.units,
                    c.gmv_usd_minor,
                ]
                for c in SalesCell.objects.all()
            }
        ),
        "rollups": _nonzero(
            {
                (r.grain, r.dim, r.period, r.marketplace_id, r.dim_key): [
                    r.orders,
                    r.units,
                    r.gmv_usd_minor,
                    r.packages,
                ]
                for r in SalesRollup.objects.all()
            }
        ),
        "merchant_days": _nonzero(
            {
                (d.merchant_id, d.day, d.marketplace_id): [
                    d.orders,
                    d.units,
                    d.gmv_usd_minor,
                    d.packages,
                ]
                for d in MerchantDay.objects.all()
            }
        ),
        "merchant_months": _nonzero(
            {
                (d.merchant_id, d.month, d.marketplace_id): [
                    d.orders,
                    d.units,
                    d.gmv_usd_minor,
                    d.packages,
                ]
                for d in MerchantMonth.objects.all()
            }
        ),
        "activity": {
            (a.merchant_id, a.marketplace_id, a.year, a.merchant_country, a.region): tuple(
                a.active_days()
            )
            for a in MerchantActivity.objects.all()
            if a.active_days()
        },
    }


def fact_count() -> int:
    return OrderFact.objects.count()


def merchant_set_mismatches() -> list[str]:
    """Every merchant set's day and month rows against the sums of its members' merchant
    days and months (all-zero rows left out); the differences, described."""
    from fiera.analytics.models import (
        MerchantSet,
        MerchantSetDay,
        MerchantSetMember,
        MerchantSetMonth,
    )

    out = []
    for merchant_set in MerchantSet.objects.all():
        members = set(
            MerchantSetMember.objects.filter(merchant_set_id=merchant_set.pk).values_list(
                "merchant_id", flat=True
            )
        )
        assert len(members) == merchant_set.merchants
        for model, source, at in (
            (MerchantSetDay, MerchantDay, "day"),
            (MerchantSetMonth, MerchantMonth, "month"),
        ):
            want: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for row in source.objects.filter(merchant_id__in=members):
                acc = want[(getattr(row, at), row.marketplace_id)]
                for i, name in enumerate(("orders", "units", "gmv_usd_minor", "packages")):
                    acc[i] += getattr(row, name)
            got = {
                (getattr(r, at), r.marketplace_id): [r.orders, r.units, r.gmv_usd_minor, r.packages]
                for r in model.objects.filter(merchant_set_id=merchant_set.pk)
            }
            if _nonzero(got) != _nonzero(want):
                out.append(f"set {merchant_set.pk} {model.__name__}: {got} != {dict(want)}")
    return out
