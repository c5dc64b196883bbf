"""The B2B trade and academy feeds of analytics (docs/decisions/0029-analytics-feeds.md):
the subscribers that count inquiries, RFQs, quotes, deals, enrolments and certificates from
the trade and academy events, ``feeds_rebuild`` that counts them again from the trade and
academy tables, and the measures they answer in the query layer.

What counts, on the UTC day of its time:
- ``inquiries``: new inquiry threads (``trade.inquiry.sent``; replies do not count);
- ``rfqs``: RFQs posted (``trade.rfq.posted``); an RFQ has no supplier (``merchant_id`` 0),
  so it has no merchant country or region and a merchant's scope never sees it;
- ``quotes``: quotes sent (``trade.quote.sent``, first versions; a revision does not count);
- ``deals`` and ``deal_value``: quotes accepted (``trade.quote.accepted``); the value is the
  agreed value (the accepted version's unit price x quantity, the order's total) in US cents
  at the ECB reference rate of the deal's day, exactly as the sales rollups convert GMV
  (``fiera.common.reporting.to_usd_minor``, ``rollups.Rates``); a deal whose currency has
  no rate counts with value 0 (logged);
- ``enrolments``: enrolments made (``academy.enrolment.created``; one made again after a
  withdrawal counts once, on its new day);
- ``certificates``: certificates issued (``academy.certificate.issued``).
Academy figures carry the learner's country as their buyer country ("" unknown) and no
merchant: a merchant, partner or pavilion scope answers 0 for them.

Idempotency. One ``FeedFact`` per (kind, source id): the subscriber inserts it with
``ON CONFLICT DO NOTHING RETURNING`` and adds to the day row only what it inserted, in one
transaction, so a redelivered event (or an event for something a rebuild already counted)
adds nothing. An enrolment made again moves its fact (and its count) to the later time;
the earlier event redelivered changes nothing.

Rebuild. ``feeds_rebuild`` empties the three tables and counts every happening again from
``trade.selectors.trade_feed`` and ``academy.selectors.academy_feed`` through the same
counting as the subscribers, in one transaction. On PostgreSQL the subscribers take a
shared advisory lock and the rebuild an exclusive one, so neither sees the other half done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from fiera.academy import selectors as academy_selectors
from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.accounts.selectors import user_countries
from fiera.analytics.models import (
    ACADEMY_KINDS,
    TRADE_KINDS,
    AcademyDay,
    FeedFact,
    TradeDay,
)
from fiera.analytics.query import MeasureSource, SourceQuery, register_measure, set_filters
from fiera.analytics.rollups import Rates, utc_day
from fiera.common import events
from fiera.common.errors import PermissionDenied
from fiera.common.reporting import to_usd_minor
from fiera.trade import selectors as trade_selectors

log = logging.getLogger(__name__)

INQUIRY_SENT = "trade.inquiry.sent"
RFQ_POSTED = "trade.rfq.posted"
QUOTE_SENT = "trade.quote.sent"
QUOTE_ACCEPTED = "trade.quote.accepted"
ENROLMENT_CREATED = "academy.enrolment.created"
CERTIFICATE_ISSUED = "academy.certificate.issued"

LOCK_CLASS = 0x616E  # "an": the advisory-lock namespace of the analytics feeds
LOCK_KEY = 1
INSERT_BATCH = 500  # rows per multi-row statement (SQLite's bound parameters)

_FACT = FeedFact._meta.db_table
_TRADE = TradeDay._meta.db_table
_ACADEMY = AcademyDay._meta.db_table
_FACT_COLUMNS = (
    "kind",
    "source_id",
    "at",
    "day",
    "marketplace_id",
    "merchant_id",
    "merchant_country",
    "region",
    "buyer_country",
    "course_id",
    "currency",
    "value_minor",
    "usd_rate",
    "value_usd_minor",
)
_TRADE_KEY = (
    "day",
    "kind",
    "marketplace_id",
    "merchant_id",
    "merchant_country",
    "region",
    "buyer_country",
)
_ACADEMY_KEY = ("day", "kind", "course_id", "country")


class FeedsOperatorsOnly(PermissionDenied):
    code = "analytics_feeds_operators_only"
    message_template = _("Only operators rebuild the trade and academy figures.")


@dataclass(frozen=True, slots=True)
class Happening:
    """One thing to count, from an event or from the trade/academy tables."""

    kind: str  # TRADE_KINDS + ACADEMY_KINDS
    source_id: int
    at: datetime
    marketplace_id: int = 0
    merchant_id: int = 0
    merchant_country: str = ""
    region: str = ""
    buyer_country: str = ""  # academy: the learner's country
    course_id: int = 0
    currency: str = ""
    value_minor: int = 0  # deals (and quotes, kept on the fact): in ``currency``


@dataclass(frozen=True, slots=True)
class _Fact:
    happening: Happening
    day: date
    usd_rate: str
    value_usd_minor: int

    def params(self) -> list[Any]:
        h, ops = self.happening, connection.ops
        return [
            h.kind,
            h.source_id,
            ops.adapt_datetimefield_value(h.at),
            ops.adapt_datefield_value(self.day),
            h.marketplace_id,
            h.merchant_id,
            h.merchant_country,
            h.region,
            h.buyer_country,
            h.course_id,
            h.currency,
            h.value_minor,
            self.usd_rate,
            self.value_usd_minor,
        ]


# counting -----------------------------------------------------------------------------------


def _lock(*, exclusive: bool) -> None:
    """The feeds' advisory lock until the transaction ends (PostgreSQL; SQLite's write
    transactions run one at a time already): shared for a subscriber, exclusive for a
    rebuild."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [LOCK_CLASS, LOCK_KEY])


