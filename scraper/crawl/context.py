"""What the spider hooks, item pipelines and extensions of one crawl share: its settings, state
store, output writer and cleaning pool. Reached from a component through the crawl's settings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scraper.crawl.clean_pool import CleanPool
    from scraper.crawl.config import CrawlConfig
    from scraper.crawl.output_files import OutputWriter
    from scraper.crawl.state import StateStore

CONTEXT = "NEWS_CONTEXT"  # settings key holding the shared CrawlContext


class CrawlContext:
    """What the spider hooks, pipelines and extension of one crawl share. Scrapy deep-copies its
    settings; this object is shared state, so a copy returns the object itself."""

    def __init__(self, config: CrawlConfig, state: StateStore, writer: OutputWriter) -> None:
        self.config, self.state, self.writer = config, state, writer
        self.pool: CleanPool | None = None  # set by CleanPipeline; ended by run_crawl whatever happens
        self.quality: dict[str, int] = {}  # scraper.crawl.quality.tally's counts; join the stats at the end

    def __deepcopy__(self, memo: dict[int, Any]) -> CrawlContext:
        return self

    # scraper.crawl.items.StateHooks
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

    def verdict(self, url: str) -> str | None:
        found = self.state.status_detail(url)
        if found is None:
            return None
        status, detail = found
        return "article" if status in ("written", "duplicate") else detail if status == "rejected" else None
