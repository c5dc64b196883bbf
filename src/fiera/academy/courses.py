"""Courses, cohorts, enrolment and progress: the services (writes) and selectors (reads) of
the academy's course feature.

Who may do what: anyone signed in reads the published catalogue and enrols; the teachers of
a course (operators and the course's ``CourseInstructor`` users) build it, see it unpublished
and open cohorts. A course is created by operators and by people who already teach a course
(they become its first instructor). A learner reads only their own enrolments: another
person's enrolment answers 404, as if it did not exist.

Enrolment takes the cohort's row lock (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite runs
write transactions one at a time, decision 0004) before counting the places taken, so a
cohort never takes more than its capacity, however many enrol at once. Withdrawn enrolments
free their place; the same person re-enrolling reuses their row (and keeps their progress).

Marking a lesson done is idempotent (one ``LessonProgress`` row per lesson); the last lesson
done completes the enrolment (``completed_at``, status completed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from fiera.academy import events
from fiera.academy.markdown import render
from fiera.academy.models import (
    Cohort,
    Course,
    CourseInstructor,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    LessonProgress,
    Module,
)
from fiera.academy.text import pick
from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied

CONTENT_LANGUAGES = ("it", "es", "en", "zh-hans", "fr", "de", "pt")
TAKEN = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGES = re.compile(r"^[a-z]{2}(-[a-z]+)?(,[a-z]{2}(-[a-z]+)?)*$")
TITLE_MAX = 200
BODY_MAX = 50_000  # per language: with every content language, a body stays under the upload limit


# --- errors ----------------------------------------------------------------------------------


class CourseNotFound(NotFound):
    code = "course_not_found"
    message_template = _("There is no course with this name, or it is not published yet.")


class ModuleNotFound(NotFound):
    code = "module_not_found"
    message_template = _("This module does not exist in the course.")


class LessonNotFound(NotFound):
    code = "lesson_not_found"
    message_template = _("This lesson does not exist in the course.")


class CohortNotFound(NotFound):
    code = "cohort_not_found"
    message_template = _("There is no cohort with this name.")


class EnrolmentNotFound(NotFound):
    code = "enrolment_not_found"
    message_template = _("You are not enrolled in this course (or the enrolment does not exist).")


class NotATeacher(PermissionDenied):
    code = "not_course_teacher"
    message_template = _("Only the course's teachers and the operators can change this course.")


class CannotCreateCourse(PermissionDenied):
    code = "course_create_forbidden"
    message_template = _("Only operators and teachers of a course can create courses.")


class CohortFull(Conflict):
    code = "cohort_full"
    message_template = _(
        "%(cohort)s is full: all %(capacity)s places are taken. Choose another cohort or ask "
        "the teachers to open more places."
    )


class AlreadyEnrolled(Conflict):
    code = "already_enrolled"
    message_template = _("You are already enrolled in %(cohort)s.")


class EnrolmentClosed(Conflict):
    code = "enrolment_closed"
    message_template = _("Enrolment in %(cohort)s is closed: the cohort ended on %(ends_on)s.")


class EnrolmentNotActive(Conflict):
    code = "enrolment_not_active"
    message_template = _("You withdrew from this cohort: enrol again to continue.")


class LanguageNotOffered(InvalidInput):
    code = "language_not_offered"
    message_template = _("%(cohort)s is taught in %(languages)s: choose one of these languages.")


class CourseSlugTaken(Conflict):
    code = "course_slug_taken"
    message_template = _("Another course already uses this short name.")


class CohortSlugTaken(Conflict):
    code = "cohort_slug_taken"
    message_template = _("Another cohort already uses this short name.")


class InvalidSlug(InvalidInput):
    code = "invalid_slug"
    message_template = _(
        "Choose a short name of lowercase letters, digits and hyphens (at most 80)."
    )


class InvalidLanguages(InvalidInput):
    code = "invalid_languages"
    message_template = _(
        "List the languages as codes separated by commas, for example it,es,en (known: %(known)s)."
    )


class TitleRequired(InvalidInput):
    code = "title_required"
    message_template = _("Give a title in at least one language (at most 200 characters).")


class TextTooLong(InvalidInput):
    code = "text_too_long"
    message_template = _("A text is too long: at most %(max_length)s characters.")


class InvalidCohortDates(InvalidInput):
    code = "invalid_cohort_dates"
    message_template = _("The cohort must end on or after the day it starts.")


class InvalidCapacity(InvalidInput):
    code = "invalid_capacity"
    message_template = _("The capacity must be a whole number from 1 to 100000.")


class InvalidMove(InvalidInput):
    code = "invalid_move"
    message_template = _("Move it up or down.")


# --- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortCard:
    id: int
    slug: str
    name: str
    course_slug: str
    starts_on: date
    ends_on: date
    languages: tuple[str, ...]
    capacity: int
    places_taken: int

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)


@dataclass(frozen=True)
class CourseCard:
    id: int
    slug: str
    title: str
    summary_html: SafeString
    languages: tuple[str, ...]
    published: bool
    lessons: int
    cohorts: tuple[CohortCard, ...]


@dataclass(frozen=True)
class LessonItem:
    id: int
    module_id: int
    position: int
    title: str
    minutes: int
    done: bool = False


@dataclass(frozen=True)
class ModuleItem:
    id: int
    position: int
    title: str
    lessons: tuple[LessonItem, ...]


@dataclass(frozen=True)
class CourseDetail:
    card: CourseCard
    modules: tuple[ModuleItem, ...]
    is_teacher: bool
    my_enrolments: dict[int, EnrolmentInfo]  # by cohort id


@dataclass(frozen=True)
class EnrolmentInfo:
    id: int
    user_id: int
    cohort_id: int
    cohort_slug: str
    cohort_name: str
    course_id: int
    course_slug: str
    course_title: str
    language: str
    status: str
    enrolled_at: datetime
    completed_at: datetime | None
    lessons_done: int
    lessons_total: int
    next_lesson_id: int | None

    @property
    def percent(self) -> int:
        """Whole percent of the course's lessons done (0-100)."""
        if not self.lessons_total:
            return 0
        return self.lessons_done * 100 // self.lessons_total

    @property
    def active(self) -> bool:
        return self.status != EnrolmentStatus.WITHDRAWN


