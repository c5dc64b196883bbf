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


# --- alumni ---------------------------------------------------------------------------------


class AlumniContact(models.TextChoices):
    NONE = "none", _("Not shown")
    EMAIL = "email", _("My email address, to other alumni")


class AlumniProfile(models.Model):
    """How a certified person appears in the alumni directory (one per person).

    Being listed is the opt-in ``Enrolment.alumni_listed`` on the person's certified
    enrolments (default off); this row holds what the directory shows. ``company_name``,
    ``sector_slug`` and ``country`` are copies, taken when the profile is saved from the
    merchant the person owns or staffs (``company_merchant_id``, a plain id: no foreign key
    into the merchants' tables) or typed by the person: the directory searches and filters
    them without reaching into another app's tables. ``name`` is the name shown (the
    account's name by default).
    """

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    headline = models.CharField(max_length=160, blank=True)
    company_merchant_id = models.BigIntegerField(null=True, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    sector_slug = models.CharField(max_length=60, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    contact = models.CharField(
        max_length=10, choices=AlumniContact.choices, default=AlumniContact.NONE
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("alumni profile")
        verbose_name_plural = _("alumni profiles")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__in=AlumniContact.values), name="alumni_contact_known"
            ),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"),
                name="alumni_country_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AlumniPost(models.Model):
    """A post on the alumni board: Markdown ``body``, rendered safely when shown.

    ``hidden_at`` set: an operator hid it (``hidden_reason`` says why); only operators see
    it then. Authors may edit or delete their own for a short while after posting.
    """

    author = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=160)
    body = models.TextField()
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("alumni post")
        verbose_name_plural = _("alumni posts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="alumni_post_newest"),
            models.Index(fields=["author", "created_at"], name="alumni_post_by_author"),
        ]

    def __str__(self) -> str:
        return self.title


