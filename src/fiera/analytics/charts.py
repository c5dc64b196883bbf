"""Charts drawn on the server as accessible SVG, and the same figures as CSV (decision 0027).

A chart is one frozen data object (a ``TimeSeries``, a ``BarChart`` or a ``RegionMap``):
its title, its unit (US dollars, kept in cents, or counts) and its points, bars or regions.
``chart_svg`` draws it and ``chart_csv`` writes it, both from that one object, so a download
never disagrees with the picture. Nothing here reads the database: the pages build the
objects from ``fiera.analytics.selectors``.

The SVG is ``role="img"`` with a ``<title>`` and a ``<desc>`` (a sentence of the figures in
the reader's language), a ``<title>`` on every point, bar and region for the pointer, and no
``style`` attribute: inside a page the shapes carry classes that
``static/analytics/analytics.css`` paints (the Content-Security-Policy forbids inline
styles). ``standalone=True`` draws the file people download (and the PNG is drawn from):
the same shapes with the colours as SVG presentation attributes, since a file opened on its
own, or drawn as an image onto a canvas, has no stylesheet. Numbers, money and dates are
formatted in the active language (CLDR through Babel); money axes use compact figures
("US$1.2M", "1,2 Mln USD"), bars and tooltips the full amount.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal
from unicodedata import east_asian_width
from xml.sax.saxutils import escape, quoteattr

from babel.dates import format_date, format_skeleton
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_decimal,
    format_percent,
)
from django.utils.translation import get_language, gettext, ngettext

from fiera.common.money import Money
from fiera.common.reference import ITALIAN_REGION_GRID, ITALIAN_REGION_TILES, babel_locale

Unit = Literal["usd", "count"]
Grain = Literal["day", "week", "month"]

# Colours of the standalone file; the page's stylesheet (analytics.css) paints the same
# classes with the same colours (tests/analytics/test_charts.py holds them equal).
PALETTE: dict[str, dict[str, str]] = {
    "chart-bg": {"fill": "#ffffff"},
    "grid": {"stroke": "#e3e6ea", "stroke-width": "1"},
    "axis": {"stroke": "#9aa3ad", "stroke-width": "1"},
    "tick": {"fill": "#5b6470", "font-size": "13"},
    "area": {"fill": "#fbd9c5"},
    "line": {"fill": "none", "stroke": "#c2410c", "stroke-width": "2"},
    "dot": {"fill": "#c2410c"},
    "bar": {"fill": "#1f6f43"},
    "bar-others": {"fill": "#9aa3ad"},
    "label": {"fill": "#1d2733", "font-size": "14"},
    "value": {"fill": "#1d2733", "font-size": "13"},
    "abbr": {"fill": "#1d2733", "font-size": "17", "font-weight": "600"},
    "count": {"fill": "#1d2733", "font-size": "12"},
    "tile": {"stroke": "#ffffff", "stroke-width": "2"},
    "scale-0": {"fill": "#eef1f4"},
    "scale-1": {"fill": "#d6ecdf"},
    "scale-2": {"fill": "#a9d8bb"},
    "scale-3": {"fill": "#6fbf8f"},
    "scale-4": {"fill": "#35985f"},
    "scale-5": {"fill": "#1f6f43"},
    "light": {"fill": "#ffffff"},
}
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', sans-serif"
SCALE_STEPS = 5  # GMV colour classes scale-1 .. scale-5 (scale-0: none)


# --- the data ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    day: date  # the first day of the bucket
    value: int  # US cents or a count


@dataclass(frozen=True, slots=True)
class TimeSeries:
    name: str  # the file name and CSV column ("gmv" -> gmv_usd)
    title: str
    unit: Unit
    points: tuple[SeriesPoint, ...]
    grain: Grain = "day"


@dataclass(frozen=True, slots=True)
class Bar:
    key: str  # a country code, a marketplace id ...
    label: str  # in the reader's language
    value: int
    share: Decimal  # of the total, 0..1


@dataclass(frozen=True, slots=True)
class BarChart:
    name: str
    title: str
    unit: Unit
    bars: tuple[Bar, ...]
    total: int
    others: int = 0  # the total not in ``bars`` (a top-N cut); drawn as one grey bar
    ranked: bool = True  # numbered 1., 2., ...; a comparison is not


@dataclass(frozen=True, slots=True)
class RegionTile:
    code: str  # ISO 3166-2:IT
    name: str
    merchants: int
    active_merchants: int
    gmv_usd_minor: int


@dataclass(frozen=True, slots=True)
class RegionMap:
    name: str
    title: str
    regions: tuple[RegionTile, ...]


Chart = TimeSeries | BarChart | RegionMap


# --- formatting ---------------------------------------------------------------------------------


def _language() -> str:
    return get_language() or "en"


def money_text(amount_minor: int) -> str:
    """The full amount in US dollars, as the active language writes it."""
    return Money(int(amount_minor), "USD").format(_language())


def value_text(value: int, unit: Unit) -> str:
    return money_text(value) if unit == "usd" else format_decimal(value, locale=babel_locale())


def compact_text(value: int, unit: Unit) -> str:
    """A short figure for axes and bar ends: "US$1.2M", "12K"; small ones in full."""
    locale = babel_locale()
    if unit == "usd":
        dollars = Decimal(value) / 100
        if abs(dollars) < 1000:
            return format_compact_currency(dollars, "USD", locale=locale, fraction_digits=2)
        return format_compact_currency(dollars, "USD", locale=locale, fraction_digits=1)
    if abs(value) < 10000:
        return format_decimal(value, locale=locale)
    return format_compact_decimal(value, locale=locale, fraction_digits=1)


def share_text(share: Decimal) -> str:
    return format_percent(share, "#,##0.#%", locale=babel_locale())


def day_text(day: date, grain: Grain = "day") -> str:
    if grain == "month":
        return format_skeleton("yMMM", day, locale=babel_locale())
    return format_date(day, "medium", locale=babel_locale())


def _tick_day(day: date, grain: Grain) -> str:
    return format_skeleton("yMMM" if grain == "month" else "MMMd", day, locale=babel_locale())


# --- CSV ----------------------------------------------------------------------------------------


def _csv_money(amount_minor: int) -> str:
    """US cents as dollars with two decimals ("1234.50"), exactly, never through float."""
    return str(Decimal(int(amount_minor)).scaleb(-2).quantize(Decimal("0.01")))


def _value_column(name: str, unit: Unit) -> str:
    return f"{name.replace('-', '_')}_usd" if unit == "usd" else name.replace("-", "_")


def chart_rows(chart: Chart) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the chart's table: what the CSV holds, column by column.
    Money in US dollars with two decimals, counts as integers, shares as fractions."""
    if isinstance(chart, TimeSeries):
        column = _value_column(chart.name, chart.unit)
        fmt = _csv_money if chart.unit == "usd" else str
        return ["date", column], [[p.day.isoformat(), fmt(p.value)] for p in chart.points]
    if isinstance(chart, BarChart):
        column = _value_column(chart.name, chart.unit)
        fmt = _csv_money if chart.unit == "usd" else str
        rows = [
            [str(rank), bar.key, bar.label, fmt(bar.value), str(bar.share)]
            for rank, bar in enumerate(chart.bars, 1)
        ]
        if chart.others:
            rows.append(
                ["", "others", gettext("Others"), fmt(chart.others), str(_others_share(chart))]
            )
        return ["rank", "key", "label", column, "share"], rows
    return (
        ["region_code", "region", "merchants", "active_merchants", "gmv_usd"],
        [
            [r.code, r.name, str(r.merchants), str(r.active_merchants), _csv_money(r.gmv_usd_minor)]
            for r in chart.regions
        ],
    )


