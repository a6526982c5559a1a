"""Safe parsing of sitemaps (index and Google News) and RSS/Atom feeds into dated entries.

Feeds come from the network, so the parser is defensive: input is size-bounded (also after gzip
decompression), parsed by defusedxml, which refuses entity declarations (billion laughs, quadratic
blow-up) and external references; every failure is a `FeedError` with a one-line message.
Scrapy's SitemapSpider is not used because it keeps only <loc>: a news crawl needs
publication_date (to apply a date window before fetching) and title (for the headline index).

Every entry is read on its own: one that cannot be read is left out (and counted in
`Sitemap.unreadable`), never the rest of the feed with it; a date that cannot be read, or lies
outside what a datetime can hold in every time zone (0001-01-01T00:00:00+14:00), is no date.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from scraper.errors import ScraperError

MAX_FEED_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit for one uncompressed file
# Dates a day inside datetime's range, in UTC: convertible to any time zone (offsets < 24 h).
_EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
_LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)
_GZIP_MAGIC = b"\x1f\x8b"


class FeedError(ScraperError):
    """A sitemap or feed that cannot be used: too large, hostile or malformed."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    url: str
    title: str | None = None
    published: datetime | None = None  # always timezone-aware
    lastmod: datetime | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sitemap:
    is_index: bool  # True: entries are child sitemaps; False: entries are pages
    entries: tuple[FeedEntry, ...]
    unreadable: int = 0  # entries left out because they could not be read


def parse_sitemap(data: bytes, default_tz: tzinfo = UTC, max_bytes: int = MAX_FEED_BYTES) -> Sitemap:
    root = parse_xml(data, max_bytes)
    kind = _local(root.tag)
    if kind == "sitemapindex":
        nodes, read = [n for n in root if _local(n.tag) == "sitemap"], _sitemap_ref
    elif kind == "urlset":
        nodes, read = [n for n in root if _local(n.tag) == "url"], _url_entry
    else:
        raise FeedError(f"not a sitemap: root element <{kind}>")
    entries, unreadable = _each(nodes, read, default_tz)
    return Sitemap(kind == "sitemapindex", tuple(entries), unreadable)


def _each(
    nodes: Iterable[Element], read: Callable[[Element, tzinfo], FeedEntry | None], tz: tzinfo
) -> tuple[list[FeedEntry], int]:
    """Every node read on its own: (entries, how many could not be read)."""
    entries, unreadable = [], 0
    for node in nodes:
        try:
            entry = read(node, tz)
        except (ValueError, TypeError, OverflowError):
            unreadable += 1
            continue
        if entry is not None:
            entries.append(entry)
    return entries, unreadable


def parse_rss(data: bytes, default_tz: tzinfo = UTC, max_bytes: int = MAX_FEED_BYTES) -> list[FeedEntry]:
    """Items of an RSS 2.0 channel or entries of an Atom feed."""
    root = parse_xml(data, max_bytes)
    kind = _local(root.tag)
    if kind == "rss":
        channel = _child(root, "channel")
        items = [] if channel is None else [n for n in channel if _local(n.tag) == "item"]
        return _each(items, _rss_item, default_tz)[0]
    if kind == "feed":
        return _each([e for e in root if _local(e.tag) == "entry"], _atom_entry, default_tz)[0]
    raise FeedError(f"not an RSS or Atom feed: root element <{kind}>")


def parse_xml(data: bytes, max_bytes: int = MAX_FEED_BYTES) -> Element:
    data = _bounded_bytes(data, max_bytes)
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        # Entity declarations are how billion-laughs and quadratic-blowup attacks start.
        detail = "entity declarations and external references are not allowed"
        raise FeedError(f"refused XML ({type(exc).__name__}): {detail}") from exc
    except ParseError as exc:
        raise FeedError(f"malformed XML: {exc}") from exc


def _bounded_bytes(data: bytes, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise FeedError(f"feed is {len(data)} bytes, limit {max_bytes}")
    if not data.startswith(_GZIP_MAGIC):
        return data
    # Read one byte past the limit: a gzip bomb stops there instead of filling memory.
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inflated = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise FeedError(f"bad gzip data: {exc}") from exc
    if len(inflated) > max_bytes:
        raise FeedError(f"feed inflates to more than {max_bytes} bytes")
    return inflated


def _local(tag: object) -> str:
    """Element name without its namespace: feeds mix default, news and unprefixed namespaces."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(node: Element, name: str) -> Element | None:
    return next((c for c in node if _local(c.tag) == name), None)


def _text(node: Element | None, name: str) -> str | None:
    child = None if node is None else _child(node, name)
    text = None if child is None else (child.text or "").strip()
    return text or None


def _sitemap_ref(node: Element, tz: tzinfo) -> FeedEntry | None:
    loc = _text(node, "loc")
    return FeedEntry(loc, lastmod=parse_datetime(_text(node, "lastmod"), tz)) if loc else None


def _url_entry(node: Element, tz: tzinfo) -> FeedEntry | None:
    loc = _text(node, "loc")
    if not loc:
        return None
    news = _child(node, "news")
    keywords = _text(news, "keywords") or ""
    return FeedEntry(
        url=loc,
        title=_text(news, "title"),
        published=parse_datetime(_text(news, "publication_date"), tz),
        lastmod=parse_datetime(_text(node, "lastmod"), tz),
        keywords=tuple(k.strip() for k in keywords.split(",") if k.strip()),
    )


def _rss_item(item: Element, tz: tzinfo) -> FeedEntry | None:
    link = _text(item, "link")
    guid = _child(item, "guid")
    if not link and guid is not None and guid.get("isPermaLink", "true") == "true":
        link = (guid.text or "").strip() or None
    if not link:
        return None
    return FeedEntry(link, _text(item, "title"), parse_datetime(_text(item, "pubDate"), tz))


def _atom_entry(entry: Element, tz: tzinfo) -> FeedEntry | None:
    links = [c for c in entry if _local(c.tag) == "link" and c.get("rel", "alternate") == "alternate"]
    href = links[0].get("href") if links else None
    if not href:
        return None
    published = _text(entry, "published") or _text(entry, "updated")
    updated = parse_datetime(_text(entry, "updated"), tz)
    return FeedEntry(href, _text(entry, "title"), parse_datetime(published, tz), updated)


def parse_datetime(value: str | None, default_tz: tzinfo = UTC) -> datetime | None:
    """W3C datetime (sitemaps, Atom) or RFC 822 (RSS); a value without offset gets default_tz.

    Unparsable dates, and dates outside what every time zone can hold, give None: the entry is
    kept and the window cannot exclude it.
    """
    if not value:
        return None
    value = value.strip()
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    try:
        in_utc = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return parsed if _EARLIEST <= in_utc <= _LATEST else None