class AlumniReply(models.Model):
    """A reply to a post; hidden like a post (``hidden_at``, ``hidden_reason``)."""

    post = models.ForeignKey(AlumniPost, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("alumni reply")
        verbose_name_plural = _("alumni replies")
        ordering = ["post_id", "created_at", "id"]
        indexes = [
            models.Index(fields=["post", "created_at"], name="alumni_reply_in_post"),
            models.Index(fields=["author", "created_at"], name="alumni_reply_by_author"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id}:{self.id}"


# --- certificates ---


class StatusListPurpose(models.TextChoices):
    REVOCATION = "revocation", _("Revocation")


class StatusList(models.Model):
    """One of the academy's Bitstring Status Lists (W3C): bit ``i`` set means the certificate
    with ``status_index`` i on this list is revoked. The bits are derived from the
    certificates' ``revoked_at``; ``credential`` caches the signed status-list credential
    served at its public URL, written again (``generated_at``) whenever a bit changes.
    ``next_index`` counts the indices handed out (each drawn at random among the free ones,
    under the row's lock); ``size`` bits in all (131,072 by default, the specification's
    minimum of 16 KB)."""

    purpose = models.CharField(
        max_length=20, choices=StatusListPurpose.choices, default=StatusListPurpose.REVOCATION
    )
    size = models.PositiveIntegerField(default=131_072)
    next_index = models.PositiveIntegerField(default=0)
    credential = models.TextField(blank=True, help_text="the signed status-list credential")
    generated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("certificate status list")
        verbose_name_plural = _("certificate status lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_index__lte=F("size")), name="status_list_index_within_size"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=StatusListPurpose.values), name="status_list_purpose_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} list {self.pk}"


class Certificate(models.Model):
    """The Open Badges 3.0 credential issued to an enrolment that passed its final exam.

    ``credential`` is the signed JSON exactly as issued (text, so that the download is the
    very bytes that were signed); ``public_id`` is random and URL-safe (the public page's
    address, unguessable); ``recipient_salt`` salts the email hash that identifies the
    learner in the credential. ``status_index`` is the certificate's bit on ``status_list``;
    a revoked certificate has ``revoked_at`` (and who and why)."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    public_id = models.CharField(max_length=40, unique=True)
    credential = models.TextField(help_text="the signed OpenBadgeCredential, as issued")
    recipient_salt = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True, help_text="null: no expiry")
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="certificate_status_index_once"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=False) | Q(revocation_reason=""),
                name="certificate_reason_only_when_revoked",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    def get_absolute_url(self) -> str:
        """The public page (the admin's "View on site")."""
        return f"/academy/certificates/{self.public_id}/"


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


# --- exams ---------------------------------------------------------------------------------


class AssessmentKind(models.TextChoices):
    QUIZ = "quiz", _("Module quiz")
    FINAL = "final", _("Final exam")


class Assessment(models.Model):
    """A quiz of a module (``module`` set) or the course's final exam (``module`` null, one
    per course). Each attempt draws ``questions_per_attempt`` questions (null: all) from the
    assessment's bank; ``time_limit_seconds`` is enforced by the server (an attempt's
    ``deadline_at``); ``pass_mark_percent`` of the points passes."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assessments")
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, null=True, blank=True, related_name="assessments"
    )
    kind = models.CharField(max_length=5, choices=AssessmentKind.choices)
    title = models.JSONField(help_text="per language")
    time_limit_seconds = models.PositiveIntegerField(default=1800)
    attempts_allowed = models.PositiveSmallIntegerField(default=3)
    pass_mark_percent = models.PositiveSmallIntegerField(default=60)
    questions_per_attempt = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="drawn at random from the bank; empty: all of them"
    )
    shuffle_questions = models.BooleanField(default=True)
    shuffle_choices = models.BooleanField(default=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["course_id", "kind", "module_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AssessmentKind.values), name="assessment_kind_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="quiz", module__isnull=False) | Q(kind="final", module__isnull=True)
                ),
                name="assessment_quiz_has_module",
            ),
            models.UniqueConstraint(
                fields=["course"], condition=Q(kind="final"), name="assessment_one_final"
            ),
            models.CheckConstraint(
                condition=Q(time_limit_seconds__gte=10), name="assessment_time_limit_min"
            ),
            models.CheckConstraint(
                condition=Q(attempts_allowed__gte=1), name="assessment_attempts_min"
            ),
            models.CheckConstraint(
                condition=Q(pass_mark_percent__lte=100), name="assessment_pass_mark_range"
            ),
            models.CheckConstraint(
                condition=Q(questions_per_attempt__isnull=True) | Q(questions_per_attempt__gte=1),
                name="assessment_draw_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.kind}:{self.pk}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "truefalse", _("True or false")
    NUMERIC = "numeric", _("Numeric")
    SHORT = "short", _("Short text")
    MATCHING = "matching", _("Matching")


class Question(models.Model):
    """A question of an assessment's bank. ``text`` per language; ``key`` holds the answer
    key, which never leaves the server (see ``fiera.academy.grading`` for its shape per
    kind): choices with weights, the truth of a true/false, numeric answers with tolerance or
    ranges, accepted short answers, matching pairs. ``points`` weighs it in the score."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=9, choices=QuestionKind.choices)
    category = models.CharField(max_length=200, blank=True, default="")
    name = models.CharField(max_length=200, blank=True, default="")
    text = models.JSONField(help_text="per language")
    key = models.JSONField(help_text="the answer key (never shown to learners)")
    feedback = models.JSONField(default=dict, blank=True, help_text="per language")
    points = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["assessment_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_known"
            ),
            models.CheckConstraint(condition=Q(points__gte=1), name="question_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.pk}"


class Attempt(models.Model):
    """One sitting of an assessment by an enrolled learner.

    ``paper`` is what was drawn: ``[{"q": question id, "k": kind, "c": [choice ids in the
    order shown], "r": [matching right-hand ids in the order shown]}, ...]`` so a reload shows
    the same paper. ``deadline_at`` = ``started_at`` + the time limit: answers are refused
    after it, and an attempt past it is submitted with what was saved before it
    (``auto_submitted``). ``score_permille`` (0-1000) and ``passed`` are set when graded.
    At most one open (unsubmitted) attempt per learner and assessment."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    paper = models.JSONField()
    started_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    score_permille = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["assessment_id", "enrolment_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "assessment", "number"], name="attempt_number_once"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "assessment"],
                condition=Q(submitted_at__isnull=True),
                name="attempt_one_open",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
            models.CheckConstraint(
                condition=Q(deadline_at__gt=F("started_at")), name="attempt_deadline_after_start"
            ),
            models.CheckConstraint(
                condition=Q(score_permille__lte=1000), name="attempt_score_range"
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(score_permille__isnull=False),
                name="attempt_submitted_is_graded",
            ),
        ]
        indexes = [
            models.Index(
                fields=["deadline_at"],
                condition=Q(submitted_at__isnull=True),
                name="attempt_open_by_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.assessment_id}#{self.number}"


class AttemptAnswer(models.Model):
    """The learner's answer to one question of an attempt, saved as they go (the last save
    before the deadline counts); ``credit_permille`` (0-1000 of the question's points) is set
    when the attempt is graded."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    response = models.JSONField()
    saved_at = models.DateTimeField()
    credit_permille = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_once"),
            models.CheckConstraint(
                condition=Q(credit_permille__lte=1000), name="answer_credit_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"
