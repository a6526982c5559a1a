"""The spiders' discovery rules without a crawl: index pages read with the portal's `[discovery]`
data (on the real index pages of ../shared where present), dates of index entries, sub-site
sources on a mirror, page-following rules, and the URL shapes a site spider learns from."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from spiders import spider_for
from spiders.discovery import entry_date, index_entries
from spiders.generic import SiteSpider, site_domain, url_shape

WIB = timezone(timedelta(hours=7))

# Real index pages with their gold (article_urls, next_page): the data's selectors must find them.
REAL_INDEXES = [
    ("detik", "detik/news-detik-indeks-page1-2024-10"),
    ("liputan6", "liputan6/anpandu-liputan6-mainpage"),
    ("kompas", "kompas/anpandu-kompas-mainpage"),
]


@pytest.mark.parametrize(("portal", "page"), REAL_INDEXES)
def test_real_index_pages_give_their_articles(portal: str, page: str, shared: Path) -> None:
    folder = shared / "corpus" / "id-news"
    gold = json.loads((folder / f"{page}.gold.json").read_text(encoding="utf-8"))
    html = (folder / f"{page}.html").read_text(encoding="utf-8", errors="replace")
    spider = spider_for(portal)()
    entries = index_entries(Selector(html), gold["url"], spider.layout, spider.article_url, spider.tz)
    assert [e.url for e in entries] == [url.split("?")[0] for url in gold["article_urls"]]
    assert all(e.title for e in entries)
    assert all(e.published for e in entries) or portal == "kompas"  # 2016 kompas: dated in text
    if portal == "detik":  # the absolute date is the span's title; its text says "7 menit yang lalu"
        assert entries[0].published == datetime(2024, 10, 4, 19, 34, tzinfo=WIB)
        assert spider.index_url(2) == gold["next_page"]


def test_entry_dates_prefer_machine_then_title_then_text() -> None:
    pick = Selector('<time datetime="2026-11-20T08:00:00+07:00" title="kemarin">2 jam lalu</time>').css(
        "time"
    )
    assert entry_date(pick[0], WIB) == datetime(2026, 11, 20, 8, tzinfo=WIB)
    span = Selector('<span title="Jumat, 20 Nov 2026 08:00 WIB">2 jam lalu</span>').css("span")
    assert entry_date(span[0], WIB) == datetime(2026, 11, 20, 8, tzinfo=WIB)
    text = Selector("<div>Jumat, 20 November 2026 - 08:00 WIB</div>").css("div")
    assert entry_date(text[0], WIB) == datetime(2026, 11, 20, 8, tzinfo=WIB)
    assert entry_date(Selector("<div>Terpopuler</div>").css("div")[0], WIB) is None


def test_items_take_their_own_article_and_fall_back_to_every_link() -> None:
    spider = spider_for("detik")()
    page = Selector(
        '<article class="list-content__item"><a href="/berita/d-1/satu"><img></a>'
        '<h3><a href="/berita/d-1/satu">Judul Satu</a></h3><a href="/berita/d-2/dua">Terkait</a></article>'
    )
    entries = index_entries(
        page, "https://news.detik.com/indeks", spider.layout, spider.article_url, spider.tz
    )
    assert [(e.url, e.title) for e in entries] == [("https://news.detik.com/berita/d-1/satu", "Judul Satu")]
    changed = Selector('<ul><li><a href="/berita/d-3/tiga">Tiga</a></li><li><a href="/tag/x">x</a></li></ul>')
    entries = index_entries(changed, "https://news.detik.com/", spider.layout, spider.article_url, spider.tz)
    assert [(e.url, e.title, e.published) for e in entries] == [
        ("https://news.detik.com/berita/d-3/tiga", "Tiga", None)
    ]


def test_sub_site_sources_are_asked_of_a_mirror_under_their_path() -> None:
    real, mirror = spider_for("detik")(), spider_for("detik")(base_url="http://127.0.0.1:8123")
    source = "https://finance.detik.com/ekonomi/sitemap_news.xml"
    assert real.source_url(source) == source
    assert mirror.source_url(source) == "http://127.0.0.1:8123/ekonomi/sitemap_news.xml"
    assert mirror.index_url(3) == "http://127.0.0.1:8123/indeks/3"
    kompas = spider_for("kompas")(base_url="http://127.0.0.1:8123/")
    assert kompas.index_url(2) == "http://127.0.0.1:8123/?page=2"


@pytest.mark.parametrize(
    ("portal", "url", "pager", "following"),
    [
        ("tempo", "https://www.tempo.co/read/1/x", '<div class="pagging"><a href="?page_num=2">2</a></div>',
         "https://www.tempo.co/read/1/x?page_num=2"),
        ("tempo", "https://www.tempo.co/read/1/x?page_num=2", '<a href="?page_num=3">3</a>',
         "https://www.tempo.co/read/1/x?page_num=3"),
        ("republika", "https://www.republika.co.id/berita/abc123-judul", '<a href="/berita/abc123-judul-part2">2</a>',
         "https://www.republika.co.id/berita/abc123-judul-part2"),
        ("republika", "https://www.republika.co.id/berita/abc123-judul-part2", '<a href="abc123-judul-part3">3</a>',
         "https://www.republika.co.id/berita/abc123-judul-part3"),
        ("cnnindonesia", "https://www.cnnindonesia.com/nasional/20261110153000-20-1/judul",
         '<a href="/nasional/20261110153000-20-1/judul/2">2</a>', "https://www.cnnindonesia.com/nasional/20261110153000-20-1/judul/2"),
        ("cnnindonesia", "https://www.cnnindonesia.com/nasional/20261110153000-20-1/judul/2",
         '<a href="/nasional/20261110153000-20-1/judul/3">3</a>', "https://www.cnnindonesia.com/nasional/20261110153000-20-1/judul/3"),
        ("tempo", "https://www.tempo.co/read/1/x", "<p>no pager</p>", None),
    ],
)  # fmt: skip
def test_portals_that_page_otherwise_follow_their_pager(
    portal: str, url: str, pager: str, following: str | None
) -> None:
    response = HtmlResponse(url, body=f"<html><body>{pager}</body></html>".encode(), encoding="utf-8")
    assert spider_for(portal)().following_page(response) == following


def test_site_spiders_learn_from_url_shapes_and_stay_on_the_site() -> None:
    assert url_shape("https://a.example/berita/2026/11/20/judul-baru/") == ("berita", "#", "#", "#", "*")
    assert url_shape("https://a.example/category/politik/") == ("category", "*")
    assert url_shape("https://a.example/2026/11/20/judul.html") == ("#", "#", "#", "*", "html")
    assert site_domain("www.kabar.example") == "kabar.example" and site_domain("www.example") == "www.example"
    spider = SiteSpider(base_url="https://www.kabar.example")
    assert spider.article_url("https://news.kabar.example/a/b?x=1") == "https://news.kabar.example/a/b"
    assert spider.article_url("https://kabar.example.evil/a/b") is None
    assert spider.article_url("https://www.kabar.example/") is None
    assert spider.article_url("https://www.kabar.example/foto/a.jpg") is None
    detik = SiteSpider(base_url="https://www.detik.com")  # a known portal keeps its rules
    assert detik.rules.name == "detik" and detik.article_url("https://www.detik.com/tag/x") is None


def test_a_malformed_link_loses_only_itself() -> None:
    # urljoin raises on "http://[::1": one bad href must not cost the index page its other entries.
    spider = spider_for("detik")()
    page = Selector(
        '<article class="list-content__item"><h3><a href="http://[::1">Rusak</a></h3></article>'
        '<article class="list-content__item"><h3><a href="/berita/d-1/satu">Judul Satu</a></h3></article>'
    )
    entries = index_entries(
        page, "https://news.detik.com/indeks", spider.layout, spider.article_url, spider.tz
    )
    assert [(e.url, e.title) for e in entries] == [("https://news.detik.com/berita/d-1/satu", "Judul Satu")]
