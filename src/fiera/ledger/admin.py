"""Read-only admin: the ledger changes only through its services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fiera.ledger.models import Account, Transfer


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(_ReadOnly):
    list_display = (
        "id",
        "code",
        "owner_type",
        "owner_id",
        "currency",
        "debits_posted",
        "credits_posted",
        "debits_pending",
        "credits_pending",
    )
    list_filter = ("currency", "code", "owner_type")
    search_fields = ("=id", "=owner_id")


@admin.register(Transfer)
class TransferAdmin(_ReadOnly):
    list_display = (
        "seq",
        "transfer_id",
        "debit_account_id",
        "credit_account_id",
        "amount_minor",
        "currency",
        "code",
        "pending",
        "post_pending",
        "void_pending",
        "created_at",
    )
    list_filter = ("currency", "code", "pending", "post_pending", "void_pending")
    search_fields = ("=transfer_id", "reference")
    show_full_result_count = False
