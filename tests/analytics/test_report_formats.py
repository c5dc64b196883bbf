"""The report writers (fiera.analytics.report_formats): every format opens and says what the
report says. XLSX is read back as its XML (numbers are numbers with formats), the PDF with
pypdf (its text, Chinese included), the HTML has no URL at all, the CSV is one file a
spreadsheet opens (byte-order mark, sections, no formula injection). No database."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from fiera.analytics import report_formats
from fiera.analytics.reports import Chart, Column, Report, Section, Table

NASTY = '=HYPERLINK("http://evil.example")'
SCRIPT = "<script>alert(1)</script> | *bold*"


def sample(language: str = "en") -> Report:
    countries = Section(
        title="GMV by merchant country",
        table=Table(
            columns=(
                Column("Rank", "count"),
                Column("Country"),
                Column("GMV", "money", "USD"),
                Column("Share", "share"),
                Column("Change", "change"),
            ),
            rows=(
                (1, "中国", 44_920_000_000, Decimal("0.5"), Decimal("0.084")),
                (2, "Italia", 12_345_67, Decimal("0.25"), Decimal("-0.03")),
                (3, NASTY, 100, Decimal("0.0001"), None),
                (4, SCRIPT, 0, Decimal(0), None),
            ),
        ),
        chart=Chart(
            "bar",
            ("中国", "Italia", NASTY, SCRIPT),
            (44_920_000_000, 12_345_67, 100, 0),
            "money",
            "USD",
        ),
    )
    days = Section(
        title="Orders per day",
        table=Table(
            columns=(Column("Day", "date"), Column("Orders", "count")),
            rows=((date(2026, 11, 1), 12), (date(2026, 11, 2), 30), (date(2026, 11, 3), 7)),
        ),
        chart=Chart("line", ("1 Nov", "2 Nov", "3 Nov"), (12, 30, 7)),
        note="UTC days.",
    )
    yen = Section(
        title="Deals",
        table=Table(columns=(Column("Value", "money", "JPY"),), rows=((1_250_000,),)),
    )
    return Report(
        kind="month",
        title="Monthly report: November 2026",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        language=language,
        headlines=("412 companies from Italy sold USD 449.2 million.", "意大利排名第7。"),
        sections=(countries, days, yen),
        generated_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        subject="All of Fiera",
        slug="2026-11",
    )


def test_markdown_has_the_headlines_and_an_escaped_table() -> None:
    text = report_formats.write(sample(), "md").decode()
    assert text.startswith("# Monthly report: November 2026\n")
    assert "- 412 companies from Italy sold USD 449.2 million." in text
    assert "## GMV by merchant country" in text
    assert "| Rank | Country | GMV (USD) | Share | Change |" in text
    assert "| 1 | 中国 | $449,200,000.00 | 50.0% | +8.4% |" in text
    assert "-3.0%" in text and "\u2013" in text  # a change against nothing
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\\| \\*bold\\*" in text  # a pipe in a cell cannot split the row
    # every table row has as many cells as its header
    for block in text.split("\n## ")[1:]:
        rows = [line for line in block.splitlines() if line.startswith("|")]
        assert len({len(re.findall(r"(?<!\\)\|", r)) for r in rows}) == 1, rows


def test_markdown_in_italian_formats_numbers_the_italian_way() -> None:
    text = report_formats.write(sample("it"), "md").decode()
    assert "449.200.000,00" in text and "50,0%" in text and "+8,4%" in text
    assert "1 nov 2026" in text


def test_csv_is_one_file_a_spreadsheet_opens() -> None:
    data = report_formats.write(sample(), "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 (Chinese) with the BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Monthly report: November 2026"]
    assert ["Period", "2026-11-01", "2026-11-30"] in rows
    header = rows.index(["Rank", "Country", "GMV (USD)", "Share", "Change"])
    assert rows[header - 1] == ["GMV by merchant country"]
    assert rows[header - 2] == []  # a blank row between sections
    assert rows[header + 1] == ["1", "中国", "449200000.00", "0.5000", "0.0840"]
    assert rows[header + 2] == ["2", "Italia", "12345.67", "0.2500", "-0.0300"]
    assert rows[header + 3][1] == "'" + NASTY  # never run as a formula
    assert rows[header + 3][4] == ""
    assert ["2026-11-02", "30"] in rows
    assert ["Value (JPY)"] in rows and ["1250000"] in rows  # yen have no minor unit


def _xlsx_parts(data: bytes) -> dict[str, ElementTree.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert book.testzip() is None
        return {
            name: ElementTree.fromstring(book.read(name))  # noqa: S314 (the file we just wrote)
            for name in book.namelist()
            if name.endswith(".xml")
        }


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def test_xlsx_opens_with_numbers_as_numbers_and_money_formats() -> None:
    data = report_formats.write(sample(), "xlsx")
    assert data[:2] == b"PK"
    parts = _xlsx_parts(data)
    workbook = parts["xl/workbook.xml"]
    names = [s.get("name") for s in workbook.iterfind("m:sheets/m:sheet", NS)]
    assert names == ["Summary", "GMV by merchant country", "Orders per day", "Deals"]
    strings = [
        "".join(t.text or "" for t in si.iterfind(".//m:t", NS))
        for si in parts["xl/sharedStrings.xml"].iterfind("m:si", NS)
    ]
    assert "412 companies from Italy sold USD 449.2 million." in strings
    assert NASTY in strings and SCRIPT in strings  # text, not a formula
    sheet = parts["xl/worksheets/sheet2.xml"]
    assert not list(sheet.iter(f"{{{NS['m']}}}f"))  # no formula anywhere
    cells = {c.get("r"): c for c in sheet.iter(f"{{{NS['m']}}}c")}
    gmv = cells["C3"]
    assert gmv.get("t") is None  # a number, not a string
    assert gmv.find("m:v", NS).text == "449200000"  # type: ignore[union-attr]
    assert cells["C4"].find("m:v", NS).text == "12345.67"  # type: ignore[union-attr]
    styles = parts["xl/styles.xml"]
    formats = {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind(".//m:numFmt", NS)}
    xfs = list(styles.iterfind("m:cellXfs/m:xf", NS))
    gmv_format = formats[xfs[int(gmv.get("s") or 0)].get("numFmtId")]
    assert gmv_format == '#,##0.00 "USD";-#,##0.00 "USD"'
    share = cells["D3"]
    assert xfs[int(share.get("s") or 0)].get("numFmtId") in formats  # 0.0%
    assert formats[xfs[int(share.get("s") or 0)].get("numFmtId")] == "0.0%"
    assert any(name.startswith("xl/charts/chart") for name in parts)  # native charts
    yen = {c.get("r"): c for c in parts["xl/worksheets/sheet4.xml"].iter(f"{{{NS['m']}}}c")}
    assert yen["A3"].find("m:v", NS).text == "1250000"  # type: ignore[union-attr]
    days = {c.get("r"): c for c in parts["xl/worksheets/sheet3.xml"].iter(f"{{{NS['m']}}}c")}
    assert days["A4"].find("m:v", NS).text == "46327"  # type: ignore[union-attr]  # 2026-11-02


def test_html_is_self_contained_and_escaped() -> None:
    page = report_formats.write(sample("zh-hans"), "html").decode()
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-hans">' in page
    assert "<style>" in page and "<svg" in page and "<polyline" in page
    own = page.replace(html.escape(NASTY), "").replace(html.escape(NASTY[:32]), "")
    assert not re.search(r"(?i)(https?:|//[a-z0-9]|src=|href=|@import|url\()", own), "fetches"
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "412 companies from Italy sold USD 449.2 million." in page
    assert "中国" in page


def test_pdf_draws_offline_with_chinese_text() -> None:
    pytest.importorskip("weasyprint")
    data = report_formats.write(sample("zh-hans"), "pdf")
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    squashed = re.sub(r"\s+", "", text)
    assert "Monthlyreport:November2026" in squashed
    assert "意大利排名第7" in squashed
    assert "449,200,000.00" in squashed


def test_file_names_are_safe() -> None:
    report = sample("zh-hans")
    assert report_formats.file_name(report, "xlsx") == "fiera-month-2026-11-zh.xlsx"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        report_formats.write(sample(), "docx")


def test_a_row_must_fit_its_columns() -> None:
    with pytest.raises(ValueError, match="cells"):
        Table(columns=(Column("a"),), rows=(("x", "y"),))
