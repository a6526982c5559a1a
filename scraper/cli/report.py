"""`scraper report OUTPUT`: the crawl output folder's health as one self-contained HTML page."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from scraper.cli.options import Quiet, err, fail


def report(
    folder: Annotated[
        Path, typer.Argument(metavar="OUTPUT", help="a crawl output folder (holds PORTAL/run-*.json)")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="FILE", help="the HTML page to write")
    ] = Path("report.html"),
    quiet: Quiet = False,
) -> None:
    """Write a crawl output folder's health report: one HTML file with charts (articles per day per
    portal, rejects and failures by reason, field coverage and drift, run durations and speed).

    The page needs no network to view: charts are inline SVG, with every number in a tooltip.

    Example: scraper report output -o report.html
    """
    from scraper.report.collect import ReportInputError, collect
    from scraper.report.page import render

    started = time.perf_counter()
    try:
        data = collect(folder)
    except ReportInputError as exc:
        raise fail(str(exc)) from None
    page = render(data)
    partial = output.with_name(f".{output.name}.{os.getpid()}")
    try:
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, output)  # a browser reloading it never sees half a page
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    for line in data.unreadable:
        err.print(f"[yellow]skipped[/yellow] unreadable run report {line}", highlight=False)
    if not quiet:
        runs = sum(len(r) for r in data.runs.values())
        err.print(
            f"report: {output} ({len(data.portals)} portals, {runs} runs, "
            f"{len(page) / 1024:.0f} KB) in {time.perf_counter() - started:.1f}s",
            highlight=False,
        )
