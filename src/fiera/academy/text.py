"""Per-language texts of the academy (``{"it": ..., "es": ..., "en": ...}``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def pick(texts: Mapping[str, str] | None, language: str, fallbacks: Sequence[str] = ()) -> str:
    """The text in ``language`` (``zh-hans`` also matches ``zh``), else in the first of
    ``fallbacks`` present, else English, else any; ``""`` when there is none."""
    if not texts:
        return ""
    base = language.split("-")[0]
    for code in (language, base, *fallbacks, "en"):
        value = texts.get(code)
        if value:
            return value
    return next((v for v in texts.values() if v), "")
