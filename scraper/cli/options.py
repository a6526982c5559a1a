"""What the commands share: option types (one definition each), the consoles, `fail` (the one-line
error every command ends with on bad input), and the checks and parsing of crawl options."""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.console import Console

from scraper.errors import ConfigError, OutputError, ScraperError

if TYPE_CHECKING:
    from scraper.crawl.config import CrawlConfig

# soft_wrap: rich never breaks a message into lines of its own width (80 columns when the output
# is not a terminal): a cron log or a pipe into grep gets each message on one line.
err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
_RELATIVE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def number(option: str, minimum: float | None = None, above: float | None = None,
           maximum: float | None = None) -> Callable[[Any], Any]:  # fmt: skip
    """An option callback: the value, or a one-line error (exit 2) when it is out of range or not
    finite. `minimum` is included, `above` is not."""

    def check(value: Any) -> Any:
        if value is None:
            return value
        bounds = []
        if minimum is not None:
            bounds.append(f"at least {minimum:g}")
        if above is not None:
            bounds.append(f"more than {above:g}")
        if maximum is not None:
            bounds.append(f"at most {maximum:g}")
        if not math.isfinite(value):
            raise fail(f"{option} {value}: must be a number")
        wrong = minimum is not None and value < minimum
        wrong = wrong or (above is not None and value <= above) or (maximum is not None and value > maximum)
        if wrong:
            raise fail(f"{option} {value:g}: must be {' and '.join(bounds)}")
        return value

    return check


# Options shared by several commands: one definition each, so one name and one meaning everywhere
# (README "One CLI"). `-o` is where output goes, in every command.
OutputDir = Annotated[Path, typer.Option("-o", "--output", metavar="FOLDER", help="output folder")]
JsonlOutput = Annotated[  # `clean` and `scrape`: records to one file, or to stdout
    Path | None, typer.Option("-o", "--output", metavar="FILE", help="JSON lines file (default: stdout)")
]
Jobs = Annotated[int, typer.Option("-j", "--jobs", metavar="N", callback=number("--jobs", 0),
                                   help="cleaning processes (default 0: one per core)")]  # fmt: skip
Concurrency = Annotated[int, typer.Option(metavar="N", callback=number("--concurrency", 1),
                                          help="parallel requests to the portal")]  # fmt: skip
Delay = Annotated[float, typer.Option(metavar="SECONDS", callback=number("--delay", 0),
                                      help="first delay between requests; AutoThrottle adapts")]  # fmt: skip
Retries = Annotated[int, typer.Option(metavar="N", callback=number("--retries", 0),
                                      help="retries per request, with backoff")]  # fmt: skip
Backoff = Annotated[float, typer.Option(metavar="SECONDS", callback=number("--backoff", 0),
                                        help="first retry pause in seconds, doubled per retry")]  # fmt: skip
Timeout = Annotated[float, typer.Option(metavar="SECONDS", callback=number("--timeout", above=0),
                                        help="seconds per request before it fails as timeout")]  # fmt: skip
CleanTimeout = Annotated[float, typer.Option(metavar="SECONDS", callback=number("--clean-timeout", above=0),
                                             help="seconds of cleaning per page")]  # fmt: skip
MaxPages = Annotated[int | None, typer.Option(metavar="N", callback=number("--max-pages", 1),
                                              help="stop after this many responses")]  # fmt: skip
MaxArticles = Annotated[int | None, typer.Option(metavar="N", callback=number("--max-articles", 1),
                                                 help="request at most this many new articles")]  # fmt: skip
Portal = Annotated[str, typer.Argument(metavar="PORTAL", help="portal name, e.g. viva")]
PortalRules = Annotated[str | None, typer.Option("--portal", metavar="NAME",
                                                 help="portal rules to use (default: by host)")]  # fmt: skip
BaseUrl = Annotated[str | None, typer.Option(metavar="URL", help="crawl a mirror or replica at this URL")]
RedisUrl = Annotated[str, typer.Option("--redis", metavar="URL",
                                       help="shared queue and state: redis://HOST:PORT/DB")]  # fmt: skip
RedisTimeout = Annotated[
    float | None,
    typer.Option(metavar="SECONDS", callback=number("--redis-timeout", above=0),
                 help="with --redis: seconds of Redis outage survived (default: $NEWS_REDIS_TIMEOUT or 60)"),
]  # fmt: skip
Quiet = Annotated[
    bool, typer.Option("-q", "--quiet", help="no progress display (a crawl logs one line per failure kind)")
]
Verbose = Annotated[
    bool, typer.Option("-v", "--verbose", help="log Scrapy's INFO messages (--log-level INFO)")
]
LogLevel = Annotated[
    str | None,
    typer.Option(
        "--log-level", metavar="LEVEL", help=f"log level: {', '.join(LOG_LEVELS)} (default WARNING)"
    ),
]
LogFile = Annotated[
    Path | None, typer.Option(metavar="FILE", help="write log messages to FILE instead of stderr")
]
ScrapySettings = Annotated[
    list[str] | None,
    typer.Option("-s", "--set", metavar="NAME=VALUE",
                 help="a Scrapy setting, as in `scrapy crawl -s` (repeatable)"),
]  # fmt: skip


def log_level(level: str | None, verbose: bool) -> str:
    if level is None:
        return "INFO" if verbose else "WARNING"
    if level.upper() not in LOG_LEVELS:
        raise fail(f"--log-level {level}: use one of {', '.join(LOG_LEVELS)}")
    return level.upper()


def scrapy_overrides(pairs: list[str] | None) -> tuple[tuple[str, str], ...]:
    """-s NAME=VALUE pairs, values kept as strings (Scrapy's settings convert them on use)."""
    parsed = []
    for pair in pairs or ():
        name, equals, value = pair.partition("=")
        if not equals or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name.strip()):
            raise fail(f"-s {pair}: give a Scrapy setting as NAME=VALUE, e.g. -s DOWNLOAD_DELAY=2")
        parsed.append((name.strip(), value))
    return tuple(parsed)


RedisSecret = Annotated[
    str | None,
    typer.Option(metavar="SECRET",
                 help="with --redis: secret of all the crawl's processes (default: $NEWS_REDIS_SECRET)"),
]  # fmt: skip

FailOnDrift = Annotated[
    bool, typer.Option(help="exit with status 3 when the layout-drift alarm warns (README)")
]
DRIFT_STATUS = 3  # besides 1 (failed), 2 (bad arguments, held lock) and 130 (interrupted)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextlib.contextmanager
def run_failures_as_exits() -> Iterator[None]:
    """How every crawling command (crawl, worker, demo) ends on an expected failure: one line and
    its status, never a traceback."""
    try:
        yield
    except OutputError as exc:  # disk full: the run lost nothing, but did not finish
        raise fail(str(exc), 1) from None
    except ScraperError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:  # before the crawl installed its own handlers, or a forced stop
        raise fail("interrupted", 130) from None


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
    from cleaners.portals import portal_by_name, portal_for_url, portal_tz
    from scraper.crawl.config import CrawlConfig, site_folder
    from scraper.crawl.items import Window
    from spiders import spider_for

    if site := options.get("site"):  # `crawl --site URL`: any news site, into OUTPUT/<host>/
        if problem := http_url_problem(site):
            raise ConfigError(f"--site {site!r} is {problem}")
        rules, portal = portal_for_url(site), site_folder(site)
    else:
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
