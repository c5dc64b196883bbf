"""Background work of the trade app (Celery; eager in-process without a broker)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="fiera.trade.release_due")
def release_due() -> int:
    """Release the escrowed payments of B2B orders delivered more than
    ``FIERA_TRADE_ASSURANCE_RELEASE_DAYS`` ago that the buyer neither confirmed nor disputed
    (Celery beat runs it hourly: ``CELERY_BEAT_SCHEDULE`` in settings). How many."""
    from fiera.trade.services import escrows_release_due

    return escrows_release_due(now=timezone.now())


@shared_task(name="fiera.trade.expire_rfqs")
def expire_rfqs() -> tuple[int, int]:
    """Quotes past their validity and RFQs past their deadline with no live quote become
    expired (Celery beat every 5 minutes: ``CELERY_BEAT_SCHEDULE``). (RFQs, quotes)."""
    from fiera.trade.services import rfqs_expire

    return rfqs_expire(now=timezone.now())


@shared_task(name="fiera.trade.pavilion_sponsorships_end")
def pavilion_sponsorships_end() -> int:
    """End the pavilion sponsorships whose period is over and admit the waiting lists in
    their place (Celery beat runs it every hour: ``CELERY_BEAT_SCHEDULE`` in settings).
    How many ended."""
    from fiera.trade.services import pavilion_sponsorships_end as end

    return end(now=timezone.now())
