"""Taking a timed exam in headless Chromium at phone width: answers are saved as the learner
goes, a reload keeps them, handing in shows the result; and a short exam whose countdown
reaches zero hands itself in with what was saved. No console (CSP) error, nothing loaded
from another host, nothing wider than 390 px."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fiera.academy.models import Attempt, AttemptAnswer
from tests.academy import exams_factories as ef
from tests.academy import factories as af
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"
SHOTS = os.environ.get("FIERA_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def _world(seconds: int) -> tuple[Any, Any]:
    course = af.course()
    cohort = af.cohort(course)
    enrolment = af.enrolment(cohort, language="en")
    enrolment.user.set_password(PASSWORD)
    enrolment.user.save()
    final = ef.assessment(
        course,
        time_limit_seconds=seconds,
        shuffle_questions=False,
        created_at=timezone.now() - timedelta(days=1),
    )
    ef.bank(final, [ef.BANK[2], ef.BANK[4], ef.BANK[0]])  # true/false, short text, single
    return enrolment, final


def _page(chromium: Any, base: str, username: str) -> tuple[Any, list[str], list[str]]:
    context = chromium.new_context(viewport={"width": 390, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page, errors, outside


def _narrow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_take_a_timed_exam_reload_and_hand_in(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    enrolment, final = _world(1800)
    base = live_server.url
    page, errors, outside = _page(browser, base, enrolment.user.username)
    page.goto(f"{base}/academy/tests/{final.pk}/")
    _narrow(page)
    page.click("form[action$='/start'] button")
    page.wait_for_url("**/academy/attempts/*/")
    assert ":" in (page.text_content("[data-countdown]") or "")  # 29:59
    _narrow(page)
    _shot(page, "exam-attempt.png")
    items = page.locator("li.exam-question")
    items.nth(0).locator("input[value=true]").check()
    page.wait_for_selector("li.exam-question:nth-child(1)[data-saved='1']")
    items.nth(1).locator("input[type=text]").fill("  tevere ")
    page.wait_for_selector("li.exam-question:nth-child(2)[data-saved='1']")
    items.nth(2).locator("label:has-text('Roma') input").check()
    page.wait_for_selector("li.exam-question:nth-child(3)[data-saved='1']")
    assert AttemptAnswer.objects.count() == 3

    page.reload()
    items = page.locator("li.exam-question")
    assert items.nth(0).locator("input[value=true]").is_checked()
    assert items.nth(1).locator("input[type=text]").input_value() == "  tevere "
    assert items.nth(2).locator("label:has-text('Roma') input").is_checked()

    page.click("button:has-text('Hand in')")
    page.wait_for_url("**/result/")
    assert "100.0%" in (page.text_content("[data-result]") or "")
    assert "Passed" in (page.text_content("[data-result]") or "")
    _narrow(page)
    _shot(page, "exam-result.png")
    assert not errors, errors
    assert not outside, outside


def test_the_countdown_reaching_zero_hands_the_exam_in(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    # 25 s: enough for a loaded 2-core CI box to open the paper and save one answer in time
    enrolment, final = _world(25)
    base = live_server.url
    page, errors, _outside = _page(browser, base, enrolment.user.username)
    page.goto(f"{base}/academy/tests/{final.pk}/")
    page.click("form[action$='/start'] button")
    page.wait_for_url("**/academy/attempts/*/")
    page.locator("li.exam-question").nth(0).locator("input[value=true]").check()
    page.wait_for_selector("li.exam-question:nth-child(1)[data-saved='1']")
    page.wait_for_url("**/result/", timeout=60_000)  # nobody clicks: the timer hands it in
    attempt = Attempt.objects.get()
    assert attempt.auto_submitted
    assert attempt.score_permille == 333  # the saved true/false of three questions
    assert "time ran out" in (page.text_content("main") or "")
    assert not [e for e in errors if "409" not in e], errors
