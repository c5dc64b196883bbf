"""Background work of the orders app (Celery; eager in-process without a broker)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="fiera.orders.expire_unpaid")
def expire_unpaid() -> int:
    """Cancel the orders not paid by their deadline; their units go back on sale (Celery
    beat runs it every minute: ``CELERY_BEAT_SCHEDULE`` in settings). How many."""
    from fiera.orders.services import orders_expire_unpaid

    return orders_expire_unpaid(now=timezone.now())
