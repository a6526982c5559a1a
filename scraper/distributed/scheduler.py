"""The scrapy-redis seam: a shared request queue with acknowledgement, for crawls on many machines.

scrapy-redis pops requests destructively, so a worker that dies loses what it held. Here a pop
atomically moves requests from the shared queue into the worker's own processing zset (one Lua
script), and a request leaves that zset only once Scrapy has finished with it: response through
the callback and every item through the pipelines (written or rejected), or the errback after the
final failure, or a retry/redirect request enqueued in its place. Workers whose heartbeat expired
get their processing zset moved back to the queue by the others (scraper.distributed.shared_state.reap).

    AckQueue      (scraper.distributed.ack_queue) scrapy_redis.queue.Base: priority + FIFO within a priority,
                  a batched pop into processing that carries the pending acknowledgements
    AckScheduler  scrapy_redis.scheduler.Scheduler: article requests go to Redis (deduplicated by
                  scrapy-redis' RFPDupeFilter fingerprints, keyed per portal); on the coordinator,
                  discovery requests stay in a local queue: the spider's discovery state is there
    AckCrawler    a Crawler whose engine tells the scheduler when a request is finished

Redis unreachable (stopped, restarting, network; see scraper.distributed.redis_link.RedisLink): nothing new
goes out; what cannot be pushed or acknowledged waits (pushes first: a request is acknowledged only
once the requests it led to are queued); a request whose item could not be claimed is fetched
again, not acknowledged. Once Redis answers, all that is sent, and this worker's processing zset
is resynced (a pop whose reply was lost left requests there). Unreachable for too long, the crawl
stops (scraper.distributed.crawl.WorkerLifecycle): what it held stays in its processing zset, and the
other workers' reap requeues it.

Fixed at this seam for Scrapy 2.19: there is no public "request finished" hook, the engine polls
an empty scheduler only every 5 s (both: the engine subclass, the one place touching Scrapy
internals), and Request.to_dict(spider=...) costs ~1.4 ms per request (AckQueue._encode_request);
scrapy-redis' blocking pop and its flush on close are not used.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
from collections import deque
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, Spider
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from scraper.crawl.context import CONTEXT
from scraper.distributed.ack_queue import AckQueue
from scraper.distributed.shared_state import LINK_ERRORS, SharedState

if TYPE_CHECKING:
    from scraper.distributed.redis_link import RedisLink

logger = logging.getLogger(__name__)
COORDINATOR = "NEWS_COORDINATOR"  # settings key: True in the process that runs discovery
MAX_HELD = "NEWS_MAX_HELD"  # settings key: requests one worker may hold unacknowledged


class AckScheduler(Scheduler):
    def __init__(self, server: Any, crawler: Crawler, context: Any, **kwargs: Any) -> None:
        # persist: a worker that finishes must not flush the queue and filter the others still use.
        super().__init__(server, persist=True, **kwargs)
        self.crawler, self.context = crawler, context
        self.shared: SharedState = context.shared
        self.link: RedisLink = context.link
        self.coordinator = crawler.settings.getbool(COORDINATOR)
        self.max_held = max(1, crawler.settings.getint(MAX_HELD, 16))
        self.batch = max(1, self.max_held // 4)
        self.held: dict[Request, bytes] = {}  # popped from Redis, not yet acknowledged
        self.ready: deque[Request] = deque()  # popped, not yet handed to the engine
        self.acks: list[bytes] = []  # finished, to acknowledge with the next pop
        self.unpushed: deque[tuple[Request, str]] = deque()  # enqueued while Redis was unreachable
        self.local: list[tuple[int, int, Request]] = []  # discovery, on the coordinator: a heap
        self.local_active: set[Request] = set()
        self._local_seen: set[bytes] = set()
        self._order = itertools.count()
        self._synced = self.link.outages  # the outages this worker's processing zset is resynced after
        self.touched = False  # pushed or popped: the job's keys exist
        self.refused: str | None = None  # why this process will not work for the job in Redis

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = crawler.settings[CONTEXT]  # a worker_crawl.DistributedContext
        instance = cls(context.shared.client, crawler, context, serializer=None)
        instance.stats = crawler.stats
        return instance

    def open(self, spider: Spider) -> None:
        self.spider = spider
        shared = self.shared
        self.queue = AckQueue(self.server, spider, shared.key("queue"), self.serializer, shared=shared)
        # scrapy-redis' filter, keyed per portal: its fingerprints; the check is in the push script.
        self.df = RFPDupeFilter(self.server, key=self.shared.key("dupefilter"))
        self.context.scheduler = self  # the lifecycle extension asks it whether discovery is pending

    def close(self, reason: str) -> None:
        # The queue and the filter belong to the job, not to this worker. Redis unreachable: no
        # waiting for it; what this worker holds stays in its processing zset for the others.
        if not self.link.down:
            self.flush_acks()

    def __len__(self) -> int:  # requests queued in Redis, or to be
        try:
            return len(self.unpushed) + len(self.queue)
        except LINK_ERRORS:
            return len(self.unpushed)

    @property
    def discovering(self) -> bool:
        return bool(self.local or self.local_active)

    def enqueue_request(self, request: Request) -> bool:
        if self.coordinator and "article" not in request.meta:
            return self._enqueue_local(request)
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if self._sync():
            try:
                return self._push(request, fingerprint)
            except LINK_ERRORS:
                pass
        self.unpushed.append((request, fingerprint))  # pushed once Redis answers, before any ack
        return True

    def _push(self, request: Request, fingerprint: str) -> bool:
        try:
            pushed = self.queue.push(request, fingerprint)
        except (TypeError, ValueError) as exc:  # meta that is not plain data: a bug, never silent
            logger.error("cannot queue %s in Redis: %s", request.url, exc)
            self.stats.inc_value("news/failed/unqueueable")
            if url := request.meta.get("article"):
                self.context.failed(url, "unqueueable", str(exc))
            return False
        if not pushed:
            self.df.log(request, self.spider)
            return False
        self.touched = True
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _enqueue_local(self, request: Request) -> bool:
        fingerprint = self.crawler.request_fingerprinter.fingerprint(request)
        if not request.dont_filter and fingerprint in self._local_seen:
            return False
        self._local_seen.add(fingerprint)
        heapq.heappush(self.local, (-request.priority, next(self._order), request))
        self.stats.inc_value("scheduler/enqueued/local")
        return True

    def next_request(self) -> Request | None:
        if self.refused or not self._sync():
            return None  # nothing goes out while Redis is unreachable: its outcome could not be kept
        # Discovery first: it is what feeds every worker.
        if self.local:
            request = heapq.heappop(self.local)[2]
            self.local_active.add(request)
            return request
        if not self.ready:
            self._fill()
        return self.ready.popleft() if self.ready else None

    def _sync(self, resync: bool = False) -> bool:
        """Send what waits for Redis, in order: the context's writes (the headlines before the
        articles they describe), the pushes, and after an outage (or with `resync`) the resync of
        this worker's processing zset with what it holds. True when nothing waits any more (no
        round trip if nothing did)."""
        try:
            self.context.flush_pending()
            while self.unpushed:
                self._push(*self.unpushed[0])
                self.unpushed.popleft()
            outage = self._synced != self.link.outages
            if outage or resync:
                acks, self.acks = self.acks, []
                try:
                    moved = self.queue.resync(list(self.held.values()), acks, self.touched and outage)
                except BaseException:
                    self.acks[:0] = acks
                    raise
                self._synced = self.link.outages
                self.link.state_lost |= moved < 0
                self.stats.inc_value("news/resynced", max(0, moved))
        except LINK_ERRORS:
            return False
        return not self.link.state_lost

    def _fill(self) -> None:
        # At most max_held at a time (the rest stays in Redis for the other workers), and only
        # once a batch's worth is free, so that one round trip brings several requests.
        free = self.max_held - len(self.held)
        if free < self.batch:
            return
        if self.refused:
            return
        acks, self.acks = self.acks, []
        try:
            popped = self.queue.pop_many(free, acks)
        except LINK_ERRORS:
            self.acks[:0] = acks  # sent again (a lost reply: the resync takes what it popped)
            return
        self.touched |= bool(popped.requests or popped.undecodable)
        self.context.headlines_known = max(self.context.headlines_known, popped.headlines)
        if popped.requests or popped.undecodable:
            # The job exists: have its window and base URL at hand while Redis is away, and refuse
            # one this process may not work for (then what it popped goes back at sign-off).
            with contextlib.suppress(*LINK_ERRORS):
                self.context.job()
            if self.context.refused:
                self.refused = self.context.refused
                return
        self._bury(popped.undecodable)
        for request, data in popped.requests:
            self.held[request] = data
            self.ready.append(request)
        self.stats.inc_value("scheduler/dequeued/redis", len(popped.requests))

    def _bury(self, entries: list[tuple[bytes, str]]) -> None:
        """Entries no process of this job wrote (its job is signed with our secret, so not another
        secret's): moved to the dead letters, never loaded; the crawl goes on."""
        if not entries:
            return
        try:
            self.queue.bury([data for data, _ in entries])
        except LINK_ERRORS:
            return  # still in the processing zset: popped and judged again after the resync
        self.stats.inc_value("news/dead_letter", len(entries))
        for data, why in entries:
            logger.warning(
                "moved a queue entry this job did not write to %s (%s; %d bytes, starting %r)",
                self.queue.dead, why, len(data), data[:24],
            )  # fmt: skip

    def ack(self, request: Request) -> None:
        """Scrapy is done with `request`: it leaves this worker's processing zset with the next
        pop (or flush); a worker killed before that gets it fetched again, which is harmless."""
        self.local_active.discard(request)
        data = self.held.pop(request, None)
        if data is not None:
            self.acks.append(data)

    def redo(self, request: Request) -> None:
        """`request` is finishing, but its item could not be claimed (Redis unreachable): it is
        not acknowledged but fetched again, from its stored form, once Redis answers."""
        data = self.held.pop(request, None)
        if data is not None:
            fresh = self.queue._decode_request(data)
            self.held[fresh] = data
            self.ready.appendleft(fresh)

    def flush_acks(self, resync: bool = False) -> bool:
        """Send what waits for Redis, acknowledgements last; False while Redis is unreachable.
        `resync` (when idle): requests in this worker's processing zset that it does not hold go
        back to the queue, else the job would never look idle."""
        if not self._sync(resync):
            return False
        if self.acks:
            acks, self.acks = self.acks, []
            try:
                self.queue.pop_many(0, acks)
            except LINK_ERRORS:
                self.acks[:0] = acks
                return False
        return True

    def has_pending_requests(self) -> bool:
        if self.local or self.ready or self.unpushed or self.link.down:
            return True  # Redis unreachable: not idle (WorkerLifecycle decides when to give up)
        try:
            return len(self.queue) > 0
        except LINK_ERRORS:
            return True


class AckEngine(ExecutionEngine):
    # An idle worker asks the shared queue for work this often (Scrapy's default is 5 s).
    _SLOT_HEARTBEAT_INTERVAL = 0.5

    def _remove_request(self, _: Any, request: Request) -> None:
        """Called by the engine once a request is finished: response (or failure) through the
        callback (or errback) and the items it yielded through the pipelines."""
        scheduler = self._slot.scheduler if self._slot is not None else None
        try:
            ack = getattr(scheduler, "ack", None)
            if ack is not None:
                ack(request)  # before the slot may close and the worker give back what it holds
        except Exception:  # Redis gone: the request stays in processing and is fetched again
            logger.exception("could not acknowledge %s", request)
        finally:
            super()._remove_request(_, request)


class AckCrawler(Crawler):
    def _create_engine(self) -> ExecutionEngine:
        return AckEngine(self, lambda _: self.stop_async())
