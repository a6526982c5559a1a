"""`scraper report`: the health page of an output folder, checked in a real headless Chromium: it
renders without errors, every chart is drawn (each mark has a size on screen), and every number
shown (summary, per-run table, chart marks) matches the run reports and the article files."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from scraper.cli.app import app
from scraper.report.collect import collect, count_lines
from scraper.report.page import run_labels

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
COVERAGE = ("title", "published_at", "authors", "section")

# Appended to a copy of the page: measures what the browser laid out, after the page's own markup.
PROBE = """<script>
(() => {
  const errors = [];
  window.addEventListener('error', e => errors.push(String(e.message)));
  const size = el => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
  const charts = [...document.querySelectorAll('svg.chart')].map(svg => ({
    id: svg.id, shown: size(svg), declared: Number(svg.dataset.marks),
    marks: [...svg.querySelectorAll('.mark')].map(m => ({series: m.dataset.series,
      category: m.dataset.category, value: Number(m.dataset.value), drawn: size(m)})),
  }));
  const cells = [...document.querySelectorAll('td[data-key]')].map(td =>
    ({owner: td.dataset.portal || td.dataset.run, key: td.dataset.key, text: td.textContent}));
  const flags = [...document.querySelectorAll('path.flag')].map(f => f.dataset.category);
  document.body.setAttribute('data-probe', JSON.stringify({charts, cells, flags, errors}));
})();
</script>"""


def run_report(portal: str, number: int, **extra: Any) -> dict[str, Any]:
    """A run report in scraper/crawl/run_report.py's format, with HELPERS.md's quality and drift."""
    report = {
        "portal": portal, "base_url": None, "since": None, "until": None, "max_articles": None,
        "max_pages": None, "started": f"2026-11-{10 + number:02d}T0{number % 10}:15:00+00:00",
        "finished": f"2026-11-{10 + number:02d}T0{number % 10}:20:00+00:00", "seconds": 20.5 + number * 7,
        "finish_reason": "finished", "ok": True, "interrupted": False,
        "counts": {"fetched": 50 + number, "article_pages": 40, "written": 30 + 3 * number, "retried": 2,
                   "skipped_seen": 4, "duplicates": 1, "reconciled": 0, "lost_from_output": 0,
                   "rejected": {"too_short": number + 1, **({"index_page": 2} if number % 2 else {})},
                   "failed": {"timeout": number % 3, "http_503": 1} if number else {}},
    }  # fmt: skip
    report.update(extra)
    return report


def quality(title: float, authors: float) -> dict[str, Any]:
    coverage = {"title": title, "published_at": 0.96, "authors": authors, "section": 0.5}
    return {"articles": 30, "body_selector_matched": 1.0, "coverage": coverage, "mean_words": 410.0,
            "teasers_removed_per_page": 1.2}  # fmt: skip


def write_output(root: Path) -> dict[str, list[dict[str, Any]]]:
    """Two portals: viva with quality figures and one drift warning, detik (older runs) without."""
    reports: dict[str, list[dict[str, Any]]] = {"viva": [], "detik": []}
    for number in range(4):
        extra: dict[str, Any] = {"quality": quality(1.0, 0.9 - 0.1 * number)}
        if number == 3:
            warning = {"field": "authors", "value": 0.6, "baseline": 0.85, "threshold": 0.15, "rule": None,
                       "message": "authors coverage fell to 60% (baseline 85%)"}  # fmt: skip
            extra["drift"] = {"baseline_runs": 3, "warnings": [warning]}
        reports["viva"].append(run_report("viva", number, **extra))
    reports["detik"] = [run_report("detik", number) for number in range(2)]
    for portal, runs in reports.items():
        (root / portal).mkdir(parents=True)
        for number, report in enumerate(runs):
            (root / portal / f"run-2026111{number}T000000Z-{number + 1}.json").write_bytes(
                orjson.dumps(report)
            )
    for portal, day, count in (
        ("viva", "2026-11-10", 7),
        ("viva", "2026-11-11", 3),
        ("detik", "2026-11-11", 5),
    ):
        lines = b"".join(
            orjson.dumps({"url": f"https://{portal}/{day}/{i}", "text": "x"}) + b"\n" for i in range(count)
        )
        (root / portal / f"{day}.jsonl").write_bytes(lines)
    (root / "viva" / "2026-11-11.host-1.jsonl").write_bytes(b'{"url": "w"}\n{"url": "torn')  # one whole line
    (root / "viva" / "rejects.jsonl").write_bytes(b'{"url": "r"}\n')  # not articles
    return reports


def test_collect_counts_articles_and_runs(tmp_path: Path) -> None:
    reports = write_output(tmp_path)
    data = collect(tmp_path)
    assert data.portals == ["detik", "viva"]
    assert data.articles == {
        "viva": Counter({"2026-11-10": 7, "2026-11-11": 4}),
        "detik": Counter({"2026-11-11": 5}),
    }
    assert [run.written for run in data.runs["viva"]] == [r["counts"]["written"] for r in reports["viva"]]
    assert data.runs["viva"][3].drift[0]["field"] == "authors" and data.runs["detik"][0].coverage is None
    assert count_lines(tmp_path / "viva" / "2026-11-11.host-1.jsonl") == 1


def test_report_errors_are_one_line(tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["report", str(tmp_path / "nope"), "-o", str(tmp_path / "r.html")])
    assert missing.exit_code == 2 and missing.stderr.strip() == f"error: no output folder {tmp_path / 'nope'}"
    (tmp_path / "empty").mkdir()
    empty = CliRunner().invoke(app, ["report", str(tmp_path / "empty"), "-o", str(tmp_path / "r.html")])
    assert (
        empty.exit_code == 2
        and "nothing to report in" in empty.stderr
        and len(empty.stderr.splitlines()) == 1
    )
    assert not (tmp_path / "r.html").exists()


def render_in_chromium(page: Path, scratch: Path) -> dict[str, Any]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (CI installs Debian's chromium: see .ci/run)")
    probe = scratch / "probed.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        f"--user-data-dir={scratch / 'profile'}", "--window-size=1100,900", "--virtual-time-budget=3000",
        "--enable-logging=stderr", "--v=0", "--dump-dom", probe.as_uri(),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Uncaught" not in result.stderr and "CONSOLE" not in result.stderr, result.stderr[-2000:]
    start = result.stdout.index('data-probe="') + len('data-probe="')
    raw = result.stdout[start : result.stdout.index('"', start)]
    return json.loads(
        raw.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def test_report_renders_in_chromium_with_every_number_from_the_run_reports(tmp_path: Path) -> None:
    reports = write_output(tmp_path / "output")
    page = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(tmp_path / "output"), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org', ""
    )  # self-contained
    probe = render_in_chromium(page, tmp_path)
    assert probe["errors"] == []

    charts = {chart["id"]: chart for chart in probe["charts"]}
    expected_charts = {"articles-per-day", "rejects-viva", "failures-viva", "coverage-viva", "durations-viva",
                       "speed-viva", "rejects-detik", "failures-detik", "durations-detik", "speed-detik"}  # fmt: skip
    assert set(charts) == expected_charts
    for chart in charts.values():  # every chart on screen, every mark of it drawn with a size
        assert chart["shown"] and chart["declared"] == len(chart["marks"]) > 0, chart["id"]
        assert all(mark["drawn"] for mark in chart["marks"]), chart["id"]

    def marks(chart_id: str) -> dict[tuple[str, str], float]:
        return {(m["series"], m["category"]): m["value"] for m in charts[chart_id]["marks"]}

    assert marks("articles-per-day") == {("viva", "2026-11-10"): 7, ("viva", "2026-11-11"): 4,
                                         ("detik", "2026-11-11"): 5}  # fmt: skip
    data = collect(tmp_path / "output")
    cells = {(cell["owner"], cell["key"]): cell["text"] for cell in probe["cells"]}
    for portal, runs in reports.items():
        labels = run_labels(data.runs[portal])
        expected_rejects = {(reason, label): n for label, r in zip(labels, runs, strict=True)
                            for reason, n in r["counts"]["rejected"].items() if n}  # fmt: skip
        assert marks(f"rejects-{portal}") == expected_rejects
        expected_failures = {(reason, label): n for label, r in zip(labels, runs, strict=True)
                             for reason, n in r["counts"]["failed"].items() if n}  # fmt: skip
        assert marks(f"failures-{portal}") == expected_failures
        assert marks(f"durations-{portal}") == {
            ("seconds", lab): r["seconds"] for lab, r in zip(labels, runs, strict=True)
        }
        speeds = marks(f"speed-{portal}")
        for label, r in zip(labels, runs, strict=True):
            assert speeds[("articles/s", label)] == round(r["counts"]["written"] / r["seconds"], 2)
        written = sum(r["counts"]["written"] for r in runs)
        assert cells[(portal, "runs")] == str(len(runs))
        assert cells[(portal, "written")] == f"{written:,}"
        assert cells[(portal, "rejected")] == str(sum(sum(r["counts"]["rejected"].values()) for r in runs))
        assert cells[(portal, "failed")] == str(sum(sum(r["counts"]["failed"].values()) for r in runs))
        assert cells[(portal, "seconds")] == f"{sum(r['seconds'] for r in runs):,.2f}".rstrip("0").rstrip(".")
        for run, r in zip(data.runs[portal], runs, strict=True):
            assert cells[(run.name, "written")] == str(r["counts"]["written"])
            assert cells[(run.name, "fetched")] == str(r["counts"]["fetched"])
    assert cells[("viva", "on_disk")] == "11" and cells[("detik", "on_disk")] == "5"
    viva_labels = run_labels(data.runs["viva"])
    coverage = marks("coverage-viva")
    for label, r in zip(viva_labels, reports["viva"], strict=True):
        for field in COVERAGE:
            assert coverage[(field, label)] == r["quality"]["coverage"][field]
    assert probe["flags"] == [viva_labels[3]]  # the drift warning's run is flagged
    assert "authors coverage fell to 60% (baseline 85%)" in html
    assert 'id="coverage-detik-none"' in html  # older reports without quality figures: said so
