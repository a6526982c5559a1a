"""The crawl side by side with what a user would run instead, on the same replica in the same run.

    python benchmarks/bench_alternatives.py [--articles 5000] [--rounds 1] [--jobs 0]

Serves a replica of N articles (article pages rendered beforehand, as benchmarks/bench_crawl.py
does, so the server does only HTTP work) and runs, one after another, each as its own process:

- ours: `scraper crawl viva --concurrency 16 --delay 0 -q --jobs J` (J cleaning processes, 0 =
  one per core), exactly as bench_crawl runs it: discovery from robots.txt, the sitemaps, RSS and
  the paged index, then every article as `<path>?page=all`, cleaned, deduplicated, written to
  dated JSON lines with the crawl state;
- Scrapy + trafilatura: a plain Scrapy spider calling `trafilatura.extract(response.text)` in its
  callback (benchmarks/alternatives.py says exactly what it does and with which settings);
- trafilatura's downloader: `trafilatura.downloads.buffered_downloads` with its default threads,
  then `trafilatura.extract` on each page (benchmarks/alternatives.py).

Both alternatives are handed the list of `<path>?page=all` URLs the crawl ends up fetching (the
same bytes per article, split articles whole): they do no discovery, keep no state and write
every page they get; that is generous to them. Each program is timed from launch to exit (Python
start-up and imports included). CPU is the program's own plus its children's (the crawl's
cleaning processes), exact from /proc (benchmarks/process_usage.py); peak RSS is the sum of each
process's high-water mark. The replica server is this process: its CPU per article is printed
apart (a real portal does not cost the crawler's cores). With --rounds R the three run R times,
in rotating order (the machine's speed drifts; see README), and every run is printed.

Quality is scored against the replica's own truth: every article's body text (all its pages) and
every boilerplate string the replica put on its page (teaser headlines inside the body, captions,
credits, "Baca Juga:", ads, footer). F1 is the 4-gram shingle F1 of scraper/evaluation/metrics.py
over all N articles (a missing article scores recall 0); "exact" is the share whose text is the
body word for word; "teasers leaked" counts boilerplate strings found in an article's text, and
"in articles" how many articles have at least one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.process_usage import Usage, run_measured
from scraper.evaluation.metrics import score_corpus, score_page
from scraper.replica import ReplicaPortal, ReplicaSite
from scraper.replica.pages import rendered_articles

REPO = Path(__file__).resolve().parents[1]
TOOLS = {
    "ours": "scraper crawl viva (--jobs {jobs})",
    "scrapy": "Scrapy spider + trafilatura.extract",
    "trafilatura": "trafilatura downloader + extract",
}


@dataclass(frozen=True)
class Quality:
    articles: int  # articles with a text
    f1: float
    exact: float
    leaked: int
    leaky_articles: int


def score(site: ReplicaSite, texts: dict[str, str]) -> Quality:
    """`texts`: URL path -> extracted text. Every article of `site` is scored; missing is empty."""
    pages, leaked, leaky = [], 0, 0
    for article in site.iter_articles():
        text = texts.get(article.path, "")
        pages.append(score_page(article.body_text, text))
        found = sum(1 for teaser in article.teasers if teaser in text)
        leaked, leaky = leaked + found, leaky + (found > 0)
    corpus = score_corpus(pages)
    return Quality(sum(1 for t in texts.values() if t), corpus.f1, corpus.accuracy, leaked, leaky)


def read_texts(paths: list[Path], field: str = "text") -> dict[str, str]:
    texts = {}
    for path in paths:
        for line in path.read_bytes().splitlines():
            record = orjson.loads(line)
            texts[urlsplit(record["url"]).path] = record.get(field) or ""
    return texts


def run_ours(base_url: str, tmp: Path, jobs: int) -> tuple[Usage, dict[str, str]]:
    out = tmp / "ours"
    command = [sys.executable, "-m", "scraper.cli", "crawl", "viva", "--base-url", base_url, "-o", str(out),
               "--concurrency", "16", "--delay", "0", "-q", "--jobs", str(jobs)]  # fmt: skip
    usage = run_measured(command, REPO, {**os.environ, "PYTHONPATH": str(REPO)})
    return usage, read_texts(sorted((out / "viva").glob("2*.jsonl")))


def run_alternative(tool: str, urls: Path, tmp: Path) -> tuple[Usage, dict[str, str]]:
    out = tmp / f"{tool}.jsonl"
    command = [sys.executable, str(REPO / "benchmarks" / "alternatives.py"), tool, "--urls", str(urls),
               "--out", str(out)]  # fmt: skip
    usage = run_measured(command, REPO)
    return usage, read_texts([out]) if out.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each program, in rotating order")
    parser.add_argument("--jobs", type=int, default=0, help="our cleaning processes (0: one per core)")
    args = parser.parse_args()
    site = ReplicaSite(args.articles, seed=1)
    rows = []
    with ReplicaPortal(site) as portal, tempfile.TemporaryDirectory() as tmp_name:
        portal.faults = rendered_articles(site, portal.base_url).get
        tmp = Path(tmp_name)
        urls = tmp / "urls.txt"
        urls.write_text("".join(f"{portal.base_url}{ref.path}?page=all\n" for ref in site.iter_refs()))
        order = list(TOOLS)
        for round_ in range(args.rounds):
            for tool in order[round_ % 3 :] + order[: round_ % 3]:
                run_dir = tmp / f"{tool}-{round_}"
                run_dir.mkdir()
                server = os.times()
                if tool == "ours":
                    usage, texts = run_ours(portal.base_url, run_dir, args.jobs)
                else:
                    usage, texts = run_alternative(tool, urls, run_dir)
                server_cpu = sum(os.times()[:2]) - sum(server[:2])
                if usage.returncode != 0:
                    sys.exit(f"{tool} failed ({usage.returncode}): {usage.stderr[-2000:]}")
                rows.append((tool, usage, server_cpu, score(site, texts)))
                print(f"  {tool}: {usage.seconds:.1f} s", file=sys.stderr)
    load = os.getloadavg()[0]
    print(f"{args.articles} articles, {os.cpu_count()} cores, load average {load:.1f} at the end")
    print(f"{'program':<40}{'articles':>9}{'seconds':>9}{'articles/s':>12}{'CPU ms/art':>12}"
          f"{'of which children':>19}{'peak RSS':>10}{'server ms/art':>15}{'F1':>7}{'exact':>7}"
          f"{'teasers leaked':>16}{'in articles':>13}")  # fmt: skip
    for tool, u, server_cpu, q in rows:
        per = 1000 / max(1, q.articles)
        name = TOOLS[tool].format(jobs=args.jobs or os.cpu_count())
        print(f"{name:<40}{q.articles:>9}{u.seconds:>9.1f}{q.articles / u.seconds:>12.1f}"
              f"{u.total_cpu * per:>12.2f}{u.children_cpu * per:>19.2f}{u.total_peak_mb:>7.0f} MB"
              f"{server_cpu * per:>15.2f}{q.f1:>7.3f}{q.exact:>7.1%}"
              f"{q.leaked:>16}{q.leaky_articles:>13}")  # fmt: skip


if __name__ == "__main__":
    main()
