"""Assessments: starting, answering, the server's deadline, marking, the final exam's best
on the enrolment and its event, the gradebook and the leaderboard."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from fiera.academy import exams
from fiera.academy.models import Attempt, AttemptAnswer, Enrolment, Question
from fiera.accounts.roles import OPERATOR
from fiera.common.models import OutboxMessage
from tests.academy import exams_factories as ef
from tests.academy import factories as af
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
NOW = af.NOW


@pytest.fixture
def setup():
    course = af.course()
    cohort = af.cohort(course)
    enrolment = af.enrolment(cohort)
    final = ef.assessment(course, kind="final")
    questions = ef.bank(final)
    return course, cohort, enrolment, final, {q.pk: q for q in questions}


def start(a, enrolment, now=NOW):
    return exams.attempt_start(
        assessment_id=a.pk, actor_id=enrolment.user_id, now=now, rng=random.Random(1)
    )


def answer_all(view, questions, enrolment, now, right=True):
    paper = Attempt.objects.get(pk=view.attempt_id).paper
    for entry in paper:
        q = questions[entry["q"]]
        response = ef.right_response(entry, q) if right else {"text": "nope"}
        if not right and entry["k"] != "short":
            continue
        exams.answer_save(
            attempt_id=view.attempt_id,
            question_id=entry["q"],
            response=response,
            actor_id=enrolment.user_id,
            now=now,
        )


def test_a_paper_shows_no_key_and_a_reload_shows_the_same_paper(setup):
    _, _, enrolment, final, _ = setup
    view = start(final, enrolment)
    assert len(view.questions) == 6
    text = repr(view.questions)
    assert "weight" not in text and "answer" not in text and "c1" not in text
    assert "Roma" in text  # the choice texts are there, in the learner's order
    again = exams.attempt_get(
        attempt_id=view.attempt_id, actor_id=enrolment.user_id, actor_role="learner", now=NOW
    )
    assert [q["question_id"] for q in again.questions] == [q["question_id"] for q in view.questions]
    assert [q["choices"] for q in again.questions] == [q["choices"] for q in view.questions]
    assert view.deadline_at == NOW + timedelta(seconds=1800)


def test_starting_twice_gives_the_open_attempt(setup):
    _, _, enrolment, final, _ = setup
    first = start(final, enrolment)
    second = start(final, enrolment, now=NOW + timedelta(minutes=1))
    assert first.attempt_id == second.attempt_id
    assert Attempt.objects.count() == 1


def test_a_lost_race_answers_the_winners_attempt(setup, monkeypatch):
    _, _, enrolment, final, _ = setup
    real_draw = exams._draw
    won = {}

    def draw_then_lose(a, bank, rng):
        if not won:  # another request inserts attempt 1 while this one draws
            won["started"] = True
            won["view"] = exams.attempt_start(
                assessment_id=a.pk, actor_id=enrolment.user_id, now=NOW, rng=random.Random(2)
            )
        return real_draw(a, bank, rng)

    monkeypatch.setattr(exams, "_draw", draw_then_lose)
    view = start(final, enrolment)
    assert view.attempt_id == won["view"].attempt_id
    assert Attempt.objects.count() == 1


def test_full_marks_pass_and_the_final_is_recorded_with_one_event(setup):
    _, _, enrolment, final, questions = setup
    view = start(final, enrolment)
    answer_all(view, questions, enrolment, NOW + timedelta(minutes=5))
    result = exams.attempt_submit(
        attempt_id=view.attempt_id, actor_id=enrolment.user_id, now=NOW + timedelta(minutes=10)
    )
    assert result.score_permille == 1000 and result.passed
    assert all(q["credit_permille"] == 1000 for q in result.questions)
    enrolment.refresh_from_db()
    assert enrolment.final_score_permille == 1000
    assert enrolment.final_seconds == 600
    assert enrolment.final_passed_at == NOW + timedelta(minutes=10)
    events = OutboxMessage.objects.filter(topic=exams.EXAM_PASSED)
    assert [e.payload for e in events] == [{"enrolment_id": enrolment.pk}]
    # a second pass, faster: the best is updated, no second event
    again = start(final, enrolment, now=NOW + timedelta(hours=1))
    answer_all(again, questions, enrolment, NOW + timedelta(hours=1, minutes=1))
    exams.attempt_submit(
        attempt_id=again.attempt_id,
        actor_id=enrolment.user_id,
        now=NOW + timedelta(hours=1, minutes=2),
    )
    enrolment.refresh_from_db()
    assert enrolment.final_seconds == 120
    assert OutboxMessage.objects.filter(topic=exams.EXAM_PASSED).count() == 1


def test_a_worse_attempt_leaves_the_best(setup):
    _, _, enrolment, final, questions = setup
    view = start(final, enrolment)
    answer_all(view, questions, enrolment, NOW + timedelta(minutes=1))
    exams.attempt_submit(
        attempt_id=view.attempt_id, actor_id=enrolment.user_id, now=NOW + timedelta(minutes=2)
    )
    worse = start(final, enrolment, now=NOW + timedelta(hours=1))
    exams.attempt_submit(
        attempt_id=worse.attempt_id,
        actor_id=enrolment.user_id,
        now=NOW + timedelta(hours=1, minutes=1),
    )
    enrolment.refresh_from_db()
    assert enrolment.final_score_permille == 1000 and enrolment.final_seconds == 120


def test_a_failing_attempt_publishes_nothing(setup):
    _, _, enrolment, final, _ = setup
    view = start(final, enrolment)
    result = exams.attempt_submit(
        attempt_id=view.attempt_id, actor_id=enrolment.user_id, now=NOW + timedelta(minutes=1)
    )
    assert result.score_permille == 0 and result.passed is False
    enrolment.refresh_from_db()
    assert enrolment.final_score_permille == 0 and enrolment.final_passed_at is None
    assert not OutboxMessage.objects.filter(topic=exams.EXAM_PASSED).exists()


def test_after_the_deadline_a_save_is_refused_and_the_saved_answers_are_submitted(setup):
    _, _, enrolment, final, questions = setup
    view = start(final, enrolment)
    answer_all(view, questions, enrolment, NOW + timedelta(minutes=29))
    first = Attempt.objects.get(pk=view.attempt_id).paper[0]
    with pytest.raises(exams.TimeUp) as caught:
        exams.answer_save(
            attempt_id=view.attempt_id,
            question_id=first["q"],
            response={"value": False} if first["k"] == "truefalse" else {"text": "x"},
            actor_id=enrolment.user_id,
            now=NOW + timedelta(minutes=30),
        )
    assert caught.value.status == 409
    attempt = Attempt.objects.get(pk=view.attempt_id)
    assert attempt.auto_submitted and attempt.submitted_at == view.deadline_at
    assert attempt.score_permille == 1000  # nothing lost
    with pytest.raises(exams.AttemptSubmitted):
        exams.answer_save(
            attempt_id=view.attempt_id,
            question_id=first["q"],
            response={},
            actor_id=enrolment.user_id,
            now=NOW + timedelta(minutes=31),
        )


def test_an_attempt_past_its_deadline_is_submitted_on_read_and_by_the_task(setup):
    _, cohort, enrolment, final, questions = setup
    view = start(final, enrolment)
    answer_all(view, questions, enrolment, NOW + timedelta(minutes=1))
    later = NOW + timedelta(hours=2)
    read = exams.attempt_get(
        attempt_id=view.attempt_id, actor_id=enrolment.user_id, actor_role="learner", now=later
    )
    assert read.auto_submitted and read.score_permille == 1000
    other = af.enrolment(cohort)
    open_one = start(final, other)
    seen = []
    assert (
        exams.attempts_close_due(now=later, progress=lambda n, total: seen.append((n, total))) == 1
    )
    assert seen == [(1, 1)]
    assert Attempt.objects.get(pk=open_one.attempt_id).auto_submitted
    assert exams.attempts_close_due(now=later) == 0


def test_attempts_are_limited(setup):
    _, _, enrolment, final, _ = setup
    for hour in range(3):
        view = start(final, enrolment, now=NOW + timedelta(hours=hour))
        exams.attempt_submit(
            attempt_id=view.attempt_id,
            actor_id=enrolment.user_id,
            now=NOW + timedelta(hours=hour, minutes=1),
        )
    with pytest.raises(exams.AttemptsUsedUp) as caught:
        start(final, enrolment, now=NOW + timedelta(hours=5))
    assert "3" in caught.value.message()


def test_another_learner_cannot_see_answer_or_submit(setup):
    _, cohort, enrolment, final, _ = setup
    view = start(final, enrolment)
    other = af.enrolment(cohort)
    first = Attempt.objects.get(pk=view.attempt_id).paper[0]["q"]
    with pytest.raises(exams.AttemptNotFound):
        exams.attempt_get(
            attempt_id=view.attempt_id, actor_id=other.user_id, actor_role="learner", now=NOW
        )
    with pytest.raises(exams.AttemptNotFound):
        exams.answer_save(
            attempt_id=view.attempt_id,
            question_id=first,
            response={"value": True},
            actor_id=other.user_id,
            now=NOW,
        )
    with pytest.raises(exams.AttemptNotFound):
        exams.attempt_submit(attempt_id=view.attempt_id, actor_id=other.user_id, now=NOW)
    teacher = f.user(role=OPERATOR)
    seen = exams.attempt_get(
        attempt_id=view.attempt_id, actor_id=teacher.pk, actor_role=OPERATOR, now=NOW
    )
    assert not seen.is_own


def test_not_enrolled_and_closed_and_empty(setup):
    course, _, enrolment, final, _ = setup
    stranger = f.user(role="learner")
    with pytest.raises(exams.NotEnrolled):
        exams.attempt_start(assessment_id=final.pk, actor_id=stranger.pk, now=NOW)
    quiz = ef.assessment(course, kind="quiz", closes_at=NOW)
    with pytest.raises(exams.AssessmentClosed):
        start(quiz, enrolment)
    quiz.closes_at = None
    quiz.save()
    with pytest.raises(exams.EmptyBank):
        start(quiz, enrolment)


def test_random_draw_takes_the_configured_number(setup):
    _course, _, enrolment, final, _ = setup
    final.questions_per_attempt = 4
    final.save()
    view = start(final, enrolment)
    assert len(view.questions) == 4


def test_a_wrong_answer_shape_is_refused(setup):
    _, _, enrolment, final, _ = setup
    view = start(final, enrolment)
    paper = Attempt.objects.get(pk=view.attempt_id).paper
    single = next(e for e in paper if e["k"] == "single")
    with pytest.raises(exams.grading.BadResponse):
        exams.answer_save(
            attempt_id=view.attempt_id,
            question_id=single["q"],
            response={"choice": 9},
            actor_id=enrolment.user_id,
            now=NOW,
        )
    other_q = Question.objects.exclude(assessment=final).first()
    with pytest.raises(exams.NotOnPaper):
        exams.answer_save(
            attempt_id=view.attempt_id,
            question_id=999999 if other_q is None else other_q.pk,
            response={},
            actor_id=enrolment.user_id,
            now=NOW,
        )
    assert not AttemptAnswer.objects.exists()


def test_gradebook_and_leaderboard(setup, settings):
    course, cohort, enrolment, final, questions = setup
    quiz = ef.assessment(course, kind="quiz")
    ef.bank(quiz, ef.BANK[:2])
    people = [enrolment] + [af.enrolment(cohort) for _ in range(3)]
    # scores: 1000 in 10 min, 1000 in 5 min, 0, none
    for person, minutes, right in (
        (people[0], 10, True),
        (people[1], 5, True),
        (people[2], 3, False),
    ):
        view = start(final, person)
        if right:
            answer_all(view, questions, person, NOW + timedelta(minutes=1))
        exams.attempt_submit(
            attempt_id=view.attempt_id,
            actor_id=person.user_id,
            now=NOW + timedelta(minutes=minutes),
        )
    exams.ranking_visibility_set(cohort_slug=cohort.slug, hidden=True, actor_id=people[1].user_id)
    settings.FIERA_ACADEMY_TOP_N = 1
    board = exams.leaderboard(cohort_slug=cohort.slug, viewer_id=people[0].user_id)
    assert [e.enrolment_id for e in board.entries] == [people[1].pk, people[0].pk, people[2].pk]
    assert board.entries[0].name == "Anonymous learner" and board.entries[0].top
    assert not board.entries[1].top and board.entries[1].is_me
    assert not board.entries[2].top
    teacher = f.user(role=OPERATOR)
    book = exams.gradebook(cohort_slug=cohort.slug, actor_id=teacher.pk, actor_role=OPERATOR)
    assert [a.kind for a in book.assessments] == ["quiz", "final"]
    assert len(book.rows) == 4
    row = next(r for r in book.rows if r.enrolment_id == people[1].pk)
    assert row.cells[1].best_permille == 1000 and row.cells[1].passed and row.cells[1].attempts == 1
    assert row.cells[0].attempts == 0
    lines = list(exams.gradebook_csv_rows(book, language="it"))
    assert lines[0][:2] == ["enrolment_id", "username"]
    assert "100.0" in next(line for line in lines if line[0] == str(people[1].pk))
    with pytest.raises(exams.NotTeacher):
        exams.gradebook(cohort_slug=cohort.slug, actor_id=enrolment.user_id, actor_role="learner")


def test_instructors_teach_their_course_only(setup):
    course, cohort, _enrolment, _final, _ = setup
    from fiera.academy.models import CourseInstructor

    teacher = f.user(role="learner")
    CourseInstructor.objects.create(course=course, user=teacher, added_at=NOW)
    assert exams.gradebook(cohort_slug=cohort.slug, actor_id=teacher.pk, actor_role="learner").rows
    other_course = af.course()
    with pytest.raises(exams.NotTeacher):
        exams.question_list(
            assessment_id=ef.assessment(other_course).pk, actor_id=teacher.pk, actor_role="learner"
        )


def test_teachers_build_a_test_and_a_bad_key_is_refused():
    course = af.course()
    op = f.user(role=OPERATOR)
    quiz = exams.assessment_create(
        course_slug=course.slug,
        kind="quiz",
        module_position=1,
        title={"it": "Quiz 1"},
        actor_id=op.pk,
        actor_role=OPERATOR,
        now=NOW,
    )
    assert quiz.module_position == 1
    final = exams.assessment_create(
        course_slug=course.slug,
        kind="final",
        title={"it": "Finale"},
        actor_id=op.pk,
        actor_role=OPERATOR,
        now=NOW,
    )
    with pytest.raises(exams.Conflict):
        exams.assessment_create(
            course_slug=course.slug,
            kind="final",
            title={"it": "Bis"},
            actor_id=op.pk,
            actor_role=OPERATOR,
            now=NOW,
        )
    q = exams.question_create(
        assessment_id=final.assessment_id,
        **ef.BANK[0],
        actor_id=op.pk,
        actor_role=OPERATOR,
        now=NOW,
    )
    assert q.position == 1
    bad = {
        **ef.BANK[1],
        "key": {
            "choices": [
                {"id": "a", "text": {"it": "x"}, "weight": 50},
                {"id": "b", "text": {"it": "y"}, "weight": 0},
            ]
        },
    }
    with pytest.raises(exams.grading.BadKey) as caught:
        exams.question_create(
            assessment_id=final.assessment_id, **bad, actor_id=op.pk, actor_role=OPERATOR, now=NOW
        )
    assert caught.value.status == 422
    learner = f.user(role="learner")
    with pytest.raises(exams.NotTeacher):
        exams.question_create(
            assessment_id=final.assessment_id,
            **ef.BANK[0],
            actor_id=learner.pk,
            actor_role="learner",
            now=NOW,
        )
    updated = exams.assessment_update(
        assessment_id=final.assessment_id, pass_mark_percent=80, actor_id=op.pk, actor_role=OPERATOR
    )
    assert updated.pass_mark_percent == 80


def test_enrolment_final_fields_exist():
    assert {"final_score_permille", "final_seconds", "final_passed_at"} <= {
        f.name for f in Enrolment._meta.get_fields()
    }


def test_top_n_is_configured_and_checked(monkeypatch):
    from fiera import config

    monkeypatch.setenv("FIERA_ACADEMY_TOP_N", "3")
    assert config.load().academy_top_n == 3
    monkeypatch.setenv("FIERA_ACADEMY_TOP_N", "abc")
    loaded = config.load()
    assert loaded.academy_top_n == 10
    assert any("FIERA_ACADEMY_TOP_N" in p for p in config.problems(loaded))


def test_the_gradebook_submits_attempts_past_their_deadline(setup):
    _, cohort, enrolment, final, _ = setup
    view = start(final, enrolment)
    teacher = f.user(role=OPERATOR)
    book = exams.gradebook(
        cohort_slug=cohort.slug,
        actor_id=teacher.pk,
        actor_role=OPERATOR,
        now=NOW + timedelta(hours=1),
    )
    assert Attempt.objects.get(pk=view.attempt_id).auto_submitted
    assert book.rows[0].final_score_permille == 0
