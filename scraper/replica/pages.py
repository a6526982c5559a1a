"""Rendering of every replica URL. Pure: `route(site, base_url, target)` returns a `Response`.

HTML is modelled on modern VIVA (NOTES §1d: `h1.main-content-title`, `div.main-content-detail` with
inline teasers); feeds, robots and sitemaps live in `feeds.py`. `base_url` (e.g.
"http://127.0.0.1:8123") is only used where the real site prints absolute URLs: canonical,
og:url, og:image, JSON-LD, sitemaps and RSS. In-page links are site-relative, as on VIVA.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs, urlsplit

from scraper.replica import feeds, site, words
from scraper.replica.feeds import HTML, Response, not_found
from scraper.replica.site import ArticleRef, Insert, ReplicaArticle, ReplicaSite, TeaserKind

INDEKS_PAGE_SIZE = 20
HUB_SIZE = 20
HUB_SCAN = 2_000  # hubs list matches among the newest articles only, so a request stays cheap
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_NAV = (
    ("/berita", "Berita"),
    ("/bisnis", "Bisnis"),
    ("/bola", "Bola"),
    ("/otomotif", "Otomotif"),
    ("/digital", "Digital"),
    ("/showbiz", "Showbiz"),
    ("/gaya-hidup", "Gaya Hidup"),
    ("/indeks", "Indeks"),
)
_TAG_LABELS = {
    site.slugify(tag): tag for tag in (*words.GENERAL_TAGS, *(t for ts in words.TAGS.values() for t in ts))
}
_HUB_LABELS = {
    **{f"/{k}": k.replace("-", " ").title() for k, _, _, _ in words.KANALS},
    **{f"/{k}/{s}": label for k, s, label, _ in words.KANALS if s},
}


def format_wib(iso: str) -> str:
    """VIVA's printed date: "Jumat, 20 November 2026 - 08:00 WIB"."""
    when = datetime.fromisoformat(iso)
    return f"{_DAYS[when.weekday()]}, {when.day} {_MONTHS[when.month - 1]} {when.year} - {when:%H:%M} WIB"


def route(replica: ReplicaSite, base_url: str, target: str) -> Response:
    """The response for a request target (path plus optional query)."""
    parts = urlsplit(target)
    path, query = parts.path or "/", parse_qs(parts.query)
    page = query.get("page", [None])[-1]
    base_url = base_url.rstrip("/")
    if path == "/":
        return _html(render_home(replica))
    if path == "/indeks":
        return render_indeks(replica, _int(page) if page is not None else 1)
    if path.startswith("/tag/") and path[5:] in _TAG_LABELS:
        label = _TAG_LABELS[path[5:]]
        return _html(render_hub(f"Tag: {label}", _hub_refs(replica, lambda r: label in r.tags)))
    if path in _HUB_LABELS:
        return _html(render_hub(_HUB_LABELS[path], _hub_refs(replica, _in_kanal(path))))
    feed = feeds.route(replica, base_url, path)
    if feed is not None:
        return feed
    article = replica.by_path(path)
    if article is None:
        return not_found()
    return render_article(article, base_url, None if page == "all" else _int(page or "1"))


def _int(value: str) -> int:
    return int(value) if value.isdigit() else -1  # -1 is out of range everywhere: 404


def _html(body: str, status: int = 200, **headers: str) -> Response:
    return Response(status, {"Content-Type": HTML, **headers}, body.encode("utf-8"))


def kanal_path(ref: ArticleRef) -> str:
    """The section hub an article belongs to: "/bola" or "/berita/nasional"."""
    return "/" + "/".join(part for part in (ref.kanal, ref.sub) if part)


def _in_kanal(hub: str) -> feeds.RefFilter:
    return lambda ref: kanal_path(ref) == hub or kanal_path(ref).startswith(hub + "/")


def _hub_refs(replica: ReplicaSite, keep: feeds.RefFilter) -> list[ArticleRef]:
    found = []
    for ref in replica.iter_refs(0, HUB_SCAN):
        if keep(ref):
            found.append(ref)
            if len(found) == HUB_SIZE:
                break
    return found


