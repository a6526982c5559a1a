"""The replica's list pages: the home page, the paged `/indeks` and the section and tag hubs."""

from __future__ import annotations

from collections.abc import Iterable

from scraper.replica import feeds
from scraper.replica.chrome import sidebars
from scraper.replica.chrome.markup import esc, format_wib
from scraper.replica.document import (
    Chunks,
    article_link,
    document,
    html_response,
    joined,
    kanal_path,
    page_head,
)
from scraper.replica.feeds import Response, not_found
from scraper.replica.site import ArticleRef, ReplicaSite

INDEKS_PAGE_SIZE = 20
HUB_SIZE = 20
HUB_SCAN = 2_000  # hubs list matches among the newest articles only, so a request stays cheap


def in_kanal(hub: str) -> feeds.RefFilter:
    return lambda ref: kanal_path(ref) == hub or kanal_path(ref).startswith(hub + "/")


def hub_refs(replica: ReplicaSite, keep: feeds.RefFilter) -> list[ArticleRef]:
    found = []
    for ref in replica.iter_refs(0, HUB_SCAN):
        if keep(ref):
            found.append(ref)
            if len(found) == HUB_SIZE:
                break
    return found


def _list_rows(refs: Iterable[ArticleRef]) -> list[str]:
    """Index items in the modern `/indeks` markup (NOTES §1c)."""
    return [
        f'<div class="article-list-row"><a class="article-list-title" href="{esc(ref.path)}">'
        f"<h2>{esc(ref.title)}</h2></a>"
        f'<div class="article-list-date"><span>{format_wib(ref.published)}</span></div>'
        f'<a class="article-list-cate" href="{kanal_path(ref)}">'
        f"<h3>{esc(ref.section)}</h3></a>"
        f'<div class="article-list-desc">{esc(ref.description)}</div></div>'
        for ref in refs
    ]


def render_home(replica: ReplicaSite) -> Chunks:
    items = [f"<li><h2>{article_link(ref)}</h2></li>" for ref in replica.iter_refs(0, 10)]
    body = [
        '<main class="home"><h1>Berita Terbaru</h1>',
        '<ul class="headline-list">',
        *items,
        "</ul>",
        '<p><a class="more" href="/indeks">Indeks Berita</a></p>',
        "</main>",
    ]
    title = "VIVA - Berita Terkini Hari Ini"
    return document(replica, title, page_head("home", title), body, sidebars.sidebar(replica, None))


def render_indeks(replica: ReplicaSite, page: int) -> Response:
    """Page `page` (1-based) of `/indeks`: the newest articles first, 20 a page."""
    return joined(indeks_response(replica, page))


def indeks_response(replica: ReplicaSite, page: int) -> Response:
    last = max(1, -(-len(replica) // INDEKS_PAGE_SIZE))
    if not 1 <= page <= last:
        return not_found()
    start = (page - 1) * INDEKS_PAGE_SIZE
    pager = ['<div class="pagination">']
    if page > 1:
        pager.append(f'<a class="pagination-prev" href="/indeks?page={page - 1}">Sebelumnya</a>')
    if page < last:
        pager.append(f'<a class="pagination-next" href="/indeks?page={page + 1}">Selanjutnya</a>')
    body = [
        '<main class="indeks"><h1>Indeks Berita</h1>',
        '<div class="article-list">',
        *_list_rows(replica.iter_refs(start, start + INDEKS_PAGE_SIZE)),
        "</div>",
        "".join(pager) + "</div>",
        "</main>",
    ]
    title = f"Indeks Berita - Halaman {page} - VIVA"
    tags = page_head("indeks", title)
    return html_response(document(replica, title, tags, body, sidebars.sidebar(replica, None)))


def render_hub(replica: ReplicaSite, heading: str, refs: list[ArticleRef]) -> Chunks:
    body = [
        f'<main class="hub"><h1>{esc(heading)}</h1>',
        '<div class="article-list">',
        *_list_rows(refs),
        "</div>",
        "</main>",
    ]
    title = f"{heading} - VIVA"
    return document(replica, title, page_head("hub", title), body, sidebars.sidebar(replica, None))
