"""Assessments: module quizzes and the final exam, their question banks, timed attempts,
marking, the cohort gradebook and the leaderboard. Services (writes) and selectors (reads)
of the feature; the app's public modules re-export what other apps may use.

Time. Every call takes ``now``. An attempt's ``deadline_at`` is ``started_at`` plus the
assessment's time limit, fixed at start: an answer saved after it is refused
(:class:`TimeUp`, 409), and an attempt past it is submitted with the answers saved before it,
whoever touches it first: the learner's next read or write, or ``attempts_close_due`` (Celery
beat every minute, ``fiera academy close-attempts``).

Who. The learner of an attempt is the only one who may answer or submit it; another learner
gets 404 as if it did not exist. Teachers of the course (operators and the course's
instructors) see every attempt and build the banks. The answer key (``Question.key``) is read
only to mark and for teachers: what learners receive is built by
:func:`fiera.academy.grading.public_question`.

Concurrency. One open attempt per learner and assessment is a partial unique index; two
starts at once both try to insert attempt number N, the loser's insert fails and it answers
the winner's attempt. Saves and the marking lock the attempt row (``SELECT ... FOR UPDATE``
on PostgreSQL; SQLite's IMMEDIATE transactions queue writers), so an answer is either marked
or refused, never lost in between.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from fiera.academy import grading
from fiera.academy.courses import is_teacher
from fiera.academy.models import (
    Assessment,
    AssessmentKind,
    Attempt,
    AttemptAnswer,
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Module,
    Question,
)
from fiera.academy.text import pick
from fiera.accounts.selectors import user_summaries
from fiera.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from fiera.common.events import publish

EXAM_PASSED = "academy.exam.passed"


# --- errors -----------------------------------------------------------------------------------


class AssessmentNotFound(NotFound):
    code = "assessment_not_found"
    message_template = _("This test does not exist.")


class AttemptNotFound(NotFound):
    code = "attempt_not_found"
    message_template = _("This attempt does not exist or is not yours.")


class QuestionNotFound(NotFound):
    code = "question_not_found"
    message_template = _("This question is not in the test's bank.")


class CohortNotFound(NotFound):
    code = "cohort_not_found"
    message_template = _("This cohort does not exist.")


class NotEnrolled(PermissionDenied):
    code = "not_enrolled"
    message_template = _("Enrol in a cohort of this course to take its tests.")


class NotTeacher(PermissionDenied):
    code = "not_teacher"
    message_template = _("Only the course's teachers may do this.")


class AttemptsUsedUp(Conflict):
    code = "attempts_used_up"
    message_template = _("You have used all %(allowed)s attempts at this test.")


class AssessmentClosed(Conflict):
    code = "assessment_closed"
    message_template = _("This test is not open now; check its dates.")


class EmptyBank(Conflict):
    code = "assessment_without_questions"
    message_template = _("This test has no questions yet; ask your teacher.")


class TimeUp(Conflict):
    code = "attempt_time_up"
    message_template = _(
        "Time is up: your answers saved before the deadline were submitted. See your result."
    )


class AttemptSubmitted(Conflict):
    code = "attempt_submitted"
    message_template = _("This attempt was already submitted; see your result.")


class NotOnPaper(InvalidInput):
    code = "question_not_on_paper"
    message_template = _("This question is not on your paper.")


class BadAssessment(InvalidInput):
    code = "assessment_invalid"
    message_template = _("The test's settings are not valid: %(reason)s")


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentInfo:
    assessment_id: int
    course_id: int
    course_slug: str
    module_id: int | None
    module_position: int | None
    kind: str
    title: dict[str, str]
    time_limit_seconds: int
    attempts_allowed: int
    pass_mark_percent: int
    questions_per_attempt: int | None
    shuffle_questions: bool
    shuffle_choices: bool
    opens_at: datetime | None
    closes_at: datetime | None
    bank_size: int

    @property
    def time_limit_minutes(self) -> int:
        return math.ceil(self.time_limit_seconds / 60)

    @property
    def paper_size(self) -> int:
        if self.questions_per_attempt is None:
            return self.bank_size
        return min(self.questions_per_attempt, self.bank_size)


@dataclass(frozen=True)
class AttemptSummary:
    attempt_id: int
    number: int
    started_at: datetime
    deadline_at: datetime
    submitted_at: datetime | None
    auto_submitted: bool
    score_permille: int | None
    passed: bool | None


@dataclass(frozen=True)
class AssessmentIntro:
    """An assessment as one person sees its intro page."""

    assessment: AssessmentInfo
    is_teacher: bool
    enrolment_id: int | None
    cohort_slug: str | None
    language: str
    attempts: list[AttemptSummary]
    open_now: bool

    @property
    def attempts_left(self) -> int:
        return max(0, self.assessment.attempts_allowed - len(self.attempts))

    @property
    def open_attempt_id(self) -> int | None:
        return next((a.attempt_id for a in self.attempts if a.submitted_at is None), None)

    @property
    def best_permille(self) -> int | None:
        scores = [a.score_permille for a in self.attempts if a.score_permille is not None]
        return max(scores) if scores else None

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def can_start(self) -> bool:
        return (
            self.enrolment_id is not None
            and self.open_now
            and (self.open_attempt_id is not None or self.attempts_left > 0)
        )


@dataclass(frozen=True)
class AttemptView:
    """An attempt as its learner (or a teacher) sees it. ``questions`` are public questions
    (:func:`grading.public_question`) with the saved ``response`` and, once submitted only,
    ``credit_permille``."""

    attempt_id: int
    assessment_id: int
    assessment_kind: str
    title: str
    number: int
    started_at: datetime
    deadline_at: datetime
    submitted_at: datetime | None
    auto_submitted: bool
    score_permille: int | None
    passed: bool | None
    pass_mark_percent: int
    seconds_left: int
    cohort_slug: str
    ranking_hidden: bool
    is_own: bool
    questions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None

    @property
    def seconds_taken(self) -> int | None:
        if self.submitted_at is None:
            return None
        return _seconds(self.started_at, self.submitted_at)


@dataclass(frozen=True)
class QuestionInfo:
    question_id: int
    assessment_id: int
    kind: str
    category: str
    name: str
    text: dict[str, str]
    key: dict[str, Any]
    feedback: dict[str, str]
    points: int
    position: int


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, math.ceil((end - start).total_seconds()))


# --- who teaches ------------------------------------------------------------------------------


def teaches(*, course_id: int, actor_id: int, actor_role: str) -> bool:
    """Operators teach every course; others only the courses they are instructors of (the
    courses' one rule, ``fiera.academy.courses.is_teacher``)."""
    return is_teacher(course_id=course_id, actor_id=actor_id, actor_role=actor_role)


def _require_teacher(*, course_id: int, actor_id: int, actor_role: str) -> None:
    if not teaches(course_id=course_id, actor_id=actor_id, actor_role=actor_role):
        raise NotTeacher(f"user {actor_id} does not teach course {course_id}")


def _assessment_info(a: Assessment, bank_size: int) -> AssessmentInfo:
    return AssessmentInfo(
        assessment_id=a.pk,
        course_id=a.course_id,
        course_slug=a.course.slug,
        module_id=a.module_id,
        module_position=a.module.position if a.module_id else None,  # type: ignore[union-attr]
        kind=a.kind,
        title=dict(a.title),
        time_limit_seconds=a.time_limit_seconds,
        attempts_allowed=a.attempts_allowed,
        pass_mark_percent=a.pass_mark_percent,
        questions_per_attempt=a.questions_per_attempt,
        shuffle_questions=a.shuffle_questions,
        shuffle_choices=a.shuffle_choices,
        opens_at=a.opens_at,
        closes_at=a.closes_at,
        bank_size=bank_size,
    )


def _assessment(assessment_id: int) -> Assessment:
    found = (
        Assessment.objects.select_related("course", "module")
        .annotate(bank=Count("questions"))
        .filter(pk=assessment_id)
        .first()
    )
    if found is None:
        raise AssessmentNotFound(f"no assessment {assessment_id}")
    return found


# --- assessments (teachers) -------------------------------------------------------------------


def _check_settings(
    *,
    kind: str,
    module_id: int | None,
    time_limit_seconds: int,
    attempts_allowed: int,
    pass_mark_percent: int,
    questions_per_attempt: int | None,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> None:
    if kind not in AssessmentKind.values:
        raise BadAssessment("kind", reason=_("choose a module quiz or the final exam."))
    if kind == AssessmentKind.QUIZ and module_id is None:
        raise BadAssessment("quiz without module", reason=_("a quiz belongs to a module."))
    if not 10 <= time_limit_seconds <= 24 * 3600:
        raise BadAssessment(
            "time limit", reason=_("the time limit goes from 1 minute to 24 hours.")
        )
    if not 1 <= attempts_allowed <= 100:
        raise BadAssessment("attempts", reason=_("allow from 1 to 100 attempts."))
    if not 0 <= pass_mark_percent <= 100:
        raise BadAssessment("pass mark", reason=_("the pass mark goes from 0 to 100 per cent."))
    if questions_per_attempt is not None and not 1 <= questions_per_attempt <= 500:
        raise BadAssessment("draw", reason=_("draw from 1 to 500 questions per attempt."))
    if opens_at and closes_at and closes_at <= opens_at:
        raise BadAssessment("dates", reason=_("the test must close after it opens."))


def assessment_create(
    *,
    course_slug: str,
    kind: str,
    title: dict[str, str],
    module_position: int | None = None,
    time_limit_seconds: int = 1800,
    attempts_allowed: int = 3,
    pass_mark_percent: int = 60,
    questions_per_attempt: int | None = None,
    shuffle_questions: bool = True,
    shuffle_choices: bool = True,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    actor_id: int,
    actor_role: str,
    now: datetime,
) -> AssessmentInfo:
    """A new quiz of module ``module_position`` or the course's final exam (teachers only;
    a second final exam answers 409)."""
    course = Course.objects.filter(slug=course_slug).first()
    if course is None:
        raise NotFound(f"no course {course_slug}")
    _require_teacher(course_id=course.pk, actor_id=actor_id, actor_role=actor_role)
    module_id = None
    if kind == AssessmentKind.QUIZ:
        module_id = (
            Module.objects.filter(course=course, position=module_position or 0)
            .values_list("pk", flat=True)
            .first()
        )
        if module_id is None:
            raise BadAssessment("module", reason=_("choose one of the course's modules."))
    if not grading._texts(title):
        raise BadAssessment("title", reason=_("give the test a title."))
    _check_settings(
        kind=kind,
        module_id=module_id,
        time_limit_seconds=time_limit_seconds,
        attempts_allowed=attempts_allowed,
        pass_mark_percent=pass_mark_percent,
        questions_per_attempt=questions_per_attempt,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    try:
        with transaction.atomic():
            a = Assessment.objects.create(
                course=course,
                module_id=module_id,
                kind=kind,
                title=title,
                time_limit_seconds=time_limit_seconds,
                attempts_allowed=attempts_allowed,
                pass_mark_percent=pass_mark_percent,
                questions_per_attempt=questions_per_attempt,
                shuffle_questions=shuffle_questions,
                shuffle_choices=shuffle_choices,
                opens_at=opens_at,
                closes_at=closes_at,
                created_at=now,
            )
    except IntegrityError:
        raise Conflict(
            "the course has a final exam",
            message=_("This course already has a final exam; edit that one."),
        ) from None
    return _assessment_info(_assessment(a.pk), 0)


def assessment_update(
    *,
    assessment_id: int,
    actor_id: int,
    actor_role: str,
    **changes: Any,
) -> AssessmentInfo:
    """Change an assessment's title or settings (teachers); omitted ones stay. Attempts
    already started keep their paper and deadline."""
    a = _assessment(assessment_id)
    _require_teacher(course_id=a.course_id, actor_id=actor_id, actor_role=actor_role)
    allowed = {
        "title",
        "time_limit_seconds",
        "attempts_allowed",
        "pass_mark_percent",
        "questions_per_attempt",
        "shuffle_questions",
        "shuffle_choices",
        "opens_at",
        "closes_at",
    }
    for name, value in changes.items():
        if name not in allowed:
            raise BadAssessment(f"unknown field {name}", reason=name)
        setattr(a, name, value)
    if not grading._texts(a.title):
        raise BadAssessment("title", reason=_("give the test a title."))
    _check_settings(
        kind=a.kind,
        module_id=a.module_id,
        time_limit_seconds=a.time_limit_seconds,
        attempts_allowed=a.attempts_allowed,
        pass_mark_percent=a.pass_mark_percent,
        questions_per_attempt=a.questions_per_attempt,
        opens_at=a.opens_at,
        closes_at=a.closes_at,
    )
    a.save(update_fields=[*changes])
    return _assessment_info(a, a.bank)  # type: ignore[attr-defined]


def assessment_list(*, course_slug: str, actor_id: int, actor_role: str) -> list[AssessmentInfo]:
    """The course's quizzes (by module) then its final exam; anyone signed in may list them
    (titles and rules only)."""
    found = (
        Assessment.objects.select_related("course", "module")
        .annotate(bank=Count("questions"))
        .filter(course__slug=course_slug)
    )
    infos = [_assessment_info(a, a.bank) for a in found]
    return sorted(infos, key=lambda i: (i.kind == "final", i.module_position or 0, i.assessment_id))


# --- questions (teachers) ---------------------------------------------------------------------


def _question_info(q: Question) -> QuestionInfo:
    return QuestionInfo(
        question_id=q.pk,
        assessment_id=q.assessment_id,
        kind=q.kind,
        category=q.category,
        name=q.name,
        text=dict(q.text),
        key=dict(q.key),
        feedback=dict(q.feedback or {}),
        points=q.points,
        position=q.position,
    )


def _check_question(kind: str, text: Any, key: Any, points: int) -> None:
    if not grading._texts(text):
        raise grading.BadKey("no text", reason=_("the question needs a text."))
    grading.key_check(kind, key)
    if not 1 <= points <= 100:
        raise grading.BadKey("points", reason=_("a question is worth 1 to 100 points."))


def question_list(*, assessment_id: int, actor_id: int, actor_role: str) -> list[QuestionInfo]:
    """The bank with its answer keys (teachers only)."""
    a = _assessment(assessment_id)
    _require_teacher(course_id=a.course_id, actor_id=actor_id, actor_role=actor_role)
    return [_question_info(q) for q in Question.objects.filter(assessment_id=assessment_id)]


def question_create(
    *,
    assessment_id: int,
    kind: str,
    text: dict[str, str],
    key: dict[str, Any],
    points: int = 1,
    category: str = "",
    name: str = "",
    feedback: dict[str, str] | None = None,
    actor_id: int,
    actor_role: str,
    now: datetime,
) -> QuestionInfo:
    """Add a question to the bank (teachers); the key is checked for its kind."""
    a = _assessment(assessment_id)
    _require_teacher(course_id=a.course_id, actor_id=actor_id, actor_role=actor_role)
    _check_question(kind, text, key, points)
    last = Question.objects.filter(assessment=a).aggregate(m=Max("position"))["m"] or 0
    q = Question.objects.create(
        assessment=a,
        kind=kind,
        text=text,
        key=key,
        points=points,
        category=category[:200],
        name=name[:200],
        feedback=feedback or {},
        position=last + 1,
        created_at=now,
    )
    return _question_info(q)


def question_update(
    *,
    question_id: int,
    actor_id: int,
    actor_role: str,
    **changes: Any,
) -> QuestionInfo:
    """Change a question (teachers). Attempts already marked keep their marks."""
    q = Question.objects.select_related("assessment").filter(pk=question_id).first()
    if q is None:
        raise QuestionNotFound(f"no question {question_id}")
    _require_teacher(course_id=q.assessment.course_id, actor_id=actor_id, actor_role=actor_role)
    for name in ("kind", "text", "key", "points", "category", "name", "feedback"):
        if name in changes and changes[name] is not None:
            setattr(q, name, changes[name])
    _check_question(q.kind, q.text, q.key, q.points)
    q.save()
    return _question_info(q)


def question_delete(*, question_id: int, actor_id: int, actor_role: str) -> None:
    """Remove a question from the bank (teachers); it leaves the papers it was drawn on
    unmarked for it (it counts 0 of 0 points)."""
    q = Question.objects.select_related("assessment").filter(pk=question_id).first()
    if q is None:
        raise QuestionNotFound(f"no question {question_id}")
    _require_teacher(course_id=q.assessment.course_id, actor_id=actor_id, actor_role=actor_role)
    q.delete()


def questions_add_many(
    *,
    assessment_id: int,
    questions: Sequence[dict[str, Any]],
    actor_id: int,
    actor_role: str,
    now: datetime,
) -> int:
    """Add several checked questions at once, all or nothing (the import's last step):
    each dict has ``kind``, ``text``, ``key`` and optionally ``points``, ``category``,
    ``name``, ``feedback``. How many were added."""
    a = _assessment(assessment_id)
    _require_teacher(course_id=a.course_id, actor_id=actor_id, actor_role=actor_role)
    for q in questions:
        _check_question(q["kind"], q["text"], q["key"], int(q.get("points", 1)))
    with transaction.atomic():
        last = Question.objects.filter(assessment=a).aggregate(m=Max("position"))["m"] or 0
        Question.objects.bulk_create(
            Question(
                assessment=a,
                kind=q["kind"],
                text=q["text"],
                key=q["key"],
                points=int(q.get("points", 1)),
                category=str(q.get("category", ""))[:200],
                name=str(q.get("name", ""))[:200],
                feedback=q.get("feedback") or {},
                position=last + n,
                created_at=now,
            )
            for n, q in enumerate(questions, start=1)
        )
    return len(questions)


# --- intro ------------------------------------------------------------------------------------


def _enrolment_for(course_id: int, actor_id: int) -> Any:
    return (
        Enrolment.objects.filter(
            user_id=actor_id, cohort__course_id=course_id, status__in=["active", "completed"]
        )
        .order_by("-enrolled_at", "-id")
        .values("pk", "language", "cohort__slug", "ranking_hidden")
        .first()
    )


def _summary(row: Attempt) -> AttemptSummary:
    return AttemptSummary(
        attempt_id=row.pk,
        number=row.number,
        started_at=row.started_at,
        deadline_at=row.deadline_at,
        submitted_at=row.submitted_at,
        auto_submitted=row.auto_submitted,
        score_permille=row.score_permille,
        passed=row.passed,
    )


def _is_open(a: Assessment | AssessmentInfo, now: datetime) -> bool:
    return (a.opens_at is None or a.opens_at <= now) and (a.closes_at is None or now < a.closes_at)


def assessment_intro(
    *, assessment_id: int, actor_id: int, actor_role: str, now: datetime
) -> AssessmentIntro:
    """The intro page's facts: the rules, and for an enrolled learner their attempts (an
    attempt past its deadline is submitted first)."""
    a = _assessment(assessment_id)
    info = _assessment_info(a, a.bank)  # type: ignore[attr-defined]
    enrolment = _enrolment_for(a.course_id, actor_id)
    attempts: list[AttemptSummary] = []
    if enrolment is not None:
        rows = list(Attempt.objects.filter(enrolment_id=enrolment["pk"], assessment=a))
        if any(r.submitted_at is None and r.deadline_at <= now for r in rows):
            attempts_close_due(now=now, attempt_ids=[r.pk for r in rows])
            rows = list(Attempt.objects.filter(enrolment_id=enrolment["pk"], assessment=a))
        attempts = [_summary(r) for r in rows]
    return AssessmentIntro(
        assessment=info,
        is_teacher=teaches(course_id=a.course_id, actor_id=actor_id, actor_role=actor_role),
        enrolment_id=enrolment["pk"] if enrolment else None,
        cohort_slug=enrolment["cohort__slug"] if enrolment else None,
        language=enrolment["language"] if enrolment else "",
        attempts=attempts,
        open_now=_is_open(info, now),
    )


@dataclass(frozen=True)
class CourseTests:
    """A course's tests as one person sees them: each with their own attempts."""

    course_slug: str
    course_title: dict[str, str]
    cohort_slug: str | None
    is_teacher: bool
    tests: list[AssessmentIntro]


def course_tests(*, course_slug: str, actor_id: int, actor_role: str, now: datetime) -> CourseTests:
    """The course's quizzes and final exam with the person's attempts at each (anyone signed
    in; teachers also get links to build them)."""
    course = Course.objects.filter(slug=course_slug).first()
    if course is None:
        raise NotFound(f"no course {course_slug}")
    infos = assessment_list(course_slug=course_slug, actor_id=actor_id, actor_role=actor_role)
    enrolment = _enrolment_for(course.pk, actor_id)
    by_assessment: dict[int, list[AttemptSummary]] = {}
    if enrolment is not None:
        rows = Attempt.objects.filter(enrolment_id=enrolment["pk"]).order_by("number")
        for r in rows:
            by_assessment.setdefault(r.assessment_id, []).append(_summary(r))
    teacher = teaches(course_id=course.pk, actor_id=actor_id, actor_role=actor_role)
    return CourseTests(
        course_slug=course.slug,
        course_title=dict(course.title),
        cohort_slug=enrolment["cohort__slug"] if enrolment else None,
        is_teacher=teacher,
        tests=[
            AssessmentIntro(
                assessment=info,
                is_teacher=teacher,
                enrolment_id=enrolment["pk"] if enrolment else None,
                cohort_slug=enrolment["cohort__slug"] if enrolment else None,
                language=enrolment["language"] if enrolment else "",
                attempts=by_assessment.get(info.assessment_id, []),
                open_now=_is_open(info, now),
            )
            for info in infos
        ],
    )


# --- attempts ---------------------------------------------------------------------------------


def _draw(a: Assessment, bank: list[Any], rng: random.Random) -> list[dict[str, Any]]:
    chosen = list(bank)
    if a.questions_per_attempt is not None and a.questions_per_attempt < len(chosen):
        chosen = rng.sample(chosen, a.questions_per_attempt)
        if not a.shuffle_questions:
            chosen.sort(key=lambda q: (q["position"], q["pk"]))
    elif a.shuffle_questions:
        rng.shuffle(chosen)
    return [
        grading.paper_entry(q["pk"], q["kind"], q["key"], shuffle=a.shuffle_choices, rng=rng)
        for q in chosen
    ]


def attempt_start(
    *, assessment_id: int, actor_id: int, now: datetime, rng: random.Random | None = None
) -> AttemptView:
    """Start an attempt, or answer the open one (starting twice, or twice at once, gives one
    attempt). Draws the paper from the bank and fixes ``deadline_at``. Refused: not enrolled
    (403), outside the test's dates or an empty bank (409), all attempts used (409).

    Statements (the exam-start hot path, budget asserted in tests): the assessment, the
    enrolment, its attempts, the bank, the INSERT; an open attempt answers after three."""
    a = (
        Assessment.objects.filter(pk=assessment_id)
        .only(
            "course_id",
            "kind",
            "title",
            "time_limit_seconds",
            "attempts_allowed",
            "pass_mark_percent",
            "questions_per_attempt",
            "shuffle_questions",
            "shuffle_choices",
            "opens_at",
            "closes_at",
        )
        .first()
    )
    if a is None:
        raise AssessmentNotFound(f"no assessment {assessment_id}")
    enrolment = _enrolment_for(a.course_id, actor_id)
    if enrolment is None:
        raise NotEnrolled(f"user {actor_id} has no enrolment in course {a.course_id}")
    for _round in range(3):
        rows = list(
            Attempt.objects.filter(enrolment_id=enrolment["pk"], assessment_id=a.pk).only(
                "number", "submitted_at", "deadline_at"
            )
        )
        current = next((r for r in rows if r.submitted_at is None), None)
        if current is not None and current.deadline_at > now:
            return attempt_get(attempt_id=current.pk, actor_id=actor_id, actor_role="", now=now)
        if current is not None:
            attempts_close_due(now=now, attempt_ids=[current.pk])
        if not _is_open(a, now):
            raise AssessmentClosed(f"assessment {a.pk} is not open at {now.isoformat()}")
        if len(rows) >= a.attempts_allowed:
            raise AttemptsUsedUp(
                f"{len(rows)} of {a.attempts_allowed} attempts used", allowed=a.attempts_allowed
            )
        bank = list(
            Question.objects.filter(assessment_id=a.pk).values(
                "pk", "kind", "key", "text", "points", "position"
            )
        )
        if not bank:
            raise EmptyBank(f"assessment {a.pk} has no questions")
        number = len(rows) + 1
        rng = rng or random.SystemRandom()
        paper = _draw(a, bank, rng)
        deadline = now + timedelta(seconds=a.time_limit_seconds)
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    enrolment_id=enrolment["pk"],
                    assessment_id=a.pk,
                    number=number,
                    paper=paper,
                    started_at=now,
                    deadline_at=deadline,
                )
        except IntegrityError:
            continue  # another start won the race: answer its attempt
        by_id = {q["pk"]: q for q in bank}
        language = enrolment["language"]
        return AttemptView(
            attempt_id=attempt.pk,
            assessment_id=a.pk,
            assessment_kind=a.kind,
            title=pick(a.title, language),
            number=number,
            started_at=now,
            deadline_at=deadline,
            submitted_at=None,
            auto_submitted=False,
            score_permille=None,
            passed=None,
            pass_mark_percent=a.pass_mark_percent,
            seconds_left=a.time_limit_seconds,
            cohort_slug=enrolment["cohort__slug"],
            ranking_hidden=enrolment["ranking_hidden"],
            is_own=True,
            questions=[
                {
                    **grading.public_question(
                        entry,
                        text=by_id[entry["q"]]["text"],
                        key=by_id[entry["q"]]["key"],
                        points=by_id[entry["q"]]["points"],
                        language=language,
                    ),
                    "response": None,
                    "credit_permille": None,
                }
                for entry in paper
            ],
        )
    raise Conflict("attempt start kept colliding")  # pragma: no cover - three lost races


def _owned_attempt_for_update(attempt_id: int, actor_id: int) -> Any:
    locked = Attempt.objects.filter(pk=attempt_id, enrolment__user_id=actor_id)
    if transaction.get_connection().features.has_select_for_update_of:
        locked = locked.select_for_update(of=("self",))
    row = locked.values("pk", "paper", "deadline_at", "submitted_at").first()
    if row is None:
        raise AttemptNotFound(f"attempt {attempt_id} is not user {actor_id}'s")
    return row


def answer_save(
    *,
    attempt_id: int,
    question_id: int,
    response: Any,
    actor_id: int,
    now: datetime,
) -> datetime:
    """Save (or replace) the learner's answer to one question of their open attempt; the
    time it was saved. After ``deadline_at`` the answer is refused and the attempt is
    submitted with what was saved before (:class:`TimeUp`, 409, committed first); a
    submitted attempt answers :class:`AttemptSubmitted` (409); another learner's attempt
    404.

    Statements (hot path): the attempt (locked), one upsert of the answer."""
    time_up = False
    with transaction.atomic():
        row = _owned_attempt_for_update(attempt_id, actor_id)
        if row["submitted_at"] is not None:
            raise AttemptSubmitted(f"attempt {attempt_id} was submitted")
        if now >= row["deadline_at"]:
            time_up = True
        else:
            entry = next((e for e in row["paper"] if e["q"] == question_id), None)
            if entry is None:
                raise NotOnPaper(f"question {question_id} is not on attempt {attempt_id}")
            clean = grading.response_check(entry, response)
            AttemptAnswer.objects.bulk_create(
                [
                    AttemptAnswer(
                        attempt_id=attempt_id, question_id=question_id, response=clean, saved_at=now
                    )
                ],
                update_conflicts=True,
                unique_fields=["attempt", "question"],
                update_fields=["response", "saved_at"],
            )
    if time_up:
        attempts_close_due(now=now, attempt_ids=[attempt_id])
        raise TimeUp(f"attempt {attempt_id} passed its deadline {row['deadline_at'].isoformat()}")
    return now


def attempt_submit(*, attempt_id: int, actor_id: int, now: datetime) -> AttemptView:
    """Hand in the learner's open attempt and mark it; the result. Past its deadline it is
    marked as it stood at the deadline (the same as an automatic submission). Submitting a
    submitted attempt answers its result (idempotent)."""
    with transaction.atomic():
        row = _owned_attempt_for_update(attempt_id, actor_id)
        if row["submitted_at"] is None:
            _mark(attempt_id, now=now)
    return attempt_get(attempt_id=attempt_id, actor_id=actor_id, actor_role="", now=now)


def attempts_close_due(
    *,
    now: datetime,
    attempt_ids: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Submit and mark every open attempt whose deadline has passed (or those of
    ``attempt_ids`` that are), each in its own transaction, with the answers saved before
    the deadline. How many were closed. Safe to run anywhere at once: an attempt is marked
    once (a conditional UPDATE on ``submitted_at IS NULL``)."""
    due = Attempt.objects.filter(submitted_at__isnull=True, deadline_at__lte=now)
    if attempt_ids is not None:
        due = due.filter(pk__in=list(attempt_ids))
    ids = list(due.order_by("deadline_at").values_list("pk", flat=True))
    closed = 0
    for n, attempt_id in enumerate(ids, start=1):
        with transaction.atomic():
            if _mark(attempt_id, now=now):
                closed += 1
        if progress is not None:
            progress(n, len(ids))
    return closed


def _mark(attempt_id: int, *, now: datetime) -> bool:
    """Mark an open attempt (call inside a transaction): the answers saved by the deadline,
    the score, the pass; for a final exam the enrolment's best and, on the first pass, the
    ``academy.exam.passed`` event. False when it was already submitted."""
    attempt = (
        Attempt.objects.select_related("assessment")
        .filter(pk=attempt_id, submitted_at__isnull=True)
        .first()
    )
    if attempt is None:
        return False
    auto = now >= attempt.deadline_at
    at = attempt.deadline_at if auto else now
    paper = attempt.paper
    keys = {
        q["pk"]: q
        for q in Question.objects.filter(pk__in=[e["q"] for e in paper]).values(
            "pk", "key", "points"
        )
    }
    answers = {
        a.question_id: a
        for a in AttemptAnswer.objects.filter(attempt_id=attempt_id, saved_at__lte=at)
    }
    marks = []
    for entry in paper:
        question = keys.get(entry["q"])
        if question is None:
            continue  # deleted from the bank since: counts 0 of 0
        answer = answers.get(entry["q"])
        credit = grading.credit_permille(entry, question["key"], answer.response) if answer else 0
        if answer is not None:
            answer.credit_permille = credit
        marks.append((question["points"], credit))
    score = grading.score_permille(marks)
    passed = score >= attempt.assessment.pass_mark_percent * 10
    claimed = Attempt.objects.filter(pk=attempt_id, submitted_at__isnull=True).update(
        submitted_at=at, auto_submitted=auto, score_permille=score, passed=passed
    )
    if not claimed:
        return False
    if answers:
        AttemptAnswer.objects.bulk_update(list(answers.values()), ["credit_permille"])
    if attempt.assessment.kind == AssessmentKind.FINAL:
        _final_record(
            attempt.enrolment_id,
            score=score,
            seconds=_seconds(attempt.started_at, at),
            passed=passed,
            at=at,
            now=now,
        )
    return True


def _final_record(
    enrolment_id: int, *, score: int, seconds: int, passed: bool, at: datetime, now: datetime
) -> None:
    locked = Enrolment.objects.filter(pk=enrolment_id)
    if transaction.get_connection().features.has_select_for_update:
        locked = locked.select_for_update()
    before = locked.values("final_score_permille", "final_seconds", "final_passed_at").get()
    best, best_seconds = before["final_score_permille"], before["final_seconds"]
    better = (
        best is None
        or score > best
        or (score == best and (best_seconds is None or seconds < best_seconds))
    )
    first_pass = passed and before["final_passed_at"] is None
    if better:
        Enrolment.objects.filter(pk=enrolment_id).update(
            final_score_permille=score,
            final_seconds=seconds,
            final_passed_at=at if passed else before["final_passed_at"],
        )
    elif first_pass:
        Enrolment.objects.filter(pk=enrolment_id).update(final_passed_at=at)
    if first_pass:
        publish(EXAM_PASSED, {"enrolment_id": enrolment_id}, now=now)


def attempt_get(*, attempt_id: int, actor_id: int, actor_role: str, now: datetime) -> AttemptView:
    """An attempt with its questions and saved answers, for its learner or a teacher of the
    course (anyone else: 404). Past its deadline it is submitted first. Marks per question
    only once submitted."""
    attempt = (
        Attempt.objects.select_related("assessment", "enrolment", "enrolment__cohort")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        raise AttemptNotFound(f"no attempt {attempt_id}")
    own = attempt.enrolment.user_id == actor_id
    if not own and not (
        actor_role
        and teaches(
            course_id=attempt.assessment.course_id, actor_id=actor_id, actor_role=actor_role
        )
    ):
        raise AttemptNotFound(f"attempt {attempt_id} is not user {actor_id}'s")
    if attempt.submitted_at is None and attempt.deadline_at <= now:
        attempts_close_due(now=now, attempt_ids=[attempt_id])
        attempt.refresh_from_db()
    language = attempt.enrolment.language
    paper = attempt.paper
    questions = {
        q["pk"]: q
        for q in Question.objects.filter(pk__in=[e["q"] for e in paper]).values(
            "pk", "text", "key", "points"
        )
    }
    answers = {a.question_id: a for a in AttemptAnswer.objects.filter(attempt_id=attempt_id)}
    submitted = attempt.submitted_at is not None
    shown = []
    for entry in paper:
        q = questions.get(entry["q"])
        if q is None:
            continue
        answer = answers.get(entry["q"])
        counted = answer is not None and (not submitted or answer.saved_at <= attempt.submitted_at)  # type: ignore[operator]
        shown.append(
            {
                **grading.public_question(
                    entry, text=q["text"], key=q["key"], points=q["points"], language=language
                ),
                "response": answer.response if answer is not None and counted else None,
                "credit_permille": (
                    (answer.credit_permille or 0) if counted and answer is not None else 0
                )
                if submitted
                else None,
            }
        )
    return AttemptView(
        attempt_id=attempt.pk,
        assessment_id=attempt.assessment_id,
        assessment_kind=attempt.assessment.kind,
        title=pick(attempt.assessment.title, language),
        number=attempt.number,
        started_at=attempt.started_at,
        deadline_at=attempt.deadline_at,
        submitted_at=attempt.submitted_at,
        auto_submitted=attempt.auto_submitted,
        score_permille=attempt.score_permille,
        passed=attempt.passed,
        pass_mark_percent=attempt.assessment.pass_mark_percent,
        seconds_left=0 if submitted else _seconds(now, attempt.deadline_at),
        cohort_slug=attempt.enrolment.cohort.slug,
        ranking_hidden=attempt.enrolment.ranking_hidden,
        is_own=own,
        questions=shown,
    )


@dataclass(frozen=True)
class AttemptRow:
    """An attempt in a teacher's list: who, when, how it went."""

    attempt: AttemptSummary
    enrolment_id: int
    cohort_slug: str
    name: str
    username: str


def attempt_list(
    *, assessment_id: int, actor_id: int, actor_role: str, limit: int = 1000
) -> list[AttemptRow]:
    """Every attempt at the assessment, latest first (teachers of its course). Three
    queries."""
    a = _assessment(assessment_id)
    _require_teacher(course_id=a.course_id, actor_id=actor_id, actor_role=actor_role)
    rows = list(
        Attempt.objects.filter(assessment_id=assessment_id)
        .select_related("enrolment__cohort")
        .order_by("-started_at", "-id")[:limit]
    )
    people = user_summaries(user_ids=[r.enrolment.user_id for r in rows])
    out = []
    for r in rows:
        person = people.get(r.enrolment.user_id)
        out.append(
            AttemptRow(
                attempt=_summary(r),
                enrolment_id=r.enrolment_id,
                cohort_slug=r.enrolment.cohort.slug,
                name=(person.full_name or person.username) if person else "",
                username=person.username if person else "",
            )
        )
    return out


# --- gradebook --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeCell:
    best_permille: int | None
    passed: bool
    attempts: int


@dataclass(frozen=True)
class GradebookRow:
    enrolment_id: int
    user_id: int
    name: str
    username: str
    language: str
    status: str
    cells: list[GradeCell]
    final_score_permille: int | None
    final_seconds: int | None
    final_passed_at: datetime | None
    certified_at: datetime | None


@dataclass(frozen=True)
class Gradebook:
    cohort_slug: str
    cohort_name: str
    course_slug: str
    assessments: list[AssessmentInfo]
    rows: list[GradebookRow]


def _cohort(slug: str) -> Cohort:
    cohort = Cohort.objects.select_related("course").filter(slug=slug).first()
    if cohort is None:
        raise CohortNotFound(f"no cohort {slug}")
    return cohort


def gradebook(
    *, cohort_slug: str, actor_id: int, actor_role: str, now: datetime | None = None
) -> Gradebook:
    """Every learner of the cohort against every assessment of its course: best score,
    passed, attempts; and the final exam's best (teachers only). With ``now``, the cohort's
    attempts past their deadline are submitted first (as every read of an attempt does)."""
    cohort = _cohort(cohort_slug)
    _require_teacher(course_id=cohort.course_id, actor_id=actor_id, actor_role=actor_role)
    if now is not None:
        due = Attempt.objects.filter(
            enrolment__cohort=cohort, submitted_at__isnull=True, deadline_at__lte=now
        ).values_list("pk", flat=True)
        if due:
            attempts_close_due(now=now, attempt_ids=list(due))
    assessments = assessment_list(
        course_slug=cohort.course.slug, actor_id=actor_id, actor_role=actor_role
    )
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort)
        .order_by("id")
        .values(
            "pk",
            "user_id",
            "language",
            "status",
            "final_score_permille",
            "final_seconds",
            "final_passed_at",
            "certified_at",
        )
    )
    stats = {
        (s["enrolment_id"], s["assessment_id"]): s
        for s in Attempt.objects.filter(enrolment__cohort=cohort)
        .values("enrolment_id", "assessment_id")
        .annotate(
            best=Max("score_permille"),
            attempts=Count("id"),
            passes=Count("id", filter=Q(passed=True)),
        )
        .order_by()
    }
    people = user_summaries(user_ids=[e["user_id"] for e in enrolments])
    rows = []
    for e in enrolments:
        person = people.get(e["user_id"])
        cells = []
        for a in assessments:
            s = stats.get((e["pk"], a.assessment_id))
            cells.append(
                GradeCell(
                    best_permille=s["best"] if s else None,
                    passed=bool(s and s["passes"]),
                    attempts=s["attempts"] if s else 0,
                )
            )
        rows.append(
            GradebookRow(
                enrolment_id=e["pk"],
                user_id=e["user_id"],
                name=(person.full_name or person.username) if person else "",
                username=person.username if person else "",
                language=e["language"],
                status=e["status"],
                cells=cells,
                final_score_permille=e["final_score_permille"],
                final_seconds=e["final_seconds"],
                final_passed_at=e["final_passed_at"],
                certified_at=e["certified_at"],
            )
        )
    rows.sort(key=lambda r: (r.name.casefold(), r.enrolment_id))
    return Gradebook(
        cohort_slug=cohort.slug,
        cohort_name=cohort.name,
        course_slug=cohort.course.slug,
        assessments=assessments,
        rows=rows,
    )


def permille_text(value: int | None) -> str:
    """A score in per cent with one decimal and a dot, whatever the locale (for CSV)."""
    if value is None:
        return ""
    return f"{value // 10}.{value % 10}"


def gradebook_csv_rows(book: Gradebook, *, language: str) -> Iterator[list[str]]:
    """The gradebook as CSV rows, the header first; numbers with a dot, times in ISO 8601
    (UTC), booleans as ``yes``/``no``: the same file whatever the reader's language."""
    header = ["enrolment_id", "username", "name", "language", "status"]
    for a in book.assessments:
        label = "final" if a.kind == AssessmentKind.FINAL else f"quiz_module_{a.module_position}"
        header += [f"{label}_best_percent", f"{label}_passed", f"{label}_attempts"]
    header += ["final_score_percent", "final_seconds", "final_passed_at", "certified_at"]
    yield header
    for r in book.rows:
        line = [str(r.enrolment_id), r.username, r.name, r.language, r.status]
        for cell in r.cells:
            line += [
                permille_text(cell.best_permille),
                "yes" if cell.passed else "no",
                str(cell.attempts),
            ]
        line += [
            permille_text(r.final_score_permille),
            "" if r.final_seconds is None else str(r.final_seconds),
            r.final_passed_at.isoformat() if r.final_passed_at else "",
            r.certified_at.isoformat() if r.certified_at else "",
        ]
        yield line


# --- leaderboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderboardEntry:
    rank: int
    enrolment_id: int
    name: str
    hidden: bool
    score_permille: int
    seconds: int | None
    passed_at: datetime | None
    top: bool
    is_me: bool


@dataclass(frozen=True)
class Leaderboard:
    cohort_slug: str
    cohort_name: str
    top_n: int
    entries: list[LeaderboardEntry]


def leaderboard_top_n() -> int:
    """``FIERA_ACADEMY_TOP_N`` (10 unless configured): how many ranks are marked as the top."""
    return int(getattr(settings, "FIERA_ACADEMY_TOP_N", 10))


def leaderboard(
    *, cohort_slug: str, viewer_id: int | None = None, top_n: int | None = None
) -> Leaderboard:
    """The cohort's ranking by best final-exam score, ties broken by the time it took, then
    by when it passed, then by enrolment. Public: a learner who asked to hide their name
    shows as "Anonymous learner" but keeps their rank. The first ``top_n`` who passed are
    marked."""
    cohort = _cohort(cohort_slug)
    top_n = leaderboard_top_n() if top_n is None else top_n
    rows = list(
        Enrolment.objects.filter(cohort=cohort, final_score_permille__isnull=False)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .values(
            "pk",
            "user_id",
            "ranking_hidden",
            "final_score_permille",
            "final_seconds",
            "final_passed_at",
        )
    )
    far = datetime.max.replace(tzinfo=cohort.created_at.tzinfo)
    rows.sort(
        key=lambda r: (
            -(r["final_score_permille"] or 0),
            r["final_seconds"] if r["final_seconds"] is not None else 10**9,
            r["final_passed_at"] or far,
            r["pk"],
        )
    )
    people = user_summaries(user_ids=[r["user_id"] for r in rows if not r["ranking_hidden"]])
    entries = []
    for rank, r in enumerate(rows, start=1):
        person = people.get(r["user_id"])
        name = (
            str(_("Anonymous learner"))
            if r["ranking_hidden"] or person is None
            else (person.full_name or person.username)
        )
        entries.append(
            LeaderboardEntry(
                rank=rank,
                enrolment_id=r["pk"],
                name=name,
                hidden=r["ranking_hidden"],
                score_permille=r["final_score_permille"] or 0,
                seconds=r["final_seconds"],
                passed_at=r["final_passed_at"],
                top=rank <= top_n and r["final_passed_at"] is not None,
                is_me=viewer_id is not None and r["user_id"] == viewer_id,
            )
        )
    return Leaderboard(
        cohort_slug=cohort.slug, cohort_name=cohort.name, top_n=top_n, entries=entries
    )


def ranking_visibility_set(*, cohort_slug: str, hidden: bool, actor_id: int) -> bool:
    """The learner shows or hides their name on the cohort's public leaderboard (they keep
    their rank either way); not enrolled: 404. The new setting."""
    updated = Enrolment.objects.filter(cohort__slug=cohort_slug, user_id=actor_id).update(
        ranking_hidden=hidden
    )
    if not updated:
        raise CohortNotFound(f"user {actor_id} is not in cohort {cohort_slug}")
    return hidden
