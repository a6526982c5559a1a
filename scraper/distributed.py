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

Fixed at this seam for Scrapy 2.19: there is no public "request finished" hook, the engine polls
an empty scheduler only every 5 s (both: the engine subclass, the one place touching Scrapy
internals), and Request.to_dict(spider=...) costs ~1.4 ms per request (AckQueue._encode_request);
scrapy-redis' blocking pop and its flush on close are not used.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections import deque
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from scraper.crawl import CONTEXT
from scraper.shared_state import SharedState

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


class AckQueue(Base):
    """scrapy-redis' per-spider queue contract (push/pop/len/clear, its request serializer), with
    a pop that moves requests into a processing zset until they are acknowledged. Round trips are
    the cost of a worker on another machine, so one pop takes several requests and carries the
    acknowledgements gathered since the last one (and returns the headline index's length)."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None, *,
                 shared: SharedState) -> None:  # fmt: skip
        super().__init__(server, spider, key, serializer)
        self.keys = [key, shared.processing_key(), shared.key("headlines")]
        self.seq, self.dupefilter = shared.key("seq"), shared.key("dupefilter")
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)

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
        self.coordinator = crawler.settings.getbool(COORDINATOR)
        self.max_held = max(1, crawler.settings.getint(MAX_HELD, 16))
        self.batch = max(1, self.max_held // 4)
        self.held: dict[Request, bytes] = {}  # popped from Redis, not yet acknowledged
        self.ready: deque[Request] = deque()  # popped, not yet handed to the engine
        self.acks: list[bytes] = []  # finished, to acknowledge with the next pop
        self.local: list[tuple[int, int, Request]] = []  # discovery, on the coordinator: a heap
        self.local_active: set[Request] = set()
        self._local_seen: set[bytes] = set()
        self._order = itertools.count()

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
        self.flush_acks()  # the queue and the filter belong to the job, not to this worker

    @property
    def discovering(self) -> bool:
        return bool(self.local or self.local_active)

    def enqueue_request(self, request: Request) -> bool:
        if self.coordinator and "article" not in request.meta:
            return self._enqueue_local(request)
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if not self.queue.push(request, fingerprint):
            self.df.log(request, self.spider)
            return False
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
        # Discovery first: it is what feeds every worker.
        if self.local:
            request = heapq.heappop(self.local)[2]
            self.local_active.add(request)
            return request
        if not self.ready:
            self._fill()
        return self.ready.popleft() if self.ready else None

    def _fill(self) -> None:
        # At most max_held at a time (the rest stays in Redis for the other workers), and only
        # once a batch's worth is free, so that one round trip brings several requests.
        free = self.max_held - len(self.held)
        if free < self.batch:
            return
        acks, self.acks = self.acks, []
        headlines, popped = self.queue.pop_many(free, acks)
        self.context.headlines_known = max(self.context.headlines_known, headlines)
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

    def flush_acks(self) -> None:
        if self.acks:
            acks, self.acks = self.acks, []
            self.queue.pop_many(0, acks)

    def has_pending_requests(self) -> bool:
        return bool(self.local or self.ready) or len(self.queue) > 0


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