@dataclass(frozen=True)
class LessonView:
    enrolment: EnrolmentInfo
    modules: tuple[ModuleItem, ...]
    lesson: LessonItem
    module_title: str
    body_html: SafeString
    previous_id: int | None
    next_id: int | None


@dataclass(frozen=True)
class ProgressInfo:
    enrolment_id: int
    lesson_id: int
    lessons_done: int
    lessons_total: int
    completed_at: datetime | None
    next_lesson_id: int | None

    @property
    def percent(self) -> int:
        return self.lessons_done * 100 // self.lessons_total if self.lessons_total else 0


@dataclass(frozen=True)
class LessonEdit:
    id: int
    module_id: int
    position: int
    title: dict[str, str]
    body: dict[str, str]
    minutes: int


@dataclass(frozen=True)
class ModuleEdit:
    id: int
    position: int
    title: dict[str, str]
    lessons: tuple[LessonEdit, ...]


@dataclass(frozen=True)
class CourseEdit:
    """A course as its teachers edit it: every language's text."""

    id: int
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    languages: tuple[str, ...]
    published_at: datetime | None
    modules: tuple[ModuleEdit, ...]
    cohorts: tuple[CohortCard, ...]
    instructor_ids: tuple[int, ...] = field(default=())


# --- who teaches -----------------------------------------------------------------------------


def is_teacher(*, course_id: int, actor_id: int | None, actor_role: str) -> bool:
    """Operators (and the platform itself) teach every course; others only theirs."""
    if actor_role in (OPERATOR, SYSTEM):
        return True
    if not actor_id:
        return False
    return CourseInstructor.objects.filter(course_id=course_id, user_id=actor_id).exists()


def require_teacher(*, course_id: int, actor_id: int | None, actor_role: str) -> None:
    if not is_teacher(course_id=course_id, actor_id=actor_id, actor_role=actor_role):
        raise NotATeacher(f"user {actor_id} ({actor_role}) does not teach course {course_id}")


def taught_course_ids(*, actor_id: int | None, actor_role: str) -> list[int] | None:
    """The ids of the courses this person teaches; None means every course (operators)."""
    if actor_role in (OPERATOR, SYSTEM):
        return None
    if not actor_id:
        return []
    return list(
        CourseInstructor.objects.filter(user_id=actor_id).values_list("course_id", flat=True)
    )


def may_create_course(*, actor_id: int | None, actor_role: str) -> bool:
    ids = taught_course_ids(actor_id=actor_id, actor_role=actor_role)
    return ids is None or bool(ids)


# --- helpers ---------------------------------------------------------------------------------


def _languages(value: str) -> tuple[str, ...]:
    return tuple(code for code in value.split(",") if code)


def _fallbacks(languages: str) -> tuple[str, ...]:
    """A reader whose language the course lacks (Chinese for an it/es/en course) gets its
    English text when there is one, else the course's first language."""
    return ("en", *_languages(languages))


def _course_by_slug(slug: str) -> Course:
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        raise CourseNotFound(f"no course {slug!r}")
    return course


def _places_taken(cohort_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        Enrolment.objects.filter(cohort_id__in=cohort_ids, status__in=TAKEN)
        .values("cohort_id")
        .annotate(n=Count("id"))
    )
    return {int(r["cohort_id"]): int(r["n"]) for r in rows}


def _cohort_cards(cohorts: Sequence[Cohort], course_slugs: Mapping[int, str]) -> list[CohortCard]:
    taken = _places_taken([c.id for c in cohorts])
    return [
        CohortCard(
            id=c.id,
            slug=c.slug,
            name=c.name,
            course_slug=course_slugs.get(c.course_id, ""),
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            languages=_languages(c.languages),
            capacity=c.capacity,
            places_taken=taken.get(c.id, 0),
        )
        for c in cohorts
    ]


