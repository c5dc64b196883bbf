"""Background work of the academy (Celery; eager in-process without a broker)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


# --- exams ---
@shared_task(name="fiera.academy.close_attempts")
def close_attempts() -> int:
    """Submit the attempts whose deadline has passed, with the answers saved before it
    (Celery beat every minute: ``CELERY_BEAT_SCHEDULE``). How many."""
    from fiera.academy.services import attempts_close_due

    return attempts_close_due(now=timezone.now())
