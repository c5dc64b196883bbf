"""The academy's course pages: the catalogue (public), a course and its cohorts, enrolment,
the course player and "My learning" (signed in), the teachers' course builder (operators and
the course's instructors; others 403), and live workshops (calendar, registration with a
waiting line, attendance). Each view makes one call into ``courses``/``workshops`` and turns
domain errors into the page's answer: 404 and 403 pages, or the form again with the message
and its status (409 for a full cohort)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fiera.academy import courses as c
from fiera.academy import workshops as w
from fiera.academy.models import RegistrationStatus
from fiera.academy.pages import page_error as _page_error
from fiera.accounts.selectors import user_summaries
from fiera.common.errors import DomainError, NotFound, PermissionDenied
from fiera.common.parsing import parse_id

TZ_COOKIE = "fiera_tz"
NEW_COURSE_LANGUAGES = ("it", "es", "en")


def _actor(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {"actor_id": int(user.pk or 0) or None, "actor_role": str(getattr(user, "role", ""))}


def _uid(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


def _language() -> str:
    return (get_language() or "en").lower()


def _id(value: str | int) -> int:
    parsed = parse_id(str(value))
    if parsed is None:
        raise Http404  # the generic "this page does not exist" page, in the reader's language
    return parsed


def _viewer_zone(request: HttpRequest) -> str:
    """The viewer's time zone: ?tz=, else the cookie the calendar's script sets from the
    browser, else the server's."""
    for candidate in (request.GET.get("tz"), request.COOKIES.get(TZ_COOKIE)):
        if candidate and candidate in w.time_zones():
            return candidate
    return str(settings.TIME_ZONE)


def _texts(request: HttpRequest, prefix: str, languages: tuple[str, ...]) -> dict[str, str]:
    return {code: request.POST.get(f"{prefix}_{code}", "") for code in languages}


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


# --- learners --------------------------------------------------------------------------------


def catalogue(request: HttpRequest) -> HttpResponse:
    """The academy's home: published courses with the cohorts open to enrol."""
    courses = c.catalogue(language=_language(), today=timezone.localdate())
    actor = _actor(request)
    teaches = request.user.is_authenticated and c.may_create_course(**actor)
    return render(request, "academy/catalogue.html", {"courses": courses, "teaches": teaches})


