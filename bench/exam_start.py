"""Exam-start benchmark: a whole cohort starting the final exam at the same second against a
running server, beside the raw SQL of the same writes.

    .venv/bin/python bench/exam_start.py [--database-url URL] [--learners 500] [--answers 20]
                                         [--workers N] [--threads T]

Default database: sqlite:///var/bench_exam.sqlite3 (replaced); with DATABASE_URL or
--database-url postgresql://.../fiera_bench_exam it is dropped and created again. In one run:

1. migrates a fresh database and seeds a course, a cohort of ``--learners`` learners each
   with an API token, and a final exam drawing 20 questions from a bank of 30 (every type);
2. counts the statements of one start and one save through the Django test client (the
   budgets tests/academy/test_exams_queries.py asserts);
3. starts the real server (``fiera serve``) on loopback; one thread per learner, released
   together by a barrier, POSTs /api/v1/academy/assessments/ID/attempts (the same second),
   then PUTs each of its ``--answers`` answers one after the other on its keep-alive
   connection;
4. replays the same writes raw through the driver (sqlite3 or psycopg) from 16 threads: one
   INSERT of the attempt with its paper per learner, then one upsert per answer, on a second
   copy of the exam: the raw-SQL limit of exactly these writes, measured in the same run.

It prints p50/p95/p99 latency and throughput of start and save over HTTP and raw, and the
ratio of the HTTP rates to the raw ones. The load generator shares the cores with the
server (docs/architecture.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# the database, Django, the server and the driver connection as the checkout bench has them
from bench.checkout import (  # noqa: E402
    free_port,
    prepare_database,
    raw_connection,
    server,
    setup_django,
)

DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'bench_exam.sqlite3'}"
RAW_THREADS = 16


@dataclass
class Learner:
    user_id: int
    enrolment_id: int
    token: str


@dataclass
class World:
    final_id: int
    raw_final_id: int
    learners: list[Learner]


def seed(learners: int) -> World:
    """A course, a cohort of learners with tokens, a final exam (and a copy for the raw run)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from tests.academy.exams_factories import BANK

    from fiera.academy.models import Assessment, Cohort, Course, Enrolment, Question
    from fiera.accounts.models import User
    from fiera.accounts.services import token_issue

    now = timezone.now()
    course = Course.objects.create(
        slug="bench-course", title={"en": "Bench"}, languages="it,es,en", created_at=now
    )
    cohort = Cohort.objects.create(
        course=course,
        slug="bench-cohort",
        name="Bench cohort",
        starts_on=now.date(),
        ends_on=now.date() + timedelta(days=90),
        languages="it,es",
        capacity=learners + 10,
        created_at=now,
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"bench-learner-{n:04d}", password=password, role="learner")
        for n in range(learners + 1)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(cohort=cohort, user=u, language="it", enrolled_at=now) for u in users
    )
    ids = []
    for kind_copy in range(2):
        a = Assessment.objects.create(
            course=course,
            kind="final" if kind_copy == 0 else "quiz",
            module=None
            if kind_copy == 0
            else course.modules.create(position=1, title={"en": "M1"}),
            title={"en": "Final exam"},
            time_limit_seconds=3600,
            attempts_allowed=3,
            pass_mark_percent=60,
            questions_per_attempt=20,
            created_at=now - timedelta(days=1),
        )
        Question.objects.bulk_create(
            Question(assessment=a, position=n, created_at=now, **q)
            for n, q in enumerate(BANK * 5, start=1)
        )
        ids.append(a.pk)
    people = [
        Learner(u.pk, e.pk, token_issue(user_id=u.pk).key)
        for u, e in zip(users, enrolments, strict=True)
    ]
    return World(final_id=ids[0], raw_final_id=ids[1], learners=people)


def response_for(question: dict[str, Any]) -> dict[str, Any]:
    """A plausible answer to a paper question (the first option, true, a number, a word)."""
    kind = question["kind"]
    if kind == "single":
        return {"choice": 0}
    if kind == "multiple":
        return {"choices": [0, 1]}
    if kind == "truefalse":
        return {"value": True}
    if kind == "numeric":
        return {"value": "3.14"}
    if kind == "short":
        return {"text": "Tevere"}
    return {"matches": list(range(len(question["left"])))}


