"""The academy's one sub-navigation in headless Chromium, in Spanish at phone width (390 px):
a certified learner who also teaches a course sees all seven entries, walks them one by one,
and on every page the navigation is there, in Spanish (none of its English labels), marks
the page it is on, and nothing scrolls sideways."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fiera.academy.models import CourseInstructor
from tests.academy import factories as af
from tests.catalog import factories as f
from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
ENGLISH = (
    "Catalogue",
    "My learning",
    "Workshops",
    "My certificates",
    "Alumni",
    "Teach",
    "Verify a certificate",
)
PATHS = (
    "/academy/",
    "/academy/my/",
    "/academy/workshops/",
    "/academy/certificates/",
    "/academy/alumni/",
    "/academy/teach/",
    "/academy/verify/",
)


def test_the_academy_navigation_in_spanish_at_phone_width(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    cohort = af.cohort(ends_on=date(2099, 12, 31), languages="it,es")
    user = f.user(role="learner", username="lucia")
    user.set_password(PASSWORD)
    user.save()
    af.enrolment(cohort, user, language="es", certified_at=af.NOW)
    CourseInstructor.objects.create(course=cohort.course, user=user, added_at=af.NOW)
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "es", "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "lucia")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{base}/academy/")
    hrefs = page.eval_on_selector_all("nav.academy-nav a", "links => links.map(a => a.pathname)")
    assert tuple(hrefs) == PATHS
    for path in PATHS:
        with page.expect_navigation():
            page.click(f"nav.academy-nav a[href='{path}']")
        assert page.url == base + path
        labels = page.eval_on_selector_all(
            "nav.academy-nav a", "links => links.map(a => a.textContent.trim())"
        )
        assert len(labels) == len(ENGLISH), (path, labels)
        left = [label for label in labels if label in ENGLISH]
        assert not left, f"{path}: English left in the navigation: {left}"
        current = page.eval_on_selector("nav.academy-nav a[aria-current=page]", "a => a.pathname")
        assert current == path
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} scrolls sideways by {wide} px at 390 px"
        smallest = page.eval_on_selector_all(
            "nav.academy-nav a",
            "links => Math.min(...links.map(a => a.getBoundingClientRect().height))",
        )
        assert smallest >= 36, f"{path}: a navigation entry is {smallest:.0f} px tall"
    assert errors == []
    context.close()
