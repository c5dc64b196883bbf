"""The academy in headless Chromium at phone width (390 px): a learner walks the catalogue,
enrols, opens the player and marks a lesson done (in Italian and Chinese), and two learners
register for a one-seat workshop: one gets the seat, the other the waiting list. Nothing
loads from another host, no console (CSP) error, nothing wider than 390 px."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fiera.academy.models import CourseInstructor, Lesson
from tests.academy import factories as af
from tests.academy.courses_factories import workshop
from tests.catalog import factories as f
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
FAR = date(2099, 12, 31)
WORDS = {
    "it": ("Iscriviti", "Segna come fatta", "Fatto"),
    "zh-hans": ("报名", "标记为已完成", "已完成"),
}


def _learner(username: str) -> Any:
    user = f.user(role="learner", username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def _page(chromium: Any, base: str, language: str) -> tuple[Any, list[str], list[str]]:
    context = chromium.new_context(viewport={"width": 390, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    return page, errors, outside


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def _narrow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("language", ["it", "zh-hans"])
def test_catalogue_enrol_player_mark_done(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    language: str,
) -> None:
    course = af.course("digital", modules=2, lessons=2)
    af.cohort(course, slug="run-1", ends_on=FAR)
    _learner("ada")
    enrol, mark, done = WORDS[language]
    base = live_server.url
    page, errors, outside = _page(browser, base, language)
    _sign_in(page, base, "ada")
    page.goto(f"{base}/academy/")
    _narrow(page)
    with page.expect_navigation():
        page.click("a[href='/academy/courses/digital/']")
    _narrow(page)
    page.select_option("#language-run-1", "es")
    with page.expect_navigation():
        page.click(f"#cohort-run-1 button:has-text('{enrol}')")
    assert "Lección 1.1" in (page.text_content("article.lesson h1") or "")
    _narrow(page)
    with page.expect_navigation():
        page.click("#mark-done")
    assert "Lección 1.2" in (page.text_content("article.lesson h1") or "")
    assert (page.text_content("#percent") or "").strip() == "25 %"
    with page.expect_navigation():
        page.click("text=← ")
    assert done in (page.text_content(".lesson-actions") or "")
    _narrow(page)
    assert mark not in (page.text_content(".lesson-actions") or "")
    page.goto(f"{base}/academy/my/")
    assert "25 %" in (page.text_content("main") or "")
    _narrow(page)
    assert outside == [] and errors == []


def test_workshop_seat_then_waiting_list(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    cohort = af.cohort(ends_on=FAR)
    ws = workshop(cohort.course, cohort=cohort, capacity=1, days_ahead=400)
    for name in ("bea", "carlo"):
        af.enrolment(cohort, _learner(name))
    teacher = _learner("dora")
    CourseInstructor.objects.create(course=cohort.course, user=teacher, added_at=ws.created_at)
    base = live_server.url
    page, errors, outside = _page(browser, base, "en")
    _sign_in(page, base, "bea")
    page.goto(f"{base}/academy/workshops/")
    _narrow(page)
    with page.expect_navigation():
        page.click(f"a[href='/academy/workshops/{ws.id}/']")
    with page.expect_navigation():
        page.click("#register")
    assert "You have a seat" in (page.text_content("#my-place") or "")
    assert "meet.example.org" in (page.text_content("#my-place") or "")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _sign_in(page, base, "carlo")
    page.goto(f"{base}/academy/workshops/{ws.id}/")
    assert "Join the waiting list" in (page.text_content("#register") or "")
    with page.expect_navigation():
        page.click("#register")
    assert "Waiting list: number 1" in (page.text_content("#my-place") or "")
    assert "meet.example.org" not in (page.text_content("main") or "")
    _narrow(page)
    page.goto(f"{base}/academy/workshops/")
    assert "Waiting list: number 1" in (page.text_content("main") or "")
    _narrow(page)
    # the teacher's pages fit a phone too, and attendance is one tap
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _sign_in(page, base, "dora")
    slug = cohort.course.slug
    lesson = Lesson.objects.filter(module__course=cohort.course).first()
    assert lesson is not None
    for path in (
        f"/academy/teach/{slug}/",
        f"/academy/teach/{slug}/lessons/{lesson.id}/",
        f"/academy/teach/{slug}/cohorts/{cohort.slug}/",
        f"/academy/workshops/{ws.id}/",
    ):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        _narrow(page)
    with page.expect_navigation():
        page.click("#attendance ~ div button:has-text('Mark present')")
    assert "Undo" in (page.text_content("table") or "")
    assert outside == [] and errors == []
