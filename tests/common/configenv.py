"""Loading Fiera's configuration from a chosen environment, for the config tests."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from fiera import config


def load_with(monkeypatch: pytest.MonkeyPatch, cleared: Iterable[str], **env: str) -> config.Config:
    """``config.load()`` with the ``cleared`` variables unset, DEBUG on, and ``env`` set."""
    for name in cleared:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "true")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return config.load()
