"""The cleaning as a Scrapy item pipeline, for any Scrapy project:

    ITEM_PIPELINES = {"scraper.integrations.pipeline.CleanArticlePipeline": 300}

It cleans items that carry a fetched page: our spiders' `ArticlePage` items, or any item (dict,
dataclass, scrapy.Item) with `url` and `body` (the response body, bytes or str; `html` also
works) and optionally `content_type`, `status`, `fetched_at`. The item becomes the article record
(README "Output schema"), keeping the item's other fields; a page that is no article is dropped
with its reason (stats `news/rejected/<reason>`). Items without a page pass through unchanged.

Cleaning runs in a pool of processes (`NEWS_CLEAN_JOBS`, default one per core) while Scrapy keeps
fetching, with the same per-page limits as our crawls; it needs Scrapy's asyncio reactor (the
default since Scrapy 2.13). Settings: `NEWS_PORTAL` (portal rules by name, e.g. for a mirror;
default: by the page's host), `NEWS_MIN_WORDS` (20), `NEWS_CLEAN_TIMEOUT` (10 seconds).
"""

from __future__ import annotations

import os
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from cleaners.portals import portal_by_name
from cleaners.settings import CleanSettings
from cleaners.types import Article, Rejected, utc_now_iso
from scraper.crawl.clean_job import CleanJob
from scraper.crawl.clean_pool import CleanPool
from scraper.crawl.items import ArticlePage

PAGE_FIELDS = ("body", "html")
_CONSUMED = ("url", *PAGE_FIELDS, "bodies", "content_type", "status", "fetched_at", "result")


class CleanArticlePipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.portal = settings.get("NEWS_PORTAL") or None
        if self.portal and portal_by_name(self.portal) is None:
            raise NotConfigured(f"NEWS_PORTAL {self.portal!r}: no such portal rules")
        self.jobs = settings.getint("NEWS_CLEAN_JOBS", 0) or os.cpu_count() or 1
        self.clean = CleanSettings(
            min_words=settings.getint("NEWS_MIN_WORDS", 20),
            time_limit=settings.getfloat("NEWS_CLEAN_TIMEOUT", 10.0),
        )
        self.pool: CleanPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanArticlePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        # A job's own SIGALRM limit first; the pool's deadline is for a worker stuck in C code.
        self.pool = CleanPool(self.jobs, 2 * self.clean.time_limit + 5)

    def close_spider(self, spider: Any = None) -> None:
        if self.pool is not None:
            self.pool.close()

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        job = self._job(item)
        if job is None:
            return item  # not a page: someone else's item
        assert self.pool is not None
        result = await self.pool.clean(job)
        stats = self.crawler.stats
        if isinstance(result, Rejected):
            if stats is not None:
                stats.inc_value(f"news/rejected/{result.reason}")
            raise DropItem(f"rejected ({result.reason}): {result.detail} <{result.url}>", log_level="INFO")
        assert isinstance(result, Article)
        if stats is not None:
            stats.inc_value("news/cleaned")
        if isinstance(item, ArticlePage):
            return result.to_dict()
        kept = {k: v for k, v in ItemAdapter(item).items() if k not in _CONSUMED}
        return {**kept, **result.to_dict()}

    def _job(self, item: Any) -> CleanJob | None:
        if isinstance(item, ArticlePage):
            return CleanJob(
                url=item.url, bodies=tuple(item.bodies), portal=self.portal, content_type=item.content_type,
                fetched_at=item.fetched_at, status=item.status, own_title=item.title, settings=self.clean,
            )  # fmt: skip
        if not ItemAdapter.is_item(item):
            return None
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        body = next((adapter.get(name) for name in PAGE_FIELDS if adapter.get(name) is not None), None)
        if not isinstance(url, str) or not isinstance(body, bytes | str):
            return None
        content_type = adapter.get("content_type")
        return CleanJob(
            url=url, bodies=(body.encode("utf-8") if isinstance(body, str) else body,),
            portal=self.portal, content_type=content_type.decode("latin-1") if isinstance(content_type, bytes)
            else content_type, fetched_at=adapter.get("fetched_at") or utc_now_iso(),
            status=int(adapter.get("status") or 200), settings=self.clean,
        )  # fmt: skip
