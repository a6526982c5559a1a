"""What the commands share: option types (one definition each), the consoles, `fail` (the one-line
error every command ends with on bad input), and the checks and parsing of crawl options."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.console import Console

from scraper.errors import ConfigError

if TYPE_CHECKING:
    from scraper.crawl.config import CrawlConfig

err = Console(stderr=True)
out = Console(highlight=False)
_RELATIVE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


# Options shared by `crawl`, `demo` and `worker`: one definition each.
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
RedisUrl = Annotated[str, typer.Option("--redis", help="shared queue and state: redis://HOST:PORT/DB")]
RedisTimeout = Annotated[
    float | None,
    typer.Option(help="with --redis: seconds of Redis outage survived (default: $NEWS_REDIS_TIMEOUT or 60)"),
]
RedisSecret = Annotated[
    str | None,
    typer.Option(
        help="with --redis: secret shared by every process of the crawl (default: $NEWS_REDIS_SECRET)"
    ),
]

FailOnDrift = Annotated[
    bool, typer.Option(help="exit with status 3 when the layout-drift alarm warns (README)")
]
DRIFT_STATUS = 3  # besides 1 (failed), 2 (bad arguments, held lock) and 130 (interrupted)


def fail(message: str, code: int = 2) -> typer.Exit:
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


def check_output(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create output folder {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"output folder {folder} is not writable")


def build_config(
    portal: str, output: Path, since: str | None, until: str | None, **options: Any
) -> CrawlConfig:
    from cleaners.portals import portal_by_name, portal_tz
    from scraper.crawl.config import CrawlConfig
    from scraper.crawl.items import Window
    from spiders import spider_for

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
    check_output(output / portal)
    return CrawlConfig(portal, output, base_url=base_url, window=window, **options)
