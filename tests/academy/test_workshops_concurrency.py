"""On PostgreSQL, many people at once: N seats go to exactly N people and the rest wait in
line (the workshop's row lock); a cohort never takes more than its capacity."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from fiera.academy import courses as c
from fiera.academy import workshops as w
from fiera.academy.models import Enrolment, WorkshopRegistration
from fiera.accounts.roles import LEARNER
from tests.academy import factories as af
from tests.academy.courses_factories import workshop
from tests.academy.factories import NOW
from tests.catalog import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(actions: list[Callable[[], object]]) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            result = action()
            with lock:
                outcomes.append(str(getattr(result, "status", "done")))
        except Exception as exc:
            with lock:
                outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_n_plus_5_people_for_n_seats() -> None:
    seats = 10
    cohort = af.cohort()
    ws = workshop(cohort.course, cohort=cohort, capacity=seats)
    people = [f.user(role="learner") for _ in range(seats + 5)]
    for p in people:
        af.enrolment(cohort, p)
    outcomes = _race(
        [lambda p=p: w.workshop_register(workshop_id=ws.id, user_id=p.pk, now=NOW) for p in people]  # type: ignore[misc]
    )
    assert outcomes == ["registered"] * seats + ["waitlisted"] * 5
    rows = WorkshopRegistration.objects.filter(workshop=ws)
    assert rows.filter(status="registered").count() == seats
    positions = sorted(rows.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    assert positions == [1, 2, 3, 4, 5]


def test_a_cohort_never_takes_more_than_its_capacity() -> None:
    cohort = af.cohort(capacity=5)
    people = [f.user(role="learner") for _ in range(12)]
    outcomes = _race(
        [
            lambda p=p: c.enrol(
                cohort_slug=cohort.slug, language="it", user_id=p.pk, actor_role=LEARNER, now=NOW
            )  # type: ignore[misc]
            for p in people
        ]
    )
    assert outcomes == ["CohortFull"] * 7 + ["active"] * 5
    assert Enrolment.objects.filter(cohort=cohort).count() == 5
