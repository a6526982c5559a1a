"""The report page: one self-contained HTML file (inline CSS and SVG, no script, no network).

Numbers a test or a reader may check carry `data-portal` / `data-key` (summary cells) or
`data-run` / `data-key` (per-run cells); charts are described in scraper.report.svg."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from html import escape

from scraper.report.collect import COVERAGE_FIELDS, ReportData, Run
from scraper.report.svg import lines, plain, stacked_bars

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:960px;
color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:20px 0 4px}.meta{color:#666;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}
figure{margin:6px 0 14px}figcaption{font-size:12px;color:#444}.key{margin-right:12px;white-space:nowrap}
.key i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
.chart{max-width:100%;height:auto;font-size:11px}.grid{stroke:#e4e4e4}.tick{fill:#666}
.line{fill:none;stroke-width:1.6}.flag{fill:#d62728}.none{color:#777;font-style:italic}
.warn{color:#b00020}.ok{color:#2e7d32}details{margin:6px 0}
"""


def render(data: ReportData) -> str:
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    runs = sum(len(r) for r in data.runs.values())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Crawl health: {escape(data.folder.name)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Crawl health: {escape(str(data.folder))}</h1>",
        f'<p class="meta">{len(data.portals)} portals, {runs} runs; generated {generated}</p>',
        _summary(data),
        "<h2>Articles per day</h2>",
        '<p class="meta">Articles on disk by publication day (the portal\'s own date), per portal.</p>',
        _articles_per_day(data),
    ]
    for portal in data.portals:
        parts.append(_portal_section(portal, data.runs.get(portal, [])))
    if data.unreadable:
        items = "".join(f"<li>{escape(line)}</li>" for line in data.unreadable)
        parts.append(f'<h2>Unreadable run reports</h2><ul id="unreadable">{items}</ul>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _cell(value: float | str, **attributes: str) -> str:
    attrs = "".join(f' data-{name}="{escape(text)}"' for name, text in attributes.items())
    shown = value if isinstance(value, str) else plain(value)
    return f"<td{attrs}>{escape(shown)}</td>"


def _summary(data: ReportData) -> str:
    head = "".join(
        f"<th>{name}</th>"
        for name in ("portal", "runs", "articles on disk", "written", "rejected", "failed", "seconds",
                     "articles/s", "last run")
    )  # fmt: skip
    rows = []
    for portal in data.portals:
        runs = data.runs.get(portal, [])
        seconds = sum(run.seconds for run in runs)
        written = sum(run.written for run in runs)
        last = runs[-1] if runs else None
        status = "—" if last is None else _status(last)
        rows.append(
            f'<tr data-portal="{escape(portal)}"><td>{escape(portal)}</td>'
            + _cell(len(runs), portal=portal, key="runs")
            + _cell(sum(data.articles.get(portal, Counter()).values()), portal=portal, key="on_disk")
            + _cell(written, portal=portal, key="written")
            + _cell(sum(sum(run.rejected.values()) for run in runs), portal=portal, key="rejected")
            + _cell(sum(sum(run.failed.values()) for run in runs), portal=portal, key="failed")
            + _cell(round(seconds, 2), portal=portal, key="seconds")
            + _cell(round(written / seconds, 2) if seconds else 0, portal=portal, key="articles_per_second")
            + f"<td>{status}</td></tr>"
        )
    return f'<table id="summary"><tr>{head}</tr>{"".join(rows)}</table>'


def _status(run: Run) -> str:
    if run.interrupted:
        return f'<span class="warn">{escape(run.started)} interrupted</span>'
    if not run.ok:
        return f'<span class="warn">{escape(run.started)} failed</span>'
    return f'<span class="ok">{escape(run.started)} ok</span>'


def _articles_per_day(data: ReportData) -> str:
    days = sorted({day for counts in data.articles.values() for day in counts})
    if not days:
        return '<p class="none" id="articles-per-day-none">No article files.</p>'
    series = {portal: [data.articles[portal][day] for day in days] for portal in sorted(data.articles)}
    return stacked_bars("articles-per-day", "articles per day per portal", days, series)


def run_labels(runs: list[Run]) -> list[str]:
    """Short, unique labels of runs: their start time (MM-DD HH:MM), numbered when two share one."""
    seen: Counter[str] = Counter()
    labels = []
    for run in runs:
        label = run.started[5:16].replace("T", " ") or run.name
        seen[label] += 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def _by_reason(runs: list[Run], attribute: str) -> dict[str, list[float]]:
    reasons = sorted({reason for run in runs for reason in getattr(run, attribute)})
    return {reason: [getattr(run, attribute).get(reason, 0) for run in runs] for reason in reasons}


def _portal_section(portal: str, runs: list[Run]) -> str:
    slug = escape(portal)
    parts = [f'<section data-portal="{slug}"><h2>{slug}</h2>']
    if not runs:
        parts.append(f'<p class="none" id="runs-{slug}-none">No run reports.</p></section>')
        return "".join(parts)
    labels = run_labels(runs)
    for attribute, title in (
        ("rejected", "Rejects by reason per run"),
        ("failed", "Failures by reason per run"),
    ):
        chart_id = f"{'rejects' if attribute == 'rejected' else 'failures'}-{slug}"
        series = _by_reason(runs, attribute)
        parts.append(f"<h3>{title}</h3>")
        parts.append(
            stacked_bars(chart_id, f"{title}: {portal}", labels, series)
            if series
            else f'<p class="none" id="{chart_id}-none">None in these {len(runs)} runs.</p>'
        )
    parts.append("<h3>Field coverage per run</h3>")
    parts.append(_coverage(slug, runs, labels))
    parts.append("<h3>Run duration and speed</h3>")
    parts.append(
        stacked_bars(
            f"durations-{slug}", f"run seconds: {portal}", labels, {"seconds": [r.seconds for r in runs]}
        )
    )
    speeds: dict[str, list[float | None]] = {"articles/s": [round(r.articles_per_second, 2) for r in runs]}
    parts.append(lines(f"speed-{slug}", f"articles per second: {portal}", labels, speeds))
    parts.append(_runs_table(runs, labels))
    parts.append("</section>")
    return "".join(parts)


def _coverage(slug: str, runs: list[Run], labels: list[str]) -> str:
    if not any(run.coverage for run in runs):
        return f'<p class="none" id="coverage-{slug}-none">No quality figures in these run reports.</p>'
    series: dict[str, list[float | None]] = {
        name: [None if run.coverage is None else run.coverage.get(name) for run in runs]
        for name in COVERAGE_FIELDS
    }
    flags = {
        i: "; ".join(str(w.get("message", w.get("field", ""))) for w in run.drift)
        for i, run in enumerate(runs)
        if run.drift
    }
    chart = lines(
        f"coverage-{slug}",
        f"field coverage: {slug}",
        labels,
        series,
        lambda v: f"{v:.0%}",
        top=1.0,
        flags=flags,
    )
    warnings = [
        f'<li data-run="{escape(run.name)}" data-field="{escape(str(w.get("field", "")))}">{escape(label)}: '
        f"{escape(str(w.get('message', '')))}</li>"
        for run, label in zip(runs, labels, strict=True)
        for w in run.drift
    ]
    if warnings:
        chart += (
            f'<p class="warn">Drift warnings (red markers):</p><ul id="drift-{slug}">{"".join(warnings)}</ul>'
        )
    return chart


def _runs_table(runs: list[Run], labels: list[str]) -> str:
    head = "".join(
        f"<th>{n}</th>" for n in ("run", "seconds", "fetched", "written", "rejected", "failed", "articles/s")
    )
    rows = []
    for run, label in zip(runs, labels, strict=True):
        cells = [
            ("seconds", run.seconds), ("fetched", run.fetched), ("written", run.written),
            ("rejected", sum(run.rejected.values())), ("failed", sum(run.failed.values())),
            ("articles_per_second", round(run.articles_per_second, 2)),
        ]  # fmt: skip
        row = "".join(_cell(value, run=run.name, key=key) for key, value in cells)
        rows.append(
            f'<tr data-run="{escape(run.name)}"><td title="{escape(run.name)}">{escape(label)}</td>{row}</tr>'
        )
    return (
        f"<details><summary>Every run ({len(runs)})</summary><table>{head}{''.join(rows)}</table></details>"
    )
