"""Where a family replica lists its articles: the portal's `[discovery]` sources, served as data.

`FamilyLayout(FamilySite("detik", 40))` is what `ReplicaPortal` serves for a portal other than
VIVA (whose replica is its own, richer one). It answers:

- `/robots.txt`, naming every sitemap it serves;
- each documented sitemap (absolute URLs on sub-sites are served under their path, as on a mirror)
  as a Google News sitemap; several split the articles between them (article i in sitemap
  i mod n), as kanal sitemaps do; undocumented: `/sitemap.xml`, an index of news sitemaps of 1,000;
- each documented feed as RSS with the newest 50 of its share; undocumented: `/feed`, linked from
  the home page by `<link rel="alternate">`;
- the documented paged index, 20 entries a page, newest first, in the markup its selectors name
  (`index_item` "article.list-content__item" becomes `<article class="list-content__item">`, the
  date element carries the date as text, as `title` and, on `<time>`, as `datetime`), each page
  linking the next;
- the home page, the articles (`FamilySite.page`), and a 404 for anything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import format_datetime
from functools import cached_property
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from scraper.replica.family import DAYS, MONTHS, FamilyRef, FamilySite
from scraper.replica.feeds import (
    HTML,
    NEWS_NS,
    RSS,
    SITEMAP_NS,
    TEXT,
    Response,
    bare_not_found,
    xml_response,
)

INDEX_PAGE_SIZE = 20
FEED_SIZE = 50
SITEMAP_CHUNK = 1_000
GENERIC_SITEMAP, GENERIC_FEED = "/sitemap.xml", "/feed"
_COMPOUND = re.compile(r"([a-zA-Z][\w-]*)?((?:[.#][\w-]+|\[[\w-]+(?:=[\"']?[^\]\"']*[\"']?)?\])*)")


def _path(source: str) -> str:
    parts = urlsplit(source)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def element(selector: str, attributes: str = "") -> tuple[str, str]:
    """Opening and closing tags of elements a simple CSS selector matches: "div.a li" is
    `<div class="a"><li>` ... `</li></div>`; `attributes` go on the innermost element."""
    opens, closes = [], []
    compounds = selector.replace(">", " ").split()
    for n, compound in enumerate(compounds):
        match = _COMPOUND.fullmatch(compound)
        if match is None:
            raise ValueError(f"the replica cannot build markup for the selector {selector!r}")
        tag, parts = match[1] or "div", re.findall(r"[.#][\w-]+|\[[^\]]+\]", match[2])
        classes = " ".join(p[1:] for p in parts if p[0] == ".")
        attrs = [f' class="{classes}"'] if classes else []
        attrs += [f' id="{p[1:]}"' for p in parts if p[0] == "#"]
        for part in (p[1:-1] for p in parts if p[0] == "["):
            name, _, value = part.partition("=")
            attrs.append(f' {name}="{value.strip(chr(34) + chr(39))}"')
        if n == len(compounds) - 1:
            attrs.append(attributes)
        opens.append(f"<{tag}{''.join(attrs)}>")
        closes.insert(0, f"</{tag}>")
    return "".join(opens), "".join(closes)


def printed(ref: FamilyRef) -> str:
    when = ref.published
    return f"{DAYS[when.weekday()]}, {when.day} {MONTHS[when.month - 1]} {when:%Y %H:%M} WIB"


class FamilyLayout:
    """The served replica of one portal (see the module doc)."""

    def __init__(self, site: FamilySite) -> None:
        self.site = site
        discovery = site.rules.discovery
        self.sitemaps = _unique(_path(s) for s in discovery.sitemaps) or [GENERIC_SITEMAP]
        self.generic_sitemap = not discovery.sitemaps
        self.feeds = _unique(_path(f) for f in discovery.feeds) or [GENERIC_FEED]
        self.index = _path(discovery.index) if discovery.index else None
        *wrappers, item = (discovery.index_item or "article").replace(">", " ").split()
        self.item, self.wrapper = element(item), element(" ".join(wrappers)) if wrappers else ("", "")
        self.date_selector = discovery.index_date

    def __len__(self) -> int:
        return len(self.site)

    def by_path(self, path: str) -> int | None:
        return self.site.by_path(path)

    @cached_property
    def _index_pattern(self) -> re.Pattern[str] | None:
        if self.index is None:
            return None
        return re.compile(re.escape(self.index).replace(re.escape("{page}"), r"(\d+)"))

    def respond(self, base_url: str, target: str) -> Response:
        base_url = base_url.rstrip("/")
        path = target.split("?", 1)[0]
        if self._index_pattern is not None and (match := self._index_pattern.fullmatch(target)):
            return self.index_page(int(match[1]))
        if target == "/robots.txt":
            lines = "".join(f"Sitemap: {base_url}{s}\n" for s in self.sitemaps)
            return Response(
                200, {"Content-Type": TEXT}, f"User-agent: *\nDisallow: /search\n\n{lines}".encode()
            )
        if path == "/":
            return self.home()
        if path in self.sitemaps:
            if self.generic_sitemap:
                return self.sitemap_index(base_url)
            share = self.sitemaps.index(path)
            return self.news_sitemap(base_url, self._share(share, len(self.sitemaps)))
        if self.generic_sitemap and (chunk := re.fullmatch(r"/sitemap-news-(\d+)\.xml", path)):
            k = int(chunk[1])
            refs = self.site.iter_refs((k - 1) * SITEMAP_CHUNK, k * SITEMAP_CHUNK)
            return self.news_sitemap(base_url, refs) if k >= 1 and refs else self.not_found()
        if path in self.feeds:
            share = self._share(self.feeds.index(path), len(self.feeds), FEED_SIZE)
            return self.rss(base_url, share)
        index = self.site.by_path(path)
        return self.not_found() if index is None else self.site.article_response(index, base_url)

    def _share(self, k: int, of: int, limit: int | None = None) -> list[FamilyRef]:
        refs = [self.site.ref(i) for i in range(k, len(self.site), of)]
        return refs[:limit] if limit else refs

    # -- documents --------------------------------------------------------------------------------

    def home(self) -> Response:
        feeds = "".join(
            f'<link rel="alternate" type="application/rss+xml" title="RSS" href="{f}">' for f in self.feeds
        )
        links = "".join(
            f'<li><a href="{r.path}">{escape(r.title)}</a></li>' for r in self.site.iter_refs(0, 10)
        )
        body = f"<main><h1>Berita Terkini</h1><ul>{links}</ul></main>"
        return self._html(f"{self.site.portal} - Berita Terkini", body, feeds)

    def index_page(self, page: int) -> Response:
        pages = max(1, -(-len(self.site) // INDEX_PAGE_SIZE))
        if not 1 <= page <= pages or self.index is None:
            return self.not_found()
        start = (page - 1) * INDEX_PAGE_SIZE
        (item_open, item_close), (wrap_open, wrap_close), rows = self.item, self.wrapper, []
        for ref in self.site.iter_refs(start, start + INDEX_PAGE_SIZE):
            date = ""
            if self.date_selector:
                stamp = f' title="{printed(ref)}"' + (
                    f' datetime="{ref.published_iso}"'
                    if self.date_selector.split()[-1].startswith("time")
                    else ""
                )
                date_open, date_close = element(self.date_selector, stamp)
                date = f"{date_open}{printed(ref)}{date_close}"
            rows.append(f'{item_open}<h3><a href="{ref.path}">{escape(ref.title)}</a></h3>{date}{item_close}')
        pager = []
        if page > 1:
            pager.append(f'<a href="{self.index.replace("{page}", str(page - 1))}">Sebelumnya</a>')
        if page < pages:
            pager.append(f'<a href="{self.index.replace("{page}", str(page + 1))}">Selanjutnya</a>')
        body = (
            f"<main><h1>Indeks Berita</h1>{wrap_open}{''.join(rows)}{wrap_close}"
            f'<div class="pagination">{" ".join(pager)}</div></main>'
        )
        return self._html(f"Indeks Berita - Halaman {page}", body)

    def sitemap_index(self, base_url: str) -> Response:
        chunks = -(-len(self.site) // SITEMAP_CHUNK)
        entries = [
            f"<sitemap><loc>{escape(base_url)}/sitemap-news-{k}.xml</loc>"
            f"<lastmod>{self.site.ref((k - 1) * SITEMAP_CHUNK).published_iso}</lastmod></sitemap>"
            for k in range(1, chunks + 1)
        ]
        return xml_response(f'<sitemapindex xmlns="{SITEMAP_NS}">', entries, "</sitemapindex>")

    def news_sitemap(self, base_url: str, refs: Iterable[FamilyRef]) -> Response:
        entries = [
            f"<url><loc>{escape(base_url + ref.path)}</loc><lastmod>{ref.published_iso}</lastmod>"
            f"<news:news><news:publication><news:name>{self.site.portal}</news:name>"
            f"<news:language>{self.site.rules.language or 'id'}</news:language></news:publication>"
            f"<news:publication_date>{ref.published_iso}</news:publication_date>"
            f"<news:title>{escape(ref.title)}</news:title></news:news></url>"
            for ref in refs
        ]
        return xml_response(f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">', entries, "</urlset>")

    def rss(self, base_url: str, refs: list[FamilyRef]) -> Response:
        items = [
            f"<item><title>{escape(ref.title)}</title><link>{escape(base_url + ref.path)}</link>"
            f"<guid>{escape(base_url + ref.path)}</guid>"
            f"<pubDate>{format_datetime(ref.published)}</pubDate></item>"
            for ref in refs
        ]
        channel = f'<rss version="2.0"><channel><title>{self.site.portal}</title><link>{base_url}/</link>'
        return xml_response(channel, items, "</channel></rss>", RSS)

    def not_found(self) -> Response:
        return bare_not_found()

    def _html(self, title: str, body: str, head: str = "") -> Response:
        page = (
            f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"{head}</head><body>{body}</body></html>\n"
        )
        return Response(200, {"Content-Type": HTML}, page.encode("utf-8"))
