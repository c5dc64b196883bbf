"""The demo academy: the masterclass in digital transformation and the platform economy
(course ``digital-masterclass``, 5 modules, 16 lessons in Italian, Spanish and English, text
in ``fiera.demo.academy_content``), its teacher (login ``teacher``), and the cohort
``masterclass-2026`` (Italian and Spanish, 250 places) with about 220 founders: the owners
of demo merchants from Italy and Spain (founder accounts are made for merchants that have
no owner login yet), new learners with Italian and Spanish names, and the ``learner``
login. Lesson progress is spread as real cohorts spread (some finished, most part-way, a
few never started), and four live workshops: two past with attendance recorded, two
upcoming, one of them full with a waiting line.

A loader, not domain logic: rows are written with ``bulk_create`` (progress, registrations)
after the course is built through the same models the services use. Deterministic for a
``seed``; timestamps move with ``now``. The exams and certificates demos look the cohort up
by its slug, ``COHORT_SLUG``.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction

from fiera.academy.models import (
    Cohort,
    Course,
    CourseInstructor,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    LessonProgress,
    Module,
    RegistrationStatus,
    Workshop,
    WorkshopRegistration,
)
from fiera.accounts.models import Role, User
from fiera.accounts.selectors import user_ids_by_username
from fiera.demo.academy_content import COURSE_SUMMARY, COURSE_TITLE, MODULES
from fiera.merchants.models import Merchant, StaffMembership, StaffRole

COURSE_SLUG = "digital-masterclass"
COHORT_SLUG = "masterclass-2026"
COHORT_CAPACITY = 250
LEARNERS = 220
TEACHER = "teacher"
LEARNER = "learner"

ITALIAN_FIRST = (
    "Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Elena",
    "Davide", "Martina", "Stefano", "Valentina", "Andrea", "Federica", "Paolo", "Silvia",
    "Giorgio", "Alessia", "Roberto", "Laura", "Simone", "Ilaria", "Nicola", "Beatrice",
)  # fmt: skip
ITALIAN_LAST = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
    "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano",
    "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi",
)  # fmt: skip
SPANISH_FIRST = (
    "Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Alejandro", "María", "Daniel", "Paula",
    "Javier", "Carmen", "Álvaro", "Elena", "Sergio", "Laura", "Diego", "Marta", "Adrián",
    "Irene", "Raúl", "Nuria", "Jorge", "Cristina", "Iván", "Alba",
)  # fmt: skip
SPANISH_LAST = (
    "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
    "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos",
)  # fmt: skip

WORKSHOPS: tuple[tuple[dict[str, str], int, int, int, str, str], ...] = (
    # title, days from now, hour (Rome), capacity, location, time zone
    (
        {
            "it": "Aprire il primo negozio su un marketplace",
            "es": "Abrir la primera tienda en un marketplace",
            "en": "Opening your first marketplace store",
        },
        -30,
        17,
        220,
        "Online",
        "Europe/Rome",
    ),
    (
        {
            "it": "Prezzi e costo di arrivo: esercitazione",
            "es": "Precios y coste de llegada: ejercicio práctico",
            "en": "Pricing and landed cost: hands-on session",
        },
        -9,
        18,
        160,
        "Online",
        "Europe/Madrid",
    ),
    (
        {
            "it": "Vendita in diretta: prova pratica",
            "es": "Venta en directo: prueba práctica",
            "en": "Live selling: a practice run",
        },
        6,
        17,
        200,
        "Online",
        "Europe/Rome",
    ),
    (
        {
            "it": "Dogane e logistica: incontro a Milano",
            "es": "Aduanas y logística: encuentro en Milán",
            "en": "Customs and logistics: meet-up in Milan",
        },
        20,
        10,
        40,
        "Milano, Via Tortona 27",
        "Europe/Rome",
    ),
)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch == ".")


def _username(first: str, last: str, taken: set[str]) -> str:
    base = f"{_ascii(first)}.{_ascii(last)}"[:130] or "learner"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


def _build_course(now: datetime, teacher_id: int) -> tuple[Course, list[int]]:
    course = Course.objects.create(
        slug=COURSE_SLUG,
        title=dict(COURSE_TITLE),
        summary=dict(COURSE_SUMMARY),
        languages="it,es,en",
        created_by_id=teacher_id,
        created_at=now - timedelta(days=120),
        published_at=now - timedelta(days=90),
    )
    CourseInstructor.objects.create(course=course, user_id=teacher_id, added_at=course.created_at)
    lesson_ids: list[int] = []
    for m_position, (m_title, lessons) in enumerate(MODULES, start=1):
        module = Module.objects.create(course=course, position=m_position, title=dict(m_title))
        rows = Lesson.objects.bulk_create(
            Lesson(
                module=module,
                position=l_position,
                title=dict(title),
                body=dict(body),
                minutes=minutes,
            )
            for l_position, (title, minutes, body) in enumerate(lessons, start=1)
        )
        lesson_ids.extend(int(r.pk) for r in rows)
    return course, lesson_ids


def _founders(
    rng: random.Random, now: datetime, password_hash: str, taken: set[str]
) -> list[tuple[int, str]]:
    """(user id, language) of the owners of Italian and Spanish demo merchants: existing
    owner logins first (the README's ``merchant``), then a founder login made for each
    merchant without one, in the merchant's country. At most about 60 % of the cohort."""
    wanted = LEARNERS * 6 // 10
    merchants = list(
        Merchant.objects.filter(country__in=("IT", "ES")).order_by("id").values("id", "country")
    )
    owners = dict(
        StaffMembership.objects.filter(
            role=StaffRole.OWNER, merchant_id__in=[m["id"] for m in merchants]
        )
        .order_by("merchant_id", "id")
        .values_list("merchant_id", "user_id")
    )
    found: list[tuple[int, str]] = []
    seen: set[int] = set()
    for m in merchants:
        user_id = owners.get(m["id"])
        if user_id and user_id not in seen:
            seen.add(user_id)
            found.append((int(user_id), "es" if m["country"] == "ES" else "it"))
    spanish = [m for m in merchants if m["country"] == "ES" and m["id"] not in owners]
    italian = [m for m in merchants if m["country"] == "IT" and m["id"] not in owners]
    rng.shuffle(italian)
    missing = max(wanted - len(found), 0)
    chosen = (spanish + italian)[:missing]
    users: list[User] = []
    for m in chosen:
        spanish_owner = m["country"] == "ES"
        first = rng.choice(SPANISH_FIRST if spanish_owner else ITALIAN_FIRST)
        last = rng.choice(SPANISH_LAST if spanish_owner else ITALIAN_LAST)
        username = _username(first, last, taken)
        users.append(
            User(
                username=username,
                password=password_hash,
                email=f"{username}@example.com",
                first_name=first,
                last_name=last,
                role=Role.MERCHANT,
                country=m["country"],
                preferred_language="es" if spanish_owner else "it",
                date_joined=now - timedelta(days=rng.randint(200, 800)),
            )
        )
    created = User.objects.bulk_create(users)
    StaffMembership.objects.bulk_create(
        StaffMembership(user_id=u.pk, merchant_id=m["id"], role=StaffRole.OWNER)
        for u, m in zip(created, chosen, strict=True)
    )
    found.extend((int(u.pk), u.preferred_language) for u in created)
    return found


def _learners(
    rng: random.Random, now: datetime, password_hash: str, taken: set[str], count: int
) -> list[tuple[int, str]]:
    users: list[User] = []
    for i in range(count):
        spanish = i % 2 == 0
        first = rng.choice(SPANISH_FIRST if spanish else ITALIAN_FIRST)
        last = rng.choice(SPANISH_LAST if spanish else ITALIAN_LAST)
        username = _username(first, last, taken)
        users.append(
            User(
                username=username,
                password=password_hash,
                email=f"{username}@example.com",
                first_name=first,
                last_name=last,
                role=Role.LEARNER,
                country="ES" if spanish else "IT",
                preferred_language="es" if spanish else "it",
                date_joined=now - timedelta(days=rng.randint(60, 400)),
            )
        )
    return [(int(u.pk), u.preferred_language) for u in User.objects.bulk_create(users)]


def _login(username: str, password_hash: str, now: datetime, **fields: object) -> int:
    found = user_ids_by_username(usernames=[username]).get(username)
    if found:
        return found
    user = User.objects.create(
        username=username,
        password=password_hash,
        email=f"{username}@example.com",
        date_joined=now - timedelta(days=300),
        **fields,
    )
    return int(user.pk)


def build_academy(*, now: datetime, seed: int, password: str) -> str:
    """Build the masterclass, its cohort and workshops; returns the summary line."""
    rng = random.Random(seed * 7919 + 10)
    password_hash = make_password(password)
    with transaction.atomic():
        if Course.objects.filter(slug=COURSE_SLUG).exists():
            return "academy        the masterclass exists already (kept)"
        taken = set(User.objects.values_list("username", flat=True))
        teacher_id = _login(
            TEACHER,
            password_hash,
            now,
            role=Role.LEARNER,
            first_name="Valeria",
            last_name="Conti",
            country="IT",
            preferred_language="it",
        )
        learner_id = _login(
            LEARNER,
            password_hash,
            now,
            role=Role.LEARNER,
            first_name="Lucía",
            last_name="Navarro",
            country="ES",
            preferred_language="es",
        )
        course, lesson_ids = _build_course(now, teacher_id)
        today = now.date()
        cohort = Cohort.objects.create(
            course=course,
            slug=COHORT_SLUG,
            name="Masterclass 2026",
            starts_on=today - timedelta(days=45),
            ends_on=today + timedelta(days=60),
            languages="it,es",
            capacity=COHORT_CAPACITY,
            created_at=now - timedelta(days=80),
        )
        people = [(learner_id, "es")]
        people += _founders(rng, now, password_hash, taken)
        people += _learners(rng, now, password_hash, taken, LEARNERS - len(people))
        start = datetime(
            cohort.starts_on.year,
            cohort.starts_on.month,
            cohort.starts_on.day,
            8,
            tzinfo=now.tzinfo,
        )
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(
                cohort=cohort,
                user_id=user_id,
                language=language,
                enrolled_at=start - timedelta(days=rng.randint(1, 25), minutes=rng.randint(0, 600)),
            )
            for user_id, language in people
        )
        progress, completed, withdrawn = _progress(
            rng, now, start, enrolments, lesson_ids, learner_id
        )
        registrations, attended = _workshops(
            rng, now, course, cohort, enrolments, teacher_id, learner_id
        )
    return (
        f"academy        course {COURSE_SLUG} ({len(MODULES)} modules, {len(lesson_ids)} lessons "
        f"in it/es/en), cohort {COHORT_SLUG}: {len(enrolments)} of {COHORT_CAPACITY} places, "
        f"{progress} lessons done, {completed} completed, {withdrawn} withdrawn; "
        f"{len(WORKSHOPS)} workshops, {registrations} registrations, {attended} attended "
        f"(logins: {TEACHER}, {LEARNER})"
    )


