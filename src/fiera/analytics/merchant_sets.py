"""Merchant sets: the figures of a set of merchants asked about together (a partner's
merchants, a pavilion's admitted companies) summed once and then kept by the order events,
so a partner's dashboard reads a row per day, not a row per merchant and day.

A set is named by the fingerprint of its sorted merchant ids (``fingerprint``). The first
question about a set (``merchant_set_for``) sums its members' ``MerchantDay`` and
``MerchantMonth`` rows into ``MerchantSetDay``/``MerchantSetMonth`` in one transaction;
from then on the rollups' subscriber adds each event's merchant-day changes to the sets its
merchants belong to (``add_to_sets``, in the event's transaction). A membership change (a
lead goes live, a company is admitted) is simply another set: the query layer computes the
scope's merchants as it always did and finds, or builds, that set. A set nobody read for
``SETS_KEPT_DAYS`` is dropped when another is built.

Consistency with the live subscribers. A build sums ``MerchantDay`` while subscribers keep
writing it: on PostgreSQL the build first takes ``SHARE`` on ``MerchantDay`` (it waits for
the subscribers that wrote merchant days and have not committed, and the next ones wait for
it), so every change is either in its sums or added to the set by a subscriber that sees the
new members; SQLite has one writer at a time. ``analytics_rebuild`` drops every set (they are
built again when next asked).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from fiera.analytics.models import (
    MerchantDay,
    MerchantMonth,
    MerchantSet,
    MerchantSetDay,
    MerchantSetMember,
    MerchantSetMonth,
)

SETS_KEPT_DAYS = 30  # a set no question read for this long is dropped at the next build
MIN_MERCHANTS = 2  # one merchant's figures are its MerchantDay rows already

_SET = MerchantSet._meta.db_table
_MEMBER = MerchantSetMember._meta.db_table
_SDAY = MerchantSetDay._meta.db_table
_SMONTH = MerchantSetMonth._meta.db_table
_MDAY = MerchantDay._meta.db_table
_MMONTH = MerchantMonth._meta.db_table
MEASURES = ("orders", "units", "gmv_usd_minor", "packages")


def fingerprint(merchant_ids: frozenset[int]) -> str:
    return hashlib.sha256(",".join(str(m) for m in sorted(merchant_ids)).encode()).hexdigest()


def merchant_set_for(merchant_ids: frozenset[int], *, now: datetime) -> int:
    """The id of the set of ``merchant_ids`` (at least ``MIN_MERCHANTS``), built the first
    time it is asked for; marks it read today (one UPDATE a day)."""
    if len(merchant_ids) < MIN_MERCHANTS:
        raise ValueError("a merchant set has two merchants or more")
    key, today = fingerprint(merchant_ids), now.date()
    found = MerchantSet.objects.filter(fingerprint=key).values_list("id", "read_on").first()
    if found is not None:
        set_id, read_on = found
        if read_on != today:
            MerchantSet.objects.filter(id=set_id).update(read_on=today)
        return int(set_id)
    return _build(key, merchant_ids, now)


def _build(key: str, merchant_ids: frozenset[int], now: datetime) -> int:
    ops = connection.ops
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {_MDAY} IN SHARE MODE")
        cursor.execute(
            f"INSERT INTO {_SET} (fingerprint, merchants, built_at, read_on) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (fingerprint) DO NOTHING RETURNING id",
            [
                key,
                len(merchant_ids),
                ops.adapt_datetimefield_value(now),
                ops.adapt_datefield_value(now.date()),
            ],
        )
        row = cursor.fetchone()
        if row is None:  # built meanwhile by another question
            return int(MerchantSet.objects.get(fingerprint=key).id)
        set_id = int(row[0])
        MerchantSetMember.objects.bulk_create(
            [MerchantSetMember(merchant_set_id=set_id, merchant_id=m) for m in sorted(merchant_ids)]
        )
        sums = ", ".join(f"SUM({m})" for m in MEASURES)
        for table, source, column in ((_SDAY, _MDAY, "day"), (_SMONTH, _MMONTH, "month")):
            cursor.execute(
                f"INSERT INTO {table} (merchant_set_id, {column}, marketplace_id, "
                f"{', '.join(MEASURES)}) SELECT %s, {column}, marketplace_id, {sums} "
                f"FROM {source} WHERE merchant_id IN (SELECT merchant_id FROM {_MEMBER} "
                f"WHERE merchant_set_id = %s) GROUP BY {column}, marketplace_id",
                [set_id, set_id],
            )
        _drop_unread(before=now.date() - timedelta(days=SETS_KEPT_DAYS))
    return set_id


def _drop_unread(*, before: date) -> None:
    stale = list(MerchantSet.objects.filter(read_on__lt=before).values_list("id", flat=True))
    if stale:
        drop(stale)


def drop(set_ids: Sequence[int] | None = None) -> None:
    """Drop the given sets (every set when None: the rebuild)."""
    for model in (MerchantSetDay, MerchantSetMonth, MerchantSetMember):
        rows = model.objects.all()
        if set_ids is not None:
            rows = rows.filter(merchant_set_id__in=list(set_ids))
        rows.delete()
    sets = MerchantSet.objects.all()
    if set_ids is not None:
        sets = sets.filter(id__in=list(set_ids))
    sets.delete()


def add_to_sets(
    days: dict[tuple[int, date, int], list[int]],
    months: dict[tuple[int, date, int], list[int]],
    insert_many: Any,
) -> None:
    """Add an event's merchant-day and merchant-month changes ((merchant, day or month,
    marketplace) -> orders, units, GMV, packages; the ``ALL_MARKETPLACES`` rows included)
    to every set their merchants belong to, in the caller's transaction (after the
    merchant-day upsert: see the module's docstring). One read of the memberships, then one
    upsert per table, rows in key order."""
    merchants = sorted({merchant for merchant, _day, _market in days})
    if not merchants:
        return
    member_of: dict[int, list[int]] = {}
    for set_id, merchant in MerchantSetMember.objects.filter(merchant_id__in=merchants).values_list(
        "merchant_set_id", "merchant_id"
    ):
        member_of.setdefault(int(merchant), []).append(int(set_id))
    if not member_of:
        return
    ops = connection.ops
    for table, column, found in ((_SDAY, "day", days), (_SMONTH, "month", months)):
        sums: dict[tuple[int, date, int], list[int]] = {}
        for (merchant, at, market), values in found.items():
            for set_id in member_of.get(merchant, ()):
                acc = sums.setdefault((set_id, at, market), [0, 0, 0, 0])
                for i in range(4):
                    acc[i] += values[i]
        params: list[Any] = []
        for key in sorted(sums):
            set_id, at, market = key
            params += [set_id, ops.adapt_datefield_value(at), market, *sums[key]]
        insert_many(
            f"INSERT INTO {table} (merchant_set_id, {column}, marketplace_id, "
            f"{', '.join(MEASURES)})",
            ("bigint", "date", "bigint", "integer", "integer", "bigint", "integer"),
            params,
            f"ON CONFLICT (merchant_set_id, {column}, marketplace_id) DO UPDATE SET "
            + ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in MEASURES),
        )
