"""The replica portal, exercised over real loopback HTTP with httpx (no mocks)."""

from __future__ import annotations

import html
import json
import re
import socket
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from scraper.replica import ReplicaArticle, ReplicaPortal, ReplicaSite, Response, TeaserKind
from scraper.replica.document import kanal_path
from scraper.replica.pages import route

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
MARKUP = {  # one recognisable fragment per teaser kind
    TeaserKind.RECOMMENDED: '<div class="recommended-article"><p>Baca Juga:</p><ul><li><a href="/',
    TeaserKind.LINKED_HEADLINE: '<p><a href="/',
    TeaserKind.WIDGET: '<div class="widget-other-article"><a href="/',
    TeaserKind.AD: '<div class="ads-inarticle"><span>ADVERTISEMENT</span>'
    "<span>SCROLL TO CONTINUE WITH CONTENT</span></div>",
    TeaserKind.PHOTO: '<figure><img alt="img_title"',
}


@pytest.fixture(scope="module")
def small() -> Iterator[ReplicaPortal]:
    with ReplicaPortal(ReplicaSite(45)) as portal:
        yield portal


@pytest.fixture(scope="module")
def large() -> Iterator[ReplicaPortal]:
    with ReplicaPortal(ReplicaSite(2_500, seed=7)) as portal:
        yield portal


def get(portal: ReplicaPortal, target: str) -> httpx.Response:
    return httpx.get(portal.base_url + target, timeout=10)


def first(site: ReplicaSite, want: str) -> ReplicaArticle:
    """The newest article matching a shape the test needs (the generator varies shapes)."""
    for article in site.iter_articles():
        kinds = {insert.kind for insert in article.inserts}
        if want == "all-kinds" and len(article.pages) == 1 and kinds == set(TeaserKind):
            return article
        if want == "multipage" and len(article.pages) == 3:
            return article
        if want == "div" and article.div_paragraphs:
            return article
    raise AssertionError(f"no {want} article in {site!r}")


def paragraph_html(paragraph: str) -> str:
    return html.escape(paragraph, quote=False)


def test_robots_txt(small: ReplicaPortal) -> None:
    response = get(small, "/robots.txt")
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /search" in lines and "Disallow: /request/" in lines
    assert f"Sitemap: {small.base_url}/sitemap.xml" in lines


def test_sitemap_index_lists_one_news_sitemap_per_thousand(large: ReplicaPortal) -> None:
    response = get(large, "/sitemap.xml")
    assert response.headers["content-type"] == "application/xml"
    root = ET.fromstring(response.content)
    locs = [loc.text for loc in root.findall("sm:sitemap/sm:loc", NS)]
    assert locs == [f"{large.base_url}/sitemap/news/news-sitemap-{k}.xml" for k in (1, 2, 3)]
    assert len(root.findall("sm:sitemap/sm:lastmod", NS)) == 3
    assert get(large, "/sitemap/news/news-sitemap-4.xml").status_code == 404


def test_news_sitemap_entries_match_the_site(large: ReplicaPortal) -> None:
    site = large.site
    root = ET.fromstring(get(large, "/sitemap/news/news-sitemap-2.xml").content)
    urls = root.findall("sm:url", NS)
    assert len(urls) == 1_000
    for offset, url in enumerate(urls):
        article = site.article(1_000 + offset)
        assert url.findtext("sm:loc", namespaces=NS) == large.base_url + article.path
        assert url.findtext("news:news/news:title", namespaces=NS) == article.title
        assert url.findtext("news:news/news:publication_date", namespaces=NS) == article.published
        assert url.findtext("news:news/news:keywords", namespaces=NS) == ", ".join(article.tags)
        assert url.findtext("sm:lastmod", namespaces=NS) == article.modified
    # titles with "&" exist and survived the round trip above, so escaping is right
    assert any("&" in url.findtext("news:news/news:title", namespaces=NS) for url in urls)


def test_sitemap_lastmod_is_the_newest_modification(large: ReplicaPortal) -> None:
    root = ET.fromstring(get(large, "/sitemap.xml").content)
    lastmods = [datetime.fromisoformat(e.text) for e in root.findall("sm:sitemap/sm:lastmod", NS)]
    for k, lastmod in enumerate(lastmods):
        refs = large.site.iter_refs(k * 1_000, (k + 1) * 1_000)
        assert lastmod == max(datetime.fromisoformat(ref.modified) for ref in refs)


