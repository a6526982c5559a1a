"""`scraper export`: crawled articles as a dataset (Parquet and/or JSONL, with a card).

The export itself lives in `scraper.export`; this module is what people read: progress, the final
summary and one-line errors.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from scraper.cli.options import err, fail, out
from scraper.export.card import render_card
from scraper.export.dedup import DEFAULT_THRESHOLD
from scraper.export.writer import ExportError, ExportOptions, ExportResult, ProgressHook, export

SHOWN_PROBLEMS = 20


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
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="replace the dataset already in OUTPUT (atomically)")
    ] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="no progress bar or summary")] = False,
) -> None:
    """Export crawled articles as a dataset: Parquet per portal and day and/or JSONL per portal, with a card.

    A dataset already in OUTPUT is replaced only with --overwrite; readers see the old or the new one, whole.

    Example: scraper export output/ -o dataset/ --format both
    """
    if not 0.0 < near_dup_threshold <= 1.0:
        raise fail(f"--near-dup-threshold must be in (0, 1], got {near_dup_threshold}")
    formats = ("parquet", "jsonl") if format_ is Format.both else (format_.value,)
    options = ExportOptions(
        formats=formats, near_dup_threshold=near_dup_threshold, dedup=not no_dedup, overwrite=overwrite
    )
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=True) as progress:
        try:
            result = export(inputs, output, options, RichHook(progress), card=render_card)
        except ExportError as exc:
            raise fail(str(exc)) from exc
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
