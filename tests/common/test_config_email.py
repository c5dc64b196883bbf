"""Mail and link settings (FIERA_EMAIL_*, FIERA_BASE_URL, FIERA_SIGNUP_RATE): read from the
environment, a bad value named in plain words by ``fiera check``."""

from __future__ import annotations

import pytest

from fiera import config
from tests.common.configenv import load_with

NAMES = (
    "DEBUG",
    "FIERA_EMAIL_BACKEND",
    "FIERA_EMAIL_FILE_PATH",
    "FIERA_EMAIL_HOST",
    "FIERA_EMAIL_PORT",
    "FIERA_EMAIL_USER",
    "FIERA_EMAIL_PASSWORD",
    "FIERA_EMAIL_USE_TLS",
    "FIERA_EMAIL_USE_SSL",
    "FIERA_EMAIL_TIMEOUT_SECONDS",
    "FIERA_EMAIL_FROM",
    "FIERA_BASE_URL",
    "FIERA_SIGNUP_RATE",
)


def _load(monkeypatch: pytest.MonkeyPatch, **env: str) -> config.Config:
    return load_with(monkeypatch, NAMES, **env)


def test_the_defaults_write_mail_to_var_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(monkeypatch)
    assert cfg.email.backend == "file"
    assert cfg.email.file_path == str(config.VAR_DIR / "mail")
    assert cfg.email.from_address == "Fiera <no-reply@fiera.localhost>"
    assert cfg.base_url == "http://127.0.0.1:8000"
    assert cfg.signup_rate == "10/h"
    assert cfg.errors == ()


def test_smtp_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(
        monkeypatch,
        FIERA_EMAIL_BACKEND="SMTP",
        FIERA_EMAIL_HOST="smtp.example.com",
        FIERA_EMAIL_PORT="465",
        FIERA_EMAIL_USER="fiera",
        FIERA_EMAIL_PASSWORD="s3cret",
        FIERA_EMAIL_USE_SSL="true",
        FIERA_EMAIL_FROM="Fiera <shop@example.com>",
        FIERA_BASE_URL="https://fiera.example.com/",
    )
    assert (cfg.email.backend, cfg.email.host, cfg.email.port) == ("smtp", "smtp.example.com", 465)
    assert (cfg.email.use_ssl, cfg.email.use_tls) == (True, False)  # SSL replaces STARTTLS
    assert "s3cret" not in repr(cfg)
    assert cfg.base_url == "https://fiera.example.com"
    assert config.problems(cfg) == []


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"FIERA_EMAIL_BACKEND": "pigeon"}, "FIERA_EMAIL_BACKEND must be one of"),
        ({"FIERA_EMAIL_PORT": "99999"}, "FIERA_EMAIL_PORT must be a whole number"),
        ({"FIERA_BASE_URL": "fiera.example.com"}, "FIERA_BASE_URL must be the address"),
        ({"FIERA_SIGNUP_RATE": "lots"}, "FIERA_SIGNUP_RATE must be a number of requests"),
        ({"FIERA_EMAIL_BACKEND": "smtp"}, "FIERA_EMAIL_HOST is not set"),
    ],
)
def test_a_bad_value_is_named(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    problems = config.problems(_load(monkeypatch, **env))
    assert any(named in problem for problem in problems), problems
