"""`scraper worker PORTAL --redis URL`: one more worker of a distributed crawl (see also `merge`).

    scraper crawl viva --redis redis://10.0.0.5:6379/0 -o output      # discovery, and a worker too
    scraper worker viva --redis redis://10.0.0.5:6379/0 -o output     # more workers, any machine
    scraper merge viva output --redis redis://10.0.0.5:6379/0         # -> output/merged/viva/

Each worker writes `<output>/viva/<date>.<worker>.jsonl`. Gather the workers' folders in one place
(rsync; the file names do not collide) and run `merge`: it keeps the one line of each article
that its Redis claim names (without --redis: the newest line of each URL), into one file per day.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleaners.settings import CleanSettings
from scraper.cli.options import (
    DRIFT_STATUS,
    Backoff,
    CleanTimeout,
    Concurrency,
    Delay,
    FailOnDrift,
    Jobs,
    LogFile,
    LogLevel,
    MaxPages,
    OutputDir,
    Portal,
    Quiet,
    RedisSecret,
    RedisTimeout,
    RedisUrl,
    Retries,
    ScrapySettings,
    Timeout,
    Verbose,
    build_config,
    log_level,
    number,
    run_failures_as_exits,
    scrapy_overrides,
)
from scraper.cli.running import crawl_distributed, print_summary, setup_logging


def worker(
    portal: Portal,
    redis: RedisUrl,
    output: OutputDir = Path("output"),
    jobs: Jobs = 0,
    concurrency: Concurrency = 8,
    delay: Delay = 1.0,
    retries: Retries = 3,
    backoff: Backoff = 0.5,
    timeout: Timeout = 30.0,
    max_pages: MaxPages = None,
    clean_timeout: CleanTimeout = 10.0,
    idle_exit: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            callback=number("--idle-exit", 0),
            help="stop once idle this many seconds; 0: never",
        ),
    ] = 10.0,
    worker_id: Annotated[
        str | None, typer.Option(metavar="ID", help="stable id: a restart settles its files")
    ] = None,
    heartbeat: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            callback=number("--heartbeat", 1),
            help="seconds of silence until a worker counts as dead",
        ),
    ] = 10,
    redis_timeout: RedisTimeout = None,
    redis_secret: RedisSecret = None,
    base_url: Annotated[
        str | None,
        typer.Option(metavar="URL", help="a mirror or replica the coordinator may point this worker at"),
    ] = None,
    fail_on_drift: FailOnDrift = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    log_level_name: LogLevel = None,
    log_file: LogFile = None,
    setting: ScrapySettings = None,
) -> None:
    """Fetch and clean articles from the shared queue of a `crawl --redis`, until it stays empty.

    The window, base URL and --refresh are the coordinator's; the other options are this process's.
    A job whose base URL is not on the portal's hosts is refused unless it is this --base-url.
    --max-pages stops this worker after that many responses (what it holds goes back to the queue).

    Example: scraper worker viva --redis redis://10.0.0.5:6379/0 -o output
    """
    level = log_level(log_level_name, verbose)
    with run_failures_as_exits():
        config = build_config(
            portal, output, None, None, base_url=base_url, jobs=jobs, concurrency=concurrency,
            start_delay=delay, retries=retries, backoff=backoff, download_timeout=timeout,
            max_pages=max_pages, log_level=level, clean=CleanSettings(time_limit=clean_timeout),
            scrapy_overrides=scrapy_overrides(setting),
        )  # fmt: skip
        setup_logging(level, log_file, quiet)
        result = crawl_distributed(
            config, redis, quiet, redis_timeout, coordinator=False, worker_id=worker_id,
            idle_exit=idle_exit, heartbeat_ttl=heartbeat, redis_secret=redis_secret,
        )  # fmt: skip
    print_summary(result, drift_note=fail_on_drift)
    if not result.ok:
        raise typer.Exit(130 if result.report.get("interrupted") else 1)
    if fail_on_drift and result.drift_warnings:
        raise typer.Exit(DRIFT_STATUS)
