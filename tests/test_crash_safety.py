"""Crashes and stops: a crawl killed (SIGKILL) at random moments and restarted, or stopped with
SIGINT / SIGTERM (once: gracefully; twice: at once), ends with every article written exactly once,
every line whole, and a run report for every stop that could write one; lines a power cut took
from the output are fetched again."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from scraper.crawl.sinks import JsonlSink
from scraper.replica import ReplicaPortal, ReplicaSite
from scraper.replica.faults import FaultPlan, Rule, articles, slow
from tests.test_crawl import REPO, article_paths_requested, crawl, last_report, records

N = 300


def start_crawl(portal: ReplicaPortal, out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "scraper.cli", "crawl", "viva", "--base-url", portal.base_url,
               "-o", str(out), "--concurrency", "16", "--delay", "0", "-q"]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)


def lines_written(out: Path) -> int:
    return sum(path.read_bytes().count(b"\n") for path in (out / "viva").glob("2*.jsonl"))


def wait_for_lines(proc: subprocess.Popen[str], out: Path, target: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while lines_written(out) < target and proc.poll() is None:
        assert time.monotonic() < deadline, f"no progress to {target} lines"
        time.sleep(0.005)


def children(pid: int) -> list[int]:
    """The crawl's child processes (cleaning workers, multiprocessing's resource tracker)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; reaping it is init's business


def assert_whole_lines(out: Path) -> None:
    """Every output file ends with a newline and every line is a JSON object."""
    for path in (out / "viva").glob("*.jsonl"):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), f"torn last line in {path.name}"
        for line in data.splitlines():
            assert isinstance(orjson.loads(line), dict), path.name


def assert_each_article_once(out: Path, portal_base: str, site: ReplicaSite) -> None:
    written = Counter(record["url"] for record in records(out))
    assert [url for url, n in written.items() if n > 1] == []
    assert set(written) == {portal_base + article.path for article in site.iter_articles()}
    by_url = {record["url"]: record["text"] for record in records(out)}
    assert all(by_url[portal_base + a.path] == a.body_text for a in site.iter_articles())


def latency_plan(site: ReplicaSite) -> FaultPlan:
    return FaultPlan(Rule(slow(0.01), articles(site), name="latency"))  # kills land mid-crawl


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    site, rng = ReplicaSite(N, seed=9), random.Random(2026)
    kills: list[tuple[int, int]] = []  # (lines before, lines at the kill)
    workers: list[int] = []
    with latency_plan(site).serve(site) as portal:
        for round_ in range(5):
            before = lines_written(tmp_path) if (tmp_path / "viva").exists() else 0
            proc = start_crawl(portal, tmp_path)
            if round_ == 1:
                time.sleep(rng.uniform(0.3, 1.5))  # during start-up, reconcile or discovery
            else:
                wait_for_lines(proc, tmp_path, before + rng.randint(10, 45))
            time.sleep(rng.uniform(0, 0.03))  # anywhere in a write, a state commit, a clean
            workers += children(proc.pid)
            proc.kill()
            proc.wait(timeout=10)
            assert proc.stderr is not None
            proc.stderr.close()
            kills.append((before, lines_written(tmp_path)))
        assert sum(after > before for before, after in kills) >= 4  # most kills landed mid-crawl
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers):  # workers end with their parent
            assert time.monotonic() < deadline, "cleaning workers outlived the killed crawl"
            time.sleep(0.05)
        assert lines_written(tmp_path) < N
        final = crawl(portal, tmp_path)
        base = portal.base_url
    assert final.returncode == 0, final.stderr
    assert_whole_lines(tmp_path)
    assert_each_article_once(tmp_path, base, site)
    assert not (tmp_path / "viva" / "rejects.jsonl").exists()


