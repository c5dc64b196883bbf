from __future__ import annotations

from django.contrib import admin

# --- courses ---
from fiera.academy.models import (
    Cohort,
    Course,
    CourseInstructor,
    Enrolment,
    Lesson,
    LessonProgress,
    Module,
    Workshop,
    WorkshopRegistration,
)


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
