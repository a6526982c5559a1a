"""`scraper crawl PORTAL`: crawl a portal into OUTPUT/<portal>/ (or, with --redis, coordinate a
distributed crawl whose workers share a Redis queue)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleaners.settings import CleanSettings
from scraper.cli.options import (
    DRIFT_STATUS,
    Backoff,
    BaseUrl,
    CleanTimeout,
    Concurrency,
    Delay,
    FailOnDrift,
    Jobs,
    LogFile,
    LogLevel,
    MaxArticles,
    MaxPages,
    OutputDir,
    Portal,
    Quiet,
    RedisTimeout,
    Retries,
    ScrapySettings,
    Timeout,
    Verbose,
    build_config,
    fail,
    log_level,
    scrapy_overrides,
)
from scraper.cli.running import crawl_distributed, print_summary, run_with_display, setup_logging
from scraper.errors import ConfigError, ScraperError


def crawl(
    portal: Portal,
    since: Annotated[
        str | None, typer.Option(metavar="DATE", help="oldest publication date: 2d, 12h, 2026-11-01")
    ] = None,
    until: Annotated[
        str | None, typer.Option(metavar="DATE", help="newest publication date (a day is included)")
    ] = None,
    max_articles: MaxArticles = None,
    base_url: BaseUrl = None,
    output: OutputDir = Path("output"),
    jobs: Jobs = 0,
    concurrency: Concurrency = 8,
    delay: Delay = 1.0,
    retries: Retries = 3,
    backoff: Backoff = 0.5,
    timeout: Timeout = 30.0,
    max_pages: MaxPages = None,
    clean_timeout: CleanTimeout = 10.0,
    refresh: Annotated[bool, typer.Option(help="re-fetch written articles updated since")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    log_level_name: LogLevel = None,
    log_file: LogFile = None,
    setting: ScrapySettings = None,
    redis: Annotated[
        str | None, typer.Option(metavar="URL", help="distributed: queue at redis://HOST:PORT/DB")
    ] = None,
    redis_timeout: RedisTimeout = None,
    fail_on_drift: FailOnDrift = False,
) -> None:
    """Crawl a portal into OUTPUT/<portal>/<published date>.jsonl; rejects in rejects.jsonl.

    Example: scraper crawl viva --since 2d -o output
    """
    level = log_level(log_level_name, verbose)
    try:
        config = build_config(
            portal, output, since, until, base_url=base_url, max_articles=max_articles, jobs=jobs,
            concurrency=concurrency, start_delay=delay, retries=retries, backoff=backoff,
            download_timeout=timeout, max_pages=max_pages, refresh=refresh, log_level=level,
            clean=CleanSettings(time_limit=clean_timeout), scrapy_overrides=scrapy_overrides(setting),
        )  # fmt: skip
        if redis_timeout is not None and not redis:
            raise ConfigError("--redis-timeout applies to a distributed crawl: give --redis too")
        setup_logging(level, log_file, quiet)
        if redis:  # discovery feeds the queue that `scraper worker`s share
            result = crawl_distributed(config, redis, quiet, redis_timeout, coordinator=True)
        else:
            result = run_with_display(config, quiet)
    except ScraperError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:  # before the crawl installed its own handlers, or a forced stop
        raise fail("interrupted", 130) from None
    print_summary(result, drift_note=fail_on_drift)
    if not result.ok:
        raise typer.Exit(130 if result.report.get("interrupted") else 1)
    if fail_on_drift and result.drift_warnings:
        raise typer.Exit(DRIFT_STATUS)
