"""Sitemap and RSS parsing: the replica's real feeds, and hostile or oversized input refused."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

import pytest

from scraper.crawl.feeds import FeedError, parse_datetime, parse_rss, parse_sitemap, parse_xml
from scraper.replica import ReplicaSite
from scraper.replica.feeds import render_news_sitemap, render_rss, render_sitemap_index

BASE = "http://replica.test"
WIB = timezone(timedelta(hours=7))
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol9 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&x;</title><link>http://a/1-x</link></item></channel></rss>"""


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(1_500, seed=3)


def test_sitemap_index_lists_news_sitemaps_with_lastmod(site: ReplicaSite) -> None:
    sitemap = parse_sitemap(render_sitemap_index(site, BASE).encode())
    assert sitemap.is_index
    assert [e.url for e in sitemap.entries] == [f"{BASE}/sitemap/news/news-sitemap-{k}.xml" for k in (1, 2)]
    assert all(e.lastmod is not None and e.lastmod.tzinfo is not None for e in sitemap.entries)


def test_news_sitemap_keeps_title_date_and_keywords(site: ReplicaSite) -> None:
    body = render_news_sitemap(site, BASE, 1)
    assert body is not None
    sitemap = parse_sitemap(body.encode())
    assert not sitemap.is_index and len(sitemap.entries) == 1_000
    first, ref = sitemap.entries[0], site.ref(0)
    assert first.url == BASE + ref.path
    assert first.title == ref.title
    assert first.published == datetime.fromisoformat(ref.published)
    assert first.keywords == ref.tags


def test_rss_items_with_rfc822_dates(site: ReplicaSite) -> None:
    entries = parse_rss(render_rss(site, BASE).encode())
    assert len(entries) == 50
    assert entries[3].url == BASE + site.ref(3).path and entries[3].title == site.ref(3).title
    assert entries[3].published == datetime.fromisoformat(site.ref(3).published)


def test_atom_feed_is_read() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title>
    <link href="http://a.test/1-t"/><published>2026-11-01T10:00:00Z</published></entry></feed>"""
    (entry,) = parse_rss(atom)
    assert entry.url == "http://a.test/1-t" and entry.title == "T"
    assert entry.published == datetime(2026, 11, 1, 10, tzinfo=UTC)


def test_dates_without_offset_take_the_portal_zone() -> None:
    assert parse_datetime("2026-11-20T08:00:00", WIB) == datetime(2026, 11, 20, 8, tzinfo=WIB)
    assert parse_datetime("2026-11-20", WIB) == datetime(2026, 11, 20, tzinfo=WIB)
    assert parse_datetime("Fri, 20 Nov 2026 01:00:00 GMT") == datetime(2026, 11, 20, 1, tzinfo=UTC)
    assert parse_datetime("kemarin sore") is None


def test_gzipped_sitemap_is_read(site: ReplicaSite) -> None:
    sitemap = parse_sitemap(gzip.compress(render_sitemap_index(site, BASE).encode()))
    assert len(sitemap.entries) == 2


def test_billion_laughs_is_refused_quickly() -> None:
    with pytest.raises(FeedError, match="entity declarations"):
        parse_sitemap(BILLION_LAUGHS)


def test_external_entity_is_refused() -> None:
    with pytest.raises(FeedError, match="refused XML"):
        parse_rss(XXE)


def test_oversize_input_is_refused() -> None:
    body = b"<urlset>" + b"<url><loc>http://a/1-x</loc></url>" * 100 + b"</urlset>"
    with pytest.raises(FeedError, match="limit 1000"):
        parse_sitemap(body, max_bytes=1_000)


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    assert len(bomb) < 10_000
    with pytest.raises(FeedError, match="inflates to more than"):
        parse_sitemap(bomb, max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<urlset><url><loc>http://a/1</loc></urlset>", "malformed XML"),
        (b"<html><body>not a feed</body></html>", "not a sitemap"),
        (b"\x1f\x8bnot gzip at all", "bad gzip"),
    ],
)
def test_broken_input_gives_one_clear_error(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_sitemap(body)


def test_parse_xml_ignores_namespaces_in_names() -> None:
    root = parse_xml(b'<a:urlset xmlns:a="urn:x"><a:url/></a:urlset>')
    assert root.tag.endswith("urlset")
