"""What every portal spider shares: the date window, the seen-before check, held and released
article requests, sitemaps, RSS, robots.txt (read in spiders/sources.py), multi-page articles and
failures. A portal's spider (spiders/viva.py) subclasses `NewsSpider` with its name, base URL,
`discovery_requests` (which sources to read) and parsers for its own list pages.

Discovery happens in two phases. Primary sources (robots.txt, the sitemap index and its news
sitemaps, RSS: requests made with `primary_request`) are read first and their titles go to the
headline index; article requests are held until all of them are done, so that when an article is
cleaned, the titles of the other articles (bare-headline teasers) are already known. Backfill sources (a
portal's paged index) are read alongside, and their articles requested as they are found once the
held ones are released.

The date window is applied to every entry that carries a date, before any article request.

Sitemap discovery is bounded (`DiscoveryLimits`): at most `max_sitemaps` sitemaps per run, index
nesting at most `depth` deep, and held articles are released after `budget` seconds even if
discovery goes on; what goes past a bound is counted (sitemaps_over_cap, sitemaps_too_deep,
discovery_over_budget) and logged once.

Released articles are handed to the scheduler (Scrapy's, or the shared Redis queue of a distributed
crawl) a few hundred at a time, `_feed` (the end of `start`) topping it up as it drains,
not all at once: a request object costs kilobytes, a held entry a few hundred bytes, so memory stays
flat as the portal grows. `_feed` also releases them if primary discovery stalls (a request dropped
without a callback).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from cleaners.multipage import MAX_PAGES, article_request_url, next_page_url, strip_query
from cleaners.portals import PortalRules, portal_by_name, portal_tz
from cleaners.teasers import normalise_headline
from cleaners.types import utc_now_iso
from scraper.crawl.failures import failure_reason
from scraper.crawl.feeds import FeedEntry
from scraper.crawl.guard import refusal
from scraper.crawl.items import ArticlePage, DiscoveryLimits, NoState, StateHooks, Window
from spiders.sources import SourceReading

PRIORITY_PAGE, PRIORITY_ARTICLE, PRIORITY_BACKFILL = 30, 20, 0  # discovery: 10 (spiders/sources.py)
# Released articles in Scrapy's scheduler: topped up to FEED_HIGH once fewer than FEED_LOW wait.
FEED_LOW, FEED_HIGH, FEED_POLL = 64, 256, 0.01


class NewsSpider(SourceReading, scrapy.Spider):
    """Subclasses set `name`, `portal` (its rules in cleaners/portals, with an article_url
    pattern) and `default_base_url`, and say in `discovery_requests` which sources to read."""

    portal = ""
    default_base_url = ""

    def __init__(
        self,
        base_url: str | None = None,
        window: Window | None = None,
        max_articles: int | None = None,
        state: StateHooks | None = None,
        discovery: DiscoveryLimits | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        rules = self.load_rules()
        self.rules, self.tz = rules, portal_tz(rules)
        self.base_host = (urlsplit(self.base_url).hostname or "").lower()
        self.window = window or Window()
        # `scrapy crawl viva -a max_articles=50` passes a string
        self.max_articles = int(max_articles) if max_articles is not None else None
        self.state: StateHooks = state or NoState()
        self.article_pattern = re.compile(rules.article_url or "(?!)")  # (?!): none; a site spider decides
        self._known: set[str] = set()  # article URLs requested, held, skipped or excluded
        self._skipped_undated: set[str] = set()  # seen before, by a source that gave no lastmod
        self._held: dict[str, FeedEntry] = {}  # found before primary discovery finished
        self._pending: deque[tuple[str, FeedEntry]] = deque()  # released, fed to the scheduler by start
        self._requested = 0
        self._primary_open = 0
        self._released = False
        self._sitemaps: set[str] = set()
        self.limits = discovery or DiscoveryLimits()
        self._began = time.monotonic()
        self._overflow_said: set[str] = set()

    def load_rules(self) -> PortalRules:
        """The portal's rules (a site spider builds its own from the base URL)."""
        rules = portal_by_name(self.portal)
        if rules is None or not rules.article_url:
            raise ValueError(f"portal rules for {self.portal!r} need an article_url pattern")
        return rules

    # -- small helpers ----------------------------------------------------------------------------

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"news/{key}", n)

    @property
    def full(self) -> bool:
        return self.max_articles is not None and self._requested >= self.max_articles

    def allowed_host(self, url: str) -> bool:
        """http(s) on the base URL's host or the portal's hosts (scraper.crawl.guard.refusal)."""
        return refusal(url, self.base_url, self.rules) is None

    def own_url(self, url: str) -> str | None:
        """The canonical form of a web URL on this portal's hosts, or None for anything else."""
        try:
            url = strip_query(url.strip())
        except ValueError:  # not a URL at all ("http://[::1", a bad port)
            return None
        if not url.startswith(("http://", "https://")) or not self.allowed_host(url):
            return None
        return url

    def article_url(self, url: str) -> str | None:
        """The canonical form of an article URL of this portal, or None for anything else."""
        own = self.own_url(url)
        return own if own and self.article_pattern.search(urlsplit(own).path) else None

    @property
    def known(self) -> int:
        """Article URLs found so far (requested, held, skipped or excluded)."""
        return len(self._known)

    # -- discovery --------------------------------------------------------------------------------

    def discovery_requests(self) -> Iterable[scrapy.Request]:
        """The portal's first requests: `primary_request` ones (robots.txt, sitemaps, RSS) and
        `backfill_request` ones (a paged index)."""
        raise NotImplementedError

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # Articles that failed in earlier runs are held with the discovered ones (nothing is
        # released before primary discovery ends), so they are asked for again.
        for _ in self.offer(FeedEntry(url) for url in self.state.retry_urls()):
            pass
        for request in self.discovery_requests():
            yield request
        async for request in self._feed():
            yield request

    async def _feed(self) -> AsyncIterator[scrapy.Request]:
        """Released articles, a batch whenever the scheduler runs low, until none are left."""
        scheduler: Any = self.crawler.engine.scheduler
        while not self._released:
            if self._stalled():
                self.logger.warning("primary discovery did not finish; releasing held articles")
                self._primary_open = 1
                self._primary_done()
            elif time.monotonic() - self._began > self.limits.budget:
                said = f"discovery took over {self.limits.budget:g}s (--discovery-budget): held articles go"
                self._overflow("discovery_over_budget", said)
                self._release()
            await asyncio.sleep(FEED_POLL * 5)
        while self._pending or self.expecting_more():
            if not self._pending:  # more may be released (a site spider's held candidates)
                await asyncio.sleep(FEED_POLL)
                continue
            queued = _queued(scheduler)
            if queued >= FEED_LOW:
                await asyncio.sleep(FEED_POLL)
                continue
            for _ in range(FEED_HIGH - queued):
                if not self._pending:
                    break
                url, entry = self._pending.popleft()
                for request in self._request_article(url, entry):
                    yield request

    def expecting_more(self) -> bool:
        """Whether articles may still be released to `_pending` after it ran dry."""
        return False

    def _stalled(self) -> bool:
        """Nothing downloading, queued or being processed: a primary request vanished without
        callback or errback (dropped by a middleware)."""
        engine = self.crawler.engine
        return (
            not engine.downloader.active
            and not engine.scheduler.has_pending_requests()
            and engine.scraper.slot is not None
            and engine.scraper.slot.is_idle()
        )

    def backfill_request(self, url: str, callback: Any) -> scrapy.Request:
        """A request of a backfill source (a paged index): read alongside primary discovery."""
        return scrapy.Request(url, callback, errback=self.backfill_failed, priority=PRIORITY_BACKFILL)

    def primary_failed(self, failure: Failure) -> None:
        self.backfill_failed(failure)
        self._primary_done()

    def backfill_failed(self, failure: Failure) -> None:
        reason = failure_reason(failure)
        self.count(f"failed/{reason}")
        self.count("discovery_failed")
        request = getattr(failure, "request", None)
        self.state.failed(request.url if request else "", reason, _detail(failure), kind="discovery")

    def _primary_done(self) -> None:
        """One primary source finished; after the last one, release the held articles, newest
        first, for `start` to feed to the scheduler."""
        self._primary_open -= 1
        if self._primary_open > 0 or self._released:
            return
        self._release()

    def _release(self) -> None:
        self._released = True
        self._pending.extend(sorted(self._held.items(), key=lambda kv: _sort_key(kv[1]), reverse=True))
        self._held.clear()

    # -- articles ---------------------------------------------------------------------------------

    def offer(self, entries: Iterable[FeedEntry]) -> Iterator[scrapy.Request]:
        """Index the entries' titles, then request the new in-window articles among them."""
        entries = list(entries)
        rows = [(normalise_headline(e.title), e.title, e.url) for e in entries if e.title]
        self.state.add_headlines([row for row in rows if row[0]])
        for entry in entries:
            try:  # each entry on its own: one that cannot be handled never costs the others
                yield from self._offer(entry)
            except (ValueError, TypeError, OverflowError) as exc:
                self.count("unreadable_entries")
                self.logger.warning("feed entry %r left out: %r", entry.url[:200], exc)

    def _offer(self, entry: FeedEntry) -> Iterator[scrapy.Request]:
        url = self.article_url(entry.url)
        if url is None and not self.allowed_host(entry.url):
            self.count("skipped_offsite")  # a foreign, private or non-http link: never requested
        if url is None or url in self._known:
            return
        self._known.add(url)
        if url in self._skipped_undated:  # this source decides instead (see below)
            self._skipped_undated.discard(url)
            self.count("skipped_seen", -1)
        # Without a publication date, lastmod (never earlier) can still show an entry is too old.
        undated_but_old = entry.published is None and self.window.older_than_since(entry.lastmod)
        if not self.window.contains(entry.published) or undated_but_old:
            self.count("skipped_out_of_window")
        elif self.state.should_skip(url, entry.lastmod):
            self.count("skipped_seen")
            if entry.lastmod is None:
                # Not final: a source read later (the sitemap after RSS or /indeks) may give a
                # lastmod newer than our fetch, which --refresh must see.
                self._known.discard(url)
                self._skipped_undated.add(url)
        elif not self._released:
            self._held[url] = self._slim(url, entry)
        else:
            yield from self._request_article(url, entry)

    def _slim(self, url: str, entry: FeedEntry) -> FeedEntry:
        """What a held entry still needs (title, date), in ~300 bytes instead of ~1,200: the
        same URL object as in `_known`, no keywords or lastmod, the date in the portal's zone
        object instead of one zone object per parsed date."""
        published = entry.published.astimezone(self.tz) if entry.published else None
        return FeedEntry(url, entry.title, published)

    def _request_article(self, url: str, entry: FeedEntry) -> Iterator[scrapy.Request]:
        if self.full:
            self.count("skipped_max_articles")
            return
        self._requested += 1
        meta = {"article": url, "entry": entry, "bodies": []}
        yield scrapy.Request(
            article_request_url(url, self.rules), self.parse_article, meta=meta,
            errback=self.article_failed, priority=PRIORITY_ARTICLE,
        )  # fmt: skip

    def parse_article(self, response: Response) -> Iterator[scrapy.Request | ArticlePage]:
        bodies = [*response.meta["bodies"], response.body]
        following = self.following_page(response)
        if following and len(bodies) < MAX_PAGES:
            # The portal ignored ?page=all (or the article has no such view): walk the pager.
            meta = {**_own_meta(response.meta), "bodies": bodies}
            yield response.follow(following, self.parse_article, meta=meta, errback=self.article_failed,
                                  priority=PRIORITY_PAGE)  # fmt: skip
            return
        entry: FeedEntry = response.meta["entry"]
        content_type = response.headers.get("Content-Type")
        yield ArticlePage(
            url=response.meta["article"], bodies=bodies, status=response.status, fetched_at=utc_now_iso(),
            content_type=content_type.decode("latin-1") if content_type else None, title=entry.title,
            published=entry.published.isoformat() if entry.published else None,
        )  # fmt: skip

    def following_page(self, response: Response) -> str | None:
        """The next page of a split article still showing a pager (`?page=N`); portals that page
        otherwise say how in their spider."""
        return next_page_url(response.body, response.url)

    def article_failed(self, failure: Failure) -> None:
        reason = failure_reason(failure)
        self.count(f"failed/{reason}")
        url = failure.request.meta.get("article") if hasattr(failure, "request") else None
        if url:
            self.state.failed(url, reason, _detail(failure))


def _detail(failure: Failure) -> str:
    return f"{type(failure.value).__name__}: {failure.value}"[:500]


def _own_meta(meta: dict[str, Any]) -> dict[str, Any]:
    return {key: meta[key] for key in ("article", "entry")}


def _queued(scheduler: Any) -> int:
    """Requests waiting in the scheduler: Scrapy's and the Redis queue tell their length; another
    only whether it has any."""
    if hasattr(scheduler, "__len__"):
        return len(scheduler)
    return FEED_LOW if scheduler.has_pending_requests() else 0


def _sort_key(entry: FeedEntry) -> float:
    return entry.published.timestamp() if entry.published else float("-inf")
