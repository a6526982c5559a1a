"""A distributed crawl whose Redis goes away: a real redis-server of its own per test (on loopback,
append-only file fsynced on every write, so that a restart keeps the job), the replica portal, and
`scraper crawl --redis` / `scraper worker` processes; Redis is SIGKILLed mid-crawl.

    killed for good      every process stops within the bound, with a one-line error; no torn line;
                         what they held is in Redis when it is back, and a rerun loses nothing
    restarted in time    the crawl goes on: every article exactly once
    SIGTERM while down   the process ends at once
    back without data    every process stops: "came back without this crawl's state"
    the link itself      commands fail at once while Redis is away; a thread notices its return

The bound is --redis-timeout or NEWS_REDIS_TIMEOUT (WorkerOptions.redis_timeout), short here.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from scraper.replica import ReplicaPortal, ReplicaSite
from tests.test_distributed import (
    assert_exactly_once,
    coordinator,
    finish,
    merged_records,
    no_work_left,
    start,
    worker,
    worker_records,
)

redis = pytest.importorskip("redis")
Spawned = list[subprocess.Popen[str]]


class RedisServer:
    """A redis-server on a fixed loopback port that can be killed and started again on its data."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "yes", "--appendfsync", "always", "--dir", str(folder)]  # fmt: skip
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:  # BusyLoadingError too, while it reads its file
                time.sleep(0.05)
        pytest.fail("redis-server did not answer PING")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis"
    folder.mkdir()
    own = RedisServer(folder)
    own.start()
    try:
        yield own
    finally:
        own.kill()


@pytest.fixture
def spawned() -> Iterator[Spawned]:
    """Processes a test started: killed at its end if still running (a failed assertion)."""
    processes: Spawned = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(300, seed=3)


def slow_articles(target: str) -> None:
    if "page=" in target:
        time.sleep(0.05)  # the crawl lasts a few seconds: Redis goes away in its middle


def wait_for_lines(folder: Path, count: int, *processes: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while sum(len(path.read_bytes().splitlines()) for path in folder.glob("2*.*.jsonl")) < count:
        assert time.monotonic() < deadline and all(p.poll() is None for p in processes), "no progress"
        time.sleep(0.05)


def wait_all(processes: list[subprocess.Popen[str]], timeout: float) -> tuple[float, list[str]]:
    """Seconds until every process has exited (at most `timeout`), and their stderr."""
    started, errors = time.monotonic(), []
    for process in processes:
        try:
            errors.append(process.communicate(timeout=max(0.1, started + timeout - time.monotonic()))[1])
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            pytest.fail(f"still running {timeout}s later")
    return time.monotonic() - started, errors


def assert_whole_lines(folder: Path) -> None:
    for path in folder.glob("*.jsonl"):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), path
        for line in data.splitlines():
            orjson.loads(line)


def crawl_pair_then_kill_redis(
    portal: ReplicaPortal,
    out: Path,
    server: RedisServer,
    spawned: Spawned,
    *worker_args: str,
    both: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[str], subprocess.Popen[str]]:
    """A coordinator and a worker (options `both` to each) on the replica; Redis is SIGKILLed once
    30 lines are written."""
    crawl = coordinator(portal, out, server.url, *both)
    extra = worker(out, server.url, *worker_args, *both, "--idle-exit", "1", portal=portal)
    spawned += [crawl, extra]
    wait_for_lines(out / "viva", 30, crawl, extra)
    server.kill()
    return crawl, extra