def count_statements(world: World) -> tuple[int, int]:
    """Statements of one start and one save over the test client (the last learner)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    learner = world.learners[-1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {learner.token}")
    with CaptureQueriesContext(connection) as start:
        reply = client.post(f"/api/v1/academy/assessments/{world.final_id}/attempts")
    assert reply.status_code == 201, reply.content
    paper = reply.json()
    q = paper["questions"][0]
    with CaptureQueriesContext(connection) as save:
        reply = client.put(
            f"/api/v1/academy/attempts/{paper['id']}/answers/{q['question_id']}",
            data=json.dumps({"response": response_for(q)}),
            content_type="application/json",
        )
    assert reply.status_code == 200, reply.content
    return len(start.captured_queries), len(save.captured_queries)


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    ok: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        bad = {k: v for k, v in self.statuses.items() if k >= 300}
        return (
            f"{self.name:<22} {self.ok:>6} ok  {self.rate:>8.0f}/s  "
            f"p50 {self.percentile(50):>7.1f} ms  p95 {self.percentile(95):>7.1f} ms  "
            f"p99 {self.percentile(99):>7.1f} ms" + (f"  errors {bad}" if bad else "")
        )


def http_storm(port: int, world: World, answers: int) -> tuple[Result, Result, float]:
    """Every learner starts at once (a barrier), then saves ``answers`` answers in turn."""
    learners = world.learners[:-1]
    start, save = Result("start (HTTP)"), Result("save answer (HTTP)")
    lock = threading.Lock()
    barrier = threading.Barrier(len(learners) + 1)

    def body(learner: Learner) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {learner.token}", "Content-Type": "application/json"}
        mine_start: list[float] = []
        mine_save: list[float] = []
        statuses: Counter[int] = Counter()
        barrier.wait()
        began = time.perf_counter()
        conn.request(
            "POST", f"/api/v1/academy/assessments/{world.final_id}/attempts", headers=headers
        )
        reply = conn.getresponse()
        payload = reply.read()
        mine_start.append(time.perf_counter() - began)
        statuses[reply.status] += 1
        if reply.status == 201:
            paper = json.loads(payload)
            for q in paper["questions"][:answers]:
                body_bytes = json.dumps({"response": response_for(q)})
                began = time.perf_counter()
                conn.request(
                    "PUT",
                    f"/api/v1/academy/attempts/{paper['id']}/answers/{q['question_id']}",
                    body=body_bytes,
                    headers=headers,
                )
                answer = conn.getresponse()
                answer.read()
                mine_save.append(time.perf_counter() - began)
                statuses[1000 + answer.status] += 1
        conn.close()
        with lock:
            start.latencies.extend(mine_start)
            save.latencies.extend(mine_save)
            for code, n in statuses.items():
                if code >= 1000:
                    save.statuses[code - 1000] += n
                    save.ok += n if code == 1200 else 0
                else:
                    start.statuses[code] += n
                    start.ok += n if code == 201 else 0

    threads = [threading.Thread(target=body, args=(p,), daemon=True) for p in learners]
    for t in threads:
        t.start()
    barrier.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    total = time.perf_counter() - began
    # every start was fired in the same instant: its rate is over the time the last took
    start.seconds = max(start.latencies) if start.latencies else total
    save.seconds = total
    return start, save, total


def raw_storm(url: str, world: World, answers: int) -> tuple[Result, Result]:
    """The same writes raw: per learner one INSERT of an attempt with a 20-question paper
    (one transaction), then one upsert per answer (one transaction each), from 16 threads."""
    from django.db import connection as django_connection
    from django.utils import timezone

    from fiera.academy import grading
    from fiera.academy.models import Attempt, AttemptAnswer, Question

    bank = list(
        Question.objects.filter(assessment_id=world.raw_final_id).values("pk", "kind", "key")
    )
    django_connection.close()
    sqlite = url.startswith("sqlite")
    mark = "?" if sqlite else "%s"
    attempt_table, answer_table = Attempt._meta.db_table, AttemptAnswer._meta.db_table
    false = "0" if sqlite else "false"
    insert_attempt = (
        f"INSERT INTO {attempt_table} (enrolment_id, assessment_id, number, paper, started_at, "
        f"deadline_at, auto_submitted) VALUES ({', '.join([mark] * 6)}, {false}) RETURNING id"
    )
    upsert_answer = (
        f"INSERT INTO {answer_table} (attempt_id, question_id, response, saved_at) "
        f"VALUES ({mark}, {mark}, {mark}, {mark}) ON CONFLICT (attempt_id, question_id) "
        "DO UPDATE SET response = excluded.response, saved_at = excluded.saved_at"
    )
    learners = world.learners[:-1]
    start, save = Result("start (raw SQL)"), Result("save answer (raw SQL)")
    lock = threading.Lock()
    attempts: list[tuple[int, list[dict[str, Any]]]] = []

    def in_threads(items: list[Any], work: Callable[[Any, Any], float], into: Result) -> None:
        chunks = [items[i::RAW_THREADS] for i in range(RAW_THREADS)]

        def body(chunk: list[Any]) -> None:
            conn = raw_connection(url)
            mine = [work(conn, item) for item in chunk]
            conn.close()
            with lock:
                into.latencies.extend(mine)
                into.ok += len(mine)

        threads = [threading.Thread(target=body, args=(c,)) for c in chunks]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        into.seconds = time.perf_counter() - began

    def begin(conn: Any) -> None:
        conn.execute("BEGIN IMMEDIATE" if sqlite else "BEGIN")

    def start_one(conn: Any, learner: Learner) -> float:
        rng = random.Random(learner.user_id)
        paper = [
            grading.paper_entry(q["pk"], q["kind"], q["key"], shuffle=True, rng=rng)
            for q in rng.sample(bank, 20)
        ]
        now = timezone.now()
        began = time.perf_counter()
        begin(conn)
        row = conn.execute(
            insert_attempt,
            (
                learner.enrolment_id,
                world.raw_final_id,
                1,
                json.dumps(paper),
                now.isoformat() if sqlite else now,
                (now + timedelta(hours=1)).isoformat() if sqlite else now + timedelta(hours=1),
            ),
        ).fetchone()
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - began
        with lock:
            attempts.append((int(row[0]), paper))
        return elapsed

    in_threads(learners, start_one, start)

    def save_all(conn: Any, item: tuple[int, list[dict[str, Any]]]) -> list[float]:
        attempt_id, paper = item
        out = []
        for entry in paper[:answers]:
            now = timezone.now()
            began = time.perf_counter()
            begin(conn)
            conn.execute(
                upsert_answer,
                (
                    attempt_id,
                    entry["q"],
                    json.dumps({"value": True}),
                    now.isoformat() if sqlite else now,
                ),
            )
            conn.execute("COMMIT")
            out.append(time.perf_counter() - began)
        return out

    flat = Result("save answer (raw SQL)")
    in_threads(attempts, save_all, flat)  # type: ignore[arg-type]
    save.seconds = flat.seconds
    for chunk in flat.latencies:
        save.latencies.extend(chunk)  # type: ignore[arg-type]
    save.ok = len(save.latencies)
    return start, save


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--answers", type=int, default=20, help="answers each learner saves")
    parser.add_argument(
        "--workers",
        type=int,
        default=max(2, (os.cpu_count() or 1) * 2),
        help="server processes (default 2 x cores)",
    )
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    args = parser.parse_args(argv)
    url = args.database_url
    secret_key = secrets.token_urlsafe(50)
    (ROOT / "var").mkdir(exist_ok=True)
    print(f"preparing {url.split('@')[-1]} ...", flush=True)
    prepare_database(url)
    setup_django(url, secret_key)
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", interactive=False, verbosity=0)
    world = seed(args.learners)
    start_statements, save_statements = count_statements(world)
    vendor = connection.vendor
    connections.close_all()

    port = free_port()
    print(
        f"{args.learners} learners start the final exam at once, then save {args.answers} "
        f"answers each; server: {args.workers} workers x {args.threads} threads on {vendor}",
        flush=True,
    )
    with server(url, secret_key, port, args.workers, args.threads):
        start, save, total = http_storm(port, world, args.answers)
    raw_start, raw_save = raw_storm(url, world, args.answers)
    print(
        f"statements per request (auth included): start {start_statements}, save {save_statements}"
    )
    for result in (start, raw_start, save, raw_save):
        print(result.line())
    print(f"whole storm over HTTP: {total:.1f} s for {start.ok} starts and {save.ok} saves")
    if raw_start.rate and raw_save.rate:
        print(
            f"HTTP / raw SQL: start {start.rate / raw_start.rate:.2f}x, "
            f"save {save.rate / raw_save.rate:.2f}x of the raw-SQL limit"
        )
    failed = sum(v for k, v in start.statuses.items() if k != 201)
    failed += sum(v for k, v in save.statuses.items() if k != 200)
    if failed:
        print(f"FAILED requests: start {dict(start.statuses)}, save {dict(save.statuses)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
