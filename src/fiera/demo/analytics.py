"""The demo's analytics: after the whole order history (bulk-written orders publish no
events), ``analytics_rebuild`` counts every order into the sales facts and rollups, so the
dashboards, reports and the API show the demo's full history (fiera.analytics)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fiera.accounts.roles import SYSTEM
from fiera.analytics.selectors import Filters, Period, Scope, analytics_total
from fiera.analytics.services import analytics_rebuild


def build_analytics(*, now: datetime) -> str:
    """Rebuild the sales rollups from every order; the summary line ``fiera demo`` prints."""
    report = analytics_rebuild(since=None, actor_role=SYSTEM, now=now)
    year = Period(now.date() - timedelta(days=364), now.date())
    everyone = Scope(kind="all", merchant_ids=None, label="")
    gmv = analytics_total(measure="gmv", period=year, filters=Filters(), scope=everyone)
    active = analytics_total(
        measure="active_merchants", period=year, filters=Filters(), scope=everyone
    )
    return (
        f"analytics      {report.orders_counted} of {report.orders_read} orders counted into "
        f"the sales rollups: USD {gmv / 100:,.2f} GMV and {active} active merchants over the "
        "last 365 days (fiera analytics rebuild)"
    )
