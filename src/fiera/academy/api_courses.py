"""The academy's courses, cohorts, enrolments, progress and workshops over HTTP.

Everyone signed in reads the catalogue, enrols and follows their own enrolments (another
person's enrolment answers 404); the course's teachers (operators and its instructors)
build the course, open cohorts, schedule workshops and record attendance (others 403).
Texts are per language: ``{"it": "...", "es": "...", "en": "..."}``.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from fiera.academy import courses as c
from fiera.academy import workshops as w
from fiera.common.schemas import BodyId, ErrorOut, ObjectIn, ParamId

router = Router(tags=["academy"])

DENIALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE = {400: ErrorOut, **DENIALS, 409: ErrorOut}
Slug = Annotated[str, Field(min_length=1, max_length=80)]
# One text per content language (at most as many as there are), each within the service's
# limit: the largest valid body stays under the request-size limit (DATA_UPLOAD_MAX_MEMORY_SIZE).
Texts = Annotated[
    dict[
        Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)?$", max_length=7)],
        Annotated[str, Field(max_length=c.BODY_MAX)],
    ],
    Field(max_length=len(c.CONTENT_LANGUAGES)),
]
Capacity = Annotated[int, Field(strict=True, ge=1, le=100_000)]
Minutes = Annotated[int, Field(strict=True, ge=1, le=600)]


def _who(request: HttpRequest) -> tuple[int, str]:
    user = request.auth  # type: ignore[attr-defined]
    return int(user.pk), str(user.role)


def _language() -> str:
    return (get_language() or "en").lower()


# --- schemas ---------------------------------------------------------------------------------


class CohortOut(Schema):
    id: int
    slug: str
    name: str
    course_slug: str
    starts_on: date
    ends_on: date
    languages: list[str]
    capacity: int
    places_left: int

    @staticmethod
    def of(card: c.CohortCard) -> "CohortOut":
        return CohortOut(
            id=card.id,
            slug=card.slug,
            name=card.name,
            course_slug=card.course_slug,
            starts_on=card.starts_on,
            ends_on=card.ends_on,
            languages=list(card.languages),
            capacity=card.capacity,
            places_left=card.places_left,
        )


class CourseCardOut(Schema):
    id: int
    slug: str
    title: str
    summary_html: str
    languages: list[str]
    published: bool
    lessons: int
    cohorts: list[CohortOut]

    @staticmethod
    def of(card: c.CourseCard) -> "CourseCardOut":
        return CourseCardOut(
            id=card.id,
            slug=card.slug,
            title=card.title,
            summary_html=str(card.summary_html),
            languages=list(card.languages),
            published=card.published,
            lessons=card.lessons,
            cohorts=[CohortOut.of(k) for k in card.cohorts],
        )


class LessonEditOut(Schema):
    id: int
    module_id: int
    position: int
    title: dict[str, str]
    body: dict[str, str]
    minutes: int

    @staticmethod
    def of(lesson: c.LessonEdit) -> "LessonEditOut":
        return LessonEditOut(**lesson.__dict__)


class ModuleEditOut(Schema):
    id: int
    position: int
    title: dict[str, str]
    lessons: list[LessonEditOut]

    @staticmethod
    def of(module: c.ModuleEdit) -> "ModuleEditOut":
        return ModuleEditOut(
            id=module.id,
            position=module.position,
            title=module.title,
            lessons=[LessonEditOut.of(x) for x in module.lessons],
        )


class CourseEditOut(Schema):
    id: int
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    languages: list[str]
    published_at: datetime | None
    modules: list[ModuleEditOut]
    cohorts: list[CohortOut]
    instructor_ids: list[int]

    @staticmethod
    def of(course: c.CourseEdit) -> "CourseEditOut":
        return CourseEditOut(
            id=course.id,
            slug=course.slug,
            title=course.title,
            summary=course.summary,
            languages=list(course.languages),
            published_at=course.published_at,
            modules=[ModuleEditOut.of(m) for m in course.modules],
            cohorts=[CohortOut.of(k) for k in course.cohorts],
            instructor_ids=list(course.instructor_ids),
        )


class CourseIn(ObjectIn):
    slug: Slug
    title: Texts
    summary: Texts = {}
    languages: Annotated[str, Field(min_length=2, max_length=40)]


class CoursePatch(ObjectIn):
    title: Texts | None = None
    summary: Texts | None = None
    languages: Annotated[str, Field(min_length=2, max_length=40)] | None = None


class PublishIn(ObjectIn):
    published: bool


class InstructorIn(ObjectIn):
    user_id: BodyId


class ModuleIn(ObjectIn):
    title: Texts


class MoveIn(ObjectIn):
    direction: Literal["up", "down"]


class LessonIn(ObjectIn):
    title: Texts
    body: Texts = {}
    minutes: Minutes = 10


class LessonPatch(ObjectIn):
    title: Texts | None = None
    body: Texts | None = None
    minutes: Minutes | None = None


class CohortIn(ObjectIn):
    slug: Slug
    name: Annotated[str, Field(min_length=1, max_length=160)]
    starts_on: date
    ends_on: date
    languages: Annotated[str, Field(min_length=2, max_length=40)]
    capacity: Capacity


class EnrolIn(ObjectIn):
    language: Annotated[str, Field(min_length=2, max_length=7)]


class EnrolmentOut(Schema):
    id: int
    user_id: int
    cohort_slug: str
    cohort_name: str
    course_slug: str
    course_title: str
    language: str
    status: str
    enrolled_at: datetime
    completed_at: datetime | None
    lessons_done: int
    lessons_total: int
    percent: int
    next_lesson_id: int | None

    @staticmethod
    def of(e: c.EnrolmentInfo) -> "EnrolmentOut":
        return EnrolmentOut(
            id=e.id,
            user_id=e.user_id,
            cohort_slug=e.cohort_slug,
            cohort_name=e.cohort_name,
            course_slug=e.course_slug,
            course_title=e.course_title,
            language=e.language,
            status=e.status,
            enrolled_at=e.enrolled_at,
            completed_at=e.completed_at,
            lessons_done=e.lessons_done,
            lessons_total=e.lessons_total,
            percent=e.percent,
            next_lesson_id=e.next_lesson_id,
        )


class ProgressOut(Schema):
    enrolment_id: int
    lesson_id: int
    lessons_done: int
    lessons_total: int
    percent: int
    completed_at: datetime | None
    next_lesson_id: int | None


class LessonReadOut(Schema):
    id: int
    title: str
    module_title: str
    body_html: str
    done: bool
    previous_id: int | None
    next_id: int | None
    percent: int


class PreviewIn(ObjectIn):
    markdown: Annotated[str, Field(max_length=100_000)]


class PreviewOut(Schema):
    html: str


class WorkshopIn(ObjectIn):
    cohort_slug: Annotated[str, Field(max_length=80)] | None = None
    title: Texts
    description: Texts = {}
    starts_at: datetime
    duration_minutes: Minutes = 60
    time_zone: Annotated[str, Field(min_length=1, max_length=64)]
    capacity: Annotated[int, Field(strict=True, ge=1, le=10_000)]
    location: Annotated[str, Field(max_length=200)] = ""
    online_link: Annotated[str, Field(max_length=300)] = ""


class WorkshopPlaceOut(Schema):
    status: str
    waitlist_rank: int | None
    attended: bool


class WorkshopOut(Schema):
    id: int
    course_slug: str
    cohort_name: str
    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    local_starts_at: str
    duration_minutes: int
    capacity: int
    registered: int
    waitlisted: int
    seats_left: int
    location: str
    online_link: str
    mine: WorkshopPlaceOut | None

    @staticmethod
    def of(info: w.WorkshopInfo) -> "WorkshopOut":
        return WorkshopOut(
            id=info.id,
            course_slug=info.course_slug,
            cohort_name=info.cohort_name,
            title=info.title,
            starts_at=info.starts_at,
            ends_at=info.ends_at,
            time_zone=info.time_zone,
            local_starts_at=info.local_starts_at.isoformat(),
            duration_minutes=info.duration_minutes,
            capacity=info.capacity,
            registered=info.registered,
            waitlisted=info.waitlisted,
            seats_left=info.seats_left,
            location=info.location,
            online_link=info.online_link,
            mine=WorkshopPlaceOut(**info.mine.__dict__) if info.mine else None,
        )


class RegistrationOut(Schema):
    id: int
    workshop_id: int
    user_id: int
    status: str
    waitlist_rank: int | None
    registered_at: datetime
    attended_at: datetime | None

    @staticmethod
    def of(r: w.RegistrationInfo) -> "RegistrationOut":
        return RegistrationOut(**r.__dict__)


class AttendanceIn(ObjectIn):
    user_id: BodyId
    attended: bool


# --- catalogue and courses -------------------------------------------------------------------


@router.get("/courses", response={200: list[CourseCardOut], 401: ErrorOut})
def academy_course_list(request: HttpRequest) -> list[CourseCardOut]:
    """The published courses in the request's language, with the cohorts open to enrol."""
    cards = c.catalogue(language=_language(), today=timezone.localdate())
    return [CourseCardOut.of(card) for card in cards]


