"""The crawl's cleaning processes: a process pool that a stuck or dying worker cannot take down.

clean_page limits itself with SIGALRM, which cannot interrupt a worker stuck inside C code (a
parser, a regex engine). So the pool also watches the clock: a job that has been running longer
than `deadline` gets its workers killed, is rejected as `timeout`, and a fresh pool takes over.
Jobs that were on the killed pool through no fault of their own (BrokenProcessPool) are sent to
the new pool once; a job that breaks a pool twice is rejected as `error`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from cleaners.types import Article, Rejected, RejectReason
from scraper.crawl.clean_job import CleanJob, clean_job, worker_init

CleanFn = Callable[[CleanJob], Article | Rejected]


class JobStuck(Exception):
    pass


class CleanPool:
    POLL = 0.5  # seconds between looks at a running job's age

    def __init__(self, jobs: int, deadline: float, fn: CleanFn = clean_job) -> None:
        self.jobs, self.deadline, self.fn = jobs, deadline, fn
        self.killed = 0  # pools killed because a job was stuck
        self.closed = False
        self.warmup: list[Future[int]] = []
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent runs an event loop and threads (progress display, replica).
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            self.jobs, context, initializer=worker_init, initargs=(os.getpid(), self.fn)
        )
        # Start the workers now: their start-up overlaps with discovery. Until these trivial jobs
        # are done the workers are still importing the cleaner, and no job's clock runs.
        self.warmup = [pool.submit(int) for _ in range(self.jobs)]
        return pool

    async def clean(self, job: CleanJob) -> Article | Rejected:
        for _ in range(2):
            pool, warmup = self.pool, self.warmup
            try:
                return await self._run(pool.submit(self.fn, job), warmup)
            except JobStuck:
                self._replace(pool, kill=True)
                detail = f"cleaning worker still busy after {self.deadline:g}s: killed"
                return Rejected(job.url, RejectReason.TIMEOUT, detail)
            except (BrokenProcessPool, RuntimeError):  # a worker died, or the pool was just replaced
                self._replace(pool)
            except Exception as exc:  # clean_page never raises; this is pickling or the pool failing
                return Rejected(job.url, RejectReason.ERROR, f"{type(exc).__name__}: {exc}")
        return Rejected(job.url, RejectReason.ERROR, "cleaning worker process died")

    async def _run(self, future: Future[Article | Rejected], warmup: list[Future[int]]) -> Article | Rejected:
        """The job's result; JobStuck once it has been running (not queued) past the deadline.
        A job handed to a pool whose workers are still starting (spawned, importing the cleaner:
        seconds on a loaded machine) is not running yet."""
        waiting = asyncio.wrap_future(future)
        running_since: float | None = None
        while True:
            done, _ = await asyncio.wait({waiting}, timeout=self.POLL)
            if done and future.cancelled():  # still queued when its pool was replaced
                raise BrokenProcessPool("the job's pool was replaced before it ran")
            if done:
                return waiting.result()
            if future.running() and all(w.done() for w in warmup):  # handed to a worker (or next in line)
                running_since = running_since or time.monotonic()
                if time.monotonic() - running_since > self.deadline:
                    waiting.cancel()  # its BrokenProcessPool, once the worker is killed, is moot
                    raise JobStuck

    def _replace(self, pool: ProcessPoolExecutor, kill: bool = False) -> None:
        if self.closed:
            # Raised, not rejected: the page is then neither written nor marked, and the next
            # crawl fetches it again.
            raise RuntimeError("the cleaning pool is closed: the crawl is stopping")
        if pool is not self.pool:
            return  # another job already replaced it
        self.pool = self._new_pool()
        if kill:
            self.killed += 1
            # Its siblings go too (their jobs come back as BrokenProcessPool, for the new pool).
            _kill_workers(pool)
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.closed = True
        self.pool.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """End the workers now, busy or not: the interpreter would otherwise wait for them at exit."""
        self.closed = True
        _kill_workers(self.pool)
        self.pool.shutdown(wait=False, cancel_futures=True)
        # Its manager thread notices the dead workers and closes its pipes; joining it here keeps
        # concurrent.futures' exit hook from waking it through a pipe it is closing (a traceback
        # on the way out, Python 3.11). Bounded: the workers are gone.
        manager = getattr(self.pool, "_executor_manager_thread", None)
        if manager is not None:
            manager.join(timeout=3)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """There is no public way to end a busy worker: reach for the executor's process table."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.kill()
