"""Background work of the trade app (Celery; eager in-process without a broker)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="fiera.trade.pavilion_sponsorships_end")
def pavilion_sponsorships_end() -> int:
    """End the pavilion sponsorships whose period is over and admit the waiting lists in
    their place (Celery beat runs it every hour: ``CELERY_BEAT_SCHEDULE`` in settings).
    How many ended."""
    from fiera.trade.services import pavilion_sponsorships_end as end

    return end(now=timezone.now())