@router.get("/courses/{slug}", response={200: CourseEditOut, **DENIALS})
def academy_course_get(request: HttpRequest, slug: Slug) -> CourseEditOut:
    """A course with every language's texts, its modules, lessons and cohorts (teachers)."""
    actor_id, role = _who(request)
    return CourseEditOut.of(c.course_edit_get(slug=slug, actor_id=actor_id, actor_role=role))


@router.post("/courses", response={201: CourseEditOut, **WRITE})
def academy_course_create(request: HttpRequest, payload: CourseIn) -> Status[CourseEditOut]:
    """A draft course (operators and teachers of a course; the creator teaches it)."""
    actor_id, role = _who(request)
    course = c.course_create(
        **payload.dict(), actor_id=actor_id, actor_role=role, now=timezone.now()
    )
    return Status(201, CourseEditOut.of(course))


@router.patch("/courses/{slug}", response={200: CourseEditOut, **WRITE})
def academy_course_update(request: HttpRequest, slug: Slug, payload: CoursePatch) -> CourseEditOut:
    actor_id, role = _who(request)
    return CourseEditOut.of(
        c.course_update(slug=slug, **payload.dict(), actor_id=actor_id, actor_role=role)
    )


@router.post("/courses/{slug}/publish", response={200: CourseEditOut, **WRITE})
def academy_course_publish(request: HttpRequest, slug: Slug, payload: PublishIn) -> CourseEditOut:
    """Publish the course (shown in the catalogue) or take it back to draft."""
    actor_id, role = _who(request)
    return CourseEditOut.of(
        c.course_publish(
            slug=slug,
            published=payload.published,
            actor_id=actor_id,
            actor_role=role,
            now=timezone.now(),
        )
    )


