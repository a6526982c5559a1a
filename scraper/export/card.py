"""The dataset card: a Hugging Face style README.md that travels with an export (YAML header,
contents, deduplication, how to load it, fields, how it was produced)."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import metadata

from scraper.export.dedup import NUM_PERM, SHINGLE_WORDS
from scraper.export.schema import FIELDS
from scraper.export.types import ExportOptions, ExportResult

FIELD_NOTES = {
    "schema_version": "version of the article schema",
    "url": "URL the article was fetched from",
    "canonical_url": "the page's canonical URL, when it gives one",
    "portal": "news portal id (also the `portal=` partition)",
    "title": "headline",
    "authors": "bylines",
    "published_at": "publication time, ISO 8601 with the portal's offset",
    "modified_at": "last update time, ISO 8601",
    "section": "portal section (rubric)",
    "tags": "portal tags",
    "language": "language code of the text",
    "image": "lead image URL",
    "description": "the page's summary (meta description)",
    "text": 'clean body text, paragraphs separated by "\\n", inline teasers removed',
    "word_count": "words in `text`",
    "content_hash": 'sha256 of the whitespace-normalised text ("sha256:...")',
    "pages": "pages of a multi-page article joined into `text`",
    "fetched_at": "fetch time, ISO 8601 UTC",
    "source": "input file, for articles cleaned from saved pages",
    "near_dup_cluster": "id shared by near-duplicate articles (smallest content_hash); null if unique",
}
_TYPES = {"int": "int32", "str": "string", "list": "list<string>"}


def _size_category(count: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if count < limit:
            return label
    return "100K<n<1M" if count < 1_000_000 else "1M<n<10M"


def _data_files(options: ExportOptions, portal: str = "*") -> str:
    if "parquet" in options.formats:
        return f"parquet/portal={portal}/*/*.parquet" if portal != "*" else "parquet/*/*/*.parquet"
    return f"jsonl/{portal}/train.jsonl"


def _card_header(result: ExportResult, options: ExportOptions) -> list[str]:
    languages = sorted({code.split("-")[0].lower() for code in result.languages if code != "unknown"})
    lines = ["---", "license: other", "license_name: unknown", "language:"]
    lines += [f"- {code}" for code in languages] or ["- und"]
    lines += ["task_categories:", "- text-generation", "tags:", "- news", "size_categories:"]
    lines += [f"- {_size_category(result.articles)}", "configs:"]
    for name, portal in [("default", "*"), *((p, p) for p in sorted(result.per_portal))]:
        path = _data_files(options, portal)
        lines += [f"- config_name: {name}", "  data_files:", "  - split: train", f"    path: {path}"]
    return [*lines, "---", ""]


def _loading_section(result: ExportResult, options: ExportOptions) -> list[str]:
    root = result.outdir
    calls = [f'ds = load_dataset("{root}", "<portal>", split="train")  # one portal, by the configs above']
    if "jsonl" in options.formats:
        calls.insert(0, _load_call("json", f"{root}/jsonl/*/train.jsonl"))
    if "parquet" in options.formats:
        calls.insert(0, _load_call("parquet", f"{root}/parquet/*/*/*.parquet"))
    lines = ["## Loading", "", "```python", "from datasets import load_dataset", "", *calls, "```", ""]
    if "parquet" in options.formats:
        lines += [
            "The Parquet files hold every field including `portal`; `date` (published_at's local date,",
            "else fetched_at's) is only in the folder names. pyarrow reads both:",
            "",
            "```python",
            "import pyarrow.dataset as pads",
            f'table = pads.dataset("{root}/parquet", format="parquet", partitioning="hive").to_table()',
            "```",
            "",
            "(`pyarrow.parquet.read_table` on the folder guesses that `portal` is a dictionary and clashes",
            "with the string column in the files: use the call above, or load the files by glob.)",
            "",
        ]
    return lines


def _load_call(builder: str, pattern: str) -> str:
    return f'ds = load_dataset("{builder}", data_files={{"train": "{pattern}"}}, split="train")'


def render_card(result: ExportResult, options: ExportOptions) -> str:
    """A Hugging Face style README.md: YAML header, contents, deduplication, loading, fields, origin."""
    first = min(first for first, _ in result.dates.values())
    last = max(last for _, last in result.dates.values())
    lines = _card_header(result, options)
    portals = len(result.per_portal)
    lines += ["# News articles", "", f"{result.articles} clean news articles from {portals} portals,"]
    lines += [f"published (or fetched) from {first} to {last}.", "", "## Contents", ""]
    lines += ["| portal | articles | first date | last date |", "|---|---:|---|---|"]
    for portal, count in sorted(result.per_portal.items()):
        lines.append(f"| {portal} | {count} | {result.dates[portal][0]} | {result.dates[portal][1]} |")
    language_counts = ", ".join(f"{code}: {n}" for code, n in result.languages.most_common())
    lines += ["", f"Languages: {language_counts}.", "", "## Deduplication", ""]
    if options.dedup:
        lines += [
            f"- Exact duplicates dropped: {result.exact_duplicates} (same `content_hash`; the earliest"
            " fetched kept).",
            f"- Near-duplicates flagged, not dropped: {result.near_dup_articles} articles in"
            f" {result.near_dup_clusters} clusters (`near_dup_cluster`). MinHash with {NUM_PERM} permutations"
            f" over word {SHINGLE_WORDS}-shingles of the lowercased, whitespace-collapsed text, LSH and a"
            f" signature check at Jaccard >= {options.near_dup_threshold}.",
        ]
    else:
        lines.append("Deduplication was turned off (`--no-dedup`): `near_dup_cluster` is null throughout.")
    lines += [f"- Malformed input lines skipped: {result.malformed}.", ""]
    lines += _loading_section(result, options)
    lines += ["## Fields", "", "| field | type | description |", "|---|---|---|"]
    for name, kind, _ in (*FIELDS, ("near_dup_cluster", "str", True)):
        lines.append(f"| `{name}` | {_TYPES[kind]} | {FIELD_NOTES[name]} |")
    lines += ["", "## How it was produced", "", *_provenance(result, options)]
    return "\n".join(lines) + "\n"


def _provenance(result: ExportResult, options: ExportOptions) -> list[str]:
    try:
        version = metadata.version("news-scraper")
    except metadata.PackageNotFoundError:
        version = "unknown"
    when = datetime.now(UTC).isoformat(timespec="seconds")
    return [
        "Pages were crawled from the portals and cleaned by news-scraper (boilerplate, inline teasers and",
        f"calls to action removed), then exported by `scraper export` (news-scraper {version}) on {when}",
        f"from {len(result.files)} JSONL files ({result.lines} lines); formats:"
        f" {', '.join(options.formats)}.",
        "",
        "License: the articles remain the copyright of their publishers; check their terms before use.",
    ]
