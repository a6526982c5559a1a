"""`scraper worker PORTAL --redis URL`: one more worker of a distributed crawl (see also `merge`).

    scraper crawl viva --redis redis://10.0.0.5:6379/0 -o output      # discovery, and a worker too
    scraper worker viva --redis redis://10.0.0.5:6379/0 -o output     # more workers, any machine
    scraper merge viva -o output --redis redis://10.0.0.5:6379/0      # -> output/merged/viva/

Each worker writes `<output>/viva/<date>.<worker>.jsonl`. Gather the workers' folders in one place
(rsync; the file names do not collide) and run `merge`: it keeps the one line of each article
that its Redis claim names (without --redis: the newest line of each URL), into one file per day.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scraper.cli.options import (
    DRIFT_STATUS,
    Backoff,
    Concurrency,
    Delay,
    FailOnDrift,
    Jobs,
    MaxPages,
    OutputDir,
    RedisSecret,
    RedisTimeout,
    RedisUrl,
    Retries,
    Timeout,
    build_config,
    fail,
)
from scraper.cli.running import crawl_distributed, print_summary, setup_logging
from scraper.errors import OutputError, ScraperError


def worker(
    portal: Annotated[str, typer.Argument(help="portal name, e.g. viva")],
    redis: RedisUrl,
    output: OutputDir = Path("output"),
    jobs: Jobs = 0,
    concurrency: Concurrency = 8,
    delay: Delay = 1.0,
    retries: Retries = 3,
    backoff: Backoff = 0.5,
    timeout: Timeout = 30.0,
    max_pages: MaxPages = None,
    idle_exit: Annotated[float, typer.Option(help="stop once idle this many seconds; 0: never")] = 10.0,
    worker_id: Annotated[str | None, typer.Option(help="stable id: a restart settles its files")] = None,
    heartbeat: Annotated[float, typer.Option(help="seconds of silence until a worker counts as dead")] = 10,
    redis_timeout: RedisTimeout = None,
    redis_secret: RedisSecret = None,
    base_url: Annotated[
        str | None, typer.Option(help="a mirror or replica the coordinator may point this worker at")
    ] = None,
    fail_on_drift: FailOnDrift = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="no live progress")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="log Scrapy's INFO messages")] = False,
) -> None:
    """Fetch and clean articles from the shared queue of a `crawl --redis`, until it stays empty.

    The window, base URL and --refresh are the coordinator's; the other options are this process's.
    A job whose base URL is not on the portal's hosts is refused unless it is this --base-url.
    --max-pages stops this worker after that many responses (what it holds goes back to the queue).

    Example: scraper worker viva --redis redis://10.0.0.5:6379/0 -o output
    """
    try:
        config = build_config(
            portal, output, None, None, base_url=base_url, jobs=jobs, concurrency=max(1, concurrency),
            start_delay=max(0.0, delay), retries=max(0, retries), backoff=max(0.0, backoff),
            download_timeout=timeout, max_pages=max_pages, log_level="INFO" if verbose else "WARNING",
        )  # fmt: skip
        setup_logging(verbose)
        result = crawl_distributed(
            config, redis, quiet, redis_timeout, coordinator=False, worker_id=worker_id,
            idle_exit=max(0.0, idle_exit), heartbeat_ttl=max(1.0, heartbeat), redis_secret=redis_secret,
        )  # fmt: skip
    except OutputError as exc:  # disk full: the run lost nothing, but did not finish
        raise fail(str(exc), 1) from None
    except ScraperError as exc:
        raise fail(str(exc)) from None
    print_summary(result, drift_note=fail_on_drift)
    if not result.ok:
        raise typer.Exit(130 if result.report.get("interrupted") else 1)
    if fail_on_drift and result.drift_warnings:
        raise typer.Exit(DRIFT_STATUS)
