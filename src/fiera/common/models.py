from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    """An event written in the same transaction as the change it reports.

    The relay (``fiera.common.tasks.outbox_relay``) hands undelivered rows to the
    subscribers registered in ``fiera.common.events`` and stamps ``delivered_at``.
    Rows are never updated otherwise, never deleted by the domain.
    """

    topic = models.CharField(max_length=120)  # e.g. "orders.order.placed"
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_undelivered_idx",
                condition=models.Q(delivered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"