def test_rss_has_the_newest_50(large: ReplicaPortal) -> None:
    response = get(large, "/rss")
    assert response.headers["content-type"] == "application/rss+xml"
    items = ET.fromstring(response.content).findall("channel/item")
    assert len(items) == 50
    assert items[0].findtext("title") == large.site.article(0).title
    assert items[0].findtext("link") == large.base_url + large.site.article(0).path
    assert items[0].findtext("pubDate").endswith("+0700")


def test_indeks_paging_covers_every_article_once(small: ReplicaPortal) -> None:
    seen: list[str] = []
    target: str | None = "/indeks"
    while target is not None:
        page = get(small, target).text
        seen += re.findall(r'<a class="article-list-title" href="([^"]+)"><h2>', page)
        assert page.count('<div class="article-list-row">') <= 20
        nxt = re.search(r'<a class="pagination-next" href="([^"]+)"', page)
        target = html.unescape(nxt.group(1)) if nxt else None
    assert seen == [small.site.article(i).path for i in range(45)]
    assert small.hits["/indeks?page=3"] == 1
    assert get(small, "/indeks?page=4").status_code == 404


def test_article_page_has_text_metadata_and_every_teaser_kind(large: ReplicaPortal) -> None:
    article = first(large.site, "all-kinds")
    response = get(large, article.path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert f'<h1 class="main-content-title">{html.escape(article.title)}</h1>' in page
    assert f'<link rel="canonical" href="{large.base_url}{article.path}">' in page
    assert '<div class="main-content-detail">' in page and "pagination-detail" not in page
    for paragraph in article.pages[0]:
        assert paragraph_html(paragraph) in page
    for kind, fragment in MARKUP.items():
        assert fragment in page, kind
    bare = next(i for i in article.inserts if i.kind is TeaserKind.BARE_HEADLINE).refs[0]
    assert f"<p>{html.escape(bare.title)}</p>" in page
    for teaser in article.teasers:
        assert html.escape(teaser, quote=False) in page, teaser
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page)[1])
    assert ld["@type"] == "NewsArticle" and ld["headline"] == article.title
    assert ld["datePublished"] == article.published and "articleBody" not in ld


def test_referenced_teaser_titles_are_real_headlines(large: ReplicaPortal) -> None:
    article = first(large.site, "all-kinds")
    for insert in article.inserts:
        for ref in insert.refs:
            assert ref.index != article.index
            assert large.site.by_path(ref.path).title == ref.title


def test_page_all_has_every_paragraph_in_order_and_no_pager(large: ReplicaPortal) -> None:
    article = first(large.site, "multipage")
    page = get(large, article.path + "?page=all").text
    positions = [page.index(paragraph_html(p)) for p in article.body_text.split("\n")]
    assert positions == sorted(positions)
    assert "pagination-detail" not in page and "Halaman Selanjutnya" not in page


def test_numbered_pages(large: ReplicaPortal) -> None:
    article = first(large.site, "multipage")
    one, two = get(large, article.path).text, get(large, article.path + "?page=2").text
    assert '<a class="next" href="?page=2">Halaman Selanjutnya</a>' in one
    assert '<a class="next" href="?page=3">Halaman Selanjutnya</a>' in two
    assert all(paragraph_html(p) in two for p in article.pages[1])
    assert not any(paragraph_html(p) in two for p in article.pages[0])
    assert get(large, article.path + "?page=4").status_code == 404


def test_div_paragraph_variant(large: ReplicaPortal) -> None:
    article = first(large.site, "div")
    page = get(large, article.path + "?page=all").text
    assert f"<div>{paragraph_html(article.pages[0][0])}</div><div><br></div>" in page


def test_unknown_paths_are_404(small: ReplicaPortal) -> None:
    article = small.site.article(3)
    wrong_slug = article.path.rsplit("-", 1)[0] + "-salah"
    for target in ("/nope", "/tag/tidak-ada", wrong_slug, "/berita/nasional/1-x", "/rss/x"):
        assert get(small, target).status_code == 404, target
    assert small.site.by_path(wrong_slug) is None
    assert small.site.by_path(article.path) == article == small.site.by_id(article.id)


def test_hub_pages_are_link_lists(small: ReplicaPortal) -> None:
    tag = small.site.article(0).tags[0]
    for target in ("/", f"/tag/{tag.lower().replace(' ', '-')}", f"/{small.site.article(0).kanal}"):
        page = get(small, target).text
        assert "main-content-detail" not in page
        assert small.site.article(0).path in page, target


def test_head_and_request_log(small: ReplicaPortal) -> None:
    small.reset_counters()
    article = small.site.article(1)
    full, head = get(small, article.path), httpx.head(small.base_url + article.path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(full.content))
    assert [(method, path) for _, method, path in small.requests_log] == [
        ("GET", article.path),
        ("HEAD", article.path),
    ]
    assert small.hits[article.path] == 2


