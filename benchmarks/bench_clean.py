"""Cleaning speed and quality against trafilatura, in the same run, single process.

    python benchmarks/bench_clean.py [--corpus ../shared/corpus/aeb] [--rounds 3]

Uses the aeb benchmark pages when present (quality and speed), else 300 replica pages (speed).
Prints docs/second of trafilatura.extract with default options, of its fast mode, and of the
whole `clean_page` (decode, pre-pass, scoping, extraction, line filter, metadata); the ratio is
the issue's bar (>= 2x trafilatura default). Rounds alternate the extractors so that machine load
affects both alike; the best round of each is reported, in CPU seconds of this process.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleaners.pipeline import clean_page
from cleaners.types import Article, Page
from scraper.evaluation.corpus import GoldPage, load_corpus
from scraper.evaluation.metrics import score_corpus, score_page

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "aeb"


def replica_pages(count: int) -> list[GoldPage]:
    from scraper.replica import ReplicaSite
    from scraper.replica.pages import route

    site = ReplicaSite(count)
    base = "https://www.viva.co.id"
    pages = []
    for article in site.iter_articles():
        body = route(site, base, article.path + "?page=all").body
        pages.append(GoldPage(article.path, base + article.path, body, {"body": article.body_text}))
    return pages


def ours(page: GoldPage) -> str:
    result = clean_page(Page(url=page.url, body=page.html))
    return result.text if isinstance(result, Article) else ""


def trafilatura_default(page: GoldPage) -> str:
    return trafilatura.extract(page.html, include_comments=False) or ""


def trafilatura_fast(page: GoldPage) -> str:
    return trafilatura.extract(page.html, include_comments=False, fast=True) or ""


def timed(run: Callable[[GoldPage], str], pages: list[GoldPage]) -> tuple[float, list[str]]:
    # CPU time of this process: other work on the machine disturbs it far less than wall time.
    started = time.process_time()
    outputs = [run(page) for page in pages]
    return time.process_time() - started, outputs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.corpus.exists():
        pages, label = load_corpus(args.corpus), args.corpus.name
    else:
        pages, label = replica_pages(300), "replica (300 pages)"
    extractors = {
        "trafilatura default": trafilatura_default,
        "trafilatura fast": trafilatura_fast,
        "ours": ours,
    }
    for run in extractors.values():  # warm-up: imports, dateparser's language data, caches
        for page in pages[:5]:
            run(page)
    best: dict[str, float] = {}
    quality: dict[str, tuple[float, float, float]] = {}
    for _ in range(args.rounds):
        for name, run in extractors.items():
            seconds, outputs = timed(run, pages)
            best[name] = min(best.get(name, seconds), seconds)
            score = score_corpus(
                score_page(p.gold.get("body", ""), out) for p, out in zip(pages, outputs, strict=True)
            )
            quality[name] = (score.precision, score.recall, score.f1)
    print(f"corpus: {label}, {len(pages)} pages, best of {args.rounds} rounds, single process")
    print(f"{'extractor':<22}{'docs/s':>9}{'precision':>11}{'recall':>9}{'F1':>8}")
    for name in extractors:
        precision, recall, f1 = quality[name]
        print(f"{name:<22}{len(pages) / best[name]:>9.1f}{precision:>11.4f}{recall:>9.4f}{f1:>8.4f}")
    ratio = best["trafilatura default"] / best["ours"]
    print(f"speed ratio ours / trafilatura default: {ratio:.2f}x (bar: 2.00x)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
