"""Distributed crawling on a real Redis server (started here on loopback): shared queue with
acknowledgement, exactly-once writes across workers, a worker killed mid-crawl, and the merge.

Worker processes run through the CLI, as in production; the replica portal answers article
requests after a short sleep, so that a crawl lasts long enough for a kill to land in the middle.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from scraper.replica import ReplicaPortal, ReplicaSite, Response
from scraper.types import Article

redis = pytest.importorskip("redis")

from scraper.shared_state import SharedState  # noqa: E402  (needs the redis package)
from scraper.state import StateStore  # noqa: E402
from scraper.worker_output import WorkerWriter, merge, recover_own_files  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FAST = ("--delay", "0", "-q", "--jobs", "1")
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server); .ci/run installs it")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("redis-server did not answer PING")
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """An empty database of its own for each test."""
    url = f"{redis_server}/{next(_databases) % 16}"
    redis.Redis.from_url(url).flushdb()
    return url


def slow_articles(target: str) -> Response | None:
    if "page=" in target:
        time.sleep(0.03)
    return None


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(300, seed=3)


def start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "scraper.cli", *args]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def coordinator(portal: ReplicaPortal, out: Path, url: str) -> subprocess.Popen[str]:
    return start("crawl", "viva", "--base-url", portal.base_url, "-o", str(out), "--redis", url,
                 "--concurrency", "4", *FAST)  # fmt: skip


def worker(out: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    return start("worker", "viva", "-o", str(out), "--redis", url, "--concurrency", "4", *FAST, *extra)


def finish(process: subprocess.Popen[str], timeout: float = 90) -> str:
    _, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    return stderr


def worker_records(out: Path) -> list[dict[str, Any]]:
    return [
        orjson.loads(line) for path in sorted((out / "viva").glob("2*.*.jsonl")) for line in path.open("rb")
    ]


def assert_exactly_once(records: list[dict[str, Any]], site: ReplicaSite, base_url: str) -> None:
    counts = Counter(record["url"] for record in records)
    assert [url for url, n in counts.items() if n > 1] == []
    assert sorted(counts) == sorted(base_url + article.path for article in site.iter_articles())
    gold = {base_url + article.path: article.body_text for article in site.iter_articles()}
    assert [r["url"] for r in records if r["text"] != gold[r["url"]]] == []


def no_work_left(url: str) -> None:
    client = redis.Redis.from_url(url)
    assert client.zcard("news:viva:queue") == 0
    assert client.keys("news:viva:processing:*") == []
    assert client.keys("news:viva:hb:*") == [] and not client.exists("news:viva:discovering")


def test_two_processes_write_every_article_once_and_a_rerun_fetches_nothing(
    site: ReplicaSite, redis_url: str, tmp_path: Path
) -> None:
    with ReplicaPortal(site, faults=slow_articles) as portal:
        crawl, extra = (
            coordinator(portal, tmp_path, redis_url),
            worker(tmp_path, redis_url, "--idle-exit", "1"),
        )
        assert "viva done: " in finish(crawl)
        finish(extra)
        records = worker_records(tmp_path)
        assert_exactly_once(records, site, portal.base_url)
        assert len({path.name.split(".")[1] for path in (tmp_path / "viva").glob("2*.*.jsonl")}) == 2
        no_work_left(redis_url)
        portal.reset_counters()
        rerun = finish(coordinator(portal, tmp_path, redis_url))
        requested = {t.split("?")[0] for t in portal.hits if portal.site.by_path(t.split("?")[0])}
    assert "0 articles written" in rerun and f"{len(records)} seen before" in rerun
    assert requested == set()


def test_a_killed_worker_loses_nothing_and_duplicates_nothing(
    site: ReplicaSite, redis_url: str, tmp_path: Path
) -> None:
    victim_files = tmp_path / "viva"
    with ReplicaPortal(site, faults=slow_articles) as portal:
        crawl = coordinator(portal, tmp_path, redis_url)
        steady = worker(tmp_path, redis_url, "--idle-exit", "1")
        victim = worker(tmp_path, redis_url, "--worker-id", "victim", "--heartbeat", "2", "--idle-exit", "1")
        deadline = time.monotonic() + 60
        while sum(len(p.read_bytes().splitlines()) for p in victim_files.glob("2*.victim.jsonl")) < 15:
            assert time.monotonic() < deadline and victim.poll() is None, "the victim never got going"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        held = redis.Redis.from_url(redis_url).zcard("news:viva:processing:victim")
        assert held > 0, "the kill should land while the victim holds requests"
        finish(crawl)
        finish(steady)
        no_work_left(redis_url)
        reports = [orjson.loads(path.read_bytes()) for path in (tmp_path / "viva").glob("run-*.json")]
        assert sum(report["counts"]["requeued"] for report in reports) == held  # the survivors took them
        # Restarted under its id, the victim settles the line it may have been writing, and leaves.
        finish(worker(tmp_path, redis_url, "--worker-id", "victim", "--idle-exit", "1"))
        assert_exactly_once(worker_records(tmp_path), site, portal.base_url)
        merged = start("merge", "viva", "-o", str(tmp_path), "--redis", redis_url)
        assert f"{len(list(site.iter_articles()))} articles merged" in finish(merged)
        merged_records = [orjson.loads(line) for path in (tmp_path / "merged" / "viva").glob("*.jsonl")
                          for line in path.open("rb")]  # fmt: skip
        assert_exactly_once(merged_records, site, portal.base_url)


def test_an_idle_worker_exits_after_the_idle_timeout(redis_url: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = worker(tmp_path, redis_url, "--idle-exit", "1")
    stderr = finish(result, timeout=60)
    assert "viva done: 0 articles written" in stderr and time.monotonic() - started < 30


def test_one_discovery_at_a_time_and_worker_ids_are_exclusive(redis_url: str, tmp_path: Path) -> None:
    from spiders import Window

    holder = SharedState(redis.Redis.from_url(redis_url), "viva", "other")
    assert holder.register() and holder.begin_discovery(Window(), None) is None
    crawl = start("crawl", "viva", "-o", str(tmp_path), "--redis", redis_url, "-q")
    _, stderr = crawl.communicate(timeout=60)
    assert crawl.returncode == 2 and "another crawl of viva is discovering" in stderr
    same_id = worker(tmp_path, redis_url, "--worker-id", "other")
    _, stderr = same_id.communicate(timeout=60)
    assert same_id.returncode == 2 and "worker id other is in use" in stderr
    bad = start("worker", "viva", "-o", str(tmp_path), "--redis", "redis://127.0.0.1:1/0", "-q")
    _, stderr = bad.communicate(timeout=60)
    assert bad.returncode == 2 and "cannot reach Redis" in stderr


# -- the shared state itself -----------------------------------------------------------------


def shared(url: str, worker_id: str, ttl: float = 10) -> SharedState:
    state = SharedState(redis.Redis.from_url(url), "viva", worker_id, ttl)
    assert state.register()
    return state


def article(url: str, text: str) -> Article:
    return Article(url=url, portal="viva", title="Judul", text=text, published_at="2026-11-20T08:00:00+07:00")


def test_claims_decide_who_writes(redis_url: str, tmp_path: Path) -> None:
    a, b = shared(redis_url, "a"), shared(redis_url, "b")
    assert a.claim_written("http://x/1", "sha256:aa") is None
    assert b.claim_written("http://x/1", "sha256:aa") == "w|a|aa"
    assert b.claim_written("http://x/2", "sha256:aa") == "duplicate of http://x/1"
    assert a.is_done("http://x/2") and not a.is_done("http://x/3")
    assert a.claim_rejected("http://x/3", "too_short") and not b.claim_rejected("http://x/3", "too_short")


def test_a_lost_claim_cuts_the_line_and_recovery_settles_the_tail(redis_url: str, tmp_path: Path) -> None:
    from datetime import UTC

    a, b = shared(redis_url, "a"), shared(redis_url, "b")
    story = article("http://x/1", "satu dua tiga " * 10)
    with StateStore(tmp_path / "a.sqlite") as state_a, StateStore(tmp_path / "b.sqlite") as state_b:
        writer_a, writer_b = WorkerWriter(tmp_path, a, state_a, UTC), WorkerWriter(tmp_path, b, state_b, UTC)
        assert writer_a.write_article(story) is None
        assert writer_b.write_article(story) == "w|a|" + story.content_hash.split(":")[1][:16]
        writer_a.close(), writer_b.close()
        file_a, file_b = tmp_path / "2026-11-20.a.jsonl", tmp_path / "2026-11-20.b.jsonl"
        assert len(file_a.read_bytes().splitlines()) == 1 and file_b.read_bytes() == b""
        # Killed between append and claim: one line nobody claimed, one someone else claimed.
        orphan, taken = article("http://x/2", "empat lima " * 10), article("http://x/3", "enam tujuh " * 10)
        with file_a.open("ab") as handle:
            handle.write(orjson.dumps(orphan.to_dict()) + b"\n" + orjson.dumps(taken.to_dict()) + b"\n")
        assert b.claim_written(taken.url, taken.content_hash) is None
        assert recover_own_files(tmp_path, a, state_a) == (1, 1)
    assert [orjson.loads(line)["url"] for line in file_a.open("rb")] == ["http://x/1", "http://x/2"]


def test_merge_keeps_the_claimed_line_of_each_article(redis_url: str, tmp_path: Path) -> None:
    a = shared(redis_url, "a")
    first, second = article("http://x/1", "satu " * 30), article("http://x/2", "dua " * 30)
    a.claim_written(first.url, first.content_hash)
    a.claim_written(second.url, second.content_hash)
    lines = [first, second, first]  # a stale copy of x/1 from a presumed-dead worker "c"
    for name, items in (("a", lines[:2]), ("c", lines[2:])):
        (tmp_path / f"2026-11-20.{name}.jsonl").write_bytes(
            b"".join(orjson.dumps(x.to_dict()) + b"\n" for x in items)
        )
    assert merge(tmp_path, tmp_path / "merged", a) == (2, 1)
    assert merge(tmp_path, tmp_path / "merged", None) == (2, 1)  # without Redis: first line per URL
    assert len((tmp_path / "merged" / "2026-11-20.jsonl").read_bytes().splitlines()) == 2


def test_dead_workers_requests_go_back_to_the_queue_in_order(redis_url: str) -> None:
    alive, dead = shared(redis_url, "alive"), shared(redis_url, "dead")
    client = alive.client
    client.zadd(dead.processing_key(), {b"first": 1, b"second": 2})
    assert alive.reap() == 0  # its heartbeat is still there
    client.delete("news:viva:hb:dead")
    assert alive.activity().in_flight == 2
    assert alive.reap() == 2 and alive.reap() == 0
    assert client.zrange("news:viva:queue", 0, -1) == [b"first", b"second"]
    assert alive.activity().in_flight == 0 and b"dead" not in client.smembers("news:viva:workers")
