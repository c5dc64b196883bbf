"""The reports as downloads (decision 0028): what the reports page (``/analytics/reports/``)
and the API (``GET /api/v1/analytics/reports/{kind}``) need. ``report_choices`` lists what
an actor is offered (festivals, months, pavilions, partners, languages, formats),
``report_asked`` reads the page's query string into a ``ReportAsk`` (400 ``report_bad_input``
naming the field it cannot read), and ``report_file`` is the ONE call that builds the report
and writes it: the file's bytes, name and content type.

Who may have which report is not decided here: ``report_builders.report_kinds`` and the
selectors each builder reads (``report_build`` checks them on every download); the choices
only list what those selectors show the actor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from babel.dates import format_date
from django.conf import settings
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from fiera.analytics import report_formats
from fiera.analytics.dashboard import Choice
from fiera.analytics.report_builders import report_build, report_kinds
from fiera.analytics.reports import ReportKind
from fiera.common.errors import InvalidInput
from fiera.common.reference import (
    babel_locale,
    countries_by_local_name,
    is_country,
    language_suffix,
)
from fiera.festivals import selectors as festival_selectors
from fiera.partners import selectors as partner_selectors
from fiera.trade import selectors as trade_selectors

# The reports' languages as the API and the page name them, and as Django does.
ReportLanguage = Literal["en", "it", "zh", "es"]
LANGUAGES: dict[str, str] = {"en": "en", "it": "it", "zh": "zh-hans", "es": "es"}
DEFAULT_FORMAT: report_formats.Format = "xlsx"
MONTHS = 24  # the months the page offers, this one first
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
KEY_MAX = 100


class BadReportInput(InvalidInput):
    """A field of the reports page that cannot be read (HTTP 400); the message names it."""

    status = 400
    code = "report_bad_input"
    message_template = gettext_lazy("%(field)s: choose one of the list.")


@dataclass(frozen=True, slots=True)
class ReportAsk:
    """A report as asked: ``key`` is the festival's, pavilion's or partner's slug or the
    month ("2026-11"); ``language`` one of ``LANGUAGES``; ``fmt`` one of
    ``report_formats.FORMATS``; ``country`` the festival headline's; ``start``/``end`` the
    pavilion's or partner's period (inclusive UTC days; default: since it began)."""

    kind: str  # one of reports.REPORT_KINDS
    key: str
    language: str
    fmt: str
    country: str = "IT"
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class ReportFile:
    name: str  # fiera-month-2026-11-it.xlsx: safe on every file system
    content_type: str
    data: bytes
    language: str

    @property
    def disposition(self) -> str:
        return f'attachment; filename="{self.name}"'


def report_file(
    *, ask: ReportAsk, actor_id: int | None, actor_role: str, now: datetime
) -> ReportFile:
    """The report built for the actor (refusals are ``report_build``'s: 403, or 404 for a
    festival, pavilion or partner that does not exist or that the actor may not know) and
    written in ``ask.fmt``; a PDF without WeasyPrint is 503 ``report_pdf_unavailable``."""
    report = report_build(
        kind=ask.kind,
        key=ask.key,
        country=ask.country,
        start=ask.start,
        end=ask.end,
        language=LANGUAGES[ask.language],
        actor_id=actor_id,
        actor_role=actor_role,
        now=now,
    )
    return ReportFile(
        name=report_formats.file_name(report, ask.fmt),
        content_type=report_formats.CONTENT_TYPES[ask.fmt],
        data=report_formats.write(report, ask.fmt),
        language=report.language,
    )


def reader_language() -> str:
    """The active language as a key of ``LANGUAGES`` (English for any other)."""
    code = (get_language() or "en").lower()
    short = "zh" if code.startswith("zh") else code.split("-")[0]
    return short if short in LANGUAGES else "en"


# --- the page's form ---------------------------------------------------------------------------


def _key_field(kind: str) -> str:
    return {
        "festival": _("Festival"),
        "month": _("Month"),
        "pavilion": _("Pavilion"),
        "partner": _("Partner"),
    }[kind]


def _day(text: str, field_name: str) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise BadReportInput(
            f"{field_name}={text!r} is not a day",
            message=gettext_lazy(
                "%(field)s: write the date as year-month-day, for example 2026-11-30."
            ),
            field=field_name,
        )
    return day


def report_asked(kind: str, params: Mapping[str, str]) -> ReportAsk:
    """The page's question from its query string (``key``, ``language``, ``format``,
    ``country``, ``start``, ``end``); what cannot be read is ``BadReportInput`` naming the
    field. Whether the key exists, and is the actor's, is for ``report_file`` to say."""
    raw = {
        name: str(params.get(name, "") or "").strip()
        for name in ("key", "language", "format", "country", "start", "end")
    }
    if not raw["key"] or len(raw["key"]) > KEY_MAX:
        raise BadReportInput(f"key={raw['key']!r}", field=_key_field(kind))
    language = raw["language"] or reader_language()
    if language not in LANGUAGES:
        raise BadReportInput(f"language={language!r}", field=_("Language"))
    fmt = raw["format"] or DEFAULT_FORMAT
    if fmt not in report_formats.FORMATS:
        raise BadReportInput(f"format={fmt!r}", field=_("Format"))
    country = raw["country"].upper() or "IT"
    if not is_country(country):
        raise BadReportInput(
            f"country={country!r}",
            message=gettext_lazy("%(field)s: choose a country of the list."),
            field=_("Country"),
        )
    return ReportAsk(
        kind=kind,
        key=raw["key"],
        language=language,
        fmt=fmt,
        country=country,
        start=_day(raw["start"], _("From")),
        end=_day(raw["end"], _("To")),
    )


