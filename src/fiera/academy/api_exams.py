"""The assessments API: teachers build tests and banks, learners take timed attempts,
teachers read the gradebook, anyone reads a cohort's leaderboard.

What a learner receives never holds the answer key: a paper's questions carry their texts
and the options in the learner's order, nothing else (``QuestionPaperOut``). Another
learner's attempt answers 404.

No ``from __future__ import annotations``: ninja resolves the annotations at import.
"""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from fiera.academy import exams, exams_import
from fiera.common.schemas import ErrorOut, ObjectIn

router = Router(tags=["academy"])

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")]
DENIALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
Texts = dict[Annotated[str, Field(max_length=7)], Annotated[str, Field(max_length=20_000)]]
Kind = Literal["single", "multiple", "truefalse", "numeric", "short", "matching"]


def _actor(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return {"actor_id": int(user.pk), "actor_role": str(user.role)}


# --- schemas ----------------------------------------------------------------------------------


class AssessmentIn(ObjectIn):
    course: Slug
    kind: Literal["quiz", "final"]
    module_position: int | None = Field(None, strict=True, ge=1, le=1000)
    title: Texts
    time_limit_minutes: int = Field(30, strict=True, ge=1, le=1440)
    attempts_allowed: int = Field(3, strict=True, ge=1, le=100)
    pass_mark_percent: int = Field(60, strict=True, ge=0, le=100)
    questions_per_attempt: int | None = Field(None, strict=True, ge=1, le=500)
    shuffle_questions: bool = True
    shuffle_choices: bool = True
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class AssessmentPatch(ObjectIn):
    title: Texts | None = None
    time_limit_minutes: int | None = Field(None, strict=True, ge=1, le=1440)
    attempts_allowed: int | None = Field(None, strict=True, ge=1, le=100)
    pass_mark_percent: int | None = Field(None, strict=True, ge=0, le=100)
    questions_per_attempt: int | None = Field(None, strict=True, ge=1, le=500)
    shuffle_questions: bool | None = None
    shuffle_choices: bool | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class AssessmentOut(Schema):
    id: int
    course: str
    kind: str
    module_position: int | None
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

    @staticmethod
    def of(a: exams.AssessmentInfo) -> "AssessmentOut":
        return AssessmentOut(
            id=a.assessment_id,
            course=a.course_slug,
            kind=a.kind,
            module_position=a.module_position,
            title=a.title,
            time_limit_seconds=a.time_limit_seconds,
            attempts_allowed=a.attempts_allowed,
            pass_mark_percent=a.pass_mark_percent,
            questions_per_attempt=a.questions_per_attempt,
            shuffle_questions=a.shuffle_questions,
            shuffle_choices=a.shuffle_choices,
            opens_at=a.opens_at,
            closes_at=a.closes_at,
            bank_size=a.bank_size,
        )


class AttemptSummaryOut(Schema):
    id: int
    number: int
    started_at: datetime
    deadline_at: datetime
    submitted_at: datetime | None
    auto_submitted: bool
    score_permille: int | None
    passed: bool | None


class AttemptRowOut(Schema):
    attempt: AttemptSummaryOut
    enrolment_id: int
    cohort: str
    name: str
    username: str


class IntroOut(Schema):
    assessment: AssessmentOut
    enrolled: bool
    attempts: list[AttemptSummaryOut]
    attempts_left: int
    open_attempt_id: int | None
    can_start: bool


class QuestionIn(ObjectIn):
    kind: Kind
    text: Texts
    key: dict[str, Any] = Field(
        description="the answer key for its kind (see fiera.academy.grading): never shown to "
        "learners"
    )
    points: int = Field(1, strict=True, ge=1, le=100)
    category: str = Field("", max_length=200)
    name: str = Field("", max_length=200)
    feedback: Texts = Field(default_factory=dict)


class QuestionPatch(ObjectIn):
    kind: Kind | None = None
    text: Texts | None = None
    key: dict[str, Any] | None = None
    points: int | None = Field(None, strict=True, ge=1, le=100)
    category: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)
    feedback: Texts | None = None


