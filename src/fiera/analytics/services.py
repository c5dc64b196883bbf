"""The analytics app's services: rebuilding the sales rollups from the orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.analytics import merchant_sets, rollups
from fiera.analytics.models import (
    MerchantActivity,
    MerchantDay,
    MerchantMonth,
    OrderFact,
    SalesCell,
    SalesRollup,
)
from fiera.common.errors import PermissionDenied
from fiera.orders import selectors as order_selectors

REBUILD_BATCH = 1_000


class RebuildOperatorsOnly(PermissionDenied):
    code = "analytics_operators_only"
    message_template = _("Only operators rebuild the analytics.")


@dataclass(frozen=True, slots=True)
class RebuildReport:
    since: date | None  # the first day rebuilt (the first of ``since``'s month); None: all
    orders_read: int
    orders_counted: int


def analytics_rebuild(
    *,
    since: date | None,
    actor_role: str,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
    batch: int = REBUILD_BATCH,
) -> RebuildReport:
    """Rebuild the sales facts and rollups from the orders tables (orders written without
    events, such as the demo's history, or events dropped), in ONE transaction, reading the
    orders in batches of ``batch`` (1,000; a bulk load on PostgreSQL may take 10,000);
    operators and the system.

    ``since``: rebuild the orders placed on or after the first day of its month (month rows
    are whole), everything when None. Packages shipped in the range by orders placed before
    it are counted again from their facts. ``progress`` is called with the number of orders
    read after each batch. The live subscribers wait meanwhile (the facts' table is locked
    against writes on PostgreSQL; SQLite has one writer), then count only the orders the
    rebuild did not: facts are unique per order."""
    if actor_role not in {OPERATOR, SYSTEM}:
        raise RebuildOperatorsOnly(f"the role {actor_role!r} may not rebuild the analytics")
    start = rollups.month_of(since) if since is not None else None
    now = now or timezone.now()
    rates = rollups.Rates()
    read = counted = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The live subscribers wait until the rebuild commits (their first write is the
            # fact), then count only the orders it did not: never a deadlock between them.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {OrderFact._meta.db_table} IN EXCLUSIVE MODE")
        _clear(start)
        after_id = 0
        since_at = datetime.combine(start, time(0), tzinfo=UTC) if start is not None else None
        while True:
            rows = order_selectors.order_facts_batch(
                since=since_at, after_id=after_id, limit=max(1, batch)
            )
            if not rows:
                break
            after_id = rows[-1].order_id
            read += len(rows)
            counted += rollups.count_orders(
                [
                    rollups.OrderInput(
                        order_id=o.order_id,
                        merchant_id=o.merchant_id,
                        marketplace_id=o.marketplace_id,
                        buyer_country=o.buyer_country,
                        currency=o.currency,
                        total_minor=o.total_minor,
                        refunded_minor=o.refunded_minor,
                        placed_at=o.placed_at,
                        lines=o.lines,
                        cancelled=o.status == "cancelled",
                        fully_refunded=o.status == "refunded",
                        shipped_at=o.shipped_at,
                    )
                    for o in rows
                ],
                rates,
                now,
                cells_only=True,  # the rest is summed from the cells below
            )
            if progress is not None:
                progress(len(rows))
        rollups.sum_from_cells(start)
        feeds_rebuild(actor_role=actor_role)  # --- feeds --- trade and academy, all of them
    return RebuildReport(since=start, orders_read=read, orders_counted=counted)


def _clear(start: date | None) -> None:
    merchant_sets.drop()  # built again from the merchant days when next asked for
    if start is None:
        for model in (
            SalesCell,
            SalesRollup,
            MerchantDay,
            MerchantMonth,
            MerchantActivity,
            OrderFact,
        ):
            model.objects.all().delete()
        return
    SalesCell.objects.filter(day__gte=start).delete()
    SalesRollup.objects.filter(period__gte=start).delete()
    MerchantDay.objects.filter(day__gte=start).delete()
    MerchantMonth.objects.filter(month__gte=start).delete()
    MerchantActivity.objects.filter(year__gte=start.year).delete()  # whole years: rebuilt
    OrderFact.objects.filter(Q(day__gte=start)).delete()


# --- feeds ---
from fiera.analytics.feeds import FeedsRebuildReport as FeedsRebuildReport  # noqa: E402
from fiera.analytics.feeds import feeds_rebuild as feeds_rebuild  # noqa: E402
