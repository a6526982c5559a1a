"""The `crawl` command, the options and display it shares with `demo` and `worker`, and
`register(app)`, which adds every crawling command (`crawl`, `scrape`, `demo`, `worker`, `merge`).

Scrapy and the replica are imported inside the commands: `scraper clean` should not pay for them,
and crawl worker processes (spawned, so they re-import the CLI module) stay light.
"""

from __future__ import annotations

import logging
import os
import re
import time
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.text import Text

from scraper.errors import ConfigError, ScraperError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from scraper.crawl import CrawlConfig
    from scraper.run_report import CrawlResult

err = Console(stderr=True)
out = Console(highlight=False)
_RELATIVE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


# Options shared by `crawl`, `demo` and `worker` (scraper.worker_commands): one definition each.
OutputDir = Annotated[Path, typer.Option("-o", "--output", help="output folder")]
JsonlOutput = Annotated[  # `clean` and `scrape`: records to one file, or to stdout
    Path | None, typer.Option("-o", "--output", help="JSON lines file (default: stdout)")
]
Jobs = Annotated[int, typer.Option("-j", "--jobs", help="cleaning processes (default: cores)")]
Concurrency = Annotated[int, typer.Option(help="parallel requests to the portal")]
Delay = Annotated[float, typer.Option(help="first delay between requests; AutoThrottle adapts")]
Retries = Annotated[int, typer.Option(help="retries per request, with backoff")]
Backoff = Annotated[float, typer.Option(help="first retry pause in seconds, doubled per retry")]
Timeout = Annotated[float, typer.Option(help="seconds per request before it fails as timeout")]
MaxPages = Annotated[int | None, typer.Option(help="stop after this many responses")]
RedisTimeout = Annotated[
    float | None,
    typer.Option(help="with --redis: seconds of Redis outage survived (default: $NEWS_REDIS_TIMEOUT or 60)"),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def parse_when(
    value: str, tz: tzinfo, option: str, end: bool = False, now: datetime | None = None
) -> datetime:
    """ "2d" / "12h" (ago), "2026-11-01" (midnight in the portal's timezone; with end=True the day
    is included, so the bound is the next midnight), or an ISO datetime (no offset: portal time)."""
    text = value.strip()
    if match := _RELATIVE.match(text):
        delta = timedelta(**{_UNITS[match[2]]: int(match[1])})
        return (now or datetime.now(tz)).astimezone(tz) - delta
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.fromisoformat(text).replace(tzinfo=tz)
            return day + timedelta(days=1) if end else day
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise ConfigError(
            f"bad date {value!r} for {option}: use 2d, 12h, 2026-11-01 or 2026-11-01T08:00+07:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=tz)


def http_url_problem(url: str) -> str | None:
    """Why `url` is not a usable http(s) URL ("not an http(s) URL", "not a valid URL (...)"), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return "not an http(s) URL"
    return None


def _check_output(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create output folder {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"output folder {folder} is not writable")


def build_config(
    portal: str, output: Path, since: str | None, until: str | None, **options: Any
) -> CrawlConfig:
    from cleaners.portals import portal_by_name
    from scraper.crawl import CrawlConfig
    from spiders import Window, portal_tz, spider_for

    rules = portal_by_name(portal)
    spider_for(portal)  # ConfigError for a portal without a spider
    assert rules is not None
    tz = portal_tz(rules)
    window = Window(
        parse_when(since, tz, "--since") if since else None,
        parse_when(until, tz, "--until", end=True) if until else None,
    )
    if window.since and window.until and window.since >= window.until:
        raise ConfigError(f"--since {since} is not before --until {until}")
    if options.get("max_articles") is not None and options["max_articles"] < 1:
        raise ConfigError("--max-articles must be at least 1")
    if options.get("max_pages") is not None and options["max_pages"] < 1:
        raise ConfigError("--max-pages must be at least 1")
    if options.get("download_timeout", 1) <= 0:
        raise ConfigError("--timeout must be more than 0 seconds")
    base_url = options.pop("base_url", None)
    if base_url and (problem := http_url_problem(base_url)):
        raise ConfigError(f"--base-url {base_url!r} is {problem}")
    _check_output(output / portal)
    return CrawlConfig(portal, output, base_url=base_url, window=window, **options)


class CrawlDisplay:
    """Live progress on stderr, read from the crawl stats (updated by the CrawlStats extension)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.crawler: Crawler | None = None
        self.live: Live | None = None
        self.started = time.monotonic()

    def attach(self, crawler: Crawler) -> None:
        self.crawler, self.started = crawler, time.monotonic()
        if self.enabled:
            self.live = Live(get_renderable=self.render, console=err, refresh_per_second=4, transient=True)
            self.live.start()

    def render(self) -> Text:
        stats = self._stats()
        seconds = max(time.monotonic() - self.started, 1e-6)
        fetched = stats.get("news/fetched", 0)
        rejected = sum(v for k, v in stats.items() if k.startswith("news/rejected/"))
        failed = sum(v for k, v in stats.items() if k.startswith("news/failed/"))
        return Text(
            f"crawling: {fetched} pages, {stats.get('news/written', 0)} written, {rejected} rejected, "
            f"{failed} failed, {stats.get('news/skipped_seen', 0)} seen before "
            f"| {fetched / seconds:.1f} pages/s, {seconds:.0f}s",
            no_wrap=True,
            overflow="ellipsis",
        )

    def _stats(self) -> dict[str, Any]:
        try:
            return self.crawler.stats.get_stats().copy() if self.crawler else {}
        except RuntimeError:  # Scrapy sets crawler.stats when the crawl starts
            return {}

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


def _setup_logging(verbose: bool) -> None:
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger().addHandler(handler)


def run_with_display(config: CrawlConfig, quiet: bool) -> CrawlResult:
    from scraper.crawl import run_crawl

    display = CrawlDisplay(enabled=not quiet)
    try:
        return run_crawl(config, on_start=display.attach)
    finally:
        display.stop()


def _breakdown(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    detail = ", ".join(f"{n} {key}" for key, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{total} ({detail})" if detail else "0"


def print_summary(result: CrawlResult) -> None:
    report, counts = result.report, result.report["counts"]
    status = "done" if result.ok else "[red]FAILED: nothing reachable[/red]"
    if report.get("interrupted"):
        status = "[yellow]interrupted[/yellow] (what was written is complete; run again to go on)"
    err.print(
        f"{report['portal']} {status}: {counts['written']} articles written, rejected "
        f"{_breakdown(counts['rejected'])}, failed {_breakdown(counts['failed'])}, "
        f"{counts['skipped_seen']} seen before, {counts['duplicates']} duplicates, "
        f"{counts['retried']} retries; {counts['fetched']} pages in {report['seconds']:.1f}s",
        highlight=False,
        soft_wrap=True,
    )
    err.print(f"report: {result.report_path}", highlight=False, soft_wrap=True)


def crawl(
    portal: Annotated[str, typer.Argument(help="portal name, e.g. viva")],
    since: Annotated[str | None, typer.Option(help="oldest publication date: 2d, 12h, 2026-11-01")] = None,
    until: Annotated[str | None, typer.Option(help="newest publication date (a day is included)")] = None,
    max_articles: Annotated[int | None, typer.Option(help="request at most this many new articles")] = None,
    base_url: Annotated[str | None, typer.Option(help="crawl a mirror or replica at this URL")] = None,
    output: OutputDir = Path("output"),
    jobs: Jobs = 0,
    concurrency: Concurrency = 8,
    delay: Delay = 1.0,
    retries: Retries = 3,
    backoff: Backoff = 0.5,
    timeout: Timeout = 30.0,
    max_pages: MaxPages = None,
    refresh: Annotated[bool, typer.Option(help="re-fetch written articles updated since")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="no live progress")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="log Scrapy's INFO messages")] = False,
    redis: Annotated[str | None, typer.Option(help="distributed: queue at redis://HOST:PORT/DB")] = None,
    redis_timeout: RedisTimeout = None,
) -> None:
    """Crawl a portal into OUTPUT/<portal>/<published date>.jsonl; rejects in rejects.jsonl.

    Example: scraper crawl viva --since 2d -o output
    """
    try:
        config = build_config(
            portal, output, since, until, base_url=base_url, max_articles=max_articles, jobs=jobs,
            concurrency=max(1, concurrency), start_delay=max(0.0, delay), retries=max(0, retries),
            backoff=max(0.0, backoff), download_timeout=timeout, max_pages=max_pages,
            refresh=refresh, log_level="INFO" if verbose else "WARNING",
        )  # fmt: skip
        if redis_timeout is not None and not redis:
            raise ConfigError("--redis-timeout applies to a distributed crawl: give --redis too")
        _setup_logging(verbose)
        if redis:  # scraper.worker_commands: discovery feeds the queue that `scraper worker`s share
            from scraper.worker_commands import crawl_distributed

            result = crawl_distributed(config, redis, quiet, redis_timeout, coordinator=True)
        else:
            result = run_with_display(config, quiet)
    except ScraperError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:  # before the crawl installed its own handlers, or a forced stop
        raise _fail("interrupted", 130) from None
    print_summary(result)
    if not result.ok:
        raise typer.Exit(130 if result.report.get("interrupted") else 1)


def register(app: typer.Typer) -> None:
    from scraper import demo_command, scrape_command, worker_commands

    app.command()(crawl)
    app.command()(scrape_command.scrape)
    app.command()(demo_command.demo)
    worker_commands.register(app)  # `worker` and `merge`: distributed crawls on Redis
