"""Any news site (`scraper crawl --site URL`): generic discovery, and article URLs learnt as it goes.

Discovery is the generic part of spiders/discovery.py: robots.txt `Sitemap:` lines, `/sitemap.xml`,
the sitemap indexes, news sitemaps and plain sitemaps they lead to (a child sitemap older than
--since by its lastmod is skipped), and the RSS/Atom feeds the home page links with
`<link rel="alternate">`. The site's hosts are its host and the others under the same domain
(www. and sub-sites); a site that is a known portal keeps that portal's rules.

Which listed pages are articles: an entry of a news sitemap or of a feed is one, and teaches the
spider its URL shape (first path segment, then which segments are numbers or words: `/2026/11/20/
slug/` is `#/#/#/*`). A page listed only by a plain sitemap is a candidate: of a shape known as an
article shape it is requested; of an unknown shape, at most `PROBES` are until one is an article, and the
cleaner's verdict on them teaches the spider: an article makes the shape an article shape, and
`PROBES` pages of a shape rejected as not articles (an index page, no text, too short, not HTML)
with none accepted make it a non-article shape, whose other candidates are skipped
(`skipped_not_article`) without being fetched.

At the end, besides an off-site redirect, the run report names what went wrong with discovery:
`no_sources` (no sitemap and no feed found) or `no_articles` (none of the listed pages is an
article), and the run fails.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from twisted.python.failure import Failure

from cleaners.portals import PortalRules, portal_for_url
from scraper.crawl.feeds import FeedEntry
from spiders.discovery import PortalSpider

PROBES = 3
# Cleaner verdicts (item_dropped keys) that say a page is not an article, and those of articles.
NOT_ARTICLE = {f"rejected/{r}" for r in ("index_page", "no_content", "too_short", "not_html")}
ARTICLE = {"duplicate", "out_of_window"}
_NOT_PAGES = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|pdf|xml|rss|json|css|js|zip|gz|mp3|mp4|webm|avi|mov|docx?|xlsx?)$", re.I
)


def site_domain(host: str) -> str:
    """The domain a site's pages may be on: its host without `www.` (sub-sites included)."""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") and host.count(".") > 1 else host


