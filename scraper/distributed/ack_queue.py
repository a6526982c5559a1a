"""The shared request queue of a distributed crawl: scrapy-redis' queue contract with a pop that
moves requests into the worker's processing zset until they are acknowledged (scraper.distributed
has the scheduler that acknowledges them). Each operation is one Lua script: one round trip.

Requests are stored as signed data (scraper.distributed.request_codec), not pickled as
scrapy-redis does; an entry that is not (a pickle pushed by a neighbour, a forged or damaged one)
is never loaded: `pop_many` returns it apart, and `bury` moves it to the dead-letter list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scrapy import Request, Spider
from scrapy_redis.queue import Base

from scraper.distributed.request_codec import RequestCodec, Undecodable
from scraper.distributed.shared_state import SharedState

DEAD_LETTER_MAX = 10_000  # dead letters kept (newest first): a flood of junk cannot fill Redis

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
_BURY = """
for i = 2, #ARGV do
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('LPUSH', KEYS[2], ARGV[i])
end
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[1]) - 1)
return #ARGV - 1
"""  # KEYS: processing, dead; ARGV: how many to keep, entries -> entries buried


@dataclass
class Popped:
    headlines: int  # the headline index's length
    requests: list[tuple[Request, bytes]] = field(default_factory=list)
    undecodable: list[tuple[bytes, str]] = field(default_factory=list)  # entry, why


class AckQueue(Base):
    """scrapy-redis' per-spider queue contract (push/pop/len/clear, its request serializer), with
    a pop that moves requests into a processing zset until they are acknowledged. Round trips are
    the cost of a worker on another machine, so one pop takes several requests and carries the
    acknowledgements gathered since the last one (and returns the headline index's length)."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None, *,
                 shared: SharedState) -> None:  # fmt: skip
        # The serializer scrapy-redis would pickle with is never used: requests go through codec.
        super().__init__(server, spider, key, serializer)
        self.codec = RequestCodec(shared.secret, spider)
        self.keys = [key, shared.processing_key(), shared.key("headlines")]
        self.seq, self.dupefilter, self.job = shared.key("seq"), shared.key("dupefilter"), shared.key("job")
        self.dead = shared.key("dead")
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._resync = server.register_script(_RESYNC)
        self._bury = server.register_script(_BURY)

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def _encode_request(self, request: Request) -> bytes:
        """As scrapy-redis does, minus the cost: Request.to_dict(spider=...) finds a callback's name
        by listing every method of the spider (inspect.getmembers), ~0.7 ms per callback."""
        names = [_method_name(self.spider, getattr(request, key)) for key in ("callback", "errback")]
        return self.codec.encode(request, *names)

    def _decode_request(self, encoded_request: bytes) -> Request:
        return self.codec.decode(encoded_request)  # Undecodable for anything it did not encode

    def push(self, request: Request, fingerprint: str = "") -> bool:  # type: ignore[override]
        """Add `request` unless its fingerprint is in the duplicate filter (one round trip)."""
        args = [request.priority, self._encode_request(request), fingerprint]
        return bool(self._push(keys=[self.key, self.seq, self.dupefilter], args=args))

    def pop_many(self, count: int, acks: list[bytes]) -> Popped:
        """Acknowledge `acks`, then take up to `count` requests with their stored form (the handle
        for their ack), and apart the entries that are not requests this job wrote (with why).
        Never blocks: that would stall the reactor; the engine polls instead."""
        out = self._pop(keys=self.keys, args=[count, *acks])
        popped = Popped(int(out[0]))
        for data in out[1:]:
            try:
                popped.requests.append((self._decode_request(data), data))
            except Undecodable as exc:
                popped.undecodable.append((data, str(exc)))
        return popped

    def bury(self, entries: list[bytes]) -> int:
        """Move `entries` from this worker's processing zset to the dead-letter list (one step)."""
        if not entries:
            return 0
        return int(self._bury(keys=[self.keys[1], self.dead], args=[DEAD_LETTER_MAX, *entries]))

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
