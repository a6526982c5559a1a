"""Articles split over several pages: the URL that returns the whole article, the pager's next
page, and the pages joined into one document before cleaning.

Portals say how in their rules (`multipage`, e.g. `page=all`); where the portal ignores it, the
pager is followed (`next_page_url`) and the bodies joined in order (`join_pages`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.decode import decode_html
from cleaners.portals import PortalRules

MAX_PAGES = 20  # a pager that never ends is a trap, not an article
_PAGE_LINK = re.compile(rb"[?&]page=\d")


def article_request_url(url: str, rules: PortalRules) -> str:
    """The URL that returns the whole article: the portal's `multipage` query added, if any."""
    if not rules.multipage:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query) + parse_qsl(rules.multipage)
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def strip_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query="", fragment=""))


def _page_number(url: str) -> int | None:
    value = dict(parse_qsl(urlsplit(url).query)).get("page", "1")
    return int(value) if value.isdigit() else (1 if value == "all" else None)


def next_page_url(body: bytes, url: str) -> str | None:
    """The next page of a split article, when the response still shows a pager; else None.

    A pager link points to the same path with `page=N+1`; the byte check first keeps the common
    case (the whole article in one response) free of any parsing.
    """
    if b"page=" not in body or not _PAGE_LINK.search(body):  # `in` first: a memchr, not a regex scan
        return None
    current = _page_number(url)
    if current is None:
        return None
    path = urlsplit(url).path
    for link in LexborHTMLParser(body).css("a[href]"):
        target = _joined(url, link.attributes.get("href") or "")
        if target is not None and urlsplit(target).path == path and _page_number(target) == current + 1:
            return target
    return None


def _container(tree: LexborHTMLParser, rules: PortalRules) -> LexborNode | None:
    for selector in rules.body:
        node = tree.css_first(selector)
        if node is not None:
            return node
    return tree.body


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _joined(base: str, href: str) -> str | None:
    """`href` resolved against `base`; None for a link no URL can be made of ("http://[::1")."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def _drop_pagers(node: LexborNode, path: str) -> None:
    """Pager links ("Halaman Selanjutnya", "2", "3") are navigation, not text: remove their block."""
    for link in node.css("a[href]"):
        href = link.attributes.get("href") or ""
        target = _joined("http://x" + path, href)
        if "page=" not in href or target is None or urlsplit(target).path != path:
            continue
        block = link.parent
        if block is None or block is node:
            link.decompose()
            continue
        # The block holds only pager links: drop it whole (its separators, its "1 of 3" text).
        only_links = _squeezed(block.text()) == _squeezed("".join(a.text() for a in block.css("a")))
        (block if only_links else link).decompose()


def join_pages(bodies: list[bytes], url: str, rules: PortalRules, content_type: str | None) -> str:
    """One document: page 1 with the article containers of pages 2..N appended, in order."""
    path = urlsplit(url).path
    first = LexborHTMLParser(decode_html(bodies[0], content_type))
    target = _container(first, rules)
    if target is None:
        raise ValueError("page 1 has no body")
    _drop_pagers(target, path)
    for body in bodies[1:]:
        tree = LexborHTMLParser(decode_html(body, content_type))
        source = _container(tree, rules)
        if source is None:
            continue
        _drop_pagers(source, path)
        for child in list(source.iter(include_text=True)):
            target.insert_child(child)
    return first.html or ""
