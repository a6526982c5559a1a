"""The scrapy-redis seam: a shared request queue with acknowledgement, for crawls on many machines.

scrapy-redis pops requests destructively, so a worker that dies loses what it held. Here a pop
atomically moves requests from the shared queue into the worker's own processing zset (one Lua
script), and a request leaves that zset only once Scrapy has finished with it: response through
the callback and every item through the pipelines (written or rejected), or the errback after the
final failure, or a retry/redirect request enqueued in its place. Workers whose heartbeat expired
get their processing zset moved back to the queue by the others (scraper.shared_state.reap).

    AckQueue      scrapy_redis.queue.Base: priority + FIFO within a priority, a batched pop into
                  processing that carries the pending acknowledgements (one round trip)
    AckScheduler  scrapy_redis.scheduler.Scheduler: article requests go to Redis (deduplicated by
                  scrapy-redis' RFPDupeFilter fingerprints, keyed per portal); on the coordinator,
                  discovery requests stay in a local queue: the spider's discovery state is there
    AckCrawler    a Crawler whose engine tells the scheduler when a request is finished

Redis unreachable (stopped, restarting, network; see scraper.redis_link.RedisLink): nothing new
goes out; what cannot be pushed or acknowledged waits (pushes first: a request is acknowledged only
once the requests it led to are queued); a request whose item could not be claimed is fetched
again, not acknowledged. Once Redis answers, all that is sent, and this worker's processing zset
is resynced (a pop whose reply was lost left requests there). Unreachable for too long, the crawl
stops (scraper.worker_crawl.WorkerLifecycle): what it held stays in its processing zset, and the
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
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from scraper.crawl import CONTEXT
from scraper.shared_state import LINK_ERRORS, SharedState

if TYPE_CHECKING:
    from scraper.redis_link import RedisLink

logger = logging.getLogger(__name__)
COORDINATOR = "NEWS_COORDINATOR"  # settings key: True in the process that runs discovery
MAX_HELD = "NEWS_MAX_HELD"  # settings key: requests one worker may hold unacknowledged

# score = -priority * 2**40 + push number: higher priority first, FIFO within one (the spider
# releases articles newest first). Exact in a double while pushes stay below 2**40.
_PUSH = """
if ARGV[3] ~= '' and redis.call('SADD', KEYS[3], ARGV[3]) == 0 then return 0 end
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], -tonumber(ARGV[1]) * 1099511627776 + n, ARGV[2])
return 1
"""  # KEYS: queue, seq, dupefilter; ARGV: priority, request, fingerprint ('': not filtered)
_POP = """
for i = 2, #ARGV do redis.call('ZREM', KEYS[2], ARGV[i]) end
local out = {redis.call('LLEN', KEYS[3])}
if tonumber(ARGV[1]) < 1 then return out end
local top = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
for i = 1, #top, 2 do
  redis.call('ZREM', KEYS[1], top[i])
  redis.call('ZADD', KEYS[2], top[i + 1], top[i])
  out[#out + 1] = top[i]
end
return out
"""  # KEYS: queue, processing, headlines; ARGV: how many, acks... -> headline count, requests
_RESYNC = """
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
local n, held, moved = tonumber(ARGV[2]), {}, 0
for i = 3, n + 2 do held[ARGV[i]] = true end
for i = n + 3, #ARGV do redis.call('ZREM', KEYS[1], ARGV[i]) end
local items = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #items, 2 do
  if not held[items[i]] then
    redis.call('ZADD', KEYS[2], items[i + 1], items[i])
    redis.call('ZREM', KEYS[1], items[i])
    moved = moved + 1
  end
end
return moved
"""  # KEYS: processing, queue, job; ARGV: "1" if the job must exist, held count, held..., acks...
# -> requests moved back to the queue; -1: the job is gone (Redis came back empty)


class AckQueue(Base):
    """scrapy-redis' per-spider queue contract (push/pop/len/clear, its request serializer), with
    a pop that moves requests into a processing zset until they are acknowledged. Round trips are
    the cost of a worker on another machine, so one pop takes several requests and carries the
    acknowledgements gathered since the last one (and returns the headline index's length)."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None, *,
                 shared: SharedState) -> None:  # fmt: skip
        super().__init__(server, spider, key, serializer)
        self.keys = [key, shared.processing_key(), shared.key("headlines")]
        self.seq, self.dupefilter, self.job = shared.key("seq"), shared.key("dupefilter"), shared.key("job")
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._resync = server.register_script(_RESYNC)

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def _encode_request(self, request: Request) -> bytes:
        """As scrapy-redis does, minus the cost: Request.to_dict(spider=...) finds a callback's name
        by listing every method of the spider (inspect.getmembers), ~0.7 ms per callback."""
        names = {key: _method_name(self.spider, getattr(request, key)) for key in ("callback", "errback")}
        return self.serializer.dumps({**request.replace(callback=None, errback=None).to_dict(), **names})

    def push(self, request: Request, fingerprint: str = "") -> bool:  # type: ignore[override]
        """Add `request` unless its fingerprint is in the duplicate filter (one round trip)."""
        args = [request.priority, self._encode_request(request), fingerprint]
        return bool(self._push(keys=[self.key, self.seq, self.dupefilter], args=args))

    def pop_many(self, count: int, acks: list[bytes]) -> tuple[int, list[tuple[Request, bytes]]]:
        """Acknowledge `acks`, then take up to `count` requests with their stored form (the handle
        for their ack). Never blocks: that would stall the reactor; the engine polls instead."""
        out = self._pop(keys=self.keys, args=[count, *acks])
        return int(out[0]), [(self._decode_request(data), data) for data in out[1:]]

    def resync(self, held: list[bytes], acks: list[bytes], touched: bool) -> int:
        """Acknowledge `acks`, and move what the processing zset holds besides `held` back to
        the queue; -1 (and nothing done) if this worker `touched` the job and it is gone."""
        keys = [self.keys[1], self.key, self.job]  # the job hash: only a coordinator's start writes it
        return int(self._resync(keys=keys, args=["1" if touched else "0", len(held), *held, *acks]))


def _method_name(spider: Spider, func: Any) -> str | None:
    if func is None or isinstance(func, str):
        return func
    name = getattr(func, "__name__", "")
    own = getattr(spider, name, None)
    if getattr(func, "__self__", None) is not spider or getattr(own, "__func__", None) is not func.__func__:
        raise ValueError(f"{func} is not a method of {spider}: it cannot be queued in Redis")
    return name


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
        if not self.queue.push(request, fingerprint):
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
        if not self._sync():
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
        acks, self.acks = self.acks, []
        try:
            headlines, popped = self.queue.pop_many(free, acks)
        except LINK_ERRORS:
            self.acks[:0] = acks  # sent again (a lost reply: the resync takes what it popped)
            return
        self.touched |= bool(popped)
        self.context.headlines_known = max(self.context.headlines_known, headlines)
        if popped:  # the job exists: have its window and base URL at hand while Redis is away
            with contextlib.suppress(*LINK_ERRORS):
                self.context.job()
        for request, data in popped:
            self.held[request] = data
            self.ready.append(request)
        self.stats.inc_value("scheduler/dequeued/redis", len(popped))

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
