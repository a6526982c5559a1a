"""Portal spiders: discovery and URL rules only. Cleaning, dedup and writing live in scraper.crawl.

Every spider yields `ArticlePage` items (the fetched pages of one article, plus what the feeds said
about it) and takes the same arguments: base_url, window, max_articles, and hooks into the crawl
state (`StateHooks`) so it never requests what an earlier run wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from cleaners.portals import PortalRules
from scraper.errors import ConfigError

if TYPE_CHECKING:
    import scrapy
    from twisted.python.failure import Failure

    from scraper.types import Article, Rejected

SPIDERS = {"viva": "spiders.viva:VivaSpider"}  # portal name (as in cleaners/portals) -> spider


def spider_for(portal: str) -> type[scrapy.Spider]:
    target = SPIDERS.get(portal)
    if target is None:
        raise ConfigError(f"no spider for portal {portal!r}; known: {', '.join(sorted(SPIDERS))}")
    module, name = target.split(":")
    spider: type[scrapy.Spider] = getattr(import_module(module), name)
    return spider


class StateHooks(Protocol):
    """What a spider may ask of the crawl state (scraper.state via scraper.crawl)."""

    def should_skip(self, url: str, lastmod: datetime | None) -> bool: ...

    def add_headlines(self, rows: list[tuple[str, str, str | None]]) -> None: ...

    def failed(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        """A request that failed for good (after retries): listed in failures.jsonl; an article
        (kind "article") is also marked failed in the state, so a later run fetches it again."""

    def retry_urls(self) -> list[str]:
        """Article URLs that failed in earlier runs, to request again."""
        ...


class NoState:
    """Hooks for a stateless run: nothing seen, headlines and failures not kept."""

    def should_skip(self, url: str, lastmod: datetime | None) -> bool:
        return False

    def add_headlines(self, rows: list[tuple[str, str, str | None]]) -> None:
        pass

    def failed(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        pass

    def retry_urls(self) -> list[str]:
        return []


def portal_tz(rules: PortalRules) -> tzinfo:
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", rules.timezone or "+00:00")
    if not match:
        return UTC
    delta = timedelta(hours=int(match[2]), minutes=int(match[3]))
    return timezone(-delta if match[1] == "-" else delta)


def failure_reason(failure: Failure) -> str:
    """A short stable key for why a request failed: http_404, timeout, dns, connection..."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    message = str(exc).lower()
    if "max size" in message or "download_maxsize" in message:  # the body or its gzip, inflated
        return "too_large"
    if isinstance(exc, IgnoreRequest):
        reason = getattr(exc, "reason", None)  # scraper.crawl_guard.Refused: offsite, redirect_loop
        if isinstance(reason, str):
            return reason
        return "robots" if "robots" in message else "ignored"
    name = type(exc).__name__.lower()
    return next((reason for part, reason in _NETWORK_ERRORS if part in name), name)


# Exception class name parts (Twisted, Scrapy, h2) -> reason: many classes, few causes.
_NETWORK_ERRORS = (
    ("timeout", "timeout"), ("timedout", "timeout"), ("dns", "dns"), ("resolve", "dns"),
    ("refused", "connection"), ("connect", "connection"),
    ("responsenevercomplete", "truncated"), ("partialdownload", "truncated"), ("dataloss", "truncated"),
    ("responseneverreceived", "connection"), ("downloadfailed", "connection"),
    # Scrapy's HTTP/1.1 handler cancels a download in flight only when it outgrows DOWNLOAD_MAXSIZE
    # (the message is empty then); timeouts and shutdown raise other errors.
    ("downloadcancelled", "too_large"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Window:
    """Published-date window: since <= published < until; open ends are None."""

    since: datetime | None = None
    until: datetime | None = None

    def contains(self, when: datetime | None) -> bool:
        """An undated entry is kept: the window only excludes what it can see."""
        if when is None:
            return True
        return (self.since is None or when >= self.since) and (self.until is None or when < self.until)

    def older_than_since(self, when: datetime | None) -> bool:
        return when is not None and self.since is not None and when < self.since


@dataclass(slots=True)
class ArticlePage:
    """One article as fetched: its pages in order, and the feed metadata that led to it."""

    url: str  # the article URL, without the multi-page query
    bodies: list[bytes]
    content_type: str | None = None
    status: int = 200
    fetched_at: str | None = None
    title: str | None = None  # from the sitemap, RSS or index page
    published: str | None = None
    result: Article | Rejected | None = field(default=None, repr=False)  # set by the clean pipeline
