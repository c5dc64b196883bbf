"""Server log: one line per request (method, path, status, ms), a traceback only for a 5xx,
and every line printed once."""

from __future__ import annotations

import logging
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from fiera import urls as fiera_urls

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [path("boom/", _boom), path("forbidden/", _forbidden), *fiera_urls.urlpatterns]

LINE = re.compile(r"^(GET|POST) (/\S*) (\d{3}) \d+ms$")


def _lines_about(caplog: pytest.LogCaptureFixture, url: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if url in r.getMessage()]


@pytest.mark.urls(__name__)
def test_a_403_logs_one_line_and_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="fiera.request")
    response = Client(raise_request_exception=False).get("/forbidden/?token=secret")
    assert response.status_code == 403
    records = _lines_about(caplog, "/forbidden/")
    assert [r.getMessage().rsplit(" ", 1)[0] for r in records] == ["GET /forbidden/ 403"]
    assert LINE.match(records[0].getMessage())
    assert records[0].levelno == logging.INFO
    assert not any(r.exc_info for r in caplog.records)
    assert "secret" not in caplog.text  # the query string stays out of the log


@pytest.mark.urls(__name__)
def test_a_404_page_and_a_404_api_answer_log_one_line_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client()
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/api/v1/no-such-thing").status_code == 404
    messages = [r.getMessage().rsplit(" ", 1)[0] for r in caplog.records]
    assert messages == ["GET /no-such-page/ 404", "GET /api/v1/no-such-thing 404"]
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.urls(__name__)
def test_a_500_logs_its_traceback_and_its_request_line(caplog: pytest.LogCaptureFixture) -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert len(with_traceback) == 1
    assert with_traceback[0].name == "django.request"
    assert isinstance(with_traceback[0].exc_info[1], RuntimeError)  # type: ignore[index]
    lines = [r for r in caplog.records if r.name == "fiera.request"]
    assert len(lines) == 1 and LINE.match(lines[0].getMessage())
    assert lines[0].getMessage().startswith("GET /boom/ 500 ")
    assert lines[0].levelno == logging.ERROR


def test_every_logger_reaches_one_handler_so_no_line_prints_twice() -> None:
    """Django's "django" logger had its own console handler and propagated to the root's:
    every one of its lines printed twice with DEBUG on."""
    for name in ["django", "django.request", "django.security.csrf", "fiera", "fiera.request"]:
        logger: logging.Logger | None = logging.getLogger(name)
        handlers = []
        while logger is not None:
            handlers += [h for h in logger.handlers if not _is_pytest_handler(h)]
            logger = logger.parent if logger.propagate else None
        assert len(handlers) == 1, (name, handlers)


def _is_pytest_handler(handler: logging.Handler) -> bool:
    return type(handler).__module__.startswith("_pytest")


def test_make_setup_says_what_it_installs_before_pip_runs() -> None:
    """pip --quiet printed nothing for a minute on a fresh machine."""
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\n$(STAMP):", 1)[1].split("\n\n", 1)[0]
    before_pip = recipe.split("pip install", 1)[0]
    assert "@echo" in before_pip and "Installing Fiera" in before_pip