def _fact(h: Happening, rates: Rates) -> _Fact:
    day = utc_day(h.at)
    if h.kind != "deal" or not h.currency:
        return _Fact(h, day, "", 0)
    rate = rates.get(h.currency, day)
    if rate is None:
        log.warning("analytics feeds: deal %s counted without a value (no rate)", h.source_id)
        return _Fact(h, day, "", 0)
    return _Fact(h, day, str(rate), to_usd_minor(h.value_minor, h.currency, rate))


def _values(rows: int, columns: int) -> str:
    return ", ".join(["(" + ", ".join(["%s"] * columns) + ")"] * rows)


def _insert_facts(facts: Sequence[_Fact]) -> set[tuple[str, int]]:
    """ONE INSERT .. ON CONFLICT DO NOTHING RETURNING: the (kind, source id) pairs new."""
    params: list[Any] = []
    for fact in facts:
        params += fact.params()
    sql = (
        f"INSERT INTO {_FACT} ({', '.join(_FACT_COLUMNS)}) VALUES "
        + _values(len(facts), len(_FACT_COLUMNS))
        + " ON CONFLICT (kind, source_id) DO NOTHING RETURNING kind, source_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(str(kind), int(source_id)) for kind, source_id in cursor.fetchall()}


TradeKey = tuple[date, str, int, int, str, str, str]
AcademyKey = tuple[date, str, int, str]


class _Deltas:
    """What to add to the day rows, merged per key; written in key order (two writers
    touching the same rows lock them in the same order)."""

    def __init__(self) -> None:
        self.trade: dict[TradeKey, list[int]] = {}
        self.academy: dict[AcademyKey, int] = {}

    def add(self, fact: _Fact, sign: int = 1) -> None:
        h = fact.happening
        if h.kind in ACADEMY_KINDS:
            key = (fact.day, h.kind, h.course_id, h.buyer_country)
            self.academy[key] = self.academy.get(key, 0) + sign
            return
        trade_key = (
            fact.day,
            h.kind,
            h.marketplace_id,
            h.merchant_id,
            h.merchant_country,
            h.region,
            h.buyer_country,
        )
        acc = self.trade.setdefault(trade_key, [0, 0])
        acc[0] += sign
        acc[1] += sign * fact.value_usd_minor

    def write(self) -> None:
        trade = {k: v for k, v in self.trade.items() if any(v)}
        academy = {k: v for k, v in self.academy.items() if v}
        ops = connection.ops
        with connection.cursor() as cursor:
            for keys in _chunks(sorted(trade), INSERT_BATCH):
                params: list[Any] = []
                for key in keys:
                    params += [ops.adapt_datefield_value(key[0]), *key[1:], *trade[key]]
                cursor.execute(
                    f"INSERT INTO {_TRADE} ({', '.join(_TRADE_KEY)}, count, value_usd_minor) "
                    f"VALUES {_values(len(keys), len(_TRADE_KEY) + 2)} "
                    f"ON CONFLICT ({', '.join(_TRADE_KEY)}) DO UPDATE SET "
                    f"count = {_TRADE}.count + excluded.count, "
                    f"value_usd_minor = {_TRADE}.value_usd_minor + excluded.value_usd_minor",
                    params,
                )
            for academy_keys in _chunks(sorted(academy), INSERT_BATCH):
                params = []
                for academy_key in academy_keys:
                    params += [
                        ops.adapt_datefield_value(academy_key[0]),
                        *academy_key[1:],
                        academy[academy_key],
                    ]
                cursor.execute(
                    f"INSERT INTO {_ACADEMY} ({', '.join(_ACADEMY_KEY)}, count) "
                    f"VALUES {_values(len(academy_keys), len(_ACADEMY_KEY) + 1)} "
                    f"ON CONFLICT ({', '.join(_ACADEMY_KEY)}) DO UPDATE SET "
                    f"count = {_ACADEMY}.count + excluded.count",
                    params,
                )
            if any(v < 0 for v in academy.values()):  # a move emptied a row: drop it
                cursor.execute(f"DELETE FROM {_ACADEMY} WHERE count = 0")


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def count(happenings: Sequence[Happening], rates: Rates | None = None) -> int:
    """Count the happenings not counted yet (facts and day rows, in the caller's
    transaction); an enrolment counted at an earlier time moves to the later one. Returns
    how many facts were inserted."""
    if not happenings:
        return 0
    rates = rates or Rates()
    unique = {(h.kind, h.source_id): h for h in sorted(happenings, key=lambda h: h.at)}
    facts = [_fact(h, rates) for _, h in sorted(unique.items())]
    deltas = _Deltas()
    inserted: set[tuple[str, int]] = set()
    for batch in _chunks(facts, INSERT_BATCH):
        inserted |= _insert_facts(batch)
    for fact in facts:
        key = (fact.happening.kind, fact.happening.source_id)
        if key in inserted:
            deltas.add(fact)
        elif fact.happening.kind == "enrolment":
            _move(fact, deltas)
    deltas.write()
    return len(inserted)


def _move(fact: _Fact, deltas: _Deltas) -> None:
    """An enrolment counted before: moved to this later time (its count with it)."""
    h = fact.happening
    old = FeedFact.objects.select_for_update().get(kind=h.kind, source_id=h.source_id)
    if h.at <= old.at:
        return  # the same or an earlier making: already counted
    deltas.add(
        _Fact(
            Happening(
                kind=old.kind,
                source_id=old.source_id,
                at=old.at,
                buyer_country=old.buyer_country,
                course_id=old.course_id,
            ),
            old.day,
            "",
            0,
        ),
        sign=-1,
    )
    deltas.add(fact)
    FeedFact.objects.filter(pk=old.pk).update(
        at=h.at, day=fact.day, course_id=h.course_id, buyer_country=h.buyer_country
    )


# subscribers --------------------------------------------------------------------------------


def _at(payload: Mapping[str, Any], field: str) -> datetime:
    at = parse_datetime(str(payload[field]))
    if at is None:
        raise ValueError(f"{field} is not a date-time: {payload[field]!r}")
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _trade(kind: str, id_field: str, at_field: str, payload: Mapping[str, Any]) -> Happening:
    return Happening(
        kind=kind,
        source_id=int(payload[id_field]),
        at=_at(payload, at_field),
        marketplace_id=int(payload["marketplace_id"]),
        merchant_id=int(payload.get("merchant_id") or 0),
        merchant_country=str(payload.get("merchant_country") or ""),
        region=str(payload.get("region") or ""),
        buyer_country=str(payload.get("buyer_country") or ""),
        currency=str(payload.get("currency") or "") if kind in ("quote", "deal") else "",
        value_minor=int(payload.get("value_minor") or 0) if kind in ("quote", "deal") else 0,
    )


def happening_of(topic: str, payload: Mapping[str, Any]) -> Happening:
    """What an event counts (the enrolment's country is looked up: its event has none)."""
    if topic == INQUIRY_SENT:
        return _trade("inquiry", "inquiry_id", "sent_at", payload)
    if topic == RFQ_POSTED:
        return _trade("rfq", "rfq_id", "posted_at", payload)
    if topic == QUOTE_SENT:
        return _trade("quote", "quote_id", "sent_at", payload)
    if topic == QUOTE_ACCEPTED:
        return _trade("deal", "quote_id", "accepted_at", payload)
    if topic == ENROLMENT_CREATED:
        user_id = int(payload["user_id"])
        return Happening(
            kind="enrolment",
            source_id=int(payload["enrolment_id"]),
            at=_at(payload, "enrolled_at"),
            course_id=int(payload["course_id"]),
            buyer_country=user_countries(user_ids=[user_id]).get(user_id, ""),
        )
    if topic == CERTIFICATE_ISSUED:
        return Happening(
            kind="certificate",
            source_id=int(payload["certificate_id"]),
            at=_at(payload, "issued_at"),
            course_id=int(payload["course_id"]),
            buyer_country=str(payload.get("country") or ""),
        )
    raise ValueError(f"analytics feeds do not count {topic!r}")


def on_event(event: events.Event) -> None:
    """Count the event's happening (idempotent: see the module's docstring)."""
    happening = happening_of(event.topic, event.payload)
    with transaction.atomic():
        _lock(exclusive=False)
        count([happening])


TOPICS = (
    INQUIRY_SENT,
    RFQ_POSTED,
    QUOTE_SENT,
    QUOTE_ACCEPTED,
    ENROLMENT_CREATED,
    CERTIFICATE_ISSUED,
)


# rebuild ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedsRebuildReport:
    read: int
    counted: int


def feeds_rebuild(
    *, actor_role: str, progress: Callable[[int], None] | None = None
) -> FeedsRebuildReport:
    """Count every trade and academy happening again from their tables (the demo's history,
    events lost or counted wrongly): the feeds' tables emptied and refilled in ONE
    transaction, reading in batches; operators and the system. ``progress`` is called with
    the number of happenings read after each batch."""
    if actor_role not in {OPERATOR, SYSTEM}:
        raise FeedsOperatorsOnly(f"the role {actor_role!r} may not rebuild the analytics")
    rates = Rates()
    read = counted = 0
    with transaction.atomic():
        _lock(exclusive=True)
        for model in (FeedFact, TradeDay, AcademyDay):
            model.objects.all().delete()
        for kind in TRADE_KINDS:
            after_id = 0
            while batch := trade_selectors.trade_feed(
                kind=kind, actor_role=actor_role, after_id=after_id
            ):
                after_id = batch[-1].source_id
                read += len(batch)
                counted += count(
                    [
                        Happening(
                            kind=t.kind,
                            source_id=t.source_id,
                            at=t.at,
                            marketplace_id=t.marketplace_id,
                            merchant_id=t.merchant_id,
                            merchant_country=t.merchant_country,
                            region=t.region,
                            buyer_country=t.buyer_country,
                            currency=t.currency,
                            value_minor=t.value_minor,
                        )
                        for t in batch
                    ],
                    rates,
                )
                if progress is not None:
                    progress(len(batch))
        for kind in ACADEMY_KINDS:
            after_id = 0
            while academy_batch := academy_selectors.academy_feed(
                kind=kind, actor_role=actor_role, after_id=after_id
            ):
                after_id = academy_batch[-1].source_id
                read += len(academy_batch)
                counted += count(
                    [
                        Happening(
                            kind=a.kind,
                            source_id=a.source_id,
                            at=a.at,
                            course_id=a.course_id,
                            buyer_country=a.country,
                        )
                        for a in academy_batch
                    ],
                    rates,
                )
                if progress is not None:
                    progress(len(academy_batch))
    return FeedsRebuildReport(read=read, counted=counted)


# measures -----------------------------------------------------------------------------------

TRADE_COLUMNS = {
    "marketplace": "marketplace_id",
    "merchant_country": "merchant_country",
    "buyer_country": "buyer_country",
    "region": "region",
    "merchant": "merchant_id",
}
ACADEMY_COLUMNS = {"buyer_country": "country"}
TRADE_FILTERS = {  # Filters field -> TradeDay column
    "marketplace_id": "marketplace_id",
    "merchant_country": "merchant_country",
    "buyer_country": "buyer_country",
    "region": "region",
}
ACADEMY_FILTERS = {"buyer_country": "country"}
# measure -> (table, kind, summed column)
MEASURES: dict[str, tuple[str, str, str]] = {
    "inquiries": ("trade", "inquiry", "count"),
    "rfqs": ("trade", "rfq", "count"),
    "quotes": ("trade", "quote", "count"),
    "deals": ("trade", "deal", "count"),
    "deal_value": ("trade", "deal", "value_usd_minor"),
    "enrolments": ("academy", "enrolment", "count"),
    "certificates": ("academy", "certificate", "count"),
}


def fetch(query: SourceQuery) -> dict[tuple[date, str], int]:
    """A registered measure's values per (day, group key): a GROUP BY over the day rows."""
    table, kind, column = MEASURES[query.measure]
    model: type[TradeDay] | type[AcademyDay] = TradeDay if table == "trade" else AcademyDay
    columns = TRADE_COLUMNS if table == "trade" else ACADEMY_COLUMNS
    filters = TRADE_FILTERS if table == "trade" else ACADEMY_FILTERS
    rows = model.objects.filter(kind=kind, day__gte=query.period.start, day__lte=query.period.end)
    for name, value in set_filters(query.filters).items():
        rows = rows.filter(**{filters[name]: value})  # the query layer sends only these
    if query.merchant_ids is not None:
        if table != "trade":
            return {}  # academy figures belong to no merchant
        rows = rows.filter(**{"merchant_id__in": sorted(query.merchant_ids)})
    group = columns[query.group] if query.group is not None else None
    fields = ["day", group] if group is not None else ["day"]
    out: dict[tuple[date, str], int] = {}
    for row in rows.order_by().values(*fields).annotate(value=Sum(column)):
        key = str(row[group]) if group is not None else ""
        if row["value"]:
            out[(row["day"], key)] = int(row["value"])
    return out


def register() -> None:
    """Subscribe to the trade and academy events and register the measures (from
    ``AnalyticsConfig.ready``); the subscriber names are stable."""
    for topic in TOPICS:
        events.subscribe(topic, name=f"analytics.feeds.{topic}")(on_event)
    rfq_dimensions = frozenset({"marketplace", "buyer_country"})
    trade = MeasureSource(
        fetch=fetch,
        dimensions=frozenset(TRADE_COLUMNS),
        filters=frozenset(TRADE_FILTERS),
        per_merchant=True,
    )
    for name, (table, kind, _column) in MEASURES.items():
        if table == "academy":
            source = MeasureSource(
                fetch=fetch,
                dimensions=frozenset(ACADEMY_COLUMNS),
                filters=frozenset(ACADEMY_FILTERS),
                per_merchant=False,
            )
        elif kind == "rfq":  # no supplier: no merchant, its country or region
            source = MeasureSource(
                fetch=fetch,
                dimensions=rfq_dimensions,
                filters=frozenset({"marketplace_id", "buyer_country"}),
                per_merchant=False,
            )
        else:
            source = trade
        register_measure(name, source)
