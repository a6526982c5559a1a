"""Run one process of a distributed crawl: settings, spider role, Redis registration, report.

The counterpart of scraper.crawl.run.run_crawl for `scraper crawl --redis` (coordinator) and
`scraper worker`; see scraper.distributed.crawl for the parts that differ from a local crawl.

Redis is reached through a scraper.distributed.redis_link.LinkedRedis client, which knows whether Redis
answers. A short outage (a restart) is survived; unreachable for `redis_timeout`
seconds (default 60; NEWS_REDIS_TIMEOUT), the process stops with RedisUnreachableError, its
report written (finish_reason "redis_unreachable", or "redis_state_lost" when Redis came back
without the job).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerProcess

from cleaners.portals import portal_by_name, portal_tz
from scraper.crawl.config import CrawlConfig
from scraper.crawl.engine import scrapy_settings
from scraper.crawl.run import finish, finish_run, run_to_end, starting
from scraper.crawl.run_report import CrawlResult, build_report, reserve_report
from scraper.crawl.state import PortalLock, StateStore, open_state
from scraper.distributed.crawl import DistributedContext
from scraper.distributed.output import WorkerWriter, recover_own_files
from scraper.distributed.redis_link import linked_client
from scraper.distributed.request_codec import redis_secret
from scraper.distributed.scheduler import COORDINATOR, MAX_HELD, AckCrawler
from scraper.distributed.shared_state import LINK_ERRORS, SharedState, host_name
from scraper.errors import ConfigError, CrawlLockedError, ScraperError
from spiders import spider_for

logger = logging.getLogger(__name__)
REDIS_REASONS = ("redis_unreachable", "redis_state_lost")  # finish reasons: Redis stopped the crawl
JOB_REFUSED = "job_refused"  # finish reason: the job in Redis is not signed by us, or off the portal


def _redis_timeout() -> float:
    value = os.environ.get("NEWS_REDIS_TIMEOUT") or "60"
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if not seconds > 0:
        raise ConfigError(f"NEWS_REDIS_TIMEOUT={value!r}: give seconds, more than 0")
    return seconds


@dataclass(frozen=True)
class WorkerOptions:
    redis_url: str
    coordinator: bool  # runs discovery (`crawl --redis`); workers only fetch and clean
    worker_id: str | None = None  # default: the first free <host>-<n> (see _identity)
    idle_exit: float = 10.0  # workers: stop after the job has been idle this long; 0: never
    heartbeat_ttl: float = 10.0  # a worker silent this long is dead: its requests are requeued
    redis_timeout: float = field(default_factory=_redis_timeout)  # an outage survived this long
    redis_secret: str | None = None  # signs requests and the job; default $NEWS_REDIS_SECRET


class RedisUnreachableError(ScraperError):
    """Redis did not answer for the whole redis_timeout (or lost the job): the crawl stopped."""


class JobRefusedError(ScraperError):
    """The job in Redis is not signed with this process's secret, or its base URL is off the portal."""


class WorkerLock(PortalLock):
    """One process per worker id and output folder (several workers may share the folder)."""

    def __init__(self, portal_dir: Path, worker_id: str) -> None:
        super().__init__(portal_dir, portal_dir.name)
        self.path = portal_dir / f".lock.{worker_id}"


def role_spider(base: type[scrapy.Spider], coordinator: bool) -> type[scrapy.Spider]:
    """The portal's spider as coordinator (its start requests, then `start_done`) or as worker (no
    start requests: it only handles the article requests it pops, and takes the base URL, which
    decides what is on-site, from the coordinator). Callbacks keep their names, so a request
    pushed by one process runs in another."""

    async def coordinate(self: Any) -> Any:
        async for request in base.start(self):
            yield request
        self.start_done = True

    async def work(self: Any) -> Any:
        return
        yield

    def shared_base_url(self: Any) -> str:
        job = getattr(self.__dict__.get("state"), "job", None)  # None while __init__ runs
        return (job().base_url if job else None) or self._own_base_url

    def set_base_url(self: Any, value: str) -> None:
        self._own_base_url = value

    if coordinator:
        members: dict[str, Any] = {"start": coordinate, "start_done": False}
    else:
        members = {"start": work, "start_done": True, "base_url": property(shared_base_url, set_base_url)}
    spider: type[scrapy.Spider] = type(f"{base.__name__}{'Coordinator' if coordinator else 'Worker'}",
                                       (base,), members)  # fmt: skip
    return spider


def distributed_settings(config: CrawlConfig, ctx: DistributedContext, options: WorkerOptions) -> dict:
    """The local crawl's settings (so --delay, --concurrency, --retries, --backoff, --timeout and
    --max-pages mean the same), with the shared scheduler, pipelines and lifecycle swapped in."""
    settings = scrapy_settings(config, ctx)
    here = "scraper.distributed.crawl"
    jobs = config.jobs or os.cpu_count() or 1
    settings.update(
        SCHEDULER="scraper.distributed.scheduler.AckScheduler",
        ITEM_PIPELINES={
            f"{here}.SyncedCleanPipeline": 100,
            f"{here}.SharedRejectPipeline": 200,
            f"{here}.ClaimWritePipeline": 300,
        },
        EXTENSIONS={**settings["EXTENSIONS"], f"{here}.WorkerLifecycle": 510},
        REDIS_URL=options.redis_url,
        NEWS_IDLE_EXIT=options.idle_exit,
        # Enough to keep the downloads and the cleaning processes busy; the rest of the queue is
        # left to the other workers (and is not lost with this one).
        **{COORDINATOR: options.coordinator, MAX_HELD: config.concurrency + 2 * jobs},
    )
    return settings


