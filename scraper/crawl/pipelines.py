"""The crawl's item pipelines, in order: an ArticlePage goes

-> CleanPipeline (process pool) -> RejectPipeline -> FilterPipeline
-> WritePipeline (dated JSON lines + state, in one step)
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from cleaners.types import Article, Rejected
from scraper.crawl.clean_job import CleanJob
from scraper.crawl.clean_pool import CleanPool
from scraper.crawl.context import CONTEXT, CrawlContext
from scraper.crawl.items import ArticlePage
from scraper.crawl.quality import tally
from scraper.crawl.sinks import output_error
from scraper.errors import OutputError


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

    def write(self, write: Any, record: Any) -> Any:
        """`write(record)`; a failed write (disk full) stops the crawl and drops the item unwritten."""
        try:
            return write(record)
        except sqlite3.Error as exc:  # a state write of its own (disk full)
            failure = output_error(exc, self.ctx.state.path)
        except OutputError as exc:
            failure = exc
        self.ctx.output_failed(failure)
        raise Dropped(f"not written: {failure}", "unwritten")


class CleanPipeline(_Component):
    """clean_page in a process pool; fetching goes on while both cores clean."""

    pool: CleanPool
    owns_pool = False

    def open_spider(self) -> None:
        if self.ctx.pool is not None:  # the run's pool, shared by the portals crawled side by side
            self.pool = self.ctx.pool
            return
        # A job's own SIGALRM limit first; the pool's deadline is for workers stuck in C code
        # (twice the limit and then some: the last resort, for a job past any limit of its own).
        deadline = 2 * self.ctx.config.clean.time_limit + 5
        self.pool = self.ctx.pool = CleanPool(self.ctx.config.jobs or os.cpu_count() or 1, deadline)
        self.owns_pool = True

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
        if self.owns_pool:
            self.pool.close()


class RejectPipeline(_Component):
    """Pages that yield no article go to rejects.jsonl with their reason, and stop here."""

    def process_item(self, item: ArticlePage) -> ArticlePage:
        tally(self.ctx.quality, item.result)  # every cleaned article page: the quality figures
        if isinstance(item.result, Rejected):
            self.write(self.ctx.writer.write_reject, item.result)
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
            self.write(lambda a: self.ctx.state.mark(a.url, status, a.content_hash), article)
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
        self.write(self.ctx.writer.write_article, item.result)
        return item
