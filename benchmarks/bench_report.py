"""`scraper report` time and memory on a large synthetic output folder.

    python benchmarks/bench_report.py [--articles 100000] [--runs 100] [--portals 4] [--keep DIR]

Writes crawl-style output (OUTPUT/<portal>/<date>.jsonl with articles of about 400 words, and
`run-*.json` reports with counts, rejects and failures by reason, quality coverage and now and then
a drift warning), then runs `scraper report` on it as a subprocess and prints its wall time and
peak RSS (from wait4), beside the time to merely read every article file once (`cat` floor) and
the CLI's start-up alone.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
PORTALS = ("viva", "detik", "kompas", "tempo", "liputan6", "okezone", "antaranews", "cnnindonesia")
COVERAGE = ("title", "published_at", "authors", "section")
WORDS = "pemerintah kota warga jalan banjir harga pasar menteri presiden sekolah rumah sakit".split()


def make_output(folder: Path, articles: int, runs: int, portals: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    names = PORTALS[:portals]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    days = max(1, articles // (portals * 300))  # ~300 articles per portal per day
    for portal in names:
        (folder / portal).mkdir(parents=True, exist_ok=True)
    handles: dict[tuple[str, str], object] = {}
    for index in range(articles):
        portal = names[index % portals]
        day = (start + timedelta(days=rng.randrange(days))).date().isoformat()
        text = " ".join(rng.choices(WORDS, k=400))
        record = {"url": f"https://{portal}.example/{index}", "portal": portal, "title": f"Berita {index}",
                  "published_at": f"{day}T08:00:00+07:00", "text": text,
                  "fetched_at": f"{day}T09:00:00+00:00"}  # fmt: skip
        key = (portal, day)
        if key not in handles:
            handles[key] = (folder / portal / f"{day}.jsonl").open("ab")
        handles[key].write(orjson.dumps(record) + b"\n")  # type: ignore[attr-defined]
    for handle in handles.values():
        handle.close()  # type: ignore[attr-defined]
    for number in range(runs):
        portal = names[number % portals]
        started = start + timedelta(hours=6 * number)
        seconds = round(rng.uniform(30, 400), 2)
        report = {
            "portal": portal, "started": started.isoformat(timespec="seconds"), "seconds": seconds,
            "ok": rng.random() > 0.05, "interrupted": False, "finish_reason": "finished",
            "counts": {"fetched": articles // runs + 40, "written": articles // runs,
                       "rejected": {"too_short": rng.randrange(20), "index_page": rng.randrange(5)},
                       "failed": {"timeout": rng.randrange(8), "http_503": rng.randrange(4)}},
            "quality": {"articles": articles // runs, "body_selector_matched": 0.98,
                        "coverage": {f: round(rng.uniform(0.85, 1.0), 3) for f in COVERAGE},
                        "mean_words": 400.0, "teasers_removed_per_page": 1.5},
            "drift": {"baseline_runs": 10, "warnings": [] if number % 17 else [
                {"field": "authors", "value": 0.4, "baseline": 0.95, "threshold": 0.2, "rule": None,
                 "message": "authors coverage 40% against 95% in the last 10 runs"}]},
        }  # fmt: skip
        name = f"run-{started.strftime('%Y%m%dT%H%M%SZ')}-{number}.json"
        (folder / portal / name).write_bytes(orjson.dumps(report))


def measure(command: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--portals", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="write the output and report here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        started = time.perf_counter()
        make_output(root / "output", args.articles, args.runs, args.portals)
        files = list((root / "output").rglob("*.jsonl"))
        size = sum(path.stat().st_size for path in files) / 1e6
        print(f"generated {args.articles:,} articles ({size:,.0f} MB in {len(files)} files) and {args.runs} "
              f"run reports in {time.perf_counter() - started:.1f}s")  # fmt: skip
        floor, _ = measure(["cat", *map(str, files)])
        startup, startup_rss = measure([sys.executable, "-m", "scraper.cli", "--version"])
        seconds, rss = measure([sys.executable, "-m", "scraper.cli", "report", str(root / "output"),
                                "-o", str(root / "report.html"), "-q"])  # fmt: skip
        page = (root / "report.html").stat().st_size / 1024
        print(f"{'':24}{'seconds':>9}{'peak RSS MB':>13}")
        print(f"{'cat of the article files':24}{floor:9.2f}{'':>13}")
        print(f"{'scraper --version':24}{startup:9.2f}{startup_rss:13.0f}   (the CLI's start-up alone)")
        print(f"{'scraper report':24}{seconds:9.2f}{rss:13.0f}   (page {page:.0f} KB)")


if __name__ == "__main__":
    main()
