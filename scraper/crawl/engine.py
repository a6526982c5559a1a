"""The Scrapy settings a crawl runs with: the engine's own (shared with benchmarks/scrapy_floor.py)
and the crawl's components (guards, retries, pipelines, stats) on top."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from scraper import __version__
from scraper.crawl.config import CrawlConfig
from scraper.crawl.context import CONTEXT, CrawlContext

USER_AGENT = f"news-scraper/{__version__} (+https://github.com/news-scraper/news-scraper; contact in README)"


def engine_settings(config: CrawlConfig) -> dict[str, Any]:
    """Scrapy's engine as the crawl runs it: reactor, event loop, concurrency and what the engine
    does per request. benchmarks/scrapy_floor.py runs its bare spider with these."""
    return {
        "BOT_NAME": "news-scraper",
        "USER_AGENT": USER_AGENT,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": max(16, config.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrency,
        # Per response; Scrapy starts this many worker tasks for every response's output, and every
        # callback of ours yields one item (an article) or only requests (discovery), so one is as
        # fast: 100 (the default) cost ~0.5 ms of event loop time per page, 8 still ~0.04 ms.
        "CONCURRENT_ITEMS": 1,
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
    engine = engine_settings(config)
    settings = {
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
            "scraper.crawl.guard.OffsiteGuard": 50,  # before robots.txt is fetched for a foreign host
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "scraper.crawl.components.BackoffRetryMiddleware": 550,
            "scraper.crawl.guard.RedirectGuard": 650,  # sees a 3xx before RedirectMiddleware (600)
            "scraper.crawl.components.HeadMetaRefreshMiddleware": 580,  # skips pages without "refresh"
        },
        "ITEM_PIPELINES": {
            "scraper.crawl.pipelines.CleanPipeline": 100,
            "scraper.crawl.pipelines.RejectPipeline": 200,
            "scraper.crawl.pipelines.FilterPipeline": 300,
            "scraper.crawl.pipelines.WritePipeline": 400,
        },
        "EXTENSIONS": {"scraper.crawl.components.CrawlStats": 500},
        CONTEXT: ctx,
    }
    settings.update(config.scrapy_overrides)  # the user's -s NAME=VALUE have the last word
    return settings
