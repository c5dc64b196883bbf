"""The server-drawn charts (fiera.analytics.charts): the SVG parses, is labelled for screen
readers, carries no inline style, shows the figures in the reader's language, and the CSV
holds exactly the chart's data."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from fiera.analytics.charts import (
    PALETTE,
    Bar,
    BarChart,
    Chart,
    RegionMap,
    RegionTile,
    SeriesPoint,
    TimeSeries,
    chart_csv,
    chart_svg,
    nice_step,
    scale_bounds,
    scale_class,
)
from fiera.common.reference import ITALIAN_REGION_TILES, italian_regions

NS = "{http://www.w3.org/2000/svg}"
CSS = Path(__file__).resolve().parents[2] / "src/fiera/analytics/static/analytics/analytics.css"


def _series(unit: str = "usd", days: int = 30) -> TimeSeries:
    points = tuple(
        SeriesPoint(date(2026, 10, 1) + timedelta(days=i), (i * 7919) % 500_000 + 1)
        for i in range(days)
    )
    return TimeSeries(
        name="gmv" if unit == "usd" else "orders", title="GMV", unit=unit, points=points
    )  # type: ignore[arg-type]


def _bars(others: int = 2_000_00) -> BarChart:
    values = [5_000_00, 2_000_00, 1_000_00]
    total = sum(values) + others
    bars = tuple(
        Bar(key=code, label=name, value=v, share=(Decimal(v) / total).quantize(Decimal("0.0001")))
        for code, name, v in zip(
            ["IT", "CN", "DE"], ["Italy", "China <&> Co", "Germany"], values, strict=True
        )
    )
    return BarChart(
        name="buyer-countries",
        title="Top buyer countries",
        unit="usd",
        bars=bars,
        total=total,
        others=others,
    )


def _map() -> RegionMap:
    regions = tuple(
        RegionTile(r.code, r.name, merchants=i, active_merchants=i // 2, gmv_usd_minor=i * 123_456)
        for i, r in enumerate(italian_regions())
    )
    return RegionMap(name="regions", title="Italian regions", regions=regions)


CHARTS = {"series": _series, "counts": lambda: _series("count"), "bars": _bars, "map": _map}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(  # noqa: S314 - our own output, not untrusted data
        svg.removeprefix('<?xml version="1.0" encoding="UTF-8"?>\n').encode()
    )


@pytest.mark.parametrize("standalone", [False, True])
@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_the_svg_parses_and_is_labelled_without_inline_style(kind: str, standalone: bool) -> None:
    chart: Chart = CHARTS[kind]()
    svg = chart_svg(chart, standalone=standalone)
    root = _parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.text == chart.title
    assert desc is not None and desc.text and len(desc.text) > 20
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag != f"{NS}style"
        assert not any(a.startswith("on") for a in element.attrib)
    painted = [e for e in root.iter() if "fill" in e.attrib]
    assert bool(painted) is standalone  # colours as attributes only in the file
    if standalone:
        assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_the_series_shows_every_value_and_the_csv_equals_its_points() -> None:
    chart = _series()
    svg = chart_svg(chart)
    with translation.override("en"):
        svg = chart_svg(chart)
        for point in chart.points:
            dollars = Decimal(point.value) / 100
            assert f"${dollars:,.2f}" in svg
    rows = list(csv.reader(io.StringIO(chart_csv(chart))))
    assert rows[0] == ["date", "gmv_usd"]
    assert [(date.fromisoformat(d), int(Decimal(v) * 100)) for d, v in rows[1:]] == [
        (p.day, p.value) for p in chart.points
    ]
    counts = _series("count")
    rows = list(csv.reader(io.StringIO(chart_csv(counts))))
    assert rows[0] == ["date", "orders"] and [int(v) for _d, v in rows[1:]] == [
        p.value for p in counts.points
    ]


def test_the_ranking_numbers_its_bars_escapes_labels_and_writes_others() -> None:
    chart = _bars()
    with translation.override("en"):
        svg = chart_svg(chart)
        root = _parse(svg)
        texts = [t.text for t in root.iter(f"{NS}text")]
        assert "1. Italy" in texts and "2. China <&> Co" in texts and "Others" in texts
        assert "$5,000.00" in svg and "50%" in svg
        rows = list(csv.reader(io.StringIO(chart_csv(chart))))
    assert rows[0] == ["rank", "key", "label", "buyer_countries_usd", "share"]
    assert rows[1:] == [
        ["1", "IT", "Italy", "5000.00", "0.5000"],
        ["2", "CN", "China <&> Co", "2000.00", "0.2000"],
        ["3", "DE", "Germany", "1000.00", "0.1000"],
        ["", "others", "Others", "2000.00", "0.2000"],
    ]
    comparison = BarChart(
        name="marketplaces",
        title="M",
        unit="count",
        bars=chart.bars,
        total=chart.total,
        ranked=False,
    )
    texts = [t.text for t in _parse(chart_svg(comparison)).iter(f"{NS}text")]
    assert "Italy" in texts and not any((t or "").startswith("1.") for t in texts)


def test_the_region_map_draws_the_20_tiles_with_a_legend_and_the_csv_lists_them() -> None:
    chart = _map()
    root = _parse(chart_svg(chart))
    regions = [g for g in root.iter(f"{NS}g") if g.get("data-region")]
    assert {g.get("data-region") for g in regions} == set(ITALIAN_REGION_TILES)
    assert len(regions) == 20
    classes = {c for g in regions for c in (g.get("class") or "").split()}
    assert {"scale-0", "scale-5"} <= classes
    swatches = [r for r in root.iter(f"{NS}rect") if "swatch" in (r.get("class") or "")]
    assert len(swatches) == 6
    rows = list(csv.reader(io.StringIO(chart_csv(chart))))
    assert rows[0] == ["region_code", "region", "merchants", "active_merchants", "gmv_usd"]
    assert [(r[0], int(r[2]), int(r[3]), int(Decimal(r[4]) * 100)) for r in rows[1:]] == [
        (t.code, t.merchants, t.active_merchants, t.gmv_usd_minor) for t in chart.regions
    ]


def test_values_are_formatted_in_the_readers_language() -> None:
    chart = _bars()
    with translation.override("it"):
        svg = chart_svg(chart)
        assert "5.000,00" in svg and "Altri" in svg  # Italian grouping and words
    with translation.override("zh-hans"):
        svg = chart_svg(_series())
        assert "月" in svg  # dates the Chinese way


def test_empty_charts_still_draw_and_say_so() -> None:
    for chart in (
        TimeSeries(name="gmv", title="GMV", unit="usd", points=()),
        BarChart(name="x", title="X", unit="count", bars=(), total=0),
        RegionMap(
            name="regions",
            title="R",
            regions=tuple(RegionTile(r.code, r.name, 0, 0, 0) for r in italian_regions()),
        ),
    ):
        with translation.override("en"):
            root = _parse(chart_svg(chart))
        assert root.find(f"{NS}desc") is not None
        if not isinstance(chart, RegionMap):
            texts = [t.text for t in root.iter(f"{NS}text")]
            assert "No figures for this period." in texts
        assert len(list(csv.reader(io.StringIO(chart_csv(chart))))) >= 1


def test_nice_steps_and_colour_classes() -> None:
    assert [nice_step(v) for v in (0, 4, 10, 37, 1000, 123_456)] == [
        1,
        1,
        5,
        10,
        250 * 1 if False else 500,
        50_000,
    ]
    bounds = scale_bounds(1_000_00)
    assert bounds == [20_000, 40_000, 60_000, 80_000, 100_000]
    assert [scale_class(v, bounds) for v in (0, 1, 20_000, 20_001, 100_000)] == [
        "scale-0",
        "scale-1",
        "scale-1",
        "scale-2",
        "scale-5",
    ]


def test_the_stylesheet_paints_the_classes_as_the_standalone_file_does() -> None:
    desktop = CSS.read_text().split("@media")[0]  # phones enlarge the words only
    rules = {
        m.group(1): {
            k.strip(): v.strip().removesuffix("px")
            for k, _, v in (d.partition(":") for d in m.group(2).split(";") if d.strip())
        }
        for m in re.finditer(r"svg\.chart \.([\w-]+) \{([^}]*)\}", desktop)
    }
    for name, paint in PALETTE.items():
        if name == "chart-bg":
            continue
        assert name in rules, name
        for key, value in paint.items():
            assert rules[name].get(key) == value, (name, key)
