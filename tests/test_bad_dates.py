"""Out-of-range and malformed dates (issue 12, item 3): `0001-01-01T00:00:00+14:00` is year 0 in
UTC. In a sitemap it used to drop the rest of the sitemap (an OverflowError in the spider), on
every run; in a page's meta it rejected the article as `error`. Every feed entry is now handled
on its own, and such a date is no date. Fuzzed with hypothesis, and crawled on the replica."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.utils.test import get_crawler

from cleaners import Article, Page, clean_page
from cleaners.portals import portal_by_name
from scraper.crawl.feeds import parse_datetime, parse_rss, parse_sitemap
from scraper.replica import ReplicaSite
from scraper.replica.faults import FaultPlan, Hit, Rule, exact, missing, under
from scraper.replica.feeds import render_news_sitemap
from scraper.replica.pages import route
from spiders.viva import VivaSpider
from tests.test_crawl import crawl, last_report, records

BASE = "http://replica.test"
HOSTILE = "0001-01-01T00:00:00+14:00"
EXTREME_ZONES = (timezone(timedelta(hours=14)), timezone(timedelta(hours=-14)), UTC)


def with_bad_date(sitemap: str, index: int, value: str = HOSTILE) -> str:
    """`sitemap` with the publication date of entry `index` (0-based) replaced by `value`."""
    head, *entries = sitemap.split("<url>")
    date = entries[index].split("<news:publication_date>")[1].split("<")[0]
    entries[index] = entries[index].replace(date, value)
    return "<url>".join([head, *entries])


def test_a_bad_date_in_entry_3_of_14_costs_only_that_date() -> None:
    site = ReplicaSite(14, seed=2)
    sitemap = parse_sitemap(with_bad_date(render_news_sitemap(site, BASE, 1) or "", 2).encode())
    assert len(sitemap.entries) == 14 and sitemap.unreadable == 0
    assert sitemap.entries[2].published is None
    assert all(entry.published is not None for i, entry in enumerate(sitemap.entries) if i != 2)


def test_out_of_range_dates_are_no_date() -> None:
    for value in (
        HOSTILE,
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00",
        "Mon, 31 Dec 9999 23:00:00 -1200",
    ):
        assert parse_datetime(value) is None, value
    assert parse_datetime("2026-11-20T08:00:00+07:00") == datetime(2026, 11, 20, 1, tzinfo=UTC)


def test_a_bad_date_in_the_page_meta_is_no_reason_to_reject() -> None:
    site = ReplicaSite(3, seed=2)
    article = site.article(0)
    html = route(site, BASE, article.path + "?page=all").body.decode()
    good = html.split('"datePublished": "')[1].split('"')[0]
    page = html.replace(f'"datePublished": "{good}"', f'"datePublished": "{HOSTILE}"')
    page = page.replace(f'content="{good}"', f'content="{HOSTILE}"')
    assert HOSTILE in page
    for rules in (portal_by_name("viva"), None):  # with the portal's zone, and without
        result = clean_page(
            Page(BASE + article.path, page.encode(), {"Content-Type": "text/html"}), rules=rules
        )
        assert isinstance(result, Article), result
        assert result.text == article.body_text and result.published_at != HOSTILE


# -- fuzzing: any entry, any date ----------------------------------------------------------------

_offsets = st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=59),
                                              max_value=timedelta(hours=23, minutes=59)))  # fmt: skip
_any_moment = st.datetimes(timezones=_offsets)  # years 1 to 9999: the edges overflow
_xml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
_dates = st.one_of(
    st.none(),
    _any_moment.map(datetime.isoformat),
    _any_moment.map(lambda d: d.isoformat().replace("+00:00", "Z")),
    _any_moment.filter(lambda d: d.year >= 1900).map(format_datetime),  # RFC 822 (RSS)
    _xml_text,
)
_locs = st.one_of(
    st.integers(1, 10**7).map(lambda n: f"{BASE}/berita/nasional/{n}-judul-berita"),
    st.sampled_from(
        [
            "file:///etc/passwd",
            "http://10.0.0.1/berita/1-x",
            "",
            "  ",
            "javascript:x",
            "http://[::1/berita/2-x",
            f"{BASE}:99999/berita/3-x",
        ]
    ),
    _xml_text,
)
_entries = st.lists(st.tuples(_locs, _xml_text, _dates, _dates), min_size=1, max_size=14)


def _sitemap(entries: list[tuple[str, str, str | None, str | None]]) -> bytes:
    rows = []
    for loc, title, published, lastmod in entries:
        news = (
            f"<news:publication_date>{escape(published)}</news:publication_date>"
            if published is not None
            else ""
        )
        modified = f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod is not None else ""
        rows.append(f"<url><loc>{escape(loc)}</loc>{modified}<news:news>{news}"
                    f"<news:title>{escape(title)}</news:title></news:news></url>")  # fmt: skip
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{"".join(rows)}</urlset>'
    ).encode()


def _rss(entries: list[tuple[str, str, str | None, str | None]]) -> bytes:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(loc)}</link>"
        + (f"<pubDate>{escape(published)}</pubDate>" if published is not None else "")
        + "</item>"
        for loc, title, published, _ in entries
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def _usable(when: datetime | None) -> bool:
    if when is None:
        return True
    return when.tzinfo is not None and all(when.astimezone(zone) is not None for zone in EXTREME_ZONES)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_entries)
def test_every_feed_entry_is_handled_on_its_own(
    entries: list[tuple[str, str, str | None, str | None]],
) -> None:
    sitemap = parse_sitemap(_sitemap(entries), timezone(timedelta(hours=7)))
    with_loc = [e for e in entries if e[0].strip()]
    assert len(sitemap.entries) + sitemap.unreadable == len(with_loc) and sitemap.unreadable == 0
    assert all(_usable(e.published) and _usable(e.lastmod) for e in sitemap.entries)
    feed = parse_rss(_rss(entries))
    assert len(feed) == len(with_loc) and all(_usable(e.published) for e in feed)
    # The spider takes every entry on its own, holds each new article URL once, and releases
    # them newest first (the sort reads every date).
    crawler = get_crawler(VivaSpider)
    spider = VivaSpider.from_crawler(crawler, base_url=BASE)
    assert list(spider.offer([*sitemap.entries, *feed])) == []  # held until discovery ends
    articles = {spider.article_url(e.url) for e in [*sitemap.entries, *feed]} - {None}
    assert set(spider._held) == articles
    spider._primary_open = 1
    spider._primary_done()
    assert sorted(url for url, _ in spider._pending) == sorted(articles)
    assert crawler.stats.get_value("news/unreadable_entries") is None


# -- the crawl -----------------------------------------------------------------------------------


def test_a_crawl_keeps_every_article_of_a_sitemap_with_a_bad_date(tmp_path) -> None:
    """Only the sitemap lists the articles (RSS and the index are gone), entry 3 of 14 has the
    hostile date, and one article page has it in its meta: all 14 are written, no traceback."""
    site = ReplicaSite(14, seed=2)
    victim = site.article(5)

    def bad_sitemap(hit: Hit) -> object:
        page = hit.normal()
        return page._replace(body=with_bad_date(page.body.decode(), 2).encode())

    def bad_meta(hit: Hit) -> object:
        page = hit.normal()
        good = page.body.decode().split('"datePublished": "')[1].split('"')[0]
        return page._replace(body=page.body.replace(good.encode(), HOSTILE.encode()))

    plan = FaultPlan(
        Rule(bad_sitemap, under("/sitemap/news/"), name="bad_sitemap_date"),
        Rule(bad_meta, exact(victim.path), name="bad_meta_date"),
        Rule(missing(), exact("/rss"), name="no_rss"),
        Rule(missing(), under("/indeks"), name="no_index"),
    )
    with plan.serve(site) as portal:
        result = crawl(portal, tmp_path)
        base = portal.base_url
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "OverflowError" not in result.stderr
    written = {record["url"]: record for record in records(tmp_path)}
    assert sorted(written) == sorted(base + a.path for a in site.iter_articles())
    assert written[base + victim.path]["text"] == victim.body_text
    assert last_report(tmp_path)["counts"]["rejected"] == {}
