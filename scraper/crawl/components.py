"""Downloader and extension components of the crawl: retries that wait, and crawl statistics."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries after a pause instead of at once: exponential backoff, or the server's Retry-After
    on 429/503. A Retry-After pauses the whole domain: no new request to it is sent before it has
    passed, and it becomes the delay of its download slot (AutoThrottle then eases it back down
    as 200s come in): "too many requests" is about all of them."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.paused_until: dict[str, float] = {}  # download slot key -> monotonic time

    async def process_request(self, request: Request) -> None:
        """Requests not yet handed to the downloader wait out their domain's Retry-After here."""
        key = self._slot_key(request)
        wait = self.paused_until.get(key, 0.0) - monotonic() if key is not None else 0.0
        if wait > 0:
            await sleep(wait)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self.delay(request, response)
        if delay is None:  # the server wants a longer pause than a crawl should wait
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if response.headers.get("Retry-After"):
            self._slow_down(request, delay)
        await sleep(delay)
        return retry

    def _slot_key(self, request: Request) -> str | None:
        engine = self.crawler.engine
        return None if engine is None else engine.downloader.get_slot_key(request)

    def _slow_down(self, request: Request, delay: float) -> None:
        key = self._slot_key(request)
        if key is None:
            return
        until = max(self.paused_until.get(key, 0.0), monotonic() + delay)
        self.paused_until[key] = until
        assert self.crawler.engine is not None
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, delay)
            # Requests already queued in the slot (past process_request) go `slot.delay` after
            # `lastseen`; AutoThrottle shrinks that delay as in-flight 200s arrive, so the pause
            # is anchored at its end: they wait it out, and then some.
            slot.lastseen = max(slot.lastseen, until)

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await sleep(self.backoff(request))
        return retry

    def backoff(self, request: Request) -> float:
        return min(self.cap, self.base * 2 ** request.meta.get("retry_times", 0))

    def delay(self, request: Request, response: Response) -> float | None:
        header = response.headers.get("Retry-After")
        if response.status not in (429, 503) or not header:
            return self.backoff(request)
        wait = retry_after_seconds(header.decode("latin-1"))
        if wait is None:
            return self.backoff(request)
        return wait if wait <= self.retry_after_max else None


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, skipped at once on a page that cannot have the tag.

    Scrapy decodes the page and runs a regex over its first 4,096 characters for every HTML
    response (~0.13 ms of the crawl process per 80 KB article page). A refresh tag there has the
    word "refresh" in the first 16 KiB of bytes (4 bytes per character at most), so a page
    without it is passed through after a byte search; any other page gets Scrapy's full check.
    UTF-16 pages (a BOM) always do: their bytes do not spell the word.
    """

    HEAD_BYTES = 16_384

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if isinstance(response, HtmlResponse) and not self._may_refresh(response.body):
            return response
        return super().process_response(request, response)

    def _may_refresh(self, body: bytes) -> bool:
        return body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"refresh" in body[: self.HEAD_BYTES].lower()


class CrawlStats:
    """Extension: counts pages fetched, articles written and items dropped (by reason) via signals,
    into the crawl stats that the progress display and the run report read."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        crawler.signals.connect(self.response_received, signals.response_received)
        crawler.signals.connect(self.item_scraped, signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStats:
        return cls(crawler)

    def response_received(self, response: Response, request: Request, spider: Any) -> None:
        self.stats.inc_value("news/fetched")
        if "article" in request.meta:
            self.stats.inc_value("news/article_pages")

    def item_scraped(self, item: Any, response: Response, spider: Any) -> None:
        self.stats.inc_value("news/written")

    def item_dropped(self, item: Any, response: Response, exception: BaseException, spider: Any) -> None:
        self.stats.inc_value(f"news/{getattr(exception, 'key', 'dropped')}")