def _document(title: str, head: Iterable[str], body: Iterable[str]) -> str:
    nav = "".join(f'<a href="{href}">{label}</a>' for href, label in _NAV)
    return (
        "\n".join(
            (
                "<!DOCTYPE html>",
                '<html lang="id">',
                "<head>",
                '<meta charset="utf-8">',
                f"<title>{escape(title)}</title>",
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                '<link rel="alternate" type="application/rss+xml" title="VIVA" href="/rss">',
                *head,
                "</head>",
                "<body>",
                f'<header class="header"><a class="logo" href="/">VIVA</a><nav class="nav-main">{nav}</nav>'
                "</header>",
                *body,
                f'<footer class="footer"><p>{escape(site.FOOTER_TEXT)}</p></footer>',
                "</body>",
                "</html>",
            )
        )
        + "\n"
    )


def _link(ref: ArticleRef) -> str:
    return f'<a href="{escape(ref.path)}">{escape(ref.title)}</a>'


def _list_rows(refs: Iterable[ArticleRef]) -> list[str]:
    """Index items in the modern `/indeks` markup (NOTES §1c)."""
    return [
        f'<div class="article-list-row"><a class="article-list-title" href="{escape(ref.path)}">'
        f"<h2>{escape(ref.title)}</h2></a>"
        f'<div class="article-list-date"><span>{format_wib(ref.published)}</span></div>'
        f'<a class="article-list-cate" href="{kanal_path(ref)}">'
        f"<h3>{escape(ref.section)}</h3></a>"
        f'<div class="article-list-desc">{escape(ref.description)}</div></div>'
        for ref in refs
    ]


def render_home(replica: ReplicaSite) -> str:
    items = [f"<li><h2>{_link(ref)}</h2></li>" for ref in replica.iter_refs(0, 10)]
    body = [
        '<main class="home"><h1>Berita Terbaru</h1>',
        '<ul class="headline-list">',
        *items,
        "</ul>",
        '<p><a class="more" href="/indeks">Indeks Berita</a></p>',
        "</main>",
    ]
    return _document("VIVA - Berita Terkini Hari Ini", (), body)


def render_indeks(replica: ReplicaSite, page: int) -> Response:
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
    return _html(_document(f"Indeks Berita - Halaman {page} - VIVA", (), body))


def render_hub(heading: str, refs: list[ArticleRef]) -> str:
    body = [
        f'<main class="hub"><h1>{escape(heading)}</h1>',
        '<div class="article-list">',
        *_list_rows(refs),
        "</div>",
        "</main>",
    ]
    return _document(f"{heading} - VIVA", (), body)


def render_article(article: ReplicaArticle, base_url: str, page: int | None) -> Response:
    """Page `page` (1-based) of the article, or every page at once when `page` is None."""
    if page is not None and not 1 <= page <= len(article.pages):
        return not_found()
    url, image = base_url + article.path, base_url + article.image
    body = [*_article_header(article), *_article_detail(article, page), *_article_footer(article)]
    html = _document(f"{article.title} - VIVA", _article_meta(article, url, image), body)
    modified = format_datetime(datetime.fromisoformat(article.modified).astimezone(UTC), True)
    return _html(html, **{"Last-Modified": modified})


def _article_meta(article: ReplicaArticle, url: str, image: str) -> list[str]:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title,
        "datePublished": article.published,
        "dateModified": article.modified,
        "author": {"@type": "Person", "name": article.author},
        "image": {"@type": "ImageObject", "url": image},
        "description": article.description,
        "publisher": {"@type": "Organization", "name": "VIVA"},
    }
    # "</" inside a <script> would end it early; JSON allows the escaped form.
    ld_text = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
    metas = (
        ("property", "og:type", "article"),
        ("property", "og:title", article.title),
        ("property", "og:url", url),
        ("property", "og:image", image),
        ("property", "og:description", article.description),
        ("property", "article:published_time", article.published),
        ("property", "article:modified_time", article.modified),
        ("name", "author", article.author),
        ("name", "description", article.description),
        ("name", "keywords", ", ".join(article.tags)),
    )
    return [
        f'<link rel="canonical" href="{escape(url)}">',
        *(f'<meta {kind}="{name}" content="{escape(value)}">' for kind, name, value in metas),
        f'<script type="application/ld+json">{ld_text}</script>',
    ]


