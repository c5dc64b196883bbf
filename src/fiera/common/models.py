from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """An event written in the same transaction as the change it reports.

    The relay (``fiera.common.events.relay``) fans each message out into one
    ``OutboxDelivery`` per subscriber registered for its topic and stamps
    ``dispatched_at``; a message whose topic nobody subscribes to yet waits undispatched,
    so the first subscriber of a topic receives its backlog. Rows are never updated
    otherwise, never deleted by the domain. The row id is the event id.
    """

    topic = models.CharField(max_length=120)  # e.g. "orders.order.paid"
    payload = models.JSONField()
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_undispatched_idx",
                condition=models.Q(dispatched_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"  # waiting for its next attempt (or running, while claimed)
    DELIVERED = "delivered"
    FAILED = "failed"  # parked after the last attempt: an operator retries it


class OutboxDelivery(models.Model):
    """One message for one subscriber: its own attempts, backoff, lease and outcome.

    A relay claims a pending row by setting ``claimed_until`` (its lease) and counting the
    attempt, commits, runs the subscriber outside any transaction that holds locks, then
    records the outcome in a second short transaction, only if the row still carries the
    attempt it claimed. A relay killed in between leaves the claim to expire; the next
    relay takes the row over (or parks it, when that was the last attempt).
    """

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=200)  # the name given to ``events.subscribe``
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)  # attempts started, the current one included
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox delivery")
        verbose_name_plural = _("outbox deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "subscriber"], name="outbox_delivery_once_per_subscriber"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="outbox_delivery_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status=DeliveryStatus.DELIVERED, delivered_at__isnull=False)
                | (
                    ~models.Q(status=DeliveryStatus.DELIVERED) & models.Q(delivered_at__isnull=True)
                ),
                name="outbox_delivery_delivered_at_iff_delivered",
            ),
            models.CheckConstraint(
                condition=models.Q(status=DeliveryStatus.FAILED, failed_at__isnull=False)
                | (~models.Q(status=DeliveryStatus.FAILED) & models.Q(failed_at__isnull=True)),
                name="outbox_delivery_failed_at_iff_failed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["subscriber", "next_attempt_at", "id"],
                name="outbox_delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["id"],
                name="outbox_delivery_failed_idx",
                condition=models.Q(status="failed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} <- message #{self.message_id} ({self.status})"


class ProcessedEvent(models.Model):
    """ "Event X was processed by subscriber S": written by ``events.processed_once`` in the
    subscriber's own transaction, so a redelivered event is recognised and skipped."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="+")
    subscriber = models.CharField(max_length=200)
    processed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("processed event")
        verbose_name_plural = _("processed events")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "subscriber"], name="processed_event_once_per_subscriber"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} processed message #{self.message_id}"
