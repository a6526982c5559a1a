"""The `scraper` command line: clean saved pages, evaluate on gold corpora, crawl and scrape portals."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from scraper.batch import clean_sources, default_jobs
from scraper.crawl_commands import JsonlOutput
from scraper.errors import ScraperError
from scraper.inputs import expand_paths
from scraper.settings import CleanSettings
from scraper.sinks import JsonlSink

app = typer.Typer(
    help="Crawl news portals and write clean article text (no inline teasers) as JSON lines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
ENGINES = ("scrapy", "trafilatura", "selectolax", "httpx", "lxml")  # named in bug reports


def _show_version(value: bool) -> None:
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    def of(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "not installed"

    engines = ", ".join(f"{name} {of(name)}" for name in ENGINES)
    typer.echo(f"news-scraper {of('news-scraper')} (Python {sys.version.split()[0]}; {engines})")
    raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the version, with those of Scrapy, trafilatura and the other engines, and exit.",
        ),
    ] = False,
) -> None:
    pass


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def load_headlines(path: Path | None) -> frozenset[str]:
    from cleaners.teasers import normalise_headline

    if path is None:
        return frozenset()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise fail(f"cannot read headlines file {path}: {exc.strerror}") from exc
    return frozenset(key for line in lines if (key := normalise_headline(line)))


@app.command()
def clean(
    paths: Annotated[list[str], typer.Argument(help="HTML files, folders, .html.gz files, or - for stdin")],
    output: JsonlOutput = None,
    rejects: Annotated[
        Path | None, typer.Option(help="write rejects here as JSON lines (default: stderr)")
    ] = None,
    url: Annotated[str | None, typer.Option(help="the page URL, when cleaning one saved page")] = None,
    headlines: Annotated[Path | None, typer.Option(help="file of known headlines, one per line")] = None,
    jobs: Annotated[int, typer.Option("-j", "--jobs", help="worker processes (default: all cores)")] = 0,
    min_words: Annotated[int, typer.Option(help="shorter bodies are rejected as too_short")] = 20,
    time_limit: Annotated[float, typer.Option(help="seconds of cleaning per page")] = 10.0,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="no progress bar or summary")] = False,
) -> None:
    """Clean saved pages offline: one JSON line per article; rejects with their reason.

    Example: scraper clean saved/ -o articles.jsonl --rejects rejects.jsonl
    """
    try:
        sources = expand_paths(paths)
    except ScraperError as exc:
        raise fail(str(exc)) from exc
    if url and len(sources) > 1:
        raise fail("--url names the page of a single input; got several inputs")
    settings = CleanSettings(min_words=min_words, time_limit=time_limit)
    known = load_headlines(headlines)
    started = time.perf_counter()
    reasons: Counter[str] = Counter()
    try:
        articles = JsonlSink(output)
        reject_sink = JsonlSink(rejects) if rejects else None
    except OSError as exc:
        raise fail(f"cannot write output: {exc}") from exc
    show_progress = not quiet and len(sources) > 1
    with (
        articles,
        Progress(
            TextColumn("cleaning"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=not show_progress,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("clean", total=len(sources))
        for outcome in clean_sources(sources, jobs or default_jobs(), settings, known, url):
            if outcome.ok:
                articles.write(outcome.record)
            else:
                reasons[outcome.record["reason"]] += 1
                if reject_sink:
                    reject_sink.write(outcome.record)
                elif not quiet:
                    rec = outcome.record
                    err.print(f"rejected {rec['source'] or rec['url']}: {rec['reason']} {rec['detail']}")
            progress.advance(task)
    if reject_sink:
        reject_sink.close()
    if not quiet:
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{n} {r}" for r, n in reasons.most_common()) or "none"
        err.print(
            f"{articles.count} articles, {sum(reasons.values())} rejected ({summary}) "
            f"from {len(sources)} inputs in {seconds:.1f}s"
        )


@app.command("eval")
def evaluate_command(
    corpora: Annotated[list[Path], typer.Argument(help="corpus folders (aeb format or *.gold.json)")],
    baseline: Annotated[bool, typer.Option(help="also run trafilatura alone, side by side")] = False,
    min_f1: Annotated[float | None, typer.Option(help="exit 1 when a corpus scores below this F1")] = None,
    max_leaks: Annotated[int | None, typer.Option(help="exit 1 when more boilerplate strings leak")] = None,
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
    from scraper.evaluation import evaluate, load_corpus

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
            report = evaluate(pages, extractor, folder.name)
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
    from scraper.evaluation import Report

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


def _register_commands() -> None:
    # Each command group lives in its own module; imported here so `scraper --help` lists all.
    from scraper import crawl_commands, export_commands

    crawl_commands.register(app)
    export_commands.register(app)


_register_commands()


def main() -> None:
    try:
        app()
    except ScraperError as exc:
        err.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
