"""What the workers of one portal share in Redis, besides the request queue: who is alive, what
is written, the headline index, and whether discovery is still running.

Keys, all under `news:<portal>:` (one crawl job per portal per Redis database):

    queue              zset  requests (scrapy-redis priority queue; see scraper.distributed)
    seq                int   push counter: FIFO order within a priority
    dupefilter         set   request fingerprints (scrapy-redis RFPDupeFilter)
    processing:<id>    zset  requests popped by worker <id> and not yet acknowledged
    hb:<id>            str   heartbeat of worker <id>, with a TTL: gone means dead
    workers            set   worker ids that may hold a processing zset
    discovering        str   id of the worker running discovery, with a TTL
    job                hash  the coordinator's date window and base URL
    failed             hash  url -> first failure time: asked for again by later crawls
    done               hash  url -> "w|<id>|<hash16>" written, "r|<id>|<reason>" rejected,
                             "d|<id>|<first url>" duplicate content: the exactly-once claims
    content            hash  content hash -> first URL written with it
    headlines          list  JSON [key, title, url] rows, append-only: workers copy the tail
    headline_keys      set   keys already in `headlines`

Every multi-key step is one Lua script, so it is atomic and costs one round trip.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass
from datetime import datetime

import orjson
import redis

from scraper.errors import ConfigError
from scraper.state import RETRY_FAILED_DAYS
from spiders import Window

_REQUEUE = """
if redis.call('EXISTS', KEYS[3]) == 1 and ARGV[2] == '0' then return -1 end
local items = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #items, 2 do redis.call('ZADD', KEYS[2], items[i + 1], items[i]) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[4], ARGV[1])
return #items / 2
"""  # KEYS: processing, queue, heartbeat, workers; ARGV: id, force ("1": even if alive)

_ACTIVITY = """
local busy = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do busy = busy + redis.call('ZCARD', ARGV[1] .. id) end
return {redis.call('ZCARD', KEYS[1]), busy, redis.call('EXISTS', KEYS[2])}
"""  # KEYS: queue, discovering, workers; ARGV: processing key prefix

_CLAIM = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner then return owner end
local first = redis.call('HGET', KEYS[2], ARGV[2])
if first and first ~= ARGV[1] then
  redis.call('HSET', KEYS[1], ARGV[1], 'd|' .. ARGV[4] .. '|' .. first)
  return 'duplicate of ' .. first
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return false
"""  # KEYS: done, content; ARGV: url, content hash, token, worker id -> nil when claimed

_ADD_HEADLINES = """
for i = 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[i + 1]) end
end
return redis.call('LLEN', KEYS[2])
"""  # KEYS: headline_keys, headlines; ARGV: key, row, key, row...