def _article_header(article: ReplicaArticle) -> list[str]:
    hub = kanal_path(article)
    return [
        '<main class="main-content"><article class="main-content-left">',
        f'<div class="breadcrumb"><a class="breadcrumb-step content_center" href="{hub}">'
        f"<h4>{escape(article.section)}</h4></a></div>",
        f'<h1 class="main-content-title">{escape(article.title)}</h1>',
        f'<div class="main-content-date">{format_wib(article.published)}</div>',
        f'<div class="main-content-author">Penulis: {escape(article.author)}</div>',
        f'<div class="main-content-image"><img src="/appasset/img/lazy.gif" '
        f'data-original="{escape(article.image)}" alt="{site.IMG_ALT}"></div>',
        f'<div class="main-content-image-desc">{escape(article.lead_caption)}<br>'
        f'<span class="credit">{site.LEAD_CREDIT_LABEL}<ul><li>{escape(article.lead_credit)}'
        "</li></ul></span></div>",
    ]


def _article_detail(article: ReplicaArticle, page: int | None) -> list[str]:
    shown = range(len(article.pages)) if page is None else (page - 1,)
    out = ['<div class="main-content-detail">']
    for p in shown:
        for n, paragraph in enumerate(article.pages[p]):
            text = escape(paragraph, quote=False)
            out.append(f"<div>{text}</div><div><br></div>" if article.div_paragraphs else f"<p>{text}</p>")
            out.extend(_insert(ins) for ins in article.inserts if (ins.page, ins.after) == (p, n))
    if page is not None and len(article.pages) > 1:
        out.append(_pager(page, len(article.pages)))
    out.append("</div>")
    return out


def _insert(ins: Insert) -> str:
    """The markup of one inline block; see `TeaserKind` for what each imitates."""
    if ins.kind is TeaserKind.RECOMMENDED:
        items = "".join(f"<li>{_link(ref)}</li>" for ref in ins.refs)
        return f'<div class="recommended-article"><p>{site.BACA_JUGA}</p><ul>{items}</ul></div>'
    if ins.kind is TeaserKind.LINKED_HEADLINE:
        return f"<p>{_link(ins.refs[0])}</p>"
    if ins.kind is TeaserKind.WIDGET:
        ref = ins.refs[0]
        return (
            f'<div class="widget-other-article"><a href="{escape(ref.path)}">'
            f"<span>{escape(ref.title)}</span></a></div>"
        )
    if ins.kind is TeaserKind.BARE_HEADLINE:
        return f"<p>{escape(ins.refs[0].title)}</p>"
    if ins.kind is TeaserKind.AD:
        spans = "".join(f"<span>{text}</span>" for text in site.AD_TEXTS)
        return f'<div class="ads-inarticle">{spans}</div>'
    return (
        f'<figure><img alt="{site.IMG_ALT}" src="/appasset/img/lazy.gif" '
        f'data-original="{escape(ins.image)}"><figcaption>{escape(ins.caption)}<br>'
        f"{site.PHOTO_CREDIT_LABEL}<ul><li>{escape(ins.credit)}</li></ul></figcaption></figure>"
    )


def _pager(page: int, total: int) -> str:
    links = []
    if page > 1:
        links.append(f'<a class="prev" href="?page={page - 1}">{site.PREV_PAGE}</a>')
    if page < total:
        links.append(f'<a class="next" href="?page={page + 1}">{site.NEXT_PAGE}</a>')
    return f'<div class="pagination-detail" data-total-pages="{total}">{" ".join(links)}</div>'


def _article_footer(article: ReplicaArticle) -> list[str]:
    tags = " ".join(f'<a href="/tag/{site.slugify(tag)}">{escape(tag)}</a>' for tag in article.tags)
    out = ["</article>", f'<div class="tag-list"><span>Tag</span> {tags}</div>']
    if article.related:
        items = "".join(f"<li>{_link(ref)}</li>" for ref in article.related)
        out.append(f'<section class="berita-terkait"><h3>{site.RELATED_LABEL}</h3><ul>{items}</ul></section>')
    if article.popular:
        items = "".join(f"<li>{_link(ref)}</li>" for ref in article.popular)
        out.append(f'<aside class="sidebar-popular"><h3>{site.POPULAR_LABEL}</h3><ol>{items}</ol></aside>')
    out.append("</main>")
    return out
