"""A ``Report`` written out: Markdown, CSV, XLSX, a self-contained HTML page, PDF
(decision 0028). ``write(report, fmt)`` returns the file's bytes.

- Markdown: headlines as a list, a pipe table per section, cells formatted for the
  report's language; text that could be read as Markdown or HTML is backslash-escaped.
- CSV: ONE file, what a spreadsheet opens: UTF-8 with a byte-order mark (so Excel reads
  Chinese right), comma-separated, the report's title, period and headlines first, then each
  section as its title row, a header row and its rows, a blank row between sections. Numbers
  stay numbers for any locale: money in major units with a dot ("449200000.00", the column
  title names the currency), shares and changes as fractions ("0.2500"), days as ISO dates.
  A text cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
  leading apostrophe (OWASP's CSV-injection advice).
- XLSX (XlsxWriter): a summary sheet (title, period, headlines) and a sheet per section;
  money cells are numbers in major units with a currency format ("#,##0.00 "USD""), counts
  "#,##0", shares and changes percentages, days real dates; a section with a chart gets a
  native Excel chart drawn from its data (written beside the table). Text is always written
  as text, never as a formula.
- HTML: one page with its style sheet inline and charts as inline SVG: nothing is fetched
  (no URL at all), so it opens offline and mails as one file. It is a download, never a page
  served under the site's CSP.
- PDF: that HTML drawn by WeasyPrint offline (its URL fetcher refuses everything but
  ``data:``), fonts from the system (DejaVu/Noto, WenQuanYi Micro Hei for Chinese).
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from babel.dates import format_date, format_datetime
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fiera.analytics.reports import (
    Cell,
    Chart,
    Column,
    Report,
    Section,
    count_text,
    money_text,
    percent_text,
)
from fiera.common.errors import DomainError
from fiera.common.money import Money, currency_exponent
from fiera.common.reference import babel_locale

Format = Literal["md", "csv", "xlsx", "html", "pdf"]
FORMATS: tuple[Format, ...] = ("md", "csv", "xlsx", "html", "pdf")
CONTENT_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


class ReportPdfUnavailable(DomainError):
    """WeasyPrint or its pango library is missing on this machine (README: "Trade
    documents" says how to install it); the other formats still work."""

    status = 503
    code = "report_pdf_unavailable"
    message_template = gettext_lazy(
        "PDF reports cannot be drawn on this machine; please choose another format."
    )


def write(report: Report, fmt: str) -> bytes:
    """The report as a file of format ``fmt`` (one of ``FORMATS``), in the report's language."""
    writers: dict[str, Callable[[Report], bytes]] = {
        "md": lambda r: markdown(r).encode("utf-8"),
        "csv": csv_bytes,
        "xlsx": xlsx_bytes,
        "html": lambda r: html_page(r).encode("utf-8"),
        "pdf": pdf_bytes,
    }
    if fmt not in writers:
        raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
    with translation.override(report.language):
        return writers[fmt](report)


def file_name(report: Report, fmt: str) -> str:
    """``fiera-month-2026-11-it.xlsx``: kind, slug, language; safe on every file system."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", report.slug).strip("-.") or report.kind
    short = "zh" if report.language.startswith("zh") else report.language
    return f"fiera-{report.kind}-{slug}-{short}.{fmt}"


# --- cells as text ----------------------------------------------------------------------------


def cell_text(value: Cell, column: Column, language: str) -> str:
    """A cell as people read it in ``language``: "US$ 1.234,50", "12,5%", "+8,4%", "1 dic 2026";
    an empty cell (None) is "" (a change against nothing is a dash)."""
    if value is None:
        return "\u2013" if column.kind == "change" else ""
    if isinstance(value, Money):
        return money_text(value.amount_minor, value.currency, language)
    if column.kind == "money" and isinstance(value, int):
        return money_text(value, column.currency, language)
    if column.kind == "count" and isinstance(value, int):
        return count_text(value, language)
    if column.kind == "share" and isinstance(value, Decimal):
        return percent_text(value, language)
    if column.kind == "change" and isinstance(value, Decimal):
        return percent_text(value, language, signed=True)
    if isinstance(value, date):
        return str(format_date(value, format="medium", locale=babel_locale(language)))
    return str(value)


def column_title(column: Column) -> str:
    """The header: money columns name their currency ("GMV (USD)")."""
    return f"{column.title} ({column.currency})" if column.kind == "money" else column.title


def _generated(report: Report) -> str:
    return _("Generated on %(when)s (UTC)") % {
        "when": format_datetime(
            report.generated_at, format="medium", tzinfo=None, locale=babel_locale(report.language)
        )
    }


# --- Markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LEADING = re.compile(r"^([#+\-=]|\d+[.)])")


def md_escape(text: str, *, line_start: bool = True) -> str:
    """Text that renders as itself in CommonMark: the punctuation that makes emphasis, code,
    links, raw HTML (``<``) or a table cell's end backslash-escaped, and what would start a
    heading or a list at the beginning (``line_start``); line breaks as spaces."""
    flat = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    if not line_start:
        return flat
    return _MD_LEADING.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], flat)


def markdown(report: Report) -> str:
    lines = [f"# {md_escape(report.title)}", ""]
    meta = [report.subject, report.period_text] if report.subject else [report.period_text]
    lines += [md_escape(" · ".join(meta)), "", f"*{md_escape(_generated(report))}*", ""]
    lines += [f"- {md_escape(sentence)}" for sentence in report.headlines]
    for section in report.sections:
        lines += ["", f"## {md_escape(section.title)}", ""]
        if section.note:
            lines += [md_escape(section.note), ""]
        columns = section.table.columns
        lines.append(
            "| " + " | ".join(md_escape(column_title(c), line_start=False) for c in columns) + " |"
        )
        lines.append(
            "|" + "|".join("---" if c.kind in ("text", "date") else "--:" for c in columns) + "|"
        )
        for row in section.table.rows:
            cells = (
                md_escape(cell_text(v, c, report.language), line_start=False)
                for v, c in zip(row, columns, strict=True)
            )
            lines.append("| " + " | ".join(cells) + " |")
        if not section.table.rows:
            lines.append("| " + " | ".join("" for _c in columns) + " |")
    return "\n".join(lines) + "\n"


# --- CSV --------------------------------------------------------------------------------------


def _csv_number(value: Cell, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return f"{value.to_decimal():.{value.exponent}f}"
    if column.kind == "money" and isinstance(value, int):
        exponent = currency_exponent(column.currency)
        return f"{Money(value, column.currency).to_decimal():.{exponent}f}"
    if column.kind in ("share", "change") and isinstance(value, Decimal):
        return f"{value:.4f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return _csv_text(str(value))


def _csv_text(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(report: Report) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([_csv_text(report.title)])
    if report.subject:
        w.writerow([_csv_text(report.subject)])
    w.writerow(
        [
            pgettext("report", "Period"),
            report.period_start.isoformat(),
            report.period_end.isoformat(),
        ]
    )
    for sentence in report.headlines:
        w.writerow([_csv_text(sentence)])
    for section in report.sections:
        w.writerow([])
        w.writerow([_csv_text(section.title)])
        columns = section.table.columns
        w.writerow([_csv_text(column_title(c)) for c in columns])
        for row in section.table.rows:
            w.writerow([_csv_number(v, c) for v, c in zip(row, columns, strict=True)])
    return out.getvalue()


def csv_bytes(report: Report) -> bytes:
    return "\ufeff".encode() + csv_text(report).encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(titles: list[str]) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = _SHEET_BAD.sub(" ", title).strip(" '") or "Sheet"
        name, n = base[:31], 1
        while name.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _money_format(currency: str) -> str:
    exponent = currency_exponent(currency)
    number = "#,##0" + ("." + "0" * exponent if exponent else "")
    return f'{number} "{currency}";-{number} "{currency}"'


def xlsx_bytes(report: Report) -> bytes:
    import xlsxwriter  # imported here: only XLSX needs it

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties(
        {
            "title": report.title,
            "subject": report.subject,
            "created": report.generated_at.replace(tzinfo=None),
        }
    )
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    formats: dict[str, Any] = {
        "count": book.add_format({"num_format": "#,##0"}),
        "share": book.add_format({"num_format": "0.0%"}),
        "change": book.add_format({"num_format": "+0.0%;-0.0%;0.0%"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }

    def money_format(currency: str) -> Any:
        key = f"money:{currency}"
        if key not in formats:
            formats[key] = book.add_format({"num_format": _money_format(currency)})
        return formats[key]

    names = _sheet_names([pgettext("report", "Summary"), *(s.title for s in report.sections)])
    summary = book.add_worksheet(names[0])
    summary.set_column(0, 0, 100)
    summary.write_string(0, 0, report.title, title)
    row = 1
    if report.subject:
        summary.write_string(row, 0, report.subject)
        row += 1
    summary.write_string(row, 0, report.period_text, bold)
    summary.write_string(row + 1, 0, _generated(report))
    row += 3
    for sentence in report.headlines:
        summary.write_string(row, 0, sentence)
        row += 1

    for section, name in zip(report.sections, names[1:], strict=True):
        sheet = book.add_worksheet(name)
        sheet.write_string(0, 0, section.title, title)
        first = 1
        if section.note:
            sheet.write_string(1, 0, section.note)
            first = 2
        columns = section.table.columns
        for c, column in enumerate(columns):
            sheet.write_string(first, c, column_title(column), header)
            sheet.set_column(c, c, 28 if column.kind == "text" else 16)
        for r, cells in enumerate(section.table.rows, start=first + 1):
            for c, (value, column) in enumerate(zip(cells, columns, strict=True)):
                _xlsx_cell(sheet, r, c, value, column, money_format, formats)
        sheet.freeze_panes(first + 1, 0)
        if section.chart is not None and section.chart.labels:
            _xlsx_chart(book, sheet, name, section, len(columns) + 1, money_format, bold)
    book.close()
    return buffer.getvalue()


def _xlsx_cell(
    sheet: Any,
    r: int,
    c: int,
    value: Cell,
    column: Column,
    money_format: Callable[[str], Any],
    formats: dict[str, Any],
) -> None:
    if value is None:
        sheet.write_blank(r, c, None)
    elif isinstance(value, Money):
        sheet.write_number(r, c, float(value.to_decimal()), money_format(value.currency))
    elif column.kind == "money" and isinstance(value, int):
        major = Money(value, column.currency).to_decimal()
        sheet.write_number(r, c, float(major), money_format(column.currency))
    elif column.kind in ("count", "share", "change") and isinstance(value, int | Decimal):
        sheet.write_number(r, c, float(value), formats[column.kind])
    elif isinstance(value, date):
        sheet.write_datetime(r, c, datetime.combine(value, time()), formats["date"])
    else:
        sheet.write_string(r, c, str(value))


def _xlsx_chart(
    book: Any,
    sheet: Any,
    sheet_name: str,
    section: Section,
    col: int,
    money_format: Callable[[str], Any],
    bold: Any,
) -> None:
    """The chart's data in two columns right of the table, and a native chart drawn from it."""
    chart_data = section.chart
    assert chart_data is not None
    value_title = section.table.columns[-1].title
    sheet.write_string(0, col, section.title, bold)
    for r, (label, value) in enumerate(zip(chart_data.labels, chart_data.values, strict=True), 1):
        sheet.write_string(r, col, label)
        if chart_data.value_kind == "money":
            major = Money(value, chart_data.currency).to_decimal()
            sheet.write_number(r, col + 1, float(major), money_format(chart_data.currency))
        else:
            sheet.write_number(r, col + 1, value)
    last = len(chart_data.labels)
    quoted = "'" + sheet_name.replace("'", "''") + "'"
    chart = book.add_chart({"type": "bar" if chart_data.kind == "bar" else "line"})
    chart.add_series(
        {
            "name": value_title,
            "categories": f"={quoted}!${_col(col)}$2:${_col(col)}${last + 1}",
            "values": f"={quoted}!${_col(col + 1)}$2:${_col(col + 1)}${last + 1}",
        }
    )
    chart.set_title({"name": section.title})
    chart.set_legend({"none": True})
    if chart_data.kind == "bar":
        chart.set_y_axis({"reverse": True})  # the first (largest) bar on top
    sheet.insert_chart(1, col + 3, chart, {"x_scale": 1.6, "y_scale": 1.4})


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


# --- HTML -------------------------------------------------------------------------------------

_STYLE = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", "Noto Sans", "WenQuanYi Micro Hei", sans-serif;
  color: #1d2330; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #d5d9e2; }
.meta { color: #566074; margin: 0; }
.headlines { font-size: 1.1rem; background: #f3f5f9; padding: .75rem 1rem .75rem 2rem;
  border-left: 4px solid #2a6f97; }
.headlines li { margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; page-break-inside: auto; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid #e4e7ee; text-align: left;
  vertical-align: top; }
th { background: #f3f5f9; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { page-break-inside: avoid; }
figure { margin: .5rem 0 1rem; }
svg { max-width: 100%; height: auto; }
.note { color: #566074; }
@media print { body { margin: 0; max-width: none; } }
"""


NUM = ' class="num"'


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def html_page(report: Report) -> str:
    language = report.language
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_esc(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(report.title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_esc(report.title)}</h1>",
    ]
    if report.subject:
        parts.append(f'<p class="meta">{_esc(report.subject)}</p>')
    parts.append(f'<p class="meta">{_esc(report.period_text)}</p>')
    parts.append(f'<p class="meta">{_esc(_generated(report))}</p>')
    parts.append("</header>")
    if report.headlines:
        parts.append('<ul class="headlines">')
        parts += [f"<li>{_esc(s)}</li>" for s in report.headlines]
        parts.append("</ul>")
    for section in report.sections:
        parts.append("<section>")
        parts.append(f"<h2>{_esc(section.title)}</h2>")
        if section.note:
            parts.append(f'<p class="note">{_esc(section.note)}</p>')
        if section.chart is not None and section.chart.labels:
            parts.append(f"<figure>{svg_chart(section.chart, section.title, language)}</figure>")
        columns = section.table.columns
        numeric = [c.kind not in ("text", "date") for c in columns]
        parts.append("<table><thead><tr>")
        parts += [
            f'<th scope="col"{NUM if n else ""}>{_esc(column_title(c))}</th>'
            for c, n in zip(columns, numeric, strict=True)
        ]
        parts.append("</tr></thead><tbody>")
        for row in section.table.rows:
            cells = "".join(
                f"<td{NUM if n else ''}>{_esc(cell_text(v, c, language))}</td>"
                for v, c, n in zip(row, columns, numeric, strict=True)
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</tbody></table>")
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _axis_text(value: int, chart: Chart, language: str) -> str:
    if chart.value_kind == "money":
        return money_text(value, chart.currency, language)
    return count_text(value, language)


def svg_chart(chart: Chart, title: str, language: str) -> str:
    """The chart as inline SVG (no namespace URL, no script, no external reference): a
    horizontal bar per label for ``bar``, a polyline over the labels for ``line``."""
    label = _esc(title)
    if chart.kind == "bar":
        rows = len(chart.labels)
        width, left, bar_h, gap = 720, 200, 18, 6
        height = rows * (bar_h + gap) + gap
        top = max(max(chart.values), 1)
        out = [
            f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{label}">'
        ]
        for i, (name, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
            y = gap + i * (bar_h + gap)
            w = int((width - left - 160) * max(value, 0) / top)
            out.append(
                f'<text x="{left - 8}" y="{y + 13}" text-anchor="end" font-size="12" '
                f'fill="#1d2330">{_esc(name[:32])}</text>'
            )
            out.append(f'<rect x="{left}" y="{y}" width="{w}" height="{bar_h}" fill="#2a6f97"/>')
            out.append(
                f'<text x="{left + w + 6}" y="{y + 13}" font-size="12" fill="#566074">'
                f"{_esc(_axis_text(value, chart, language))}</text>"
            )
        out.append("</svg>")
        return "".join(out)
    width, height, pad_l, pad_b, pad_t = 720, 240, 110, 28, 12
    n = len(chart.values)
    top = max(max(chart.values), 1)
    plot_w, plot_h = width - pad_l - 12, height - pad_b - pad_t

    def xy(i: int, value: int) -> tuple[float, float]:
        x = pad_l + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
        y = pad_t + plot_h - plot_h * max(value, 0) / top
        return round(x, 1), round(y, 1)

    points = " ".join(f"{x},{y}" for x, y in (xy(i, v) for i, v in enumerate(chart.values)))
    out = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{label}">',
        f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - 12}" y2="{pad_t + plot_h}" '
        'stroke="#b8bfcc"/>',
        f'<text x="{pad_l - 6}" y="{pad_t + 10}" text-anchor="end" font-size="11" '
        f'fill="#566074">{_esc(_axis_text(top, chart, language))}</text>',
        f'<text x="{pad_l - 6}" y="{pad_t + plot_h}" text-anchor="end" font-size="11" '
        'fill="#566074">0</text>',
        f'<polyline points="{points}" fill="none" stroke="#2a6f97" stroke-width="2"/>',
    ]
    for i in sorted({0, n - 1}):
        x, _y = xy(i, 0)
        anchor = "start" if i == 0 and n > 1 else "end"
        out.append(
            f'<text x="{x}" y="{height - 8}" text-anchor="{anchor}" font-size="11" '
            f'fill="#566074">{_esc(chart.labels[i])}</text>'
        )
    out.append("</svg>")
    return "".join(out)


# --- PDF --------------------------------------------------------------------------------------


def _offline_fetcher() -> Any:
    """WeasyPrint's URL fetcher refusing every URL but ``data:``: a report fetches nothing."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=["data"], allow_redirects=False, timeout=1)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"reports fetch nothing: {url[:80]} refused")
            return super().fetch(url, headers)

    return OfflineFetcher()


def pdf_bytes(report: Report) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise ReportPdfUnavailable(f"WeasyPrint cannot be loaded: {exc}") from None
    document = weasyprint.HTML(string=html_page(report), url_fetcher=_offline_fetcher())
    return bytes(document.write_pdf())
