"""Faults of robots.txt and sitemaps for the replica portal (see scraper.replica.faults): extra
Disallow and Sitemap lines, malformed, entity-expanding (billion laughs) and oversized XML,
sitemaps listing hostile locations, a sitemap index with more children, and an endless chain of
sitemap indexes."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from scraper.replica.faults import CHUNK, Fault, Hit, streamed
from scraper.replica.feeds import TEXT, Response, render_robots


def robots_disallow(*prefixes: str, sitemaps: Callable[[Hit], list[str]] | None = None) -> Fault:
    """The replica's robots.txt with more Disallow lines, and more Sitemap lines if given."""

    def fault(hit: Hit) -> Response:
        extra = "".join(f"Disallow: {p}\n" for p in prefixes)
        text = render_robots(hit.base_url).replace("User-agent: *\n", "User-agent: *\n" + extra, 1)
        text += "".join(f"Sitemap: {url}\n" for url in (sitemaps(hit) if sitemaps else []))
        return Response(200, {"Content-Type": TEXT}, text.encode())

    return fault


def xml(body: bytes | str) -> Fault:
    data = body.encode() if isinstance(body, str) else body
    return lambda hit: Response(200, {"Content-Type": "application/xml"}, data)


def _billion_laughs(levels: int = 9) -> str:
    """The classic entity-expansion bomb: 10**levels "lol"s from under a kilobyte of XML."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE urlset [{"".join(entities)}]>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol{levels};</loc>'
        "</url></urlset>\n"
    )


BILLION_LAUGHS = _billion_laughs()
MALFORMED_XML = '<?xml version="1.0"?>\n<urlset><url><loc>http://x/a</loc></url><url><loc>\n'


def huge_xml(size: int) -> Fault:
    """A syntactically endless sitemap of `size` bytes, streamed."""
    head = b'<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    filler = b"<url><loc>http://127.0.0.1/berita/1-x</loc></url>\n" * (CHUNK // 50)
    headers = {"Content-Type": "application/xml", "Content-Length": str(size)}
    return lambda hit: Response(200, headers, streamed(size, head, filler))  # type: ignore[arg-type]


def urlset(locs: Callable[[Hit], list[str]]) -> Fault:
    """A news sitemap listing these (possibly hostile) locations."""

    def fault(hit: Hit) -> Response:
        rows = "".join(f"<url><loc>{escape(loc)}</loc></url>\n" for loc in locs(hit))
        return xml(
            f'<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n'
        )(hit)

    return fault


def sitemap_index_plus(children: Callable[[Hit], list[str]]) -> Fault:
    """The real sitemap index with more child sitemaps listed at its end."""

    def fault(hit: Hit) -> Response:
        page = hit.normal()
        extra = "".join(f"<sitemap><loc>{loc}</loc></sitemap>\n" for loc in children(hit))
        return page._replace(body=page.body.replace(b"</sitemapindex>", extra.encode() + b"</sitemapindex>"))

    return fault


def sitemap_chain(prefix: str) -> Fault:
    """An endless chain of sitemap indexes, each URL new: `prefix?x=N` lists only `prefix?x=N+1`
    (a portal bug, or a hostile server, that would keep a crawl discovering forever)."""

    def fault(hit: Hit) -> Response:
        step = int(parse_qs(urlsplit(hit.target).query).get("x", ["0"])[0] or 0)
        child = escape(f"{hit.base_url}{prefix}?x={step + 1}")
        return xml(f'<?xml version="1.0"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   f"<sitemap><loc>{child}</loc></sitemap></sitemapindex>\n")(hit)  # fmt: skip

    return fault