def test_determinism() -> None:
    targets = ["/", "/indeks?page=2", "/rss", "/sitemap/news/news-sitemap-1.xml", "/tag/viral"]
    one, same, other = ReplicaSite(120, seed=3), ReplicaSite(120, seed=3), ReplicaSite(120, seed=4)
    targets += [one.article(i).path + "?page=all" for i in range(0, 120, 7)]
    for target in targets:
        assert route(one, "http://h", target) == route(same, "http://h", target), target
    assert route(one, "http://h", "/rss") != route(other, "http://h", "/rss")
    assert one.article(5).body_text != other.article(5).body_text


def test_content_invariants() -> None:
    site = ReplicaSite(400)
    assert len({ref.title for ref in site.iter_refs()}) == 400
    for article in site.iter_articles():
        assert article.body_text.startswith("VIVA – ")
        assert 1 <= len(article.pages) <= 3
        assert all(3 <= len(page) <= 8 for page in article.pages)
        assert all(20 <= len(p.split()) <= 60 for page in article.pages for p in page)
        assert not [t for t in article.teasers if t in article.body_text]
        assert datetime.fromisoformat(article.published).utcoffset().total_seconds() == 7 * 3600
    assert site.article(10).published == "2026-11-20T05:10:00+07:00"  # 08:00 - 10 * 17 min


def test_large_site_is_lazy() -> None:
    tracemalloc.start()
    began = time.perf_counter()
    site = ReplicaSite(50_000)
    article = site.article(49_999)
    response = route(site, "http://h", article.path)
    elapsed, (_, peak) = time.perf_counter() - began, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status == 200 and article.index == 49_999
    assert elapsed < 1.0
    assert peak < 2_000_000  # a materialised site would need hundreds of megabytes


def test_fault_hook_runs_before_routing() -> None:
    def faults(target: str) -> Response | None:
        if target == "/rss":
            return Response(503, {"Retry-After": "1"}, b"busy")
        if target == "/cut":  # announces more than it sends: a truncated response
            return Response(200, {"Content-Type": "text/html", "Content-Length": "999"}, b"<p>")
        return None

    with ReplicaPortal(ReplicaSite(5), faults=faults) as portal:
        busy = get(portal, "/rss")
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        with pytest.raises(httpx.RemoteProtocolError):
            get(portal, "/cut")
        assert get(portal, "/robots.txt").status_code == 200
        assert portal.hits["/rss"] == 1


def test_stop_is_prompt_and_releases_the_port() -> None:
    portal = ReplicaPortal(ReplicaSite(5)).start()
    port = int(portal.base_url.rsplit(":", 1)[1])
    with httpx.Client() as client:  # leaves an idle keep-alive connection open
        assert client.get(portal.base_url + "/").status_code == 200
        began = time.perf_counter()
        portal.stop()
        assert time.perf_counter() - began < 2.0
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


# -- page weight and site chrome --------------------------------------------------------------------


def test_article_pages_weigh_what_real_portal_pages_weigh() -> None:
    """Real article pages are 33-290 KB (median about 62 KB; VIVA 2016: 78 KB), mostly chrome: a
    bare replica page (8 KB) made benchmarks measure an unrealistically cheap cleaning cost."""
    site = ReplicaSite(60, seed=2)
    sizes = []
    for article in site.iter_articles():
        sizes.append(len(route(site, "http://127.0.0.1:8000", article.path + "?page=all").body))
        for page in range(1, len(article.pages) + 1):
            sizes.append(len(route(site, "http://127.0.0.1:8000", f"{article.path}?page={page}").body))
    assert len(sizes) > 70  # split articles were measured page by page too
    assert all(60_000 <= size <= 120_000 for size in sizes), (min(sizes), max(sizes))
    assert 75_000 <= sum(sizes) / len(sizes) <= 85_000


