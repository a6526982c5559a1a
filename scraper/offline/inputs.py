"""Saved pages as input: files, folders, .html.gz, and '-' for stdin; each becomes a Page.

A file name that is not valid UTF-8 (bytes from another system's encoding) is read all the same;
records name it with those bytes escaped (`printable`), as \\xNN, so they stay valid JSON.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from cleaners.decode import DecodeError, gunzip_bounded
from cleaners.page_url import own_url
from cleaners.types import Page
from scraper.errors import InputError

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
STDIN = "-"


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
    page_url = url or own_url(body) or (Path(source).resolve().as_uri() if source != STDIN else "stdin:")
    return Page(url=page_url, body=body, source=printable(source))


def printable(source: str) -> str:
    """`source` (a path as the file system gave it) as valid Unicode: bytes that were not UTF-8
    (kept by Python as lone surrogates) become the text \\xNN."""
    try:
        return source.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate of another origin
        return source.encode("utf-8", "backslashreplace").decode("utf-8")


def iter_pages(sources: Iterable[str], url: str | None = None) -> Iterator[Page]:
    for source in sources:
        yield read_page(source, url)