def url_shape(url: str) -> tuple[str, ...]:
    """What article URLs of a site have in common and its other pages do not (see the module doc)."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    shape = [_segment(s) if n else ("#" if s.isdigit() else s.lower()) for n, s in enumerate(segments)]
    if segments and "." in segments[-1]:
        shape.append(segments[-1].rsplit(".", 1)[1].lower())
    return tuple(shape)


def _segment(segment: str) -> str:
    return "#" if segment.isdigit() else "*"


class SiteSpider(PortalSpider):
    name = "site"
    portal = "generic"

    def load_rules(self) -> PortalRules:
        rules = portal_for_url(self.base_url)  # a known portal keeps its rules
        domain = site_domain(urlsplit(self.base_url).hostname or "")
        return replace(rules, hosts=tuple(dict.fromkeys((*rules.hosts, domain))))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shapes: dict[tuple[str, ...], bool] = {}  # True: articles; False: not articles
        self.probing: Counter[tuple[str, ...]] = Counter()  # candidates in flight, per unknown shape
        self.probes: dict[str, tuple[str, ...]] = {}  # candidate URL in flight -> its shape
        self.rejected: Counter[tuple[str, ...]] = Counter()
        self.parked: defaultdict[tuple[str, ...], list[tuple[str, FeedEntry]]] = defaultdict(list)
        self.listed_as_news = 0  # entries of news sitemaps and feeds
        self.verdicts: Counter[str] = Counter()  # "article", and the reasons of the others

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider: SiteSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.item_scraped, signals.item_scraped)
        crawler.signals.connect(spider.item_dropped, signals.item_dropped)
        return spider

    def article_url(self, url: str) -> str | None:
        if self.rules.article_url:
            return super().article_url(url)
        own = self.own_url(url)
        if own is None:
            return None
        path = urlsplit(own).path
        return None if path in ("", "/") or _NOT_PAGES.search(path) else own

    # -- what is an article -----------------------------------------------------------------------

    def offer(self, entries: Iterable[FeedEntry]) -> Iterator[scrapy.Request]:
        entries = list(entries)
        for entry in entries:
            url = self.article_url(entry.url)
            if url is None or self.rules.article_url:
                continue
            shape = url_shape(url)
            if _listed_as_news(entry):
                self.listed_as_news += 1
                self.shapes[shape] = True
            elif (before := self.state.verdict(url)) is not None:  # what earlier runs learnt
                if before == "article":
                    self.shapes[shape] = True
                elif f"rejected/{before}" in NOT_ARTICLE:
                    self.rejected[shape] += 1
                    if self.rejected[shape] >= PROBES and not self.shapes.get(shape):
                        self.shapes[shape] = False
        yield from super().offer(entries)

    def _request_article(self, url: str, entry: FeedEntry) -> Iterator[scrapy.Request]:
        shape = url_shape(url)
        known = self.shapes.get(shape)
        if self.rules.article_url or _listed_as_news(entry) or known:
            yield from super()._request_article(url, entry)
        elif known is False:
            self.count("skipped_not_article")
        elif self.probing[shape] + self.rejected[shape] < PROBES:
            self.probing[shape] += 1
            self.probes[url] = shape
            yield from super()._request_article(url, entry)
        else:
            self.parked[shape].append((url, entry))

    def item_scraped(self, item: Any, **_: Any) -> None:
        self.verdict(getattr(item, "url", ""), "article")

    def item_dropped(self, item: Any, exception: BaseException, **_: Any) -> None:
        key = getattr(exception, "key", "")
        outcome = "article" if key in ARTICLE else key.partition("/")[2] if key in NOT_ARTICLE else None
        self.verdict(getattr(item, "url", ""), outcome)  # None: neither (a timeout, an error)

    def article_failed(self, failure: Failure) -> None:
        super().article_failed(failure)
        request = getattr(failure, "request", None)
        if request is not None:
            self.verdict(request.meta.get("article", ""), None)

    def verdict(self, url: str, outcome: str | None) -> None:
        """The cleaner's word (or a failed fetch: None) on a page: what its shape is learns from it."""
        if outcome is not None:
            self.verdicts[outcome] += 1
        shape = self.probes.pop(url, None)
        if shape is None:
            return
        self.probing[shape] -= 1
        parked = self.parked[shape]
        if outcome == "article":
            self.shapes[shape] = True
            self._pending.extend(parked)
            parked.clear()
            return
        if outcome is None:  # no verdict (the fetch failed): its slot goes to the next candidate
            if parked:
                self._pending.append(parked.pop(0))
            return
        # A shape gets PROBES verdicts in all before it is judged: rejections free no slot.
        self.rejected[shape] += 1
        if self.rejected[shape] >= PROBES and not self.shapes.get(shape):
            self.shapes[shape] = False
            self.count("skipped_not_article", len(parked))
            parked.clear()

    def expecting_more(self) -> bool:
        for shape, parked in self.parked.items():
            if parked and not self.probing[shape]:  # every probe answered, none judged the shape
                self._pending.append(parked.pop(0))
        waiting = any(self.parked[shape] for shape, n in self.probing.items() if n > 0)
        if waiting and self._stalled():  # a probe vanished without an answer: do not wait forever
            self.logger.warning("candidates left waiting for a verdict on their kind of URL: skipped")
            self.count("skipped_not_article", sum(len(p) for p in self.parked.values()))
            self.parked.clear()
            return False
        return waiting

    # -- the verdict on discovery -----------------------------------------------------------------

    def discovery_problem(self) -> tuple[str, str] | None:
        problem = super().discovery_problem()
        if problem is not None:
            return problem
        stats = self.crawler.stats
        if self.sources_read == 0:
            tried = self.tried_summary([self.base_url + "/robots.txt", self.base_url + "/sitemap.xml",
                                        self.base_url + "/"])  # fmt: skip
            return "no_sources", f"no sitemap and no RSS or Atom feed found ({tried})"
        if self.known == 0 and not stats.get_value("news/skipped_seen", 0):
            return "no_articles", "the sitemaps and feeds list no page of this site"
        articles = self.listed_as_news + self.verdicts["article"] + stats.get_value("news/skipped_seen", 0)
        if articles == 0:
            rejected = ", ".join(f"{n} {reason}" for reason, n in self.verdicts.most_common() if n > 0)
            skipped = stats.get_value("news/skipped_not_article", 0)
            kinds = ", ".join(
                "/" + "/".join(shape) for shape, is_article in self.shapes.items() if not is_article
            )
            return "no_articles", (
                f"none of the {self.known} pages the sitemaps list is an article: "
                f"{rejected or 'none fetched'}; {skipped} more of the same kind ({kinds or '-'}) skipped"
            )
        return None


def _listed_as_news(entry: FeedEntry) -> bool:
    """A feed item or a news sitemap entry (they carry a title or a publication date)."""
    return bool(entry.title or entry.published)
