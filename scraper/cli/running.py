"""How the crawling commands (`crawl`, `worker`, `demo`) run a crawl: the live progress line,
logging above it, single-process or distributed, and the summary printed at the end.

Scrapy is imported inside the functions: `scraper clean` should not pay for it, and crawl cleaning
processes (spawned, so they re-import their parent's main module) stay light.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from rich.live import Live
from rich.logging import RichHandler
from rich.markup import escape
from rich.text import Text

from scraper.cli.options import err
from scraper.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from scraper.crawl.config import CrawlConfig
    from scraper.crawl.run_report import CrawlResult


class CrawlDisplay:
    """Live progress on stderr, read from the crawl stats (updated by the CrawlStats extension)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.crawler: Crawler | None = None
        self.live: Live | None = None
        self.started = time.monotonic()

    def attach(self, crawler: Crawler) -> None:
        self.crawler, self.started = crawler, time.monotonic()
        if self.enabled:
            self.live = Live(get_renderable=self.render, console=err, refresh_per_second=4, transient=True)
            self.live.start()

    def render(self) -> Text:
        stats = self._stats()
        seconds = max(time.monotonic() - self.started, 1e-6)
        fetched = stats.get("news/fetched", 0)
        rejected = sum(v for k, v in stats.items() if k.startswith("news/rejected/"))
        failed = sum(v for k, v in stats.items() if k.startswith("news/failed/"))
        return Text(
            f"crawling: {fetched} pages, {stats.get('news/written', 0)} written, {rejected} rejected, "
            f"{failed} failed, {stats.get('news/skipped_seen', 0)} seen before "
            f"| {fetched / seconds:.1f} pages/s, {seconds:.0f}s",
            no_wrap=True,
            overflow="ellipsis",
        )

    def _stats(self) -> dict[str, Any]:
        try:
            return self.crawler.stats.get_stats().copy() if self.crawler else {}
        except RuntimeError:  # Scrapy sets crawler.stats when the crawl starts
            return {}

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


def setup_logging(verbose: bool) -> None:
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger().addHandler(handler)


def run_with_display(config: CrawlConfig, quiet: bool) -> CrawlResult:
    from scraper.crawl.run import run_crawl
    from spiders import spider_for

    display = CrawlDisplay(enabled=not quiet)
    try:
        return run_crawl(config, spider_for(config.portal), on_start=display.attach)
    finally:
        display.stop()


def _breakdown(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    detail = ", ".join(f"{n} {key}" for key, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{total} ({detail})" if detail else "0"


def print_summary(result: CrawlResult, drift_note: bool = False) -> None:
    """The run's one-line summary, its drift warnings (one line each) and the report's path;
    `drift_note`: also say when the drift was not judged, or judged without warnings."""
    report, counts = result.report, result.report["counts"]
    status = "done" if result.ok else "[red]FAILED: nothing reachable[/red]"
    if report.get("interrupted"):
        status = "[yellow]interrupted[/yellow] (what was written is complete; run again to go on)"
    err.print(
        f"{report['portal']} {status}: {counts['written']} articles written, rejected "
        f"{_breakdown(counts['rejected'])}, failed {_breakdown(counts['failed'])}, "
        f"{counts['skipped_seen']} seen before, {counts['duplicates']} duplicates, "
        f"{counts['retried']} retries; {counts['fetched']} pages in {report['seconds']:.1f}s",
        highlight=False,
        soft_wrap=True,
    )
    drift = report.get("drift") or {}
    for warning in result.drift_warnings:
        line = f"[yellow]{escape(report['portal'])} layout drift:[/yellow] {escape(warning['message'])}"
        err.print(line, highlight=False, soft_wrap=True)
    if drift_note and not result.drift_warnings:
        runs = drift.get("baseline_runs", 0)
        note = drift.get("note") or f"no layout drift against {runs} earlier run{'s' if runs != 1 else ''}"
        err.print(f"drift: {escape(note)}", highlight=False, soft_wrap=True)
    err.print(f"report: {result.report_path}", highlight=False, soft_wrap=True)


def crawl_distributed(
    config: CrawlConfig, redis_url: str, quiet: bool, redis_timeout: float | None, **options: object
) -> CrawlResult:
    """`crawl --redis` (discovery feeds the shared queue; this process works it too) or `worker`."""
    from scraper.distributed.run import WorkerOptions, run_distributed

    if redis_timeout is not None:
        if not redis_timeout > 0:
            raise ConfigError(f"--redis-timeout {redis_timeout:g}: give seconds, more than 0")
        options["redis_timeout"] = redis_timeout

    display = CrawlDisplay(enabled=not quiet)
    try:
        return run_distributed(config, WorkerOptions(redis_url, **options), on_start=display.attach)  # type: ignore[arg-type]
    finally:
        display.stop()
