"""VIVA (viva.co.id): discovery through robots.txt, the sitemap index and its news sitemaps, RSS,
and the paged /indeks (backfill by date). Everything else is spiders.news.NewsSpider's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, tzinfo

import scrapy
from scrapy.http import Response

from cleaners.dates import to_iso
from scraper.crawl.feeds import FeedEntry
from spiders.news import NewsSpider


def parse_printed_date(text: str, tz: tzinfo) -> datetime | None:
    """VIVA's list dates ("Jumat, 20 November 2026 - 08:00 WIB"), read by the cleaner's date
    reader (dateparser with Indonesian zone names); `tz` applies when no zone is printed."""
    offset = datetime(2000, 1, 1, tzinfo=tz).strftime("%z")
    iso = to_iso(text, f"{offset[:3]}:{offset[3:]}") if text else None
    return datetime.fromisoformat(iso) if iso else None


class VivaSpider(NewsSpider):
    name = "viva"
    portal = "viva"
    default_base_url = "https://www.viva.co.id"

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        yield self.primary_request(self.base_url + "/robots.txt", self.parse_robots)
        yield from self.sitemap_requests([self.base_url + "/sitemap.xml"])
        yield self.primary_request(self.base_url + "/rss", self.parse_rss)
        yield self.backfill_request(self.base_url + "/indeks?page=1", self.parse_indeks)

    def parse_indeks(self, response: Response) -> Iterator[scrapy.Request]:
        self.count("discovery_ok")
        entries = []
        for row in response.css(".article-list-row"):
            href = row.css("a.article-list-title::attr(href), a::attr(href)").get()
            if href:
                title = " ".join(row.css("a.article-list-title *::text, h2 *::text").getall()).strip()
                date = " ".join(row.css(".article-list-date *::text").getall())
                entries.append(
                    FeedEntry(response.urljoin(href), title or None, parse_printed_date(date, self.tz))
                )
        if not entries:
            self.logger.warning("no article rows on %s: has the index layout changed?", response.url)
        known_before = self.known
        yield from self.offer(entries)
        # Paged while it still lists articles in (or newer than) the window; without --since, while
        # it still lists articles not already known, so a repeat crawl stops at the first page.
        reaches_window = any(not self.window.older_than_since(e.published) for e in entries)
        adds = self.window.since is not None or self.known > known_before
        following = response.css("a.pagination-next::attr(href), a[rel=next]::attr(href)").get()
        if following and entries and reaches_window and adds and not self.full:
            yield self.backfill_request(response.urljoin(following), self.parse_indeks)
