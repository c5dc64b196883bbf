"""The academy in the operators' admin (each feature appends its block)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fiera.academy.models import (
    AlumniPost,
    AlumniProfile,
    AlumniReply,
    Certificate,
    Cohort,
    Course,
    CourseInstructor,
    Enrolment,
    Lesson,
    LessonProgress,
    Module,
    StatusList,
    Workshop,
    WorkshopRegistration,
)

# --- courses ---


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


class InstructorInline(admin.TabularInline):
    model = CourseInstructor
    extra = 0
    raw_id_fields = ("user",)


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 0
    fields = ("slug", "name", "starts_on", "ends_on", "languages", "capacity", "created_at")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("slug", "languages", "published_at", "created_at")
    list_filter = ("published_at",)
    search_fields = ("slug",)
    raw_id_fields = ("created_by",)
    inlines = [InstructorInline, ModuleInline, CohortInline]


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "course", "position")
    list_filter = ("course",)
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("__str__", "module", "position", "minutes")
    list_filter = ("module__course",)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "course", "starts_on", "ends_on", "languages", "capacity")
    list_filter = ("course",)
    search_fields = ("slug", "name")


class ProgressInline(admin.TabularInline):
    model = LessonProgress
    extra = 0
    readonly_fields = ("lesson", "completed_at")
    can_delete = False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Enrolments are written by the learners' own actions: read-only here but for the
    status (an operator may withdraw someone) and the display choices."""

    list_display = ("id", "cohort", "user", "language", "status", "enrolled_at", "completed_at")
    list_filter = ("cohort", "status", "language")
    search_fields = ("user__username", "user__last_name")
    raw_id_fields = ("user",)
    readonly_fields = (
        "cohort",
        "user",
        "language",
        "enrolled_at",
        "completed_at",
        "final_score_permille",
        "final_seconds",
        "final_passed_at",
        "certified_at",
    )
    inlines = [ProgressInline]

    def has_add_permission(self, request: object) -> bool:
        return False


class RegistrationInline(admin.TabularInline):
    model = WorkshopRegistration
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("status", "waitlist_position", "registered_at", "cancelled_at")


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("id", "course", "cohort", "starts_at", "time_zone", "capacity")
    list_filter = ("course", "cohort")
    inlines = [RegistrationInline]


# --- alumni ---


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


# --- certificates ---


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


# --- exams ---
from fiera.academy.models import Assessment, Attempt, AttemptAnswer, Question  # noqa: E402


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
