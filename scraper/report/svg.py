"""Charts as inline SVG, drawn here in Python: no script library, nothing fetched to view them.

Every chart is an `<svg class="chart" id=... data-marks=N>`; every bar or point is a mark with
`data-series`, `data-category` and `data-value` (the number it stands for) and a `<title>` tooltip,
so a reader can hover and a test can check each drawn mark against the run reports."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

WIDTH, HEIGHT = 920, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 58
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
)  # fmt: skip
Format = Callable[[float], str]


def plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def nice(top: float) -> float:
    """The axis top: the smallest of 1, 2, 2.5, 5 x 10^k at or above `top` (ticks at 0, half, top)."""
    if top <= 0:
        return 1.0
    scale = 10 ** math.floor(math.log10(top))
    return next(m * scale for m in (1, 2, 2.5, 5, 10) if m * scale >= top)


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _frame(chart_id: str, marks: int, body: list[str], legend: Sequence[str], label: str) -> str:
    keys = "".join(
        f'<span class="key"><i style="background:{color(i)}"></i>{escape(name)}</span>'
        for i, name in enumerate(legend)
    )
    svg = (
        f'<svg class="chart" id="{chart_id}" data-marks="{marks}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(label)}">{"".join(body)}</svg>'
    )
    return f"<figure>{svg}<figcaption>{keys}</figcaption></figure>"


def _axes(top: float, categories: Sequence[str], fmt: Format, step: float) -> list[str]:
    """Y grid with three ticks up to `top`, and x labels (thinned to about 24) under the slots."""
    plot_h, parts = HEIGHT - TOP - BOTTOM, []
    for fraction in (0.0, 0.5, 1.0):
        y = TOP + plot_h * (1 - fraction)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        tick = fmt(top * fraction)
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    every = max(1, len(categories) // 24 + (len(categories) % 24 > 0))
    for index, name in enumerate(categories):
        if index % every == 0:
            x = LEFT + step * (index + 0.5)
            parts.append(
                f'<text class="tick" transform="translate({x:.1f},{HEIGHT - BOTTOM + 12}) rotate(35)">'
                f"{escape(name)}</text>"
            )
    return parts


def stacked_bars(
    chart_id: str, label: str, categories: Sequence[str], series: dict[str, Sequence[float]],
    fmt: Format = plain,
) -> str:  # fmt: skip
    """One bar per category, stacked by series (e.g. days by portal, runs by reason)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = nice(max(totals, default=0))
    step = (WIDTH - LEFT - RIGHT) / max(1, len(categories))
    plot_h = HEIGHT - TOP - BOTTOM
    body, marks = _axes(top, categories, fmt, step), 0
    for index, category in enumerate(categories):
        base = 0.0
        for number, (name, values) in enumerate(series.items()):
            value = values[index]
            if value <= 0:
                continue
            height = plot_h * value / top
            y = TOP + plot_h * (1 - (base + value) / top)
            body.append(
                f'<rect class="mark" x="{LEFT + step * index + step * 0.12:.2f}" y="{y:.2f}" '
                f'width="{max(step * 0.76, 0.8):.2f}" height="{max(height, 0.6):.2f}" fill="{color(number)}" '
                f'data-series="{escape(name)}" data-category="{escape(category)}" data-value="{value:g}">'
                f"<title>{escape(category)} · {escape(name)}: {fmt(value)}</title></rect>"
            )
            base += value
            marks += 1
    return _frame(chart_id, marks, body, list(series), label)


def lines(
    chart_id: str, label: str, categories: Sequence[str], series: dict[str, Sequence[float | None]],
    fmt: Format = plain, top: float | None = None, flags: dict[int, str] | None = None,
) -> str:  # fmt: skip
    """One line per series over the categories (runs); None leaves a gap. `flags`: category index ->
    a note (a drift warning), drawn as a red marker on top of the plot."""
    values = [v for vs in series.values() for v in vs if v is not None]
    top = top or nice(max(values, default=0))
    step = (WIDTH - LEFT - RIGHT) / max(1, len(categories))
    plot_h = HEIGHT - TOP - BOTTOM
    body, marks = _axes(top, categories, fmt, step), 0
    for number, (name, points) in enumerate(series.items()):
        drawn = [
            (LEFT + step * (i + 0.5), TOP + plot_h * (1 - v / top), i, v)
            for i, v in enumerate(points)
            if v is not None
        ]
        if len(drawn) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in drawn)
            body.append(f'<polyline class="line" points="{path}" stroke="{color(number)}"/>')
        for x, y, i, v in drawn:
            body.append(
                f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{color(number)}" '
                f'data-series="{escape(name)}" data-category="{escape(categories[i])}" data-value="{v:g}">'
                f"<title>{escape(categories[i])} · {escape(name)}: {fmt(v)}</title></circle>"
            )
            marks += 1
    for index, note in (flags or {}).items():
        x = LEFT + step * (index + 0.5)
        body.append(
            f'<path class="flag" d="M{x - 5:.1f},{TOP} L{x + 5:.1f},{TOP} L{x:.1f},{TOP + 8}" '
            f'data-category="{escape(categories[index])}"><title>{escape(note)}</title></path>'
        )
    return _frame(chart_id, marks, body, list(series), label)