def chart_csv(chart: Chart) -> str:
    """The chart's figures as CSV (RFC 4180, CRLF line ends), a header row first."""
    header, rows = chart_rows(chart)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _others_share(chart: BarChart) -> Decimal:
    if not chart.total:
        return Decimal(0)
    return (Decimal(chart.others) / Decimal(chart.total)).quantize(Decimal("0.0001"))


# --- SVG helpers --------------------------------------------------------------------------------


class _Svg:
    """Collects SVG elements; in standalone mode each class also writes its colours."""

    def __init__(self, *, standalone: bool) -> None:
        self.standalone = standalone
        self.parts: list[str] = []

    def attrs(self, classes: str, extra: dict[str, object]) -> str:
        out = [f" class={quoteattr(classes)}"] if classes else []
        if self.standalone:
            painted: dict[str, str] = {}
            for name in classes.split():
                painted.update(PALETTE.get(name, {}))
            out += [f" {k}={quoteattr(v)}" for k, v in painted.items() if k not in extra]
        out += [f" {k}={quoteattr(_num(v))}" for k, v in extra.items()]
        return "".join(out)

    def add(
        self, tag: str, classes: str = "", tip: str = "", text: str = "", **extra: object
    ) -> None:
        attributes = self.attrs(classes, {k.replace("_", "-"): v for k, v in extra.items()})
        inner = (f"<title>{escape(tip)}</title>" if tip else "") + escape(text)
        self.parts.append(f"<{tag}{attributes}>{inner}</{tag}>")

    def open(self, tag: str, classes: str = "", tip: str = "", **extra: object) -> None:
        attributes = self.attrs(classes, {k.replace("_", "-"): v for k, v in extra.items()})
        self.parts.append(f"<{tag}{attributes}>" + (f"<title>{escape(tip)}</title>" if tip else ""))

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")


