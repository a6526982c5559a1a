"""Run portal spiders with Scrapy from our own code: settings, item pipelines, retries, stats.

    spider -> ArticlePage -> CleanPipeline (process pool) -> RejectPipeline -> FilterPipeline
           -> WritePipeline (dated JSON lines + state, in one step)

Cleaning is CPU-bound, so it runs in a process pool (one worker per core by default) while the
reactor keeps fetching; each job carries only the number of headline rows known at submit time,
and workers top up their own copy of the headline index from state.sqlite (see clean_job.CleanJob).
Several portals can run side by side in one process (`run_crawls`), sharing the cleaning pool;
one run per process: Twisted's reactor cannot be restarted.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings

from cleaners.portals import portal_by_name, portal_for_url, portal_tz
from scraper.crawl.clean_pool import CleanPool
from scraper.crawl.config import CrawlConfig
from scraper.crawl.context import CONTEXT, CrawlContext
from scraper.crawl.engine import scrapy_settings
from scraper.crawl.output_files import OutputWriter, Reconciled, reconcile
from scraper.crawl.run_report import CrawlResult, build_report, reserve_report, write_report
from scraper.crawl.sinks import output_error
from scraper.crawl.state import PortalLock, StateStore, open_state
from scraper.errors import ConfigError, CrawlLockedError, OutputError

logger = logging.getLogger(__name__)


def run_crawl(config: CrawlConfig, spider_cls: type[scrapy.Spider], on_start: Any = None) -> CrawlResult:
    """Crawl one portal into `<output>/<portal>/` with its spider (spiders.spider_for).
    `on_start(crawler)` runs before the reactor."""
    return run_crawls([(config, spider_cls)], on_start)[0]


def run_crawls(
    crawls: list[tuple[CrawlConfig, type[scrapy.Spider]]],
    on_start: Any = None,
    on_locked: Callable[[CrawlConfig, CrawlLockedError], None] | None = None,
) -> list[CrawlResult]:
    """Crawl several portals (or sites) side by side in one process: each into its own
    `<output>/<portal>/` with its own lock, state, writer, Scrapy crawler (so each host has its own
    politeness) and run report; one cleaning pool serves them all. A portal whose lock another
    crawl holds raises CrawlLockedError, or is left out and passed to `on_locked` if given. A
    failed write (a full disk) raises OutputError once every report that could be is written."""
    with ExitStack() as stack:
        runs = []
        for config, spider_cls in crawls:
            try:
                runs.append(_prepare(stack, config, spider_cls))
            except CrawlLockedError as exc:
                if on_locked is None:
                    raise
                on_locked(config, exc)
        if not runs:
            return []
        first = runs[0].ctx.config
        pool = CleanPool(first.jobs or os.cpu_count() or 1, 2 * first.clean.time_limit + 5)
        for run in runs:
            run.ctx.pool = pool
        # The process's settings (reactor, logging) are merged into every crawler's at equal
        # priority, and would win there: each crawler's own (its context, its politeness) go in
        # at a higher one.
        common = {k: v for k, v in scrapy_settings(first, runs[0].ctx).items() if k != CONTEXT}
        process = AsyncCrawlerProcess(common)
        crawlers = [_crawler(run.spider_cls, scrapy_settings(run.ctx.config, run.ctx)) for run in runs]
        _quiet_collector()
        try:
            for run, crawler in zip(runs, crawlers, strict=True):
                _schedule(process, crawler, run.ctx, on_start)
            process.start()
            pool.close()
        finally:
            pool.terminate()  # a forced stop (second Ctrl-C) leaves workers busy
            for run in runs:
                run.ctx.writer.close()
        reports = [
            run.report({**crawler.stats.get_stats(), **run.ctx.quality})
            for run, crawler in zip(runs, crawlers, strict=True)
        ]
    results, failed = [], None
    for run, (report, path) in zip(runs, reports, strict=True):
        try:
            results.append(finish(run.ctx, report, path, run.reserved))
        except OutputError as exc:
            failed = failed or exc
    if failed is not None:
        raise failed
    return results


class _Run:
    """One portal's part of a run: its state and writer, and its report at the end."""

    def __init__(
        self, ctx: CrawlContext, spider_cls: type[scrapy.Spider], reconciled: Reconciled, run_id: int,
        reserved: Path, set_aside: Path | None,
    ) -> None:  # fmt: skip
        self.ctx, self.spider_cls, self.reconciled = ctx, spider_cls, reconciled
        self.run_id, self.reserved, self.set_aside = run_id, reserved, set_aside
        self.started = datetime.now(UTC)

    def report(self, stats: dict[str, Any]) -> tuple[dict[str, Any], Path]:
        config, state = self.ctx.config, self.ctx.state
        report = build_report(config, stats, self.started, self.reconciled.added, len(self.reconciled.lost))
        if self.set_aside is not None:
            report["state_set_aside"] = str(self.set_aside)
        finish_run(state, self.run_id, report["counts"])
        name = f"run-{self.started.strftime('%Y%m%dT%H%M%SZ')}-{self.run_id}.json"
        return report, config.output_dir / config.portal / name


