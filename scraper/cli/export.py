"""The `export` command (added to the `scraper` app by `register(app)`) and the dataset card.

The export itself lives in `scraper.export`; this module is what people read: progress, the final
summary, one-line errors, and the README.md card that travels with the dataset.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from scraper.dedup import DEFAULT_THRESHOLD, NUM_PERM, SHINGLE_WORDS
from scraper.export import ExportError, ExportOptions, ExportResult, ProgressHook, export
from scraper.export_schema import FIELDS

err = Console(stderr=True)
out = Console(highlight=False)
SHOWN_PROBLEMS = 20

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


class Format(StrEnum):
    parquet = "parquet"
    jsonl = "jsonl"
    both = "both"


class RichHook(ProgressHook):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: int | None = None

    def start(self, stage: str, total: int | None) -> None:
        label = {"scan": "reading and deduplicating", "write": "writing articles"}.get(stage, stage)
        self.task = self.progress.add_task(label, total=total)

    def advance(self, amount: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def export_command(
    inputs: Annotated[
        list[Path], typer.Argument(help="article JSONL files, or folders searched for *.jsonl")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="dataset folder to write")],
    format_: Annotated[Format, typer.Option("--format", help="what to write")] = Format.both,
    near_dup_threshold: Annotated[
        float, typer.Option(help="estimated Jaccard of word 5-shingles at which texts are near-duplicates")
    ] = DEFAULT_THRESHOLD,
    no_dedup: Annotated[
        bool, typer.Option("--no-dedup", help="keep exact duplicates, skip near-duplicate clustering")
    ] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="no progress bar or summary")] = False,
) -> None:
    """Export crawled articles as a dataset: hive-partitioned Parquet and/or per-portal JSONL, with a card.

    Example: scraper export output/ -o dataset/ --format both
    """
    if not 0.0 < near_dup_threshold <= 1.0:
        raise _fail(f"--near-dup-threshold must be in (0, 1], got {near_dup_threshold}")
    formats = ("parquet", "jsonl") if format_ is Format.both else (format_.value,)
    options = ExportOptions(formats=formats, near_dup_threshold=near_dup_threshold, dedup=not no_dedup)
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=True) as progress:
        try:
            result = export(inputs, output, options, RichHook(progress), card=render_card)
        except ExportError as exc:
            raise _fail(str(exc)) from exc
    _report_problems(result)
    if not quiet:
        _print_summary(result, output)


def _report_problems(result: ExportResult) -> None:
    for problem in result.problems[:SHOWN_PROBLEMS]:
        err.print(f"[yellow]skipped[/yellow] {problem}", highlight=False, soft_wrap=True)
    if result.malformed > SHOWN_PROBLEMS:
        err.print(
            f"[yellow]skipped[/yellow] ... and {result.malformed - SHOWN_PROBLEMS} more malformed lines"
        )


def _print_summary(result: ExportResult, output: Path) -> None:
    table = Table("portal", "articles", "first date", "last date", title=f"exported to {output}")
    for portal, count in sorted(result.per_portal.items()):
        first, last = result.dates[portal]
        table.add_row(portal, str(count), first, last)
    out.print(table)
    seconds = result.seconds
    out.print(
        f"{result.articles} articles from {result.lines} lines in {len(result.files)} files; "
        f"{result.exact_duplicates} exact duplicates dropped; {result.near_dup_articles} near-duplicates "
        f"in {result.near_dup_clusters} clusters; {result.malformed} malformed lines skipped; "
        f"{seconds['scan'] + seconds['write']:.1f}s (minhash {seconds['minhash']:.1f}s)"
    )


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


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