def test_chrome_is_outside_the_body_and_carries_no_pager_or_index_markup(small: ReplicaPortal) -> None:
    article = small.site.article(4)
    page = get(small, article.path + "?page=all").text
    body = page[page.index('<div class="main-content-detail">') : page.index("</article>")]
    assert page.count('<div class="main-content-detail">') == 1
    assert page.count("<a href=") + page.count("<a class=") > 150  # menu, sidebars, footer
    assert len(re.findall(r"<meta ", page)) > 40 and "<style>" in page and "window.__VIVA_STATE__" in page
    assert "Terkini" in page and "Pilihan Redaksi" in page and "ads-slot" in page and "<footer" in page
    assert "Terkini" not in body and "ads-slot" not in body and "widget-item" not in body
    # the sidebar lists other articles, never this one
    sidebar = page[page.index('<aside class="layout-right"') :]
    assert f'href="{article.path}"' not in sidebar and f'href="{small.site.article(0).path}"' in sidebar
    # nothing a spider or the pager logic would mistake for its own markup
    assert re.search(r"[?&]page=\d", page) is None
    assert "article-list-row" not in page and "pagination-next" not in page and 'rel="next"' not in page
    indeks = get(small, "/indeks").text
    assert indeks.count('<div class="article-list-row">') == 20 and indeks.count("pagination-next") == 1


def test_menu_hubs_resolve(small: ReplicaPortal) -> None:
    page = get(small, "/").text
    hubs = set(re.findall(r'class="mega-menu-(?:kanal|sub)__link" href="(/[^"]+)"', page))
    assert 60 <= len(hubs) <= 120
    assert {kanal_path(ref) for ref in small.site.iter_refs()} <= hubs  # every breadcrumb is in the menu
    for hub in sorted(hubs)[:10]:
        assert get(small, hub).status_code == 200, hub


# -- the HTTP server --------------------------------------------------------------------------------


def raw_exchange(portal: ReplicaPortal, data: bytes) -> bytes:
    """Send raw bytes on one connection, return everything the server sends until it closes."""
    port = int(portal.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(1 << 16):
            received += chunk
    return received


def test_keep_alive_serves_many_requests_on_one_connection(small: ReplicaPortal) -> None:
    small.reset_counters()
    paths = [small.site.article(i).path + "?page=all" for i in range(3)]
    request = "GET {} HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
    pipelined = "".join(request.format(path) for path in paths[:2]) + request.format(paths[2])[:-2]
    received = raw_exchange(small, (pipelined + "Connection: close\r\n\r\n").encode())
    assert received.count(b"HTTP/1.1 200 OK\r\n") == 3
    heads = re.findall(rb"HTTP/1.1 200 OK\r\n(.*?)\r\n\r\n", received, re.S)
    assert all(b"Content-Type: text/html; charset=utf-8" in head for head in heads)
    assert all(re.search(rb"Content-Length: \d+", head) for head in heads)
    assert b"Connection: close" not in received  # the client asked to close: no need to say so
    assert [target for _, _, target in small.requests_log] == paths
    assert received.endswith(b"</html>\n")


def test_http_1_0_closes_and_oddities_get_errors(small: ReplicaPortal) -> None:
    small.reset_counters()
    one = raw_exchange(small, b"GET /robots.txt HTTP/1.0\r\n\r\n")
    assert one.startswith(b"HTTP/1.1 200 OK\r\n") and one.endswith(b"/sitemap.xml\n")
    post = raw_exchange(small, b"POST /request/load-more-indeks HTTP/1.1\r\nContent-Length: 3\r\n\r\nx=1")
    assert post.startswith(b"HTTP/1.1 501 ")
    assert raw_exchange(small, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    assert raw_exchange(small, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 414 ")
    # a body on a GET is read and skipped; "//" never starts a target (as in http.server)
    both = raw_exchange(
        small,
        b"GET //robots.txt HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET /rss HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    assert both.count(b"HTTP/1.1 200 OK") == 2
    assert [(method, target) for _, method, target in small.requests_log] == [
        ("GET", "/robots.txt"),
        ("GET", "/robots.txt"),
        ("GET", "/rss"),
    ]


def test_streamed_and_mismatched_bodies_close_the_connection() -> None:
    def faults(target: str) -> Response | None:
        if target == "/stream":
            return Response(200, {"Content-Type": "text/plain"}, iter([b"one ", b"two"]))  # type: ignore[arg-type]
        if target == "/short":
            return Response(200, {"Content-Length": "2"}, b"four")
        return None

    with ReplicaPortal(ReplicaSite(3), faults=faults) as portal:
        streamed = raw_exchange(portal, b"GET /stream HTTP/1.1\r\n\r\nGET /robots.txt HTTP/1.1\r\n\r\n")
        assert streamed.endswith(b"\r\n\r\none two") and b"Connection: close" in streamed
        assert b"content-length" not in streamed.lower()
        short = raw_exchange(portal, b"GET /short HTTP/1.1\r\n\r\n")
        assert short.endswith(b"\r\n\r\nfour") and b"Connection: close" in short
        assert portal.hits["/robots.txt"] == 0  # nothing is read after a response that closes
