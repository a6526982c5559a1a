"""Run a portal spider with Scrapy from our own code: settings, item pipelines, retries, stats.

    spider -> ArticlePage -> CleanPipeline (process pool) -> RejectPipeline -> FilterPipeline
           -> WritePipeline (dated JSON lines + state, in one step)

Cleaning is CPU-bound, so it runs in a process pool (one worker per core by default) while the
reactor keeps fetching; each job carries only the number of headline rows known at submit time,
and workers top up their own copy of the headline index from state.sqlite (see clean_job.CleanJob).
One crawl per process: Twisted's reactor cannot be restarted.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerProcess, Crawler

from cleaners.portals import portal_by_name, portal_tz
from scraper.crawl.config import CrawlConfig
from scraper.crawl.context import CrawlContext
from scraper.crawl.engine import scrapy_settings
from scraper.crawl.output_files import OutputWriter, Reconciled, reconcile
from scraper.crawl.run_report import CrawlResult, build_report, reserve_report, write_report
from scraper.crawl.sinks import output_error
from scraper.crawl.state import PortalLock, StateStore, open_state
from scraper.errors import ConfigError, OutputError

logger = logging.getLogger(__name__)


def run_crawl(config: CrawlConfig, spider_cls: type[scrapy.Spider], on_start: Any = None) -> CrawlResult:
    """Crawl one portal into `<output>/<portal>/` with its spider (spiders.spider_for).
    `on_start(crawler)` runs before the reactor."""
    rules = portal_by_name(config.portal)
    if rules is None:
        raise ConfigError(f"unknown portal {config.portal!r}")
    portal_dir = config.output_dir / config.portal
    with PortalLock(portal_dir, config.portal):
        with starting(portal_dir):
            state, set_aside = open_state(portal_dir / "state.sqlite")
        with state:
            with starting(portal_dir):
                reconciled = reconcile(portal_dir, state)
                run_id = state.start_run()
                reserved = reserve_report(portal_dir / ".report-reserve")
            _say_what_start_found(set_aside, reconciled)
            writer = OutputWriter(portal_dir, state, portal_tz(rules))
            ctx = CrawlContext(config, state, writer)
            started = datetime.now(UTC)
            process = AsyncCrawlerProcess(scrapy_settings(config, ctx))
            crawler = process.create_crawler(spider_cls)
            stats = run_to_end(process, crawler, ctx, on_start)
            report = build_report(config, stats, started, reconciled.added, len(reconciled.lost))
            if set_aside is not None:
                report["state_set_aside"] = str(set_aside)
            finish_run(state, run_id, report["counts"])
    path = portal_dir / f"run-{started.strftime('%Y%m%dT%H%M%SZ')}-{run_id}.json"
    return finish(ctx, report, path, reserved)


@contextlib.contextmanager
def starting(portal_dir: Path) -> Iterator[None]:
    """Before the crawl: a failed write (a full disk: the state, the report's reserve) is one line."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        raise output_error(exc, portal_dir) from None


def _say_what_start_found(set_aside: Path | None, reconciled: Reconciled) -> None:
    if set_aside is not None:
        logger.warning(
            "the crawl state was corrupt: set aside as %s and rebuilt from the output files "
            "(%d records); earlier failures are not asked for again", set_aside, reconciled.added,
        )  # fmt: skip
    if reconciled.lost:
        logger.warning(
            "%d articles recorded as written are missing from the output (cut short after they were "
            "recorded, e.g. by a power cut): fetching them again",
            len(reconciled.lost),
        )


def finish_run(state: StateStore, run_id: int, counts: dict[str, Any]) -> None:
    try:
        state.finish_run(run_id, counts)
    except sqlite3.Error as exc:  # the run history only; the report says what matters
        logger.debug("run %d not recorded as finished: %s", run_id, exc)


def finish(ctx: Any, report: dict[str, Any], path: Path, reserved: Path) -> CrawlResult:
    """Write the report; when a write failed, raise OutputError with one line saying what was kept."""
    try:
        result = write_report(path, report, reserved)
    except OSError as exc:
        if ctx.output_failure is None:
            raise output_error(exc, path) from None
        result, path = CrawlResult(report, path), None  # type: ignore[assignment]
    failure = ctx.output_failure
    if failure is not None:
        written = report["counts"]["written"]
        where = f"report: {path}" if path else "no room for the report either"
        raise OutputError(
            f"{failure}: the crawl stopped; the {written} articles written are complete, the others are "
            f"fetched by the next run once there is space ({where})",
            failure.reason,
        )
    return result


def run_to_end(process: AsyncCrawlerProcess, crawler: Crawler, ctx: Any, on_start: Any) -> dict[str, Any]:
    """Run one crawler to its end in `process`; always stop the cleaning pool and close the
    writer of `ctx` (a CrawlContext or the distributed one); return the crawl stats, with the
    quality counts of `ctx`."""
    config = ctx.config
    _quiet_collector()
    # Scrapy sets its loggers to DEBUG whatever LOG_LEVEL says (the level filters only at the
    # handler), so every page built two records ("Crawled", "Scraped") for nothing.
    logging.getLogger("scrapy").setLevel(config.log_level)
    process.crawl(
        crawler, base_url=config.base_url, window=config.window,
        max_articles=config.max_articles, state=ctx, discovery=config.discovery,
    )  # fmt: skip
    ctx.crawler = crawler
    if on_start is not None:
        on_start(crawler)
    try:
        process.start()
    finally:
        pool = getattr(ctx, "pool", None)
        if pool is not None:  # a forced stop (second Ctrl-C) skips close_spider
            pool.terminate()
        ctx.writer.close()
    return {**crawler.stats.get_stats(), **ctx.quality}


def _quiet_collector() -> None:
    """The cyclic garbage collector at default thresholds took ~4% of the crawl process's CPU
    (0.8 s in a 5,000-article crawl, measured with gc.callbacks): every 700 allocations it scans
    the objects of pages in flight. Fewer, larger young collections, and the start-up objects
    (modules, settings) moved out of its way. The cleaning processes never trigger it."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