class QuestionOut(Schema):
    """A bank question for teachers, with its key."""

    id: int
    kind: str
    category: str
    name: str
    text: dict[str, str]
    key: dict[str, Any]
    feedback: dict[str, str]
    points: int
    position: int

    @staticmethod
    def of(q: exams.QuestionInfo) -> "QuestionOut":
        return QuestionOut(
            id=q.question_id,
            kind=q.kind,
            category=q.category,
            name=q.name,
            text=q.text,
            key=q.key,
            feedback=q.feedback,
            points=q.points,
            position=q.position,
        )


class QuestionPaperOut(Schema):
    """A question as the learner sees it: no key, no weights, no ids of options. Answer
    with positions in ``choices`` / ``right`` as shown."""

    question_id: int
    kind: str
    text: str
    points: int
    choices: list[str]
    left: list[str]
    right: list[str]
    response: dict[str, Any] | None
    credit_permille: int | None = Field(
        description="after submission only: the share of the points earned (0-1000)"
    )


class AttemptOut(Schema):
    id: int
    assessment_id: int
    kind: str
    title: str
    number: int
    started_at: datetime
    deadline_at: datetime
    seconds_left: int
    submitted_at: datetime | None
    auto_submitted: bool
    score_permille: int | None
    passed: bool | None
    pass_mark_percent: int
    questions: list[QuestionPaperOut]

    @staticmethod
    def of(v: exams.AttemptView) -> "AttemptOut":
        return AttemptOut(
            id=v.attempt_id,
            assessment_id=v.assessment_id,
            kind=v.assessment_kind,
            title=v.title,
            number=v.number,
            started_at=v.started_at,
            deadline_at=v.deadline_at,
            seconds_left=v.seconds_left,
            submitted_at=v.submitted_at,
            auto_submitted=v.auto_submitted,
            score_permille=v.score_permille,
            passed=v.passed,
            pass_mark_percent=v.pass_mark_percent,
            questions=[QuestionPaperOut(**q) for q in v.questions],
        )


class AnswerIn(ObjectIn):
    response: dict[str, Any] = Field(
        description='by kind: {"choice": i}, {"choices": [i]}, {"value": true}, '
        '{"value": "3.5"}, {"text": "..."}, {"matches": [j or null per left item]}'
    )


class AnswerSavedOut(Schema):
    question_id: int
    saved_at: datetime


class GradeCellOut(Schema):
    assessment_id: int
    best_permille: int | None
    passed: bool
    attempts: int


class GradebookRowOut(Schema):
    enrolment_id: int
    username: str
    name: str
    language: str
    status: str
    grades: list[GradeCellOut]
    final_score_permille: int | None
    final_seconds: int | None
    final_passed_at: datetime | None


class GradebookOut(Schema):
    cohort: str
    assessments: list[AssessmentOut]
    rows: list[GradebookRowOut]


class LeaderboardEntryOut(Schema):
    rank: int
    name: str
    anonymous: bool
    score_permille: int
    seconds: int | None
    passed_at: datetime | None
    top: bool


class LeaderboardOut(Schema):
    cohort: str
    name: str
    top_n: int
    entries: list[LeaderboardEntryOut]


class RankingIn(ObjectIn):
    hidden: bool


class RankingOut(Schema):
    hidden: bool


class ImportOut(Schema):
    imported: int


# --- teachers: tests and banks ----------------------------------------------------------------


@router.get(
    "/courses/{slug}/assessments",
    response={200: list[AssessmentOut], 401: ErrorOut},
)
def assessment_list(request: HttpRequest, slug: Slug) -> list[AssessmentOut]:
    """The course's quizzes and final exam: their rules (anyone signed in)."""
    return [AssessmentOut.of(a) for a in exams.assessment_list(course_slug=slug, **_actor(request))]