def host_name() -> str:
    """This machine's short host name, usable in a worker id."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname().split(".")[0]).strip("-")[:48] or "host"


def check_worker_id(worker_id: str) -> str:
    # It becomes part of file names (<date>.<id>.jsonl) and Redis keys: keep it plain.
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", worker_id):
        raise ConfigError(f"worker id {worker_id!r}: use letters, digits, - and _ (at most 64)")
    return worker_id


def connect(url: str) -> redis.Redis:
    """A client for `redis://host:port/db`; a one-line ConfigError when it cannot be reached."""
    if not re.match(r"^(redis|rediss|unix)://", url):
        raise ConfigError(f"--redis {url!r} is not a redis:// URL")
    try:
        client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigError(f"cannot reach Redis at {url}: {exc}") from None
    return client


def written_token(worker_id: str, content_hash: str) -> str:
    # 16 hex digits of the hash tell a worker's own record from a stale copy; a whole sha256 per
    # URL would double the claim's memory.
    return f"w|{worker_id}|{content_hash.rpartition(':')[2][:16]}"


@dataclass(frozen=True, slots=True)
class Job:
    window: Window
    base_url: str | None


@dataclass(frozen=True, slots=True)
class Activity:
    queued: int  # requests waiting in the shared queue
    in_flight: int  # requests popped by some worker (alive or not yet reaped) and not acknowledged
    discovering: bool

    @property
    def idle(self) -> bool:
        return not (self.queued or self.in_flight or self.discovering)


class SharedState:
    """One worker's view of the shared Redis state of a portal."""

    def __init__(self, client: redis.Redis, portal: str, worker_id: str, ttl: float = 10.0) -> None:
        self.client, self.portal, self.worker_id = client, portal, check_worker_id(worker_id)
        self.prefix = f"news:{portal}:"
        self.ttl_ms = max(1000, int(ttl * 1000))
        self._requeue = client.register_script(_REQUEUE)
        self._activity = client.register_script(_ACTIVITY)
        self._claim = client.register_script(_CLAIM)
        self._add_headlines = client.register_script(_ADD_HEADLINES)

    def key(self, name: str) -> str:
        return self.prefix + name

    def processing_key(self, worker_id: str | None = None) -> str:
        return self.key(f"processing:{worker_id or self.worker_id}")

    def _heartbeat_key(self, worker_id: str | None = None) -> str:
        return self.key(f"hb:{worker_id or self.worker_id}")

    # -- workers: registration, heartbeat, and giving back the work of dead ones ----------------

    def register(self) -> bool:
        """Claim this worker id (False: a live worker holds it), and take back what an earlier
        process with the same id left in its processing zset."""
        if not self.client.set(self._heartbeat_key(), "1", nx=True, px=self.ttl_ms):
            return False
        self.requeue(self.worker_id, force=True)
        self.client.sadd(self.key("workers"), self.worker_id)
        return True

    def beat(self) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self._heartbeat_key(), "1", px=self.ttl_ms)
        pipe.sadd(self.key("workers"), self.worker_id)  # a reaper may have dropped a stalled worker
        pipe.execute()

    def leave(self) -> int:
        """Give back what this worker still holds (nothing, after a clean finish) and sign off."""
        returned = self.requeue(self.worker_id, force=True)
        self.client.delete(self._heartbeat_key())
        return returned

    def requeue(self, worker_id: str, force: bool = False) -> int:
        """Move a worker's unacknowledged requests back to the queue, keeping their scores (so
        they are served first again). Without force, only if its heartbeat has expired."""
        keys = [self.processing_key(worker_id), self.key("queue"), self._heartbeat_key(worker_id),
                self.key("workers")]  # fmt: skip
        return int(self._requeue(keys=keys, args=[worker_id, "1" if force else "0"]))

    def reap(self) -> int:
        """Requeue the requests of every registered worker whose heartbeat expired."""
        others = [w.decode() for w in self.client.smembers(self.key("workers"))]
        others = [w for w in others if w != self.worker_id]
        if not others:
            return 0
        pipe = self.client.pipeline(transaction=False)
        for worker_id in others:
            pipe.exists(self._heartbeat_key(worker_id))
        alive = pipe.execute()
        return sum(max(0, self.requeue(w)) for w, up in zip(others, alive, strict=True) if not up)

    def activity(self) -> Activity:
        keys = [self.key("queue"), self.key("discovering"), self.key("workers")]
        queued, busy, discovering = self._activity(keys=keys, args=[self.key("processing:")])
        return Activity(int(queued), int(busy), bool(discovering))

    # -- discovery: one coordinator at a time --------------------------------------------------

    def begin_discovery(self, window: Window, base_url: str | None) -> str | None:
        """Become the job's discoverer; None on success, else the id of the one running. A new
        job (nothing queued or in flight) starts with an empty duplicate filter: URLs that failed
        last time are requested again, and written ones are skipped by the claims instead."""
        if not self.client.set(self.key("discovering"), self.worker_id, nx=True, px=self.ttl_ms):
            holder = self.client.get(self.key("discovering"))
            return holder.decode() if holder else "unknown"
        if self.activity() == Activity(0, 0, True):
            self.client.delete(self.key("dupefilter"))
        job = {"since": _iso(window.since), "until": _iso(window.until), "base_url": base_url or ""}
        self.client.hset(self.key("job"), mapping=job)
        return None

    def refresh_discovery(self) -> None:
        self.client.set(self.key("discovering"), self.worker_id, px=self.ttl_ms, xx=True)

    def end_discovery(self) -> None:
        if self.client.get(self.key("discovering")) == self.worker_id.encode():
            self.client.delete(self.key("discovering"))

    def job(self) -> Job:
        values = {k.decode(): v.decode() for k, v in self.client.hgetall(self.key("job")).items()}
        window = Window(_parse(values.get("since")), _parse(values.get("until")))
        return Job(window, values.get("base_url") or None)

    # -- claims: what is written (exactly once) or otherwise done ------------------------------

    def is_done(self, url: str) -> bool:
        return bool(self.client.hexists(self.key("done"), url))

    def claim_written(self, url: str, content_hash: str) -> str | None:
        """Claim `url` as written by this worker: None when claimed, else what it already is
        ("w|<worker>|..." written, "duplicate of <url>" same text as another article)."""
        token = written_token(self.worker_id, content_hash)
        keys = [self.key("done"), self.key("content")]
        owner = self._claim(keys=keys, args=[url, content_hash, token, self.worker_id])
        return owner.decode() if isinstance(owner, bytes) else None

    def claim_rejected(self, url: str, reason: str) -> bool:
        return bool(self.client.hsetnx(self.key("done"), url, f"r|{self.worker_id}|{reason}"))

    def mark_failed(self, url: str) -> None:
        self.client.hsetnx(self.key("failed"), url, str(int(time.time())))

    def failed_urls(self, days: float = RETRY_FAILED_DAYS) -> list[str]:
        """URLs that failed (first within `days`) and are not done since: a dead link is not
        retried forever."""
        oldest = time.time() - days * 86400
        failed = [(int(t), u.decode()) for u, t in self.client.hgetall(self.key("failed")).items()]
        urls = [url for first, url in sorted(failed) if first >= oldest]
        return [url for url, owner in zip(urls, self.owners(urls), strict=True) if owner is None]

    def owners(self, urls: list[str]) -> list[str | None]:
        values = self.client.hmget(self.key("done"), urls) if urls else []
        return [value.decode() if value else None for value in values]

    # -- headline index: an append-only list that workers copy incrementally -------------------

    def add_headlines(self, rows: list[tuple[str, str, str | None]]) -> int:
        if not rows:
            return self.headline_count()
        args: list[bytes | str] = []
        for row in rows:
            args += [row[0], orjson.dumps(row)]
        return int(self._add_headlines(keys=[self.key("headline_keys"), self.key("headlines")], args=args))

    def headline_count(self) -> int:
        return int(self.client.llen(self.key("headlines")))

    def headlines(self, start: int, stop: int = -1) -> list[tuple[str, str, str | None]]:
        """Rows start..stop-1 of the index (to the end with stop=-1)."""
        rows = self.client.lrange(self.key("headlines"), start, stop - 1 if stop >= 0 else -1)
        return [tuple(orjson.loads(row)) for row in rows]  # type: ignore[misc]


def _iso(when: datetime | None) -> str:
    return when.isoformat() if when else ""


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
