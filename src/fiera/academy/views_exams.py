"""The assessment pages: a test's intro, taking it with a visible countdown (answers saved as
the learner goes by static/academy/exam.js through the API; the form's submit is the
fallback), the result, the cohort leaderboard (public), and for teachers the gradebook (page
and CSV) and the test builder (rules, questions of every type, GIFT/Aiken import, GIFT
export).

The server's deadline is the truth: the page counts down from the seconds the server says
are left and submits at zero; answers that reach the server after the deadline are refused.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fiera.academy import exams, exams_import
from fiera.academy.api_exams import csv_stream
from fiera.academy.models import AssessmentKind, QuestionKind
from fiera.academy.pages import page_error as _page_error
from fiera.academy.text import pick
from fiera.common.errors import DomainError, NotFound, PermissionDenied


def _actor(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {"actor_id": int(user.pk or 0), "actor_role": str(getattr(user, "role", ""))}


def _language(request: HttpRequest) -> str:
    return get_language() or "en"


# --- learners ---------------------------------------------------------------------------------


@login_required
def intro(request: HttpRequest, assessment_id: int) -> HttpResponse:
    try:
        found = exams.assessment_intro(
            assessment_id=assessment_id, now=timezone.now(), **_actor(request)
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    language = found.language or _language(request)
    return render(
        request,
        "academy/exams/intro.html",
        {
            "intro": found,
            "a": found.assessment,
            "title": pick(found.assessment.title, language),
        },
    )


@login_required
def course_tests(request: HttpRequest, slug: str) -> HttpResponse:
    """A course's quizzes and final exam, with the learner's best at each."""
    try:
        found = exams.course_tests(course_slug=slug, now=timezone.now(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    language = _language(request)
    return render(
        request,
        "academy/exams/course_tests.html",
        {
            "found": found,
            "course_title": pick(found.course_title, language),
            "tests": [{"t": t, "title": pick(t.assessment.title, language)} for t in found.tests],
        },
    )


@login_required
@require_POST
def start(request: HttpRequest, assessment_id: int) -> HttpResponse:
    try:
        view = exams.attempt_start(
            assessment_id=assessment_id, actor_id=int(request.user.pk or 0), now=timezone.now()
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(reverse("academy:exam_intro", args=[assessment_id]))
    return HttpResponseRedirect(reverse("academy:exam_attempt", args=[view.attempt_id]))


def _attempt(request: HttpRequest, attempt_id: int) -> exams.AttemptView:
    try:
        return exams.attempt_get(attempt_id=attempt_id, now=timezone.now(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None


@login_required
def attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    view = _attempt(request, attempt_id)
    if not view.is_open or not view.is_own:
        return HttpResponseRedirect(reverse("academy:exam_result", args=[attempt_id]))
    questions = []
    for q in view.questions:
        r = q["response"] or {}
        questions.append(
            {
                **q,
                "chosen": [r["choice"]] if "choice" in r else list(r.get("choices", [])),
                "value": r.get("value"),
                "value_text": "" if r.get("value") is None else str(r.get("value")),
                "text_answer": r.get("text", ""),
                "rows": [
                    {
                        "index": i,
                        "text": text,
                        "chosen": (r.get("matches") or [None] * len(q["left"]))[i],
                    }
                    for i, text in enumerate(q["left"])
                ],
            }
        )
    return render(
        request,
        "academy/exams/attempt.html",
        {
            "view": view,
            "questions": questions,
            "save_url": f"/api/v1/academy/attempts/{attempt_id}/answers/",
        },
    )


def _posted_response(kind: str, request: HttpRequest, qid: int, size: int) -> Any:
    """The answer to question ``qid`` as the plain form posts it (None: left blank)."""
    name = f"q{qid}"
    raw = [value.replace("\x00", "") for value in request.POST.getlist(name)]
    if kind == QuestionKind.MATCHING:
        matches = []
        for i in range(size):
            value = request.POST.get(f"{name}_{i}", "")
            matches.append(int(value) if value.isdigit() else None)
        return {"matches": matches} if any(m is not None for m in matches) else None
    if not raw or raw == [""]:
        return None
    if kind == QuestionKind.SINGLE:
        return {"choice": int(raw[0])} if raw[0].isdigit() else None
    if kind == QuestionKind.MULTIPLE:
        return {"choices": [int(v) for v in raw if v.isdigit()]}
    if kind == QuestionKind.TRUE_FALSE:
        return {"value": raw[0] == "true"}
    if kind == QuestionKind.NUMERIC:
        return {"value": raw[0]}
    return {"text": raw[0]}


@login_required
@require_POST
def submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The form's answers are saved (as far as the deadline allows), then the attempt is
    handed in."""
    actor_id = int(request.user.pk or 0)
    view = _attempt(request, attempt_id)
    if not view.is_own:
        raise Http404
    now = timezone.now()
    if view.is_open:
        for q in view.questions:
            response = _posted_response(q["kind"], request, q["question_id"], len(q["left"]))
            if response is None:
                continue
            try:
                exams.answer_save(
                    attempt_id=attempt_id,
                    question_id=q["question_id"],
                    response=response,
                    actor_id=actor_id,
                    now=now,
                )
            except exams.TimeUp as exc:
                messages.warning(request, exc.message())
                break
            except exams.AttemptSubmitted:
                break
            except DomainError:
                continue  # an unreadable answer counts as not given
        exams.attempt_submit(attempt_id=attempt_id, actor_id=actor_id, now=now)
    return HttpResponseRedirect(reverse("academy:exam_result", args=[attempt_id]))


