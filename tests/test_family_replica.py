"""The replica of every portal with rules (scraper/replica/family*.py) and the site laid out like no
portal (plain_site.py): pages made from the fixtures clean to the records they promise, URLs have
the portal's shape, and the discovery layout of the rules is what is served (over loopback)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from cleaners.pipeline import clean_page
from cleaners.portals import RulesError, parse_rules, portal_by_name
from cleaners.types import Article, Page
from scraper.crawl.feeds import parse_rss, parse_sitemap
from scraper.replica import ReplicaPortal
from scraper.replica.family import FamilySite
from scraper.replica.family_layout import FamilyLayout, element
from scraper.replica.plain_site import STATIC_PAGES, PlainSite
from tests.test_portals import PORTALS

BASE = "http://127.0.0.1:9"
FAMILY = [name for name in PORTALS if name != "viva"]  # VIVA's replica is its own (scraper/replica/site.py)


def clean(url: str, body: bytes, portal: str | None = None) -> Article:
    rules = portal_by_name(portal) if portal else None
    result = clean_page(
        Page(url=url, body=body, headers={"content-type": "text/html; charset=utf-8"}), rules=rules
    )
    assert isinstance(result, Article), f"{url}: {result}"
    return result


@pytest.mark.parametrize("name", PORTALS)
def test_generated_pages_clean_to_their_records(name: str) -> None:
    site = FamilySite(name, 25)
    texts, dates = set(), set()
    for index in (0, 1, 12, 24):
        ref = site.ref(index)
        article = clean(BASE + ref.path, site.page(index, BASE), name)
        record = article.to_dict()
        for key, value in site.expected(index).items():
            assert record[key] == value, f"{name} #{index}: {key}"
        assert not [t for t in site.teasers(index) if t in article.text]
        texts.add(article.text)
        dates.add(record["published_at"])
    assert len(texts) == len(dates) == 4  # every article its own text and date


@pytest.mark.parametrize("name", PORTALS)
def test_urls_have_the_portals_shape_and_lead_back(name: str) -> None:
    site = FamilySite(name, 60)
    paths = [site.ref(i).path for i in range(60)]
    assert len(set(paths)) == 60
    rules = site.rules
    assert all(rules.is_article_url("https://x" + path) for path in paths)
    assert [site.by_path(path + "?page=all") for path in paths] == list(range(60))
    assert site.by_path("/no/such/article") is None


def test_dates_are_restamped_in_every_printed_form() -> None:
    site = FamilySite("kompas", 30)
    page = site.page(20, BASE).decode()
    when = site.ref(20).published
    assert when != site.fixture_published
    assert f"{when:%d/%m/%Y}, {when:%H:%M} WIB" in page  # "Kompas.com - 18/11/2026, 09:15 WIB"
    assert when.isoformat() in page and "2026-11-18T09:15" not in page
    assert f"/read/{when:%Y/%m/%d}/" in site.ref(20).path


def test_selectors_become_markup() -> None:
    assert element("article.list-content__item") == ('<article class="list-content__item">', "</article>")
    assert element(".media__date span", ' title="x"') == (
        '<div class="media__date"><span title="x">',
        "</span></div>",
    )
    assert element("div.grey.small#d[itemprop=date]")[0] == '<div class="grey small" id="d" itemprop="date">'
    with pytest.raises(ValueError, match="cannot build markup"):
        element("li:nth-child(2)")


@pytest.fixture(scope="module")
def detik() -> Iterator[ReplicaPortal]:
    with ReplicaPortal(FamilyLayout(FamilySite("detik", 45))) as portal:
        yield portal


def test_documented_sources_are_served_and_split_the_articles(detik: ReplicaPortal) -> None:
    base, site = detik.base_url, detik.site.site  # type: ignore[union-attr]
    robots = httpx.get(base + "/robots.txt").text
    sitemaps = ["/berita/sitemap_news.xml", "/sitemap_news.xml", "/ekonomi/sitemap_news.xml"]
    assert [line.split(": ")[1] for line in robots.splitlines() if line.startswith("Sitemap")] == [
        base + path for path in sitemaps
    ]
    listed = [parse_sitemap(httpx.get(base + path).content).entries for path in sitemaps]
    assert sorted(e.url for entries in listed for e in entries) == sorted(
        base + ref.path for ref in site.iter_refs()
    )
    assert all(entries[0].title and entries[0].published for entries in listed)
    first = httpx.get(base + "/indeks/1").text
    assert first.count('<article class="list-content__item">') == 20 and 'href="/indeks/2"' in first
    assert '<div class="media__date"><span title="' in first
    assert httpx.get(base + "/indeks/4").status_code == 404  # 45 articles: 3 pages
    assert httpx.get(base + site.ref(3).path).status_code == 200


def test_undocumented_sources_are_the_generic_ones() -> None:
    with ReplicaPortal(FamilyLayout(FamilySite("okezone", 30))) as portal:
        base = portal.base_url
        index = parse_sitemap(httpx.get(base + "/sitemap.xml").content)
        assert index.is_index and [e.url for e in index.entries] == [base + "/sitemap-news-1.xml"]
        assert len(parse_sitemap(httpx.get(base + "/sitemap-news-1.xml").content).entries) == 30
        home = httpx.get(base + "/").text
        assert '<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed">' in home
        assert len(parse_rss(httpx.get(base + "/feed").content)) == 30


def test_plain_site_pages_clean_with_generic_rules_and_hubs_do_not() -> None:
    site = PlainSite(30)
    for index in (0, 7, 29):
        response = site.respond(BASE, site.path(index))
        article = clean(BASE + site.path(index), response.body)
        assert article.portal == "generic" and article.text == site.gold_text(index)
        assert article.title == site.texts.ref(index).title
        assert datetime.fromisoformat(article.published_at or "") == datetime.fromisoformat(
            site.texts.ref(index).published
        )
        assert not [t for t in site.teasers(index) if t in article.text]
    for path in [*list(site.hubs)[:3], *STATIC_PAGES]:
        result = clean_page(Page(url=BASE + path, body=site.respond(BASE, path).body))
        assert not isinstance(result, Article), path


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[discovery]\nfeed = ["/rss"]\n', "unknown keys in [discovery]"),
        ('[discovery]\nindex = "/indeks"\n', "{page} placeholder"),
        ('[discovery]\nsitemaps = ["https://other.example/s.xml"]\n', "not on the portal's hosts"),
        ('[discovery]\nfeeds = ["rss.xml"]\n', "neither a path nor an http(s) URL"),
        ('[discovery]\nindex_item = "li"\n', "need 'discovery.index'"),
        ('[discovery]\nindex = "/i/{page}"\nindex_item = "li >"\n', "bad selector"),
        ("discovery = 3\n", "must be a table"),
    ],
)
def test_bad_discovery_tables_are_refused(table: str, message: str) -> None:
    with pytest.raises(RulesError, match=re.escape(message)):
        parse_rules(f'name = "x"\nhosts = ["x.example"]\nbody = ["div"]\n{table}', origin="x.toml")


def test_every_portal_with_a_spider_names_its_sources_or_falls_back() -> None:
    from spiders import SPIDERS

    assert sorted(SPIDERS) == PORTALS  # a spider for each portal that has rules
    for name in FAMILY:
        rules = portal_by_name(name)
        assert rules is not None and rules.article_url