def course_page(
    request: HttpRequest, slug: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    try:
        detail = c.course_get(
            slug=slug, language=_language(), today=timezone.localdate(), **_actor(request)
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    return render(
        request,
        "academy/courses/course.html",
        {
            "detail": detail,
            "course": detail.card,
            "cohorts": [(k, detail.my_enrolments.get(k.id)) for k in detail.card.cohorts],
            "error": error,
        },
        status=status,
    )


@require_POST
@login_required
def enrol(request: HttpRequest, slug: str) -> HttpResponse:
    language = request.POST.get("language", "")
    try:
        info = c.enrol(
            cohort_slug=slug,
            language=language,
            user_id=_uid(request),
            actor_role=str(request.user.role),  # type: ignore[union-attr]
            now=timezone.now(),
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        course_slug = request.POST.get("course", "")
        if not course_slug:
            raise
        return course_page(request, course_slug, error=exc.message(), status=exc.status)
    messages.success(request, _("You are enrolled in %(cohort)s.") % {"cohort": info.cohort_name})
    return HttpResponseRedirect(reverse("academy:player", args=[info.id]))


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    rows = c.enrolment_list_mine(user_id=_uid(request), language=_language())
    return render(request, "academy/courses/my_learning.html", {"enrolments": rows})


@login_required
def player(request: HttpRequest, enrolment_id: int, lesson_id: int | None = None) -> HttpResponse:
    try:
        view = c.lesson_view(enrolment_id=enrolment_id, lesson_id=lesson_id, actor_id=_uid(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    return render(request, "academy/courses/player.html", {"view": view, "e": view.enrolment})


@require_POST
@login_required
def lesson_done(request: HttpRequest, enrolment_id: int, lesson_id: int) -> HttpResponse:
    try:
        progress = c.lesson_complete(
            enrolment_id=enrolment_id,
            lesson_id=lesson_id,
            actor_id=_uid(request),
            now=timezone.now(),
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        messages.error(request, exc.message())
        return HttpResponseRedirect(reverse("academy:lesson", args=[enrolment_id, lesson_id]))
    if progress.completed_at and progress.next_lesson_id is None:
        messages.success(request, _("Well done: you have completed every lesson of the course."))
    target = (
        progress.next_lesson_id
        if request.POST.get("next") and progress.next_lesson_id
        else lesson_id
    )
    return HttpResponseRedirect(reverse("academy:lesson", args=[enrolment_id, target]))


@require_POST
@login_required
def withdraw(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    try:
        c.enrolment_withdraw(enrolment_id=enrolment_id, actor_id=_uid(request), now=timezone.now())
    except DomainError as exc:
        raise _page_error(exc) from None
    messages.success(request, _("You left the cohort. You can enrol again while it is open."))
    return HttpResponseRedirect(reverse("academy:my_learning"))


# --- teachers --------------------------------------------------------------------------------


@login_required
def teach_home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not c.may_create_course(**actor):
        raise DjangoPermissionDenied(
            _("Only operators and teachers of a course can create courses.")
        )
    courses = c.courses_taught(language=_language(), **actor)
    return render(
        request,
        "academy/courses/teach.html",
        {"courses": courses, "content_languages": NEW_COURSE_LANGUAGES, "form": {}, "error": ""},
    )


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if request.method != "POST":
        return HttpResponseRedirect(reverse("academy:teach"))
    try:
        course = c.course_create(
            slug=request.POST.get("slug", ""),
            title=_texts(request, "title", NEW_COURSE_LANGUAGES),
            summary=_texts(request, "summary", NEW_COURSE_LANGUAGES),
            languages=request.POST.get("languages", ""),
            now=timezone.now(),
            **actor,
        )
    except PermissionDenied as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        courses = c.courses_taught(language=_language(), **actor)
        return render(
            request,
            "academy/courses/teach.html",
            {
                "courses": courses,
                "content_languages": NEW_COURSE_LANGUAGES,
                "form": request.POST,
                "error": exc.message(),
            },
            status=exc.status,
        )
    return HttpResponseRedirect(reverse("academy:course_edit", args=[course.slug]))


def _edit_page(
    request: HttpRequest, slug: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    actor = _actor(request)
    try:
        course = c.course_edit_get(slug=slug, **actor)
        workshop_ids = w.workshops_of_course(course_slug=slug, **actor)
        workshops = [
            w.workshop_get(
                workshop_id=i, language=_language(), viewer_zone=_viewer_zone(request), **actor
            )
            for i in workshop_ids
        ]
    except DomainError as exc:
        raise _page_error(exc) from None
    return render(
        request,
        "academy/courses/edit.html",
        {
            "course": course,
            "workshops": workshops,
            "error": error,
            "time_zones": ("Europe/Rome", "Europe/Madrid", "Europe/London", "UTC", "Asia/Shanghai"),
        },
        status=status,
    )


@login_required
def course_edit(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "POST":
        actor = _actor(request)
        try:
            current = c.course_edit_get(slug=slug, **actor)
            c.course_update(
                slug=slug,
                title=_texts(request, "title", current.languages),
                summary=_texts(request, "summary", current.languages),
                languages=request.POST.get("languages", ""),
                **actor,
            )
        except (NotFound, PermissionDenied) as exc:
            raise _page_error(exc) from None
        except DomainError as exc:
            return _edit_page(request, slug, error=exc.message(), status=exc.status)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("academy:course_edit", args=[slug]))
    return _edit_page(request, slug)


def _teacher_post(request: HttpRequest, slug: str, call: Any, *, anchor: str = "") -> HttpResponse:
    """Run one teacher action; 404/403 as pages, other errors back on the edit page."""
    try:
        call()
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _edit_page(request, slug, error=exc.message(), status=exc.status)
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(reverse("academy:course_edit", args=[slug]) + anchor)


@require_POST
@login_required
def course_publish(request: HttpRequest, slug: str) -> HttpResponse:
    published = request.POST.get("published") == "1"
    return _teacher_post(
        request,
        slug,
        lambda: c.course_publish(
            slug=slug, published=published, now=timezone.now(), **_actor(request)
        ),
    )


@require_POST
@login_required
def module_new(request: HttpRequest, slug: str) -> HttpResponse:
    def call() -> None:
        course = c.course_edit_get(slug=slug, **_actor(request))
        c.module_add(slug=slug, title=_texts(request, "title", course.languages), **_actor(request))

    return _teacher_post(request, slug, call, anchor="#modules")


@require_POST
@login_required
def module_edit(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    def call() -> None:
        course = c.course_edit_get(slug=slug, **_actor(request))
        c.module_update(
            module_id=module_id, title=_texts(request, "title", course.languages), **_actor(request)
        )

    return _teacher_post(request, slug, call, anchor=f"#module-{module_id}")


@require_POST
@login_required
def module_move(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    direction = request.POST.get("direction", "")
    return _teacher_post(
        request,
        slug,
        lambda: c.module_move(module_id=module_id, direction=direction, **_actor(request)),
        anchor=f"#module-{module_id}",
    )


@require_POST
@login_required
def lesson_new(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    def call() -> None:
        course = c.course_edit_get(slug=slug, **_actor(request))
        c.lesson_add(
            module_id=module_id,
            title=_texts(request, "title", course.languages),
            body={},
            minutes=_int(request.POST.get("minutes"), 10),
            **_actor(request),
        )

    return _teacher_post(request, slug, call, anchor=f"#module-{module_id}")


@login_required
def lesson_edit(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    actor = _actor(request)
    error, status = "", 200
    try:
        course = c.course_edit_get(slug=slug, **actor)
        lesson = c.lesson_edit_get(lesson_id=lesson_id, **actor)
    except DomainError as exc:
        raise _page_error(exc) from None
    if lesson.module_id not in {m.id for m in course.modules}:
        raise Http404
    preview_language = (
        request.POST.get("preview_language") or request.GET.get("preview") or _language()
    )
    if preview_language not in course.languages:  # the teacher's language when the course has it
        preview_language = course.languages[0]
    if request.method == "POST":
        title = _texts(request, "title", course.languages)
        body = _texts(request, "body", course.languages)
        if request.POST.get("action") == "preview":
            lesson = c.LessonEdit(
                id=lesson.id,
                module_id=lesson.module_id,
                position=lesson.position,
                title=title,
                body=body,
                minutes=_int(request.POST.get("minutes"), lesson.minutes),
            )
        else:
            try:
                c.lesson_update(
                    lesson_id=lesson_id,
                    title=title,
                    body=body,
                    minutes=_int(request.POST.get("minutes"), lesson.minutes),
                    **actor,
                )
            except (NotFound, PermissionDenied) as exc:
                raise _page_error(exc) from None
            except DomainError as exc:
                error, status = exc.message(), exc.status
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(
                    reverse("academy:lesson_edit", args=[slug, lesson_id])
                    + f"?preview={preview_language}"
                )
    preview = c.markdown_preview(text=lesson.body.get(preview_language, ""))
    fields = [
        (code, lesson.title.get(code, ""), lesson.body.get(code, "")) for code in course.languages
    ]
    return render(
        request,
        "academy/courses/lesson_edit.html",
        {
            "course": course,
            "lesson": lesson,
            "fields": fields,
            "preview": preview,
            "preview_language": preview_language,
            "error": error,
        },
        status=status,
    )


@require_POST
@login_required
def lesson_move(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    direction = request.POST.get("direction", "")
    return _teacher_post(
        request,
        slug,
        lambda: c.lesson_move(lesson_id=lesson_id, direction=direction, **_actor(request)),
        anchor="#modules",
    )


@require_POST
@login_required
def cohort_new(request: HttpRequest, slug: str) -> HttpResponse:
    starts_on = _date(request.POST.get("starts_on"))
    ends_on = _date(request.POST.get("ends_on"))

    def call() -> None:
        if starts_on is None or ends_on is None:
            raise c.InvalidCohortDates("missing dates")
        c.cohort_create(
            course_slug=slug,
            slug=request.POST.get("cohort_slug", ""),
            name=request.POST.get("name", ""),
            starts_on=starts_on,
            ends_on=ends_on,
            languages=request.POST.get("cohort_languages", ""),
            capacity=_int(request.POST.get("capacity")),
            now=timezone.now(),
            **_actor(request),
        )

    return _teacher_post(request, slug, call, anchor="#cohorts")


@login_required
def cohort_people(request: HttpRequest, slug: str, cohort: str) -> HttpResponse:
    try:
        card = c.cohort_get(slug=cohort)
        if card.course_slug != slug:
            raise c.CohortNotFound("cohort of another course")
        rows = c.cohort_enrolments(cohort_slug=cohort, language=_language(), **_actor(request))
        course = c.course_get(
            slug=slug, language=_language(), today=timezone.localdate(), **_actor(request)
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    people = user_summaries(user_ids=[e.user_id for e in rows])
    return render(
        request,
        "academy/courses/cohort_people.html",
        {
            "cohort": card,
            "slug": slug,
            "course_title": course.card.title,
            "rows": [(e, people.get(e.user_id)) for e in rows],
        },
    )


@require_POST
@login_required
def workshop_new(request: HttpRequest, slug: str) -> HttpResponse:
    def call() -> None:
        course = c.course_edit_get(slug=slug, **_actor(request))
        zone = w.check_time_zone(request.POST.get("time_zone", ""))
        try:
            local = datetime.fromisoformat(request.POST.get("starts_at", ""))
        except ValueError:
            raise w.InvalidWorkshop("bad start") from None
        w.workshop_create(
            course_slug=slug,
            cohort_slug=request.POST.get("cohort") or None,
            title=_texts(request, "title", course.languages),
            starts_at=local.replace(tzinfo=ZoneInfo(zone)),
            duration_minutes=_int(request.POST.get("duration_minutes"), 60),
            time_zone=zone,
            capacity=_int(request.POST.get("capacity")),
            location=request.POST.get("location", ""),
            online_link=request.POST.get("online_link", ""),
            now=timezone.now(),
            **_actor(request),
        )

    return _teacher_post(request, slug, call, anchor="#workshops")


# --- workshops -------------------------------------------------------------------------------


@login_required
def workshop_calendar(request: HttpRequest) -> HttpResponse:
    zone = _viewer_zone(request)
    months = w.workshop_calendar(
        now=timezone.now(), language=_language(), viewer_zone=zone, past_days=31, **_actor(request)
    )
    response = render(
        request,
        "academy/workshops/calendar.html",
        {
            "months": months,
            "zone": zone,
            "now": timezone.now(),
            "has_zone_cookie": TZ_COOKIE in request.COOKIES,
        },
    )
    if request.GET.get("tz") == zone:
        response.set_cookie(TZ_COOKIE, zone, max_age=365 * 86400, samesite="Lax")
    return response


def _workshop_page(
    request: HttpRequest, workshop_id: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    actor = _actor(request)
    try:
        info = w.workshop_get(
            workshop_id=workshop_id,
            language=_language(),
            viewer_zone=_viewer_zone(request),
            **actor,
        )
        registrations = (
            w.registration_list(workshop_id=workshop_id, **actor) if info.is_teacher else []
        )
    except DomainError as exc:
        raise _page_error(exc) from None
    people = user_summaries(user_ids=[r.user_id for r in registrations])
    return render(
        request,
        "academy/workshops/workshop.html",
        {
            "w": info,
            "zone": _viewer_zone(request),
            "registrations": [(r, people.get(r.user_id)) for r in registrations],
            "started": info.starts_at <= timezone.now(),
            "error": error,
            "REGISTERED": RegistrationStatus.REGISTERED,
            "WAITLISTED": RegistrationStatus.WAITLISTED,
        },
        status=status,
    )


@login_required
def workshop_page(request: HttpRequest, workshop_id: int) -> HttpResponse:
    return _workshop_page(request, workshop_id)


@require_POST
@login_required
def workshop_register(request: HttpRequest, workshop_id: int) -> HttpResponse:
    try:
        reg = w.workshop_register(
            workshop_id=workshop_id, user_id=_uid(request), now=timezone.now()
        )
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _workshop_page(request, workshop_id, error=exc.message(), status=exc.status)
    if reg.status == RegistrationStatus.REGISTERED:
        messages.success(request, _("You have a seat at this workshop."))
    else:
        messages.success(
            request,
            _("The workshop is full: you are number %(rank)s on the waiting list.")
            % {"rank": reg.waitlist_rank},
        )
    return HttpResponseRedirect(reverse("academy:workshop", args=[workshop_id]))


@require_POST
@login_required
def workshop_cancel(request: HttpRequest, workshop_id: int) -> HttpResponse:
    try:
        w.workshop_cancel(workshop_id=workshop_id, user_id=_uid(request), now=timezone.now())
    except NotFound as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _workshop_page(request, workshop_id, error=exc.message(), status=exc.status)
    messages.success(request, _("Your registration is cancelled."))
    return HttpResponseRedirect(reverse("academy:workshop", args=[workshop_id]))


@require_POST
@login_required
def workshop_attendance(request: HttpRequest, workshop_id: int) -> HttpResponse:
    try:
        w.attendance_record(
            workshop_id=workshop_id,
            user_id=_id(request.POST.get("user_id", "")),
            attended=request.POST.get("attended") == "1",
            now=timezone.now(),
            **_actor(request),
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from None
    except DomainError as exc:
        return _workshop_page(request, workshop_id, error=exc.message(), status=exc.status)
    return HttpResponseRedirect(reverse("academy:workshop", args=[workshop_id]) + "#attendance")


@login_required
def workshop_ics(request: HttpRequest, workshop_id: int) -> HttpResponse:
    try:
        text = w.workshop_ics(workshop_id=workshop_id, language=_language(), **_actor(request))
    except DomainError as exc:
        raise _page_error(exc) from None
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="workshop-{workshop_id}.ics"'
    return response
