"""Reading a portal's primary sources: robots.txt, sitemap indexes and sitemaps (within the
discovery limits) and RSS feeds. Part of `NewsSpider` (spiders/news.py), which holds the state these
methods share and decides what becomes of the entries they offer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, TypeVar

import scrapy
from scrapy.http import Response

from scraper.crawl.feeds import FeedEntry, FeedError, parse_rss, parse_sitemap

if TYPE_CHECKING:
    from scraper.crawl.items import DiscoveryLimits, StateHooks, Window

T = TypeVar("T")
PRIORITY_DISCOVERY = 10


class SourceReading:
    """Primary discovery of a NewsSpider: each source read counts as one open primary request
    until its callback calls `_primary_done` (NewsSpider releases the held articles after the last)."""

    # Set by NewsSpider.__init__; NewsSpider also gives count, allowed_host, offer, primary_failed
    # and _primary_done.
    tz: tzinfo
    window: Window
    state: StateHooks
    limits: DiscoveryLimits
    logger: Any
    _primary_open: int
    _sitemaps: set[str]
    _overflow_said: set[str]

    def primary_request(self, url: str, callback: Any, meta: dict[str, Any] | None = None) -> scrapy.Request:
        self._primary_open += 1
        return scrapy.Request(
            url, callback, errback=self.primary_failed, priority=PRIORITY_DISCOVERY, meta=meta
        )

    def sitemap_requests(self, urls: Iterable[str], depth: int = 0) -> Iterator[scrapy.Request]:
        """Requests for the sitemaps `urls`, listed at index nesting `depth`, within the limits."""
        for url in urls:
            if url in self._sitemaps:  # robots.txt and the index may name the same one
                continue
            if depth > self.limits.depth:
                self._overflow("sitemaps_too_deep", f"sitemap indexes nested deeper than {self.limits.depth} "
                               "(--sitemap-depth) are not read")  # fmt: skip
            elif len(self._sitemaps) >= self.limits.max_sitemaps:
                self._overflow("sitemaps_over_cap", f"more than {self.limits.max_sitemaps} sitemaps "
                               "(--max-sitemaps): the others are not read this run")  # fmt: skip
            else:
                self._sitemaps.add(url)
                yield self.primary_request(url, self.parse_sitemap, {"sitemap_depth": depth})

    def _overflow(self, key: str, message: str) -> None:
        """Something past a discovery limit: counted each time, said once."""
        self.count(key)
        if key not in self._overflow_said:
            self._overflow_said.add(key)
            self.logger.warning("%s", message)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        self.count("discovery_ok")
        listed = []
        for line in response.text.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and self.allowed_host(value.strip()):
                listed.append(value.strip())
        yield from self.sitemap_requests(listed)
        self._primary_done()

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        sitemap = self._read_feed(response, parse_sitemap)
        if sitemap is not None:
            if sitemap.unreadable:
                self.count("unreadable_entries", sitemap.unreadable)
            if sitemap.is_index:
                yield from self._child_sitemaps(sitemap.entries, response.meta.get("sitemap_depth", 0) + 1)
            else:
                yield from self.offer(sitemap.entries)
        self._primary_done()

    def _read_feed(self, response: Response, parse: Callable[[bytes, tzinfo], T]) -> T | None:
        """`parse` of the response body; None (counted and logged as a failure) if unusable."""
        try:
            parsed = parse(response.body, self.tz)
        except FeedError as exc:
            self._feed_failed(response.url, exc)
            return None
        self.count("discovery_ok")
        return parsed

    def _child_sitemaps(self, entries: Iterable[FeedEntry], depth: int) -> Iterator[scrapy.Request]:
        wanted = []
        for entry in entries:
            # lastmod is the newest change in that sitemap: older than --since, nothing in it is new.
            if self.window.older_than_since(entry.lastmod) or not self.allowed_host(entry.url):
                self.count("skipped_sitemaps")
            else:
                wanted.append(entry.url)
        yield from self.sitemap_requests(wanted, depth)

    def parse_rss(self, response: Response) -> Iterator[scrapy.Request]:
        entries = self._read_feed(response, parse_rss)
        if entries is not None:
            yield from self.offer(entries)
        self._primary_done()

    def _feed_failed(self, url: str, exc: FeedError) -> None:
        self.logger.warning("unusable feed %s: %s", url, exc)
        self.count("failed/feed_error")
        self.count("discovery_failed")
        self.state.failed(url, "feed_error", str(exc), kind="discovery")
