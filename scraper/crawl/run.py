"""Run a portal spider with Scrapy from our own code: settings, item pipelines, retries, stats.

    spider -> ArticlePage -> CleanPipeline (process pool) -> RejectPipeline -> FilterPipeline
           -> WritePipeline (dated JSON lines + state, in one step)

Cleaning is CPU-bound, so it runs in a process pool (one worker per core by default) while the
reactor keeps fetching; each job carries only the number of headline rows known at submit time,
and workers top up their own copy of the headline index from state.sqlite (see fetch.CleanJob).
One crawl per process: Twisted's reactor cannot be restarted.
"""

from __future__ import annotations

import gc
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.exceptions import DropItem

from cleaners.portals import portal_by_name
from scraper.clean_pool import CleanPool
from scraper.errors import ConfigError
from scraper.fetch import USER_AGENT, CleanJob
from scraper.output_files import OutputWriter, reconcile
from scraper.run_report import CrawlResult, build_report, write_report
from scraper.settings import DEFAULT_CLEAN, CleanSettings
from scraper.state import PortalLock, StateStore
from scraper.types import Article, Rejected
from spiders import ArticlePage, Window, portal_tz, spider_for

logger = logging.getLogger(__name__)
CONTEXT = "NEWS_CONTEXT"  # settings key holding the shared CrawlContext


@dataclass(frozen=True)
class CrawlConfig:
    portal: str
    output_dir: Path
    base_url: str | None = None
    window: Window = field(default_factory=Window)
    max_articles: int | None = None
    jobs: int = 0  # cleaning processes; 0: one per core
    concurrency: int = 8  # CONCURRENT_REQUESTS_PER_DOMAIN
    start_delay: float = 1.0  # AutoThrottle's first delay; it adapts to the server's latency
    retries: int = 3
    backoff: float = 0.5  # first retry pause in seconds, doubled on each retry
    download_timeout: float = 30.0
    max_pages: int | None = None  # responses per run (CLOSESPIDER_PAGECOUNT); the rest next run
    refresh: bool = False  # re-fetch written URLs whose sitemap lastmod is newer than our fetch
    clean: CleanSettings = DEFAULT_CLEAN
    log_level: str = "WARNING"


