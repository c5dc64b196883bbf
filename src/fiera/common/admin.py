"""The outbox for operators: messages and their deliveries, read-only; failed deliveries
are put back in line with the "retry" action (the same service as ``fiera outbox retry``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from fiera.common.events import outbox_retry
from fiera.common.models import OutboxDelivery, OutboxMessage


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _DeliveryInline(admin.TabularInline):
    model = OutboxDelivery
    fields = ("subscriber", "status", "attempts", "next_attempt_at", "delivered_at", "failed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(_ReadOnly):
    list_display = ("id", "topic", "created_at", "dispatched_at")
    list_filter = ("topic",)
    search_fields = ("=id", "topic")
    inlines = (_DeliveryInline,)


@admin.register(OutboxDelivery)
class OutboxDeliveryAdmin(_ReadOnly):
    list_display = (
        "id",
        "message_id",
        "topic",
        "subscriber",
        "status",
        "attempts",
        "next_attempt_at",
        "failed_at",
        "error",
    )
    list_filter = ("status", "subscriber")
    search_fields = ("=id", "=message__id", "subscriber")
    list_select_related = ("message",)
    readonly_fields = (
        "message",
        "subscriber",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "created_at",
        "delivered_at",
        "failed_at",
        "last_error",
    )
    actions = ("retry",)

    @admin.display(description="topic")
    def topic(self, obj: OutboxDelivery) -> str:
        return obj.message.topic

    @admin.display(description="error")
    def error(self, obj: OutboxDelivery) -> str:
        return (obj.last_error.splitlines() or [""])[0][:120]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        """Rows stay read-only; retrying goes through the service, for those who may
        change deliveries (superusers, or a role granted ``common.change_outboxdelivery``)."""
        return request.user.has_perm("common.change_outboxdelivery")

    @admin.action(description="Retry the selected failed deliveries", permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxDelivery]) -> None:
        chosen = list(queryset.values_list("id", flat=True))
        retried = outbox_retry(delivery_ids=chosen, now=timezone.now())
        skipped = len(chosen) - len(retried)
        self.message_user(request, f"{len(retried)} failed delivery(ies) put back in line.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected delivery(ies) were not failed and were left alone.",
                messages.WARNING,
            )
