"""Assessments for tests: a quiz or final exam with a bank of every question type."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fiera.academy.models import Assessment, Cohort, Course, Question
from tests.academy.factories import NOW


def assessment(course: Course, *, kind: str = "final", **fields: Any) -> Assessment:
    defaults: dict[str, Any] = {
        "title": {"it": "Esame finale", "es": "Examen final", "en": "Final exam"},
        "time_limit_seconds": 1800,
        "attempts_allowed": 3,
        "pass_mark_percent": 60,
        "shuffle_questions": True,
        "shuffle_choices": True,
        "created_at": NOW - timedelta(days=1),
    }
    if kind == "quiz" and "module" not in fields:
        fields["module"] = course.modules.order_by("position").first()
    defaults.update(fields)
    return Assessment.objects.create(course=course, kind=kind, **defaults)


def t(it: str, es: str | None = None, en: str | None = None) -> dict[str, str]:
    return {"it": it, "es": es or it, "en": en or it}


# one question of each type; the right answers are noted in the comments
BANK: list[dict[str, Any]] = [
    {
        "kind": "single",
        "text": t("Capitale d'Italia?", "¿Capital de Italia?", "Capital of Italy?"),
        "key": {
            "choices": [
                {"id": "c1", "text": t("Roma"), "weight": 100},  # right
                {"id": "c2", "text": t("Milano"), "weight": 0},
                {"id": "c3", "text": t("Napoli"), "weight": 0},
            ]
        },
    },
    {
        "kind": "multiple",
        "text": t("Numeri primi?", "¿Números primos?", "Prime numbers?"),
        "key": {
            "choices": [
                {"id": "c1", "text": t("2"), "weight": 50},
                {"id": "c2", "text": t("3"), "weight": 50},
                {"id": "c3", "text": t("4"), "weight": -100},
            ]
        },
    },
    {
        "kind": "truefalse",
        "text": t("Il sole è una stella.", "El sol es una estrella.", "The sun is a star."),
        "key": {"answer": True},
    },
    {
        "kind": "numeric",
        "text": t("Pi greco?", "¿Pi?", "Pi?"),
        "key": {
            "answers": [
                {"value": "3.14", "tolerance": "0.01", "weight": 100},
                {"min": "3", "max": "3.5", "weight": 50},
            ]
        },
    },
    {
        "kind": "short",
        "text": t("Il fiume di Roma?", "¿El río de Roma?", "Rome's river?"),
        "key": {"answers": [{"text": "Tevere", "weight": 100}, {"text": "Tiber", "weight": 100}]},
    },
    {
        "kind": "matching",
        "text": t("Abbina", "Empareja", "Match"),
        "key": {
            "pairs": [
                {"id": "p1", "left": t("Italia"), "right": t("Roma")},
                {"id": "p2", "left": t("Spagna"), "right": t("Madrid")},
                {"id": "p3", "left": t("Francia"), "right": t("Parigi")},
            ]
        },
    },
]


def bank(a: Assessment, questions: list[dict[str, Any]] | None = None) -> list[Question]:
    return [
        Question.objects.create(assessment=a, position=n, created_at=NOW, points=1, **q)
        for n, q in enumerate(questions or BANK, start=1)
    ]


def right_response(entry: dict[str, Any], question: Question) -> dict[str, Any]:
    """The full-marks response to a paper entry (positions as the learner sees them)."""
    key = question.key
    if entry["k"] == "single":
        right = next(c["id"] for c in key["choices"] if c["weight"] == 100)
        return {"choice": entry["c"].index(right)}
    if entry["k"] == "multiple":
        return {"choices": [entry["c"].index(c["id"]) for c in key["choices"] if c["weight"] > 0]}
    if entry["k"] == "truefalse":
        return {"value": key["answer"]}
    if entry["k"] == "numeric":
        return {"value": key["answers"][0].get("value", key["answers"][0].get("min"))}
    if entry["k"] == "short":
        return {"text": key["answers"][0]["text"]}
    return {"matches": [entry["r"].index(p) for p in entry["l"]]}


def cohort_of(a: Assessment) -> Cohort:
    return a.course.cohorts.first()
