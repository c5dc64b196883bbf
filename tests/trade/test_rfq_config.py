"""FIERA_TRADE_QUOTES_PER_MONTH: read by fiera.config (environment only), a bad value named
in plain words (``fiera check``); the default is 30."""

from __future__ import annotations

import pytest

from fiera import config
from tests.common.configenv import load_with

NAMES = ("FIERA_TRADE_QUOTES_PER_MONTH",)


def test_default_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_with(monkeypatch, NAMES).trade_quotes_per_month == 30
    cfg = load_with(monkeypatch, NAMES, FIERA_TRADE_QUOTES_PER_MONTH="120")
    assert config.problems(cfg) == []
    assert cfg.trade_quotes_per_month == 120


@pytest.mark.parametrize("value", ["0", "thirty", "1000000"])
def test_a_bad_value_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    cfg = load_with(monkeypatch, NAMES, FIERA_TRADE_QUOTES_PER_MONTH=value)
    [problem] = config.problems(cfg)
    assert problem.startswith("FIERA_TRADE_QUOTES_PER_MONTH must be a whole number from 1 to")


def test_fiera_check_names_a_bad_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fiera.cli import main

    monkeypatch.setenv("FIERA_TRADE_QUOTES_PER_MONTH", "0")
    code = main(["check"])
    out = capsys.readouterr()
    assert code != 0 and "FIERA_TRADE_QUOTES_PER_MONTH" in out.out + out.err
