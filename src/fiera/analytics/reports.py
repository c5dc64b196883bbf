"""Reports as data (decision 0028): a ``Report`` is a title, a period, headline sentences and
sections, each a table (columns, rows) with an optional chart. The writers
(``fiera.analytics.report_formats``) turn one into Markdown, CSV, XLSX, HTML or PDF; the
builders (``fiera.analytics.report_builders``) fill one from the selectors.

Nothing here reads the database. Money cells are integer minor units of their column's
currency (US cents for the analytics' figures), counts are ints, shares and changes are
Decimals (0.25 = 25 %), days are dates: the writers format them for the report's language
(text formats) or keep them as numbers with a format (XLSX, CSV).

The headline sentences are built here from plain figures, in the active language, so a test
can check them without a world: compact money ("USD 449.2 million", "4,5 milioni di USD"
style wording comes from the translations), ordinals, growth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from babel.numbers import format_compact_decimal, format_decimal, format_percent
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from fiera.common.money import Money, currency_exponent
from fiera.common.reference import babel_locale, country_name

# A Money cell is money in any column (a "measure | value" table mixing money and counts).
Cell = str | int | Decimal | date | Money | None
ColumnKind = Literal["text", "count", "money", "share", "change", "date"]
ReportKind = Literal["festival", "month", "pavilion", "partner"]
REPORT_KINDS: tuple[ReportKind, ...] = ("festival", "month", "pavilion", "partner")


@dataclass(frozen=True, slots=True)
class Column:
    """A table column. ``kind`` says what its cells hold: ``text`` (str), ``count`` (int),
    ``money`` (int minor units of ``currency``), ``share`` (Decimal 0..1), ``change``
    (Decimal growth, None when there is nothing to compare with), ``date`` (a day)."""

    title: str
    kind: ColumnKind = "text"
    currency: str = ""

    def __post_init__(self) -> None:
        if self.kind == "money":
            currency_exponent(self.currency)  # UnknownCurrency for a bad code
        elif self.currency:
            raise ValueError(f"only money columns have a currency ({self.title!r})")


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"a row has {len(row)} cells for {len(self.columns)} columns")


@dataclass(frozen=True, slots=True)
class Chart:
    """What a section draws: ``bar`` (a ranking) or ``line`` (a time series), one value per
    label; money values in minor units of ``currency``."""

    kind: Literal["bar", "line"]
    labels: tuple[str, ...]
    values: tuple[int, ...]
    value_kind: Literal["count", "money"] = "count"
    currency: str = ""

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError("a chart needs one value per label")
        if (self.value_kind == "money") != bool(self.currency):
            raise ValueError("a money chart names its currency, a count chart none")


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    table: Table
    chart: Chart | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    kind: ReportKind
    title: str
    period_start: date  # inclusive UTC days
    period_end: date
    language: str  # a code of settings.LANGUAGES: the text is in it
    headlines: tuple[str, ...]
    sections: tuple[Section, ...]
    generated_at: datetime
    subject: str = ""  # whose figures: "All of Fiera", a partner's or pavilion's name
    slug: str = ""  # festival/pavilion/partner slug or the month ("2026-11"): file names

    @property
    def period_text(self) -> str:
        return period_text(self.period_start, self.period_end, self.language)


# --- wording --------------------------------------------------------------------------------


def period_text(start: date, end: date, language: str | None = None) -> str:
    """ "1-30 Nov 2026" in the language (CLDR's interval format)."""
    from babel.dates import format_interval

    return str(format_interval(start, end, skeleton="yMMMd", locale=babel_locale(language)))


def money_text(amount_minor: int, currency: str, language: str | None = None) -> str:
    """The full amount, "US$ 1.234,50" style per locale."""
    return Money(amount_minor, currency).format(str(babel_locale(language)))


def compact_money(amount_minor: int, currency: str, language: str | None = None) -> str:
    """A headline's amount: "USD 449.2 million", "449,2 milioni USD", "USD 4.5亿"; the full
    amount under a million in the major unit. The ISO code, not a symbol ("$" is several
    currencies' sign); the order of code and number is the translation's."""
    locale = babel_locale(language)
    major = Money(amount_minor, currency).to_decimal()
    if abs(major) < 1_000_000:
        number = format_decimal(major, format="#,##0.##", locale=locale)
    else:
        number = format_compact_decimal(major, format_type="long", fraction_digits=1, locale=locale)
    return _("%(currency)s %(amount)s") % {"currency": currency, "amount": number}


def count_text(value: int, language: str | None = None) -> str:
    return str(format_decimal(value, locale=babel_locale(language)))


def percent_text(value: Decimal, language: str | None = None, *, signed: bool = False) -> str:
    """0.084 -> "8.4%" ("8,4%" in Italian); ``signed``: "+8.4%" / "-3.0%"."""
    pattern = "+#,##0.0%;-#,##0.0%" if signed else "#,##0.0%"
    rounded = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    return str(format_percent(rounded, format=pattern, locale=babel_locale(language)))


def ordinal(rank: int, language: str | None = None) -> str:
    """7 -> "7th" (en), "7°" (it), "7.º" (es), "第7" (zh): the rank as each language writes
    it in a ranking (the sentence around it is translated)."""
    code = (language or get_language() or "en").lower()
    if code.startswith("it"):
        return f"{rank}°"
    if code.startswith("es"):
        return f"{rank}.º"
    if code.startswith("zh"):
        return f"第{rank}"
    teen = 10 <= rank % 100 <= 20
    suffix = "th" if teen else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


# --- headline sentences ---------------------------------------------------------------------
# Each returns sentences in the active language (``translation.override`` around the call).


def festival_headlines(
    *,
    country: str,
    companies: int,
    country_gmv_usd_minor: int,
    rank: int | None,
    countries: int,
    gmv_usd_minor: int,
    orders: int,
    growth: Decimal | None,
    baseline: str,
) -> list[str]:
    """``country``'s companies that sold and their GMV, its rank among the merchant
    countries that sold, the festival's total, and growth against ``baseline``
    ("previous edition" or "window before", as festivals' figures name it)."""
    name = country_name(country)
    usd = "USD"
    out = [
        ngettext(
            "%(count)s company from %(country)s sold %(money)s.",
            "%(count)s companies from %(country)s sold %(money)s.",
            companies,
        )
        % {
            "count": count_text(companies),
            "country": name,
            "money": compact_money(country_gmv_usd_minor, usd),
        }
    ]
    if rank is not None:
        out.append(
            ngettext(
                "%(country)s ranked %(ordinal)s of %(count)s country.",
                "%(country)s ranked %(ordinal)s of %(count)s countries.",
                countries,
            )
            % {"country": name, "ordinal": ordinal(rank), "count": count_text(countries)}
        )
    out.append(
        ngettext(
            "In all, companies sold %(money)s in %(count)s order.",
            "In all, companies sold %(money)s in %(count)s orders.",
            orders,
        )
        % {"money": compact_money(gmv_usd_minor, usd), "count": count_text(orders)}
    )
    if growth is not None:
        change = percent_text(abs(growth))
        if baseline == "previous edition":
            text = (
                _("GMV was up %(change)s on the previous edition.")
                if growth >= 0
                else _("GMV was down %(change)s on the previous edition.")
            )
        else:
            text = (
                _("GMV was up %(change)s on the same length of time before the festival.")
                if growth >= 0
                else _("GMV was down %(change)s on the same length of time before the festival.")
            )
        out.append(text % {"change": change})
    return out


def month_headlines(
    *,
    gmv_usd_minor: int,
    growth: Decimal | None,
    orders: int,
    packages: int,
    top_country: str,
    top_country_gmv_usd_minor: int,
    top_country_share: Decimal,
) -> list[str]:
    """GMV and its change on the month before, orders, packages shipped, the merchant
    country that sold most (``top_country`` "" when nobody sold)."""
    money = compact_money(gmv_usd_minor, "USD")
    if growth is None:
        first = _("GMV was %(money)s; there were no sales the month before.") % {"money": money}
    elif growth >= 0:
        first = _("GMV was %(money)s, up %(change)s on the month before.") % {
            "money": money,
            "change": percent_text(growth),
        }
    else:
        first = _("GMV was %(money)s, down %(change)s on the month before.") % {
            "money": money,
            "change": percent_text(-growth),
        }
    out = [
        first,
        ngettext("%(count)s order was placed.", "%(count)s orders were placed.", orders)
        % {"count": count_text(orders)},
        ngettext("%(count)s package was shipped.", "%(count)s packages were shipped.", packages)
        % {"count": count_text(packages)},
    ]
    if top_country:
        out.append(
            _("Companies from %(country)s sold the most: %(money)s (%(share)s of GMV).")
            % {
                "country": country_name(top_country),
                "money": compact_money(top_country_gmv_usd_minor, "USD"),
                "share": percent_text(top_country_share),
            }
        )
    return out


def pavilion_headlines(
    *, admitted: int, deals: int, deal_value_minor: int, currency: str, buyer_countries: int
) -> list[str]:
    """Companies admitted, the deals they closed and their value (the pavilion's
    marketplace currency), the buyer countries reached."""
    return [
        ngettext(
            "%(count)s company was admitted to the pavilion.",
            "%(count)s companies were admitted to the pavilion.",
            admitted,
        )
        % {"count": count_text(admitted)},
        ngettext(
            "They closed %(count)s deal worth %(money)s.",
            "They closed %(count)s deals worth %(money)s.",
            deals,
        )
        % {"count": count_text(deals), "money": compact_money(deal_value_minor, currency)},
        ngettext(
            "They reached buyers in %(count)s country.",
            "They reached buyers in %(count)s countries.",
            buyer_countries,
        )
        % {"count": count_text(buyer_countries)},
    ]


def partner_headlines(
    *, merchants: int, gmv_usd_minor: int, leads: int, live: int, rate: Decimal | None
) -> list[str]:
    """Merchants onboarded (live), their GMV in the period, lead conversion."""
    out = [
        ngettext(
            "%(count)s merchant was onboarded and went live.",
            "%(count)s merchants were onboarded and went live.",
            merchants,
        )
        % {"count": count_text(merchants)},
        _("Their sales in the period: %(money)s.") % {"money": compact_money(gmv_usd_minor, "USD")},
    ]
    if rate is None:
        out.append(_("There are no leads yet."))
    else:
        out.append(
            ngettext(
                "%(live)s of %(count)s lead went live: a conversion of %(rate)s.",
                "%(live)s of %(count)s leads went live: a conversion of %(rate)s.",
                leads,
            )
            % {"live": count_text(live), "count": count_text(leads), "rate": percent_text(rate)}
        )
    return out