def _progress(
    rng: random.Random,
    now: datetime,
    start: datetime,
    enrolments: list[Enrolment],
    lesson_ids: list[int],
    learner_id: int,
) -> tuple[int, int, int]:
    """Lessons done per learner: about 20 % all, 8 % none, the rest part-way (more at the
    start of the course); the ``learner`` login is half-way."""
    rows: list[LessonProgress] = []
    completed: list[Enrolment] = []
    withdrawn: list[Enrolment] = []
    total = len(lesson_ids)
    elapsed = max((now - start).total_seconds(), 3600.0)
    for e in enrolments:
        roll = rng.random()
        if e.user_id == learner_id:
            done = total // 2
        elif roll < 0.08:
            done = 0
        elif roll < 0.28:
            done = total
        else:
            done = max(1, min(total - 1, int(rng.triangular(1, total, total * 0.45))))
        if e.user_id != learner_id and done < 3 and rng.random() < 0.25:
            withdrawn.append(e)
        moments = sorted(start + timedelta(seconds=rng.uniform(0, elapsed)) for _ in range(done))
        rows.extend(
            LessonProgress(enrolment=e, lesson_id=lesson_id, completed_at=at)
            for lesson_id, at in zip(lesson_ids[:done], moments, strict=True)
        )
        if done == total and moments:
            e.completed_at = moments[-1]
            e.status = EnrolmentStatus.COMPLETED
            completed.append(e)
    LessonProgress.objects.bulk_create(rows, batch_size=2000)
    for e in withdrawn:
        e.status = EnrolmentStatus.WITHDRAWN
    Enrolment.objects.bulk_update(completed + withdrawn, ["status", "completed_at"], batch_size=500)
    return len(rows), len(completed), len(withdrawn)


