"""A replica HTML page as `Chunks`: the site chrome's pre-encoded parts around the few KB
rendered for that page (the server joins them once with its response head)."""

from __future__ import annotations

from collections.abc import Iterable

from scraper.replica.chrome import frame, sidebars
from scraper.replica.chrome import head as chrome_head
from scraper.replica.chrome.markup import esc
from scraper.replica.feeds import HTML, Response
from scraper.replica.site import ArticleRef, ReplicaSite


class Chunks(tuple[bytes, ...]):
    """A response body as its parts, in order (shared chrome bytes and the page's own)."""

    __slots__ = ()


def joined(response: Response) -> Response:
    """`response` with a `Chunks` body made into one bytes body."""
    body = response.body
    return response._replace(body=b"".join(body)) if isinstance(body, Chunks) else response


def html_response(body: Chunks, status: int = 200, **headers: str) -> Response:
    return Response(status, {"Content-Type": HTML, **headers}, body)  # type: ignore[arg-type]


def kanal_path(ref: ArticleRef) -> str:
    """The section hub an article belongs to: "/bola" or "/berita/nasional"."""
    return "/" + "/".join(part for part in (ref.kanal, ref.sub) if part)


_DOCTYPE = b'<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n<title>'
_OPEN_BODY = b"\n</head>\n<body>\n"
_END = b"\n</body>\n</html>\n"


def document(
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


def page_head(page_type: str, title: str) -> list[str]:
    return [
        '<meta property="og:type" content="website">',
        f'<meta property="og:title" content="{esc(title)}">',
        chrome_head.data_layer({"event": "pageView", "pageType": page_type, "pageTitle": title}),
    ]


def article_link(ref: ArticleRef) -> str:
    return f'<a href="{esc(ref.path)}">{esc(ref.title)}</a>'
