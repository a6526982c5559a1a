"""The run report of a crawl (`run-<UTC time>-<id>.json` next to its output): counts from the
crawl stats, the window, timings, whether the run counts as a success, and the portal's quality
figures with the layout-drift verdict against the earlier reports in the same folder.

Its space is taken before the crawl starts (`reserve_report`): a crawl that fills the disk still
writes the report that says so (finish_reason "disk_full")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from cleaners.portals import portal_by_name, portal_for_url
from scraper.crawl.drift import earlier_runs, judge
from scraper.crawl.quality import quality_figures

if TYPE_CHECKING:
    from scraper.crawl.config import CrawlConfig


@dataclass
class CrawlResult:
    report: dict[str, Any]
    report_path: Path

    @property
    def ok(self) -> bool:
        return bool(self.report["ok"])

    @property
    def drift_warnings(self) -> list[dict[str, Any]]:
        return list((self.report.get("drift") or {}).get("warnings") or [])


# Report counts -> crawl stats keys (set by the spider, the CrawlStats extension and Scrapy).
_COUNTS = {
    "fetched": "news/fetched",
    "article_pages": "news/article_pages",
    "written": "news/written",
    "retried": "retry/count",
    "skipped_seen": "news/skipped_seen",
    "skipped_out_of_window": "news/skipped_out_of_window",
    "skipped_max_articles": "news/skipped_max_articles",
    "skipped_offsite": "news/skipped_offsite",
    "skipped_not_article": "news/skipped_not_article",  # a site's pages of a kind learnt not to be articles
    "dropped_out_of_window": "news/out_of_window",  # undated in the feeds, dated on the page
    "duplicates": "news/duplicate",
    "discovery_ok": "news/discovery_ok",
    "discovery_failed": "news/discovery_failed",
    "unreadable_entries": "news/unreadable_entries",  # feed entries left out, one by one
    "sitemaps_over_cap": "news/sitemaps_over_cap",  # not requested: past --max-sitemaps
    "sitemaps_too_deep": "news/sitemaps_too_deep",  # not requested: past --sitemap-depth
    "discovery_over_budget": "news/discovery_over_budget",  # 1: held articles released at the budget
}


_COMPLETE = ("finished", "closespider_pagecount")
OUTPUT_FAILED = ("disk_full", "write_error")  # finish reasons: an output or state write failed
RESERVE_BYTES = 64 * 1024  # a report is a few kilobytes


def _grouped(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {key[len(prefix) :]: int(value) for key, value in sorted(stats.items()) if key.startswith(prefix)}


def build_report(
    config: CrawlConfig, stats: dict[str, Any], started: datetime, reconciled: int, lost: int | None = None
) -> dict[str, Any]:
    """The run report; `lost`: records a file lost after they were recorded (single-process crawls)."""
    finished = datetime.now(UTC)
    counts: dict[str, Any] = {name: int(stats.get(key, 0)) for name, key in _COUNTS.items()}
    counts.update(
        rejected=_grouped(stats, "news/rejected/"),
        failed=_grouped(stats, "news/failed/"),
        reconciled=reconciled,
        **({} if lost is None else {"lost_from_output": lost}),
    )
    window = config.window
    # Discovery that found nothing to crawl (spiders/discovery.py): {"reason", "detail"} or null.
    problem = stats.get("news/discovery_problem")
    rules = portal_by_name(config.portal) or (portal_for_url(config.site) if config.site else None)
    quality = quality_figures(stats, rules)
    # Read before this run's report is written: the earlier runs are the baseline.
    drift = judge(quality, earlier_runs(config.output_dir / config.portal), rules)
    return {
        "portal": config.portal,
        "base_url": config.base_url,
        "site": config.site,
        "since": window.since.isoformat() if window.since else None,
        "until": window.until.isoformat() if window.until else None,
        "max_articles": config.max_articles,
        "max_pages": config.max_pages,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 2),
        "finish_reason": stats.get("finish_reason"),
        # Failed means nothing was reachable; finding nothing new is a success, and so is
        # stopping at --max-pages (the next run goes on).
        "ok": counts["discovery_ok"] > 0 and stats.get("finish_reason") in _COMPLETE and problem is None,
        "discovery_problem": problem,
        # No finish reason: the reactor was stopped before the spider closed (a second Ctrl-C).
        "interrupted": stats.get("finish_reason") in ("shutdown", None),
        "counts": counts,
        "quality": quality,
        "drift": drift,
    }


def reserve_report(path: Path) -> Path:
    """Take the space of a run report at `path` now (written out, so the blocks are ours; one
    reserve per output folder and process, reused by every run)."""
    with path.open("wb") as handle:
        handle.write(b" " * RESERVE_BYTES)
    return path


def write_report(path: Path, report: dict[str, Any], reserved: Path | None = None) -> CrawlResult:
    """Write the report, into the `reserved` space when there is one (renamed into place: no new
    block is needed on a full disk). An OSError if it cannot be written at all."""
    data = orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    if reserved is not None and reserved.exists() and len(data) <= reserved.stat().st_size:
        with reserved.open("r+b") as handle:
            handle.write(data)
            handle.truncate(len(data))
        os.replace(reserved, path)
    else:
        path.write_bytes(data)
    return CrawlResult(report, path)
