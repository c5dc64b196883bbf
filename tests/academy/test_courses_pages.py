"""The course and workshop pages: what each person sees, the forms, and the denials
(anonymous to /login/, another learner 404, non-teachers 403)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from fiera.academy.models import Course, Enrolment, Lesson, LessonProgress, WorkshopRegistration
from tests.academy import factories as af
from tests.academy.courses_factories import teacher, workshop
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
FAR = date(2099, 12, 31)


def _as(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_catalogue_and_course_page_are_public_and_translated(client: Client) -> None:
    course = af.course("digital")
    af.cohort(course, slug="run-1", ends_on=FAR, capacity=3)
    page = client.get("/academy/", HTTP_ACCEPT_LANGUAGE="it")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Corso digital" in text and "Cohort run-1" in text
    course_page = client.get("/academy/courses/digital/", HTTP_ACCEPT_LANGUAGE="en")
    assert course_page.status_code == 200
    assert "Lesson 1.1" in course_page.content.decode()
    assert 'href="/login/?next=' in course_page.content.decode()
    assert client.get("/academy/courses/nope/").status_code == 404
    draft = af.course(published=False)
    assert client.get(f"/academy/courses/{draft.slug}/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    for url in (
        "/academy/my/",
        "/academy/learn/1/",
        "/academy/teach/",
        "/academy/workshops/",
        "/academy/workshops/1/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    response = client.post("/academy/cohorts/x/enrol", {"language": "it"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_enrol_player_mark_done_and_my_learning(client: Client) -> None:
    course = af.course("digital", modules=1, lessons=2)
    cohort = af.cohort(course, slug="run-1", ends_on=FAR, capacity=5)
    learner = f.user(role="learner")
    c = _as(client, learner)
    response = c.post("/academy/cohorts/run-1/enrol", {"language": "es", "course": "digital"})
    enrolment = Enrolment.objects.get(cohort=cohort, user=learner)
    assert response.status_code == 302 and response["Location"] == f"/academy/learn/{enrolment.id}/"
    course_page = c.get("/academy/courses/digital/").content.decode()
    assert f'href="/academy/learn/{enrolment.id}/"' in course_page
    assert "/academy/cohorts/run-1/enrol" not in course_page
    player = c.get(response["Location"])
    text = player.content.decode()
    assert player.status_code == 200 and "Lección 1.1" in text and 'value="0"' in text
    first, second = Lesson.objects.filter(module__course=course).order_by("position")
    done = c.post(f"/academy/learn/{enrolment.id}/lessons/{first.id}/done", {"next": "1"})
    assert done["Location"] == f"/academy/learn/{enrolment.id}/lessons/{second.id}/"
    c.post(f"/academy/learn/{enrolment.id}/lessons/{first.id}/done", {"next": "1"})
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 1
    mine = c.get("/academy/my/").content.decode()
    assert "50 %" in mine and "digital" in mine
    again = c.post("/academy/cohorts/run-1/enrol", {"language": "es", "course": "digital"})
    assert again.status_code == 409 and "already enrolled" in again.content.decode()
    # another learner gets 404 on this player and on marking
    intruder = _as(Client(), f.user(role="learner"))
    assert intruder.get(f"/academy/learn/{enrolment.id}/").status_code == 404
    assert (
        intruder.post(f"/academy/learn/{enrolment.id}/lessons/{first.id}/done").status_code == 404
    )


def test_a_full_cohort_says_so_with_409(client: Client) -> None:
    cohort = af.cohort(af.course("tiny"), slug="tiny-1", ends_on=FAR, capacity=1)
    af.enrolment(cohort)
    c = _as(client, f.user(role="buyer"))
    response = c.post(
        "/academy/cohorts/tiny-1/enrol",
        {"language": "it", "course": "tiny"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "is full" in response.content.decode()


def test_teacher_pages_build_a_course_and_others_get_403(client: Client) -> None:
    existing = af.course("existing")
    t = teacher(existing)
    stranger = _as(Client(), f.user(role="learner"))
    assert stranger.get("/academy/teach/").status_code == 403
    assert stranger.get("/academy/teach/existing/").status_code == 403
    assert stranger.post("/academy/teach/existing/publish", {"published": "0"}).status_code == 403
    c = _as(client, t)
    assert c.get("/academy/teach/").status_code == 200
    created = c.post(
        "/academy/teach/new",
        {"slug": "exports", "languages": "it,en", "title_it": "Export", "title_en": "Exports"},
    )
    assert created.status_code == 302 and created["Location"] == "/academy/teach/exports/"
    bad = c.post("/academy/teach/new", {"slug": "Not a slug", "languages": "it", "title_it": "X"})
    assert bad.status_code == 422
    c.post("/academy/teach/exports/modules", {"title_en": "Markets", "title_it": "Mercati"})
    module = Course.objects.get(slug="exports").modules.get()
    c.post(
        f"/academy/teach/exports/modules/{module.id}/lessons",
        {"title_en": "Where", "minutes": "12"},
    )
    lesson = module.lessons.get()
    editor = c.get(f"/academy/teach/exports/lessons/{lesson.id}/")
    assert editor.status_code == 200
    preview = c.post(
        f"/academy/teach/exports/lessons/{lesson.id}/",
        {
            "action": "preview",
            "title_en": "Where",
            "body_en": "# Big\n\n<script>x</script>",
            "preview_language": "en",
            "minutes": "12",
        },
    )
    html = preview.content.decode()
    assert "<h1>Big</h1>" in html and "&lt;script&gt;" in html
    lesson.refresh_from_db()
    assert lesson.body == {}  # a preview saves nothing
    c.post(
        f"/academy/teach/exports/lessons/{lesson.id}/",
        {"action": "save", "title_en": "Where", "body_en": "# Big", "minutes": "12"},
    )
    lesson.refresh_from_db()
    assert lesson.body == {"en": "# Big"}
    assert stranger.get(f"/academy/teach/exports/lessons/{lesson.id}/").status_code == 403
    c.post("/academy/teach/exports/publish", {"published": "1"})
    assert Course.objects.get(slug="exports").published_at is not None
    c.post(
        "/academy/teach/exports/cohorts",
        {
            "cohort_slug": "exports-1",
            "name": "Exports 1",
            "starts_on": "2027-01-01",
            "ends_on": "2027-02-01",
            "cohort_languages": "it,en",
            "capacity": "20",
        },
    )
    assert c.get("/academy/teach/exports/cohorts/exports-1/").status_code == 200
    assert stranger.get("/academy/teach/exports/cohorts/exports-1/").status_code == 403
    c.post(
        "/academy/teach/exports/workshops",
        {
            "title_en": "Clinic",
            "starts_at": "2099-05-04T18:30",
            "time_zone": "Europe/Rome",
            "capacity": "10",
            "duration_minutes": "60",
            "cohort": "exports-1",
        },
    )
    ws = Course.objects.get(slug="exports").workshops.get()
    assert ws.starts_at.isoformat() == "2099-05-04T16:30:00+00:00"


def test_workshop_pages_register_waitlist_and_attendance(client: Client) -> None:
    cohort = af.cohort(ends_on=FAR)
    t = teacher(cohort.course)
    ws = workshop(cohort.course, cohort=cohort, capacity=1, days_ahead=400)
    a, b = f.user(role="learner"), f.user(role="learner")
    af.enrolment(cohort, a)
    af.enrolment(cohort, b)
    ca, cb = _as(Client(), a), _as(Client(), b)
    ca.post(f"/academy/workshops/{ws.id}/register")
    cb.post(f"/academy/workshops/{ws.id}/register")
    page = cb.get(f"/academy/workshops/{ws.id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting list: number 1" in page and "meet.example.org" not in page
    calendar = cb.get("/academy/workshops/?tz=America/New_York", HTTP_ACCEPT_LANGUAGE="en")
    assert calendar.status_code == 200 and "America/New_York" in calendar.content.decode()
    assert calendar.cookies["fiera_tz"].value == "America/New_York"
    ca.post(f"/academy/workshops/{ws.id}/cancel")
    assert WorkshopRegistration.objects.get(workshop=ws, user=b).status == "registered"
    assert "meet.example.org" in cb.get(f"/academy/workshops/{ws.id}/").content.decode()
    assert (
        cb.post(
            f"/academy/workshops/{ws.id}/attendance", {"user_id": b.pk, "attended": "1"}
        ).status_code
        == 403
    )
    ct = _as(client, t)
    assert (
        "Registrations and attendance"
        in ct.get(f"/academy/workshops/{ws.id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    ct.post(f"/academy/workshops/{ws.id}/attendance", {"user_id": b.pk, "attended": "1"})
    assert WorkshopRegistration.objects.get(workshop=ws, user=b).attended_at is not None
    ics = cb.get(f"/academy/workshops/{ws.id}.ics")
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    outsider = _as(Client(), f.user(role="learner"))
    assert outsider.get(f"/academy/workshops/{ws.id}/").status_code == 404
    assert outsider.post(f"/academy/workshops/{ws.id}/register").status_code == 404
