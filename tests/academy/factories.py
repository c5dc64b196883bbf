"""The academy's base objects for tests: a course with modules and lessons, a cohort, people
enrolled in it. Feature factories build on these (tests/academy/<feature>_factories.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fiera.academy.models import Cohort, Course, Enrolment, Lesson, Module
from tests.catalog import factories as f

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def course(
    slug: str | None = None,
    *,
    modules: int = 2,
    lessons: int = 2,
    languages: str = "it,es,en",
    published: bool = True,
) -> Course:
    slug = slug or f"course-{f._n()}"
    c = Course.objects.create(
        slug=slug,
        title={"it": f"Corso {slug}", "es": f"Curso {slug}", "en": f"Course {slug}"},
        summary={"it": "Il **riassunto**.", "es": "El **resumen**.", "en": "The **summary**."},
        languages=languages,
        created_at=NOW,
        published_at=NOW if published else None,
    )
    for m in range(1, modules + 1):
        mod = Module.objects.create(
            course=c,
            position=m,
            title={"it": f"Modulo {m}", "es": f"Módulo {m}", "en": f"Module {m}"},
        )
        for n in range(1, lessons + 1):
            Lesson.objects.create(
                module=mod,
                position=n,
                title={"it": f"Lezione {m}.{n}", "es": f"Lección {m}.{n}", "en": f"Lesson {m}.{n}"},
                body={"it": f"# Lezione {m}.{n}\n\nTesto.", "es": f"# Lección {m}.{n}\n\nTexto."},
            )
    return c


def cohort(
    c: Course | None = None,
    *,
    slug: str | None = None,
    capacity: int = 250,
    languages: str = "it,es",
    starts_on: date = date(2026, 11, 1),
    ends_on: date = date(2027, 1, 31),
) -> Cohort:
    c = c or course()
    slug = slug or f"cohort-{f._n()}"
    return Cohort.objects.create(
        course=c,
        slug=slug,
        name=f"Cohort {slug}",
        starts_on=starts_on,
        ends_on=ends_on,
        languages=languages,
        capacity=capacity,
        created_at=NOW,
    )


def enrolment(
    co: Cohort, user: Any | None = None, *, language: str = "it", **fields: Any
) -> Enrolment:
    user = user or f.user(role="learner")
    return Enrolment.objects.create(
        cohort=co, user=user, language=language, enrolled_at=NOW, **fields
    )