def _course_card(
    course: Course, language: str, cohorts: Sequence[CohortCard], lessons: int
) -> CourseCard:
    fallbacks = _fallbacks(course.languages)
    return CourseCard(
        id=course.id,
        slug=course.slug,
        title=pick(course.title, language, fallbacks),
        summary_html=render(pick(course.summary, language, fallbacks)),
        languages=_languages(course.languages),
        published=course.published_at is not None,
        lessons=lessons,
        cohorts=tuple(cohorts),
    )


def _lesson_counts(course_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        Lesson.objects.filter(module__course_id__in=course_ids)
        .values("module__course_id")
        .annotate(n=Count("id"))
    )
    return {int(r["module__course_id"]): int(r["n"]) for r in rows}


def _outline(
    course: Course, language: str, done: set[int] | frozenset[int] = frozenset()
) -> tuple[ModuleItem, ...]:
    """The course's modules and lessons in order, titles in ``language``; two queries."""
    fallbacks = _fallbacks(course.languages)
    modules = list(Module.objects.filter(course_id=course.id).order_by("position"))
    lessons = (
        Lesson.objects.filter(module__course_id=course.id)
        .order_by("position")
        .only("id", "module_id", "position", "title", "minutes")
    )
    by_module: dict[int, list[LessonItem]] = {m.id: [] for m in modules}
    for lesson in lessons:
        by_module[lesson.module_id].append(
            LessonItem(
                id=lesson.id,
                module_id=lesson.module_id,
                position=lesson.position,
                title=pick(lesson.title, language, fallbacks),
                minutes=lesson.minutes,
                done=lesson.id in done,
            )
        )
    return tuple(
        ModuleItem(
            id=m.id,
            position=m.position,
            title=pick(m.title, language, fallbacks),
            lessons=tuple(by_module[m.id]),
        )
        for m in modules
    )


def _lesson_order(course_id: int) -> list[int]:
    """The course's lesson ids in reading order (module position, then lesson position)."""
    return list(
        Lesson.objects.filter(module__course_id=course_id)
        .order_by("module__position", "position")
        .values_list("id", flat=True)
    )


def _next_lesson(order: Sequence[int], done: set[int]) -> int | None:
    return next((lesson_id for lesson_id in order if lesson_id not in done), None)


