"""The Redis client of a distributed crawl, aware of outages.

Every command and pipeline of a `LinkedRedis` reports to its `RedisLink`, which knows whether
Redis answers. Once a command fails for want of it, every command fails at once, so the reactor is
never held up by a dead or hung Redis, while a thread pings it until it answers again.
scraper.distributed.crawl.WorkerLifecycle stops the crawl when an outage outlasts `timeout`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.client import Pipeline
from redis.retry import Retry

from scraper.distributed.shared_state import LINK_ERRORS, connect

logger = logging.getLogger(__name__)


class RedisLink:
    """Whether this process reaches Redis. Once a command fails for want of it, every command
    fails at once (the reactor is never held up by a dead or hung Redis) while a thread pings it
    every `RETRY_EVERY` seconds; the first answer ends the outage. `timeout`: how long an outage
    is survived (WorkerLifecycle stops the crawl after)."""

    RETRY_EVERY = 0.5

    def __init__(self, ping: Any, timeout: float = 60.0) -> None:
        self.ping, self.timeout = ping, timeout
        self.down_since: float | None = None
        self.outages = 0
        self.error = ""
        self.state_lost = False  # Redis answered again, without the job (restarted empty)

    @property
    def down(self) -> bool:
        return self.down_since is not None

    @property
    def expired(self) -> bool:
        return self.down_since is not None and time.monotonic() - self.down_since >= self.timeout

    def run(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        if self.down_since is not None:
            raise redis.ConnectionError(f"Redis unreachable: {self.error}")
        try:
            return call(*args, **kwargs)
        except LINK_ERRORS as exc:
            self.error = str(exc) or type(exc).__name__
            if self.down_since is None:
                self.down_since, self.outages = time.monotonic(), self.outages + 1
                _log("Redis unreachable (%s): retrying for up to %gs", self.error, self.timeout)
                threading.Thread(target=self._probe, name="redis-probe", daemon=True).start()
            raise

    def _probe(self) -> None:
        while self.down_since is not None:
            time.sleep(self.RETRY_EVERY)
            try:
                self.ping()
            except LINK_ERRORS as exc:  # BusyLoadingError too: still reading its data
                self.error = str(exc) or type(exc).__name__
                continue
            except redis.RedisError:
                pass  # it answers
            _log("Redis reachable again after %.1fs", time.monotonic() - self.down_since)
            self.down_since = None


def _log(message: str, *args: Any) -> None:
    # A log line must not change what happens (Rich raises SystemExit when stderr is a closed pipe).
    with contextlib.suppress(Exception, SystemExit):
        logger.warning(message, *args)


class LinkedRedis(redis.Redis):
    """A Redis client whose commands and pipelines report to `self.link` (once it is set)."""

    link: RedisLink | None = None

    def execute_command(self, *args: Any, **options: Any) -> Any:
        if self.link is None:
            return super().execute_command(*args, **options)
        return self.link.run(super().execute_command, *args, **options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Pipeline:
        pipe = _LinkedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)
        pipe.link = self.link
        return pipe

    def _ping(self) -> None:
        """PING on a connection of its own (the probe's thread, outside the pool)."""
        pool = self.connection_pool
        connection = pool.connection_class(**pool.connection_kwargs)
        try:
            connection.send_command("PING")
            connection.read_response()
        finally:
            connection.disconnect()


class _LinkedPipeline(Pipeline):
    link: RedisLink | None

    def execute(self, raise_on_error: bool = True) -> list[Any]:
        if self.link is None:
            return super().execute(raise_on_error)
        return self.link.run(super().execute, raise_on_error)


def linked_client(url: str, timeout: float) -> LinkedRedis:
    """A client that holds the reactor up for at most a few seconds: one immediate reconnect (a
    restarted Redis closed the pooled connection), no backoff loop, short socket timeouts."""
    retry = Retry(NoBackoff(), 1, (redis.ConnectionError,))
    client = connect(url, LinkedRedis, socket_timeout=3, socket_connect_timeout=3, retry=retry)
    assert isinstance(client, LinkedRedis)
    client.link = RedisLink(client._ping, timeout)  # reachable now (connect pinged it)
    return client
