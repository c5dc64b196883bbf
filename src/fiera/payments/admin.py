"""Read-only admin of the money rows: they change only through the payments services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fiera.payments.models import Escrow, Payment, QrPayment, SettlementRun, TopUp, Wallet


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Wallet)
class WalletAdmin(_ReadOnly):
    list_display = ("id", "user", "currency", "ledger_account", "created_at")
    list_filter = ("currency",)
    search_fields = ("user__username",)


@admin.register(TopUp)
class TopUpAdmin(_ReadOnly):
    list_display = ("id", "user", "request_id", "amount_minor", "currency", "status", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("request_id", "user__username")


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = (
        "reference",
        "kind",
        "merchant",
        "paid_minor",
        "paid_currency",
        "credit_minor",
        "credit_currency",
        "rate",
        "created_at",
    )
    list_filter = ("kind", "paid_currency")
    search_fields = ("reference", "charge_reference")


@admin.register(QrPayment)
class QrPaymentAdmin(_ReadOnly):
    list_display = (
        "request_id",
        "user",
        "outlet",
        "amount_minor",
        "currency",
        "status",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("request_id",)


@admin.register(SettlementRun)
class SettlementRunAdmin(_ReadOnly):
    list_display = ("day", "merchant", "gross_minor", "refunds_minor", "fees_minor", "payout_minor")
    list_filter = ("day",)


@admin.register(Escrow)
class EscrowAdmin(_ReadOnly):
    list_display = ("reference", "buyer", "merchant", "amount_minor", "currency", "status")
    list_filter = ("status",)