def _done_ids(enrolment_ids: Sequence[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {e: set() for e in enrolment_ids}
    rows = LessonProgress.objects.filter(enrolment_id__in=enrolment_ids).values_list(
        "enrolment_id", "lesson_id"
    )
    for enrolment_id, lesson_id in rows:
        found[int(enrolment_id)].add(int(lesson_id))
    return found


def _enrolment_infos(enrolments: Sequence[Enrolment], language: str) -> list[EnrolmentInfo]:
    """Infos of enrolments loaded with ``select_related("cohort__course")``."""
    done = _done_ids([e.id for e in enrolments])
    orders: dict[int, list[int]] = {}
    infos = []
    for e in enrolments:
        course = e.cohort.course
        if course.id not in orders:
            orders[course.id] = _lesson_order(course.id)
        order = orders[course.id]
        mine = done[e.id] & set(order)
        infos.append(
            EnrolmentInfo(
                id=e.id,
                user_id=e.user_id,
                cohort_id=e.cohort_id,
                cohort_slug=e.cohort.slug,
                cohort_name=e.cohort.name,
                course_id=course.id,
                course_slug=course.slug,
                course_title=pick(
                    course.title, language or e.language, _fallbacks(course.languages)
                ),
                language=e.language,
                status=e.status,
                enrolled_at=e.enrolled_at,
                completed_at=e.completed_at,
                lessons_done=len(mine),
                lessons_total=len(order),
                next_lesson_id=_next_lesson(order, mine),
            )
        )
    return infos


def _clean_texts(texts: Mapping[str, Any] | None, *, max_length: int) -> dict[str, str]:
    """Per-language texts without blanks; unknown language codes and long texts refused."""
    cleaned: dict[str, str] = {}
    for code, value in (texts or {}).items():
        if code not in CONTENT_LANGUAGES:
            raise InvalidLanguages(f"unknown language {code!r}", known=", ".join(CONTENT_LANGUAGES))
        text = str(value or "").strip()
        if len(text) > max_length:
            raise TextTooLong(f"{code}: {len(text)} characters", max_length=max_length)
        if text:
            cleaned[code] = text
    return cleaned


def _title(texts: Mapping[str, Any] | None) -> dict[str, str]:
    cleaned = _clean_texts(texts, max_length=TITLE_MAX)
    if not cleaned:
        raise TitleRequired("no title in any language")
    return cleaned


def _check_slug(slug: str) -> str:
    slug = slug.strip()
    if not _SLUG.match(slug) or len(slug) > 80:
        raise InvalidSlug(f"bad slug {slug!r}")
    return slug


def _check_languages(value: str) -> str:
    codes = [c.strip().lower() for c in value.split(",") if c.strip()]
    text = ",".join(dict.fromkeys(codes))
    if not text or not _LANGUAGES.match(text) or any(c not in CONTENT_LANGUAGES for c in codes):
        raise InvalidLanguages(f"bad languages {value!r}", known=", ".join(CONTENT_LANGUAGES))
    return text


# --- selectors: learners ---------------------------------------------------------------------


def catalogue(*, language: str, today: date) -> list[CourseCard]:
    """The published courses in ``language`` (falling back to each course's own languages),
    each with its cohorts still open for enrolment (not yet ended), places left included."""
    courses = list(Course.objects.filter(published_at__isnull=False).order_by("slug"))
    ids = [c.id for c in courses]
    cohorts = list(
        Cohort.objects.filter(course_id__in=ids, ends_on__gte=today).order_by("starts_on", "slug")
    )
    slugs = {c.id: c.slug for c in courses}
    cards = _cohort_cards(cohorts, slugs)
    lessons = _lesson_counts(ids)
    return [
        _course_card(
            c, language, [k for k in cards if k.course_slug == c.slug], lessons.get(c.id, 0)
        )
        for c in courses
    ]


def course_get(
    *, slug: str, language: str, today: date, actor_id: int | None, actor_role: str
) -> CourseDetail:
    """A course page: its outline and its cohorts (open ones, or all for its teachers); an
    unpublished course is visible only to its teachers (404 to others)."""
    course = _course_by_slug(slug)
    teacher = is_teacher(course_id=course.id, actor_id=actor_id, actor_role=actor_role)
    if course.published_at is None and not teacher:
        raise CourseNotFound(f"course {slug!r} is not published")
    cohorts = Cohort.objects.filter(course_id=course.id).order_by("starts_on", "slug")
    if not teacher:
        cohorts = cohorts.filter(ends_on__gte=today)
    cards = _cohort_cards(list(cohorts), {course.id: course.slug})
    modules = _outline(course, language)
    lessons = sum(len(m.lessons) for m in modules)
    mine: dict[int, EnrolmentInfo] = {}
    if actor_id:
        rows = Enrolment.objects.filter(cohort__course_id=course.id, user_id=actor_id)
        for info in _enrolment_infos(list(rows.select_related("cohort__course")), language):
            mine[info.cohort_id] = info
    return CourseDetail(
        card=_course_card(course, language, cards, lessons),
        modules=modules,
        is_teacher=teacher,
        my_enrolments=mine,
    )


def enrolment_list_mine(*, user_id: int, language: str) -> list[EnrolmentInfo]:
    """The person's enrolments, newest first, with their progress."""
    rows = (
        Enrolment.objects.filter(user_id=user_id)
        .select_related("cohort__course")
        .order_by("-enrolled_at", "-id")
    )
    return _enrolment_infos(list(rows), language)


def _own_enrolment(enrolment_id: int, actor_id: int | None) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(pk=enrolment_id, user_id=actor_id or 0)
        .select_related("cohort__course")
        .first()
    )
    if enrolment is None:
        raise EnrolmentNotFound(f"enrolment {enrolment_id} is not user {actor_id}'s")
    return enrolment


def enrolment_get(
    *, enrolment_id: int, language: str, actor_id: int | None, actor_role: str
) -> EnrolmentInfo:
    """One enrolment with its progress: for its learner and the course's teachers (others:
    404, as if it did not exist)."""
    enrolment = Enrolment.objects.filter(pk=enrolment_id).select_related("cohort__course").first()
    if enrolment is None or (
        enrolment.user_id != actor_id
        and not is_teacher(
            course_id=enrolment.cohort.course_id, actor_id=actor_id, actor_role=actor_role
        )
    ):
        raise EnrolmentNotFound(f"enrolment {enrolment_id} not visible to {actor_id}")
    return _enrolment_infos([enrolment], language)[0]


def enrolment_for_cohort(*, cohort_slug: str, user_id: int) -> int | None:
    """The id of the person's enrolment in this cohort (any status), if any."""
    return (
        Enrolment.objects.filter(cohort__slug=cohort_slug, user_id=user_id)
        .values_list("id", flat=True)
        .first()
    )


def lesson_view(*, enrolment_id: int, lesson_id: int | None, actor_id: int | None) -> LessonView:
    """The course player: the outline with what is done, one lesson rendered in the
    enrolment's language (the next one not done when ``lesson_id`` is None), and the
    previous and next lessons. Only the enrolment's own learner (others: 404)."""
    enrolment = _own_enrolment(enrolment_id, actor_id)
    info = _enrolment_infos([enrolment], enrolment.language)[0]
    course = enrolment.cohort.course
    done = _done_ids([enrolment.id])[enrolment.id]
    modules = _outline(course, enrolment.language, done)
    order = [lesson.id for m in modules for lesson in m.lessons]
    if not order:
        raise LessonNotFound(f"course {course.slug} has no lessons")
    wanted = lesson_id if lesson_id is not None else (info.next_lesson_id or order[0])
    if wanted not in order:
        raise LessonNotFound(f"lesson {lesson_id} is not in course {course.slug}")
    lesson = Lesson.objects.get(pk=wanted)
    item = next(i for m in modules for i in m.lessons if i.id == wanted)
    module_title = next(m.title for m in modules if m.id == item.module_id)
    at = order.index(wanted)
    return LessonView(
        enrolment=info,
        modules=modules,
        lesson=item,
        module_title=module_title,
        body_html=render(pick(lesson.body, enrolment.language, _fallbacks(course.languages))),
        previous_id=order[at - 1] if at > 0 else None,
        next_id=order[at + 1] if at + 1 < len(order) else None,
    )


def cohort_get(*, slug: str) -> CohortCard:
    cohort = Cohort.objects.filter(slug=slug).select_related("course").first()
    if cohort is None:
        raise CohortNotFound(f"no cohort {slug!r}")
    return _cohort_cards([cohort], {cohort.course_id: cohort.course.slug})[0]


# --- selectors: teachers ---------------------------------------------------------------------


def courses_taught(*, language: str, actor_id: int | None, actor_role: str) -> list[CourseCard]:
    """The courses this person teaches (all for operators), drafts included."""
    ids = taught_course_ids(actor_id=actor_id, actor_role=actor_role)
    courses = Course.objects.order_by("slug")
    if ids is not None:
        courses = courses.filter(pk__in=ids)
    found = list(courses)
    cohorts = list(Cohort.objects.filter(course_id__in=[c.id for c in found]))
    slugs = {c.id: c.slug for c in found}
    cards = _cohort_cards(cohorts, slugs)
    lessons = _lesson_counts([c.id for c in found])
    return [
        _course_card(
            c, language, [k for k in cards if k.course_slug == c.slug], lessons.get(c.id, 0)
        )
        for c in found
    ]


def course_edit_get(*, slug: str, actor_id: int | None, actor_role: str) -> CourseEdit:
    """The course with all its texts, for its teachers (others 403)."""
    course = _course_by_slug(slug)
    require_teacher(course_id=course.id, actor_id=actor_id, actor_role=actor_role)
    modules = list(Module.objects.filter(course_id=course.id).order_by("position"))
    lessons = Lesson.objects.filter(module__course_id=course.id).order_by("position")
    by_module: dict[int, list[LessonEdit]] = {m.id: [] for m in modules}
    for lesson in lessons:
        by_module[lesson.module_id].append(
            LessonEdit(
                id=lesson.id,
                module_id=lesson.module_id,
                position=lesson.position,
                title=dict(lesson.title or {}),
                body=dict(lesson.body or {}),
                minutes=lesson.minutes,
            )
        )
    cohorts = list(Cohort.objects.filter(course_id=course.id).order_by("starts_on", "slug"))
    return CourseEdit(
        id=course.id,
        slug=course.slug,
        title=dict(course.title or {}),
        summary=dict(course.summary or {}),
        languages=_languages(course.languages),
        published_at=course.published_at,
        modules=tuple(
            ModuleEdit(
                id=m.id,
                position=m.position,
                title=dict(m.title or {}),
                lessons=tuple(by_module[m.id]),
            )
            for m in modules
        ),
        cohorts=tuple(_cohort_cards(cohorts, {course.id: course.slug})),
        instructor_ids=tuple(
            CourseInstructor.objects.filter(course_id=course.id).values_list("user_id", flat=True)
        ),
    )


def lesson_edit_get(*, lesson_id: int, actor_id: int | None, actor_role: str) -> LessonEdit:
    lesson = Lesson.objects.filter(pk=lesson_id).select_related("module").first()
    if lesson is None:
        raise LessonNotFound(f"no lesson {lesson_id}")
    require_teacher(course_id=lesson.module.course_id, actor_id=actor_id, actor_role=actor_role)
    return LessonEdit(
        id=lesson.id,
        module_id=lesson.module_id,
        position=lesson.position,
        title=dict(lesson.title or {}),
        body=dict(lesson.body or {}),
        minutes=lesson.minutes,
    )


def cohort_enrolments(
    *, cohort_slug: str, language: str, actor_id: int | None, actor_role: str
) -> list[EnrolmentInfo]:
    """Everyone enrolled in a cohort with their progress (the course's teachers only)."""
    cohort = Cohort.objects.filter(slug=cohort_slug).first()
    if cohort is None:
        raise CohortNotFound(f"no cohort {cohort_slug!r}")
    require_teacher(course_id=cohort.course_id, actor_id=actor_id, actor_role=actor_role)
    rows = Enrolment.objects.filter(cohort_id=cohort.id).select_related("cohort__course")
    return _enrolment_infos(list(rows.order_by("enrolled_at", "id")), language)


def markdown_preview(*, text: str) -> SafeString:
    """What a lesson's Markdown looks like to learners (for the teachers' preview)."""
    return render(text[:BODY_MAX])


# --- services: building courses --------------------------------------------------------------


def course_create(
    *,
    slug: str,
    title: Mapping[str, str],
    summary: Mapping[str, str] | None = None,
    languages: str,
    actor_id: int | None,
    actor_role: str,
    now: datetime,
) -> CourseEdit:
    """A new, unpublished course; its creator (unless an operator) becomes its instructor."""
    if not may_create_course(actor_id=actor_id, actor_role=actor_role):
        raise CannotCreateCourse(f"user {actor_id} ({actor_role}) may not create courses")
    slug = _check_slug(slug)
    fields = {
        "title": _title(title),
        "summary": _clean_texts(summary, max_length=BODY_MAX),
        "languages": _check_languages(languages),
    }
    try:
        with transaction.atomic():
            course = Course.objects.create(
                slug=slug, created_by_id=actor_id, created_at=now, **fields
            )
            if actor_id and actor_role not in (OPERATOR, SYSTEM):
                CourseInstructor.objects.create(course=course, user_id=actor_id, added_at=now)
    except IntegrityError:
        raise CourseSlugTaken(f"slug {slug!r} is taken") from None
    return course_edit_get(slug=slug, actor_id=actor_id, actor_role=actor_role)


def course_update(
    *,
    slug: str,
    title: Mapping[str, str] | None = None,
    summary: Mapping[str, str] | None = None,
    languages: str | None = None,
    actor_id: int | None,
    actor_role: str,
) -> CourseEdit:
    """Change a course's texts or languages (what is given; None keeps it)."""
    with transaction.atomic():
        course = _course_by_slug(slug)
        require_teacher(course_id=course.id, actor_id=actor_id, actor_role=actor_role)
        if title is not None:
            course.title = _title(title)
        if summary is not None:
            course.summary = _clean_texts(summary, max_length=BODY_MAX)
        if languages is not None:
            course.languages = _check_languages(languages)
        course.save(update_fields=["title", "summary", "languages"])
    return course_edit_get(slug=slug, actor_id=actor_id, actor_role=actor_role)


def course_publish(
    *, slug: str, published: bool, actor_id: int | None, actor_role: str, now: datetime
) -> CourseEdit:
    """Publish (shown in the catalogue) or withdraw to draft; publishing twice keeps the
    first date."""
    with transaction.atomic():
        course = _course_by_slug(slug)
        require_teacher(course_id=course.id, actor_id=actor_id, actor_role=actor_role)
        if published and course.published_at is None:
            course.published_at = now
        elif not published:
            course.published_at = None
        course.save(update_fields=["published_at"])
    return course_edit_get(slug=slug, actor_id=actor_id, actor_role=actor_role)


def instructor_add(
    *, slug: str, user_id: int, actor_id: int | None, actor_role: str, now: datetime
) -> CourseEdit:
    """Make a person a teacher of the course (idempotent)."""
    with transaction.atomic():
        course = _course_by_slug(slug)
        require_teacher(course_id=course.id, actor_id=actor_id, actor_role=actor_role)
        CourseInstructor.objects.get_or_create(
            course=course, user_id=user_id, defaults={"added_at": now}
        )
    return course_edit_get(slug=slug, actor_id=actor_id, actor_role=actor_role)


def module_add(
    *, slug: str, title: Mapping[str, str], actor_id: int | None, actor_role: str
) -> ModuleEdit:
    """A module at the end of the course."""
    with transaction.atomic():
        course = _course_by_slug(slug)
        require_teacher(course_id=course.id, actor_id=actor_id, actor_role=actor_role)
        last = Module.objects.filter(course_id=course.id).aggregate(m=Max("position"))["m"] or 0
        module = Module.objects.create(course=course, position=last + 1, title=_title(title))
    return ModuleEdit(id=module.id, position=module.position, title=module.title, lessons=())


def _module_for_teacher(module_id: int, actor_id: int | None, actor_role: str) -> Module:
    module = Module.objects.filter(pk=module_id).first()
    if module is None:
        raise ModuleNotFound(f"no module {module_id}")
    require_teacher(course_id=module.course_id, actor_id=actor_id, actor_role=actor_role)
    return module


def _lesson_for_teacher(lesson_id: int, actor_id: int | None, actor_role: str) -> Lesson:
    lesson = Lesson.objects.filter(pk=lesson_id).select_related("module").first()
    if lesson is None:
        raise LessonNotFound(f"no lesson {lesson_id}")
    require_teacher(course_id=lesson.module.course_id, actor_id=actor_id, actor_role=actor_role)
    return lesson


def module_update(
    *, module_id: int, title: Mapping[str, str], actor_id: int | None, actor_role: str
) -> ModuleEdit:
    with transaction.atomic():
        module = _module_for_teacher(module_id, actor_id, actor_role)
        module.title = _title(title)
        module.save(update_fields=["title"])
    return ModuleEdit(id=module.id, position=module.position, title=module.title, lessons=())


def _swap(model: type[Module] | type[Lesson], row: Any, neighbour: Any) -> None:
    """Swap two rows' positions through a free one (the positions are unique per parent)."""
    first, second = row.position, neighbour.position
    model.objects.filter(pk=row.pk).update(position=32_000)
    model.objects.filter(pk=neighbour.pk).update(position=first)
    model.objects.filter(pk=row.pk).update(position=second)


def module_move(*, module_id: int, direction: str, actor_id: int | None, actor_role: str) -> None:
    """Move a module one place up or down (at either end: nothing changes)."""
    if direction not in ("up", "down"):
        raise InvalidMove(f"direction {direction!r}")
    with transaction.atomic():
        module = _module_for_teacher(module_id, actor_id, actor_role)
        siblings = Module.objects.select_for_update().filter(course_id=module.course_id)
        neighbour = (
            siblings.filter(position__lt=module.position).order_by("-position").first()
            if direction == "up"
            else siblings.filter(position__gt=module.position).order_by("position").first()
        )
        if neighbour is not None:
            _swap(Module, module, neighbour)


def lesson_add(
    *,
    module_id: int,
    title: Mapping[str, str],
    body: Mapping[str, str] | None = None,
    minutes: int = 10,
    actor_id: int | None,
    actor_role: str,
) -> LessonEdit:
    """A lesson at the end of the module."""
    with transaction.atomic():
        module = _module_for_teacher(module_id, actor_id, actor_role)
        last = Lesson.objects.filter(module_id=module.id).aggregate(m=Max("position"))["m"] or 0
        lesson = Lesson.objects.create(
            module=module,
            position=last + 1,
            title=_title(title),
            body=_clean_texts(body, max_length=BODY_MAX),
            minutes=_minutes(minutes),
        )
    return lesson_edit_get(lesson_id=lesson.id, actor_id=actor_id, actor_role=actor_role)


def _minutes(minutes: int) -> int:
    if not 1 <= minutes <= 600:
        raise InvalidInput(
            f"minutes {minutes}",
            message=_("The study time must be from 1 to 600 minutes."),
        )
    return minutes


def lesson_update(
    *,
    lesson_id: int,
    title: Mapping[str, str] | None = None,
    body: Mapping[str, str] | None = None,
    minutes: int | None = None,
    actor_id: int | None,
    actor_role: str,
) -> LessonEdit:
    with transaction.atomic():
        lesson = _lesson_for_teacher(lesson_id, actor_id, actor_role)
        if title is not None:
            lesson.title = _title(title)
        if body is not None:
            lesson.body = _clean_texts(body, max_length=BODY_MAX)
        if minutes is not None:
            lesson.minutes = _minutes(minutes)
        lesson.save(update_fields=["title", "body", "minutes"])
    return lesson_edit_get(lesson_id=lesson_id, actor_id=actor_id, actor_role=actor_role)


def lesson_move(*, lesson_id: int, direction: str, actor_id: int | None, actor_role: str) -> None:
    """Move a lesson one place up or down inside its module."""
    if direction not in ("up", "down"):
        raise InvalidMove(f"direction {direction!r}")
    with transaction.atomic():
        lesson = _lesson_for_teacher(lesson_id, actor_id, actor_role)
        siblings = Lesson.objects.select_for_update().filter(module_id=lesson.module_id)
        neighbour = (
            siblings.filter(position__lt=lesson.position).order_by("-position").first()
            if direction == "up"
            else siblings.filter(position__gt=lesson.position).order_by("position").first()
        )
        if neighbour is not None:
            _swap(Lesson, lesson, neighbour)


def cohort_create(
    *,
    course_slug: str,
    slug: str,
    name: str,
    starts_on: date,
    ends_on: date,
    languages: str,
    capacity: int,
    actor_id: int | None,
    actor_role: str,
    now: datetime,
) -> CohortCard:
    """A new run of the course, taught in ``languages`` (a subset is not enforced: a cohort
    may be taught in a language whose content falls back to another)."""
    slug = _check_slug(slug)
    name = name.strip()
    if not name or len(name) > 160:
        raise TitleRequired(f"cohort name {name!r}")
    if ends_on < starts_on:
        raise InvalidCohortDates(f"{starts_on} > {ends_on}")
    if not 1 <= capacity <= 100_000:
        raise InvalidCapacity(f"capacity {capacity}")
    codes = _check_languages(languages)
    course = _course_by_slug(course_slug)
    require_teacher(course_id=course.id, actor_id=actor_id, actor_role=actor_role)
    try:
        with transaction.atomic():
            Cohort.objects.create(
                course=course,
                slug=slug,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                languages=codes,
                capacity=capacity,
                created_at=now,
            )
    except IntegrityError:
        raise CohortSlugTaken(f"cohort slug {slug!r} is taken") from None
    return cohort_get(slug=slug)


# --- services: learning ----------------------------------------------------------------------


def enrol(
    *, cohort_slug: str, language: str, user_id: int, actor_role: str, now: datetime
) -> EnrolmentInfo:
    """Enrol the person in the cohort, studying in ``language`` (one of the cohort's).

    Holds the cohort's row lock while counting the places taken (active and completed
    enrolments), so concurrent enrolments never exceed the capacity: the one over it gets
    ``CohortFull`` (409). Enrolling again while enrolled is ``AlreadyEnrolled`` (409); a
    withdrawn enrolment is reactivated (its progress kept). The course must be published
    and the cohort not ended (``now``'s date in the server's time zone)."""
    del actor_role  # anyone signed in may enrol, whatever their role
    with transaction.atomic():
        cohort = (
            Cohort.objects.select_for_update()
            .filter(slug=cohort_slug)
            .select_related("course")
            .first()
        )
        if cohort is None or cohort.course.published_at is None:
            raise CohortNotFound(f"no open cohort {cohort_slug!r}")
        offered = _languages(cohort.languages)
        if language not in offered:
            raise LanguageNotOffered(
                f"{language!r} not in {offered}", cohort=cohort.name, languages=", ".join(offered)
            )
        if cohort.ends_on < _local_date(now):
            raise EnrolmentClosed(
                f"cohort ended {cohort.ends_on}",
                cohort=cohort.name,
                ends_on=cohort.ends_on.isoformat(),
            )
        existing = Enrolment.objects.filter(cohort_id=cohort.id, user_id=user_id).first()
        if existing is not None and existing.status in TAKEN:
            raise AlreadyEnrolled(f"user {user_id} in {cohort.slug}", cohort=cohort.name)
        taken = Enrolment.objects.filter(cohort_id=cohort.id, status__in=TAKEN).count()
        if taken >= cohort.capacity:
            raise CohortFull(
                f"{taken}/{cohort.capacity} taken", cohort=cohort.name, capacity=cohort.capacity
            )
        if existing is not None:
            existing.status = EnrolmentStatus.ACTIVE
            existing.language = language
            existing.enrolled_at = now
            existing.completed_at = None
            existing.save(update_fields=["status", "language", "enrolled_at", "completed_at"])
            enrolment = existing
        else:
            enrolment = Enrolment.objects.create(
                cohort=cohort, user_id=user_id, language=language, enrolled_at=now
            )
        enrolment.cohort = cohort
        events.EnrolmentCreated(
            enrolment_id=enrolment.pk,
            cohort_id=cohort.pk,
            course_id=cohort.course_id,
            user_id=user_id,
            language=language,
            reactivated=existing is not None,
            enrolled_at=now.isoformat(),
        ).publish(now=now)
    return _enrolment_infos([enrolment], language)[0]


def _local_date(now: datetime) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def enrolment_withdraw(*, enrolment_id: int, actor_id: int | None, now: datetime) -> EnrolmentInfo:
    """The learner leaves the cohort (their place is freed; progress is kept). Idempotent."""
    del now
    with transaction.atomic():
        enrolment = _own_enrolment(enrolment_id, actor_id)
        if enrolment.status != EnrolmentStatus.WITHDRAWN:
            enrolment.status = EnrolmentStatus.WITHDRAWN
            enrolment.save(update_fields=["status"])
    return _enrolment_infos([enrolment], enrolment.language)[0]


def lesson_complete(
    *, enrolment_id: int, lesson_id: int, actor_id: int | None, now: datetime
) -> ProgressInfo:
    """Mark a lesson of the enrolment's course as done (idempotent: the first time counts).
    When every lesson is done, the enrolment is completed (``completed_at`` = ``now``)."""
    with transaction.atomic():
        enrolment = _own_enrolment(enrolment_id, actor_id)
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            raise EnrolmentNotActive(f"enrolment {enrolment_id} is withdrawn")
        order = _lesson_order(enrolment.cohort.course_id)
        if lesson_id not in order:
            raise LessonNotFound(f"lesson {lesson_id} not in course {enrolment.cohort.course_id}")
        LessonProgress.objects.get_or_create(
            enrolment_id=enrolment.id, lesson_id=lesson_id, defaults={"completed_at": now}
        )
        done = _done_ids([enrolment.id])[enrolment.id] & set(order)
        if len(done) == len(order) and enrolment.completed_at is None:
            enrolment.completed_at = now
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.save(update_fields=["completed_at", "status"])
    return ProgressInfo(
        enrolment_id=enrolment.id,
        lesson_id=lesson_id,
        lessons_done=len(done),
        lessons_total=len(order),
        completed_at=enrolment.completed_at,
        next_lesson_id=_next_lesson(order, done),
    )


def enrolment_ids_in_cohort(*, cohort_slug: str) -> list[int]:
    """The ids of the enrolments (any status) of a cohort, oldest first: for other features'
    loaders (the demo's exams) and tools."""
    return list(
        Enrolment.objects.filter(cohort__slug=cohort_slug)
        .order_by("enrolled_at", "id")
        .values_list("id", flat=True)
    )


def active_cohort_ids_of(*, user_id: int) -> set[int]:
    return set(
        Enrolment.objects.filter(user_id=user_id, status__in=TAKEN).values_list(
            "cohort_id", flat=True
        )
    )


def enrolled_in_course(*, course_id: int, user_id: int, cohort_id: int | None = None) -> bool:
    """True when the person holds a place (active or completed) in the cohort, or in any
    cohort of the course when ``cohort_id`` is None."""
    rows = Enrolment.objects.filter(user_id=user_id, status__in=TAKEN, cohort__course_id=course_id)
    if cohort_id is not None:
        rows = rows.filter(cohort_id=cohort_id)
    return rows.exists()
