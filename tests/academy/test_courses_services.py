"""Courses, cohorts, enrolment and progress through the services and selectors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fiera.academy import courses as c
from fiera.academy.models import Enrolment, LessonProgress, Module
from fiera.accounts.roles import LEARNER, OPERATOR
from tests.academy import factories as af
from tests.academy.courses_factories import teacher
from tests.academy.factories import NOW
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
TODAY = NOW.date()


def _enrol(cohort_slug: str, user_id: int, language: str = "it") -> c.EnrolmentInfo:
    return c.enrol(
        cohort_slug=cohort_slug, language=language, user_id=user_id, actor_role=LEARNER, now=NOW
    )


def test_catalogue_shows_published_courses_in_the_readers_language_with_open_cohorts() -> None:
    course = af.course("growth", languages="it,es")
    course.title = {"it": "Crescita", "es": "Crecimiento"}
    course.save()
    af.course("draft", published=False)
    open_cohort = af.cohort(course, slug="spring", capacity=2)
    af.cohort(course, slug="old", starts_on=date(2025, 1, 1), ends_on=date(2025, 3, 1))
    af.enrolment(open_cohort)
    cards = c.catalogue(language="es", today=TODAY)
    assert [card.slug for card in cards] == ["growth"]
    assert cards[0].title == "Crecimiento"
    assert [k.slug for k in cards[0].cohorts] == ["spring"]
    assert cards[0].cohorts[0].places_left == 1
    assert cards[0].lessons == 4
    # a language the course lacks falls back to the course's own first language
    assert c.catalogue(language="zh-hans", today=TODAY)[0].title == "Crescita"
    assert "<strong>" in c.catalogue(language="it", today=TODAY)[0].summary_html


def test_enrol_refuses_a_full_cohort_twice_and_a_language_not_taught() -> None:
    cohort = af.cohort(capacity=1)
    first, second = f.user(role="learner"), f.user(role="merchant")
    info = _enrol(cohort.slug, first.pk, "es")
    assert info.language == "es" and info.status == "active" and info.percent == 0
    with pytest.raises(c.AlreadyEnrolled):
        _enrol(cohort.slug, first.pk)
    with pytest.raises(c.CohortFull) as full:
        _enrol(cohort.slug, second.pk)
    assert full.value.status == 409
    assert "1" in full.value.message() and cohort.name in full.value.message()
    with pytest.raises(c.LanguageNotOffered):
        _enrol(cohort.slug, second.pk, "zh-hans")


def test_withdrawn_learners_free_their_place_and_may_enrol_again() -> None:
    cohort = af.cohort(capacity=1)
    learner, other = f.user(role="learner"), f.user(role="learner")
    info = _enrol(cohort.slug, learner.pk)
    lesson_id = info.next_lesson_id
    assert lesson_id is not None
    c.lesson_complete(enrolment_id=info.id, lesson_id=lesson_id, actor_id=learner.pk, now=NOW)
    withdrawn = c.enrolment_withdraw(enrolment_id=info.id, actor_id=learner.pk, now=NOW)
    assert withdrawn.status == "withdrawn"
    with pytest.raises(c.EnrolmentNotActive):
        c.lesson_complete(enrolment_id=info.id, lesson_id=lesson_id, actor_id=learner.pk, now=NOW)
    again = _enrol(cohort.slug, learner.pk, "es")
    assert again.id == info.id and again.status == "active" and again.lessons_done == 1
    c.enrolment_withdraw(enrolment_id=info.id, actor_id=learner.pk, now=NOW)
    assert _enrol(cohort.slug, other.pk).status == "active"
    with pytest.raises(c.CohortFull):
        _enrol(cohort.slug, learner.pk)


def test_enrolment_is_closed_after_the_cohort_and_for_unpublished_courses() -> None:
    ended = af.cohort(starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1))
    with pytest.raises(c.EnrolmentClosed):
        _enrol(ended.slug, f.user(role="learner").pk)
    draft = af.cohort(af.course(published=False))
    with pytest.raises(c.CohortNotFound):
        _enrol(draft.slug, f.user(role="learner").pk)
    with pytest.raises(c.CohortNotFound):
        _enrol("no-such-cohort", f.user(role="learner").pk)


def test_progress_is_idempotent_and_the_last_lesson_completes_the_enrolment() -> None:
    cohort = af.cohort(af.course(modules=2, lessons=2))
    learner = f.user(role="learner")
    info = _enrol(cohort.slug, learner.pk)
    order = []
    lesson_id = info.next_lesson_id
    while lesson_id is not None:
        order.append(lesson_id)
        p = c.lesson_complete(
            enrolment_id=info.id, lesson_id=lesson_id, actor_id=learner.pk, now=NOW
        )
        again = c.lesson_complete(
            enrolment_id=info.id, lesson_id=lesson_id, actor_id=learner.pk, now=NOW + timedelta(1)
        )
        assert again.lessons_done == p.lessons_done
        lesson_id = p.next_lesson_id
    assert len(order) == 4 and p.percent == 100 and p.completed_at == NOW
    assert LessonProgress.objects.filter(enrolment_id=info.id).count() == 4
    enrolment = Enrolment.objects.get(pk=info.id)
    assert enrolment.status == "completed" and enrolment.completed_at == NOW
    mine = c.enrolment_list_mine(user_id=learner.pk, language="en")
    assert mine[0].percent == 100 and mine[0].next_lesson_id is None


def test_the_player_renders_the_enrolments_language_and_hides_others_enrolments() -> None:
    cohort = af.cohort(af.course(modules=2, lessons=2))
    learner, intruder = f.user(role="learner"), f.user(role="learner")
    info = _enrol(cohort.slug, learner.pk, "es")
    view = c.lesson_view(enrolment_id=info.id, lesson_id=None, actor_id=learner.pk)
    assert view.lesson.title == "Lección 1.1" and "<h1>Lección 1.1</h1>" in view.body_html
    assert view.previous_id is None and view.next_id is not None
    last = view.modules[-1].lessons[-1]
    end = c.lesson_view(enrolment_id=info.id, lesson_id=last.id, actor_id=learner.pk)
    assert end.next_id is None and end.previous_id is not None
    with pytest.raises(c.EnrolmentNotFound):
        c.lesson_view(enrolment_id=info.id, lesson_id=None, actor_id=intruder.pk)
    other_course_lesson = af.course().modules.first().lessons.first()  # type: ignore[union-attr]
    with pytest.raises(c.LessonNotFound):
        c.lesson_view(enrolment_id=info.id, lesson_id=other_course_lesson.id, actor_id=learner.pk)
    with pytest.raises(c.LessonNotFound):
        c.lesson_complete(
            enrolment_id=info.id, lesson_id=other_course_lesson.id, actor_id=learner.pk, now=NOW
        )
    with pytest.raises(c.EnrolmentNotFound):
        c.enrolment_get(
            enrolment_id=info.id, language="en", actor_id=intruder.pk, actor_role=LEARNER
        )
    # the course's teachers see it
    t = teacher(cohort.course)
    assert c.enrolment_get(enrolment_id=info.id, language="en", actor_id=t.pk, actor_role=LEARNER)


def test_teachers_build_a_course_and_others_are_refused() -> None:
    existing = af.course()
    t = teacher(existing)
    stranger = f.user(role="learner")
    with pytest.raises(c.CannotCreateCourse):
        c.course_create(
            slug="x",
            title={"en": "X"},
            languages="en",
            actor_id=stranger.pk,
            actor_role=LEARNER,
            now=NOW,
        )
    course = c.course_create(
        slug="exports",
        title={"it": "Export", "en": "Exports"},
        summary={"en": "Sell **abroad**."},
        languages="it,en",
        actor_id=t.pk,
        actor_role=LEARNER,
        now=NOW,
    )
    assert course.published_at is None and course.instructor_ids == (t.pk,)
    with pytest.raises(c.CourseSlugTaken):
        c.course_create(
            slug="exports",
            title={"en": "E"},
            languages="en",
            actor_id=t.pk,
            actor_role=LEARNER,
            now=NOW,
        )
    with pytest.raises(c.InvalidSlug):
        c.course_create(
            slug="Bad Slug",
            title={"en": "E"},
            languages="en",
            actor_id=t.pk,
            actor_role=LEARNER,
            now=NOW,
        )
    with pytest.raises(c.TitleRequired):
        c.course_create(
            slug="e2", title={"en": " "}, languages="en", actor_id=t.pk, actor_role=LEARNER, now=NOW
        )
    with pytest.raises(c.InvalidLanguages):
        c.course_create(
            slug="e3",
            title={"en": "E"},
            languages="klingon",
            actor_id=t.pk,
            actor_role=LEARNER,
            now=NOW,
        )
    teach = {"actor_id": t.pk, "actor_role": LEARNER}
    m1 = c.module_add(slug="exports", title={"en": "Markets"}, **teach)
    m2 = c.module_add(slug="exports", title={"en": "Logistics"}, **teach)
    l1 = c.lesson_add(module_id=m1.id, title={"en": "Where"}, body={"en": "# Where"}, **teach)
    l2 = c.lesson_add(module_id=m1.id, title={"en": "Who"}, minutes=20, **teach)
    assert (m1.position, m2.position, l1.position, l2.position) == (1, 2, 1, 2)
    c.module_move(module_id=m2.id, direction="up", **teach)
    c.lesson_move(lesson_id=l2.id, direction="up", **teach)
    c.lesson_move(lesson_id=l2.id, direction="up", **teach)  # already first: nothing changes
    edit = c.course_edit_get(slug="exports", **teach)
    assert [m.id for m in edit.modules] == [m2.id, m1.id]
    assert [x.id for x in edit.modules[1].lessons] == [l2.id, l1.id]
    c.lesson_update(lesson_id=l1.id, body={"en": "## Markets", "it": "## Mercati"}, **teach)
    c.course_update(slug="exports", title={"en": "Exporting"}, **teach)
    published = c.course_publish(slug="exports", published=True, now=NOW, **teach)
    assert published.published_at == NOW
    cohort = c.cohort_create(
        course_slug="exports",
        slug="exports-1",
        name="Exports 1",
        starts_on=date(2026, 12, 1),
        ends_on=date(2027, 2, 1),
        languages="it,en",
        capacity=30,
        now=NOW,
        **teach,
    )
    assert cohort.places_left == 30
    with pytest.raises(c.CohortSlugTaken):
        c.cohort_create(
            course_slug="exports",
            slug="exports-1",
            name="x",
            starts_on=date(2026, 12, 1),
            ends_on=date(2027, 1, 1),
            languages="en",
            capacity=1,
            now=NOW,
            **teach,
        )
    with pytest.raises(c.InvalidCohortDates):
        c.cohort_create(
            course_slug="exports",
            slug="e-2",
            name="x",
            starts_on=date(2027, 1, 2),
            ends_on=date(2027, 1, 1),
            languages="en",
            capacity=1,
            now=NOW,
            **teach,
        )
    # a stranger is refused everything; an operator may do anything
    deny = {"actor_id": stranger.pk, "actor_role": LEARNER}
    for action in (
        lambda: c.course_update(slug="exports", title={"en": "Mine"}, **deny),
        lambda: c.course_publish(slug="exports", published=False, now=NOW, **deny),
        lambda: c.module_add(slug="exports", title={"en": "M"}, **deny),
        lambda: c.module_move(module_id=m1.id, direction="up", **deny),
        lambda: c.lesson_add(module_id=m1.id, title={"en": "L"}, **deny),
        lambda: c.lesson_update(lesson_id=l1.id, title={"en": "L"}, **deny),
        lambda: c.course_edit_get(slug="exports", **deny),
        lambda: c.cohort_enrolments(cohort_slug="exports-1", language="en", **deny),
    ):
        with pytest.raises(c.NotATeacher):
            action()
    operator = f.user(role="operator")
    assert c.course_update(
        slug="exports", title={"en": "Ops"}, actor_id=operator.pk, actor_role=OPERATOR
    ).title == {"en": "Ops"}
    assert Module.objects.filter(course__slug="exports").count() == 2


def test_unpublished_courses_are_visible_to_their_teachers_only() -> None:
    course = af.course(published=False)
    t = teacher(course)
    with pytest.raises(c.CourseNotFound):
        c.course_get(slug=course.slug, language="en", today=TODAY, actor_id=None, actor_role="")
    detail = c.course_get(
        slug=course.slug, language="en", today=TODAY, actor_id=t.pk, actor_role=LEARNER
    )
    assert detail.is_teacher and not detail.card.published
