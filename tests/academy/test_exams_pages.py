"""The assessment pages: intro, taking (no key in the HTML, no inline script), result,
leaderboard (public), gradebook and CSV, the builder and its import; and the denials."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fiera.academy.models import Attempt, Question
from fiera.accounts.roles import OPERATOR
from tests.academy import exams_factories as ef
from tests.academy import factories as af
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    course = af.course()
    cohort = af.cohort(course)
    enrolment = af.enrolment(cohort)
    final = ef.assessment(course, created_at=timezone.now() - timedelta(days=1))
    questions = {q.pk: q for q in ef.bank(final)}
    return course, cohort, enrolment, final, questions


def test_take_the_exam_with_the_plain_form(client, world):
    _, cohort, enrolment, final, questions = world
    client.force_login(enrolment.user)
    intro = client.get(f"/academy/tests/{final.pk}/")
    assert intro.status_code == 200
    assert "60%" in intro.content.decode()
    started = client.post(f"/academy/tests/{final.pk}/start")
    attempt = Attempt.objects.get()
    assert started.url == f"/academy/attempts/{attempt.pk}/"
    page = client.get(started.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-seconds-left" in html and "academy/exam.js" in html
    for secret in ("weight", "Tiber", "Tevere", 'value="c1"', "correct"):
        assert secret not in html, secret
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert "style=" not in html
    form: dict[str, object] = {}
    for entry in attempt.paper:
        r = ef.right_response(entry, questions[entry["q"]])
        name = f"q{entry['q']}"
        if "choice" in r:
            form[name] = str(r["choice"])
        elif "choices" in r:
            form[name] = [str(i) for i in r["choices"]]
        elif "matches" in r:
            for i, m in enumerate(r["matches"]):
                form[f"{name}_{i}"] = str(m)
        elif isinstance(r.get("value"), bool):
            form[name] = "true" if r["value"] else "false"
        else:
            form[name] = str(r.get("value", r.get("text")))
    done = client.post(f"/academy/attempts/{attempt.pk}/submit", form)
    assert done.url == f"/academy/attempts/{attempt.pk}/result/"
    result = client.get(done.url).content.decode()
    assert "100.0%" in result or "100,0%" in result
    assert "ranking-visibility" in result
    hide = client.post(
        f"/academy/cohorts/{cohort.slug}/ranking-visibility", {"hidden": "1", "next": done.url}
    )
    assert hide.url == done.url
    enrolment.refresh_from_db()
    assert enrolment.ranking_hidden
    board = client.get(f"/academy/cohorts/{cohort.slug}/leaderboard/")
    assert "Anonymous learner" in board.content.decode() or board.status_code == 200


def test_the_leaderboard_is_public(client, world):
    _, cohort, enrolment, _, _ = world
    enrolment.final_score_permille = 870
    enrolment.final_seconds = 754
    enrolment.final_passed_at = af.NOW
    enrolment.save()
    page = client.get(f"/academy/cohorts/{cohort.slug}/leaderboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "87.0%" in html or "87,0%" in html
    assert "12:34" in html
    assert client.get("/academy/cohorts/nope/leaderboard/").status_code == 404


def test_denials(client, world):
    _, cohort, enrolment, final, _ = world
    assert client.get(f"/academy/tests/{final.pk}/").status_code == 302  # to sign in
    client.force_login(enrolment.user)
    client.post(f"/academy/tests/{final.pk}/start")
    attempt = Attempt.objects.get()
    client.force_login(af.enrolment(cohort).user)
    assert client.get(f"/academy/attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"/academy/attempts/{attempt.pk}/result/").status_code == 404
    assert client.post(f"/academy/attempts/{attempt.pk}/submit").status_code == 404
    assert client.get(f"/academy/cohorts/{cohort.slug}/gradebook/").status_code == 403
    assert client.get(f"/academy/cohorts/{cohort.slug}/gradebook.csv").status_code == 403
    assert client.get(f"/academy/teach/tests/{final.pk}/").status_code == 403
    assert client.get(f"/academy/teach/tests/{final.pk}/export.gift").status_code == 403


def test_teachers_gradebook_csv_and_builder(client, world):
    course, cohort, _, _final, _ = world
    client.force_login(f.user(role=OPERATOR))
    page = client.get(f"/academy/cohorts/{cohort.slug}/gradebook/")
    assert page.status_code == 200
    csv_reply = client.get(f"/academy/cohorts/{cohort.slug}/gradebook.csv")
    assert csv_reply["Content-Type"].startswith("text/csv")
    text = b"".join(csv_reply.streaming_content).decode()
    assert text.startswith("enrolment_id,username,name,language,status,final_best_percent")
    listing = client.get(f"/academy/teach/courses/{course.slug}/tests/")
    assert listing.status_code == 200
    created = client.post(
        f"/academy/teach/courses/{course.slug}/tests/",
        {
            "kind": "quiz",
            "module_position": "1",
            "title_it": "Quiz uno",
            "time_limit_minutes": "10",
            "attempts_allowed": "2",
            "pass_mark_percent": "70",
            "shuffle_choices": "on",
            "opens_at": "2026-11-01T09:00",
            "closes_at": "2027-01-31T18:30",
        },
    )
    assert created.status_code == 302, created.content.decode()[:500]
    quiz_id = int(created.url.rstrip("/").split("/")[-1])
    builder = client.get(created.url)
    assert builder.status_code == 200
    assert 'value="2027-01-31T18:30"' in builder.content.decode()
    added = client.post(
        f"/academy/teach/tests/{quiz_id}/questions/new",
        {
            "kind": "single",
            "text_it": "Capitale?",
            "text_en": "Capital?",
            "answers": "= Roma | Roma | Rome\n~ Milano\n~ %-50% Napoli",
            "points": "2",
        },
    )
    assert added.status_code == 302
    q = Question.objects.get(assessment_id=quiz_id)
    assert q.key["choices"][0] == {
        "id": "c1",
        "text": {"it": "Roma", "es": "Roma", "en": "Rome"},
        "weight": 100,
    }
    assert q.key["choices"][2]["weight"] == -50 and q.points == 2
    edit = client.get(f"/academy/teach/questions/{q.pk}/edit")
    assert "= Roma | Roma | Rome" in edit.content.decode()
    saved = client.post(
        f"/academy/teach/questions/{q.pk}/edit",
        {"kind": "numeric", "text_it": "Pi?", "answers": "3.14:0.01\n%50% 3..3.5", "points": "1"},
    )
    assert saved.status_code == 302
    q.refresh_from_db()
    assert q.kind == "numeric" and q.key["answers"][1] == {"min": "3", "max": "3.5", "weight": 50}
    bad = client.post(
        f"/academy/teach/tests/{quiz_id}/questions/new",
        {"kind": "single", "text_it": "X", "answers": "~ a\n~ b"},
    )
    assert bad.status_code == 422
    broken = client.post(
        f"/academy/teach/tests/{quiz_id}/import",
        {"file": SimpleUploadedFile("b.gift", b"Q1 {=a ~b}\n\nQ2 {=a ~b\n"), "format": "gift"},
    )
    assert broken.status_code == 422
    assert "Line 3" in broken.content.decode()
    assert Question.objects.filter(assessment_id=quiz_id).count() == 1
    good = client.post(
        f"/academy/teach/tests/{quiz_id}/import",
        {"file": SimpleUploadedFile("g.gift", b"Q1 {=a ~b}\n\nQ2 {T}\n"), "format": "gift"},
    )
    assert good.status_code == 302
    assert Question.objects.filter(assessment_id=quiz_id).count() == 3
    exported = client.get(f"/academy/teach/tests/{quiz_id}/export.gift")
    assert "{T" in exported.content.decode() or "TRUE" in exported.content.decode()
    removed = client.post(f"/academy/teach/questions/{q.pk}/delete")
    assert removed.status_code == 302


def test_a_teacher_sees_a_learners_attempt_in_progress_and_unknown_tests_404(client, world):
    _, _, enrolment, final, _ = world
    client.force_login(enrolment.user)
    client.post(f"/academy/tests/{final.pk}/start")
    attempt = Attempt.objects.get()
    client.force_login(f.user(role=OPERATOR))
    seen = client.get(f"/academy/attempts/{attempt.pk}/result/")
    assert seen.status_code == 200
    assert client.get(f"/academy/attempts/{attempt.pk}/").status_code == 302
    assert client.post("/academy/teach/tests/999999/questions/new", {}).status_code == 404
    assert client.post("/academy/teach/tests/999999/", {}).status_code == 404
    assert client.get("/academy/tests/999999/").status_code == 404


def test_a_course_lists_its_tests_with_the_learners_best(client, world):
    course, cohort, enrolment, final, _ = world
    client.force_login(enrolment.user)
    client.post(f"/academy/tests/{final.pk}/start")
    attempt = Attempt.objects.get()
    client.post(f"/academy/attempts/{attempt.pk}/submit", {})
    page = client.get(f"/academy/courses/{course.slug}/tests/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/academy/tests/{final.pk}/" in html and "0.0%" in html and "Not passed" in html
    assert f"/academy/cohorts/{cohort.slug}/leaderboard/" in html
    assert client.get("/academy/courses/nope/tests/").status_code == 404
