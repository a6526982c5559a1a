"""End-to-end crawl of the loopback replica: articles/second against the cleaning-only bound, and
the crawl process's peak memory as the site grows.

    python benchmarks/bench_crawl.py [--articles 5000 50000] [--jobs 0]

For each size N: serves a replica of N articles, runs `scraper crawl viva` on it as a subprocess
(--jobs: cleaning processes, 0 = one per core; --concurrency 16, --delay 0: loopback needs no
politeness delay; AutoThrottle stays on as configured), and times it from launch to exit. Peak
RSS is the kernel's high-water mark (VmHWM) of the crawl process, read every 0.2 s, and the
largest one of its cleaning processes.

The cleaning-only bound is what the cleaning processes alone could do: the single-process rate of
`clean_job` on 300 pages of the same replica (as served, with the site's headline index; best of 3
rounds, CPU time), times the number of cleaning processes. The replica is served from this
process, which takes a share of the same cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleaners.teasers import normalise_headline
from scraper.fetch import CleanJob, clean_job
from scraper.replica import ReplicaPortal, ReplicaSite
from scraper.replica.pages import route

REPO = Path(__file__).resolve().parents[1]


def clean_rate(site: ReplicaSite, base_url: str, sample: int = 300, rounds: int = 3) -> float:
    """Pages/second of one process cleaning pages of `site` (CPU time, best round)."""
    headlines = frozenset(normalise_headline(ref.title) for ref in site.iter_refs())
    articles = [site.article(i) for i in range(min(sample, len(site)))]
    jobs = [
        CleanJob(url=base_url + a.path, bodies=(route(site, base_url, a.path + "?page=all").body,),
                 portal="viva", content_type="text/html; charset=utf-8", own_title=a.title)
        for a in articles
    ]  # fmt: skip
    clean_job(jobs[0], headlines)  # warm-up: imports and caches
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for job in jobs:
            clean_job(job, headlines)
        best = min(best, time.process_time() - started)
    return len(jobs) / best


def peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def crawl(base_url: str, out: Path, jobs: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "scraper.cli", "crawl", "viva", "--base-url", base_url, "-o", str(out),
               "--concurrency", "16", "--delay", "0", "-q", "--jobs", str(jobs)]  # fmt: skip
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    main_peak = worker_peak = 0
    while process.poll() is None:
        main_peak = max(main_peak, peak_rss_kb(process.pid))
        worker_peak = max([worker_peak, *(peak_rss_kb(c) for c in children(process.pid))])
        time.sleep(0.2)
    seconds = time.monotonic() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        sys.exit(f"crawl failed ({process.returncode}): {stderr[-2000:]}")
    report = orjson.loads(max((out / "viva").glob("run-*.json")).read_bytes())
    written = report["counts"]["written"]
    return {"written": written, "seconds": seconds, "rate": written / seconds,
            "main_mb": main_peak / 1024, "worker_mb": worker_peak / 1024}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, nargs="+", default=[5000, 50_000])
    parser.add_argument("--jobs", type=int, default=0, help="cleaning processes (0: one per core)")
    args = parser.parse_args()
    processes = args.jobs or os.cpu_count() or 1
    rows = []
    for count in args.articles:
        site = ReplicaSite(count, seed=1)
        with ReplicaPortal(site) as portal, tempfile.TemporaryDirectory() as tmp:
            result = crawl(portal.base_url, Path(tmp), args.jobs)
            bound = processes * clean_rate(site, portal.base_url)
        rows.append((count, result, bound))
    print(f"{os.cpu_count()} cores, {processes} cleaning processes, load average "
          f"{os.getloadavg()[0]:.1f} at the end")  # fmt: skip
    print(f"{'articles':>9}{'written':>9}{'seconds':>9}{'articles/s':>12}{'clean bound/s':>15}"
          f"{'of bound':>10}{'peak RSS crawl':>16}{'cleaner':>9}")  # fmt: skip
    for count, r, bound in rows:
        print(f"{count:>9}{r['written']:>9.0f}{r['seconds']:>9.1f}{r['rate']:>12.1f}{bound:>15.1f}"
              f"{r['rate'] / bound:>10.0%}{r['main_mb']:>13.0f} MB{r['worker_mb']:>6.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