@router.post("/courses/{slug}/instructors", response={200: CourseEditOut, **WRITE})
def academy_instructor_add(
    request: HttpRequest, slug: Slug, payload: InstructorIn
) -> CourseEditOut:
    actor_id, role = _who(request)
    return CourseEditOut.of(
        c.instructor_add(
            slug=slug,
            user_id=payload.user_id,
            actor_id=actor_id,
            actor_role=role,
            now=timezone.now(),
        )
    )


@router.post("/courses/{slug}/modules", response={201: ModuleEditOut, **WRITE})
def academy_module_add(
    request: HttpRequest, slug: Slug, payload: ModuleIn
) -> Status[ModuleEditOut]:
    """A module at the end of the course."""
    actor_id, role = _who(request)
    module = c.module_add(slug=slug, title=payload.title, actor_id=actor_id, actor_role=role)
    return Status(201, ModuleEditOut.of(module))


@router.patch("/modules/{module_id}", response={200: ModuleEditOut, **WRITE})
def academy_module_update(
    request: HttpRequest, module_id: ParamId, payload: ModuleIn
) -> ModuleEditOut:
    actor_id, role = _who(request)
    return ModuleEditOut.of(
        c.module_update(
            module_id=module_id, title=payload.title, actor_id=actor_id, actor_role=role
        )
    )


