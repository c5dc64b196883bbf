"""Live workshops: scheduling (teachers), registration with a waiting line (learners),
attendance (teachers), and the calendar (everyone signed in).

Who may register: people holding a place in the workshop's cohort (or, for a workshop of
the whole course, in any cohort of the course); teachers of the course see every
registration and record attendance.

Seats: ``workshop_register`` takes the workshop's row lock (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite serialises write transactions) before counting the seats taken, so N
seats go to exactly N people however many register at once; the others wait in line, in
the order they came. A registered person who cancels hands their seat, in the same
transaction, to the first in line.

Times: ``starts_at`` is an instant (UTC in the database); it is shown in the workshop's own
time zone and in the viewer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from fiera.academy.courses import (
    BODY_MAX,
    _clean_texts,
    _course_by_slug,
    _fallbacks,
    _title,
    enrolled_in_course,
    is_teacher,
    require_teacher,
)
from fiera.academy.markdown import render
from fiera.academy.models import (
    Cohort,
    RegistrationStatus,
    Workshop,
    WorkshopRegistration,
)
from fiera.academy.text import pick
from fiera.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied

HELD = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


class WorkshopNotFound(NotFound):
    code = "workshop_not_found"
    message_template = _("There is no such workshop.")


class NotEnrolledForWorkshop(PermissionDenied):
    code = "workshop_not_enrolled"
    message_template = _("Enrol in the course's cohort first: its workshops are for its learners.")


class AlreadyRegistered(Conflict):
    code = "workshop_already_registered"
    message_template = _("You are already registered for this workshop (or on its waiting list).")


class WorkshopStarted(Conflict):
    code = "workshop_started"
    message_template = _("This workshop has already started: registrations are closed.")


class NotRegistered(NotFound):
    code = "workshop_not_registered"
    message_template = _("This person is not registered for the workshop.")


class InvalidTimeZone(InvalidInput):
    code = "invalid_time_zone"
    message_template = _("Give the time zone as a place name, for example Europe/Rome.")


class InvalidWorkshop(InvalidInput):
    code = "invalid_workshop"
    message_template = _(
        "Check the workshop: capacity from 1 to 10000, duration from 1 to 600 minutes, texts "
        "not too long."
    )


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(name: str) -> str:
    """The IANA time zone name, or ``InvalidTimeZone``."""
    name = (name or "").strip()
    if name not in time_zones():
        raise InvalidTimeZone(f"unknown time zone {name!r}")
    return name


@dataclass(frozen=True)
class MyPlace:
    status: str  # registered, waitlisted, cancelled
    waitlist_rank: int | None  # 1 = next in line
    attended: bool


@dataclass(frozen=True)
class WorkshopInfo:
    id: int
    course_id: int
    course_slug: str
    course_title: str
    cohort_id: int | None
    cohort_name: str
    title: str
    description_html: SafeString
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    local_starts_at: datetime  # in the workshop's zone
    viewer_starts_at: datetime  # in the viewer's zone
    duration_minutes: int
    capacity: int
    registered: int
    waitlisted: int
    location: str
    online_link: str  # "" unless the viewer holds a seat or teaches
    mine: MyPlace | None
    is_teacher: bool

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.registered, 0)


@dataclass(frozen=True)
class RegistrationInfo:
    id: int
    workshop_id: int
    user_id: int
    status: str
    waitlist_rank: int | None
    registered_at: datetime
    attended_at: datetime | None


@dataclass(frozen=True)
class MonthGroup:
    month: datetime  # first instant of the month, in the viewer's zone
    workshops: tuple[WorkshopInfo, ...]


def _counts(workshop_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = (
        WorkshopRegistration.objects.filter(workshop_id__in=workshop_ids)
        .values("workshop_id")
        .annotate(
            r=Count("id", filter=Q(status=RegistrationStatus.REGISTERED)),
            w=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
        )
    )
    return {int(x["workshop_id"]): (int(x["r"]), int(x["w"])) for x in rows}


def _rank(registration: WorkshopRegistration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = WorkshopRegistration.objects.filter(
        workshop_id=registration.workshop_id,
        status=RegistrationStatus.WAITLISTED,
        waitlist_position__lt=registration.waitlist_position,
    ).count()
    return ahead + 1


def _infos(
    workshops: list[Workshop],
    *,
    language: str,
    viewer_zone: str,
    actor_id: int | None,
    actor_role: str,
) -> list[WorkshopInfo]:
    ids = [w.id for w in workshops]
    counts = _counts(ids)
    mine: dict[int, WorkshopRegistration] = {}
    if actor_id:
        for reg in WorkshopRegistration.objects.filter(workshop_id__in=ids, user_id=actor_id):
            mine[reg.workshop_id] = reg
    zone = ZoneInfo(viewer_zone)
    teaches: dict[int, bool] = {}
    infos = []
    for w in workshops:
        if w.course_id not in teaches:
            teaches[w.course_id] = is_teacher(
                course_id=w.course_id, actor_id=actor_id, actor_role=actor_role
            )
        fallbacks = _fallbacks(w.course.languages)
        mine_reg = mine.get(w.id)
        place = (
            MyPlace(
                status=mine_reg.status,
                waitlist_rank=_rank(mine_reg),
                attended=mine_reg.attended_at is not None,
            )
            if mine_reg
            else None
        )
        seated = place is not None and place.status == RegistrationStatus.REGISTERED
        registered, waitlisted = counts.get(w.id, (0, 0))
        infos.append(
            WorkshopInfo(
                id=w.id,
                course_id=w.course_id,
                course_slug=w.course.slug,
                course_title=pick(w.course.title, language, fallbacks),
                cohort_id=w.cohort_id,
                cohort_name=w.cohort.name if w.cohort else "",
                title=pick(w.title, language, fallbacks),
                description_html=render(pick(w.description, language, fallbacks)),
                starts_at=w.starts_at,
                ends_at=w.starts_at + timedelta(minutes=w.duration_minutes),
                time_zone=w.time_zone,
                local_starts_at=w.starts_at.astimezone(ZoneInfo(w.time_zone)),
                viewer_starts_at=w.starts_at.astimezone(zone),
                duration_minutes=w.duration_minutes,
                capacity=w.capacity,
                registered=registered,
                waitlisted=waitlisted,
                location=w.location,
                online_link=w.online_link if (seated or teaches[w.course_id]) else "",
                mine=place,
                is_teacher=teaches[w.course_id],
            )
        )
    return infos


def _visible(actor_id: int | None, actor_role: str) -> Q:
    """Workshops a person sees: those of their cohorts and courses, and those they teach."""
    from fiera.academy.courses import TAKEN, taught_course_ids
    from fiera.academy.models import Enrolment

    taught = taught_course_ids(actor_id=actor_id, actor_role=actor_role)
    if taught is None:
        return Q()
    enrolled = Enrolment.objects.filter(user_id=actor_id or 0, status__in=TAKEN)
    cohorts = list(enrolled.values_list("cohort_id", flat=True))
    courses = list(enrolled.values_list("cohort__course_id", flat=True))
    return (
        Q(course_id__in=taught)
        | Q(cohort_id__in=cohorts)
        | Q(cohort__isnull=True, course_id__in=courses)
    )


def workshop_calendar(
    *,
    now: datetime,
    language: str,
    viewer_zone: str,
    actor_id: int | None,
    actor_role: str,
    past_days: int = 0,
) -> list[MonthGroup]:
    """The workshops the person may attend or teaches, from ``now`` (minus ``past_days``)
    on, grouped by month in the viewer's time zone."""
    zone = ZoneInfo(check_time_zone(viewer_zone))
    rows = (
        Workshop.objects.filter(_visible(actor_id, actor_role))
        .filter(starts_at__gte=now - timedelta(days=past_days))
        .select_related("course", "cohort")
        .order_by("starts_at", "id")
    )
    infos = _infos(
        list(rows[:500]),
        language=language,
        viewer_zone=viewer_zone,
        actor_id=actor_id,
        actor_role=actor_role,
    )
    groups: dict[tuple[int, int], list[WorkshopInfo]] = {}
    for info in infos:
        local = info.viewer_starts_at
        groups.setdefault((local.year, local.month), []).append(info)
    return [
        MonthGroup(month=datetime(y, m, 1, tzinfo=zone), workshops=tuple(items))
        for (y, m), items in groups.items()
    ]


