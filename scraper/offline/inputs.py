"""Saved pages as input: files, folders, .html.gz, and '-' for stdin; each becomes a Page."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from cleaners.decode import DecodeError, gunzip_bounded
from scraper.errors import InputError
from scraper.types import Page

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
STDIN = "-"
# The page's own URL, when the saved file records it (canonical link or og:url), read cheaply.
_URL_HINT = re.compile(
    rb"""<link[^>]+rel=["']?canonical["']?[^>]*href=["']([^"']+)["']"""
    rb"""|<link[^>]+href=["']([^"']+)["'][^>]*rel=["']?canonical"""
    rb"""|<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)["']""",
    re.IGNORECASE,
)


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files as given, folders walked for HTML files (sorted); raises InputError for missing paths."""
    found: list[str] = []
    for raw in paths:
        if raw == STDIN:
            found.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found.extend(
                str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.name.endswith(HTML_SUFFIXES)
            )
        elif path.is_file():
            found.append(str(path))
        else:
            raise InputError(f"no such file or folder: {raw}")
    return found


def url_hint(body: bytes) -> str | None:
    match = _URL_HINT.search(body[:200_000])
    if not match:
        return None
    value = next(g for g in match.groups() if g)
    return value.decode("utf-8", "replace").strip() or None


def read_page(source: str, url: str | None = None, max_bytes: int = 20 * 1024 * 1024) -> Page:
    """Read one saved page. Too-large and corrupt gzip files still yield a Page: the cleaner rejects
    them with a reason, so one bad file never stops a batch."""
    if source == STDIN:
        body = sys.stdin.buffer.read(max_bytes + 1)
    else:
        with open(source, "rb") as handle:
            body = handle.read(max_bytes + 1)
        if source.endswith(".gz"):
            # Left compressed on failure: the cleaner's decoder reports it with its reason.
            with contextlib.suppress(DecodeError):
                body = gunzip_bounded(body, max_bytes)
    page_url = url or url_hint(body) or (Path(source).resolve().as_uri() if source != STDIN else "stdin:")
    return Page(url=page_url, body=body, source=source)


def iter_pages(sources: Iterable[str], url: str | None = None) -> Iterator[Page]:
    for source in sources:
        yield read_page(source, url)