@login_required
def result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The result; a teacher looking at an attempt still open sees it as in progress."""
    view = _attempt(request, attempt_id)
    if view.is_open and view.is_own:
        return HttpResponseRedirect(reverse("academy:exam_attempt", args=[attempt_id]))
    return render(
        request,
        "academy/exams/result.html",
        {
            "view": view,
            "score": exams.permille_text(view.score_permille),
            "is_final": view.assessment_kind == AssessmentKind.FINAL,
        },
    )


def leaderboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: no sign-in needed."""
    try:
        board = exams.leaderboard(
            cohort_slug=slug,
            viewer_id=int(request.user.pk) if request.user.is_authenticated else None,
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    return render(
        request,
        "academy/exams/leaderboard.html",
        {
            "board": board,
            "entries": [
                {"e": e, "score": exams.permille_text(e.score_permille)} for e in board.entries
            ],
        },
    )


@login_required
@require_POST
def ranking_visibility(request: HttpRequest, slug: str) -> HttpResponse:
    hidden = request.POST.get("hidden") == "1"
    try:
        exams.ranking_visibility_set(
            cohort_slug=slug, hidden=hidden, actor_id=int(request.user.pk or 0)
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    messages.success(
        request,
        _("Your name is hidden on the leaderboard.")
        if hidden
        else _("Your name is shown on the leaderboard."),
    )
    back = request.POST.get("next", "")
    if not re.fullmatch(r"/academy/[-a-zA-Z0-9/_]*", back):
        back = reverse("academy:exam_leaderboard", args=[slug])
    return HttpResponseRedirect(back)


# --- teachers ---------------------------------------------------------------------------------


@login_required
def gradebook_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        book = exams.gradebook(cohort_slug=slug, now=timezone.now(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    language = _language(request)
    return render(
        request,
        "academy/exams/gradebook.html",
        {
            "book": book,
            "headers": [pick(a.title, language) for a in book.assessments],
            "rows": [
                {
                    "r": r,
                    "cells": [
                        {"c": c, "score": exams.permille_text(c.best_permille)} for c in r.cells
                    ],
                    "final": exams.permille_text(r.final_score_permille),
                }
                for r in book.rows
            ],
        },
    )


@login_required
def gradebook_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    try:
        book = exams.gradebook(cohort_slug=slug, now=timezone.now(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    rows = exams.gradebook_csv_rows(book, language=_language(request))
    response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gradebook-{book.cohort_slug}.csv"'
    return response


def _minutes(raw: str, default: int) -> int:
    return int(raw) if raw.strip().isdigit() else default


def _optional_int(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


def _field(request: HttpRequest, name: str) -> str:
    """A posted text without NUL characters (PostgreSQL cannot store them)."""
    return request.POST.get(name, "").replace("\x00", "")


def _titles(request: HttpRequest, languages: list[str], prefix: str = "title") -> dict[str, str]:
    return {
        lang: _field(request, f"{prefix}_{lang}").strip()
        for lang in languages
        if _field(request, f"{prefix}_{lang}").strip()
    }


def _moment(raw: str) -> datetime | None:
    """A ``datetime-local`` field (the page's time zone, UTC) as an aware time; None when
    empty or unreadable."""
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        return None
    if value is None:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _settings_from(request: HttpRequest, languages: list[str]) -> dict[str, Any]:
    return {
        "opens_at": _moment(request.POST.get("opens_at", "")),
        "closes_at": _moment(request.POST.get("closes_at", "")),
        "title": _titles(request, languages),
        "time_limit_seconds": _minutes(request.POST.get("time_limit_minutes", ""), 30) * 60,
        "attempts_allowed": _minutes(request.POST.get("attempts_allowed", ""), 3),
        "pass_mark_percent": _minutes(request.POST.get("pass_mark_percent", ""), 60),
        "questions_per_attempt": _optional_int(request.POST.get("questions_per_attempt", "")),
        "shuffle_questions": request.POST.get("shuffle_questions") == "on",
        "shuffle_choices": request.POST.get("shuffle_choices") == "on",
    }


def _course_slug_of(request: HttpRequest, assessment_id: int) -> str:
    try:
        found = exams.assessment_intro(
            assessment_id=assessment_id, now=timezone.now(), **_actor(request)
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    return found.assessment.course_slug


def _course_languages(course_slug: str) -> list[str]:
    from fiera.academy.models import Course

    course = Course.objects.filter(slug=course_slug).values_list("languages", flat=True).first()
    if course is None:
        raise Http404
    return course.split(",")


@login_required
def builder_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The course's tests, and a form to create one (teachers)."""
    actor = _actor(request)
    languages = _course_languages(slug)
    error = ""
    if request.method == "POST":
        settings = _settings_from(request, languages)
        try:
            created = exams.assessment_create(
                course_slug=slug,
                kind=request.POST.get("kind", ""),
                module_position=_optional_int(request.POST.get("module_position", "")),
                now=timezone.now(),
                **settings,
                **actor,
            )
        except (NotFound, PermissionDenied) as exc:
            raise _page_error(exc) from None
        except DomainError as exc:
            error = exc.message()
        else:
            messages.success(request, _("Test created; now add its questions."))
            return HttpResponseRedirect(
                reverse("academy:exam_builder", args=[created.assessment_id])
            )
    try:
        tests = exams.assessment_list(course_slug=slug, **actor)
        from fiera.academy.models import Course

        course = Course.objects.get(slug=slug)
        if not exams.teaches(course_id=course.pk, **actor):
            raise exams.NotTeacher("not a teacher")
    except DomainError as exc:
        raise _page_error(exc) from None
    return render(
        request,
        "academy/exams/builder_list.html",
        {
            "course_slug": slug,
            "course_title": pick(course.title, _language(request)),
            "tests": [{"a": a, "title": pick(a.title, _language(request))} for a in tests],
            "languages": languages,
            "modules": list(course.modules.values_list("position", flat=True)),
            "error": error,
        },
        status=422 if error else 200,
    )


# The builder's answer lines (GIFT-like): columns per course language separated by " | ".
_WEIGHT = re.compile(r"^%(-?\d{1,3}(?:\.\d+)?)%\s*")


def _columns(text: str, languages: list[str]) -> dict[str, str]:
    parts = [p.strip() for p in text.split("|")]
    return {lang: part for lang, part in zip(languages, parts, strict=False) if part}


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


def key_from_lines(kind: str, raw: str, truth: str, languages: list[str]) -> dict[str, Any]:
    """A question's key from the builder's answer lines (see the builder page's help)."""
    lines = _lines(raw)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        choices = []
        for n, line in enumerate(lines, start=1):
            right = line.startswith("=")
            body = line[1:].strip() if line[:1] in "=~" else line
            weight: int | str = 100 if right else 0
            match = _WEIGHT.match(body)
            if match:
                value = Decimal(match.group(1))
                weight = int(value) if value == value.to_integral_value() else match.group(1)
                body = body[match.end() :]
            choices.append({"id": f"c{n}", "text": _columns(body, languages), "weight": weight})
        return {"choices": choices}
    if kind == QuestionKind.TRUE_FALSE:
        return {"answer": truth == "true"}
    if kind in (QuestionKind.NUMERIC, QuestionKind.SHORT):
        answers = []
        for line in lines:
            weight = 100
            match = _WEIGHT.match(line)
            if match:
                try:
                    weight = int(Decimal(match.group(1)))
                except InvalidOperation:
                    weight = 0
                line = line[match.end() :]
            if kind == QuestionKind.SHORT:
                answers.append({"text": line, "weight": weight})
            elif ".." in line:
                low, _sep, high = line.partition("..")
                answers.append({"min": low.strip(), "max": high.strip(), "weight": weight})
            else:
                number, _sep, tolerance = line.partition(":")
                answers.append(
                    {
                        "value": number.strip(),
                        "tolerance": tolerance.strip() or "0",
                        "weight": weight,
                    }
                )
        return {"answers": answers}
    pairs = []
    for n, line in enumerate(lines, start=1):
        left_text, _sep, right_text = line.partition("->")
        pairs.append(
            {
                "id": f"p{n}",
                "left": _columns(left_text, languages),
                "right": _columns(right_text, languages),
            }
        )
    return {"pairs": pairs}


def lines_from_key(kind: str, key: dict[str, Any], languages: list[str]) -> str:
    """The builder's answer lines of a key (the inverse of :func:`key_from_lines`)."""

    def cols(texts: dict[str, str] | None) -> str:
        return " | ".join((texts or {}).get(lang, "") for lang in languages).rstrip(" |")

    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        out = []
        for c in key.get("choices", []):
            weight = str(c.get("weight", 0))
            if weight == "100":
                out.append(f"= {cols(c['text'])}")
            elif weight == "0":
                out.append(f"~ {cols(c['text'])}")
            else:
                out.append(f"~ %{weight}% {cols(c['text'])}")
        return "\n".join(out)
    if kind in (QuestionKind.NUMERIC, QuestionKind.SHORT):
        out = []
        for a in key.get("answers", []):
            prefix = "" if str(a.get("weight", 100)) == "100" else f"%{a.get('weight')}% "
            if kind == QuestionKind.SHORT:
                out.append(prefix + str(a.get("text", "")))
            elif "min" in a:
                out.append(f"{prefix}{a['min']}..{a['max']}")
            else:
                out.append(f"{prefix}{a['value']}:{a.get('tolerance', '0')}")
        return "\n".join(out)
    if kind == QuestionKind.MATCHING:
        return "\n".join(
            f"{cols(p.get('left'))} -> {cols(p.get('right'))}" for p in key.get("pairs", [])
        )
    return ""


def _question_fields(request: HttpRequest, languages: list[str]) -> dict[str, Any]:
    kind = request.POST.get("kind", "")
    return {
        "kind": kind,
        "text": _titles(request, languages, "text"),
        "key": key_from_lines(
            kind, _field(request, "answers"), request.POST.get("truth", ""), languages
        ),
        "points": _minutes(request.POST.get("points", ""), 1),
        "category": _field(request, "category").strip()[:200],
    }


def _render_builder(
    request: HttpRequest,
    assessment_id: int,
    *,
    error: str = "",
    import_errors: list[dict[str, Any]] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    try:
        found = exams.assessment_intro(assessment_id=assessment_id, now=timezone.now(), **actor)
        if not found.is_teacher:
            raise exams.NotTeacher("not a teacher")
        bank = exams.question_list(assessment_id=assessment_id, **actor)
        sittings = exams.attempt_list(assessment_id=assessment_id, limit=200, **actor)
    except DomainError as exc:
        raise _page_error(exc) from None
    a = found.assessment
    languages = _course_languages(a.course_slug)
    language = _language(request)
    return render(
        request,
        "academy/exams/builder.html",
        {
            "a": a,
            "title": pick(a.title, language),
            "languages": languages,
            "title_fields": [(lang, a.title.get(lang, "")) for lang in languages],
            "bank": [
                {
                    "q": q,
                    "text": pick(q.text, language),
                    "kind_label": QuestionKind(q.kind).label,
                }
                for q in bank
            ],
            "kinds": QuestionKind.choices,
            "sittings": sittings,
            "error": error,
            "import_errors": import_errors or [],
            "form": form or {},
            "new_text_fields": [(lang, (form or {}).get(f"text_{lang}", "")) for lang in languages],
            "columns": " | ".join(languages),
        },
        status=status,
    )


@login_required
def builder(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """A test's rules (editable), its bank, forms to add questions and to import a file."""
    if request.method == "POST":
        languages = _course_languages(_course_slug_of(request, assessment_id))
        try:
            exams.assessment_update(
                assessment_id=assessment_id,
                **_settings_from(request, languages),
                **_actor(request),
            )
        except (NotFound, PermissionDenied) as exc:
            raise _page_error(exc) from None
        except DomainError as exc:
            return _render_builder(request, assessment_id, error=exc.message(), status=422)
        messages.success(request, _("The test's rules were saved."))
        return HttpResponseRedirect(reverse("academy:exam_builder", args=[assessment_id]))
    return _render_builder(request, assessment_id)


@login_required
@require_POST
def question_new(request: HttpRequest, assessment_id: int) -> HttpResponse:
    languages = _course_languages(_course_slug_of(request, assessment_id))
    try:
        exams.question_create(
            assessment_id=assessment_id,
            **_question_fields(request, languages),
            now=timezone.now(),
            **_actor(request),
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _render_builder(
            request, assessment_id, error=exc.message(), form=request.POST.dict(), status=422
        )
    messages.success(request, _("Question added."))
    return HttpResponseRedirect(reverse("academy:exam_builder", args=[assessment_id]) + "#bank")


@login_required
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    from fiera.academy.models import Question

    q = Question.objects.select_related("assessment__course").filter(pk=question_id).first()
    if q is None:
        raise Http404
    languages = q.assessment.course.languages.split(",")
    actor = _actor(request)
    if not exams.teaches(course_id=q.assessment.course_id, **actor):
        raise DjangoPermissionDenied(_("Only the course's teachers may do this."))
    error = ""
    if request.method == "POST":
        try:
            exams.question_update(
                question_id=question_id, **_question_fields(request, languages), **actor
            )
        except DomainError as exc:
            error = exc.message()
        else:
            messages.success(request, _("Question saved."))
            return HttpResponseRedirect(
                reverse("academy:exam_builder", args=[q.assessment_id]) + "#bank"
            )
    return render(
        request,
        "academy/exams/question_edit.html",
        {
            "q": q,
            "assessment_id": q.assessment_id,
            "kinds": QuestionKind.choices,
            "text_fields": [(lang, q.text.get(lang, "")) for lang in languages],
            "answers": lines_from_key(q.kind, q.key, languages),
            "truth": "true" if q.key.get("answer") else "false",
            "columns": " | ".join(languages),
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def question_remove(request: HttpRequest, question_id: int) -> HttpResponse:
    from fiera.academy.models import Question

    assessment_id = (
        Question.objects.filter(pk=question_id).values_list("assessment_id", flat=True).first()
    )
    try:
        exams.question_delete(question_id=question_id, **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    messages.success(request, _("Question removed."))
    return HttpResponseRedirect(reverse("academy:exam_builder", args=[assessment_id]) + "#bank")


@login_required
@require_POST
def bank_import(request: HttpRequest, assessment_id: int) -> HttpResponse:
    upload = request.FILES.get("file")
    data = upload.read(exams_import.MAX_BYTES + 1) if upload else b""
    try:
        count = exams_import.bank_import(
            assessment_id=assessment_id,
            data=data,
            file_format=request.POST.get("format", "gift"),
            language=request.POST.get("language", ""),
            now=timezone.now(),
            **_actor(request),
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except exams_import.ImportInvalid as exc:
        return _render_builder(
            request,
            assessment_id,
            error=_("Nothing was imported. Fix these lines and upload the file again."),
            import_errors=list(exc.params["errors"]),
            status=422,
        )
    messages.success(request, _("%(count)s questions imported.") % {"count": count})
    return HttpResponseRedirect(reverse("academy:exam_builder", args=[assessment_id]) + "#bank")


@login_required
def bank_export(request: HttpRequest, assessment_id: int) -> HttpResponse:
    try:
        text, filename = exams_import.bank_export(assessment_id=assessment_id, **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
