"""Per-subscriber delivery state for the outbox (docs/decisions/0003-outbox-and-eager-tasks.md).

``delivered_at`` becomes ``dispatched_at`` (fanned out into deliveries): messages a former
relay delivered keep their stamp and are not delivered again; the message-level attempt
counter and error move to ``OutboxDelivery``.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="outboxmessage", name="outbox_undelivered_idx"),
        migrations.RenameField(
            model_name="outboxmessage", old_name="delivered_at", new_name="dispatched_at"
        ),
        migrations.RemoveField(model_name="outboxmessage", name="attempts"),
        migrations.RemoveField(model_name="outboxmessage", name="last_error"),
        migrations.AlterField(
            model_name="outboxmessage",
            name="created_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("dispatched_at__isnull", True)),
                fields=["id"],
                name="outbox_undispatched_idx",
            ),
        ),
        migrations.CreateModel(
            name="OutboxDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subscriber", models.CharField(max_length=200)),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Pending"), ("delivered", "Delivered"), ("failed", "Failed")],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField()),
                ("claimed_until", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True, default="")),
                ("created_at", models.DateTimeField()),
                ("delivered_at", models.DateTimeField(blank=True, null=True)),
                ("failed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="common.outboxmessage",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "pending")),
                        fields=["subscriber", "next_attempt_at", "id"],
                        name="outbox_delivery_due_idx",
                    ),
                    models.Index(
                        condition=models.Q(("status", "failed")),
                        fields=["id"],
                        name="outbox_delivery_failed_idx",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("message", "subscriber"), name="outbox_delivery_once_per_subscriber"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "delivered", "failed"])),
                        name="outbox_delivery_status_known",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("delivered_at__isnull", False), ("status", "delivered")),
                            models.Q(
                                models.Q(("status", "delivered"), _negated=True),
                                ("delivered_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="outbox_delivery_delivered_at_iff_delivered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("failed_at__isnull", False), ("status", "failed")),
                            models.Q(
                                models.Q(("status", "failed"), _negated=True),
                                ("failed_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="outbox_delivery_failed_at_iff_failed",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ProcessedEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subscriber", models.CharField(max_length=200)),
                ("processed_at", models.DateTimeField()),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="common.outboxmessage",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("message", "subscriber"), name="processed_event_once_per_subscriber"
                    )
                ],
            },
        ),
    ]
