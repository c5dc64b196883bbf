"""FIERA_TRADE_INQUIRIES_PER_DAY: read by fiera.config (environment only), a bad value named
in plain words; the default is 10."""

from __future__ import annotations

import pytest

from fiera import config
from tests.common.configenv import load_with

NAMES = ("FIERA_TRADE_INQUIRIES_PER_DAY",)


def test_default_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_with(monkeypatch, NAMES).trade_inquiries_per_day == 10
    cfg = load_with(monkeypatch, NAMES, FIERA_TRADE_INQUIRIES_PER_DAY="25")
    assert config.problems(cfg) == []
    assert cfg.trade_inquiries_per_day == 25


@pytest.mark.parametrize("value", ["0", "ten", "100000"])
def test_a_bad_value_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    cfg = load_with(monkeypatch, NAMES, FIERA_TRADE_INQUIRIES_PER_DAY=value)
    [problem] = config.problems(cfg)
    assert problem.startswith("FIERA_TRADE_INQUIRIES_PER_DAY must be a whole number from 1 to")
