"""FIERA_TRADE_ASSURANCE_RELEASE_DAYS: read by fiera.config (environment only), a bad value
named in plain words; the default is 30; the README's table lists it; Celery beat runs the
release job."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from fiera import config
from tests.common.configenv import load_with

NAMES = ("FIERA_TRADE_ASSURANCE_RELEASE_DAYS",)


def test_default_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_with(monkeypatch, NAMES).trade_assurance_release_days == 30
    cfg = load_with(monkeypatch, NAMES, FIERA_TRADE_ASSURANCE_RELEASE_DAYS="14")
    assert config.problems(cfg) == []
    assert cfg.trade_assurance_release_days == 14


@pytest.mark.parametrize("value", ["0", "a month", "400"])
def test_a_bad_value_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    cfg = load_with(monkeypatch, NAMES, FIERA_TRADE_ASSURANCE_RELEASE_DAYS=value)
    [problem] = config.problems(cfg)
    assert problem.startswith("FIERA_TRADE_ASSURANCE_RELEASE_DAYS must be a whole number from 1")


def test_documented_and_scheduled() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "`FIERA_TRADE_ASSURANCE_RELEASE_DAYS` | `30`" in readme
    assert settings.CELERY_BEAT_SCHEDULE["trade-release-due"]["task"] == "fiera.trade.release_due"
