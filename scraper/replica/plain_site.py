"""A news site laid out like no known portal, for `scraper crawl --site` (spiders/generic.py).

Blog-engine conventions instead of a portal's: articles at `/<kanal>/YYYY/MM/DD/<slug>/` in
`<article class="post">` with a "Baca juga:" teaser paragraph and a related-posts box; robots.txt
naming `/sitemap_index.xml`, an index of plain sitemaps (`<loc>` and `<lastmod>` only, no news
tags) of the posts and of the category and tag pages; an Atom feed of the newest posts linked
from the home page. Nothing tells an article URL from a category page but the cleaner, and the
feed for the kanals it happens to list. The text of article i is that of `ReplicaSite(n, seed)`.

Layouts for bad input: "no_sources" (robots.txt names no sitemap, no /sitemap.xml, no feed link),
"non_articles" (the one sitemap lists only category, tag and static pages, and there is no feed).
"""

from __future__ import annotations

from functools import cached_property
from html import escape
from typing import Literal

from scraper.replica import words
from scraper.replica.feeds import HTML, SITEMAP_NS, TEXT, Response, bare_not_found, xml_response
from scraper.replica.site import ReplicaSite, slugify

Layout = Literal["healthy", "no_sources", "non_articles"]
SITE_NAME = "Kabar Kota"
FEED_SIZE = 10
SITEMAP_SIZE = 1_000
BACA_JUGA = "Baca juga:"
RELATED_LABEL = "Artikel Terkait"
STATIC_PAGES = {"/tentang-kami/": "Tentang Kami", "/kontak/": "Kontak Redaksi"}


