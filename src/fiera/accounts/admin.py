from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from fiera.accounts.models import ApiToken, User


@admin.register(User)
class FieraUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "business_unit", "country", "is_active")
    list_filter = ("role", "buyer_kind", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Fiera",
            {"fields": ("role", "business_unit", "buyer_kind", "country", "preferred_language")},
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "revoked_at")
    readonly_fields = ("prefix", "key_sha256", "created_at")