def _num(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def _document(
    svg: _Svg, *, name: str, title: str, desc: str, width: int, height: int, kind: str
) -> str:
    ids = f"chart-{name}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" class="chart chart-{kind}"'
        f' aria-labelledby="{ids}-title {ids}-desc"'
    )
    if svg.standalone:
        head += f" font-family={quoteattr(FONT)}"
    head += ">"
    body = [
        head,
        f'<title id="{ids}-title">{escape(title)}</title>',
        f'<desc id="{ids}-desc">{escape(desc)}</desc>',
    ]
    if svg.standalone:  # a white page under the shapes (a PNG has no page behind it)
        body.append(
            f'<rect class="chart-bg" fill="#ffffff" width="{width}" height="{height}"></rect>'
        )
    body += svg.parts
    body.append("</svg>")
    text = "".join(body)
    if svg.standalone:
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"
    return text


def nice_step(top: int, ticks: int = 4) -> int:
    """A step of 1, 2 or 5 times a power of ten that covers ``top`` in about ``ticks``."""
    if top <= 0:
        return 1
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(1, int(factor * power))
    return max(1, int(10 * power))


def text_width(text: str, size: int = 14) -> float:
    """A generous estimate of the width of ``text`` in user units at ``size`` (no font
    metrics on the server): wide (CJK) characters count one em, the rest 0.6 em."""
    return sum(size if east_asian_width(c) in {"W", "F"} else size * 0.6 for c in text)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the time series ----------------------------------------------------------------------------

SERIES_W, SERIES_H = 440, 220
SERIES_LEFT, SERIES_RIGHT, SERIES_TOP, SERIES_BOTTOM = 84, 14, 12, 28


def _series_desc(chart: TimeSeries) -> str:
    if not chart.points:
        return gettext("No figures for this period.")
    total = sum(p.value for p in chart.points)
    best = max(chart.points, key=lambda p: p.value)
    return gettext(
        "From %(start)s to %(end)s: %(total)s in all; the highest was %(best)s on %(day)s."
    ) % {
        "start": day_text(chart.points[0].day, chart.grain),
        "end": day_text(chart.points[-1].day, chart.grain),
        "total": value_text(total, chart.unit),
        "best": value_text(best.value, chart.unit),
        "day": day_text(best.day, chart.grain),
    }


