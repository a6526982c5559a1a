"""`scraper crawl PORTAL...`: crawl portals (or, with --site, any news site) into OUTPUT/<portal>/,
several side by side in one process; or, with --redis, coordinate a distributed crawl of one
portal whose workers share a Redis queue."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

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
    MaxArticles,
    MaxPages,
    OutputDir,
    Quiet,
    RedisSecret,
    RedisTimeout,
    Retries,
    ScrapySettings,
    Timeout,
    Verbose,
    build_config,
    err,
    log_level,
    number,
    run_failures_as_exits,
    scrapy_overrides,
)
from scraper.cli.running import (
    crawl_distributed,
    print_summary,
    print_total,
    run_many_with_display,
    setup_logging,
)
from scraper.crawl.items import DiscoveryLimits
from scraper.errors import ConfigError

# What to crawl: portals (or all), sites, and mirrors of them.
Portals = Annotated[
    list[str] | None,
    typer.Argument(metavar="PORTAL", help="portals (see `scraper portals`), or all", show_default=False),
]
Sites = Annotated[
    list[str] | None,
    typer.Option("--site", metavar="URL", help="any news site at this URL (repeatable)", show_default=False),
]
BaseUrls = Annotated[
    list[str] | None,
    typer.Option(
        metavar="[PORTAL=]URL",
        help="crawl a mirror or replica at this URL; PORTAL=URL for one of several",
        show_default=False,
    ),
]


def crawl(
    portals: Portals = None,
    site: Sites = None,
    since: Annotated[
        str | None, typer.Option(metavar="DATE", help="oldest publication date: 2d, 12h, 2026-11-01")
    ] = None,
    until: Annotated[
        str | None, typer.Option(metavar="DATE", help="newest publication date (a day is included)")
    ] = None,
    max_articles: MaxArticles = None,
    base_url: BaseUrls = None,
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
    redis_secret: RedisSecret = None,
    max_sitemaps: Annotated[
        int,
        typer.Option(
            metavar="N", callback=number("--max-sitemaps", 1), help="sitemaps read per run, at most"
        ),
    ] = 1000,
    sitemap_depth: Annotated[
        int,
        typer.Option(
            metavar="N", callback=number("--sitemap-depth", 0), help="sitemap index nesting read, at most"
        ),
    ] = 3,
    discovery_budget: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            callback=number("--discovery-budget", above=0),
            help="seconds of discovery before held articles are fetched anyway",
        ),
    ] = 300.0,
    fail_on_drift: FailOnDrift = False,
) -> None:
    """Crawl portals into OUTPUT/<portal>/<published date>.jsonl; rejects in rejects.jsonl.

    Several portals (or `all`) run side by side in one process, each with its own politeness,
    lock, state and report. Examples: scraper crawl viva --since 2d -o output;
    scraper crawl viva detik kompas; scraper crawl --site https://news.example.com
    """
    level = log_level(log_level_name, verbose)
    locked: list[str] = []
    started = time.monotonic()
    with run_failures_as_exits():
        options: dict[str, Any] = dict(
            max_articles=max_articles, jobs=jobs, concurrency=concurrency, start_delay=delay, retries=retries,
            backoff=backoff, download_timeout=timeout, max_pages=max_pages, refresh=refresh, log_level=level,
            clean=CleanSettings(time_limit=clean_timeout), scrapy_overrides=scrapy_overrides(setting),
            discovery=DiscoveryLimits(max_sitemaps, sitemap_depth, discovery_budget),
        )  # fmt: skip
        names, sites = _portal_names(portals or []), list(dict.fromkeys(site or []))
        if not names and not sites:
            raise ConfigError("give a portal (see `scraper portals`), all, or --site URL")
        bases = _base_urls(base_url or [], names, sites)
        configs = [build_config(n, output, since, until, base_url=bases.get(n), **options) for n in names]
        configs += [build_config("", output, since, until, site=url, **options) for url in sites]
        if redis_timeout is not None and not redis:
            raise ConfigError("--redis-timeout applies to a distributed crawl: give --redis too")
        if redis and (len(configs) > 1 or sites):
            raise ConfigError("--redis crawls one portal at a time: give one portal")
        if redis_secret is not None and not redis:
            raise ConfigError("--redis-secret applies to a distributed crawl: give --redis too")
        setup_logging(level, log_file, quiet)
        if redis:  # discovery feeds the queue that `scraper worker`s share
            results = [
                crawl_distributed(
                    configs[0], redis, quiet, redis_timeout, coordinator=True, redis_secret=redis_secret
                )
            ]
        elif len(configs) == 1:  # alone, a held lock is the run's error
            results = run_many_with_display(configs, quiet, on_locked=_raise)
        else:  # side by side, a held lock leaves that portal out
            results = run_many_with_display(configs, quiet, on_locked=lambda c, e: _skip(c, e, locked))
    for result in results:
        print_summary(result, drift_note=fail_on_drift)
    if len(configs) > 1:
        print_total(results, time.monotonic() - started)
    if any(result.report.get("interrupted") for result in results):
        raise typer.Exit(130)
    if locked:
        raise typer.Exit(2)
    if not all(result.ok for result in results):
        raise typer.Exit(1)
    if fail_on_drift and any(result.drift_warnings for result in results):
        raise typer.Exit(DRIFT_STATUS)


def _portal_names(given: list[str]) -> list[str]:
    from spiders import SPIDERS

    names: list[str] = []
    for name in given:
        for portal in sorted(SPIDERS) if name == "all" else [name]:
            if portal not in names:
                names.append(portal)
    return names


def _base_urls(given: list[str], names: list[str], sites: list[str]) -> dict[str, str]:
    """--base-url URL (one portal) or PORTAL=URL (any of several) -> {portal: URL}."""
    found: dict[str, str] = {}
    for value in given:
        portal, _, url = value.partition("=")
        if portal in names and url:
            found[portal] = url
        elif len(names) == 1 and not sites:
            found[names[0]] = value
        else:
            raise ConfigError(f"--base-url {value!r}: with several portals, give PORTAL=URL for one of them")
    return found


def _raise(_config: object, exc: Exception) -> None:
    raise exc


def _skip(config: Any, exc: Exception, locked: list[str]) -> None:
    locked.append(config.portal)
    err.print(f"[yellow]{config.portal} skipped:[/yellow] {exc}", highlight=False, soft_wrap=True)
