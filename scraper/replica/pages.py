"""Rendering of every replica URL. Pure: `route(site, base_url, target)` returns a `Response`.

HTML is modelled on modern VIVA (NOTES §1d: `h1.main-content-title`, `div.main-content-detail` with
inline teasers); feeds, robots and sitemaps live in `feeds.py`. `base_url` (e.g.
"http://127.0.0.1:8123") is only used where the real site prints absolute URLs: canonical,
og:url, og:image, JSON-LD, sitemaps and RSS. In-page links are site-relative, as on VIVA.

Every HTML page is wrapped in the site chrome of `chrome/` (head, mega-menu, sidebars, footer:
about 70 KB, as on a real portal), outside the article body container. A page is assembled as
`Chunks`, the chrome's pre-encoded parts around the few KB rendered for that page: `route` joins
them into one body, the server (`route_chunks`) joins them once with its response head. Rendering
an 80 KB article page costs about what an 8 KB one did.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from scraper.replica import feeds, site, words
from scraper.replica.chrome import around_article, frame, navigation, sidebars
from scraper.replica.chrome import head as chrome_head
from scraper.replica.chrome.markup import esc, format_wib
from scraper.replica.feeds import HTML, Response, not_found
from scraper.replica.site import ArticleRef, Insert, ReplicaArticle, ReplicaSite, TeaserKind

INDEKS_PAGE_SIZE = 20
HUB_SIZE = 20
HUB_SCAN = 2_000  # hubs list matches among the newest articles only, so a request stays cheap
_TAG_LABELS = {
    site.slugify(tag): tag for tag in (*words.GENERAL_TAGS, *(t for ts in words.TAGS.values() for t in ts))
}
_HUB_LABELS = {
    **navigation.MENU_HUBS,  # every mega-menu link is a hub (most sub-kanals list nothing)
    **{f"/{k}": k.replace("-", " ").title() for k, _, _, _ in words.KANALS},
    **{f"/{k}/{s}": label for k, s, label, _ in words.KANALS if s},
}


class Chunks(tuple[bytes, ...]):
    """A response body as its parts, in order (shared chrome bytes and the page's own)."""

    __slots__ = ()


def joined(response: Response) -> Response:
    """`response` with a `Chunks` body made into one bytes body."""
    body = response.body
    return response._replace(body=b"".join(body)) if isinstance(body, Chunks) else response


def route(replica: ReplicaSite, base_url: str, target: str) -> Response:
    """The response for a request target (path plus optional query)."""
    return joined(route_chunks(replica, base_url, target))


def rendered_articles(replica: ReplicaSite, base_url: str) -> dict[str, Response]:
    """Every article's whole-article response (`<path>?page=all`), rendered now. Benchmarks serve
    these through a fault hook (`portal.faults = rendered.get`) so that the replica spends only
    its HTTP work per request, not the article's generation: CPU a real portal does not take
    from the crawler's cores. About 80 KB of memory per article."""
    targets = (ref.path + "?page=all" for ref in replica.iter_refs())
    return {target: route(replica, base_url, target) for target in targets}


def route_chunks(replica: ReplicaSite, base_url: str, target: str) -> Response:
    """As `route`, but an HTML body comes as `Chunks` (for the server: no 80 KB join per page)."""
    path, page = _split_target(target)
    base_url = base_url.rstrip("/")
    if path == "/":
        return _html(render_home(replica))
    if path == "/indeks":
        return _indeks(replica, _int(page) if page is not None else 1)
    if path.startswith("/tag/") and path[5:] in _TAG_LABELS:
        label = _TAG_LABELS[path[5:]]
        return _html(render_hub(replica, f"Tag: {label}", _hub_refs(replica, lambda r: label in r.tags)))
    if path in _HUB_LABELS:
        return _html(render_hub(replica, _HUB_LABELS[path], _hub_refs(replica, _in_kanal(path))))
    feed = feeds.route(replica, base_url, path)
    if feed is not None:
        return feed
    article = replica.by_path(path)
    if article is None:
        return not_found()
    return _article(article, base_url, None if page == "all" else _int(page or "1"), replica)


def _split_target(target: str) -> tuple[str, str | None]:
    """The path and the last non-empty `page` query value of a target. Plain targets ("/a/1-x",
    "/a/1-x?page=all") take a fast path; the result is the same as urlsplit + parse_qs."""
    path, _, query = target.partition("?")
    if path.startswith("/") and not path.startswith("//") and not any(c in target for c in "#%+&;"):
        if not query:
            return path, None
        if query.startswith("page=") and "=" not in query[5:]:
            return path, query[5:] or None
    parts = urlsplit(target)
    return parts.path or "/", parse_qs(parts.query).get("page", [None])[-1]


def _int(value: str) -> int:
    return int(value) if value.isdigit() else -1  # -1 is out of range everywhere: 404


def _html(body: Chunks, status: int = 200, **headers: str) -> Response:
    return Response(status, {"Content-Type": HTML, **headers}, body)  # type: ignore[arg-type]


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


_DOCTYPE = b'<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n<title>'
_OPEN_BODY = b"\n</head>\n<body>\n"
_END = b"\n</body>\n</html>\n"


def _document(
    replica: ReplicaSite | None,
    title: str,
    head: Iterable[str],
    main: Iterable[str],
    sidebar: Iterable[bytes],
) -> Chunks:
    """A whole page: the chrome around `head` (the page's own tags) and `main` (its content)."""
    return Chunks(
        (
            _DOCTYPE,
            f"{esc(title)}</title>\n".encode(),
            chrome_head.HEAD_TOP,
            b"\n",
            "\n".join(head).encode(),
            b"\n",
            chrome_head.HEAD_BOTTOM,
            _OPEN_BODY,
            frame.HEADER,
            b"\n",
            sidebars.site_parts(replica).ticker,
            b'\n<div class="layout-wrap" id="main">\n',
            "\n".join(main).encode(),
            b"\n",
            *sidebar,
            b"\n</div>\n",
            frame.FOOTER,
            _END,
        )
    )


def _page_head(page_type: str, title: str) -> list[str]:
    return [
        '<meta property="og:type" content="website">',
        f'<meta property="og:title" content="{esc(title)}">',
        chrome_head.data_layer({"event": "pageView", "pageType": page_type, "pageTitle": title}),
    ]


def _link(ref: ArticleRef) -> str:
    return f'<a href="{esc(ref.path)}">{esc(ref.title)}</a>'


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
    items = [f"<li><h2>{_link(ref)}</h2></li>" for ref in replica.iter_refs(0, 10)]
    body = [
        '<main class="home"><h1>Berita Terbaru</h1>',
        '<ul class="headline-list">',
        *items,
        "</ul>",
        '<p><a class="more" href="/indeks">Indeks Berita</a></p>',
        "</main>",
    ]
    title = "VIVA - Berita Terkini Hari Ini"
    return _document(replica, title, _page_head("home", title), body, sidebars.sidebar(replica, None))


def render_indeks(replica: ReplicaSite, page: int) -> Response:
    """Page `page` (1-based) of `/indeks`: the newest articles first, 20 a page."""
    return joined(_indeks(replica, page))


def _indeks(replica: ReplicaSite, page: int) -> Response:
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
    page_head = _page_head("indeks", title)
    return _html(_document(replica, title, page_head, body, sidebars.sidebar(replica, None)))


def render_hub(replica: ReplicaSite, heading: str, refs: list[ArticleRef]) -> Chunks:
    body = [
        f'<main class="hub"><h1>{esc(heading)}</h1>',
        '<div class="article-list">',
        *_list_rows(refs),
        "</div>",
        "</main>",
    ]
    title = f"{heading} - VIVA"
    return _document(replica, title, _page_head("hub", title), body, sidebars.sidebar(replica, None))


def render_article(
    article: ReplicaArticle, base_url: str, page: int | None, replica: ReplicaSite | None = None
) -> Response:
    """Page `page` (1-based) of the article, or every page at once when `page` is None. `replica`
    (the article's site) fills the sidebar with its newest articles; without it that list is empty."""
    return joined(_article(article, base_url, page, replica))


def _article(
    article: ReplicaArticle, base_url: str, page: int | None, replica: ReplicaSite | None
) -> Response:
    if page is not None and not 1 <= page <= len(article.pages):
        return not_found()
    url, image = base_url + article.path, base_url + article.image
    body = [*_article_header(article, url), *_article_detail(article, page), *_article_footer(article)]
    popular = b""
    if article.popular:
        printed = [format_wib(ref.published) for ref in article.popular]
        popular = sidebars.popular_block(article.popular, printed).encode()
    sidebar = sidebars.sidebar(replica, article.index, popular)
    html = _document(
        replica, f"{article.title} - VIVA", _article_meta(article, url, image, page), body, sidebar
    )
    modified = format_datetime(datetime.fromisoformat(article.modified).astimezone(UTC), True)
    return _html(html, **{"Last-Modified": modified})


def _article_meta(article: ReplicaArticle, url: str, image: str, page: int | None) -> list[str]:
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
    root = url.removesuffix(article.path)
    # Each text is escaped once; dates, ids and paths are generated and never need it.
    title, about, author, keywords = (
        esc(article.title),
        esc(article.description),
        esc(article.author),
        esc(", ".join(article.tags)),
    )
    url, image = esc(url), esc(image)
    tags = "".join(f'<meta property="article:tag" content="{esc(tag)}">' for tag in article.tags)
    analytics = {
        "event": "articleView",
        "pageType": "article",
        "articleId": str(article.id),
        "articleTitle": article.title,
        "kanal": article.kanal,
        "subKanal": article.sub or "",
        "author": article.author,
        "tags": "|".join(article.tags),
        "publishedDate": article.published,
        "totalPages": len(article.pages),
        "page": "all" if page is None else str(page),
    }
    return [
        f'<link rel="canonical" href="{url}">',
        f'<link rel="amphtml" href="{esc(root)}/amp{article.path}">',
        f'<link rel="image_src" href="{image}">',
        f'<meta property="og:type" content="article">\n<meta property="og:title" content="{title}">\n'
        f'<meta property="og:url" content="{url}">\n<meta property="og:image" content="{image}">\n'
        f'<meta property="og:image:alt" content="{title}">\n'
        f'<meta property="og:description" content="{about}">\n'
        f'<meta property="article:published_time" content="{article.published}">\n'
        f'<meta property="article:modified_time" content="{article.modified}">\n'
        f'<meta property="article:section" content="{esc(article.section)}">\n{tags}\n'
        f'<meta name="author" content="{author}">\n<meta name="description" content="{about}">\n'
        f'<meta name="keywords" content="{keywords}">\n<meta name="news_keywords" content="{keywords}">\n'
        f'<meta name="twitter:title" content="{title}">\n'
        f'<meta name="twitter:description" content="{about}">\n'
        f'<meta name="twitter:image" content="{image}">\n<meta name="content_id" content="{article.id}">\n'
        f'<meta name="content_kanal" content="{article.kanal}">\n'
        '<meta name="content_type" content="artikel">',
        f'<script type="application/ld+json">{ld_text}</script>',
        _breadcrumb_ld(root, article.kanal, article.sub, article.section),
        chrome_head.data_layer(analytics),
    ]


@lru_cache(maxsize=256)
def _breadcrumb_ld(root: str, kanal: str, sub: str | None, section: str) -> str:
    """The BreadcrumbList JSON-LD of an article's kanal (the same for every article in it)."""
    crumbs = [("Home", "/"), (kanal.replace("-", " ").title(), f"/{kanal}")]
    if sub:
        crumbs.append((section, f"/{kanal}/{sub}"))
    breadcrumb = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": root + path}
            for n, (name, path) in enumerate(crumbs, 1)
        ],
    }
    text = json.dumps(breadcrumb, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _article_header(article: ReplicaArticle, url: str) -> list[str]:
    hub = kanal_path(article)
    return [
        '<main class="main-content"><article class="main-content-left">',
        f'<div class="breadcrumb"><a class="breadcrumb-step content_center" href="{hub}">'
        f"<h4>{esc(article.section)}</h4></a></div>",
        f'<h1 class="main-content-title">{esc(article.title)}</h1>',
        f'<div class="main-content-date">{format_wib(article.published)}</div>',
        f'<div class="main-content-author">Penulis: {esc(article.author)}</div>',
        around_article.share_bar(url, article.title),
        f'<div class="main-content-image"><img src="/appasset/img/lazy.gif" '
        f'data-original="{esc(article.image)}" alt="{site.IMG_ALT}"></div>',
        f'<div class="main-content-image-desc">{esc(article.lead_caption)}<br>'
        f'<span class="credit">{site.LEAD_CREDIT_LABEL}<ul><li>{esc(article.lead_credit)}'
        "</li></ul></span></div>",
    ]


def _article_detail(article: ReplicaArticle, page: int | None) -> list[str]:
    shown = range(len(article.pages)) if page is None else (page - 1,)
    placed: dict[tuple[int, int], list[Insert]] = {}
    for ins in article.inserts:
        placed.setdefault((ins.page, ins.after), []).append(ins)
    out = ['<div class="main-content-detail">']
    for p in shown:
        for n, paragraph in enumerate(article.pages[p]):
            text = esc(paragraph, quote=False)
            out.append(f"<div>{text}</div><div><br></div>" if article.div_paragraphs else f"<p>{text}</p>")
            out.extend(_insert(ins) for ins in placed.get((p, n), ()))
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
            f'<div class="widget-other-article"><a href="{esc(ref.path)}">'
            f"<span>{esc(ref.title)}</span></a></div>"
        )
    if ins.kind is TeaserKind.BARE_HEADLINE:
        return f"<p>{esc(ins.refs[0].title)}</p>"
    if ins.kind is TeaserKind.AD:
        spans = "".join(f"<span>{text}</span>" for text in site.AD_TEXTS)
        return f'<div class="ads-inarticle">{spans}</div>'
    return (
        f'<figure><img alt="{site.IMG_ALT}" src="/appasset/img/lazy.gif" '
        f'data-original="{esc(ins.image)}"><figcaption>{esc(ins.caption)}<br>'
        f"{site.PHOTO_CREDIT_LABEL}<ul><li>{esc(ins.credit)}</li></ul></figcaption></figure>"
    )


def _pager(page: int, total: int) -> str:
    links = []
    if page > 1:
        links.append(f'<a class="prev" href="?page={page - 1}">{site.PREV_PAGE}</a>')
    if page < total:
        links.append(f'<a class="next" href="?page={page + 1}">{site.NEXT_PAGE}</a>')
    return f'<div class="pagination-detail" data-total-pages="{total}">{" ".join(links)}</div>'


def _article_footer(article: ReplicaArticle) -> list[str]:
    tags = " ".join(f'<a href="/tag/{site.slugify(tag)}">{esc(tag)}</a>' for tag in article.tags)
    out = ["</article>", f'<div class="tag-list"><span>Tag</span> {tags}</div>']
    if article.related:
        items = "".join(f"<li>{_link(ref)}</li>" for ref in article.related)
        out.append(f'<section class="berita-terkait"><h3>{site.RELATED_LABEL}</h3><ul>{items}</ul></section>')
    out.append(around_article.comments(article.id))
    out.append("</main>")
    return out