def stop_with(
    portal: ReplicaPortal, out: Path, signals: list[int]
) -> tuple[subprocess.Popen[str], str, float]:
    proc = start_crawl(portal, out)
    wait_for_lines(proc, out, 20)
    stopped = time.monotonic()
    for signum in signals:
        proc.send_signal(signum)
        time.sleep(0.1)
    _, stderr = proc.communicate(timeout=60)
    return proc, stderr, time.monotonic() - stopped


def reports(out: Path) -> list[dict[str, Any]]:
    return [orjson.loads(path.read_bytes()) for path in sorted((out / "viva").glob("run-*.json"))]


@pytest.mark.parametrize(
    ("signals", "max_seconds"),
    [([signal.SIGINT], 30), ([signal.SIGTERM], 30), ([signal.SIGINT, signal.SIGINT], 10)],
    ids=["sigint", "sigterm", "sigint-twice"],
)
def test_signals_stop_the_crawl_with_a_report_and_whole_lines(
    signals: list[int], max_seconds: float, tmp_path: Path
) -> None:
    """Once: in-flight pages are finished, the report written. Twice: out at once, still whole."""
    site = ReplicaSite(100, seed=8)
    with latency_plan(site).serve(site) as portal:
        proc, stderr, seconds = stop_with(portal, tmp_path, signals)
        assert proc.returncode == 130, stderr
        assert seconds < max_seconds
        assert "interrupted" in stderr and "Traceback" not in stderr
        assert_whole_lines(tmp_path)
        [report] = reports(tmp_path)
        assert report["interrupted"] and not report["ok"]
        # What was downloaded before the stop is finished (perhaps all): written and counted.
        assert report["counts"]["written"] == lines_written(tmp_path)
        final = crawl(portal, tmp_path)
        base = portal.base_url
    assert final.returncode == 0, final.stderr
    assert_each_article_once(tmp_path, base, site)


class _DiskFull:
    """A file that takes half of each write, then fails: as a disk filling up mid-record does."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.stream.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def test_a_failed_write_leaves_no_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    sink = JsonlSink(path)
    sink.write({"url": "a"})
    real, sink._stream = sink._stream, _DiskFull(sink._stream)  # type: ignore[assignment]
    with pytest.raises(OSError):
        sink.write({"url": "b", "text": "x" * 1000})
    sink._stream = real
    sink.write({"url": "c"})
    sink.close()
    assert [orjson.loads(line)["url"] for line in path.read_bytes().splitlines()] == ["a", "c"]


def test_articles_a_power_cut_took_from_the_output_are_fetched_again(tmp_path: Path) -> None:
    """As after a power cut: the state recorded the last lines of a day file, but the disk kept
    only part of them. The next crawl fetches exactly those articles again and writes them once."""
    site = ReplicaSite(30, seed=6)
    with ReplicaPortal(site) as portal:
        assert crawl(portal, tmp_path).returncode == 0
        fullest = max((tmp_path / "viva").glob("2*.jsonl"), key=lambda path: path.read_bytes().count(b"\n"))
        lines = fullest.read_bytes().splitlines(keepends=True)
        assert len(lines) >= 3
        fullest.write_bytes(b"".join(lines[:-2]) + lines[-2][:25])  # the last two lost, one torn
        lost = {orjson.loads(line)["url"] for line in lines[-2:]}
        portal.reset_counters()
        result = crawl(portal, tmp_path)
        fetched = {portal.base_url + path for path in article_paths_requested(portal)}
        base = portal.base_url
    assert result.returncode == 0, result.stderr
    assert "2 articles recorded as written are missing from the output" in result.stderr
    assert fetched == lost
    counts = last_report(tmp_path)["counts"]
    assert counts["lost_from_output"] == 2 and counts["written"] == 2
    by_url = Counter(record["url"] for record in records(tmp_path))
    assert set(by_url.values()) == {1}
    assert {r["url"]: r["text"] for r in records(tmp_path)} == {
        base + article.path: article.body_text for article in site.iter_articles()
    }