@router.post("/modules/{module_id}/move", response={204: None, **WRITE})
def academy_module_move(request: HttpRequest, module_id: ParamId, payload: MoveIn) -> Status[None]:
    """Move a module one place up or down."""
    actor_id, role = _who(request)
    c.module_move(
        module_id=module_id, direction=payload.direction, actor_id=actor_id, actor_role=role
    )
    return Status(204, None)


@router.post("/modules/{module_id}/lessons", response={201: LessonEditOut, **WRITE})
def academy_lesson_add(
    request: HttpRequest, module_id: ParamId, payload: LessonIn
) -> Status[LessonEditOut]:
    """A lesson (Markdown per language) at the end of the module."""
    actor_id, role = _who(request)
    lesson = c.lesson_add(module_id=module_id, **payload.dict(), actor_id=actor_id, actor_role=role)
    return Status(201, LessonEditOut.of(lesson))


@router.patch("/lessons/{lesson_id}", response={200: LessonEditOut, **WRITE})
def academy_lesson_update(
    request: HttpRequest, lesson_id: ParamId, payload: LessonPatch
) -> LessonEditOut:
    actor_id, role = _who(request)
    return LessonEditOut.of(
        c.lesson_update(lesson_id=lesson_id, **payload.dict(), actor_id=actor_id, actor_role=role)
    )


@router.post("/lessons/{lesson_id}/move", response={204: None, **WRITE})
def academy_lesson_move(request: HttpRequest, lesson_id: ParamId, payload: MoveIn) -> Status[None]:
    actor_id, role = _who(request)
    c.lesson_move(
        lesson_id=lesson_id, direction=payload.direction, actor_id=actor_id, actor_role=role
    )
    return Status(204, None)


@router.post(
    "/markdown-preview", response={200: PreviewOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut}
)
def academy_markdown_preview(request: HttpRequest, payload: PreviewIn) -> PreviewOut:
    """The Markdown as learners will see it (safe HTML)."""
    return PreviewOut(html=str(c.markdown_preview(text=payload.markdown)))


# --- cohorts and enrolments ------------------------------------------------------------------


@router.post("/courses/{slug}/cohorts", response={201: CohortOut, **WRITE})
def academy_cohort_create(request: HttpRequest, slug: Slug, payload: CohortIn) -> Status[CohortOut]:
    """A new run of the course (teachers)."""
    actor_id, role = _who(request)
    card = c.cohort_create(
        course_slug=slug, **payload.dict(), actor_id=actor_id, actor_role=role, now=timezone.now()
    )
    return Status(201, CohortOut.of(card))


@router.get("/cohorts/{slug}", response={200: CohortOut, **DENIALS})
def academy_cohort_get(request: HttpRequest, slug: Slug) -> CohortOut:
    return CohortOut.of(c.cohort_get(slug=slug))


@router.get("/cohorts/{slug}/enrolments", response={200: list[EnrolmentOut], **DENIALS})
def academy_cohort_enrolments(request: HttpRequest, slug: Slug) -> list[EnrolmentOut]:
    """Everyone in the cohort with their progress (the course's teachers)."""
    actor_id, role = _who(request)
    rows = c.cohort_enrolments(
        cohort_slug=slug, language=_language(), actor_id=actor_id, actor_role=role
    )
    return [EnrolmentOut.of(e) for e in rows]


