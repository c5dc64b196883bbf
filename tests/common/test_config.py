from __future__ import annotations

import pytest

from fiera import config


def _load(monkeypatch: pytest.MonkeyPatch, **env: str) -> config.Config:
    for name in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return config.load()


def test_demo_defaults_are_fine_in_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(monkeypatch, DEBUG="true")
    assert cfg.uses_demo_secret
    assert cfg.database_vendor == "sqlite"
    assert config.problems(cfg) == []


def test_production_refuses_the_demo_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(monkeypatch)
    found = config.problems(cfg)
    assert len(found) == 1
    assert "SECRET_KEY is not set" in found[0]


def test_production_with_a_real_secret_and_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(
        monkeypatch,
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgresql://fiera@db/fiera",
        REDIS_URL="redis://cache:6379/0",
    )
    assert config.problems(cfg) == []
    assert cfg.database_vendor == "postgresql"
    assert cfg.celery_broker_url == "redis://cache:6379/0"


def test_bad_values_are_named_in_plain_words(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(
        monkeypatch, SECRET_KEY="short", DATABASE_URL="mysql://x/y", REDIS_URL="http://nope"
    )
    found = " | ".join(config.problems(cfg))
    assert "shorter than 32" in found
    assert "DATABASE_URL must start with" in found
    assert "REDIS_URL must start with" in found


def test_fiera_check_exit_codes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fiera.cli import main

    _load(monkeypatch)
    assert main(["check"]) == 1
    assert "SECRET_KEY is not set" in capsys.readouterr().out


def test_serve_refuses_to_start_in_production_with_demo_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fiera.cli import main

    _load(monkeypatch)
    assert main(["serve", "--port", "0"]) == 2
    assert "will not start" in capsys.readouterr().err