@router.post(
    "/assessments",
    response={201: AssessmentOut, 400: ErrorOut, **DENIALS, 409: ErrorOut, 422: ErrorOut},
)
def assessment_create(request: HttpRequest, payload: AssessmentIn) -> Status[AssessmentOut]:
    """A quiz of a module or the course's final exam (the course's teachers)."""
    data = payload.dict()
    minutes = data.pop("time_limit_minutes")
    info = exams.assessment_create(
        course_slug=data.pop("course"),
        time_limit_seconds=minutes * 60,
        **data,
        now=timezone.now(),
        **_actor(request),
    )
    return Status(201, AssessmentOut.of(info))


@router.patch(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, 400: ErrorOut, **DENIALS, 422: ErrorOut},
)
def assessment_patch(
    request: HttpRequest, assessment_id: Id, payload: AssessmentPatch
) -> AssessmentOut:
    """Change a test's rules (teachers); attempts already started keep their deadline."""
    changes = payload.dict(exclude_unset=True)
    if changes.get("time_limit_minutes") is not None:
        changes["time_limit_seconds"] = changes.pop("time_limit_minutes") * 60
    changes.pop("time_limit_minutes", None)
    info = exams.assessment_update(assessment_id=assessment_id, **changes, **_actor(request))
    return AssessmentOut.of(info)


@router.get("/assessments/{assessment_id}", response={200: IntroOut, **DENIALS})
def assessment_detail(request: HttpRequest, assessment_id: Id) -> IntroOut:
    """A test's rules and, for an enrolled learner, their attempts and what is left."""
    intro = exams.assessment_intro(
        assessment_id=assessment_id, now=timezone.now(), **_actor(request)
    )
    return IntroOut(
        assessment=AssessmentOut.of(intro.assessment),
        enrolled=intro.enrolment_id is not None,
        attempts=[_summary_out(a) for a in intro.attempts],
        attempts_left=intro.attempts_left,
        open_attempt_id=intro.open_attempt_id,
        can_start=intro.can_start,
    )


@router.get("/assessments/{assessment_id}/questions", response={200: list[QuestionOut], **DENIALS})
def question_list(request: HttpRequest, assessment_id: Id) -> list[QuestionOut]:
    """The bank with its answer keys (teachers only)."""
    found = exams.question_list(assessment_id=assessment_id, **_actor(request))
    return [QuestionOut.of(q) for q in found]


@router.post(
    "/assessments/{assessment_id}/questions",
    response={201: QuestionOut, 400: ErrorOut, **DENIALS, 422: ErrorOut},
)
def question_create(
    request: HttpRequest, assessment_id: Id, payload: QuestionIn
) -> Status[QuestionOut]:
    """Add a question to the bank (teachers); a key that does not fit its kind: 422."""
    info = exams.question_create(
        assessment_id=assessment_id, **payload.dict(), now=timezone.now(), **_actor(request)
    )
    return Status(201, QuestionOut.of(info))


@router.patch(
    "/questions/{question_id}",
    response={200: QuestionOut, 400: ErrorOut, **DENIALS, 422: ErrorOut},
)
def question_patch(request: HttpRequest, question_id: Id, payload: QuestionPatch) -> QuestionOut:
    info = exams.question_update(
        question_id=question_id, **payload.dict(exclude_unset=True), **_actor(request)
    )
    return QuestionOut.of(info)


@router.delete("/questions/{question_id}", response={204: None, **DENIALS})
def question_delete(request: HttpRequest, question_id: Id) -> Status[None]:
    exams.question_delete(question_id=question_id, **_actor(request))
    return Status(204, None)