def run_distributed(config: CrawlConfig, options: WorkerOptions, on_start: Any = None) -> CrawlResult:
    rules = portal_by_name(config.portal)
    if rules is None:
        raise ConfigError(f"unknown portal {config.portal!r}")
    portal_dir = config.output_dir / config.portal
    secret = redis_secret(options.redis_secret)
    client = linked_client(options.redis_url, options.redis_timeout)
    try:
        lock, shared = _identity(client, portal_dir, config.portal, options, secret)
        try:
            with starting(portal_dir):
                # Only this worker's copy of the headline index and its file offsets: a corrupt one
                # is set aside, and its files are settled again from the start.
                state, _ = open_state(portal_dir / f"state.{shared.worker_id}.sqlite")
            with state:
                try:
                    report, run_id, ctx, reserved = _run_registered(config, options, shared, state, on_start)
                finally:
                    _sign_off(shared, options.coordinator)
        finally:
            lock.release()
    except LINK_ERRORS as exc:  # before or after the crawl: registering, settling files
        raise RedisUnreachableError(f"lost Redis at {options.redis_url}: {exc}") from None
    stamp = report["started"].replace("-", "").replace(":", "")[:15]
    result = finish(ctx, report, portal_dir / f"run-{stamp}Z-{shared.worker_id}-{run_id}.json", reserved)
    path = result.report_path
    if report["finish_reason"] == JOB_REFUSED:
        raise JobRefusedError(f"{ctx.refused}: stopped, nothing taken from the queue; report: {path}")
    if report["finish_reason"] == "redis_state_lost":
        raise RedisUnreachableError(
            f"Redis at {options.redis_url} came back without this crawl's state (restarted without "
            f"persistence?): stopped; report: {path}"
        )
    if report["finish_reason"] == "redis_unreachable":
        raise RedisUnreachableError(
            f"Redis at {options.redis_url} unreachable for {options.redis_timeout:g}s "
            f"({report['redis_error']}): stopped; what this process held stays in Redis for the "
            f"other workers; report: {path}"
        )
    return result


def _sign_off(shared: SharedState, coordinator: bool) -> None:
    """Give back what this process holds and sign off. Not while Redis is unreachable: what it
    holds stays in its processing zset, requeued by another worker once its heartbeat expired."""
    if shared.client.link.down:  # type: ignore[attr-defined]
        return
    try:
        shared.leave()
        if coordinator:
            shared.end_discovery()
    except LINK_ERRORS:
        pass


def _identity(
    client: Any, portal_dir: Path, portal: str, options: WorkerOptions, secret: bytes
) -> tuple[WorkerLock, SharedState]:
    """The given worker id, or else the first free `<host>-<n>`: stable across restarts on one
    machine and output folder, so a restarted worker settles what a killed one left in its files."""
    given = options.worker_id
    for worker_id in [given] if given else [f"{host_name()}-{n}" for n in range(1, 65)]:
        lock = WorkerLock(portal_dir, worker_id)
        try:
            lock.acquire()
        except CrawlLockedError:
            if given:
                raise
            continue
        shared = SharedState(client, portal, worker_id, options.heartbeat_ttl, secret)
        if shared.register():
            return lock, shared
        lock.release()  # alive elsewhere, or died less than a heartbeat ago
        if given:
            raise CrawlLockedError(f"worker id {worker_id} is in use by a live worker on {options.redis_url}")
    raise CrawlLockedError(f"no free worker id {host_name()}-1..64 in {portal_dir}: use --worker-id")


def _run_registered(
    config: CrawlConfig, options: WorkerOptions, shared: SharedState, state: StateStore, on_start: Any
) -> tuple[dict[str, Any], int, DistributedContext, Path]:
    job = (config.window, config.base_url, config.refresh)
    if options.coordinator and (holder := shared.begin_discovery(*job)):
        raise CrawlLockedError(
            f"another crawl of {config.portal} is discovering on {options.redis_url} "
            f"(worker {holder}): add workers with `scraper worker` instead"
        )
    rules = portal_by_name(config.portal)
    assert rules is not None
    portal_dir = config.output_dir / config.portal
    claimed, cut, _ = recover_own_files(portal_dir, shared, state)
    writer = WorkerWriter(portal_dir, shared, state, portal_tz(rules))
    ctx = DistributedContext(config, state, writer, shared, shared.client.link)  # type: ignore[attr-defined]
    with starting(portal_dir):
        run_id, started = state.start_run(), datetime.now(UTC)
        reserved = reserve_report(portal_dir / f".report-reserve.{shared.worker_id}")
    spider_cls = role_spider(spider_for(config.portal), options.coordinator)
    stats = _crawl(spider_cls, distributed_settings(config, ctx, options), ctx, on_start)
    report = build_report(config, stats, started, claimed)
    report["counts"].update(
        requeued=int(stats.get("news/requeued", 0)) + shared.taken_back,
        already_done=int(stats.get("news/already_done", 0)),
        recovered_cut=cut,
        dead_letter=int(stats.get("news/dead_letter", 0)),
    )  # fmt: skip
    report.update(worker_id=shared.worker_id, coordinator=options.coordinator)
    if report["finish_reason"] in REDIS_REASONS:
        report["redis_error"] = ctx.link.error
    if not options.coordinator:  # a worker discovers nothing: finishing (or --max-pages) is its success
        report["ok"] = report["finish_reason"] in ("finished", "closespider_pagecount")
    finish_run(state, run_id, report["counts"])
    return report, run_id, ctx, reserved


def _crawl(spider_cls: type[scrapy.Spider], settings: dict, ctx: DistributedContext, on_start: Any) -> dict:
    process = AsyncCrawlerProcess(settings)
    return run_to_end(process, AckCrawler(spider_cls, settings), ctx, on_start)
