"""Distributed crawling on a real Redis server (started here on loopback): shared queue with
acknowledgement, exactly-once writes across workers, a worker killed mid-crawl, and the merge.

Worker processes run through the CLI, as in production; the replica portal answers article
requests after a short sleep, so that a crawl lasts long enough for a kill to land in the middle.
"""

from __future__ import annotations

import importlib.util
import inspect
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from cleaners.types import Article
from scraper.errors import ScraperError
from scraper.replica import ReplicaPortal, ReplicaSite, Response
from tests.edited_site import EditedSite

redis = pytest.importorskip("redis")

from scraper.crawl.state import StateStore  # noqa: E402
from scraper.distributed.output import WorkerWriter, merge, recover_own_files, unmatched_claims  # noqa: E402
from scraper.distributed.request_codec import SECRET_ENV  # noqa: E402
from scraper.distributed.shared_state import SharedState, written_token  # noqa: E402  (needs the redis package)

REPO = Path(__file__).resolve().parents[1]
SECRET = "test-secret-of-the-distributed-tests"  # the job's shared secret ($NEWS_REDIS_SECRET)
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
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO), SECRET_ENV: SECRET}
    command = [sys.executable, "-m", "scraper.cli", *args]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def coordinator(portal: ReplicaPortal, out: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    return start("crawl", "viva", "--base-url", portal.base_url, "-o", str(out), "--redis", url,
                 "--concurrency", "4", *FAST, *extra)  # fmt: skip


def worker(out: Path, url: str, *extra: str, portal: ReplicaPortal | None = None) -> subprocess.Popen[str]:
    """A `scraper worker`; with `portal`, allowed to work for a job on that replica (--base-url)."""
    mirror = ("--base-url", portal.base_url) if portal else ()
    return start(
        "worker", "viva", "-o", str(out), "--redis", url, "--concurrency", "4", *FAST, *mirror, *extra
    )


def finish(process: subprocess.Popen[str], timeout: float = 90) -> str:
    _, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    return stderr


def worker_records(out: Path) -> list[dict[str, Any]]:
    return [
        orjson.loads(line)
        for path in sorted((out / "viva").glob("2*.*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]


def merged_records(out: Path) -> list[dict[str, Any]]:
    return [
        orjson.loads(line)
        for path in (out / "merged" / "viva").glob("*.jsonl")
        for line in path.read_bytes().splitlines()
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
            worker(tmp_path, redis_url, "--idle-exit", "1", portal=portal),
        )
        assert "viva done: " in finish(crawl)
        finish(extra)
        records = worker_records(tmp_path)
        assert_exactly_once(records, site, portal.base_url)
        assert len({path.name.split(".")[1] for path in (tmp_path / "viva").glob("2*.*.jsonl")}) == 2
        # Each process's report has the quality figures of what it cleaned (README "Layout-drift alarm").
        qualities = [orjson.loads(p.read_bytes())["quality"] for p in (tmp_path / "viva").glob("run-*.json")]
        assert sum(q["articles"] for q in qualities) >= len(records) and len(qualities) == 2
        assert all(q["body_selector_matched"] == 1.0 for q in qualities if q["articles"])
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
        steady = worker(tmp_path, redis_url, "--idle-exit", "1", portal=portal)
        victim = worker(tmp_path, redis_url, "--worker-id", "victim", "--heartbeat", "2", "--idle-exit", "1",
                        portal=portal)  # fmt: skip
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
        finish(worker(tmp_path, redis_url, "--worker-id", "victim", "--idle-exit", "1", portal=portal))
        assert_exactly_once(worker_records(tmp_path), site, portal.base_url)
        merged = start("merge", "viva", str(tmp_path), "--redis", redis_url)
        assert f"{len(list(site.iter_articles()))} articles merged" in finish(merged)
        assert_exactly_once(merged_records(tmp_path), site, portal.base_url)


def test_a_workers_lost_files_are_found_by_merge_and_fetched_again(
    site: ReplicaSite, redis_url: str, tmp_path: Path
) -> None:
    """A worker's machine is lost with its files (or its disk lost lines in a crash): merge lists
    the articles claimed as written that no file has, --release-missing frees their claims, and
    the next `crawl --redis` fetches exactly those; then every article is there once."""
    folder = tmp_path / "viva"
    with ReplicaPortal(site, faults=slow_articles) as portal:
        crawl = coordinator(portal, tmp_path, redis_url)
        lost = worker(tmp_path, redis_url, "--worker-id", "lost", "--idle-exit", "1", portal=portal)
        finish(crawl), finish(lost)
        lost_files = list(folder.glob("2*.lost.jsonl"))
        gone = {orjson.loads(line)["url"] for path in lost_files for line in path.read_bytes().splitlines()}
        assert gone, "the lost worker should have written some articles"
        for path in lost_files:
            path.unlink()
        listing = tmp_path / "merged" / "viva" / "missing.txt"
        report = finish(start("merge", "viva", str(tmp_path), "--redis", redis_url))
        assert f"{len(gone)} articles claimed as written are in none of these files" in report
        assert set(listing.read_text().split()) == gone
        finish(start("merge", "viva", str(tmp_path), "--redis", redis_url, "--release-missing"))
        portal.reset_counters()
        finish(coordinator(portal, tmp_path, redis_url))
        fetched = {
            portal.base_url + t.split("?")[0] for t in portal.hits if portal.site.by_path(t.split("?")[0])
        }
        assert fetched == gone
        merged = finish(start("merge", "viva", str(tmp_path), "--redis", redis_url))
        base = portal.base_url
    assert f"{len(list(site.iter_articles()))} articles merged" in merged and not listing.exists()
    assert_exactly_once(merged_records(tmp_path), site, base)


def test_an_idle_worker_exits_after_the_idle_timeout(redis_url: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = worker(tmp_path, redis_url, "--idle-exit", "1")
    stderr = finish(result, timeout=60)
    assert "viva done: 0 articles written" in stderr and time.monotonic() - started < 30


def test_one_discovery_at_a_time_and_worker_ids_are_exclusive(redis_url: str, tmp_path: Path) -> None:
    from scraper.crawl.items import Window

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


def test_max_pages_stops_a_worker_and_refresh_rewrites_only_changed_articles(
    redis_url: str, tmp_path: Path
) -> None:
    site, folder = ReplicaSite(120, seed=5), tmp_path / "viva"
    with ReplicaPortal(site, faults=slow_articles) as portal:
        # A worker with --max-pages stops after that many responses; what it held goes back.
        crawl = coordinator(portal, tmp_path, redis_url)
        limited = worker(tmp_path, redis_url, "--max-pages", "10", "--worker-id", "limited", portal=portal)
        finish(crawl)
        assert "viva done: " in finish(limited)
        (report,) = [orjson.loads(path.read_bytes()) for path in folder.glob("run-*-limited-*.json")]
        assert report["finish_reason"] == "closespider_pagecount" and report["ok"]
        assert 10 <= report["counts"]["fetched"] < 20 and report["max_pages"] == 10
        assert_exactly_once(worker_records(tmp_path), site, portal.base_url)
        first_reports = set(folder.glob("run-*.json"))
        # An edit round: 4 articles get a newer lastmod, 2 of them a new text. RSS and /indeks
        # (no lastmod) list them too, and may be read before the sitemap that has it.
        edited = EditedSite(site, datetime.now(UTC) + timedelta(minutes=1), {55, 70, 90, 110}, {70, 110})
        portal.site = edited
        portal.reset_counters()
        crawl = coordinator(portal, tmp_path, redis_url, "--refresh")
        extra = worker(tmp_path, redis_url, "--idle-exit", "1", portal=portal)
        finish(crawl)
        finish(extra)
        requested = {t.split("?")[0] for t in portal.hits if edited.by_path(t.split("?")[0])}
        run_two = [orjson.loads(p.read_bytes()) for p in set(folder.glob("run-*.json")) - first_reports]
        merged = finish(start("merge", "viva", str(tmp_path), "--redis", redis_url))
        base_url = portal.base_url
    assert requested == {site.ref(i).path for i in (55, 70, 90, 110)}
    assert sum(r["counts"]["written"] for r in run_two) == 2
    assert sum(r["counts"]["already_done"] for r in run_two) == 2  # fetched again, text unchanged
    assert len(worker_records(tmp_path)) == 122  # the two old versions stay in the worker files
    assert "120 articles merged" in merged and "2 extra lines left out" in merged
    assert_exactly_once(merged_records(tmp_path), edited, base_url)  # changed ones: the new text
    assert merge(folder, tmp_path / "plain", None) == (120, 2)  # without Redis: the newest line
    plain = [
        orjson.loads(line)
        for path in (tmp_path / "plain").glob("*.jsonl")
        for line in path.read_bytes().splitlines()
    ]
    assert_exactly_once(plain, edited, base_url)


def test_worker_and_crawl_redis_take_the_crawl_options(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from scraper.cli import worker as worker_commands
    from scraper.cli.app import app
    from scraper.cli.crawl import crawl
    from scraper.distributed import run as worker_run
    from scraper.distributed.run import WorkerOptions, distributed_settings

    # Every option of `crawl` is a worker's too, except the job's own: what discovery does (and
    # what to crawl: a worker works one portal, crawl takes several or a site).
    names = {
        name: set(inspect.signature(f).parameters)
        for name, f in (("crawl", crawl), ("worker", worker_commands.worker))
    }
    assert names["crawl"] - names["worker"] == {"since", "until", "max_articles", "refresh", "max_sitemaps",
                                                "sitemap_depth", "discovery_budget", "portals", "site"}  # fmt: skip
    calls: list[tuple[Any, WorkerOptions]] = []

    def capture(config: Any, options: WorkerOptions, on_start: Any = None) -> None:
        calls.append((config, options))
        raise ScraperError("captured")

    monkeypatch.setattr(worker_run, "run_distributed", capture)
    common = ["viva", "-o", str(tmp_path), "--redis", "redis://127.0.0.1:1/0", "--backoff", "0.25", "--timeout", "7",
              "--max-pages", "5", "--retries", "1", "--concurrency", "3", "--delay", "0.5", "--jobs", "1",
              "--redis-timeout", "9"]  # fmt: skip
    for command in (["crawl", *common, "--refresh"], ["worker", *common]):
        assert CliRunner().invoke(app, command).exit_code == 2
    (crawl_config, crawl_options), (_, worker_options) = calls
    assert crawl_config.refresh and crawl_options.coordinator and not worker_options.coordinator
    for config, options in calls:
        assert options.redis_timeout == 9
        settings = distributed_settings(config, None, options)  # type: ignore[arg-type]
        assert settings["DOWNLOAD_TIMEOUT"] == 7 and settings["RETRY_BACKOFF_BASE"] == 0.25
        assert settings["CLOSESPIDER_PAGECOUNT"] == 5 and settings["RETRY_TIMES"] == 1
        assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 3 and settings["AUTOTHROTTLE_START_DELAY"] == 0.5


def test_5000_articles_with_a_worker_killed_at_a_random_moment(redis_url: str, tmp_path: Path) -> None:
    """The bar: two processes (`crawl --redis` and one `worker`, --jobs 1 --concurrency 16 --delay 0)
    crawl 5,000 articles; the worker is SIGKILLed at a seeded random moment (10% to 70% of the claims;
    NEWS_KILL_SEED picks another) and restarted under its id once its heartbeat expired; after the
    merge every article is there exactly once, with its text, and no line is torn. The procedure is
    `python benchmarks/bench_distributed.py --kill`."""
    spec = importlib.util.spec_from_file_location(
        "bench_distributed", REPO / "benchmarks" / "bench_distributed.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    seed = int(os.environ.get("NEWS_KILL_SEED", "5000"))
    with ReplicaPortal(ReplicaSite(5000, seed=11)) as portal:
        run = bench.kill_run(portal, redis_url, tmp_path, seed, concurrency=16, timeout=240)
    print(run)  # shown when the test fails: the seed, the kill moment, the counts
    assert run["held_at_kill"] > 0 and run["victim_lines_at_kill"] > 0, run  # the kill was mid-work
    assert (run["merged"], run["duplicates"], run["missing"], run["unknown"]) == (5000, 0, 0, 0), run
    assert (run["wrong_text"], run["torn"]) == (0, 0), run
    no_work_left(redis_url)


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
        assert recover_own_files(tmp_path, a, state_a) == (1, 1, 0)
    assert [orjson.loads(line)["url"] for line in file_a.read_bytes().splitlines()] == [
        "http://x/1",
        "http://x/2",
    ]


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
    assert unmatched_claims(tmp_path, a) == []
    (tmp_path / "2026-11-20.a.jsonl").write_bytes(orjson.dumps(first.to_dict()) + b"\n")  # x/2 lost
    assert unmatched_claims(tmp_path, a) == ["http://x/2"]  # c's copy of x/1 is not a's claimed line
    a.release(["http://x/2"])
    assert not a.is_done("http://x/2") and a.failed_urls() == ["http://x/2"]
    assert unmatched_claims(tmp_path, a) == []


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


def test_refresh_claims_rewrite_changed_text_and_move_fetch_times(redis_url: str, tmp_path: Path) -> None:
    from datetime import UTC

    a, b = shared(redis_url, "a"), shared(redis_url, "b")
    old, new = article("http://x/1", "satu dua " * 15), article("http://x/1", "satu dua tiga " * 15)
    moment = datetime(2026, 11, 20, tzinfo=UTC).timestamp()
    assert a.claim_written(old.url, old.content_hash, moment) is None
    before, after = datetime(2026, 11, 19, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC)
    assert a.should_skip(old.url, after) and a.should_skip(old.url, before, refresh=True)
    assert not a.should_skip(old.url, after, refresh=True) and not a.should_skip("http://x/2", None)
    owner = written_token("a", old.content_hash)
    assert b.claim_written(new.url, new.content_hash) == owner  # not a refresh job: the first stays
    a.client.hset("news:viva:job", "refresh", "1")
    assert b.claim_written(old.url, old.content_hash, after.timestamp() + 60) == owner  # unchanged
    assert a.should_skip(old.url, after, refresh=True)  # ... but fetched since
    assert a.claim_written(new.url, new.content_hash, settle=True) == owner  # settling never replaces
    assert b.claim_written(new.url, new.content_hash) is None and b.owners([old.url]) == [
        written_token("b", new.content_hash)
    ]
    assert a.claim_rejected("http://x/3", "too_short") and not b.claim_rejected("http://x/3", "too_short")
    # A restarted worker keeps a refreshed line claimed for it after an older line of the same URL.
    with StateStore(tmp_path / "b.sqlite") as state:
        writer = WorkerWriter(tmp_path, b, state, UTC)
        assert writer.write_article(article("http://x/4", "empat " * 30)) is None
        writer.close()
        newer = article("http://x/4", "empat lima " * 30)
        with (tmp_path / "2026-11-20.b.jsonl").open("ab") as handle:
            handle.write(orjson.dumps(newer.to_dict()) + b"\n")
        assert b.claim_written(newer.url, newer.content_hash) is None  # killed before it was recorded
        assert recover_own_files(tmp_path, b, state) == (0, 0, 1)  # its own claim, answer not heard
    assert merge(tmp_path, tmp_path / "merged", b) == (1, 1)  # x/4's newer line
    assert orjson.loads((tmp_path / "merged" / "2026-11-20.jsonl").read_bytes())["text"] == newer.text