@router.post(
    "/assessments/{assessment_id}/import",
    response={201: ImportOut, 400: ErrorOut, **DENIALS, 413: ErrorOut, 422: ErrorOut},
)
def question_import(
    request: HttpRequest,
    assessment_id: Id,
    file: File[UploadedFile],
    format: Form[Literal["gift", "aiken"]] = "gift",
    language: Form[str] = "",
) -> Status[ImportOut]:
    """Import questions from a Moodle GIFT or Aiken file into the bank, all or nothing: a
    file with errors imports nothing and answers 422 ``import_invalid`` with ``errors``, each
    with its ``line``, ``code`` and message. ``language``: the language the file is written
    in (default: the course's first)."""
    count = exams_import.bank_import(
        assessment_id=assessment_id,
        data=file.read(exams_import.MAX_BYTES + 1),
        file_format=format,
        language=language,
        now=timezone.now(),
        **_actor(request),
    )
    return Status(201, ImportOut(imported=count))


@router.get(
    "/assessments/{assessment_id}/export.gift",
    response={200: None, **DENIALS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The question bank as a GIFT file",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    },
)
def question_export(request: HttpRequest, assessment_id: Id) -> HttpResponse:
    """The bank as a GIFT file (teachers)."""
    text, filename = exams_import.bank_export(assessment_id=assessment_id, **_actor(request))
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/assessments/{assessment_id}/attempts", response={200: list[AttemptRowOut], **DENIALS})
def attempt_list(request: HttpRequest, assessment_id: Id) -> list[AttemptRowOut]:
    """Every attempt at the test, latest first, with who sat it (teachers)."""
    rows = exams.attempt_list(assessment_id=assessment_id, **_actor(request))
    return [
        AttemptRowOut(
            attempt=_summary_out(r.attempt),
            enrolment_id=r.enrolment_id,
            cohort=r.cohort_slug,
            name=r.name,
            username=r.username,
        )
        for r in rows
    ]


def _summary_out(a: exams.AttemptSummary) -> AttemptSummaryOut:
    return AttemptSummaryOut(
        id=a.attempt_id,
        number=a.number,
        started_at=a.started_at,
        deadline_at=a.deadline_at,
        submitted_at=a.submitted_at,
        auto_submitted=a.auto_submitted,
        score_permille=a.score_permille,
        passed=a.passed,
    )


# --- learners: attempts -----------------------------------------------------------------------


@router.post(
    "/assessments/{assessment_id}/attempts",
    response={201: AttemptOut, **DENIALS, 409: ErrorOut},
)
def attempt_start(request: HttpRequest, assessment_id: Id) -> Status[AttemptOut]:
    """Start an attempt (or get back the open one): the paper and its deadline. 409 when
    every attempt is used, or the test is closed or empty."""
    view = exams.attempt_start(
        assessment_id=assessment_id,
        actor_id=_actor(request)["actor_id"],
        now=timezone.now(),
    )
    return Status(201, AttemptOut.of(view))


@router.get("/attempts/{attempt_id}", response={200: AttemptOut, **DENIALS})
def attempt_detail(request: HttpRequest, attempt_id: Id) -> AttemptOut:
    """The attempt with the saved answers; after submission, the score and the marks per
    question. Past its deadline it is submitted first."""
    view = exams.attempt_get(attempt_id=attempt_id, now=timezone.now(), **_actor(request))
    return AttemptOut.of(view)


@router.put(
    "/attempts/{attempt_id}/answers/{question_id}",
    response={200: AnswerSavedOut, 400: ErrorOut, **DENIALS, 409: ErrorOut, 422: ErrorOut},
)
def answer_save(
    request: HttpRequest, attempt_id: Id, question_id: Id, payload: AnswerIn
) -> AnswerSavedOut:
    """Save one answer as the learner goes. After the deadline: 409 ``attempt_time_up`` (the
    attempt was submitted with the answers saved before it)."""
    saved_at = exams.answer_save(
        attempt_id=attempt_id,
        question_id=question_id,
        response=payload.response,
        actor_id=_actor(request)["actor_id"],
        now=timezone.now(),
    )
    return AnswerSavedOut(question_id=question_id, saved_at=saved_at)


@router.post("/attempts/{attempt_id}/submit", response={200: AttemptOut, **DENIALS})
def attempt_submit(request: HttpRequest, attempt_id: Id) -> AttemptOut:
    """Hand in the attempt: it is marked and the result answered (again on a repeat)."""
    view = exams.attempt_submit(
        attempt_id=attempt_id,
        actor_id=_actor(request)["actor_id"],
        now=timezone.now(),
    )
    return AttemptOut.of(view)


# --- cohorts: gradebook and leaderboard -------------------------------------------------------


@router.get("/cohorts/{slug}/gradebook", response={200: GradebookOut, **DENIALS})
def gradebook(request: HttpRequest, slug: Slug) -> GradebookOut:
    """Every learner against every test of the course: best score, pass, attempts; the
    final exam's best (teachers). CSV: the page /academy/cohorts/SLUG/gradebook.csv."""
    book = exams.gradebook(cohort_slug=slug, now=timezone.now(), **_actor(request))
    return GradebookOut(
        cohort=book.cohort_slug,
        assessments=[AssessmentOut.of(a) for a in book.assessments],
        rows=[
            GradebookRowOut(
                enrolment_id=r.enrolment_id,
                username=r.username,
                name=r.name,
                language=r.language,
                status=r.status,
                grades=[
                    GradeCellOut(
                        assessment_id=a.assessment_id,
                        best_permille=c.best_permille,
                        passed=c.passed,
                        attempts=c.attempts,
                    )
                    for a, c in zip(book.assessments, r.cells, strict=True)
                ],
                final_score_permille=r.final_score_permille,
                final_seconds=r.final_seconds,
                final_passed_at=r.final_passed_at,
            )
            for r in book.rows
        ],
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterator[list[str]]) -> Iterator[str]:
    """CSV text row by row (for a streaming response)."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


@router.get(
    "/cohorts/{slug}/gradebook.csv",
    response={200: None, **DENIALS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The gradebook as CSV (a header row)",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def gradebook_csv(request: HttpRequest, slug: Slug) -> StreamingHttpResponse:
    """The gradebook as CSV (a header row; numbers with a dot, times in ISO 8601)."""
    book = exams.gradebook(cohort_slug=slug, now=timezone.now(), **_actor(request))
    rows = exams.gradebook_csv_rows(book, language=get_language() or "en")
    response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gradebook-{book.cohort_slug}.csv"'
    return response


@router.get("/cohorts/{slug}/leaderboard", auth=None, response={200: LeaderboardOut, 404: ErrorOut})
def leaderboard(request: HttpRequest, slug: Slug) -> LeaderboardOut:
    """The cohort's ranking by final-exam score, then time, then pass time; the top N
    marked; learners who hid their name show as anonymous (public)."""
    board = exams.leaderboard(cohort_slug=slug)
    return LeaderboardOut(
        cohort=board.cohort_slug,
        name=board.cohort_name,
        top_n=board.top_n,
        entries=[
            LeaderboardEntryOut(
                rank=e.rank,
                name=e.name,
                anonymous=e.hidden,
                score_permille=e.score_permille,
                seconds=e.seconds,
                passed_at=e.passed_at,
                top=e.top,
            )
            for e in board.entries
        ],
    )


@router.put(
    "/cohorts/{slug}/ranking",
    response={200: RankingOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
)
def ranking_visibility(request: HttpRequest, slug: Slug, payload: RankingIn) -> RankingOut:
    """Show or hide the signed-in learner's name on the cohort's leaderboard."""
    hidden = exams.ranking_visibility_set(
        cohort_slug=slug,
        hidden=payload.hidden,
        actor_id=_actor(request)["actor_id"],
    )
    return RankingOut(hidden=hidden)


_ = io  # the csv writer needs no buffer
