"""The academy in the operators' admin (each feature appends its block)."""

from __future__ import annotations

from django.contrib import admin

# --- alumni ---
from fiera.academy.models import AlumniPost, AlumniProfile, AlumniReply


@admin.register(AlumniProfile)
class AlumniProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "company_name", "country", "sector_slug", "contact", "updated_at")
    list_filter = ("country", "contact")
    search_fields = ("name", "company_name", "headline")
    raw_id_fields = ("user",)


class AlumniReplyInline(admin.TabularInline):
    model = AlumniReply
    extra = 0
    raw_id_fields = ("author", "hidden_by")
    fields = ("author", "body", "created_at", "hidden_at", "hidden_by", "hidden_reason")


@admin.register(AlumniPost)
class AlumniPostAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "created_at", "hidden_at", "hidden_reason")
    list_filter = ("hidden_at",)
    search_fields = ("title", "body")
    raw_id_fields = ("author", "hidden_by")
    date_hierarchy = "created_at"
    inlines = [AlumniReplyInline]


@admin.register(AlumniReply)
class AlumniReplyAdmin(admin.ModelAdmin):
    list_display = ("id", "post", "author", "created_at", "hidden_at")
    list_filter = ("hidden_at",)
    search_fields = ("body",)
    raw_id_fields = ("post", "author", "hidden_by")
