"""One process of a distributed crawl: the coordinator (`scraper crawl --redis`: discovery, and
fetching+cleaning like any worker) or a worker (`scraper worker`: fetching+cleaning only).

It is the local crawl (scraper.crawl: settings, clean pipeline, reject pipeline, stats, report)
with these parts swapped for shared ones:

    scheduler     scraper.distributed.AckScheduler: the Redis queue, acknowledged requests
    crawl state   DistributedContext: skip/claims/headlines in Redis (scraper.shared_state)
    writing       ClaimWritePipeline + WorkerWriter: per-worker files, exactly-once claims
    lifecycle     WorkerLifecycle: heartbeat, requeueing dead workers' requests, when to stop

Guarantees: every request is fetched at least once (a request leaves a worker's processing zset
only when finished, and a dead worker's zset goes back to the queue); every article is written
exactly once across workers (see scraper.worker_output).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from twisted.internet import task

from scraper.crawl import CONTEXT, CleanPipeline, CrawlConfig, CrawlContext, Dropped, _Component
from scraper.distributed import COORDINATOR
from scraper.shared_state import Job, SharedState
from scraper.state import StateStore
from scraper.types import Article

if TYPE_CHECKING:
    from scraper.distributed import AckScheduler


class DistributedContext(CrawlContext):
    """The spider's state hooks answered from Redis; `state` is this worker's local SQLite (its
    copy of the headline index, which the cleaning processes read), `writer` a WorkerWriter."""

    def __init__(self, config: CrawlConfig, state: StateStore, writer: Any, shared: SharedState) -> None:
        super().__init__(config, state, writer)
        self.shared = shared
        self.headlines_loaded = self.headlines_known = 0
        self.scheduler: AckScheduler | None = None  # set when the scheduler opens
        self._job: tuple[float, Job] | None = None

    def should_skip(self, url: str, lastmod: datetime | None) -> bool:
        return self.shared.should_skip(url, lastmod, self.config.refresh)

    def add_headlines(self, rows: list[tuple[str, str, str | None]]) -> None:
        self.shared.add_headlines(rows)

    def failed(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        self.writer.write_failure(url, reason, detail, kind)
        if kind == "article":
            self.shared.mark_failed(url)  # not claimed: the next crawl asks for it again

    def retry_urls(self) -> list[str]:
        return self.shared.failed_urls()

    def sync_headlines(self) -> None:
        """Copy the headlines added to Redis since the last copy into the local index. Each pop
        of requests reports the index's length then (`headlines_known`), and the coordinator adds
        a feed's titles before it queues the feed's articles: so an article's teasers are known
        by the time it is cleaned, at no extra round trip when nothing is new."""
        if self.headlines_known > self.headlines_loaded:
            rows = self.shared.headlines(self.headlines_loaded, -1)
            self.state.add_headlines(rows)
            self.headlines_loaded += len(rows)

    def job(self) -> Job:
        """The coordinator's window and base URL (read from Redis at most every 5 s)."""
        now = time.monotonic()
        if self._job is None or now - self._job[0] > 5:
            self._job = (now, self.shared.job())
        return self._job[1]


class SyncedCleanPipeline(CleanPipeline):
    async def process_item(self, item: Any) -> Any:
        self.ctx.sync_headlines()  # type: ignore[attr-defined]
        return await super().process_item(item)


class ClaimWritePipeline(_Component):
    """The local Filter and Write pipelines in one step: the window check for articles whose feed
    had no date, then write and claim (a URL or text someone already wrote is dropped)."""

    def process_item(self, item: Any) -> Any:
        article = item.result
        assert isinstance(article, Article)
        if item.published is None and not self.ctx.job().window.contains(self._published(article)):  # type: ignore[attr-defined]
            raise Dropped(f"published {article.published_at}, outside the window", "out_of_window")
        owner = self.ctx.writer.write_article(article)
        if owner is not None:
            key = "duplicate" if owner.startswith("duplicate") else "already_done"
            raise Dropped(f"{article.url}: {owner}", key)
        return item

    def _published(self, article: Article) -> datetime | None:
        try:
            when = datetime.fromisoformat(article.published_at or "")
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=self.ctx.writer.tz)


class WorkerLifecycle:
    """Extension: heartbeat, requeueing the requests of dead workers, discovery flag, and the
    decision to stop: the coordinator stops when the job is done (nothing queued, in flight or
    being discovered); a worker when that has lasted `idle_exit` seconds (0: never)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ctx: DistributedContext = crawler.settings[CONTEXT]
        self.shared = self.ctx.shared
        self.coordinator = crawler.settings.getbool(COORDINATOR)
        self.idle_exit = crawler.settings.getfloat("NEWS_IDLE_EXIT", 10.0)
        self.idle_since: float | None = None
        self.beats = task.LoopingCall(self.beat)
        crawler.signals.connect(self.opened, signals.spider_opened)
        crawler.signals.connect(self.idle, signals.spider_idle)
        crawler.signals.connect(self.closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerLifecycle:
        return cls(crawler)

    def opened(self, spider: scrapy.Spider) -> None:
        self.beats.start(self.shared.ttl_ms / 5000, now=True)

    def beat(self) -> None:
        try:
            self.shared.beat()
            if self.ctx.scheduler is not None:
                self.ctx.scheduler.flush_acks()
            if self.coordinator and self._discovering():
                self.shared.refresh_discovery()
            requeued = self.shared.reap()
        except Exception:  # Redis unreachable for a moment: the next beat tries again
            self.crawler.stats.inc_value("news/redis_errors")
            return
        if requeued:
            self.crawler.stats.inc_value("news/requeued", requeued)

    def _discovering(self) -> bool:
        # Start requests not all out yet, or discovery requests queued or in flight.
        started_all = getattr(self.crawler.spider, "start_done", True)
        return not started_all or bool(self.ctx.scheduler and self.ctx.scheduler.discovering)

    def idle(self, spider: scrapy.Spider) -> None:
        if self.ctx.scheduler is not None:
            self.ctx.scheduler.flush_acks()  # what this worker finished is not in flight any more
        if self.coordinator and not self._discovering():
            self.shared.end_discovery()
        activity = self.shared.activity()
        if not activity.idle:
            self.idle_since = None
            raise DontCloseSpider
        if self.coordinator:
            return  # the job is done
        now = time.monotonic()
        self.idle_since = self.idle_since or now
        if self.idle_exit <= 0 or now - self.idle_since < self.idle_exit:
            raise DontCloseSpider

    def closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self.beats.running:
            self.beats.stop()
