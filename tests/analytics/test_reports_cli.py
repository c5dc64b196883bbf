"""``fiera report`` end to end on a small world (tests/analytics/report_world.py): the
festival, month, partner and pavilion reports, every format, the headline sentences and
the figures agreeing with the selectors they come from; unknown slugs and bad months exit 2."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from fiera.accounts.roles import SYSTEM
from fiera.analytics import query
from fiera.analytics.report_builders import report_build
from fiera.cli import main
from fiera.festivals.selectors import festival_report_figures
from tests.analytics.report_world import NOW, ReportWorld, make_report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> ReportWorld:
    return make_report_world()


def _run(tmp_path: Path, *args: str) -> tuple[int, Path]:
    out = tmp_path / "report.out"
    code = main(["report", *args, "--output", str(out)])
    return code, out


def test_the_festival_report_in_every_format(world: ReportWorld, tmp_path: Path, capsys) -> None:
    figures = festival_report_figures(slug="spring-fest", actor_role=SYSTEM)
    italy = next(c for c in figures.countries if c.country == "IT")
    assert italy.merchants == 1 and figures.totals.countries == 2

    code, out = _run(tmp_path, "festival", "spring-fest", "--format", "md")
    assert code == 0
    text = out.read_text()
    assert text.startswith("# Festival report: Spring festival\n")
    assert "- 1 company from Italy sold USD " in text
    assert "Italy ranked " in text and " of 2 countries." in text
    assert "## Merchant countries by GMV" in text
    assert "Festival report: Spring festival" in capsys.readouterr().out

    code, out = _run(tmp_path, "festival", "spring-fest", "--format", "csv", "--language", "it")
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["Report del festival: Festa di primavera"]
    assert rows[1][0] == "Periodo"
    assert rows[2][0].startswith("1 azienda (Italia) ha venduto ")
    gmv_total = f"{figures.totals.gmv_usd_minor / 100:.2f}"
    assert any(gmv_total in row for row in rows), gmv_total

    code, out = _run(tmp_path, "festival", "spring-fest", "--format", "xlsx")
    with zipfile.ZipFile(out) as book:
        assert "xl/workbook.xml" in book.namelist()
        assert b"Merchant countries by GMV" in book.read("xl/workbook.xml")

    code, out = _run(tmp_path, "festival", "spring-fest", "--format", "html", "--language", "zh")
    page = out.read_text()
    assert '<html lang="zh-hans">' in page and "节日报告" in page
    assert not re.search(r"(?i)(https?:|src=|href=|url\()", page)

    code, out = _run(tmp_path, "festival", "spring-fest", "--format", "pdf", "--language", "es")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Informe del festival" in text


def test_the_month_report_says_what_the_selectors_say(world: ReportWorld, tmp_path: Path) -> None:
    period = query.Period.month(2026, 3)
    scope = query.analytics_scope(actor_id=None, actor_role=SYSTEM)
    gmv = query.analytics_total(measure="gmv", period=period, filters=query.Filters(), scope=scope)
    assert gmv > 0
    report = report_build(
        kind="month", key="2026-03", language="en", actor_id=None, actor_role=SYSTEM, now=NOW
    )
    assert report.period_start.isoformat() == "2026-03-01"
    assert report.headlines[1] == "3 orders were placed."
    assert report.headlines[0].startswith("GMV was USD ")
    assert "up" in report.headlines[0]  # February had one order, smaller
    assert report.headlines[-1].startswith("Companies from ")
    key_figures = report.sections[0].table
    assert key_figures.rows[0][1].amount_minor == gmv  # type: ignore[union-attr]
    february = query.analytics_total(
        measure="gmv", period=query.Period.month(2026, 2), filters=query.Filters(), scope=scope
    )
    assert key_figures.rows[0][2].amount_minor == february > 0  # type: ignore[union-attr]
    days = report.sections[1].table.rows
    assert len(days) == 31 and sum(int(r[1]) for r in days) == gmv  # type: ignore[arg-type]

    code, out = _run(tmp_path, "month", "2026-03", "--language", "zh", "--format", "md")
    assert code == 0 and "月度报告" in out.read_text()


def test_the_partner_report(world: ReportWorld, tmp_path: Path) -> None:
    report = report_build(
        kind="partner",
        key="camera-veneto",
        start=(NOW - timedelta(days=60)).date(),
        end=NOW.date(),
        language="en",
        actor_id=None,
        actor_role=SYSTEM,
        now=NOW,
    )
    assert report.headlines[0] == "1 merchant was onboarded and went live."
    assert report.headlines[2] == "1 of 1 lead went live: a conversion of 100.0%."
    companies = next(s for s in report.sections if s.title == "Companies brought by the partner")
    assert [row[0] for row in companies.table.rows] == [world.italian.display_name]
    assert int(companies.table.rows[0][3]) > 0  # type: ignore[arg-type]
    code, out = _run(tmp_path, "partner", "camera-veneto", "--format", "xlsx")
    assert code == 0 and zipfile.is_zipfile(out)


def test_the_pavilion_report(db: None, tmp_path: Path) -> None:
    from tests.trade.pavilion_factories import make_pavilion_world

    pw = make_pavilion_world()
    report = report_build(
        kind="pavilion",
        key=pw.pavilion.slug,
        language="it",
        actor_id=pw.reviewer.pk,
        actor_role="partner",
        now=NOW + timedelta(days=300),
    )
    assert report.title == "Report del padiglione: Padiglione Made in Italy"
    assert report.headlines[0] == "0 aziende sono state ammesse al padiglione."
    code, out = _run(tmp_path, "pavilion", pw.pavilion.slug, "--format", "md")
    assert code == 0 and "0 companies were admitted to the pavilion." in out.read_text()


def test_unknown_slugs_and_bad_months_exit_2(world: ReportWorld, tmp_path: Path, capsys) -> None:
    assert _run(tmp_path, "festival", "nope")[0] == 2
    assert _run(tmp_path, "partner", "nope")[0] == 2
    assert _run(tmp_path, "pavilion", "nope")[0] == 2
    with pytest.raises(SystemExit):
        main(["report", "month", "2026-13"])
    assert "not a month" in capsys.readouterr().err


def test_the_format_follows_the_file_and_dash_is_standard_output(
    world: ReportWorld, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    target = tmp_path / "march.xlsx"
    assert main(["report", "month", "2026-03", "--output", str(target)]) == 0
    assert zipfile.is_zipfile(target)
    capsysbinary.readouterr()
    assert main(["report", "month", "2026-03", "--format", "csv", "--output", "-"]) == 0
    data = capsysbinary.readouterr().out
    assert data.startswith(b"\xef\xbb\xbfMonthly report: March 2026\r\n")
