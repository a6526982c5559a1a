"""Dataset export speed and memory on synthetic crawl output.

    python benchmarks/bench_export.py [--articles 20000] [--format parquet] [--keep DIR]

Writes N synthetic articles (about 400 words each, some exact and near duplicates mixed in) as
crawl output (<portal>/<date>.jsonl) in a temporary folder, then times one export: articles per
second end to end, the scan (reading, validation, exact dedup) with the MinHash + LSH time split
out, and the write pass. Peak RSS is of this process; generation streams to disk, so it is the
export's.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleaners.types import Article
from scraper.export.writer import ExportOptions, export

PORTALS = ("antaranews", "cnnindonesia", "detik", "kompas", "liputan6", "okezone", "tempo", "viva")
TEASER = "Baca juga: Harga cabai naik menjelang Lebaran di pasar induk kota"


def vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    syllables = [c + v for c in "bdklmnprsty" for v in "aeiu"]
    words = ["".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(size)]
    cumulative = list(accumulate(1 / (rank + 1) for rank in range(size)))  # Zipf-like, as in real text
    return words, cumulative


def body(rng: random.Random, words: list[str], cumulative: list[float]) -> list[str]:
    """Sentences of a ~400-word article."""
    drawn = rng.choices(words, cum_weights=cumulative, k=rng.randint(300, 500))
    cuts = list(range(0, len(drawn), 14))
    return [" ".join(drawn[i : i + 14]).capitalize() + "." for i in cuts]


def paragraphs(sentences: list[str]) -> str:
    return "\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))


def records(count: int, made: Counter[str], seed: int = 1) -> Iterator[dict[str, Any]]:
    """Synthetic articles: ~2% exact copies (later fetch, other URL), ~5% near copies (one
    sentence replaced and a teaser line inserted); `made` counts each kind."""
    rng = random.Random(seed)
    words, weights = vocabulary(rng)
    recent: list[tuple[dict[str, Any], list[str]]] = []
    for n in range(count):
        portal, day = rng.choice(PORTALS), 1 + rng.randrange(28)
        roll = rng.random()
        if recent and roll < 0.02:
            copy, _ = rng.choice(recent)
            made["exact copies"] += 1
            yield dict(
                copy, url=f"https://mirror.example/{n}", fetched_at=f"2026-03-{day:02d}T23:00:00+00:00"
            )
            continue
        sentences = body(rng, words, weights)
        if recent and roll < 0.07:
            sentences = list(rng.choice(recent)[1])
            sentences[rng.randrange(len(sentences))] = body(rng, words, weights)[0]
            sentences.insert(rng.randrange(len(sentences)), TEASER)
            made["near copies"] += 1
        record = Article(
            url=f"https://www.{portal}.example/read/{n}",
            portal=portal,
            title=f"Berita {n}",
            text=paragraphs(sentences),
            authors=(f"Penulis {n % 50}",),
            published_at=f"2026-03-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+07:00",
            section="nasional",
            tags=("indonesia",),
            language="id",
            fetched_at=f"2026-03-{day:02d}T20:00:00+00:00",
        ).to_dict()
        recent = [*recent[-199:], (record, sentences)]
        yield record


def write_corpus(root: Path, count: int, made: Counter[str]) -> int:
    """Crawl-style files; returns bytes written."""
    size = 0
    for record in records(count, made):
        path = root / record["portal"] / f"{record['published_at'][:10]}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        line = orjson.dumps(record) + b"\n"
        with path.open("ab") as handle:
            handle.write(line)
        size += len(line)
    return size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--format", choices=("parquet", "jsonl", "both"), default="parquet")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--keep", type=Path, help="write input and output here instead of a temp folder")
    args = parser.parse_args()
    formats = ("parquet", "jsonl") if args.format == "both" else (args.format,)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        started = time.perf_counter()
        made: Counter[str] = Counter()
        size = write_corpus(folder / "input", args.articles, made)
        took = time.perf_counter() - started
        print(f"generated {args.articles} articles ({size / 2**20:.0f} MiB) in {took:.1f}s")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        options = ExportOptions(formats=formats, near_dup_threshold=args.threshold)
        result = export([folder / "input"], folder / "dataset", options)
        total = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds = result.seconds
    print(f"export ({', '.join(formats)}): {result.articles} articles written in {total:.1f}s")
    print(f"  end to end      {args.articles / total:8.0f} input articles/s")
    print(f"  scan            {seconds['scan']:8.1f}s  (read, validate, exact dedup, MinHash + LSH)")
    signed = result.articles / max(seconds["minhash"], 1e-9)  # exact copies are not signed again
    print(f"    MinHash + LSH {seconds['minhash']:8.1f}s  {signed:8.0f} texts/s")
    print(f"  write           {seconds['write']:8.1f}s  {result.articles / seconds['write']:8.0f} articles/s")
    print(f"  exact duplicates dropped {result.exact_duplicates} (generated {made['exact copies']})")
    print(
        f"  near-duplicates flagged {result.near_dup_articles} in {result.near_dup_clusters} clusters"
        f" (generated {made['near copies']} near copies); {len(result.written)} files written"
    )
    print(f"peak RSS {peak:.0f} MiB (before the export: {rss_before:.0f} MiB)")


if __name__ == "__main__":
    main()
