"""What the spider hooks, item pipelines and extensions of one crawl share: its settings, state
store, output writer and cleaning pool. Reached from a component through the crawl's settings."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scraper.crawl.sinks import output_error
from scraper.errors import OutputError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from scraper.crawl.clean_pool import CleanPool
    from scraper.crawl.config import CrawlConfig
    from scraper.crawl.output_files import OutputWriter
    from scraper.crawl.state import StateStore

CONTEXT = "NEWS_CONTEXT"  # settings key holding the shared CrawlContext
logger = logging.getLogger(__name__)


class CrawlContext:
    """What the spider hooks, pipelines and extension of one crawl share. Scrapy deep-copies its
    settings; this object is shared state, so a copy returns the object itself."""

    def __init__(self, config: CrawlConfig, state: StateStore, writer: OutputWriter) -> None:
        self.config, self.state, self.writer = config, state, writer
        self.pool: CleanPool | None = None  # set by CleanPipeline; ended by run_crawl whatever happens
        self.quality: dict[str, int] = {}  # scraper.crawl.quality.tally's counts; join the stats at the end
        self.crawler: Crawler | None = None  # set once the crawler exists (run_to_end)
        self.output_failure: OutputError | None = None  # the write that stopped the crawl

    def output_failed(self, exc: OutputError) -> None:
        """A write failed (disk full...): stop the crawl with its reason, once. What is in flight
        is dropped unwritten (the writer refuses every write after the first failure) and
        fetched again by the next run."""
        if self.output_failure is not None:
            return
        self.output_failure = exc
        from scrapy.utils.defer import deferred_from_coro  # Scrapy only once a crawl runs

        engine = self.crawler.engine if self.crawler is not None else None
        if engine is not None:
            closing = deferred_from_coro(engine.close_spider_async(reason=exc.reason))
            closing.addErrback(lambda failure: logger.error("closing the spider failed: %s", failure.value))

    def __deepcopy__(self, memo: dict[int, Any]) -> CrawlContext:
        return self

    # scraper.crawl.items.StateHooks
    def should_skip(self, url: str, lastmod: datetime | None) -> bool:
        return self.state.should_skip(url, lastmod, self.config.refresh)

    def add_headlines(self, rows: list[tuple[str, str, str | None]]) -> None:
        try:
            self.state.add_headlines(rows)
        except sqlite3.Error as exc:  # the disk is full: the crawl stops
            self.output_failed(output_error(exc, self.state.path))

    def failed(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        try:
            self.writer.write_failure(url, reason, detail, kind)
            if kind == "article" and self.state.status(url) in (None, "failed"):
                self.state.mark(url, "failed", detail=reason)  # not seen: a later run asks again
        except OutputError as exc:
            self.output_failed(exc)  # not recorded: the next run finds the URL again anyway
        except sqlite3.Error as exc:
            self.output_failed(output_error(exc, self.state.path))

    def retry_urls(self) -> list[str]:
        return self.state.failed_urls()

    def verdict(self, url: str) -> str | None:
        found = self.state.status_detail(url)
        if found is None:
            return None
        status, detail = found
        return "article" if status in ("written", "duplicate") else detail if status == "rejected" else None