def _crawler(spider_cls: type[scrapy.Spider], settings: dict[str, Any]) -> Crawler:
    own = Settings()
    own.setdict(settings, priority="cmdline")
    return Crawler(spider_cls, own)


def _prepare(stack: ExitStack, config: CrawlConfig, spider_cls: type[scrapy.Spider]) -> _Run:
    rules = portal_by_name(config.portal) or (portal_for_url(config.site) if config.site else None)
    if rules is None:
        raise ConfigError(f"unknown portal {config.portal!r}")
    portal_dir = config.output_dir / config.portal
    stack.enter_context(PortalLock(portal_dir, config.portal))
    with starting(portal_dir):
        state, set_aside = open_state(portal_dir / "state.sqlite")
    stack.enter_context(state)
    with starting(portal_dir):
        reconciled = reconcile(portal_dir, state)
        run_id = state.start_run()
        reserved = reserve_report(portal_dir / ".report-reserve")
    _say_what_start_found(config.portal, set_aside, reconciled)
    writer = OutputWriter(portal_dir, state, portal_tz(rules))
    return _Run(CrawlContext(config, state, writer), spider_cls, reconciled, run_id, reserved, set_aside)


@contextlib.contextmanager
def starting(portal_dir: Path) -> Iterator[None]:
    """Before the crawl: a failed write (a full disk: the state, the report's reserve) is one line."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        raise output_error(exc, portal_dir) from None


def _say_what_start_found(portal: str, set_aside: Path | None, reconciled: Reconciled) -> None:
    if set_aside is not None:
        logger.warning(
            "%s: the crawl state was corrupt: set aside as %s and rebuilt from the output files "
            "(%d records); earlier failures are not asked for again", portal, set_aside, reconciled.added,
        )  # fmt: skip
    if reconciled.lost:
        logger.warning(
            "%s: %d articles recorded as written are missing from the output (cut short after they were "
            "recorded, e.g. by a power cut): fetching them again",
            portal,
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


def _schedule(process: AsyncCrawlerProcess, crawler: Crawler, ctx: Any, on_start: Any) -> None:
    config = ctx.config
    # Scrapy sets its loggers to DEBUG whatever LOG_LEVEL says (the level filters only at the
    # handler), so every page built two records ("Crawled", "Scraped") for nothing.
    logging.getLogger("scrapy").setLevel(config.log_level)
    process.crawl(
        crawler, base_url=config.base_url or config.site, window=config.window,
        max_articles=config.max_articles, state=ctx, discovery=config.discovery,
    )  # fmt: skip
    ctx.crawler = crawler
    if on_start is not None:
        on_start(crawler)


def run_to_end(process: AsyncCrawlerProcess, crawler: Crawler, ctx: Any, on_start: Any) -> dict[str, Any]:
    """Run one crawler to its end in `process`; always stop the cleaning pool and close the
    writer of `ctx` (the distributed crawl's context); return the crawl stats, with the quality
    counts of `ctx`."""
    _quiet_collector()
    _schedule(process, crawler, ctx, on_start)
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
