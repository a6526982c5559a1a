"""What the report shows, read from a crawl output folder: `OUTPUT/<portal>/run-*.json` (the run
reports) and `OUTPUT/<portal>/<date>[.<worker>].jsonl` (articles, one file per publication day).

Article files may be large: their lines are counted in 1 MB blocks, not parsed, so memory stays
flat whatever their size (a torn last line is not counted; it is not an article yet)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

ARTICLE_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.[^.]+)?\.jsonl$")
BLOCK = 1 << 20
COVERAGE_FIELDS = ("title", "published_at", "authors", "section")


class ReportInputError(ValueError):
    pass


@dataclass
class Run:
    """One run report, as the page needs it."""

    portal: str
    name: str  # the report's file name
    started: str
    seconds: float
    written: int
    fetched: int
    rejected: dict[str, int]
    failed: dict[str, int]
    ok: bool
    interrupted: bool
    coverage: dict[str, float] | None = None  # quality.coverage, when the run report has it
    drift: list[dict[str, Any]] = field(default_factory=list)  # drift.warnings

    @property
    def articles_per_second(self) -> float:
        return self.written / self.seconds if self.seconds > 0 else 0.0


@dataclass
class ReportData:
    folder: Path
    runs: dict[str, list[Run]] = field(default_factory=dict)  # portal -> runs, oldest first
    articles: dict[str, Counter[str]] = field(default_factory=dict)  # portal -> day -> articles
    unreadable: list[str] = field(default_factory=list)  # run reports that could not be read

    @property
    def portals(self) -> list[str]:
        return sorted(set(self.runs) | set(self.articles))


def collect(folder: Path) -> ReportData:
    if not folder.is_dir():
        raise ReportInputError(f"no output folder {folder}")
    data = ReportData(folder)
    for portal_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        runs = [run for path in sorted(portal_dir.glob("run-*.json")) if (run := _read_run(path, data))]
        if runs:
            data.runs[portal_dir.name] = sorted(runs, key=lambda run: (run.started, run.name))
        days: Counter[str] = Counter()
        for path in portal_dir.glob("*.jsonl"):
            if match := ARTICLE_FILE.match(path.name):
                days[match[1]] += count_lines(path)
        if days:
            data.articles[portal_dir.name] = days
    if not data.runs and not data.articles:
        raise ReportInputError(
            f"nothing to report in {folder}: no OUTPUT/<portal>/run-*.json or article files"
        )
    return data


def count_lines(path: Path) -> int:
    """Complete lines (each ends in a newline; the crawl writes no blank ones)."""
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            lines += block.count(b"\n")
    return lines


def _read_run(path: Path, data: ReportData) -> Run | None:
    try:
        report = orjson.loads(path.read_bytes())
        counts = report["counts"]
        quality, drift = report.get("quality") or {}, report.get("drift") or {}
        coverage = quality.get("coverage")
        return Run(
            portal=str(report.get("portal") or path.parent.name), name=path.name,
            started=str(report.get("started") or ""), seconds=float(report.get("seconds") or 0.0),
            written=int(counts.get("written", 0)), fetched=int(counts.get("fetched", 0)),
            rejected={k: int(v) for k, v in (counts.get("rejected") or {}).items()},
            failed={k: int(v) for k, v in (counts.get("failed") or {}).items()},
            ok=bool(report.get("ok")), interrupted=bool(report.get("interrupted")),
            coverage={k: float(coverage[k]) for k in COVERAGE_FIELDS if coverage.get(k) is not None}
            if isinstance(coverage, dict) else None,
            drift=[w for w in drift.get("warnings") or [] if isinstance(w, dict)],
        )  # fmt: skip
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        data.unreadable.append(f"{path}: {type(exc).__name__}")
        return None