def _workshop(workshop_id: int) -> Workshop:
    w = Workshop.objects.filter(pk=workshop_id).select_related("course", "cohort").first()
    if w is None:
        raise WorkshopNotFound(f"no workshop {workshop_id}")
    return w


def _may_see(w: Workshop, actor_id: int | None, actor_role: str) -> bool:
    return is_teacher(
        course_id=w.course_id, actor_id=actor_id, actor_role=actor_role
    ) or enrolled_in_course(course_id=w.course_id, user_id=actor_id or 0, cohort_id=w.cohort_id)


def workshop_get(
    *, workshop_id: int, language: str, viewer_zone: str, actor_id: int | None, actor_role: str
) -> WorkshopInfo:
    """One workshop for its learners and teachers (others: 404)."""
    w = _workshop(workshop_id)
    if not _may_see(w, actor_id, actor_role):
        raise WorkshopNotFound(f"workshop {workshop_id} not visible to {actor_id}")
    return _infos(
        [w],
        language=language,
        viewer_zone=check_time_zone(viewer_zone),
        actor_id=actor_id,
        actor_role=actor_role,
    )[0]


def registration_list(
    *, workshop_id: int, actor_id: int | None, actor_role: str
) -> list[RegistrationInfo]:
    """Everyone registered or waiting (line order), then the cancelled: teachers only."""
    w = _workshop(workshop_id)
    require_teacher(course_id=w.course_id, actor_id=actor_id, actor_role=actor_role)
    rows = list(WorkshopRegistration.objects.filter(workshop_id=w.id))
    order: dict[str, int] = {RegistrationStatus.REGISTERED: 0, RegistrationStatus.WAITLISTED: 1}
    rows.sort(
        key=lambda r: (order.get(r.status, 2), r.waitlist_position or 0, r.registered_at, r.id)
    )
    rank = 0
    found = []
    for r in rows:
        if r.status == RegistrationStatus.WAITLISTED:
            rank += 1
        found.append(_reg_info(r, rank if r.status == RegistrationStatus.WAITLISTED else None))
    return found


