"""How the crawling commands (`crawl`, `worker`, `demo`) run a crawl: the live progress line,
logging above it, single-process or distributed, and the summary printed at the end.

Scrapy is imported inside the functions: `scraper clean` should not pay for it, and crawl cleaning
processes (spawned, so they re-import their parent's main module) stay light.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
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
        self.crawlers: list[Crawler] = []  # several when portals are crawled side by side
        self.live: Live | None = None
        self.started = time.monotonic()

    def attach(self, crawler: Crawler) -> None:
        self.crawlers.append(crawler)
        if self.live is None:
            self.started = time.monotonic()
        if self.enabled and self.live is None:
            self.live = Live(get_renderable=self.render, console=err, refresh_per_second=4, transient=True)
            self.live.start()

    def render(self) -> Text:
        stats: dict[str, Any] = {}
        for crawler in self.crawlers:
            for key, value in self._stats(crawler).items():
                if isinstance(value, int | float) and key.startswith("news/"):
                    stats[key] = stats.get(key, 0) + value
        seconds = max(time.monotonic() - self.started, 1e-6)
        fetched = stats.get("news/fetched", 0)
        rejected = sum(v for k, v in stats.items() if k.startswith("news/rejected/"))
        failed = sum(v for k, v in stats.items() if k.startswith("news/failed/"))
        what = f"crawling {len(self.crawlers)} portals" if len(self.crawlers) > 1 else "crawling"
        return Text(
            f"{what}: {fetched} pages, {stats.get('news/written', 0)} written, {rejected} rejected, "
            f"{failed} failed, {stats.get('news/skipped_seen', 0)} seen before "
            f"| {fetched / seconds:.1f} pages/s, {seconds:.0f}s",
            no_wrap=True,
            overflow="ellipsis",
        )

    @staticmethod
    def _stats(crawler: Crawler) -> dict[str, Any]:
        try:
            return crawler.stats.get_stats().copy()
        except RuntimeError:  # Scrapy sets crawler.stats when the crawl starts
            return {}

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


# Failure kinds that are the network's or the server's doing, not a bug: logged without a traceback.
EXPECTED_KINDS = ("timeout", "dns", "connection", "truncated")


class ExpectedFailures(logging.Filter):
    """A request that failed for an expected reason (network, an HTTP error after retries) is one
    line, never a traceback: Scrapy's robots.txt middleware logs such a failure with its whole
    traceback. With `quiet`, only the first failure of each kind is logged (a cron log gets one line
    per kind; the summary and the run report count them all). Anything else passes unchanged."""

    def __init__(self, quiet: bool) -> None:
        super().__init__()
        self.quiet = quiet
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        kind = failure_kind(record)
        if kind is None:
            return True
        message = record.getMessage()
        record.exc_info = record.exc_text = None  # type: ignore[assignment]
        if self.quiet:
            if kind in self.seen:
                return False
            self.seen.add(kind)
            message = f"{kind}: {message} (further {kind} failures are only counted)"
        record.msg, record.args = message, None
        return True


def failure_kind(record: logging.LogRecord) -> str | None:
    """The failure kind of a log record about a failed request (connection, dns, http_503...)."""
    from twisted.python.failure import Failure

    from scraper.crawl.failures import failure_reason

    error = record.exc_info[1] if record.exc_info else None
    if error is None and isinstance(record.args, dict):
        error = record.args.get("reason") or record.args.get("f_exception")
    if isinstance(error, str) and str(record.msg).startswith("Gave up retrying"):
        status = error.split(" ", 1)[0]
        return f"http_{status}" if status.isdigit() else None
    if not isinstance(error, Exception):
        return None
    kind = failure_reason(Failure(error))
    return kind if kind in EXPECTED_KINDS else None


def setup_logging(level: str, log_file: Path | None = None, quiet: bool = False) -> None:
    """Log records at `level` and above: to `log_file` (plain lines with their time), else to stderr
    (rich on a terminal; plain, unwrapped lines otherwise, for cron logs and grep)."""
    handler: logging.Handler
    if log_file is not None:
        try:
            handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write log file {log_file}: {exc.strerror}") from exc
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    elif err.is_terminal:
        handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    handler.addFilter(ExpectedFailures(quiet))
    logging.getLogger().addHandler(handler)


def run_with_display(config: CrawlConfig, quiet: bool) -> CrawlResult:
    from scraper.crawl.run import run_crawl
    from spiders import spider_for

    display = CrawlDisplay(enabled=not quiet)
    try:
        return run_crawl(config, spider_for(config.portal), on_start=display.attach)
    finally:
        display.stop()


def run_many_with_display(
    configs: list[CrawlConfig], quiet: bool, on_locked: Callable[[CrawlConfig, Exception], None]
) -> list[CrawlResult]:
    """Portals (and sites) crawled side by side in this process (scraper.crawl.run.run_crawls)."""
    from scraper.crawl.run import run_crawls
    from spiders import site_spider, spider_for

    crawls = [(c, site_spider() if c.site else spider_for(c.portal)) for c in configs]
    display = CrawlDisplay(enabled=not quiet)
    try:
        return run_crawls(crawls, on_start=display.attach, on_locked=on_locked)
    finally:
        display.stop()


def print_total(results: list[CrawlResult], seconds: float) -> None:
    """The line under the per-portal summaries of a run of several portals."""
    counts = [result.report["counts"] for result in results]
    stopped = [r.report["portal"] for r in results if r.report.get("interrupted")]
    failed = [r.report["portal"] for r in results if not r.ok and r.report["portal"] not in stopped]
    written, fetched = sum(c["written"] for c in counts), sum(c["fetched"] for c in counts)
    status = "all done"
    if failed or stopped:
        parts = [f"{len(failed)} failed ({', '.join(failed)})"] if failed else []
        parts += [f"{len(stopped)} interrupted"] if stopped else []
        status = f"[red]{', '.join(parts)}[/red]"
    err.print(
        f"total: {len(results)} portals, {status}: {written} articles written, {fetched} pages "
        f"in {seconds:.1f}s ({written / max(seconds, 1e-6):.1f} articles/s)",
        highlight=False,
        soft_wrap=True,
    )


def _breakdown(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    detail = ", ".join(f"{n} {key}" for key, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{total} ({detail})" if detail else "0"


def print_summary(result: CrawlResult, drift_note: bool = False) -> None:
    """The run's one-line summary, its drift warnings (one line each) and the report's path;
    `drift_note`: also say when the drift was not judged, or judged without warnings."""
    report, counts = result.report, result.report["counts"]
    status = "done" if result.ok else "[red]FAILED: nothing reachable[/red]"
    if problem := report.get("discovery_problem"):  # the reason first, on the line itself
        status = f"[red]FAILED: {problem['reason']}[/red] ({escape(problem['detail'])})"
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
