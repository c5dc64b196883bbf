"""FIERA_PAYMENT_TIMEOUT_MINUTES and FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES: read by
fiera.config, a bad value named in plain words, and shown by ``fiera check``."""

from __future__ import annotations

import pytest

from fiera import config
from tests.common.configenv import load_with

NAMES = ("FIERA_PAYMENT_TIMEOUT_MINUTES", "FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES")


def test_defaults_and_values(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_with(monkeypatch, NAMES)
    assert (cfg.payment_timeout_minutes, cfg.flash_payment_timeout_minutes) == (30, 15)
    cfg = load_with(
        monkeypatch,
        NAMES,
        FIERA_PAYMENT_TIMEOUT_MINUTES="45",
        FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES="10",
    )
    assert config.problems(cfg) == []
    assert (cfg.payment_timeout_minutes, cfg.flash_payment_timeout_minutes) == (45, 10)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FIERA_PAYMENT_TIMEOUT_MINUTES", "0"),
        ("FIERA_PAYMENT_TIMEOUT_MINUTES", "half an hour"),
        ("FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES", "99999"),
    ],
)
def test_a_bad_value_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    cfg = load_with(monkeypatch, NAMES, **{name: value})
    [problem] = config.problems(cfg)
    assert problem.startswith(f"{name} must be a whole number from 1 to 10080")


def test_fiera_check_states_the_timeouts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fiera.cli import main

    load_with(monkeypatch, NAMES, FIERA_PAYMENT_TIMEOUT_MINUTES="zero")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "pay-later orders wait 30 min (15 with flash-sale items)" in out
    assert "FIERA_PAYMENT_TIMEOUT_MINUTES must be a whole number" in out
