from __future__ import annotations

from django.contrib import admin

# --- exams ---
from fiera.academy.models import Assessment, Attempt, AttemptAnswer, Question


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "kind", "category", "name", "points")
    show_change_link = True


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("id", "course", "kind", "module", "time_limit_seconds", "pass_mark_percent")
    list_filter = ("kind",)
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("id", "assessment", "kind", "category", "name", "points")
    list_filter = ("kind",)
    search_fields = ("name", "category")


class AnswerInline(admin.TabularInline):
    model = AttemptAnswer
    extra = 0
    readonly_fields = ("question", "response", "saved_at", "credit_permille")
    can_delete = False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "assessment",
        "enrolment",
        "number",
        "started_at",
        "submitted_at",
        "auto_submitted",
        "score_permille",
        "passed",
    )
    list_filter = ("passed", "auto_submitted")
    raw_id_fields = ("enrolment",)
    readonly_fields = ("paper",)
    inlines = [AnswerInline]