# --- the choices -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportChoices:
    kinds: tuple[ReportKind, ...]
    festivals: list[Choice]
    months: list[Choice]
    pavilions: list[Choice]
    partners: list[Choice]
    countries: list[Choice]
    languages: list[Choice]
    formats: list[Choice]


def _format_labels() -> dict[str, str]:
    """Every format of ``report_formats.FORMATS``, the one most people want first."""
    return {
        "xlsx": _("Excel workbook (.xlsx)"),
        "pdf": _("PDF document (.pdf)"),
        "html": _("Web page, one file (.html)"),
        "csv": _("Table as CSV (.csv)"),
        "md": _("Text as Markdown (.md)"),
    }


def _months(today: date) -> list[Choice]:
    year, month = today.year, today.month
    found = []
    for _i in range(MONTHS):
        first = date(year, month, 1)
        label = str(format_date(first, format="LLLL y", locale=babel_locale()))
        found.append(Choice(f"{year:04d}-{month:02d}", label[:1].upper() + label[1:]))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found


def report_choices(*, actor_id: int | None, actor_role: str, today: date) -> ReportChoices:
    """What the reports page offers ``actor``, labelled in the active language: the kinds
    its role may have (buyers and learners: 403 ``analytics_forbidden``), the festivals
    (operators), the last 24 months, the pavilions it reviews and the partners it sees."""
    kinds = report_kinds(actor_role=actor_role)
    suffix = language_suffix()
    festivals = (
        [
            Choice(f.slug, str(getattr(f, f"name_{suffix}", "") or f.name))
            for f in festival_selectors.festival_list(actor_role=actor_role)
        ]
        if "festival" in kinds
        else []
    )
    pavilions = trade_selectors.pavilion_list() if "pavilion" in kinds else []
    reviewed = trade_selectors.pavilions_reviewed_by(
        pavilions=pavilions, actor_id=actor_id, actor_role=actor_role
    )
    partners = (
        partner_selectors.partner_list(actor_id=actor_id, actor_role=actor_role)
        if "partner" in kinds
        else []
    )
    return ReportChoices(
        kinds=kinds,
        festivals=festivals,
        months=_months(today),
        pavilions=[
            Choice(p.slug, p.name(get_language() or "en")) for p in pavilions if p.id in reviewed
        ],
        partners=[Choice(p.slug, p.name) for p in partners],
        countries=[Choice(c.code, c.name) for c in countries_by_local_name()],
        languages=[
            Choice("zh" if code.startswith("zh") else code, str(name))
            for code, name in settings.LANGUAGES
        ],
        formats=[Choice(fmt, label) for fmt, label in _format_labels().items()],
    )