class PlainSite:
    """`n_articles` articles (index 0 the newest) served in the layout `layout`."""

    def __init__(self, n_articles: int, seed: int = 1, layout: Layout = "healthy") -> None:
        self.texts = ReplicaSite(n_articles, seed=seed)
        self.layout = layout

    def __len__(self) -> int:
        return len(self.texts)

    def path(self, index: int) -> str:
        ref = self.texts.ref(index)
        return f"/{ref.kanal}/{ref.published[:10].replace('-', '/')}/{ref.slug}/"

    @cached_property
    def _paths(self) -> dict[str, int]:
        return {self.path(i): i for i in range(len(self))}

    def by_path(self, path: str) -> int | None:
        return self._paths.get(path.split("?", 1)[0])

    @cached_property
    def hubs(self) -> dict[str, str]:
        """Category and tag pages: path -> heading."""
        found = {f"/category/{k}/": k.replace("-", " ").title() for k, _, _, _ in words.KANALS}
        tags = {*words.GENERAL_TAGS, *(t for ts in words.TAGS.values() for t in ts)}
        found.update({f"/tag/{slugify(tag)}/": tag for tag in sorted(tags)})
        return found

    def teasers(self, index: int) -> tuple[str, ...]:
        """The strings around article i's body that must not reach its text."""
        return (BACA_JUGA, RELATED_LABEL, *(self.texts.ref(j).title for j in self._others(index)))

    def gold_text(self, index: int) -> str:
        return self.texts.article(index).body_text

    def _others(self, index: int) -> list[int]:
        return [j for j in ((index + k) % len(self) for k in (1, 2, 3, 5)) if j != index]

    # -- serving ----------------------------------------------------------------------------------

    def respond(self, base_url: str, target: str) -> Response:
        path = target.split("?", 1)[0]
        healthy = self.layout == "healthy"
        if path == "/robots.txt":
            named = {"healthy": "/sitemap_index.xml", "non_articles": "/sitemap.xml"}.get(self.layout)
            text = "User-agent: *\nDisallow: /wp-admin/\n" + (
                f"\nSitemap: {base_url}{named}\n" if named else ""
            )
            return Response(200, {"Content-Type": TEXT}, text.encode())
        if path == "/":
            return self.home(feed=healthy)
        if healthy and path == "/sitemap_index.xml":
            return self.sitemap_index(base_url)
        if healthy and path.startswith("/post-sitemap") and path.endswith(".xml"):
            number = path[len("/post-sitemap") : -4] or "1"
            start = (int(number) - 1) * SITEMAP_SIZE if number.isdigit() else -1
            if 0 <= start < len(self):
                return self.sitemap(
                    base_url, [self.path(i) for i in range(start, min(len(self), start + SITEMAP_SIZE))]
                )
        if healthy and path == "/category-sitemap.xml":
            return self.sitemap(base_url, list(self.hubs))
        if self.layout == "non_articles" and path == "/sitemap.xml":
            return self.sitemap(base_url, [*self.hubs, *STATIC_PAGES])
        if healthy and path == "/feed/atom/":
            return self.atom(base_url)
        if path in self.hubs:
            return self.hub(path)
        if path in STATIC_PAGES:
            return self._html(
                STATIC_PAGES[path], f"<main><h1>{STATIC_PAGES[path]}</h1><p>Redaksi.</p></main>"
            )
        index = self.by_path(path)
        return self.article(index, base_url) if index is not None else self.not_found()

    def home(self, feed: bool) -> Response:
        link = f'<link rel="alternate" type="application/atom+xml" title="{SITE_NAME}" href="/feed/atom/">'
        items = "".join(f'<li><a href="{self.path(i)}">{escape(self.texts.ref(i).title)}</a></li>'
                        for i in range(min(10, len(self))))  # fmt: skip
        return self._html(
            SITE_NAME, f"<main><h1>{SITE_NAME}</h1><ul>{items}</ul></main>", link if feed else ""
        )

    def hub(self, path: str) -> Response:
        heading = self.hubs[path]
        rows = "".join(
            f'<li><a href="{self.path(i)}">{escape(self.texts.ref(i).title)}</a></li>'
            for i in range(min(20, len(self)))
            if path == f"/category/{self.texts.ref(i).kanal}/" or heading in self.texts.ref(i).tags
        )
        return self._html(
            heading, f'<main><h1 class="archive-title">{escape(heading)}</h1><ul>{rows}</ul></main>'
        )

    def article(self, index: int, base_url: str) -> Response:
        article = self.texts.article(index)
        paragraphs = [p for page in article.pages for p in page]
        others = self._others(index)
        body = [f"<p>{escape(p)}</p>" for p in paragraphs]
        if others:
            teaser = others[0]
            link = f'<a href="{self.path(teaser)}">{escape(self.texts.ref(teaser).title)}</a>'
            body.insert(min(2, len(body)), f"<p>{BACA_JUGA} {link}</p>")
        related = "".join(
            f'<li><a href="{self.path(j)}">{escape(self.texts.ref(j).title)}</a></li>' for j in others[1:]
        )
        url = base_url + self.path(index)
        head = (
            f'<link rel="canonical" href="{url}"><meta property="og:title" content="{escape(article.title)}">'
            f'<meta property="article:published_time" content="{article.published}">'
            f'<meta name="author" content="{escape(article.author)}">'
        )
        main = (
            f'<main id="content"><article class="post"><h1 class="entry-title">{escape(article.title)}</h1>'
            f'<div class="entry-meta"><time class="entry-date published" datetime="{article.published}">'
            f"{article.published[:10]}</time> oleh "
            f'<span class="author vcard">{escape(article.author)}</span></div>'
            f'<div class="entry-content">{"".join(body)}</div><footer class="entry-footer">Kategori: '
            f'<a href="/category/{article.kanal}/">{article.section}</a></footer></article>'
            f'<section class="related-posts"><h2>{RELATED_LABEL}</h2><ul>{related}</ul></section></main>'
        )
        return self._html(f"{article.title} – {SITE_NAME}", main, head)

    def sitemap_index(self, base_url: str) -> Response:
        names = ["post-sitemap.xml"] + [
            f"post-sitemap{k}.xml" for k in range(2, -(-len(self) // SITEMAP_SIZE) + 1)
        ]
        entries = [
            f"<sitemap><loc>{base_url}/{name}</loc></sitemap>" for name in [*names, "category-sitemap.xml"]
        ]
        return xml_response(f'<sitemapindex xmlns="{SITEMAP_NS}">', entries, "</sitemapindex>")

    def sitemap(self, base_url: str, paths: list[str]) -> Response:
        entries = []
        for path in paths:
            index = self.by_path(path)
            lastmod = f"<lastmod>{self.texts.ref(index).modified}</lastmod>" if index is not None else ""
            entries.append(f"<url><loc>{escape(base_url + path)}</loc>{lastmod}</url>")
        return xml_response(f'<urlset xmlns="{SITEMAP_NS}">', entries, "</urlset>")

    def atom(self, base_url: str) -> Response:
        entries = [
            f'<entry><title>{escape(ref.title)}</title><link href="{escape(base_url + self.path(ref.index))}"'
            f"/><id>{escape(base_url + self.path(ref.index))}</id><published>{ref.published}</published>"
            f"<updated>{ref.modified}</updated></entry>"
            for ref in self.texts.iter_refs(0, FEED_SIZE)
        ]
        opening = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{SITE_NAME}</title><id>{base_url}/</id>'
        return xml_response(opening, entries, "</feed>", "application/atom+xml")

    def not_found(self) -> Response:
        return bare_not_found()

    def _html(self, title: str, main: str, head: str = "") -> Response:
        page = (
            f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'{head}</head><body><header class="site-header"><a class="site-title" href="/">{SITE_NAME}</a>'
            '<nav class="menu"><a href="/category/berita/">Berita</a> <a href="/category/bisnis/">Bisnis</a> '
            f'<a href="/category/bola/">Bola</a></nav></header>{main}'
            f'<footer class="site-footer">© 2026 {SITE_NAME}. Situs uji lokal.</footer></body></html>\n'
        )
        return Response(200, {"Content-Type": HTML}, page.encode("utf-8"))