def _workshops(
    rng: random.Random,
    now: datetime,
    course: Course,
    cohort: Cohort,
    enrolments: list[Enrolment],
    teacher_id: int,
    learner_id: int,
) -> tuple[int, int]:
    """Two past workshops with attendance, one upcoming with free seats, one full with a
    waiting line (the ``learner`` login has a seat at the first upcoming one and waits for
    the second)."""
    active = [e.user_id for e in enrolments if e.status != EnrolmentStatus.WITHDRAWN]
    rows: list[WorkshopRegistration] = []
    attended = 0
    for title, days, hour, capacity, location, zone in WORKSHOPS:
        day = (now + timedelta(days=days)).astimezone(ZoneInfo(zone)).date()
        starts_at = datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(zone))
        workshop = Workshop.objects.create(
            course=course,
            cohort=cohort,
            title=dict(title),
            description={
                "it": "Portate le vostre domande e i numeri della vostra impresa.",
                "es": "Traiga sus preguntas y los números de su empresa.",
                "en": "Bring your questions and your company's figures.",
            },
            starts_at=starts_at,
            duration_minutes=90,
            time_zone=zone,
            capacity=capacity,
            location=location,
            online_link="https://meet.example.org/masterclass" if location == "Online" else "",
            created_at=now - timedelta(days=60),
        )
        past = starts_at < now
        others = [u for u in active if u != learner_id]
        if days == 20:  # the meet-up in Milan: full, with a line
            wanting = [*rng.sample(others, capacity + 12), learner_id]
        elif past:
            wanting = rng.sample(others, min(len(others), int(capacity * rng.uniform(0.7, 0.9))))
        else:
            wanting = [learner_id, *rng.sample(others, int(capacity * 0.6))]
        opened = starts_at - timedelta(days=21)
        for n, user_id in enumerate(wanting):
            seated = n < capacity
            reg = WorkshopRegistration(
                workshop=workshop,
                user_id=user_id,
                status=RegistrationStatus.REGISTERED if seated else RegistrationStatus.WAITLISTED,
                waitlist_position=None if seated else n - capacity + 1,
                registered_at=min(opened + timedelta(minutes=7 * n), now),
            )
            if past and seated and rng.random() < 0.82:
                reg.attended_at = starts_at + timedelta(minutes=rng.randint(0, 15))
                attended += 1
            rows.append(reg)
    WorkshopRegistration.objects.bulk_create(rows, batch_size=2000)
    del teacher_id
    return len(rows), attended
