"""The dataset card: a Hugging Face style README.md that travels with an export (YAML header,
contents, deduplication, how to load it, fields, how it was produced)."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import metadata

from scraper.export.dedup import NUM_PERM, SHINGLE_WORDS
from scraper.export.schema import ADDED_FIELDS, EXPORT_SCHEMA_VERSION, FIELDS
from scraper.export.types import ExportOptions, ExportResult

FIELD_NOTES = {
    "schema_version": "version of the article schema",
    "url": "URL the article was fetched from",
    "canonical_url": "the page's canonical URL, when it gives one",
    "portal": "news portal id (also the folder of its files)",
    "title": "headline",
    "authors": "bylines",
    "published_at": "publication time (UTC instant; the portal's offset is in `published_offset`)",
    "modified_at": "last update time (UTC instant; offset in `modified_offset`)",
    "section": "portal section (rubric)",
    "tags": "portal tags",
    "language": "language code of the text",
    "image": "lead image URL",
    "description": "the page's summary (meta description)",
    "text": 'clean body text, paragraphs separated by "\\n", inline teasers removed',
    "word_count": "words in `text`",
    "content_hash": 'sha256 of the whitespace-normalised text ("sha256:...")',
    "pages": "pages of a multi-page article joined into `text`",
    "fetched_at": "fetch time (UTC instant)",
    "source": "input file, for articles cleaned from saved pages",
    "published_offset": "minutes east of UTC the portal printed published_at in (WIB: 420)",
    "modified_offset": "minutes east of UTC of modified_at",
    "date": "published_at's date in the portal's own time (else fetched_at's); also the file name",
    "near_dup_cluster": "id shared by near-duplicate articles (smallest content_hash); null if unique",
}
# Column kind -> (the fields table's type, the datasets feature in the YAML header)
_TYPES = {
    "int": ("int32", "dtype: int32"), "str": ("string", "dtype: string"),
    "list": ("list<string>", "list: string"),
    "time": ("timestamp[us, tz=UTC]", "dtype: timestamp[us, tz=UTC]"),
    "offset": ("int16", "dtype: int16"), "date": ("date32", "dtype: date32"),
}  # fmt: skip
COLUMNS = (*((name, kind) for name, kind, _ in FIELDS), *ADDED_FIELDS)


def _size_category(count: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if count < limit:
            return label
    return "100K<n<1M" if count < 1_000_000 else "1M<n<10M"


def _data_files(options: ExportOptions, portal: str = "*") -> str:
    if "parquet" in options.formats:
        return f"parquet/{portal}/*.parquet"
    return f"jsonl/{portal}/train.jsonl"


def _features() -> list[str]:
    """The `datasets` features of every config: load_dataset then reads times as tz-aware UTC
    timestamps and the ints at their width, from Parquet and JSON lines alike."""
    lines = ["  features:"]
    for name, kind in COLUMNS:
        lines += [f"  - name: {name}", f"    {_TYPES[kind][1]}"]
    return lines


def _card_header(result: ExportResult, options: ExportOptions) -> list[str]:
    languages = sorted({code.split("-")[0].lower() for code in result.languages if code != "unknown"})
    lines = ["---", "license: other", "license_name: unknown", "language:"]
    lines += [f"- {code}" for code in languages] or ["- und"]
    lines += ["task_categories:", "- text-generation", "tags:", "- news", "size_categories:"]
    lines += [f"- {_size_category(result.articles)}", "configs:"]
    configs = [("default", "*"), *((p, p) for p in sorted(result.per_portal))]
    for name, portal in configs:
        path = _data_files(options, portal)
        lines += [f"- config_name: {name}", "  data_files:", "  - split: train", f"    path: {path}"]
    lines.append("dataset_info:")
    for name, _ in configs:
        lines += [f"- config_name: {name}", *_features()]
    return [*lines, "---", ""]


def _loading_section(options: ExportOptions) -> list[str]:
    """How to load it: paths relative to this folder (DATASET below), never this machine's."""
    lines = ["## Loading", "", "`DATASET` is the path of this folder.", "", "```python"]
    lines += ["from datasets import load_dataset", ""]
    lines += ['ds = load_dataset(DATASET, split="train")  # every portal; the features below apply']
    lines += ['ds = load_dataset(DATASET, "<portal>", split="train")  # one portal (the configs above)']
    if "parquet" in options.formats and "jsonl" in options.formats:
        lines += [
            "# the JSON lines, with the same features (times tz-aware):",
            "from datasets import load_dataset_builder",
            "features = load_dataset_builder(DATASET).info.features",
            'files = f"{DATASET}/jsonl/*/train.jsonl"',
            'ds = load_dataset("json", data_files=files, features=features, split="train")',
        ]
    lines += ["```", ""]
    if "parquet" in options.formats:
        lines += [
            "`parquet/<portal>/<date>.parquet`: one file per portal and day; `portal` and `date` are",
            "columns of every file (the folders are not hive partitions), so every reader loads the",
            "folder as it is:",
            "",
            "```python",
            "import pandas as pd, polars as pl, duckdb, pyarrow.dataset as pads",
            'df = pd.read_parquet(f"{DATASET}/parquet")',
            'df = pl.read_parquet(f"{DATASET}/parquet/*/*.parquet")',
            'rel = duckdb.read_parquet(f"{DATASET}/parquet/*/*.parquet")',
            'table = pads.dataset(f"{DATASET}/parquet").to_table()',
            "```",
            "",
        ]
    lines += [
        "Times are UTC instants (tz-aware in every reader). The portal's local time is",
        "`published_at + published_offset` minutes (pandas:",
        '`df.published_at + pd.to_timedelta(df.published_offset, unit="min")`, a wall-clock time). In the',
        "JSON lines the times keep their original offset (`2026-11-19T23:47:00+07:00`).",
        "",
    ]
    return lines


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
    lines += [f"- Malformed input lines skipped: {result.malformed}."]
    if result.unreadable_times:
        lines += [f"- Times that were not ISO 8601, stored as null: {result.unreadable_times}."]
    lines += ["", *_loading_section(options)]
    lines += ["## Fields", "", f"Export schema version {EXPORT_SCHEMA_VERSION}.", ""]
    lines += ["| field | type | description |", "|---|---|---|"]
    for name, kind in COLUMNS:
        lines.append(f"| `{name}` | {_TYPES[kind][0]} | {FIELD_NOTES[name]} |")
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
