"""`scraper demo`: the README's "run the main job": a crawl of the built-in replica portal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from scraper.cli.options import (
    Jobs,
    LogFile,
    LogLevel,
    OutputDir,
    Quiet,
    build_config,
    err,
    log_level,
    number,
    out,
    run_failures_as_exits,
)
from scraper.cli.running import print_summary, run_with_display, setup_logging


def demo(
    articles: Annotated[
        int,
        typer.Option(
            metavar="N",
            callback=number("--articles", 1, maximum=100_000),
            help="articles on the local replica portal",
        ),
    ] = 30,
    output: OutputDir = Path("output"),
    jobs: Jobs = 0,
    show: Annotated[
        int, typer.Option(metavar="N", callback=number("--show", 0), help="records to print")
    ] = 5,
    quiet: Quiet = False,
    log_level_name: LogLevel = None,
    log_file: LogFile = None,
) -> None:
    """Serve a generated VIVA replica on loopback, crawl it into OUTPUT, show what was written.

    No network needed. Example: scraper demo --articles 30
    """
    from scraper.replica import ReplicaPortal, ReplicaSite

    level = log_level(log_level_name, False)
    with run_failures_as_exits(), ReplicaPortal(ReplicaSite(articles, seed=1)) as portal:
        base_url = portal.base_url
        err.print(f"replica portal: {articles} articles at {base_url}", highlight=False)
        config = build_config(
            "viva", output, None, None, base_url=base_url, jobs=jobs, concurrency=16,
            start_delay=0.0, log_level=level,
        )  # fmt: skip
        setup_logging(level, log_file, quiet)
        result = run_with_display(config, quiet)
    print_summary(result)
    interrupted = bool(result.report.get("interrupted"))
    if not interrupted:
        _show_records(output / "viva", base_url, show)
    if not result.ok:
        raise typer.Exit(130 if interrupted else 1)  # as `crawl`: Ctrl-C is 130


def _show_records(folder: Path, base_url: str, limit: int) -> None:
    """The newest records this run wrote (its URLs carry this replica's port)."""
    mine = [
        (record, path.name)
        for path in sorted(folder.glob("[0-9]*.jsonl"))
        for line in path.read_bytes().splitlines()
        if (record := orjson.loads(line))["url"].startswith(base_url + "/")
    ]
    if not mine:
        out.print("nothing new written: the output already holds these articles (an earlier demo)")
    mine.sort(key=lambda pair: pair[0].get("published_at") or "", reverse=True)
    for record, name in mine[:limit]:
        first_line = record["text"].split("\n", 1)[0]
        out.print(f"[bold]{record['title']}[/bold]  ({name})", soft_wrap=True)
        out.print(f"  {first_line[:160]}", soft_wrap=True)