def _reg_info(r: WorkshopRegistration, rank: int | None) -> RegistrationInfo:
    return RegistrationInfo(
        id=r.id,
        workshop_id=r.workshop_id,
        user_id=r.user_id,
        status=r.status,
        waitlist_rank=rank,
        registered_at=r.registered_at,
        attended_at=r.attended_at,
    )


def workshop_ics(*, workshop_id: int, language: str, actor_id: int | None, actor_role: str) -> str:
    """The workshop as an iCalendar event (RFC 5545), times in UTC."""
    w = _workshop(workshop_id)
    if not _may_see(w, actor_id, actor_role):
        raise WorkshopNotFound(f"workshop {workshop_id} not visible to {actor_id}")
    fallbacks = _fallbacks(w.course.languages)

    def esc(text: str) -> str:
        return (
            text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )

    stamp = "%Y%m%dT%H%M%SZ"
    utc = ZoneInfo("UTC")
    start = w.starts_at.astimezone(utc)
    end = start + timedelta(minutes=w.duration_minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Fiera//Academy//EN",
        "BEGIN:VEVENT",
        f"UID:workshop-{w.id}@fiera",
        f"DTSTAMP:{w.created_at.astimezone(utc).strftime(stamp)}",
        f"DTSTART:{start.strftime(stamp)}",
        f"DTEND:{end.strftime(stamp)}",
        f"SUMMARY:{esc(pick(w.title, language, fallbacks))}",
        f"LOCATION:{esc(w.location)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def workshop_create(
    *,
    course_slug: str,
    cohort_slug: str | None = None,
    title: Mapping[str, str],
    description: Mapping[str, str] | None = None,
    starts_at: datetime,
    duration_minutes: int,
    time_zone: str,
    capacity: int,
    location: str = "",
    online_link: str = "",
    actor_id: int | None,
    actor_role: str,
    now: datetime,
) -> int:
    """Schedule a workshop of the course (for one of its cohorts when ``cohort_slug`` is
    given); returns its id. Teachers only."""
    course = _course_by_slug(course_slug)
    require_teacher(course_id=course.id, actor_id=actor_id, actor_role=actor_role)
    cohort_id = None
    if cohort_slug:
        cohort_id = (
            Cohort.objects.filter(slug=cohort_slug, course_id=course.id)
            .values_list("id", flat=True)
            .first()
        )
        if cohort_id is None:
            from fiera.academy.courses import CohortNotFound

            raise CohortNotFound(f"no cohort {cohort_slug!r} in {course_slug!r}")
    if not (1 <= capacity <= 10_000 and 1 <= duration_minutes <= 600):
        raise InvalidWorkshop(f"capacity {capacity}, duration {duration_minutes}")
    if len(location) > 200 or len(online_link) > 300 or starts_at.tzinfo is None:
        raise InvalidWorkshop("location, link or start time")
    w = Workshop.objects.create(
        course=course,
        cohort_id=cohort_id,
        title=_title(title),
        description=_clean_texts(description, max_length=BODY_MAX),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        time_zone=check_time_zone(time_zone),
        capacity=capacity,
        location=location.strip(),
        online_link=online_link.strip(),
        created_at=now,
    )
    return w.id


