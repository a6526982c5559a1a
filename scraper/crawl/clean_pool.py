"""The crawl's cleaning processes: one pipe per worker, driven by the event loop, and a pool that a
stuck, dying or unstartable worker cannot take down.

Each worker is a spawned process that cleans one job after another from its own socket pair. The
crawl process writes each job to a worker when the loop lets it and reads the result when the loop
sees it arrive: no thread in between. (A ProcessPoolExecutor, used before, moves every job and
result through two threads of the crawl process; their wake-ups and hand-offs of the GIL took a
fifth of the crawl process's CPU on 2 cores: 2.4 ms per article with it, 1.9 ms without, in a
5,000-article crawl of the replica.) Each worker holds up to PREFETCH jobs, so it starts the next
one without waiting for the crawl process to read a result and send another.

clean_page limits itself with SIGALRM, which cannot interrupt a worker stuck inside C code (a
parser, a regex engine). So the pool also watches the clock: a job that has been running longer
than `deadline` gets its worker killed and is rejected as `timeout`; a fresh worker takes the
place, and the jobs waiting behind it go to the next free worker. A job whose worker died under it
(killed, out of memory) is sent again once; a job that two workers died on is rejected as `error`.
Workers that die before they are ready (a broken environment) are replaced a few times, then every
job is rejected as `error` rather than waiting for a worker that never comes.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import struct
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from cleaners.types import Article, Rejected, RejectReason
from scraper.crawl.clean_job import CleanJob, clean_job, worker_init

CleanFn = Callable[[CleanJob], Article | Rejected]
Outcome = asyncio.Future[Any]
_HEADER = struct.Struct("!i")  # multiprocessing.Connection's framing: the length, then the pickle
_DIED = object()  # the outcome of a job whose worker died under it
_CLOSED = object()  # the outcome of a job still waiting or running when the pool stopped
_READ = 1 << 20


class Job(NamedTuple):
    job: CleanJob
    payload: bytes  # its pickle, made once: a job may be sent twice
    outcome: Outcome


def _serve(conn: Connection, parent: int, fn: CleanFn) -> None:
    """A worker: say it is ready, then clean one job after another until the pipe closes. It is
    ready once started, with the cleaner and `fn`'s module loaded (`fn` arrives unpickled): a job's
    clock starts when it is sent to a ready worker, so a slow start on a loaded machine is no
    stuck job."""
    worker_init(parent)
    try:
        conn.send(None)
        while True:
            job = conn.recv()
            try:
                result = fn(job)
            except Exception as exc:  # clean_page never raises; another `fn` might
                result = Rejected(job.url, RejectReason.ERROR, f"{type(exc).__name__}: {exc}")
            conn.send(result)
    except (EOFError, OSError):
        return  # the pool closed its end (the crawl is stopping): nobody to answer


class _Worker:
    def __init__(self, fn: CleanFn) -> None:
        context = multiprocessing.get_context("spawn")  # not fork: the parent runs an event loop
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(child, os.getpid(), fn), daemon=True)
        self.process.start()
        child.close()
        self.fd = self.conn.fileno()
        os.set_blocking(self.fd, False)
        self.ready = False
        self.inbox, self.outbox = bytearray(), bytearray()
        # Sent and not answered, oldest first: the first one is running, the others wait in the pipe.
        self.jobs: deque[Job] = deque()
        self.since = 0.0  # when the running job started

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.conn.close()


class CleanPool:
    POLL = 0.5  # seconds between looks at the running jobs' age
    PREFETCH = 2  # jobs a worker holds at a time: it need not wait for the crawl process between two
    FAILED_STARTS = 3  # workers that died before they were ready and were still replaced

    def __init__(self, jobs: int, deadline: float, fn: CleanFn = clean_job) -> None:
        self.jobs, self.deadline, self.fn = jobs, deadline, fn
        self.killed = 0  # workers killed because a job was stuck
        self.closed = False
        self.failed_starts = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.watch: asyncio.TimerHandle | None = None
        self.waiting: deque[Job] = deque()
        self.workers = [_Worker(fn) for _ in range(jobs)]  # started now: start-up overlaps discovery

    async def clean(self, job: CleanJob) -> Article | Rejected:
        loop = self._attach()
        try:
            payload = pickle.dumps(job, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            return Rejected(job.url, RejectReason.ERROR, f"{type(exc).__name__}: {exc}")
        for _ in range(2):
            if self.closed:
                raise _stopping()
            if not self.workers:
                return Rejected(job.url, RejectReason.ERROR, "cleaning worker processes could not start")
            outcome: Outcome = loop.create_future()
            self.waiting.append(Job(job, payload, outcome))
            self._dispatch()
            result = await outcome
            if result is _CLOSED:
                raise _stopping()
            if result is not _DIED:
                return result
        return Rejected(job.url, RejectReason.ERROR, "cleaning worker process died")

    def _attach(self) -> asyncio.AbstractEventLoop:
        """The running loop; on first use, the workers' pipes and the watch join it."""
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            for worker in self.workers:
                self.loop.add_reader(worker.fd, self._readable, worker)
            self.watch = self.loop.call_later(self.POLL, self._watch)
        return self.loop

    def _dispatch(self) -> None:
        """Waiting jobs to ready workers, the least loaded first."""
        for depth in range(self.PREFETCH):
            for worker in self.workers:
                while self.waiting and worker.ready and len(worker.jobs) == depth:
                    job = self.waiting.popleft()
                    if not job.outcome.done():  # not cancelled while it waited
                        self._send(worker, job)

    def _send(self, worker: _Worker, job: Job) -> None:
        if not worker.jobs:
            worker.since = time.monotonic()
        worker.jobs.append(job)
        worker.outbox += _HEADER.pack(len(job.payload))
        worker.outbox += job.payload
        self._flush(worker)

    def _flush(self, worker: _Worker) -> None:
        """Write what the socket takes now; the loop calls again once it takes more."""
        assert self.loop is not None
        try:
            sent = os.write(worker.fd, worker.outbox)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._replace(worker, _DIED)  # its end is gone: the worker died
            return
        del worker.outbox[:sent]
        if worker.outbox:
            self.loop.add_writer(worker.fd, self._flush, worker)
        else:
            self.loop.remove_writer(worker.fd)

    def _readable(self, worker: _Worker) -> None:
        try:
            data = os.read(worker.fd, _READ)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # end of file: the worker is gone
            self._replace(worker, _DIED)
            return
        worker.inbox += data
        while len(worker.inbox) >= _HEADER.size:
            end = _HEADER.size + _HEADER.unpack_from(worker.inbox)[0]
            if len(worker.inbox) < end:
                return
            try:
                message = pickle.loads(worker.inbox[_HEADER.size : end])
            except Exception:  # a worker that says nonsense is as good as dead
                self._replace(worker, _DIED)
                return
            del worker.inbox[:end]
            if not worker.ready:
                worker.ready = True  # its first message: started
            elif worker.jobs:
                outcome = worker.jobs.popleft().outcome
                worker.since = time.monotonic()  # the next one, if any, starts now
                if not outcome.done():
                    outcome.set_result(message)
            self._dispatch()

    def _watch(self) -> None:
        assert self.loop is not None
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.jobs and now - worker.since > self.deadline:
                self.killed += 1
                detail = f"cleaning worker still busy after {self.deadline:g}s: killed"
                self._replace(worker, Rejected(worker.jobs[0].job.url, RejectReason.TIMEOUT, detail))
        if not self.closed:
            self.watch = self.loop.call_later(self.POLL, self._watch)

    def _replace(self, worker: _Worker, outcome: Any) -> None:
        """End `worker`, settle its running job with `outcome`, and put a fresh worker in its place;
        the jobs that were waiting in its pipe go first to the next free worker."""
        assert self.loop is not None
        self.loop.remove_reader(worker.fd)
        self.loop.remove_writer(worker.fd)
        worker.kill()
        if worker.jobs:
            running = worker.jobs.popleft().outcome
            if not running.done():
                running.set_result(outcome)
            self.waiting.extendleft(reversed(worker.jobs))
            worker.jobs.clear()
        if self.closed:
            return
        self.failed_starts += not worker.ready
        if self.failed_starts <= self.FAILED_STARTS:
            fresh = self.workers[self.workers.index(worker)] = _Worker(self.fn)
            self.loop.add_reader(fresh.fd, self._readable, fresh)
        else:
            self.workers.remove(worker)
            if not self.workers:  # no worker will come: nothing may wait for one
                for _, _, outcome in self.waiting:
                    if not outcome.done():
                        outcome.set_result(_DIED)
                self.waiting.clear()
        self._dispatch()

    def close(self) -> None:
        """End the workers once idle (the crawl has no job in flight by then)."""
        self._stop(kill=False)

    def terminate(self) -> None:
        """End the workers now, busy or not."""
        self._stop(kill=True)

    def _stop(self, kill: bool) -> None:
        self.closed = True
        if self.watch is not None:
            self.watch.cancel()
        live = self.loop is not None and not self.loop.is_closed()
        for worker in self.workers:
            if worker.conn.closed:
                continue  # stopped before (terminate after close)
            if live and self.loop is not None:
                self.loop.remove_reader(worker.fd)
                self.loop.remove_writer(worker.fd)
            if kill:
                worker.kill()
            else:
                worker.conn.close()  # end of file: an idle worker returns
        for worker in self.workers:
            worker.process.join(timeout=3 if kill else self.deadline)
            worker.kill()  # still busy after the deadline: stuck
            self.waiting.extend(worker.jobs)
            worker.jobs.clear()
        for _, _, outcome in self.waiting:
            if live and not outcome.done():
                outcome.set_result(_CLOSED)
        self.waiting.clear()


def _stopping() -> RuntimeError:
    # Raised, not rejected: the page is then neither written nor marked, and the next crawl
    # fetches it again.
    return RuntimeError("the cleaning pool is closed: the crawl is stopping")
