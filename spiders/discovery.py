"""Discovery from data: a portal's spider reads the sources its rules file names in `[discovery]`
(sitemaps, feeds, a paged index with its entry markup), and generic discovery stands in for what
is not documented: robots.txt (always read: portals list their sitemaps there), `/sitemap.xml`
when no sitemap is documented, and the home page's `<link rel="alternate">` feeds when no feed is.

Sources on a portal's sub-sites are absolute URLs in the data; with a mirror as base URL (the
replica) they are asked for under the mirror's host, path kept. A source that is only guessed
(`/sitemap.xml`, robots.txt) and answers 404 or 410 is absent, not a failure.

At the end of the crawl the spider says, in the stats, if discovery itself went wrong
(`news/discovery_problem`, read by the run report): `offsite_redirect` when every source
redirected to another host; site spiders (spiders/generic.py) add more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from cleaners.dates import to_iso
from cleaners.portals import Discovery
from scraper.crawl.failures import failure_reason
from scraper.crawl.feeds import FeedEntry, parse_datetime
from spiders.news import NewsSpider

FEED_TYPES = ("application/rss+xml", "application/atom+xml")
ABSENT = (404, 410)  # a guessed source that is not there


def parse_printed_date(text: str, tz: tzinfo) -> datetime | None:
    """A date printed on a list page ("Jumat, 20 November 2026 - 08:00 WIB", "kemarin"), read by
    the cleaner's date reader (dateparser with Indonesian zone names); `tz` applies when no zone
    is printed."""
    offset = datetime(2000, 1, 1, tzinfo=tz).strftime("%z")
    iso = to_iso(text, f"{offset[:3]}:{offset[3:]}") if text else None
    return datetime.fromisoformat(iso) if iso else None


def entry_date(node: Selector, tz: tzinfo) -> datetime | None:
    """The date of an index entry's date element: its `datetime` attribute (ISO), else its `title`
    (portals print the absolute date there and "7 menit yang lalu" as text), else its text."""
    machine = parse_datetime(node.attrib.get("datetime"), tz)
    if machine is not None:
        return machine
    for text in (node.attrib.get("title"), " ".join(node.css("*::text").getall())):
        if text and text.strip() and (when := parse_printed_date(" ".join(text.split()), tz)):
            return when
    return None


def joined(base: str, href: str) -> str | None:
    """`href` resolved against `base`; None for a link no URL can be made of ("http://[::1")."""
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return None


def index_entries(
    page: Selector, base: str, layout: Discovery, article_url: Callable[[str], str | None], tz: tzinfo
) -> list[FeedEntry]:
    """The articles an index page lists: one per `index_item` (its first article link, titled by
    the longest text or title of its links to that article, dated by `index_date`); on a page
    where no item matches (a layout the data does not know), every article link, undated."""
    items = page.css(layout.index_item) if layout.index_item else []
    entries: dict[str, FeedEntry] = {}
    for item in items or [page]:
        titles: dict[str, str] = {}
        for link in item.css("a[href]"):
            target = joined(base, link.attrib.get("href", ""))
            url = article_url(target) if target else None
            if url is None or (items and titles and url not in titles):
                continue  # an item's other links (its section, a related article) are not its own
            text = " ".join(" ".join(link.css("*::text").getall()).split()) or link.attrib.get("title", "")
            titles[url] = max(titles.get(url, ""), text.strip(), key=len)
        dates = item.css(layout.index_date) if items and layout.index_date else []
        published = entry_date(dates[0], tz) if dates else None
        for url, title in titles.items():
            if url not in entries or (title and not entries[url].title):
                entries[url] = FeedEntry(url, title or None, published)
    return list(entries.values())


class PortalSpider(NewsSpider):
    """A portal spider whose sources are its rules' `[discovery]` table (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.layout = self.rules.discovery
        self.redirects: list[tuple[str, str]] = []  # discovery requests refused as off-site redirects
        self.sources_read = 0  # sitemaps and feeds parsed
        self.tried: dict[str, str] = {}  # guessed source -> what came of it, for the report

    def source_url(self, source: str) -> str:
        """A `[discovery]` source as a URL of this crawl (see the module doc)."""
        parts = urlsplit(source)
        if not parts.scheme:
            return self.base_url + source
        if self.rules.matches_host(self.base_host):
            return source
        return self.base_url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def index_url(self, page: int) -> str:
        assert self.layout.index is not None
        return self.source_url(self.layout.index.replace("{page}", str(page)))

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        yield self.guessed(self.primary_request(self.base_url + "/robots.txt", self.parse_robots))
        sitemaps = [self.source_url(s) for s in self.layout.sitemaps]
        if not sitemaps:
            self.tried[self.base_url + "/sitemap.xml"] = "not read"
            sitemaps = [self.base_url + "/sitemap.xml"]
        for request in self.sitemap_requests(sitemaps):
            yield self.guessed(request) if not self.layout.sitemaps else request
        for feed in self.layout.feeds:
            yield self.primary_request(self.source_url(feed), self.parse_rss)
        if not self.layout.feeds:
            yield self.primary_request(self.base_url + "/", self.parse_home)
        if self.layout.index:
            request = self.backfill_request(self.index_url(1), self.parse_index)
            request.meta["index_page"] = 1
            yield request

    def guessed(self, request: scrapy.Request) -> scrapy.Request:
        request.meta["guessed"] = True
        return request

    # -- sources ----------------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        listed = []
        for line in response.text.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and self.allowed_host(value.strip()):
                listed.append(value.strip())
        self.tried[response.url] = f"names {len(listed)} sitemap(s)" if listed else "names no sitemap"
        self.count("discovery_ok")
        yield from self.sitemap_requests(listed)
        self._primary_done()

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        """The home page's feed links (`<link rel="alternate" type="application/rss+xml">`)."""
        self.count("discovery_ok")
        feeds = []
        for link in response.css("link[href]"):
            rel = link.attrib.get("rel", "").lower().split()
            kind = link.attrib.get("type", "").split(";")[0].strip().lower()
            url = joined(response.url, link.attrib["href"])
            if (
                url
                and "alternate" in rel
                and kind in FEED_TYPES
                and self.allowed_host(url)
                and url not in feeds
            ):
                feeds.append(url)
        self.tried[response.url] = f"links {len(feeds)} feed(s)" if feeds else "links no RSS or Atom feed"
        for url in feeds:
            yield self.primary_request(url, self.parse_rss)
        self._primary_done()

    def _read_feed(self, response: Response, parse: Callable[[bytes, tzinfo], Any]) -> Any:
        parsed = super()._read_feed(response, parse)
        if parsed is not None:
            self.sources_read += 1
            self.tried[response.url] = "read"
        return parsed

    def parse_index(self, response: Response) -> Iterator[scrapy.Request]:
        """One page of the portal's paged index; the next while it still lists what this crawl
        wants: dated entries in (or newer than) the window, or articles this run had not seen."""
        self.count("discovery_ok")
        page = response.meta["index_page"]
        entries = index_entries(response.selector, response.url, self.layout, self.article_url, self.tz)
        if not entries:
            self.logger.warning("no articles listed on %s: has the index layout changed?", response.url)
        known_before = self.known
        yield from self.offer(entries)
        new = self.known > known_before
        dated = [entry.published for entry in entries if entry.published]
        if dated:
            go_on = any(not self.window.older_than_since(when) for when in dated)
            go_on = go_on and (self.window.since is not None or new)
        else:  # undated entries cannot show the window's end: page while they are new
            go_on = new
        following = self.index_url(page + 1)
        linked = following in (joined(response.url, h) for h in response.css("a::attr(href)").getall())
        if linked and go_on and not self.full:
            request = self.backfill_request(following, self.parse_index)
            request.meta["index_page"] = page + 1
            yield request

    # -- failures and the verdict -----------------------------------------------------------------

    def primary_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        value = failure.value
        if request.meta.get("guessed") and isinstance(value, HttpError) and value.response.status in ABSENT:
            self.tried[request.url] = f"not found ({value.response.status})"
            self.count("discovery_absent")
            self._primary_done()
            return
        super().primary_failed(failure)

    def backfill_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        target = getattr(failure.value, "target", None)
        if request is not None:
            if target:
                self.redirects.append((request.url, target))
            if request.url in self.tried or request.meta.get("guessed"):
                self.tried[request.url] = f"redirected to {target}" if target else failure_reason(failure)
        super().backfill_failed(failure)

    def closed(self, reason: str) -> None:
        problem = self.discovery_problem()
        if problem is not None:
            kind, detail = problem
            self.crawler.stats.set_value("news/discovery_problem", {"reason": kind, "detail": detail})

    def discovery_problem(self) -> tuple[str, str] | None:
        """(reason, detail) when discovery itself failed, else None."""
        if self.crawler.stats.get_value("news/discovery_ok", 0) == 0 and self.redirects:
            source, target = self.redirects[0]
            host = urlsplit(target)
            return "offsite_redirect", (
                f"{source} redirects to {target}, another host: crawl {host.scheme}://{host.netloc} instead"
            )
        return None

    def tried_summary(self, urls: Iterable[str]) -> str:
        return "; ".join(
            f"{urlsplit(url).path or '/'}: {self.tried[url]}" for url in urls if url in self.tried
        )


def pager_link(response: Response, wanted: str) -> str | None:
    """The URL `wanted` (absolute, no fragment) if the page links to it: the next page of a split
    article exists only if its pager says so."""
    for href in response.css("a::attr(href)").getall():
        if (joined(response.url, href) or "").split("#", 1)[0] == wanted:
            return wanted
    return None
