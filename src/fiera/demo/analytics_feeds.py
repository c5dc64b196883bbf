"""The demo's trade and academy figures in analytics: counted again from the trade and
academy tables once both are built (the academy's history is bulk-loaded, without events;
the trade's events are counted once whichever comes first), so the dashboards show the
demo's inquiries, RFQs, quotes, deals, enrolments and certificates
(``fiera.analytics.services.feeds_rebuild``, docs/decisions/0029-analytics-feeds.md)."""

from __future__ import annotations

import time
from collections import Counter

from fiera.accounts.roles import SYSTEM
from fiera.analytics.models import FeedFact
from fiera.analytics.services import feeds_rebuild


def build_analytics_feeds() -> str:
    """Rebuild the feeds; returns the summary line ``fiera demo`` prints."""
    started = time.perf_counter()
    report = feeds_rebuild(actor_role=SYSTEM)
    kinds = Counter(FeedFact.objects.values_list("kind", flat=True))
    counted = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    seconds = time.perf_counter() - started
    return f"analytics feeds {report.counted} counted ({counted or 'nothing'}) in {seconds:.1f} s"
