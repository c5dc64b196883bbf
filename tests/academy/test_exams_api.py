"""The assessments API: the paper holds no answer key, the deadline is the server's, other
learners get 404, teachers build banks and import Moodle's GIFT examples all or nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from fiera.academy.models import Attempt, Question
from fiera.accounts.roles import OPERATOR
from fiera.accounts.services import token_issue
from tests.academy import exams_factories as ef
from tests.academy import factories as af
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent


def gift_file(name: str) -> bytes:
    for folder in ("questionformats_data", "data"):
        path = DATA / folder / name
        if path.exists():
            return path.read_bytes()
    raise FileNotFoundError(name)


def auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}"}


@pytest.fixture
def world():
    course = af.course()
    cohort = af.cohort(course)
    enrolment = af.enrolment(cohort)
    final = ef.assessment(course, kind="final", created_at=timezone.now() - timedelta(days=1))
    questions = {q.pk: q for q in ef.bank(final)}
    return course, cohort, enrolment, final, questions


def put(client, url, body, headers):
    return client.put(url, data=json.dumps(body), content_type="application/json", **headers)


def test_take_an_exam_over_the_api_and_no_key_leaks(client, world):
    _, _, enrolment, final, questions = world
    h = auth(enrolment.user)
    started = client.post(f"/api/v1/academy/assessments/{final.pk}/attempts", **h)
    assert started.status_code == 201, started.content
    body = started.json()
    raw = started.content.decode()
    for secret in ('"weight"', '"correct"', '"key"', '"answer"', "Tevere", '"c1"', '"p1"'):
        assert secret not in raw, secret
    attempt_id = body["id"]
    paper = Attempt.objects.get(pk=attempt_id).paper
    for entry in paper:
        saved = put(
            client,
            f"/api/v1/academy/attempts/{attempt_id}/answers/{entry['q']}",
            {"response": ef.right_response(entry, questions[entry["q"]])},
            h,
        )
        assert saved.status_code == 200, saved.content
    during = client.get(f"/api/v1/academy/attempts/{attempt_id}", **h).json()
    assert all(q["credit_permille"] is None for q in during["questions"])  # no marks before
    assert all(q["response"] is not None for q in during["questions"])
    done = client.post(f"/api/v1/academy/attempts/{attempt_id}/submit", **h)
    assert done.status_code == 200
    assert done.json()["score_permille"] == 1000 and done.json()["passed"] is True
    assert "Tiber" not in done.content.decode()  # the other accepted answer stays secret
    intro = client.get(f"/api/v1/academy/assessments/{final.pk}", **h).json()
    assert intro["attempts_left"] == 2 and intro["attempts"][0]["passed"] is True


def test_saving_after_the_deadline_is_409_and_the_attempt_is_submitted(client, world):
    _, _, enrolment, final, _ = world
    h = auth(enrolment.user)
    attempt_id = client.post(f"/api/v1/academy/assessments/{final.pk}/attempts", **h).json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    Attempt.objects.filter(pk=attempt_id).update(
        started_at=attempt.started_at - timedelta(hours=1),
        deadline_at=attempt.started_at - timedelta(minutes=30),
    )
    first = attempt.paper[0]
    late = put(
        client,
        f"/api/v1/academy/attempts/{attempt_id}/answers/{first['q']}",
        {"response": {"value": True}},
        h,
    )
    assert late.status_code == 409
    assert late.json()["error"] == "attempt_time_up"
    assert "saved before the deadline were submitted" in late.json()["detail"]
    attempt.refresh_from_db()
    assert attempt.auto_submitted and attempt.submitted_at == attempt.deadline_at


def test_another_learner_gets_404_and_anonymous_401(client, world):
    _, cohort, enrolment, final, _ = world
    attempt_id = client.post(
        f"/api/v1/academy/assessments/{final.pk}/attempts", **auth(enrolment.user)
    ).json()["id"]
    question = Attempt.objects.get(pk=attempt_id).paper[0]["q"]
    other = auth(af.enrolment(cohort).user)
    assert client.get(f"/api/v1/academy/attempts/{attempt_id}", **other).status_code == 404
    assert client.post(f"/api/v1/academy/attempts/{attempt_id}/submit", **other).status_code == 404
    saved = put(
        client,
        f"/api/v1/academy/attempts/{attempt_id}/answers/{question}",
        {"response": {"value": True}},
        other,
    )
    assert saved.status_code == 404
    assert client.get(f"/api/v1/academy/attempts/{attempt_id}").status_code == 401
    stranger = auth(f.user(role="buyer"))
    started = client.post(f"/api/v1/academy/assessments/{final.pk}/attempts", **stranger)
    assert started.status_code == 403 and started.json()["error"] == "not_enrolled"
    assert (
        client.get(f"/api/v1/academy/cohorts/{cohort.slug}/gradebook", **other).status_code == 403
    )
    assert (
        client.get(f"/api/v1/academy/assessments/{final.pk}/questions", **other).status_code == 403
    )


def test_teachers_build_import_export_and_read_the_gradebook(client, world):
    course, cohort, _, _final, _ = world
    op = auth(f.user(role=OPERATOR))
    created = client.post(
        "/api/v1/academy/assessments",
        data=json.dumps(
            {"course": course.slug, "kind": "quiz", "module_position": 1, "title": {"it": "Quiz"}}
        ),
        content_type="application/json",
        **op,
    )
    assert created.status_code == 201, created.content
    quiz_id = created.json()["id"]
    added = client.post(
        f"/api/v1/academy/assessments/{quiz_id}/questions",
        data=json.dumps(ef.BANK[3]),
        content_type="application/json",
        **op,
    )
    assert added.status_code == 201 and added.json()["key"]["answers"]
    imported = client.post(
        f"/api/v1/academy/assessments/{quiz_id}/import",
        {"file": _upload("examples.gift", gift_file("moodle_gift_examples.txt")), "format": "gift"},
        **op,
    )
    assert imported.status_code == 201, imported.content
    assert imported.json()["imported"] == 43
    kinds = set(Question.objects.filter(assessment_id=quiz_id).values_list("kind", flat=True))
    assert kinds == {"single", "multiple", "truefalse", "numeric", "short", "matching"}
    exported = client.get(f"/api/v1/academy/assessments/{quiz_id}/export.gift", **op)
    assert exported.status_code == 200 and "Grant" in exported.content.decode()
    book = client.get(f"/api/v1/academy/cohorts/{cohort.slug}/gradebook", **op)
    assert book.status_code == 200 and len(book.json()["rows"]) == 1
    csv_reply = client.get(f"/api/v1/academy/cohorts/{cohort.slug}/gradebook.csv", **op)
    text = b"".join(csv_reply.streaming_content).decode()
    assert text.splitlines()[0].startswith("enrolment_id,username,name")


def test_a_file_with_errors_imports_nothing_and_lists_every_line(client, world):
    _, _, _, final, _ = world
    op = auth(f.user(role=OPERATOR))
    bad = b"Good one{=yes ~no}\n\nBroken {=a ~b\n\nAlso {#notanumber}\n"
    before = Question.objects.filter(assessment=final).count()
    reply = client.post(
        f"/api/v1/academy/assessments/{final.pk}/import",
        {"file": _upload("bad.gift", bad), "format": "gift"},
        HTTP_ACCEPT_LANGUAGE="it",
        **op,
    )
    assert reply.status_code == 422
    body = reply.json()
    assert body["error"] == "import_invalid"
    assert [e["line"] for e in body["errors"]] and all(e["line"] >= 3 for e in body["errors"])
    assert Question.objects.filter(assessment=final).count() == before
    aiken = b"What is 2+2?\nA. 3\nB. 4\nANSWER: B\n"
    ok = client.post(
        f"/api/v1/academy/assessments/{final.pk}/import",
        {"file": _upload("a.txt", aiken), "format": "aiken"},
        **op,
    )
    assert ok.status_code == 201 and ok.json()["imported"] == 1


def test_the_fixture_with_an_essay_is_refused_with_its_line(client, world):
    _, _, _, final, _ = world
    op = auth(f.user(role=OPERATOR))
    reply = client.post(
        f"/api/v1/academy/assessments/{final.pk}/import",
        {"file": _upload("f.gift", gift_file("moodle_gift_fixture.txt"))},
        **op,
    )
    assert reply.status_code == 422
    assert reply.json()["errors"][0]["code"] == "gift_unsupported_essay"
    assert reply.json()["errors"][0]["line"] == 2


def test_leaderboard_is_public_and_hides_names_on_request(client, world):
    _, cohort, enrolment, _, _ = world
    # a finished final, set directly
    enrolment.final_score_permille = 900
    enrolment.final_seconds = 600
    enrolment.final_passed_at = af.NOW
    enrolment.save()
    enrolment.user.first_name = "Giulia"
    enrolment.user.save()
    board = client.get(f"/api/v1/academy/cohorts/{cohort.slug}/leaderboard")
    assert board.status_code == 200
    assert board.json()["entries"][0]["name"].startswith("Giulia")
    assert board.json()["entries"][0]["top"] is True
    hide = put(
        client,
        f"/api/v1/academy/cohorts/{cohort.slug}/ranking",
        {"hidden": True},
        auth(enrolment.user),
    )
    assert hide.status_code == 200
    again = client.get(f"/api/v1/academy/cohorts/{cohort.slug}/leaderboard").json()
    assert again["entries"][0]["name"] == "Anonymous learner" and again["entries"][0]["rank"] == 1
    assert "Giulia" not in json.dumps(again)


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/plain")


def test_teachers_list_the_attempts_of_a_test(client, world):
    _, cohort, enrolment, final, _ = world
    client.post(f"/api/v1/academy/assessments/{final.pk}/attempts", **auth(enrolment.user))
    listed = client.get(
        f"/api/v1/academy/assessments/{final.pk}/attempts", **auth(f.user(role=OPERATOR))
    )
    assert listed.status_code == 200 and listed.json()[0]["cohort"] == cohort.slug
    other = auth(af.enrolment(cohort).user)
    assert (
        client.get(f"/api/v1/academy/assessments/{final.pk}/attempts", **other).status_code == 403
    )


def test_a_file_with_a_nul_is_not_text(client, world):
    _, _, _, final, _ = world
    reply = client.post(
        f"/api/v1/academy/assessments/{final.pk}/import",
        {"file": _upload("n.gift", b"Q {=a\x00 ~b}\n")},
        **auth(f.user(role=OPERATOR)),
    )
    assert reply.status_code == 422 and reply.json()["errors"][0]["code"] == "file_not_text"