@router.post("/cohorts/{slug}/enrolments", response={201: EnrolmentOut, **WRITE})
def academy_enrol(request: HttpRequest, slug: Slug, payload: EnrolIn) -> Status[EnrolmentOut]:
    """Enrol yourself, studying in one of the cohort's languages. A full cohort answers 409
    cohort_full; enrolling twice 409 already_enrolled."""
    actor_id, role = _who(request)
    info = c.enrol(
        cohort_slug=slug,
        language=payload.language,
        user_id=actor_id,
        actor_role=role,
        now=timezone.now(),
    )
    return Status(201, EnrolmentOut.of(info))


@router.get("/enrolments", response={200: list[EnrolmentOut], 401: ErrorOut})
def academy_my_enrolments(request: HttpRequest) -> list[EnrolmentOut]:
    """Your enrolments with their progress, newest first."""
    actor_id, _role = _who(request)
    return [
        EnrolmentOut.of(e) for e in c.enrolment_list_mine(user_id=actor_id, language=_language())
    ]


@router.get("/enrolments/{enrolment_id}", response={200: EnrolmentOut, **DENIALS})
def academy_enrolment_get(request: HttpRequest, enrolment_id: ParamId) -> EnrolmentOut:
    """An enrolment and its progress: its learner and the course's teachers (others 404)."""
    actor_id, role = _who(request)
    return EnrolmentOut.of(
        c.enrolment_get(
            enrolment_id=enrolment_id, language=_language(), actor_id=actor_id, actor_role=role
        )
    )


@router.post("/enrolments/{enrolment_id}/withdraw", response={200: EnrolmentOut, **WRITE})
def academy_enrolment_withdraw(request: HttpRequest, enrolment_id: ParamId) -> EnrolmentOut:
    actor_id, _role = _who(request)
    return EnrolmentOut.of(
        c.enrolment_withdraw(enrolment_id=enrolment_id, actor_id=actor_id, now=timezone.now())
    )


@router.get(
    "/enrolments/{enrolment_id}/lessons/{lesson_id}", response={200: LessonReadOut, **DENIALS}
)
def academy_lesson_read(
    request: HttpRequest, enrolment_id: ParamId, lesson_id: ParamId
) -> LessonReadOut:
    """A lesson rendered in the enrolment's language (its learner only)."""
    actor_id, _role = _who(request)
    view = c.lesson_view(enrolment_id=enrolment_id, lesson_id=lesson_id, actor_id=actor_id)
    return LessonReadOut(
        id=view.lesson.id,
        title=view.lesson.title,
        module_title=view.module_title,
        body_html=str(view.body_html),
        done=view.lesson.done,
        previous_id=view.previous_id,
        next_id=view.next_id,
        percent=view.enrolment.percent,
    )


@router.post(
    "/enrolments/{enrolment_id}/lessons/{lesson_id}/done",
    response={200: ProgressOut, **WRITE},
)
def academy_lesson_done(
    request: HttpRequest, enrolment_id: ParamId, lesson_id: ParamId
) -> ProgressOut:
    """Mark the lesson done (idempotent); the last one completes the enrolment."""
    actor_id, _role = _who(request)
    p = c.lesson_complete(
        enrolment_id=enrolment_id, lesson_id=lesson_id, actor_id=actor_id, now=timezone.now()
    )
    return ProgressOut(
        enrolment_id=p.enrolment_id,
        lesson_id=p.lesson_id,
        lessons_done=p.lessons_done,
        lessons_total=p.lessons_total,
        percent=p.percent,
        completed_at=p.completed_at,
        next_lesson_id=p.next_lesson_id,
    )


# --- workshops -------------------------------------------------------------------------------


@router.get("/workshops", response={200: list[WorkshopOut], 401: ErrorOut, 422: ErrorOut})
def academy_workshop_list(request: HttpRequest, tz: str = "UTC") -> list[WorkshopOut]:
    """Upcoming workshops of your cohorts and of the courses you teach."""
    actor_id, role = _who(request)
    months = w.workshop_calendar(
        now=timezone.now(), language=_language(), viewer_zone=tz, actor_id=actor_id, actor_role=role
    )
    return [WorkshopOut.of(info) for month in months for info in month.workshops]


