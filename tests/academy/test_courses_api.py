"""The course and workshop API: the HTTP contract, errors and denials."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from tests.academy import factories as af
from tests.academy.courses_factories import teacher, workshop
from tests.merchants.factories import bearer, make_user

pytestmark = pytest.mark.django_db

JSON = "application/json"
API = "/api/v1/academy"
FAR = date(2099, 12, 31)  # the API enrols at the real clock


def _post(client: Client, url: str, body: Any, user: Any, **headers: Any) -> Any:
    return client.post(url, body, content_type=JSON, **bearer(user), **headers)


def test_anonymous_is_401_everywhere(client: Client) -> None:
    for url in (f"{API}/courses", f"{API}/enrolments", f"{API}/workshops", f"{API}/enrolments/1"):
        response = client.get(url)
        assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    assert (
        client.post(
            f"{API}/cohorts/x/enrolments", {"language": "it"}, content_type=JSON
        ).status_code
        == 401
    )


def test_catalogue_enrol_read_and_progress(client: Client) -> None:
    cohort = af.cohort(af.course(modules=1, lessons=2), capacity=1, ends_on=FAR)
    learner = make_user("learner")
    courses = client.get(f"{API}/courses", HTTP_ACCEPT_LANGUAGE="it", **bearer(learner)).json()
    assert courses[0]["title"].startswith("Corso") and courses[0]["cohorts"][0]["places_left"] == 1
    enrolled = _post(client, f"{API}/cohorts/{cohort.slug}/enrolments", {"language": "es"}, learner)
    assert enrolled.status_code == 201, enrolled.json()
    body = enrolled.json()
    assert body["language"] == "es" and body["percent"] == 0 and body["lessons_total"] == 2
    twice = _post(client, f"{API}/cohorts/{cohort.slug}/enrolments", {"language": "es"}, learner)
    assert twice.status_code == 409 and twice.json()["error"] == "already_enrolled"
    other = make_user("buyer")
    full = _post(
        client,
        f"{API}/cohorts/{cohort.slug}/enrolments",
        {"language": "it"},
        other,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert full.status_code == 409 and full.json()["error"] == "cohort_full"
    assert "full" in full.json()["detail"]
    wrong = _post(client, f"{API}/cohorts/{cohort.slug}/enrolments", {"language": "xx"}, other)
    assert wrong.status_code in (409, 422)
    e_id, lesson_id = body["id"], body["next_lesson_id"]
    lesson = client.get(f"{API}/enrolments/{e_id}/lessons/{lesson_id}", **bearer(learner)).json()
    assert lesson["title"] == "Lección 1.1" and "<h1>" in lesson["body_html"]
    done = _post(client, f"{API}/enrolments/{e_id}/lessons/{lesson_id}/done", {}, learner)
    assert done.status_code == 200 and done.json()["percent"] == 50
    again = _post(client, f"{API}/enrolments/{e_id}/lessons/{lesson_id}/done", {}, learner)
    assert again.json()["lessons_done"] == 1
    last = _post(
        client, f"{API}/enrolments/{e_id}/lessons/{done.json()['next_lesson_id']}/done", {}, learner
    )
    assert last.json()["percent"] == 100 and last.json()["completed_at"]
    mine = client.get(f"{API}/enrolments", **bearer(learner)).json()
    assert [m["status"] for m in mine] == ["completed"]
    # another learner sees none of it
    assert client.get(f"{API}/enrolments/{e_id}", **bearer(other)).status_code == 404
    assert (
        client.get(f"{API}/enrolments/{e_id}/lessons/{lesson_id}", **bearer(other)).status_code
        == 404
    )
    stolen = _post(client, f"{API}/enrolments/{e_id}/lessons/{lesson_id}/done", {}, other)
    assert stolen.status_code == 404 and stolen.json()["error"] == "enrolment_not_found"
    assert _post(client, f"{API}/enrolments/{e_id}/withdraw", {}, other).status_code == 404
    withdrawn = _post(client, f"{API}/enrolments/{e_id}/withdraw", {}, learner)
    assert withdrawn.json()["status"] == "withdrawn"


def test_teachers_build_through_the_api_and_others_get_403(client: Client) -> None:
    existing = af.course()
    t = teacher(existing)
    stranger = make_user("learner")
    body = {
        "slug": "b2b-sales",
        "title": {"en": "B2B sales", "it": "Vendite B2B"},
        "languages": "it,en",
    }
    assert _post(client, f"{API}/courses", body, stranger).status_code == 403
    created = _post(client, f"{API}/courses", body, t)
    assert created.status_code == 201, created.json()
    assert _post(client, f"{API}/courses", body, t).status_code == 409
    module = _post(client, f"{API}/courses/b2b-sales/modules", {"title": {"en": "Buyers"}}, t)
    assert module.status_code == 201
    m_id = module.json()["id"]
    lesson = _post(
        client,
        f"{API}/modules/{m_id}/lessons",
        {"title": {"en": "Who buys"}, "body": {"en": "# Who"}, "minutes": 15},
        t,
    )
    assert lesson.status_code == 201 and lesson.json()["position"] == 1
    l_id = lesson.json()["id"]
    patched = client.patch(
        f"{API}/lessons/{l_id}", {"body": {"en": "## Who buys"}}, content_type=JSON, **bearer(t)
    )
    assert patched.json()["body"] == {"en": "## Who buys"}
    assert _post(client, f"{API}/modules/{m_id}/move", {"direction": "up"}, t).status_code == 204
    assert (
        _post(client, f"{API}/modules/{m_id}/move", {"direction": "sideways"}, t).status_code == 422
    )
    assert _post(client, f"{API}/courses/b2b-sales/publish", {"published": True}, t).json()[
        "published_at"
    ]
    cohort = _post(
        client,
        f"{API}/courses/b2b-sales/cohorts",
        {
            "slug": "b2b-1",
            "name": "B2B 1",
            "starts_on": "2027-01-10",
            "ends_on": "2027-03-10",
            "languages": "it,en",
            "capacity": 40,
        },
        t,
    )
    assert cohort.status_code == 201 and cohort.json()["places_left"] == 40
    assert (
        _post(
            client,
            f"{API}/courses/b2b-sales/cohorts",
            {
                "slug": "b2b-1",
                "name": "B2B 1",
                "starts_on": "2027-01-10",
                "ends_on": "2027-03-10",
                "languages": "it,en",
                "capacity": "40",
            },
            t,
        ).status_code
        == 422
    )
    preview = _post(
        client, f"{API}/markdown-preview", {"markdown": "<script>x</script>[a](javascript:x)"}, t
    )
    assert "<script>" not in preview.json()["html"] and "href" not in preview.json()["html"]
    # the stranger: 403 for every change and for the editor's view
    for url, payload in (
        (f"{API}/courses/b2b-sales/modules", {"title": {"en": "X"}}),
        (f"{API}/modules/{m_id}/lessons", {"title": {"en": "X"}}),
        (f"{API}/courses/b2b-sales/publish", {"published": False}),
        (
            f"{API}/courses/b2b-sales/cohorts",
            {
                "slug": "b2b-2",
                "name": "x",
                "starts_on": "2027-01-10",
                "ends_on": "2027-03-10",
                "languages": "en",
                "capacity": 4,
            },
        ),
        (f"{API}/courses/b2b-sales/instructors", {"user_id": stranger.pk}),
    ):
        denied = _post(client, url, payload, stranger)
        assert denied.status_code == 403 and denied.json()["error"] == "not_course_teacher", url
    assert client.get(f"{API}/courses/b2b-sales", **bearer(stranger)).status_code == 403
    assert client.get(f"{API}/cohorts/b2b-1/enrolments", **bearer(stranger)).status_code == 403
    assert (
        client.get(f"{API}/courses/b2b-sales", **bearer(t)).json()["modules"][0]["lessons"][0]["id"]
        == l_id
    )
    assert client.get(f"{API}/courses/no-such", **bearer(t)).status_code == 404


def test_workshops_register_waitlist_cancel_and_attendance(client: Client) -> None:
    cohort = af.cohort(ends_on=FAR)
    t = teacher(cohort.course)
    ws = workshop(cohort.course, cohort=cohort, capacity=1, days_ahead=400)  # after today
    a, b = make_user("learner"), make_user("merchant")
    af.enrolment(cohort, a)
    af.enrolment(cohort, b)
    first = _post(client, f"{API}/workshops/{ws.id}/registration", {}, a)
    assert first.status_code == 201 and first.json()["status"] == "registered"
    second = _post(client, f"{API}/workshops/{ws.id}/registration", {}, b)
    assert second.json()["status"] == "waitlisted" and second.json()["waitlist_rank"] == 1
    assert _post(client, f"{API}/workshops/{ws.id}/registration", {}, b).status_code == 409
    listed = client.get(f"{API}/workshops?tz=Europe/Madrid", **bearer(b)).json()
    assert listed[0]["mine"]["status"] == "waitlisted" and listed[0]["online_link"] == ""
    assert client.get(f"{API}/workshops?tz=Nowhere/City", **bearer(b)).status_code == 422
    cancelled = client.delete(f"{API}/workshops/{ws.id}/registration", **bearer(a))
    assert cancelled.json()["status"] == "cancelled"
    mine = client.get(f"{API}/workshops/{ws.id}", **bearer(b)).json()
    assert mine["mine"]["status"] == "registered" and mine["online_link"]
    # attendance: the teacher only
    denied = _post(
        client, f"{API}/workshops/{ws.id}/attendance", {"user_id": b.pk, "attended": True}, a
    )
    assert denied.status_code == 403
    assert client.get(f"{API}/workshops/{ws.id}/registrations", **bearer(b)).status_code == 403
    marked = _post(
        client, f"{API}/workshops/{ws.id}/attendance", {"user_id": b.pk, "attended": True}, t
    )
    assert marked.status_code == 200 and marked.json()["attended_at"]
    regs = client.get(f"{API}/workshops/{ws.id}/registrations", **bearer(t)).json()
    assert [r["status"] for r in regs] == ["registered", "cancelled"]
    # scheduling: teachers only; an unknown zone is 422
    body = {
        "title": {"en": "Clinic"},
        "starts_at": (ws.starts_at + timedelta(days=7)).isoformat(),
        "time_zone": "Europe/Rome",
        "capacity": 20,
    }
    assert (
        _post(client, f"{API}/courses/{cohort.course.slug}/workshops", body, a).status_code == 403
    )
    made = _post(client, f"{API}/courses/{cohort.course.slug}/workshops", body, t)
    assert made.status_code == 201 and made.json()["time_zone"] == "Europe/Rome"
    bad = _post(
        client, f"{API}/courses/{cohort.course.slug}/workshops", {**body, "time_zone": "Rome"}, t
    )
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_time_zone"
    ics = client.get(f"{API}/workshops/{ws.id}/ics", **bearer(b))
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content
    outsider = make_user("learner")
    assert client.get(f"{API}/workshops/{ws.id}", **bearer(outsider)).status_code == 404
    assert _post(client, f"{API}/workshops/{ws.id}/registration", {}, outsider).status_code == 403
