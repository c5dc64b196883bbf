from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="fiera.ledger.pending_expire")
def pending_expire() -> int:
    """Void the pending transfers whose timeout passed (schedule it every minute)."""
    from fiera.ledger.services import pending_expire as expire

    return expire(now=timezone.now())


@shared_task(name="fiera.ledger.balance_deltas_apply")
def balance_deltas_apply() -> int:
    """Fold the balance deltas of deferred postings into the accounts (schedule it every
    few seconds: the wallet checkout writes them)."""
    from fiera.ledger.services import balance_deltas_apply as apply

    return apply()