@router.post("/courses/{slug}/workshops", response={201: WorkshopOut, **WRITE})
def academy_workshop_create(
    request: HttpRequest, slug: Slug, payload: WorkshopIn
) -> Status[WorkshopOut]:
    """Schedule a workshop (teachers); ``time_zone`` is an IANA name such as Europe/Rome."""
    actor_id, role = _who(request)
    workshop_id = w.workshop_create(
        course_slug=slug, **payload.dict(), actor_id=actor_id, actor_role=role, now=timezone.now()
    )
    info = w.workshop_get(
        workshop_id=workshop_id,
        language=_language(),
        viewer_zone=payload.time_zone,
        actor_id=actor_id,
        actor_role=role,
    )
    return Status(201, WorkshopOut.of(info))


@router.get("/workshops/{workshop_id}", response={200: WorkshopOut, **DENIALS})
def academy_workshop_get(
    request: HttpRequest, workshop_id: ParamId, tz: str = "UTC"
) -> WorkshopOut:
    actor_id, role = _who(request)
    return WorkshopOut.of(
        w.workshop_get(
            workshop_id=workshop_id,
            language=_language(),
            viewer_zone=tz,
            actor_id=actor_id,
            actor_role=role,
        )
    )


@router.post("/workshops/{workshop_id}/registration", response={201: RegistrationOut, **WRITE})
def academy_workshop_register(
    request: HttpRequest, workshop_id: ParamId
) -> Status[RegistrationOut]:
    """Take a seat, or a place in line when the seats are gone (``status`` says which)."""
    actor_id, _role = _who(request)
    reg = w.workshop_register(workshop_id=workshop_id, user_id=actor_id, now=timezone.now())
    return Status(201, RegistrationOut.of(reg))


@router.delete("/workshops/{workshop_id}/registration", response={200: RegistrationOut, **WRITE})
def academy_workshop_cancel(request: HttpRequest, workshop_id: ParamId) -> RegistrationOut:
    """Give up your seat (the first in line gets it) or your place in line."""
    actor_id, _role = _who(request)
    return RegistrationOut.of(
        w.workshop_cancel(workshop_id=workshop_id, user_id=actor_id, now=timezone.now())
    )


@router.get(
    "/workshops/{workshop_id}/registrations", response={200: list[RegistrationOut], **DENIALS}
)
def academy_workshop_registrations(
    request: HttpRequest, workshop_id: ParamId
) -> list[RegistrationOut]:
    """Seats, the line and cancellations (teachers)."""
    actor_id, role = _who(request)
    rows = w.registration_list(workshop_id=workshop_id, actor_id=actor_id, actor_role=role)
    return [RegistrationOut.of(r) for r in rows]


@router.post("/workshops/{workshop_id}/attendance", response={200: RegistrationOut, **WRITE})
def academy_workshop_attendance(
    request: HttpRequest, workshop_id: ParamId, payload: AttendanceIn
) -> RegistrationOut:
    """Record that a person attended (or did not) (teachers)."""
    actor_id, role = _who(request)
    return RegistrationOut.of(
        w.attendance_record(
            workshop_id=workshop_id,
            user_id=payload.user_id,
            attended=payload.attended,
            actor_id=actor_id,
            actor_role=role,
            now=timezone.now(),
        )
    )


@router.get("/workshops/{workshop_id}/ics", response={200: None, **DENIALS})
def academy_workshop_ics(request: HttpRequest, workshop_id: ParamId) -> HttpResponse:
    """The workshop as an iCalendar file."""
    actor_id, role = _who(request)
    text = w.workshop_ics(
        workshop_id=workshop_id, language=_language(), actor_id=actor_id, actor_role=role
    )
    return HttpResponse(text, content_type="text/calendar; charset=utf-8")
