"""The academy's courses and who takes them.

A course holds modules and lessons; its texts are kept per language (``{"it": ..., "es": ...,
"en": ...}`` dictionaries, read with :func:`fiera.academy.text.pick`), since one course runs in
cohorts taught in different languages. A cohort is one run of a course (dates, languages,
capacity); an enrolment is one person in one cohort, whatever their account role (a merchant's
owner takes the masterclass as much as a learner). Teachers of a course are operators and the
course's instructors. Rules live in ``services``/``selectors``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Course(models.Model):
    """A course: per-language title and summary; ``published_at`` null while teachers build it."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.JSONField(help_text='per language: {"it": "...", "es": "..."}')
    summary = models.JSONField(default=dict, blank=True, help_text="per language, Markdown")
    languages = models.CharField(
        max_length=40, help_text="the languages its content is written in, e.g. 'it,es,en'"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(languages__regex=r"^[a-z]{2}(-[a-z]+)?(,[a-z]{2}(-[a-z]+)?)*$"),
                name="course_languages_listed",
            ),
        ]

    def __str__(self) -> str:
        return self.slug


class CourseInstructor(models.Model):
    """A teacher of a course (besides operators, who teach every course)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="instructors")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("course instructor")
        verbose_name_plural = _("course instructors")
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="course_instructor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.user_id}"


class Module(models.Model):
    """A part of a course, in order (``position`` 1, 2 ...)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField()
    title = models.JSONField(help_text="per language")

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="module_position_once"),
            models.CheckConstraint(condition=Q(position__gte=1), name="module_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}/{self.position}"


class Lesson(models.Model):
    """A lesson of a module: Markdown per language, rendered safely when shown."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField()
    title = models.JSONField(help_text="per language")
    body = models.JSONField(default=dict, blank=True, help_text="per language, Markdown")
    minutes = models.PositiveSmallIntegerField(default=10, help_text="expected study time")

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["module_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "position"], name="lesson_position_once"),
            models.CheckConstraint(condition=Q(position__gte=1), name="lesson_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.module_id}/{self.position}"


class Cohort(models.Model):
    """One run of a course: its dates, the languages it is taught in, how many it takes."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=160)
    starts_on = models.DateField()
    ends_on = models.DateField()
    languages = models.CharField(max_length=40, help_text="e.g. 'it,es'")
    capacity = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="cohort_dates"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
            models.CheckConstraint(
                condition=Q(languages__regex=r"^[a-z]{2}(-[a-z]+)?(,[a-z]{2}(-[a-z]+)?)*$"),
                name="cohort_languages_listed",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    """A person in a cohort, studying in one of its languages.

    ``final_score_permille`` (0-1000), ``final_seconds`` (time taken) and ``final_passed_at``
    hold the learner's best final-exam attempt (highest score, then least time), written by the
    assessment service when an attempt is graded: the leaderboard reads them, and a first pass
    publishes ``academy.exam.passed`` (``{"enrolment_id": ...}``), on which the certificate is
    issued. ``certified_at`` is set when the certificate is issued (the alumni are the certified);
    ``ranking_hidden`` keeps the learner's name off public leaderboards (shown as
    "anonymous learner"); ``alumni_listed`` is the opt-in to the alumni directory.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=7)
    status = models.CharField(
        max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    final_score_permille = models.PositiveSmallIntegerField(null=True, blank=True)
    final_seconds = models.PositiveIntegerField(null=True, blank=True)
    final_passed_at = models.DateTimeField(null=True, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    ranking_hidden = models.BooleanField(default=False)
    alumni_listed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["cohort_id", "enrolled_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="enrolment_once_per_cohort"),
            models.CheckConstraint(
                condition=Q(status__in=EnrolmentStatus.values), name="enrolment_status_known"
            ),
            models.CheckConstraint(
                condition=Q(final_score_permille__lte=1000), name="enrolment_final_score_range"
            ),
        ]
        indexes = [models.Index(fields=["user", "cohort"], name="enrolment_by_user")]

    def __str__(self) -> str:
        return f"{self.cohort_id}:{self.user_id}"


class LessonProgress(models.Model):
    """A lesson an enrolled person has completed (one row per lesson, written once)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("lesson completed")
        verbose_name_plural = _("lessons completed")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_progress_once"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.lesson_id}"


# --- courses: live workshops ---


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Workshop(models.Model):
    """A live session of a course (for one cohort when ``cohort`` is set): it starts at
    ``starts_at`` (stored in UTC) in the time zone ``time_zone`` (an IANA name, e.g.
    "Europe/Rome", in which it is announced), lasts ``duration_minutes`` and seats
    ``capacity`` people; the others wait in line (``WorkshopRegistration``)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="workshops")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="workshops"
    )
    title = models.JSONField(help_text="per language")
    description = models.JSONField(default=dict, blank=True, help_text="per language, Markdown")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    time_zone = models.CharField(max_length=64, default="Europe/Rome")
    capacity = models.PositiveIntegerField()
    location = models.CharField(max_length=200, blank=True, default="")
    online_link = models.CharField(
        max_length=300, blank=True, default="", help_text="shown to registered people only"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="workshop_capacity_positive"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="workshop_duration_positive"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="workshop_by_start")]

    def __str__(self) -> str:
        return f"{self.course_id}@{self.starts_at:%Y-%m-%d %H:%M}"


class WorkshopRegistration(models.Model):
    """A person's place at a workshop: registered (a seat), waitlisted (``waitlist_position``
    orders the line: lowest first; gaps are fine) or cancelled. ``attended_at`` is written
    by a teacher who records attendance."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    registered_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("workshop registration")
        verbose_name_plural = _("workshop registrations")
        ordering = ["workshop_id", "registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], name="workshop_registration_once"),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values),
                name="workshop_registration_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_position__isnull=False)
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="workshop_waitlist_position_iff_waitlisted",
            ),
        ]
        indexes = [models.Index(fields=["user", "workshop"], name="workshop_registration_by_user")]

    def __str__(self) -> str:
        return f"{self.workshop_id}:{self.user_id}:{self.status}"
