"""Rendering of every replica URL. Pure: `route(site, base_url, target)` returns a `Response`.

Articles render in `article_page.py`, list pages (home, `/indeks`, hubs) in `list_pages.py`,
feeds, robots and sitemaps in `feeds.py`. `base_url` (e.g.
"http://127.0.0.1:8123") is only used where the real site prints absolute URLs: canonical,
og:url, og:image, JSON-LD, sitemaps and RSS. In-page links are site-relative, as on VIVA.

Every HTML page is wrapped in the site chrome of `chrome/` (head, mega-menu, sidebars, footer:
about 70 KB, as on a real portal), outside the article body container. A page is assembled as
`Chunks` (`document.py`), the chrome's pre-encoded parts around the few KB rendered for that
page: `route` joins them into one body, the server (`route_chunks`) joins them once with its
response head. Rendering an 80 KB article page costs about what an 8 KB one did.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from scraper.replica import feeds, site, words
from scraper.replica.article_page import article_response
from scraper.replica.chrome import navigation
from scraper.replica.document import html_response, joined
from scraper.replica.feeds import Response, not_found
from scraper.replica.list_pages import hub_refs, in_kanal, indeks_response, render_home, render_hub
from scraper.replica.site import ReplicaSite

_TAG_LABELS = {
    site.slugify(tag): tag for tag in (*words.GENERAL_TAGS, *(t for ts in words.TAGS.values() for t in ts))
}
_HUB_LABELS = {
    **navigation.MENU_HUBS,  # every mega-menu link is a hub (most sub-kanals list nothing)
    **{f"/{k}": k.replace("-", " ").title() for k, _, _, _ in words.KANALS},
    **{f"/{k}/{s}": label for k, s, label, _ in words.KANALS if s},
}


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
        return html_response(render_home(replica))
    if path == "/indeks":
        return indeks_response(replica, _int(page) if page is not None else 1)
    if path.startswith("/tag/") and path[5:] in _TAG_LABELS:
        label = _TAG_LABELS[path[5:]]
        refs = hub_refs(replica, lambda r: label in r.tags)
        return html_response(render_hub(replica, f"Tag: {label}", refs))
    if path in _HUB_LABELS:
        return html_response(render_hub(replica, _HUB_LABELS[path], hub_refs(replica, in_kanal(path))))
    feed = feeds.route(replica, base_url, path)
    if feed is not None:
        return feed
    article = replica.by_path(path)
    if article is None:
        return not_found()
    return article_response(article, base_url, None if page == "all" else _int(page or "1"), replica)


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
