"""robots.txt, sitemaps and RSS of the replica portal, plus the `Response` type. Pure functions.

Sitemap layout follows NOTES §1c: `/sitemap.xml` is an index of Google News sitemaps under
`/sitemap/news/`. Each news sitemap holds 1,000 articles, newest first, so sitemap k=1 always has
the newest and a crawler with --since can stop after the first sitemap whose newest entry is too
old.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from email.utils import format_datetime
from typing import NamedTuple
from xml.sax.saxutils import escape

from scraper.replica.site import MAX_EDIT_DELAY, SPACING, ArticleRef, ReplicaSite

HTML = "text/html; charset=utf-8"
XML = "application/xml"
RSS = "application/rss+xml"
TEXT = "text/plain; charset=utf-8"
SITEMAP_SIZE = 1_000
RSS_SIZE = 50
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Articles older than this many positions cannot have a later `modified` than the newest one of the
# same sitemap (edits are at most MAX_EDIT_DELAY minutes), so a sitemap's lastmod needs no more.
_LASTMOD_LOOKAHEAD = MAX_EDIT_DELAY * 60 // int(SPACING.total_seconds()) + 2

RefFilter = Callable[[ArticleRef], bool]


class Response(NamedTuple):
    """What the server sends. The server adds Content-Length unless the headers already carry one
    (a fault hook may announce more bytes than it sends, to imitate a truncated response)."""

    status: int
    headers: dict[str, str]
    body: bytes


def not_found() -> Response:
    body = (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>404 - VIVA</title>'
        '</head><body><h1>Halaman tidak ditemukan</h1><p><a href="/">Kembali ke beranda</a>'
        "</p></body></html>\n"
    )
    return Response(404, {"Content-Type": HTML}, body.encode("utf-8"))


def bare_not_found() -> Response:
    """The 404 of the family and plain-site replicas: a page with nothing of the portal's."""
    return Response(404, {"Content-Type": HTML}, b"<!DOCTYPE html><html><body><h1>404</h1></body></html>\n")


def xml_response(opening: str, entries: Iterable[str], closing: str, content_type: str = XML) -> Response:
    body = _xml_document(opening, entries, closing)
    return Response(200, {"Content-Type": content_type}, body.encode("utf-8"))


def route(replica: ReplicaSite, base_url: str, path: str) -> Response | None:
    """The robots, sitemap or RSS response for `path`, or None when `path` is none of those."""
    if path == "/robots.txt":
        return Response(200, {"Content-Type": TEXT}, render_robots(base_url).encode())
    if path == "/sitemap.xml":
        return _xml(XML, render_sitemap_index(replica, base_url))
    match = re.fullmatch(r"/sitemap/news/news-sitemap-(\d+)\.xml", path)
    if match:
        body = render_news_sitemap(replica, base_url, int(match.group(1)))
        return not_found() if body is None else _xml(XML, body)
    if path == "/rss":
        return _xml(RSS, render_rss(replica, base_url))
    return None


def _xml(content_type: str, body: str) -> Response:
    return Response(200, {"Content-Type": content_type}, body.encode("utf-8"))


def render_robots(base_url: str) -> str:
    return f"User-agent: *\nDisallow: /search\nDisallow: /request/\n\nSitemap: {base_url}/sitemap.xml\n"


def sitemap_count(replica: ReplicaSite) -> int:
    return -(-len(replica) // SITEMAP_SIZE)


def _sitemap_lastmod(replica: ReplicaSite, k: int) -> str:
    start = (k - 1) * SITEMAP_SIZE
    refs = replica.iter_refs(start, min(start + SITEMAP_SIZE, start + _LASTMOD_LOOKAHEAD))
    return max((ref.modified for ref in refs), key=datetime.fromisoformat)


def render_sitemap_index(replica: ReplicaSite, base_url: str) -> str:
    entries = [
        f"<sitemap><loc>{escape(base_url)}/sitemap/news/news-sitemap-{k}.xml</loc>"
        f"<lastmod>{_sitemap_lastmod(replica, k)}</lastmod></sitemap>"
        for k in range(1, sitemap_count(replica) + 1)
    ]
    return _xml_document(f'<sitemapindex xmlns="{SITEMAP_NS}">', entries, "</sitemapindex>")


def render_news_sitemap(replica: ReplicaSite, base_url: str, k: int) -> str | None:
    """News sitemap k (1-based), or None when there is no such sitemap."""
    if not 1 <= k <= sitemap_count(replica):
        return None
    start = (k - 1) * SITEMAP_SIZE
    entries = [
        f"<url><loc>{escape(base_url + ref.path)}</loc><lastmod>{ref.modified}</lastmod>"
        "<news:news><news:publication><news:name>VIVA</news:name>"
        "<news:language>id</news:language></news:publication>"
        f"<news:publication_date>{ref.published}</news:publication_date>"
        f"<news:title>{escape(ref.title)}</news:title>"
        f"<news:keywords>{escape(', '.join(ref.tags))}</news:keywords></news:news></url>"
        for ref in replica.iter_refs(start, start + SITEMAP_SIZE)
    ]
    opening = f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">'
    return _xml_document(opening, entries, "</urlset>")


def render_rss(replica: ReplicaSite, base_url: str) -> str:
    refs = list(replica.iter_refs(0, RSS_SIZE))
    items = [
        f"<item><title>{escape(ref.title)}</title><link>{escape(base_url + ref.path)}</link>"
        f'<guid isPermaLink="true">{escape(base_url + ref.path)}</guid>'
        f"<pubDate>{_rfc822(ref.published)}</pubDate>"
        f"<category>{escape(ref.section)}</category>"
        f"<description>{escape(ref.description)}</description></item>"
        for ref in refs
    ]
    built = f"<lastBuildDate>{_rfc822(refs[0].published)}</lastBuildDate>" if refs else ""
    channel = (
        f'<rss version="2.0"><channel><title>VIVA - Berita Terkini</title>'
        f"<link>{escape(base_url)}/</link><description>Replika lokal VIVA</description>"
        f"<language>id</language>{built}"
    )
    return _xml_document(channel, items, "</channel></rss>")


def _rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso))


def _xml_document(opening: str, entries: Iterable[str], closing: str) -> str:
    return "\n".join(('<?xml version="1.0" encoding="UTF-8"?>', opening, *entries, closing)) + "\n"
