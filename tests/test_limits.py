"""Limits and hostile input: every hostile response of the replica ends as a counted, listed failure
or reject with bounded memory; nothing leaves the portal; a stuck cleaner cannot hang the crawl;
--max-pages stops a run that the next one completes; failed (not rejected) URLs are retried."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import types
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest
from typer.testing import CliRunner

from cleaners.portals import portal_by_name
from cleaners.types import Article, Rejected, RejectReason
from scraper.cli.app import app
from scraper.crawl.clean_job import CleanJob, clean_job
from scraper.crawl.clean_pool import CleanPool
from scraper.crawl.guard import refusal
from scraper.replica import ReplicaPortal, ReplicaSite
from scraper.replica.faults import FaultPlan, Rule, empty, exact, missing
from scraper.replica.hostile import foreign_links, hostile_cases, hostile_rules
from scraper.replica.pages import route
from tests.test_crawl import REPO, crawl, last_report, records

VIVA = portal_by_name("viva")
PEAK_RSS_MB = 400


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


# -- hostile input ---------------------------------------------------------------------------------


# Runs the crawl under a small parent whose RUSAGE_CHILDREN covers the crawl alone (in this test
# process it would also hold every earlier test's subprocesses).
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print('peak-kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measured_crawl(portal: ReplicaPortal, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    fast = ("--concurrency", "16", "--delay", "0", "-q")
    command = [sys.executable, "-m", "scraper.cli", "crawl", "viva", "--base-url", portal.base_url]
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", _MEASURE, *command, "-o", str(out), *fast, *extra],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    site = ReplicaSite(40, seed=3)
    out = tmp_path_factory.mktemp("hostile")
    plan = FaultPlan(*hostile_rules(site))
    started = time.monotonic()
    with plan.serve(site) as portal:
        base, port = portal.base_url, urlsplit(portal.base_url).port
        # Every foreign link and redirect points here: 127.0.0.2 on the same port.
        with ReplicaPortal(site, host="127.0.0.2", port=port or 0) as sentinel:
            result = measured_crawl(portal, out, "--timeout", "1", "--backoff", "0.05")
            sentinel_hits = sum(sentinel.hits.values())
    return {
        "site": site, "out": out, "result": result, "base": base, "sentinel": sentinel_hits,
        "seconds": time.monotonic() - started, "injected": plan.injected,
        "peak_mb": int(result.stderr.rsplit("peak-kb ", 1)[1].split()[0]) / 1024,
    }  # fmt: skip


def test_hostile_crawl_finishes_within_bounded_memory(hostile: dict[str, Any]) -> None:
    assert hostile["result"].returncode == 0, hostile["result"].stderr
    assert "Traceback" not in hostile["result"].stderr
    assert hostile["peak_mb"] < PEAK_RSS_MB  # two 50 MB pages and a 30 MB gzip bomb among them
    assert hostile["seconds"] < 120  # ~10 s alone; generous for a loaded CI machine


def test_every_hostile_input_is_listed_with_its_reason(hostile: dict[str, Any]) -> None:
    site, out, base = hostile["site"], hostile["out"] / "viva", hostile["base"]
    failures = {(r["url"], r["reason"]) for r in jsonl(out / "failures.jsonl")}
    rejects = {(r["url"], r["reason"]) for r in jsonl(out / "rejects.jsonl")}
    written = {r["url"]: r["text"] for r in records(hostile["out"])}
    for case in hostile_cases(site):
        url, (kind, _, reason) = base + case.path, case.outcome.partition("/")
        if kind == "failed":
            assert (url, reason) in failures, case.name
        elif kind == "rejected":
            assert (url, reason) in rejects, case.name
        elif kind == "written":  # a lying charset: decoded by the bytes, not the label
            assert written[url] == site.by_path(case.path).body_text, case.name
    assert hostile["injected"]["huge_declared"] == 1  # not retried: too large is final


def test_the_run_report_counts_every_hostile_input(hostile: dict[str, Any]) -> None:
    site, counts = hostile["site"], last_report(hostile["out"])["counts"]
    cases = hostile_cases(site)
    expected_failed = Counter(c.outcome.split("/")[1] for c in cases if c.outcome.startswith("failed/"))
    expected_rejected = Counter(c.outcome.split("/")[1] for c in cases if c.outcome.startswith("rejected/"))
    assert counts["failed"] == dict(expected_failed)
    assert counts["rejected"] == dict(expected_rejected)
    damaged = {c.path for c in cases if c.outcome != "written"}
    assert counts["written"] == sum(1 for a in site.iter_articles() if a.path not in damaged)
    assert counts["skipped_offsite"] == len(foreign_links(hostile["base"]))


def test_nothing_is_fetched_off_the_portal(hostile: dict[str, Any]) -> None:
    """Foreign sitemap locs, a foreign Sitemap: line and child sitemap, an off-site redirect."""
    assert hostile["sentinel"] == 0
    urls = {r["url"] for r in records(hostile["out"])}
    assert all(url.startswith(hostile["base"] + "/") for url in urls)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/berita/1-a", None),  # the base URL's host and port: the replica
        ("https://www.viva.co.id/berita/1-a", None),
        ("https://jabar.viva.co.id/berita/1-a", None),  # under a rules host
        ("http://127.0.0.1:8001/berita/1-a", "offsite"),  # another port is another service
        ("http://localhost:8000/berita/1-a", "offsite"),
        ("https://viva.co.id.evil.example/berita/1-a", "offsite"),
        ("http://10.0.0.1/berita/1-a", "private_address"),
        ("http://169.254.169.254/latest/meta-data/", "private_address"),
        ("http://[::1]:8000/berita/1-a", "private_address"),
        ("file:///etc/passwd", "scheme"),
        ("ftp://127.0.0.1:8000/berita/1-a", "scheme"),
        ("data:text/html,<p>x</p>", "scheme"),
        ("http://127.0.0.1:99999/x", "offsite"),  # unparsable port
    ],
)
def test_refusal_rules(url: str, reason: str | None) -> None:
    assert refusal(url, "http://127.0.0.1:8000", VIVA) == reason


def test_a_real_portal_base_refuses_private_addresses() -> None:
    assert refusal("https://www.viva.co.id/a", "https://www.viva.co.id", VIVA) is None
    assert refusal("http://www.viva.co.id/a", "https://www.viva.co.id", VIVA) is None  # http <-> https
    assert refusal("http://127.0.0.1/a", "https://www.viva.co.id", VIVA) == "private_address"
    assert refusal("http://192.168.1.1/a", "https://www.viva.co.id", VIVA) == "private_address"


# -- a cleaner stuck in C code ---------------------------------------------------------------------


def clean_or_hang(job: CleanJob) -> Article | Rejected:
    """Runs in a pool worker: "-stuck" blocks SIGALRM (as C code would not return to Python to
    handle it) and sleeps far past any limit; the rest is cleaned normally."""
    if job.url.endswith("-stuck"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(120)
    return clean_job(job)


def test_a_stuck_cleaning_worker_is_killed_and_the_others_go_on() -> None:
    site = ReplicaSite(3, seed=1)
    body = route(site, "http://127.0.0.1", site.article(0).path).body

    async def run() -> tuple[list[Article | Rejected], int]:
        pool = CleanPool(2, deadline=3.0, fn=clean_or_hang)
        try:
            names = ["1-stuck", *(f"{i}-ok" for i in range(2, 8))]
            jobs = [CleanJob(f"http://127.0.0.1/berita/{n}", (body,), "viva") for n in names]
            return list(await asyncio.gather(*(pool.clean(job) for job in jobs))), pool.killed
        finally:
            pool.terminate()

    started = time.monotonic()
    results, killed = asyncio.run(run())
    assert time.monotonic() - started < 15
    assert killed == 1
    assert isinstance(results[0], Rejected) and results[0].reason is RejectReason.TIMEOUT
    assert all(isinstance(r, Article) for r in results[1:])  # the job queued behind it too


def clean_or_die(job: CleanJob) -> Article | Rejected:
    """Runs in a pool worker: "-dies" ends its process every time (as the OOM killer would),
    "-dies-once" only the first time (a marker file remembers across processes)."""
    marker = Path(os.environ["DIE_ONCE_MARKER"])
    if job.url.endswith("-dies") or (job.url.endswith("-dies-once") and not marker.exists()):
        marker.touch()
        os._exit(1)
    return clean_job(job)


def _pool_results(pool: CleanPool, names: list[str]) -> list[Article | Rejected]:
    site = ReplicaSite(3, seed=1)
    body = route(site, "http://127.0.0.1", site.article(0).path).body

    async def run() -> list[Article | Rejected]:
        try:
            jobs = [CleanJob(f"http://127.0.0.1/berita/{n}", (body,), "viva") for n in names]
            return list(await asyncio.wait_for(asyncio.gather(*(pool.clean(j) for j in jobs)), 60))
        finally:
            pool.terminate()

    return asyncio.run(run())


def test_a_dying_cleaning_worker_is_replaced_and_its_job_sent_once_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIE_ONCE_MARKER", str(tmp_path / "died"))  # before the workers start
    results = _pool_results(
        CleanPool(2, 30.0, clean_or_die), ["1-dies-once", "2-dies", "3-ok", "4-ok", "5-ok"]
    )
    assert isinstance(results[0], Article)  # its worker died under it once: sent again
    assert isinstance(results[1], Rejected) and results[1].reason is RejectReason.ERROR
    assert results[1].detail == "cleaning worker process died"  # twice: not a third time
    assert all(isinstance(r, Article) for r in results[2:])


def test_cleaning_workers_that_cannot_start_reject_every_job_instead_of_hanging() -> None:
    # A cleaning function the workers cannot import: each one dies while it starts.
    ghost = types.ModuleType("ghost_cleaner")
    sys.modules[ghost.__name__] = ghost

    def vanished(job: CleanJob) -> Article | Rejected:
        return clean_job(job)

    vanished.__module__, vanished.__qualname__ = ghost.__name__, "vanished"
    ghost.vanished = vanished  # type: ignore[attr-defined]
    try:
        pool = CleanPool(1, 30.0, vanished)
        started = time.monotonic()
        results = _pool_results(pool, ["1-a", "2-b", "3-c"])
    finally:
        del sys.modules[ghost.__name__]
    assert time.monotonic() - started < 45
    assert [(r.reason, r.detail) for r in results if isinstance(r, Rejected)] == [
        (RejectReason.ERROR, "cleaning worker processes could not start")
    ] * 3
    assert pool.failed_starts == CleanPool.FAILED_STARTS + 1


# -- --max-pages, and failures retried by the next run ---------------------------------------------


def test_max_pages_stops_the_run_and_the_next_run_completes(tmp_path: Path) -> None:
    site = ReplicaSite(60, seed=4)
    with ReplicaPortal(site) as portal:
        first = crawl(portal, tmp_path, "--max-pages", "25")
        report = last_report(tmp_path)
        second = crawl(portal, tmp_path)
        base = portal.base_url
    assert first.returncode == 0, first.stderr
    assert report["ok"] and report["finish_reason"] == "closespider_pagecount"
    assert report["counts"]["fetched"] < 60
    assert second.returncode == 0, second.stderr
    urls = [r["url"] for r in records(tmp_path)]
    assert sorted(urls) == sorted(base + a.path for a in site.iter_articles())


def test_failed_urls_are_retried_by_the_next_run_and_rejected_ones_are_not(tmp_path: Path) -> None:
    site = ReplicaSite(20, seed=6)
    gone_once, blank = site.article(3).path, site.article(7).path
    plan = FaultPlan(Rule(missing(), exact(gone_once), attempts=1), Rule(empty(), exact(blank)))
    with plan.serve(site) as portal:
        first = crawl(portal, tmp_path)
        portal.reset_counters()
        second = crawl(portal, tmp_path)
        hits, base = dict(portal.hits), portal.base_url
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    failures = jsonl(tmp_path / "viva" / "failures.jsonl")
    assert [(r["url"], r["reason"], r["kind"]) for r in failures] == [
        (base + gone_once, "http_404", "article")
    ]
    assert hits.get(gone_once + "?page=all") == 1 and blank + "?page=all" not in hits
    assert last_report(tmp_path)["counts"]["written"] == 1
    assert sorted(r["url"] for r in records(tmp_path)) == sorted(
        base + a.path for a in site.iter_articles() if a.path != blank
    )


# -- CLI validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "viva", "--base-url", "http://[::1"], "is not a valid URL (Invalid IPv6 URL)"),
        (["crawl", "viva", "--base-url", "http://"], "is not an http(s) URL"),
        (["crawl", "viva", "--max-pages", "0"], "--max-pages 0: must be at least 1"),
        (["crawl", "viva", "--timeout", "0"], "--timeout 0: must be more than 0"),
        (["crawl", "viva", "--until", "2026-13-45"], "bad date '2026-13-45' for --until"),
        (
            ["crawl", "viva", "--redis", "redis://127.0.0.1:9/0", "--redis-timeout", "0"],
            "--redis-timeout 0: must be more than 0",
        ),
        (["crawl", "viva", "--redis-timeout", "5"], "--redis-timeout applies to a distributed crawl"),
        (["scrape", "--portal", "nope", "http://127.0.0.1:9/x"], "unknown portal 'nope'"),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    extra = ["-o", str(tmp_path)] if args[0] == "crawl" else []
    result = CliRunner().invoke(app, [*args, *extra])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://[::1/x", "bad_url"),
        ("http://", "bad_url"),
        ("ftp://x/y", "scheme"),
        ("http://127.0.0.1:99999/x", "bad_url"),
    ],
)
def test_scrape_bad_urls_are_one_line_rejects(url: str, kind: str) -> None:
    result = CliRunner().invoke(app, ["scrape", url])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"failed {url}: {kind} fetch failed")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_scrape_unwritable_output_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for option in ("-o", "--rejects"):
        result = CliRunner().invoke(
            app, ["scrape", option, str(blocker / "out.jsonl"), "http://127.0.0.1:9/x"]
        )
        assert result.exit_code == 2 and "cannot write output" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
