"""Charts for the stats page, drawn at build time as SVG, each with the data table behind it.

Every chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` (what a screen reader
announces), a ``<title>`` per bar (what a mouse shows), and colours from CSS classes so light and dark
themes both apply. The same numbers come back as a table, which the page prints under the chart.
All text is escaped here; the SVG is handed to the template as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

__all__ = ["Chart", "code_share", "venues", "years_by_area"]

_WIDTH = 720
_TOP = 16
_BOTTOM = 28
_LEFT = 40


@dataclass(frozen=True)
class Chart:
    """One chart: an id for anchors, a heading, a sentence on what it shows, the SVG and its table."""

    id: str
    title: str
    description: str
    svg: Markup
    headers: list[str]
    rows: list[list[str | int]]


def _svg(chart_id: str, title: str, description: str, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_WIDTH} {height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # every piece escaped above


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return max(step * ((value + step - 1) // step), step)
    return value


def _grid(max_value: int, height: int, suffix: str = "") -> list[str]:
    parts = []
    plot = height - _TOP - _BOTTOM
    for i in range(5):
        value = max_value * i // 4
        y = _TOP + plot - plot * i / 4
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{_WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{value}{suffix}</text>"
        )
    return parts


def years_by_area(table: Mapping[str, Any], titles: Mapping[str, str]) -> Chart:
    """Stacked bars: papers per year, split by the five areas of the taxonomy."""
    dims: list[str] = list(table["dimensions"])
    years: list[dict[str, Any]] = list(table["years"])
    title = "Papers per year and area"
    description = (
        "Stacked bars, one per year, split into the taxonomy's areas; a paper tagged in two"
        " areas counts in both, so a bar can exceed the year's total of distinct papers."
    )
    height = 300
    plot = height - _TOP - _BOTTOM
    stacks = [sum(y["counts"].get(d, 0) for d in dims) for y in years]
    top = _nice_max(max(stacks, default=1))
    body = _grid(top, height)
    slot = (_WIDTH - _LEFT) / max(len(years), 1)
    for year, stack in zip(years, stacks, strict=True):
        x = _LEFT + slot * years.index(year) + slot * 0.15
        width = slot * 0.7
        base = _TOP + plot
        for i, dim in enumerate(dims):
            count = year["counts"].get(dim, 0)
            if not count:
                continue
            h = plot * count / top
            base -= h
            body.append(
                f'<rect class="s{i % 6}" x="{x:.1f}" y="{base:.1f}" width="{width:.1f}"'
                f' height="{h:.1f}"><title>{escape(str(year["year"]))},'
                f" {escape(titles.get(dim, dim))}: {count}</title></rect>"
            )
        body.append(
            f'<text class="axis" x="{x + width / 2:.1f}" y="{height - 10}" text-anchor="middle">'
            f"{escape(str(year['year']))}</text>"
        )
        if stack:
            body.append(
                f'<text class="value" x="{x + width / 2:.1f}" y="{_TOP + plot - plot * stack / top - 3:.1f}"'
                f' text-anchor="middle">{year["total"]}</text>'
            )
    return Chart(
        "chart-years",
        title,
        description,
        _svg("chart-years", title, description, height, body),
        ["Year", *(titles.get(d, d) for d in dims), "Distinct papers"],
        [[y["year"], *(y["counts"].get(d, 0) for d in dims), y["total"]] for y in years],
    )


def venues(counts: Sequence[tuple[str, int]], bars: int) -> Chart:
    """Horizontal bars: papers per venue, the most frequent ``bars`` venues."""
    shown = list(counts[:bars])
    title = "Papers per venue"
    description = (
        f"Horizontal bars for the {len(shown)} venues with most papers;"
        " 'arXiv' is preprints, 'unknown' papers with no venue. The table lists every venue."
    )
    row = 22
    left = 150
    height = _TOP + row * max(len(shown), 1) + 8
    top = _nice_max(max((n for _, n in shown), default=1))
    body = []
    for i, (venue, n) in enumerate(shown):
        y = _TOP + i * row
        width = (_WIDTH - left - 40) * n / top
        label = venue if len(venue) <= 22 else venue[:21] + "…"
        body.append(
            f'<text class="axis" x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="s0" x="{left}" y="{y + 3}" width="{width:.1f}" height="{row - 6}">'
            f"<title>{escape(venue)}: {n}</title></rect>"
            f'<text class="value" x="{left + width + 4:.1f}" y="{y + 15}">{n}</text>'
        )
    return Chart(
        "chart-venues",
        title,
        description,
        _svg("chart-venues", title, description, height, body),
        ["Venue", "Papers"],
        [[v, n] for v, n in counts],
    )


def code_share(rows: Sequence[tuple[int, int, int]]) -> Chart:
    """Bars: the share of each year's papers that link their code, in percent."""
    title = "Share of papers with code, per year"
    description = (
        "One bar per year: the percentage of that year's papers whose entry links an official"
        " code repository."
    )
    height = 240
    plot = height - _TOP - _BOTTOM
    body = _grid(100, height, "%")
    slot = (_WIDTH - _LEFT) / max(len(rows), 1)
    for i, (year, total, with_code) in enumerate(rows):
        share = 100 * with_code / total if total else 0.0
        x = _LEFT + slot * i + slot * 0.15
        width = slot * 0.7
        h = plot * share / 100
        body.append(
            f'<rect class="s1" x="{x:.1f}" y="{_TOP + plot - h:.1f}" width="{width:.1f}"'
            f' height="{h:.1f}"><title>{year}: {with_code} of {total} ({share:.0f}%)</title></rect>'
            f'<text class="axis" x="{x + width / 2:.1f}" y="{height - 10}" text-anchor="middle">'
            f"{year}</text>"
            f'<text class="value" x="{x + width / 2:.1f}" y="{_TOP + plot - h - 3:.1f}"'
            f' text-anchor="middle">{share:.0f}%</text>'
        )
    return Chart(
        "chart-code",
        title,
        description,
        _svg("chart-code", title, description, height, body),
        ["Year", "Papers", "With code", "Share"],
        [
            [year, total, with_code, f"{100 * with_code / total:.0f}%" if total else "0%"]
            for year, total, with_code in rows
        ],
    )
