"""End-to-end crawl of the loopback replica: articles/second against the cleaning-only bound, and
the crawl process's peak memory as the site grows.

    python benchmarks/bench_crawl.py [--articles 5000 50000] [--jobs 0]

For each size N: serves a replica of N articles (article pages rendered beforehand unless
--generate), runs `scraper crawl viva` on it as a subprocess
(--jobs: cleaning processes, 0 = one per core; --concurrency 16, --delay 0: loopback needs no
politeness delay; AutoThrottle stays on as configured), and times it from launch to exit. Peak
RSS is the kernel's high-water mark (VmHWM) of the crawl process, read every 0.1 s, and the
largest one of its cleaning processes; CPU time is exact, from the finished process's /proc entry
(benchmarks/process_usage.py).

The cleaning-only bound is what the cleaning processes alone could do: the single-process rate of
`clean_job` on 300 pages of the same replica (as served, with the site's headline index; best of 3
rounds, CPU time), times the number of cleaning processes, measured before and after the crawl
(this host's speed drifts by tens of percent from minute to minute: the mean is used, and the
difference printed). The replica is served from this process, which takes a share of the same
cores.

A second table splits the CPU time of the run per article written: cleaning processes, the crawl
process (Scrapy, state, output) and the replica server (this process, which a real portal does not
cost). "cores-limited share" is the share of the bound the crawl could reach with both cores fully
busy given those costs: the bound's cleaning cost over everything spent per article. "Scrapy
floor" is the CPU per page of a spider that only fetches the same article pages with the crawl's
engine settings (benchmarks/scrapy_floor.py, run on the same replica after the crawl), and "with
Scrapy alone" the share a crawl could reach if Scrapy's fetching were its only cost besides
cleaning: the ceiling for any crawl that fetches each article through Scrapy on these cores.
"engine alone" is the same spider with a download handler that answers from memory (no network,
no server): Scrapy's engine per page, and the share a crawl could reach if fetching, the server,
and everything but that engine and cleaning cost nothing: the ceiling for any design in which
Scrapy schedules each article, even one that fetched and cleaned it elsewhere.
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

from benchmarks.process_usage import run_measured
from cleaners.teasers import normalise_headline
from scraper.crawl.clean_job import CleanJob, clean_job
from scraper.replica import ReplicaPortal, ReplicaSite
from scraper.replica.pages import rendered_articles, route

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


def crawl(base_url: str, out: Path, jobs: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "scraper.cli", "crawl", "viva", "--base-url", base_url, "-o", str(out),
               "--concurrency", "16", "--delay", "0", "-q", "--jobs", str(jobs)]  # fmt: skip
    server_cpu = time.process_time()  # this process: the replica's threads
    usage = run_measured(command, REPO, env)
    server_cpu = time.process_time() - server_cpu
    if usage.returncode != 0:
        sys.exit(f"crawl failed ({usage.returncode}): {usage.stderr[-2000:]}")
    report = orjson.loads(max((out / "viva").glob("run-*.json")).read_bytes())
    written = report["counts"]["written"]
    per_article = 1000 / max(1, written)
    return {"written": written, "seconds": usage.seconds, "rate": written / usage.seconds,
            "main_mb": usage.peak_kb / 1024, "worker_mb": usage.largest_child_kb / 1024,
            "crawl_ms": usage.cpu * per_article, "clean_ms": usage.children_cpu * per_article,
            "server_ms": server_cpu * per_article}  # fmt: skip


def scrapy_floor(base_url: str, articles: int, network: bool = True) -> float:
    """ms of CPU per page of a Scrapy spider that only fetches the article pages (scrapy_floor.py);
    without network: of Scrapy's engine alone, pages answered from memory."""
    command = [sys.executable, str(REPO / "benchmarks" / "scrapy_floor.py"), "--base-url", base_url,
               "--articles", str(articles), *([] if network else ["--no-network"])]  # fmt: skip
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False, timeout=3600)
    if result.returncode != 0 or not result.stdout.startswith("floor-ms-per-page"):
        sys.exit(f"scrapy_floor.py failed: {result.stderr[-2000:]}")
    return float(result.stdout.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, nargs="+", default=[5000, 50_000])
    parser.add_argument("--jobs", type=int, default=0, help="cleaning processes (0: one per core)")
    parser.add_argument("--generate", action="store_true",
                        help="generate article pages per request, not beforehand")  # fmt: skip
    args = parser.parse_args()
    processes = args.jobs or os.cpu_count() or 1
    rows = []
    for count in args.articles:
        site = ReplicaSite(count, seed=1)
        with ReplicaPortal(site) as portal, tempfile.TemporaryDirectory() as tmp:
            if not args.generate:
                portal.faults = rendered_articles(site, portal.base_url).get
            before = clean_rate(site, portal.base_url)
            result = crawl(portal.base_url, Path(tmp), args.jobs)
            after = clean_rate(site, portal.base_url)
            # The machine's speed drifts (shared host): the bound is the mean of both sides.
            bound = processes * (before + after) / 2
            result["drift"] = abs(after - before) / min(before, after)
            result["floor_ms"] = scrapy_floor(portal.base_url, count)
            result["engine_ms"] = scrapy_floor(portal.base_url, count, network=False)
        rows.append((count, result, bound))
    print(f"{os.cpu_count()} cores, {processes} cleaning processes, load average "
          f"{os.getloadavg()[0]:.1f} at the end")  # fmt: skip
    print(f"{'articles':>9}{'written':>9}{'seconds':>9}{'articles/s':>12}{'clean bound/s':>15}"
          f"{'of bound':>10}{'peak RSS crawl':>16}{'cleaner':>9}{'bound drift':>13}")  # fmt: skip
    for count, r, bound in rows:
        print(f"{count:>9}{r['written']:>9.0f}{r['seconds']:>9.1f}{r['rate']:>12.1f}{bound:>15.1f}"
              f"{r['rate'] / bound:>10.0%}{r['main_mb']:>13.0f} MB{r['worker_mb']:>6.0f} MB"
              f"{r['drift']:>13.0%}")  # fmt: skip
    print("\nCPU per article written (ms): where the two cores went")
    print(f"{'articles':>9}{'cleaning':>10}{'crawl process':>15}{'replica server':>16}{'Scrapy floor':>14}"
          f"{'engine alone':>14}{'bound/s':>9}{'cores-limited share':>21}{'with Scrapy alone':>19}"
          f"{'engine alone':>14}")  # fmt: skip
    for count, r, bound in rows:
        clean_only = 1000 * processes / bound  # ms of one process per article, cleaning alone
        # With every core busy, a crawl reaches clean_only / (all CPU per article) of the bound;
        # with nothing but Scrapy's own fetching besides cleaning (no IPC, state or output, and
        # cleaning as cheap as alone), at most clean_only / (clean_only + floor + server).
        share = clean_only / (r["clean_ms"] + r["crawl_ms"] + r["server_ms"])
        floor_share = clean_only / (clean_only + r["floor_ms"] + r["server_ms"])
        engine_share = clean_only / (clean_only + r["engine_ms"])  # fetching free, server free
        print(f"{count:>9}{r['clean_ms']:>10.2f}{r['crawl_ms']:>15.2f}{r['server_ms']:>16.2f}"
              f"{r['floor_ms']:>14.2f}{r['engine_ms']:>14.2f}{bound:>9.0f}{share:>21.0%}"
              f"{floor_share:>19.0%}{engine_share:>14.0%}")  # fmt: skip


if __name__ == "__main__":
    main()