def test_redis_killed_mid_crawl_stops_every_process_and_a_rerun_loses_nothing(
    server: RedisServer, site: ReplicaSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawned: Spawned
) -> None:
    monkeypatch.setenv("NEWS_REDIS_TIMEOUT", "60")  # the option wins
    folder = tmp_path / "viva"
    with ReplicaPortal(site, faults=slow_articles) as portal:
        crawl, victim = crawl_pair_then_kill_redis(
            portal, tmp_path, server, spawned, "--worker-id", "victim", "--heartbeat", "2",
            both=("--redis-timeout", "3"),
        )  # fmt: skip
        seconds, errors = wait_all([crawl, victim], timeout=15)
        # The bound (3 s), the heartbeat that checks it (every 2 s), and the close: about 5 s.
        assert seconds < 10, errors
        for process, stderr in zip((crawl, victim), errors, strict=True):
            assert process.returncode != 0
            assert f"error: Redis at {server.url} unreachable for 3s" in stderr, stderr
            assert "Traceback" not in stderr, stderr
        first = set(folder.glob("run-*.json"))
        reports = [orjson.loads(path.read_bytes()) for path in first]
        assert sorted(r["finish_reason"] for r in reports) == ["redis_unreachable"] * 2
        assert all("Connection refused" in r["redis_error"] and not r["ok"] for r in reports)
        assert_whole_lines(folder)
        # Back up on its data: what the two held is still in their processing zsets.
        server.start()
        held = sum(server.client().zcard(key) for key in server.client().keys("news:viva:processing:*"))
        queued = server.client().zcard("news:viva:queue")
        assert held > 0 and queued > 0
        # A new crawl (once the old one's discovery flag expired; it reaps what the two held) and
        # the victim again, which settles a line whose claim it did not hear back: all once.
        deadline = time.monotonic() + 15
        while server.client().exists("news:viva:discovering"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        rerun = coordinator(portal, tmp_path, server.url)
        again = worker(tmp_path, server.url, "--worker-id", "victim", "--idle-exit", "1", portal=portal)
        spawned += [rerun, again]
        finish(rerun)
        finish(again)
        no_work_left(server.url)
        second = [orjson.loads(path.read_bytes()) for path in set(folder.glob("run-*.json")) - first]
        assert sum(report["counts"]["requeued"] for report in second) == held  # reaped or taken back
        assert_exactly_once(worker_records(tmp_path), site, portal.base_url)
        merged = start("merge", "viva", str(tmp_path), "--redis", server.url)
        assert f"{len(list(site.iter_articles()))} articles merged" in finish(merged)
        assert_exactly_once(merged_records(tmp_path), site, portal.base_url)


def test_a_redis_restart_within_the_bound_is_survived(
    server: RedisServer, site: ReplicaSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawned: Spawned
) -> None:
    monkeypatch.setenv("NEWS_REDIS_TIMEOUT", "20")
    folder = tmp_path / "viva"
    with ReplicaPortal(site, faults=slow_articles) as portal:
        crawl, extra = crawl_pair_then_kill_redis(portal, tmp_path, server, spawned)
        time.sleep(3)  # longer than a heartbeat interval: both notice
        server.start()
        _, errors = wait_all([crawl, extra], timeout=90)
        for process, stderr in zip((crawl, extra), errors, strict=True):
            assert process.returncode == 0, stderr
            assert "Redis unreachable" in stderr and "Redis reachable again" in stderr, stderr
        no_work_left(server.url)
        assert_whole_lines(folder)
        assert_exactly_once(worker_records(tmp_path), site, portal.base_url)
        reports = [orjson.loads(path.read_bytes()) for path in folder.glob("run-*.json")]
        assert sum(r["counts"]["written"] for r in reports) == len(list(site.iter_articles()))


def test_sigterm_while_redis_is_down_ends_the_process_at_once(
    server: RedisServer, site: ReplicaSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawned: Spawned
) -> None:
    monkeypatch.setenv("NEWS_REDIS_TIMEOUT", "60")
    folder = tmp_path / "viva"
    with ReplicaPortal(site, faults=slow_articles) as portal:
        crawl, extra = crawl_pair_then_kill_redis(portal, tmp_path, server, spawned)
        time.sleep(2.5)  # both in the outage (the coordinator's heartbeat is 2 s)
        for process in (crawl, extra):
            process.send_signal(signal.SIGTERM)
        seconds, errors = wait_all([crawl, extra], timeout=10)
    assert seconds < 4, errors  # the downloads Scrapy already holds finish first (about 0.5 s here)
    assert [p.returncode for p in (crawl, extra)] == [130, 130], errors
    assert all("interrupted" in stderr and "Traceback" not in stderr for stderr in errors), errors
    assert_whole_lines(folder)


def test_redis_back_without_the_job_stops_the_crawl(
    server: RedisServer, site: ReplicaSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawned: Spawned
) -> None:
    monkeypatch.setenv("NEWS_REDIS_TIMEOUT", "20")
    folder = tmp_path / "viva"
    with ReplicaPortal(site, faults=slow_articles) as portal:
        crawl, extra = crawl_pair_then_kill_redis(portal, tmp_path, server, spawned)
        for path in (tmp_path / "redis").iterdir():  # its append-only files: it comes back empty
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        server.start()
        _, errors = wait_all([crawl, extra], timeout=30)
    for process, stderr in zip((crawl, extra), errors, strict=True):
        assert process.returncode != 0
        assert "came back without this crawl's state" in stderr and "Traceback" not in stderr, stderr
    reports = [orjson.loads(path.read_bytes()) for path in folder.glob("run-*.json")]
    assert sorted(r["finish_reason"] for r in reports) == ["redis_state_lost"] * 2
    assert_whole_lines(folder)


def test_the_link_fails_fast_while_redis_is_away_and_notices_its_return(server: RedisServer) -> None:
    from scraper.distributed.redis_link import linked_client

    client = linked_client(server.url, timeout=30)
    link = client.link
    assert link is not None and client.set("k", "v") and not link.down
    server.kill()
    with pytest.raises(redis.ConnectionError):
        client.get("k")
    assert link.down and not link.expired and link.outages == 1
    started = time.monotonic()
    for _ in range(100):  # no round trip, no reconnect: the reactor is never held up
        with pytest.raises(redis.ConnectionError, match="Redis unreachable"):
            client.pipeline().get("k").execute()
    assert time.monotonic() - started < 0.5
    server.start()
    deadline = time.monotonic() + 5
    while link.down:
        assert time.monotonic() < deadline, "the probe did not notice Redis back"
        time.sleep(0.05)
    assert client.get("k") == b"v" and link.outages == 1  # a new connection, the same data