def workshop_register(*, workshop_id: int, user_id: int, now: datetime) -> RegistrationInfo:
    """Take a seat, or the last place in line when the seats are gone.

    Holds the workshop's row lock while counting seats. A person already registered or in
    line gets ``AlreadyRegistered`` (409); one who cancelled registers anew (at the end of
    the line if full). Closed once the workshop has started."""
    with transaction.atomic():
        w = Workshop.objects.select_for_update().filter(pk=workshop_id).first()
        if w is None:
            raise WorkshopNotFound(f"no workshop {workshop_id}")
        if not enrolled_in_course(course_id=w.course_id, user_id=user_id, cohort_id=w.cohort_id):
            raise NotEnrolledForWorkshop(f"user {user_id} not enrolled for workshop {w.id}")
        if w.starts_at <= now:
            raise WorkshopStarted(f"workshop {w.id} started at {w.starts_at}")
        existing = WorkshopRegistration.objects.filter(workshop_id=w.id, user_id=user_id).first()
        if existing is not None and existing.status in HELD:
            raise AlreadyRegistered(f"user {user_id} holds {existing.status} at {w.id}")
        seated = WorkshopRegistration.objects.filter(
            workshop_id=w.id, status=RegistrationStatus.REGISTERED
        ).count()
        reg = (
            existing
            if existing is not None
            else WorkshopRegistration(workshop_id=w.id, user_id=user_id)
        )
        reg.registered_at = now
        reg.cancelled_at = None
        if seated < w.capacity:
            reg.status = RegistrationStatus.REGISTERED
            reg.waitlist_position = None
        else:
            last = WorkshopRegistration.objects.filter(workshop_id=w.id).aggregate(
                m=Max("waitlist_position")
            )["m"]
            reg.status = RegistrationStatus.WAITLISTED
            reg.waitlist_position = (last or 0) + 1
        reg.save()
        rank = _rank(reg)
    return _reg_info(reg, rank)


def workshop_cancel(*, workshop_id: int, user_id: int, now: datetime) -> RegistrationInfo:
    """Give up one's seat or place in line (idempotent). A freed seat goes, in the same
    transaction, to the first person in line."""
    with transaction.atomic():
        w = Workshop.objects.select_for_update().filter(pk=workshop_id).first()
        if w is None:
            raise WorkshopNotFound(f"no workshop {workshop_id}")
        reg = WorkshopRegistration.objects.filter(workshop_id=w.id, user_id=user_id).first()
        if reg is None:
            raise NotRegistered(f"user {user_id} not registered at {w.id}")
        if reg.status == RegistrationStatus.CANCELLED:
            return _reg_info(reg, None)
        if w.starts_at <= now:
            raise WorkshopStarted(f"workshop {w.id} started at {w.starts_at}")
        freed = reg.status == RegistrationStatus.REGISTERED
        reg.status = RegistrationStatus.CANCELLED
        reg.waitlist_position = None
        reg.cancelled_at = now
        reg.save(update_fields=["status", "waitlist_position", "cancelled_at"])
        if freed:
            promote_first_waiting(workshop_id=w.id)
    return _reg_info(reg, None)


def promote_first_waiting(*, workshop_id: int) -> int | None:
    """Give free seats to the first in line; returns the last promoted user's id. Call
    while holding the workshop's row lock."""
    w = Workshop.objects.get(pk=workshop_id)
    promoted = None
    seated = WorkshopRegistration.objects.filter(
        workshop_id=w.id, status=RegistrationStatus.REGISTERED
    ).count()
    line = WorkshopRegistration.objects.filter(
        workshop_id=w.id, status=RegistrationStatus.WAITLISTED
    ).order_by("waitlist_position", "id")
    for nxt in line[: max(w.capacity - seated, 0)]:
        nxt.status = RegistrationStatus.REGISTERED
        nxt.waitlist_position = None
        nxt.save(update_fields=["status", "waitlist_position"])
        promoted = nxt.user_id
    return promoted


def attendance_record(
    *,
    workshop_id: int,
    user_id: int,
    attended: bool,
    actor_id: int | None,
    actor_role: str,
    now: datetime,
) -> RegistrationInfo:
    """A teacher marks a registered (or waiting) person present at ``now``, or not present."""
    with transaction.atomic():
        w = _workshop(workshop_id)
        require_teacher(course_id=w.course_id, actor_id=actor_id, actor_role=actor_role)
        reg = (
            WorkshopRegistration.objects.filter(workshop_id=w.id, user_id=user_id, status__in=HELD)
            .select_for_update()
            .first()
        )
        if reg is None:
            raise NotRegistered(f"user {user_id} not registered at {w.id}")
        if attended and reg.attended_at is None:
            reg.attended_at = now
        elif not attended:
            reg.attended_at = None
        reg.save(update_fields=["attended_at"])
        rank = _rank(reg)
    return _reg_info(reg, rank)


def workshops_of_course(*, course_slug: str, actor_id: int | None, actor_role: str) -> list[int]:
    """The ids of a course's workshops, by start (its teachers)."""
    course = _course_by_slug(course_slug)
    require_teacher(course_id=course.id, actor_id=actor_id, actor_role=actor_role)
    return list(
        Workshop.objects.filter(course_id=course.id)
        .order_by("starts_at")
        .values_list("id", flat=True)
    )
