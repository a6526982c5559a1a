"""`scraper eval CORPORA`: score the cleaner on gold corpora, optionally beside trafilatura alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from scraper.cli.options import err, fail, number


def evaluate(
    corpora: Annotated[list[Path], typer.Argument(help="corpus folders (aeb format or *.gold.json)")],
    baseline: Annotated[bool, typer.Option(help="also run trafilatura alone, side by side")] = False,
    min_f1: Annotated[
        float | None,
        typer.Option(
            metavar="F1",
            callback=number("--min-f1", 0, maximum=1),
            help="exit 1 when a corpus scores below this F1",
        ),
    ] = None,
    max_leaks: Annotated[
        int | None,
        typer.Option(
            metavar="N", callback=number("--max-leaks", 0), help="exit 1 when more boilerplate strings leak"
        ),
    ] = None,
    show_misses: Annotated[bool, typer.Option(help="list every miss and leak")] = False,
    no_url: Annotated[
        bool, typer.Option(help="also clean each page as saved, without its URL (as `scraper clean FILE`)")
    ] = False,
) -> None:
    """Score the cleaner on gold corpora (4-token shingle P/R/F1, leaks, metadata exact match).

    Example: scraper eval ../shared/corpus/aeb ../shared/corpus/id-news --baseline --min-f1 0.96

    F1 is the corpus 4-gram F1 of the aeb benchmark; "mean F1" is the mean of per-page token F1 and
    "min F1" its lowest page.
    """
    from scraper.evaluation.corpus import evaluate as evaluate_corpus
    from scraper.evaluation.corpus import load_corpus

    table = Table(title="extraction quality")
    for column in (
        "corpus",
        "extractor",
        "pages",
        "precision",
        "recall",
        "F1",
        "mean F1",
        "min F1",
        "accuracy",
        "with",
        "leaks",
        "title",
        "date",
        "authors",
        "index",
        "docs/s",
    ):
        table.add_column(column, justify="left" if column in ("corpus", "extractor") else "right")
    failed = False
    for folder in corpora:
        try:
            pages = load_corpus(folder)
        except (OSError, ValueError) as exc:
            raise fail(f"cannot load corpus {folder}: {exc}") from exc
        extractors = ["ours", *(["ours-no-url"] if no_url else []), *(["trafilatura"] if baseline else [])]
        for extractor in extractors:
            report = evaluate_corpus(pages, extractor, folder.name)
            table.add_row(*_report_row(report))
            if not extractor.startswith("ours"):
                continue
            if min_f1 is not None and report.score.f1 < min_f1:
                failed = True
                err.print(f"[red]{folder.name}: F1 {report.score.f1:.4f} below {min_f1}[/red]")
            if max_leaks is not None and len(report.leaks) > max_leaks:
                failed = True
                err.print(f"[red]{folder.name}: {len(report.leaks)} leaks, allowed {max_leaks}[/red]")
            if show_misses:
                for page, leaked in report.leaks:
                    err.print(f"leak  {page}: {leaked}")
                for page, what in report.misses:
                    err.print(f"miss  {page}: {what}")
    Console(width=200).print(table)
    if failed:
        raise typer.Exit(1)


def _report_row(r: object) -> list[str]:
    from scraper.evaluation.corpus import Report

    assert isinstance(r, Report)
    articles = r.articles or 1
    return [
        r.corpus,
        r.extractor,
        str(r.articles + r.index_pages + r.empty_pages),
        f"{r.score.precision:.4f}",
        f"{r.score.recall:.4f}",
        f"{r.score.f1:.4f}",
        f"{r.score.mean_token_f1:.4f}",
        f"{r.score.min_token_f1:.3f}",
        f"{r.score.accuracy:.3f}",
        f"{r.with_found}/{r.with_total}" if r.with_total else "-",
        str(len(r.leaks)),
        f"{r.title_ok}/{articles}",
        f"{r.date_ok}/{articles}",
        f"{r.authors_ok}/{articles}",
        f"{r.index_rejected}/{r.index_pages}" if r.index_pages else "-",
        f"{r.docs_per_second:.1f}",
    ]
