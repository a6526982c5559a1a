"""Several portals crawled side by side in one process against the same portals crawled one after
another, same replicas, same total, same run: articles/second, CPU per article, peak memory.

    python benchmarks/bench_multi.py [--articles 2000] [--portals viva detik kompas] [--rounds 1]

Each portal is served by its replica on loopback (VIVA's own, ~80 KB pages; the others made from
their rules and fixtures, 5-9 KB pages: scraper/replica/family.py), article pages rendered before
the runs so the replicas only do HTTP work. "one after another" runs `scraper crawl PORTAL` once per
portal, each into a fresh folder, and adds up its times; "side by side" runs `scraper crawl P1 P2
P3` once (one reactor, one crawler per portal with its own politeness, one cleaning pool). Both
use the crawl's defaults (--jobs: one cleaning process per core) with --concurrency 16 --delay 0
(loopback). CPU is read from /proc for the crawl process and its cleaning processes; "per core" is
articles per CPU-second of both. With --rounds N the two alternate N times (this host's speed
drifts) and every round is printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_crawl import children, cpu_seconds, peak_rss_kb

from cleaners.multipage import article_request_url
from scraper.replica import ReplicaPortal, ReplicaSite, Response
from scraper.replica.family import FamilySite
from scraper.replica.family_layout import FamilyLayout
from scraper.replica.pages import rendered_articles

REPO = Path(__file__).resolve().parents[1]


def serve(name: str, articles: int, stack: ExitStack) -> ReplicaPortal:
    """A replica of `name` whose article pages are rendered now and answered from memory."""
    if name == "viva":
        site = ReplicaSite(articles, seed=1)
        portal = stack.enter_context(ReplicaPortal(site))
        portal.faults = rendered_articles(site, portal.base_url).get
        return portal
    family = FamilySite(name, articles, seed=1)
    portal = stack.enter_context(ReplicaPortal(FamilyLayout(family)))
    pages: dict[str, Response] = {}
    for ref in family.iter_refs():
        url = urlsplit(article_request_url(portal.base_url + ref.path, family.rules))
        pages[url.path + (f"?{url.query}" if url.query else "")] = family.article_response(
            ref.index, portal.base_url
        )
    portal.faults = pages.get
    return portal


def crawl(portals: dict[str, ReplicaPortal], out: Path, jobs: int) -> dict[str, float]:
    """One `scraper crawl` process over `portals`; times, CPU and peak memory from /proc."""
    names = list(portals)
    bases = [f"--base-url={n}={p.base_url}" for n, p in portals.items()] if len(names) > 1 else [
        "--base-url", portals[names[0]].base_url
    ]  # fmt: skip
    command = [sys.executable, "-m", "scraper.cli", "crawl", *names, *bases, "-o", str(out), "--concurrency",
               "16", "--delay", "0", "-q", "--jobs", str(jobs)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    main_peak = worker_peak = 0
    main_cpu, cleaner_cpu = 0.0, {}
    while process.poll() is None:
        main_peak = max(main_peak, peak_rss_kb(process.pid))
        main_cpu = cpu_seconds(process.pid) or main_cpu
        for child in children(process.pid):
            worker_peak = max(worker_peak, peak_rss_kb(child))
            cleaner_cpu[child] = cpu_seconds(child) or cleaner_cpu.get(child, 0.0)
        time.sleep(0.2)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        stderr = process.stderr.read().decode() if process.stderr else ""
        sys.exit(f"crawl of {names} failed ({process.returncode}): {stderr[-2000:]}")
    written = sum(
        orjson.loads(max((out / name).glob("run-*.json")).read_bytes())["counts"]["written"] for name in names
    )
    return {"written": written, "seconds": seconds, "crawl_cpu": main_cpu,
            "clean_cpu": sum(cleaner_cpu.values()), "main_mb": main_peak / 1024,
            "worker_mb": worker_peak / 1024}  # fmt: skip


def one_after_another(portals: dict[str, ReplicaPortal], jobs: int) -> dict[str, float]:
    total: dict[str, float] = {}
    for name, portal in portals.items():
        with tempfile.TemporaryDirectory() as tmp:
            result = crawl({name: portal}, Path(tmp), jobs)
        for key, value in result.items():
            total[key] = max(total.get(key, 0), value) if key.endswith("_mb") else total.get(key, 0) + value
    return total


def side_by_side(portals: dict[str, ReplicaPortal], jobs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        return crawl(portals, Path(tmp), jobs)


def row(label: str, r: dict[str, Any]) -> str:
    per_article = 1000 / max(1, r["written"])
    cpu = r["crawl_cpu"] + r["clean_cpu"]
    return (
        f"{label:<22}{r['written']:>8.0f}{r['seconds']:>9.1f}{r['written'] / r['seconds']:>12.1f}"
        f"{r['written'] / max(cpu, 1e-6):>14.1f}{r['crawl_cpu'] * per_article:>12.2f}"
        f"{r['clean_cpu'] * per_article:>12.2f}{r['main_mb']:>13.0f} MB{r['worker_mb']:>8.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=2000, help="articles per portal")
    parser.add_argument("--portals", nargs="+", default=["viva", "detik", "kompas"])
    parser.add_argument("--jobs", type=int, default=0, help="cleaning processes (0: one per core)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    rows = []
    with ExitStack() as stack:
        portals = {name: serve(name, args.articles, stack) for name in args.portals}
        for n in range(args.rounds):
            rows.append((f"one after another #{n + 1}", one_after_another(portals, args.jobs)))
            rows.append((f"side by side #{n + 1}", side_by_side(portals, args.jobs)))
    print(f"{len(args.portals)} portals ({', '.join(args.portals)}) x {args.articles} articles; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end")  # fmt: skip
    print(f"{'':<22}{'written':>8}{'seconds':>9}{'articles/s':>12}{'per CPU-s':>14}{'crawl ms':>12}"
          f"{'clean ms':>12}{'peak RSS crawl':>16}{'cleaner':>11}")  # fmt: skip
    for label, result in rows:
        print(row(label, result))
    singles = [r for label, r in rows if label.startswith("one")]
    multis = [r for label, r in rows if label.startswith("side")]
    rate = sum(r["written"] / r["seconds"] for r in multis) / sum(
        r["written"] / r["seconds"] for r in singles
    )
    print(f"side by side / one after another, articles/s: {rate:.2f}x")


if __name__ == "__main__":
    main()
