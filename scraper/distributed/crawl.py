"""One process of a distributed crawl: the coordinator (`scraper crawl --redis`: discovery, and
fetching+cleaning like any worker) or a worker (`scraper worker`: fetching+cleaning only).

It is the local crawl (scraper.crawl: settings, clean pipeline, reject pipeline, stats, report)
with these parts swapped for shared ones:

    scheduler     scraper.distributed.scheduler.AckScheduler: the Redis queue, acknowledged requests
    crawl state   DistributedContext: skip/claims/headlines in Redis (scraper.distributed.shared_state)
    writing       ClaimWritePipeline + WorkerWriter: per-worker files, exactly-once claims
    lifecycle     WorkerLifecycle: heartbeat, requeueing dead workers' requests, when to stop

Guarantees: every request is fetched at least once (a request leaves a worker's processing zset
only when finished, and a dead worker's zset goes back to the queue); every article is written
exactly once across workers (see scraper.distributed.output).

Redis unreachable: the context keeps headlines and failure marks until it answers, and answers
"not seen" (the claim decides); an item that cannot be claimed is dropped as Redo and its request
fetched again (AckScheduler.redo). A line whose claim failed is settled, as a restarted worker
settles its files, before any other line is written. Unreachable for `redis_timeout` seconds, the
lifecycle closes the spider ("redis_unreachable").
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from cleaners.portals import portal_by_name
from cleaners.types import Article
from scraper.crawl.config import CrawlConfig
from scraper.crawl.context import CONTEXT, CrawlContext
from scraper.crawl.guard import refusal
from scraper.crawl.items import Window
from scraper.crawl.pipelines import CleanPipeline, Dropped, RejectPipeline, _Component
from scraper.crawl.state import StateStore
from scraper.distributed.output import recover_own_files
from scraper.distributed.request_codec import SECRET_ENV
from scraper.distributed.scheduler import COORDINATOR
from scraper.distributed.shared_state import LINK_ERRORS, Job, SharedState
from scraper.errors import OutputError

if TYPE_CHECKING:
    from scraper.distributed.redis_link import RedisLink
    from scraper.distributed.scheduler import AckScheduler

logger = logging.getLogger(__name__)


class Redo(Dropped):
    """An item whose outcome could not reach Redis: its request is fetched again, not acknowledged."""

    def __init__(self, exc: Exception) -> None:
        super().__init__(f"Redis unreachable ({exc}): fetched again once it answers", "redis_redo")


class Unwritten(Redo):
    """An item not written because the disk is full (or another write failed): the crawl stops,
    and its request, not acknowledged, goes back to the queue for another worker."""

    def __init__(self, exc: OutputError) -> None:
        Dropped.__init__(self, f"not written: {exc}", "unwritten")


class DistributedContext(CrawlContext):
    """The spider's state hooks answered from Redis; `state` is this worker's local SQLite (its
    copy of the headline index, which the cleaning processes read), `writer` a WorkerWriter."""

    def __init__(
        self, config: CrawlConfig, state: StateStore, writer: Any, shared: SharedState, link: RedisLink
    ) -> None:
        super().__init__(config, state, writer)
        self.shared, self.link = shared, link
        self.headlines_loaded = self.headlines_known = 0
        self.scheduler: AckScheduler | None = None  # set when the scheduler opens
        self._job: tuple[float, Job] | None = None
        self.refused: str | None = None  # why the job in Redis is not worked for (see job_refusal)
        self._headlines: list[tuple[str, str, str | None]] = []  # not in Redis yet (unreachable)
        self._failed: list[str] = []

    def should_skip(self, url: str, lastmod: datetime | None) -> bool:
        try:
            return self.shared.should_skip(url, lastmod, self.config.refresh)
        except LINK_ERRORS:
            return False  # requested; if it was done, its claim says so

    def add_headlines(self, rows: list[tuple[str, str, str | None]]) -> None:
        self._headlines += rows
        self._try_flush()

    def failed(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        try:
            self.writer.write_failure(url, reason, detail, kind)
        except OutputError as exc:
            self.output_failed(exc)
        if kind == "article":
            self._failed.append(url)  # not claimed: the next crawl asks for it again
            self._try_flush()

    def flush_pending(self) -> None:
        """Send the headlines and failure marks kept while Redis was unreachable (may raise)."""
        if self._headlines:
            self.shared.add_headlines(self._headlines)
            self._headlines = []
        while self._failed:
            self.shared.mark_failed(self._failed[-1])
            self._failed.pop()

    def _try_flush(self) -> None:
        with contextlib.suppress(*LINK_ERRORS):  # else sent before the next push or pop (AckScheduler._sync)
            self.flush_pending()

    def retry_urls(self) -> list[str]:
        try:
            return self.shared.failed_urls()
        except LINK_ERRORS:
            logger.warning("Redis unreachable: earlier failures are not asked for again this time")
            return []

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
        """The coordinator's window and base URL (read from Redis at most every 5 s). A job this
        process refuses (`refused` says why) is never used: the last accepted one (or none) is."""
        now = time.monotonic()
        if self._job is None or now - self._job[0] > 5:
            try:
                job = self.shared.job()
            except LINK_ERRORS:
                if self._job is None:
                    raise
                return self._job[1]
            self.refused = self.refused or job_refusal(job, self.config, self.shared.key("job"))
            if self.refused:
                job = self._job[1] if self._job else Job(Window(), None)
            self._job = (now, job)
        return self._job[1]


def job_refusal(job: Job, config: CrawlConfig, key: str) -> str | None:
    """Why this process must not work for `job`, or None. Its signature proves the coordinator
    shares our secret; its base URL decides which host is on-site for every request, so it must
    be the portal's, or the one this process was given (--base-url)."""
    if job.signed is False:
        return (
            f"the job in Redis ({key}) is not signed with this process's secret: give every process "
            f"of the crawl the same {SECRET_ENV} (or --redis-secret), or someone else wrote the job"
        )
    if job.base_url is None or job.base_url.rstrip("/") == (config.base_url or "").rstrip("/"):
        return None
    reason = refusal(job.base_url, config.base_url or "", portal_by_name(config.portal))
    if reason is not None:
        return (
            f"the job's base URL {job.base_url} is not on {config.portal}'s hosts ({reason}): "
            "give this worker the same --base-url to crawl a mirror"
        )
    return None


