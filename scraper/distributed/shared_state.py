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
    job                hash  the coordinator's date window, base URL and refresh flag, signed
                             with the job's secret ("sig"; see scraper.distributed.request_codec)
    dead               list  queue entries no process of the job wrote (unsigned, forged, pickles):
                             the dead letters, newest first, at most DEAD_LETTER_MAX
    failed             hash  url -> first failure time: asked for again by later crawls
    done               hash  url -> "w|<id>|<hash16>" written, "r|<id>|<reason>" rejected,
                             "d|<id>|<first url>" duplicate content: the exactly-once claims;
                             each followed by "|<unix time of the last fetch>" (for --refresh)
    content            hash  content hash -> first URL written with it
    headlines          list  JSON [key, title, url] rows, append-only: workers copy the tail
    headline_keys      set   keys already in `headlines`

Every multi-key step is one Lua script, so it is atomic and costs one round trip.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import redis

from scraper.crawl.items import Window
from scraper.crawl.state import RETRY_FAILED_DAYS
from scraper.distributed import scripts
from scraper.errors import ConfigError

LINK_ERRORS = (redis.ConnectionError, redis.TimeoutError)  # Redis unreachable (not a refusal)


def host_name() -> str:
    """This machine's short host name, usable in a worker id."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname().split(".")[0]).strip("-")[:48] or "host"


def check_worker_id(worker_id: str) -> str:
    # It becomes part of file names (<date>.<id>.jsonl) and Redis keys: keep it plain.
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", worker_id):
        raise ConfigError(f"worker id {worker_id!r}: use letters, digits, - and _ (at most 64)")
    return worker_id


def connect(url: str, kind: type[redis.Redis] = redis.Redis, **options: Any) -> redis.Redis:
    """A `kind` client for `redis://host:port/db`; a one-line ConfigError when it cannot be reached."""
    if not re.match(r"^(redis|rediss|unix)://", url):
        raise ConfigError(f"--redis {url!r} is not a redis:// URL")
    try:
        client = kind.from_url(url, **{"socket_timeout": 30, "socket_connect_timeout": 10, **options})
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
    signed: bool | None = None  # None: no job in Redis; False: not signed with this process's secret


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

    def __init__(
        self, client: redis.Redis, portal: str, worker_id: str, ttl: float = 10.0, secret: bytes = b""
    ) -> None:
        self.client, self.portal, self.worker_id = client, portal, check_worker_id(worker_id)
        self.secret = secret  # signs the job (and, in the queue, the requests)
        self.prefix = f"news:{portal}:"
        self.taken_back = 0  # requests a killed process with this id held, requeued by register()
        self.ttl_ms = max(1000, int(ttl * 1000))
        self._requeue = client.register_script(scripts.REQUEUE)
        self._activity = client.register_script(scripts.ACTIVITY)
        self._claim = client.register_script(scripts.CLAIM)
        self._reject = client.register_script(scripts.REJECT)
        self._add_headlines = client.register_script(scripts.ADD_HEADLINES)

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
        self.taken_back = self.requeue(self.worker_id, force=True)
        self.client.sadd(self.key("workers"), self.worker_id)
        return True

    def beat(self) -> bool:
        """Renew the heartbeat; False when the job is gone (Redis restarted without its data)."""
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self._heartbeat_key(), "1", px=self.ttl_ms)
        pipe.sadd(self.key("workers"), self.worker_id)  # a reaper may have dropped a stalled worker
        pipe.exists(self.key("job"))
        return bool(pipe.execute()[2])

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

    def begin_discovery(self, window: Window, base_url: str | None, refresh: bool = False) -> str | None:
        """Become the job's discoverer; None on success, else the id of the one running. A new
        job (nothing queued or in flight) starts with an empty duplicate filter: URLs that failed
        last time are requested again, and written ones are skipped by the claims instead."""
        if not self.client.set(self.key("discovering"), self.worker_id, nx=True, px=self.ttl_ms):
            holder = self.client.get(self.key("discovering"))
            return holder.decode() if holder else "unknown"
        if self.activity() == Activity(0, 0, True):
            self.client.delete(self.key("dupefilter"))
        job = {"since": _iso(window.since), "until": _iso(window.until), "base_url": base_url or "",
               "refresh": "1" if refresh else "0"}  # fmt: skip
        self.client.hset(self.key("job"), mapping={**job, "sig": self._job_signature(job)})
        return None

    def _job_signature(self, job: dict[str, str]) -> str:
        fields = orjson.dumps([job.get(name, "") for name in ("since", "until", "base_url", "refresh")])
        return hmac.new(self.secret, b"job:" + fields, hashlib.sha256).hexdigest()

    def refresh_discovery(self) -> None:
        key, me, ttl = self.key("discovering"), self.worker_id, self.ttl_ms  # NX: expired in an outage
        self.client.set(key, me, px=ttl, xx=True) or self.client.set(key, me, px=ttl, nx=True)

    def end_discovery(self) -> None:
        if self.client.get(self.key("discovering")) == self.worker_id.encode():
            self.client.delete(self.key("discovering"))

    def job(self) -> Job:
        """The coordinator's job; its fields are read only when its signature is this process's
        (`signed` False, and no window or base URL, otherwise)."""
        raw = self.client.hgetall(self.key("job"))
        if not raw:
            return Job(Window(), None, None)
        values = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in raw.items()}
        if not hmac.compare_digest(values.get("sig", ""), self._job_signature(values)):
            return Job(Window(), None, False)
        window = Window(_parse(values.get("since")), _parse(values.get("until")))
        return Job(window, values.get("base_url") or None, True)

    # -- claims: what is written (exactly once) or otherwise done ------------------------------

    def is_done(self, url: str) -> bool:
        return bool(self.client.hexists(self.key("done"), url))

    def should_skip(self, url: str, lastmod: datetime | None = None, refresh: bool = False) -> bool:
        """As scraper.crawl.state.StateStore.should_skip: True when `url` is done (written, rejected or
        a duplicate) and, with refresh, its `lastmod` is not newer than its last fetch."""
        if not refresh or lastmod is None:
            return self.is_done(url)
        value = self.client.hget(self.key("done"), url)
        if value is None:
            return False
        stamp = value.rpartition(b"|")[2]
        return not stamp.isdigit() or lastmod.timestamp() <= int(stamp)

    def claim_written(
        self, url: str, content_hash: str, fetched: float | None = None, settle: bool = False
    ) -> str | None:
        """Claim `url` as written by this worker: None when claimed, else what it already is
        ("w|<worker>|..." written, "duplicate of <url>" same text as another article). While the
        job refreshes, a written URL fetched again with other text is claimed anew; not when
        `settle` (a restarted worker's unclaimed lines: they may be older than the claim)."""
        token = written_token(self.worker_id, content_hash)
        keys = [self.key("done"), self.key("content"), self.key("job")]
        args = [url, content_hash, token, self.worker_id, _stamp(fetched), "0" if settle else "1"]
        owner = self._claim(keys=keys, args=args)
        return owner.decode() if isinstance(owner, bytes) else None

    def claim_rejected(self, url: str, reason: str) -> bool:
        """True when `url` is claimed as rejected now; else it was done before (its fetch time moves)."""
        claim = f"r|{self.worker_id}|{reason}"
        return bool(self._reject(keys=[self.key("done")], args=[url, claim, _stamp()]))

    def mark_failed(self, url: str) -> None:
        self.client.hsetnx(self.key("failed"), url, str(int(time.time())))

    def failed_urls(self, days: float = RETRY_FAILED_DAYS) -> list[str]:
        """URLs that failed (first within `days`) and are not done since: a dead link is not
        retried forever."""
        oldest = time.time() - days * 86400
        failed = [(int(t), u.decode()) for u, t in self.client.hgetall(self.key("failed")).items()]
        urls = [url for first, url in sorted(failed) if first >= oldest]
        return [url for url, owner in zip(urls, self.owners(urls), strict=True) if owner is None]

    def written_claims(self) -> Iterator[tuple[str, str]]:
        """(url, claim) of every article claimed as written, scanned a thousand at a time."""
        for url, value in self.client.hscan_iter(self.key("done"), count=1000):
            if value.startswith(b"w|"):
                yield url.decode(), _claim_of(value)

    def release(self, urls: list[str]) -> None:
        """Drop the claims of `urls` and list them as failed (now): the next job fetches them."""
        pipe, now = self.client.pipeline(transaction=False), _stamp()
        for url in urls:
            pipe.hdel(self.key("done"), url)
            pipe.hset(self.key("failed"), url, now)
        pipe.execute()

    def owners(self, urls: list[str]) -> list[str | None]:
        """The claims of `urls` (without their fetch time), None where there is none."""
        values = self.client.hmget(self.key("done"), urls) if urls else []
        return [_claim_of(value) if value else None for value in values]

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


def _stamp(when: float | None = None) -> str:
    return str(int(time.time() if when is None else when))


def _claim_of(value: bytes) -> str:
    return value.decode().rpartition("|")[0]  # without the fetch time