class CrawlContext:
    """What the spider hooks, pipelines and extension of one crawl share. Scrapy deep-copies its
    settings; this object is shared state, so a copy returns the object itself."""

    def __init__(self, config: CrawlConfig, state: StateStore, writer: OutputWriter) -> None:
        self.config, self.state, self.writer = config, state, writer
        self.pool: CleanPool | None = None  # set by CleanPipeline; ended by run_crawl whatever happens

    def __deepcopy__(self, memo: dict[int, Any]) -> CrawlContext:
        return self

    # spiders.StateHooks
    def should_skip(self, url: str, lastmod: datetime | None) -> bool:
        return self.state.should_skip(url, lastmod, self.config.refresh)

    def add_headlines(self, rows: list[tuple[str, str, str | None]]) -> None:
        self.state.add_headlines(rows)

    def failed(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        self.writer.write_failure(url, reason, detail, kind)
        if kind == "article" and self.state.status(url) in (None, "failed"):
            self.state.mark(url, "failed", detail=reason)  # not seen: a later run asks again

    def retry_urls(self) -> list[str]:
        return self.state.failed_urls()


class Dropped(DropItem):
    """DropItem with a stable stats key ("rejected/too_short", "duplicate")."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message, log_level="DEBUG")
        self.key = key


class _Component:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ctx: CrawlContext = crawler.settings[CONTEXT]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)


class CleanPipeline(_Component):
    """clean_page in a process pool; fetching goes on while both cores clean."""

    pool: CleanPool

    def open_spider(self) -> None:
        # A job's own SIGALRM limit first; the pool's deadline is for workers stuck in C code
        # (twice the limit: the job next in line for a worker counts as running already).
        deadline = 2 * self.ctx.config.clean.time_limit + 5
        self.pool = self.ctx.pool = CleanPool(self.ctx.config.jobs or os.cpu_count() or 1, deadline)

    async def process_item(self, item: ArticlePage) -> ArticlePage:
        state, config = self.ctx.state, self.ctx.config
        job = CleanJob(
            url=item.url, bodies=tuple(item.bodies), portal=config.portal, content_type=item.content_type,
            fetched_at=item.fetched_at, status=item.status, own_title=item.title,
            headline_db=str(state.path), headline_upto=state.headline_version, settings=config.clean,
        )  # fmt: skip
        item.bodies = []  # the pages live on in the job only
        item.result = await self.pool.clean(job)
        return item

    def close_spider(self) -> None:
        self.pool.close()


class RejectPipeline(_Component):
    """Pages that yield no article go to rejects.jsonl with their reason, and stop here."""

    def process_item(self, item: ArticlePage) -> ArticlePage:
        if isinstance(item.result, Rejected):
            self.ctx.writer.write_reject(item.result)
            reason = str(item.result.reason)
            raise Dropped(f"rejected ({reason}): {item.result.detail}", f"rejected/{reason}")
        return item


class FilterPipeline(_Component):
    """Nothing is written twice: same text under another URL, or an unchanged refetch; and an
    article whose feed gave no date is checked against the window once its page gave one."""

    def process_item(self, item: ArticlePage) -> ArticlePage:
        article = item.result
        assert isinstance(article, Article)
        if self.ctx.state.has_content(article.content_hash):
            # An unchanged refetch stays "written" (its fetch time moves on); another URL is a copy.
            status = "written" if self.ctx.state.status(article.url) == "written" else "duplicate"
            self.ctx.state.mark(article.url, status, article.content_hash)
            raise Dropped(f"duplicate content of an article already written: {article.url}", "duplicate")
        if item.published is None and not self.ctx.config.window.contains(self._published(article)):
            raise Dropped(f"published {article.published_at}, outside the window", "out_of_window")
        return item

    def _published(self, article: Article) -> datetime | None:
        try:
            when = datetime.fromisoformat(article.published_at or "")
        except ValueError:
            return None  # undated: kept, the window cannot tell
        return when if when.tzinfo else when.replace(tzinfo=self.ctx.writer.tz)


class WritePipeline(_Component):
    def process_item(self, item: ArticlePage) -> ArticlePage:
        assert isinstance(item.result, Article)
        self.ctx.writer.write_article(item.result)
        return item


def engine_settings(config: CrawlConfig) -> dict[str, Any]:
    """Scrapy's engine as the crawl runs it: reactor, event loop, concurrency and what the engine
    does per request. benchmarks/scrapy_floor.py runs its bare spider with these."""
    return {
        "BOT_NAME": "news-scraper",
        "USER_AGENT": USER_AGENT,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": max(16, config.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrency,
        # Per response; Scrapy starts this many tasks for every response's output, and an article
        # response yields one item: 100 (the default) costs ~0.5 ms of event loop time per page.
        "CONCURRENT_ITEMS": 8,
        "DOWNLOAD_TIMEOUT": config.download_timeout,
        "COOKIES_ENABLED": False,
        # FIFO within a priority: articles are released newest first and should be fetched so (an
        # interrupted crawl then has the newest news); Scrapy's default queue is LIFO.
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy parses the source of every callback on every response to warn about generator
        # return values: about 0.6 ms of the crawl process per article, for a lint.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "REMOTE_CONTROL_ENABLED": False,  # Scrapy 2.19's code-execution HTTP server: never wanted here
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        # uvloop runs the reactor's callbacks and timers in C: ~10% less crawl-process CPU per
        # request (benchmarks/bench_crawl.py). Scrapy's own asyncio loop where it is missing.
        "ASYNCIO_EVENT_LOOP": "uvloop.Loop" if find_spec("uvloop") else None,
        # Per-request and per-output components this crawl has no use for, each a few hundredths
        # of a millisecond per article in the crawl process: depth tracking (no depth limit),
        # a development lint on copied meta, HTTP auth (no credentials) and byte-count stats.
        # Scrapy's meta-refresh check parses the head of every page; the crawl replaces it.
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        },
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
        },
    }


def scrapy_settings(config: CrawlConfig, ctx: CrawlContext) -> dict[str, Any]:
    here, engine = __name__, engine_settings(config)
    return {
        **engine,
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": config.start_delay,
        "DOWNLOAD_MAXSIZE": config.clean.max_bytes,  # larger: failed as too_large
        "DOWNLOAD_WARNSIZE": config.clean.max_bytes // 4,
        "CLOSESPIDER_PAGECOUNT": config.max_pages or 0,
        "RETRY_TIMES": config.retries,
        "RETRY_BACKOFF_BASE": config.backoff,
        "LOG_LEVEL": config.log_level,
        "LOG_INSTALL_ROOT_HANDLER": False,  # the CLI's handler prints above the live progress
        "DOWNLOADER_MIDDLEWARES": {
            **engine["DOWNLOADER_MIDDLEWARES"],
            "scraper.crawl_guard.OffsiteGuard": 50,  # before robots.txt is fetched for a foreign host
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "scraper.crawl_components.BackoffRetryMiddleware": 550,
            "scraper.crawl_guard.RedirectGuard": 650,  # sees a 3xx before RedirectMiddleware (600)
            "scraper.crawl_components.HeadMetaRefreshMiddleware": 580,  # skips pages without "refresh"
        },
        "ITEM_PIPELINES": {
            f"{here}.CleanPipeline": 100,
            f"{here}.RejectPipeline": 200,
            f"{here}.FilterPipeline": 300,
            f"{here}.WritePipeline": 400,
        },
        "EXTENSIONS": {"scraper.crawl_components.CrawlStats": 500},
        CONTEXT: ctx,
    }


def run_crawl(config: CrawlConfig, on_start: Any = None) -> CrawlResult:
    """Crawl one portal into `<output>/<portal>/`. `on_start(crawler)` runs before the reactor."""
    rules = portal_by_name(config.portal)
    spider_cls = spider_for(config.portal)
    if rules is None:
        raise ConfigError(f"unknown portal {config.portal!r}")
    portal_dir = config.output_dir / config.portal
    with PortalLock(portal_dir, config.portal), StateStore(portal_dir / "state.sqlite") as state:
        reconciled = reconcile(portal_dir, state)
        if reconciled.lost:
            logger.warning(
                "%d articles recorded as written are missing from the output (cut short after they were "
                "recorded, e.g. by a power cut): fetching them again",
                len(reconciled.lost),
            )
        writer = OutputWriter(portal_dir, state, portal_tz(rules))
        ctx = CrawlContext(config, state, writer)
        run_id = state.start_run()
        started = datetime.now(UTC)
        process = AsyncCrawlerProcess(scrapy_settings(config, ctx))
        crawler = process.create_crawler(spider_cls)
        stats = run_to_end(process, crawler, ctx, on_start)
        report = build_report(config, stats, started, reconciled.added, len(reconciled.lost))
        state.finish_run(run_id, report["counts"])
    return write_report(portal_dir / f"run-{started.strftime('%Y%m%dT%H%M%SZ')}-{run_id}.json", report)


def run_to_end(process: AsyncCrawlerProcess, crawler: Crawler, ctx: Any, on_start: Any) -> dict[str, Any]:
    """Run one crawler to its end in `process`; always stop the cleaning pool and close the
    writer of `ctx` (a CrawlContext or the distributed one); return the crawl stats."""
    config = ctx.config
    _quiet_collector()
    # Scrapy sets its loggers to DEBUG whatever LOG_LEVEL says (the level filters only at the
    # handler), so every page built two records ("Crawled", "Scraped") for nothing.
    logging.getLogger("scrapy").setLevel(config.log_level)
    process.crawl(
        crawler, base_url=config.base_url, window=config.window,
        max_articles=config.max_articles, state=ctx,
    )  # fmt: skip
    if on_start is not None:
        on_start(crawler)
    try:
        process.start()
    finally:
        pool = getattr(ctx, "pool", None)
        if pool is not None:  # a forced stop (second Ctrl-C) skips close_spider
            pool.terminate()
        ctx.writer.close()
    return crawler.stats.get_stats()


def _quiet_collector() -> None:
    """The cyclic garbage collector at default thresholds took ~4% of the crawl process's CPU
    (0.8 s in a 5,000-article crawl, measured with gc.callbacks): every 700 allocations it scans
    the objects of pages in flight. Fewer, larger young collections, and the start-up objects
    (modules, settings) moved out of its way. The cleaning processes never trigger it."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
