"""`scraper clean PATHS`: saved pages (files, folders, .html.gz, stdin) to clean JSON lines, on
all cores, with rejects and their reasons."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cleaners.settings import CleanSettings
from scraper.cli.options import CleanTimeout, Jobs, JsonlOutput, PortalRules, Quiet, err, fail, number
from scraper.crawl.sinks import JsonlSink, output_error
from scraper.errors import ScraperError
from scraper.offline.batch import clean_sources, default_jobs
from scraper.offline.inputs import expand_paths


def load_headlines(path: Path | None) -> frozenset[str]:
    from cleaners.teasers import normalise_headline

    if path is None:
        return frozenset()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise fail(f"cannot read headlines file {path}: {exc.strerror}") from exc
    return frozenset(key for line in lines if (key := normalise_headline(line)))


def clean(
    paths: Annotated[list[str], typer.Argument(help="HTML files, folders, .html.gz files, or - for stdin")],
    output: JsonlOutput = None,
    rejects: Annotated[
        Path | None, typer.Option(metavar="FILE", help="write rejects here as JSON lines (default: stderr)")
    ] = None,
    url: Annotated[
        str | None, typer.Option(metavar="URL", help="the page URL, when cleaning one saved page")
    ] = None,
    portal: PortalRules = None,
    headlines: Annotated[
        Path | None, typer.Option(metavar="FILE", help="file of known headlines, one per line")
    ] = None,
    jobs: Jobs = 0,
    min_words: Annotated[
        int,
        typer.Option(
            metavar="N", callback=number("--min-words", 0), help="shorter bodies are rejected as too_short"
        ),
    ] = 20,
    clean_timeout: CleanTimeout = 10.0,
    time_limit: Annotated[
        float | None,
        typer.Option(
            hidden=True, callback=number("--time-limit", above=0), help="old name of --clean-timeout"
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Clean saved pages offline: one JSON line per article; rejects with their reason.

    Example: scraper clean saved/ -o articles.jsonl --rejects rejects.jsonl
    """
    from cleaners.portals import portal_by_name

    try:
        sources = expand_paths(paths)
    except ScraperError as exc:
        raise fail(str(exc)) from exc
    if not sources:
        raise fail(f"nothing to clean: no .html, .htm or .html.gz files in {' '.join(paths)}")
    if url and len(sources) > 1:
        raise fail("--url names the page of a single input; got several inputs")
    if portal and portal_by_name(portal) is None:
        raise fail(f"unknown portal {portal!r}")
    settings = CleanSettings(min_words=min_words, time_limit=time_limit or clean_timeout)
    known = load_headlines(headlines)
    started = time.perf_counter()
    reasons: Counter[str] = Counter()
    try:
        articles = JsonlSink(output)
        reject_sink = JsonlSink(rejects) if rejects else None
    except OSError as exc:
        raise fail(f"cannot write output: {exc}") from exc
    show_progress = not quiet and len(sources) > 1
    try:
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
            for outcome in clean_sources(sources, jobs or default_jobs(), settings, known, url, portal):
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
    except OSError as exc:  # a full disk: the line being written was cut off; one line, exit 1
        raise fail(str(output_error(exc, exc.filename or output or rejects or "stdout")), 1) from None
    finally:
        if reject_sink:
            reject_sink.close()
    if not quiet:
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{n} {r}" for r, n in reasons.most_common()) or "none"
        err.print(
            f"{articles.count} articles, {sum(reasons.values())} rejected ({summary}) "
            f"from {len(sources)} inputs in {seconds:.1f}s"
        )
