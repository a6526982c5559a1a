"""A replica article page, modelled on modern VIVA (NOTES §1d: `h1.main-content-title`,
`div.main-content-detail` with inline teasers): meta tags and JSON-LD, header, body with its
inserts, pager, and the article footer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache

from scraper.replica import site
from scraper.replica.chrome import around_article, sidebars
from scraper.replica.chrome import head as chrome_head
from scraper.replica.chrome.markup import esc, format_wib
from scraper.replica.document import article_link, document, html_response, joined, kanal_path
from scraper.replica.feeds import Response, not_found
from scraper.replica.site import Insert, ReplicaArticle, ReplicaSite, TeaserKind


def render_article(
    article: ReplicaArticle, base_url: str, page: int | None, replica: ReplicaSite | None = None
) -> Response:
    """Page `page` (1-based) of the article, or every page at once when `page` is None. `replica`
    (the article's site) fills the sidebar with its newest articles; without it that list is empty."""
    return joined(article_response(article, base_url, page, replica))


def article_response(
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
    html = document(
        replica, f"{article.title} - VIVA", _article_meta(article, url, image, page), body, sidebar
    )
    modified = format_datetime(datetime.fromisoformat(article.modified).astimezone(UTC), True)
    return html_response(html, **{"Last-Modified": modified})


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
        items = "".join(f"<li>{article_link(ref)}</li>" for ref in ins.refs)
        return f'<div class="recommended-article"><p>{site.BACA_JUGA}</p><ul>{items}</ul></div>'
    if ins.kind is TeaserKind.LINKED_HEADLINE:
        return f"<p>{article_link(ins.refs[0])}</p>"
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
        items = "".join(f"<li>{article_link(ref)}</li>" for ref in article.related)
        out.append(f'<section class="berita-terkait"><h3>{site.RELATED_LABEL}</h3><ul>{items}</ul></section>')
    out.append(around_article.comments(article.id))
    out.append("</main>")
    return out
