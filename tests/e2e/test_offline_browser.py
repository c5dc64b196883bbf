"""In headless Chromium with every request to another host aborted: the API docs (Swagger
UI) render from the package's own static files, and the storefront pages load nothing from
the internet."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _offline_page(browser: Any, base: str) -> tuple[Any, list[str]]:  # noqa: F811
    """A page whose requests to any host but the live server are aborted (and recorded)."""
    own = urlsplit(base).netloc
    blocked: list[str] = []
    context = browser.new_context(locale="en-US")

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if urlsplit(url).netloc != own and not url.startswith(("data:", "blob:")):
            blocked.append(url)
            request_route.abort()
        else:
            request_route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page, blocked


def test_api_docs_render_with_the_network_off(browser: Any, live_server: Any) -> None:  # noqa: F811
    page, blocked = _offline_page(browser, live_server.url)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Fiera API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock")  # the operations, read from /api/v1/openapi.json
    assert page.locator(".opblock").count() > 20
    assert blocked == []
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_storefront_pages_load_nothing_from_another_host(
    browser: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from fiera.demo.build import build_demo

    build_demo(merchants=6, seed=3, reset=True, progress=False, outlets=False)
    page, blocked = _offline_page(browser, live_server.url)
    for path in ("/", "/m/crossborder-cn/", "/login/", "/no-such-page/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
    assert blocked == []