class SyncedCleanPipeline(CleanPipeline):
    async def process_item(self, item: Any) -> Any:
        try:
            self.ctx.sync_headlines()  # type: ignore[attr-defined]
        except LINK_ERRORS as exc:
            raise Redo(exc) from exc
        return await super().process_item(item)


class SharedRejectPipeline(RejectPipeline):
    def process_item(self, item: Any) -> Any:
        try:
            return super().process_item(item)  # claimed before it is written
        except LINK_ERRORS as exc:
            raise Redo(exc) from exc
        except Dropped as dropped:
            if self.ctx.output_failure is not None and dropped.key == "unwritten":
                raise Unwritten(self.ctx.output_failure) from None
            raise


class ClaimWritePipeline(_Component):
    """The local Filter and Write pipelines in one step: the window check for articles whose feed
    had no date, then write and claim (a URL or text someone already wrote is dropped)."""

    unsettled = False  # a line is written whose claim failed (Redis unreachable)

    def process_item(self, item: Any) -> Any:
        article = item.result
        assert isinstance(article, Article)
        try:
            if item.published is None and not self.ctx.job().window.contains(self._published(article)):  # type: ignore[attr-defined]
                raise Dropped(f"published {article.published_at}, outside the window", "out_of_window")
            if self.unsettled:  # before another line is written after it (see WorkerWriter)
                settled = recover_own_files(self.ctx.writer.dir, self.ctx.shared, self.ctx.state)  # type: ignore[attr-defined]
                self.unsettled = False
                # Its item was dropped (Redo): the line counts as written now, whether the claim
                # is made now or had landed before its answer was lost (its refetch is then dropped).
                self.crawler.stats.inc_value("news/written", settled.claimed + settled.mine)
            self.unsettled = True  # until the claim's answer is in
            owner = self.ctx.writer.write_article(article)
            self.unsettled = False
        except LINK_ERRORS as exc:
            raise Redo(exc) from exc
        except OutputError as exc:  # nothing written or claimed
            self.unsettled = False
            self.ctx.output_failed(exc)
            raise Unwritten(exc) from None
        if self.ctx.writer.failure is not None:  # written and claimed, but the disk is full now
            self.ctx.output_failed(self.ctx.writer.failure)
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
    being discovered); a worker when that has lasted `idle_exit` seconds (0: never); either when
    Redis has been unreachable for the link's timeout, or came back without the job."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ctx: DistributedContext = crawler.settings[CONTEXT]
        self.shared, self.link = self.ctx.shared, self.ctx.link
        self.gave_up = False
        self.coordinator = crawler.settings.getbool(COORDINATOR)
        self.idle_exit = crawler.settings.getfloat("NEWS_IDLE_EXIT", 10.0)
        self.idle_since: float | None = None
        self.beats = task.LoopingCall(self.beat)
        crawler.signals.connect(self.opened, signals.spider_opened)
        crawler.signals.connect(self.idle, signals.spider_idle)
        crawler.signals.connect(self.closed, signals.spider_closed)
        crawler.signals.connect(self.dropped, signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerLifecycle:
        return cls(crawler)

    def opened(self, spider: scrapy.Spider) -> None:
        self.beats.start(self.shared.ttl_ms / 5000, now=True)

    def beat(self) -> None:
        # Nothing may escape: it would end these beats, and the decision to give up with them
        # (SystemExit too: Rich raises it on a log line when stderr is a closed pipe).
        try:
            self._beat()
        except LINK_ERRORS:  # unreachable for a moment: the next beat tries again, for a while
            self.crawler.stats.inc_value("news/redis_errors")
        except (Exception, SystemExit):
            with contextlib.suppress(Exception, SystemExit):
                logger.exception("heartbeat failed")
        self._give_up_if_needed()

    def _give_up_if_needed(self) -> bool:
        """Close the spider when Redis is gone for too long, lost the job, or the job is refused."""
        if self.gave_up:
            return True
        if self.ctx.refused:
            reason = "job_refused"
        elif self.link.state_lost:
            reason = "redis_state_lost"
        elif self.link.expired:
            reason = "redis_unreachable"
        else:
            return False
        self.gave_up = True
        closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))  # type: ignore[union-attr]
        closing.addErrback(lambda failure: logger.error("closing the spider failed: %s", failure.value))
        return True

    def _beat(self) -> None:
        job_there, scheduler = self.shared.beat(), self.ctx.scheduler
        if scheduler is not None:
            self.link.state_lost |= scheduler.touched and not job_there  # even if no error showed
            scheduler.flush_acks()
        if self.coordinator and self._discovering():
            self.shared.refresh_discovery()
        requeued = self.shared.reap()
        if requeued:
            self.crawler.stats.inc_value("news/requeued", requeued)

    def dropped(self, item: Any, response: Response, exception: BaseException, spider: scrapy.Spider) -> None:
        if isinstance(exception, Redo) and self.ctx.scheduler is not None and response is not None:
            self.ctx.scheduler.redo(response.request)  # type: ignore[arg-type]

    def _discovering(self) -> bool:
        # Start requests not all out yet, or discovery requests queued or in flight.
        started_all = getattr(self.crawler.spider, "start_done", True)
        return not started_all or bool(self.ctx.scheduler and self.ctx.scheduler.discovering)

    def idle(self, spider: scrapy.Spider) -> None:
        try:
            self._idle()
        except LINK_ERRORS:
            raise DontCloseSpider from None

    def _idle(self) -> None:
        if self._give_up_if_needed():
            raise DontCloseSpider  # closing with its own reason
        if self.ctx.scheduler is not None and not self.ctx.scheduler.flush_acks(resync=True):
            raise DontCloseSpider  # what this worker finished is not acknowledged yet
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
