"""Operators' admin for the academy. Each feature adds its block."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

# --- certificates ---
from fiera.academy.models import Certificate, StatusList


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: a certificate is signed once; revoke it from its page, the API or
    ``fiera cert revoke`` (which also signs the status list again)."""

    list_display = ("public_id", "enrolment", "issued_at", "valid_until", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("public_id",)
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StatusList)
class StatusListAdmin(admin.ModelAdmin):
    list_display = ("id", "purpose", "size", "next_index", "generated_at")
    readonly_fields = [f.name for f in StatusList._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