def series_svg(chart: TimeSeries, *, standalone: bool = False) -> str:
    svg = _Svg(standalone=standalone)
    plot_w = SERIES_W - SERIES_LEFT - SERIES_RIGHT
    plot_h = SERIES_H - SERIES_TOP - SERIES_BOTTOM
    base_y = SERIES_TOP + plot_h
    top_value = max((p.value for p in chart.points), default=0)
    step = nice_step(top_value)
    top = max(step, math.ceil(top_value / step) * step)

    def y_of(value: int) -> float:
        return base_y - plot_h * value / top

    ticks = range(0, top + 1, step) if top_value > 0 else range(1)  # nothing: the 0 line only
    if top_value <= 0:
        svg.add(
            "text",
            "label",
            text=gettext("No figures for this period."),
            x=SERIES_LEFT + plot_w / 2,
            y=SERIES_TOP + plot_h / 2,
            text_anchor="middle",
        )
    for tick in ticks:
        y = y_of(tick)
        svg.add(
            "line",
            "grid" if tick else "axis",
            x1=SERIES_LEFT,
            y1=y,
            x2=SERIES_W - SERIES_RIGHT,
            y2=y,
        )
        svg.add(
            "text",
            "tick",
            text=compact_text(tick, chart.unit),
            x=SERIES_LEFT - 8,
            y=y + 4,
            text_anchor="end",
        )
    count = len(chart.points)

    def x_of(index: int) -> float:
        return SERIES_LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    if count:
        # as many day labels as fit side by side (at most 5), the widest one measured
        widest = max(text_width(_tick_day(p.day, chart.grain)) for p in chart.points)
        labels = max(2, min(count, 5, int(plot_w // (widest + 18))))
        picked = sorted({round(i * (count - 1) / max(labels - 1, 1)) for i in range(labels)})
        for index in picked:
            anchor = (
                "start"
                if index == 0 and count > 1
                else "end"
                if index == count - 1 and count > 1
                else "middle"
            )
            svg.add(
                "text",
                "tick",
                text=_tick_day(chart.points[index].day, chart.grain),
                x=x_of(index),
                y=SERIES_H - 8,
                text_anchor=anchor,
            )
        coords = [(x_of(i), y_of(p.value)) for i, p in enumerate(chart.points)]
        line = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords)
        if count > 1:
            area = (
                f"{_num(coords[0][0])},{_num(base_y)} {line} {_num(coords[-1][0])},{_num(base_y)}"
            )
            svg.add("polygon", "area", points=area)
            svg.add("polyline", "line", points=line)
        dense = count > 62
        for (x, y), point in zip(coords, chart.points, strict=True):
            tip = f"{day_text(point.day, chart.grain)}: {value_text(point.value, chart.unit)}"
            svg.add(
                "circle",
                "dot dense" if dense else "dot",
                tip=tip,
                cx=x,
                cy=y,
                r=1.5 if dense else 3,
            )
    return _document(
        svg,
        name=chart.name,
        title=chart.title,
        desc=_series_desc(chart),
        width=SERIES_W,
        height=SERIES_H,
        kind="series",
    )


# --- the bar chart ------------------------------------------------------------------------------

BAR_W = 440
BAR_LABEL_W, BAR_VALUE_W, BAR_ROW, BAR_THICK, BAR_TOP = 140, 128, 28, 18, 6


def _bar_desc(chart: BarChart) -> str:
    if not chart.bars:
        return gettext("No figures for this period.")
    listed = "; ".join(
        (f"{rank}. " if chart.ranked else "")
        + f"{bar.label}: {value_text(bar.value, chart.unit)} ({share_text(bar.share)})"
        for rank, bar in enumerate(chart.bars, 1)
    )
    total = gettext("Total: %(total)s.") % {"total": value_text(chart.total, chart.unit)}
    return f"{listed}. {total}"


def bars_svg(chart: BarChart, *, standalone: bool = False) -> str:
    svg = _Svg(standalone=standalone)
    rows: list[tuple[str, str, int, Decimal, bool]] = [
        ((f"{rank}. " if chart.ranked else "") + bar.label, bar.key, bar.value, bar.share, False)
        for rank, bar in enumerate(chart.bars, 1)
    ]
    if chart.others:
        rows.append((gettext("Others"), "others", chart.others, _others_share(chart), True))
    top = max((value for _l, _k, value, _s, _o in rows), default=0)
    plot_w = BAR_W - BAR_LABEL_W - BAR_VALUE_W
    height = BAR_TOP * 2 + max(1, len(rows)) * BAR_ROW
    if not rows:
        svg.add(
            "text",
            "label",
            text=gettext("No figures for this period."),
            x=BAR_W / 2,
            y=BAR_TOP + BAR_ROW / 2 + 5,
            text_anchor="middle",
        )
    if rows:
        svg.add("line", "axis", x1=BAR_LABEL_W, y1=BAR_TOP, x2=BAR_LABEL_W, y2=height - BAR_TOP)
    for index, (label, key, value, share, others) in enumerate(rows):
        y = BAR_TOP + index * BAR_ROW
        width = plot_w * value / top if top else 0
        tip = f"{label}: {value_text(value, chart.unit)} ({share_text(share)})"
        svg.open("g", "bar-row", tip=tip, data_key=key)
        svg.add(
            "text",
            "label",
            text=_truncate(label, 18),
            x=BAR_LABEL_W - 8,
            y=y + BAR_ROW / 2 + 5,
            text_anchor="end",
        )
        svg.add(
            "rect",
            "bar-others" if others else "bar",
            x=BAR_LABEL_W,
            y=y + (BAR_ROW - BAR_THICK) / 2,
            width=max(width, 1 if value else 0),
            height=BAR_THICK,
        )
        figure = f"{compact_text(value, chart.unit)} · {share_text(share)}"
        needed = text_width(figure)
        if BAR_LABEL_W + width + 6 + needed > BAR_W and width > needed + 12:
            # no room after a long bar: the figure goes inside its end, in white
            svg.add(
                "text",
                "value light",
                text=figure,
                x=BAR_LABEL_W + width - 6,
                y=y + BAR_ROW / 2 + 5,
                text_anchor="end",
            )
        else:
            svg.add("text", "value", text=figure, x=BAR_LABEL_W + width + 6, y=y + BAR_ROW / 2 + 5)
        svg.close("g")
    return _document(
        svg,
        name=chart.name,
        title=chart.title,
        desc=_bar_desc(chart),
        width=BAR_W,
        height=height,
        kind="bars",
    )


# --- the region map -----------------------------------------------------------------------------

TILE_W, TILE_H, TILE_GAP = 100, 74, 4
MAP_LEGEND_H = 96


def scale_bounds(top: int) -> list[int]:
    """The upper bounds (US cents) of the GMV colour classes scale-1 .. scale-5: equal
    steps up to the region with most GMV, rounded up to a whole dollar."""
    if top <= 0:
        return []
    step = math.ceil(top / SCALE_STEPS / 100) * 100
    return [step * k for k in range(1, SCALE_STEPS + 1)]


def scale_class(value: int, bounds: Sequence[int]) -> str:
    if value <= 0 or not bounds:
        return "scale-0"
    for k, bound in enumerate(bounds, 1):
        if value <= bound:
            return f"scale-{k}"
    return f"scale-{len(bounds)}"


def _map_desc(chart: RegionMap) -> str:
    selling = [r for r in chart.regions if r.gmv_usd_minor > 0]
    if not selling:
        return gettext("No region sold in this period.")
    best = max(selling, key=lambda r: r.gmv_usd_minor)
    return gettext("%(regions)s of %(all)s regions sold; most GMV: %(best)s (%(gmv)s).") % {
        "regions": len(selling),
        "all": len(chart.regions),
        "best": best.name,
        "gmv": money_text(best.gmv_usd_minor),
    }


def region_svg(chart: RegionMap, *, standalone: bool = False) -> str:
    svg = _Svg(standalone=standalone)
    columns, grid_rows = ITALIAN_REGION_GRID
    width, height = columns * TILE_W, grid_rows * TILE_H + MAP_LEGEND_H
    bounds = scale_bounds(max((r.gmv_usd_minor for r in chart.regions), default=0))
    for region in chart.regions:
        if region.code not in ITALIAN_REGION_TILES:
            continue
        column, row, abbr = ITALIAN_REGION_TILES[region.code]
        x, y = column * TILE_W, row * TILE_H
        level = scale_class(region.gmv_usd_minor, bounds)
        ink = "light" if level in {"scale-4", "scale-5"} else ""
        merchants = ngettext("%(n)s merchant", "%(n)s merchants", region.merchants) % {
            "n": format_decimal(region.merchants, locale=babel_locale())
        }
        active = gettext("%(n)s selling") % {
            "n": format_decimal(region.active_merchants, locale=babel_locale())
        }
        tip = gettext("%(region)s: %(merchants)s, %(selling)s, GMV %(gmv)s") % {
            "region": region.name,
            "merchants": merchants,
            "selling": active,
            "gmv": money_text(region.gmv_usd_minor),
        }
        svg.open("g", f"region {level}", tip=tip, data_region=region.code)
        svg.add(
            "rect",
            f"tile {level}",
            x=x + TILE_GAP / 2,
            y=y + TILE_GAP / 2,
            width=TILE_W - TILE_GAP,
            height=TILE_H - TILE_GAP,
            rx=8,
        )
        cx = x + TILE_W / 2
        svg.add("text", f"abbr {ink}".strip(), text=abbr, x=cx, y=y + 24, text_anchor="middle")
        svg.add(
            "text",
            f"count {ink}".strip(),
            text=format_decimal(region.merchants, locale=babel_locale()),
            x=cx,
            y=y + 43,
            text_anchor="middle",
        )
        svg.add(
            "text",
            f"count {ink}".strip(),
            text=compact_text(region.gmv_usd_minor, "usd"),
            x=cx,
            y=y + 60,
            text_anchor="middle",
        )
        svg.close("g")
    # The legend: one swatch per colour class, labelled with its upper bound.
    legend_y = grid_rows * TILE_H + 10
    svg.add("text", "tick", text=gettext("GMV by region"), x=0, y=legend_y + 4)
    swatches = [("scale-0", gettext("none"))] + [
        (f"scale-{k}", "≤ " + compact_text(bound, "usd")) for k, bound in enumerate(bounds, 1)
    ]
    per_row = 3
    slot = width / per_row
    for index, (level, text) in enumerate(swatches):
        sx, sy = (index % per_row) * slot, legend_y + 14 + (index // per_row) * 26
        svg.add("rect", f"swatch {level}", x=sx, y=sy, width=18, height=18, rx=3)
        svg.add("text", "tick", text=text, x=sx + 24, y=sy + 14)
    svg.add(
        "text",
        "tick",
        text=gettext("On each region: merchants, GMV."),
        x=0,
        y=legend_y + 80,
    )
    return _document(
        svg,
        name=chart.name,
        title=chart.title,
        desc=_map_desc(chart),
        width=width,
        height=height,
        kind="map",
    )


def chart_svg(chart: Chart, *, standalone: bool = False) -> str:
    """The chart as SVG: classes only inside a page; ``standalone`` adds the XML
    declaration and the colours (the downloaded file and the PNG drawn from it)."""
    if isinstance(chart, TimeSeries):
        return series_svg(chart, standalone=standalone)
    if isinstance(chart, BarChart):
        return bars_svg(chart, standalone=standalone)
    return region_svg(chart, standalone=standalone)
