"""From fetched article pages to a clean record, and the one-off `scrape` over httpx.

Shared by the crawl (in worker processes) and by `scraper scrape`:
- `article_request_url` / `next_page_url`: the multi-page rules (`?page=all`, then the pager);
- `clean_job`: joins the pages of a split article and runs the one `clean_page` on them;
- `scrape_url`: a polite single fetch (no Scrapy reactor), network errors as `FetchError`.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.decode import DecodeError, decode_html
from cleaners.portals import PortalRules, portal_by_name, portal_for_url
from cleaners.teasers import normalise_headline
from scraper import __version__
from scraper.errors import FetchError
from scraper.pipeline import clean_page
from scraper.settings import DEFAULT_CLEAN, CleanSettings
from scraper.types import Article, Page, Rejected

USER_AGENT = f"news-scraper/{__version__} (+https://github.com/news-scraper/news-scraper; contact in README)"
MAX_PAGES = 20  # a pager that never ends is a trap, not an article
_PAGE_LINK = re.compile(rb"[?&]page=\d")


# -- multi-page articles --------------------------------------------------------------------------


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
        target = urljoin(url, link.attributes.get("href") or "")
        if urlsplit(target).path == path and _page_number(target) == current + 1:
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


def _drop_pagers(node: LexborNode, path: str) -> None:
    """Pager links ("Halaman Selanjutnya", "2", "3") are navigation, not text: remove their block."""
    for link in node.css("a[href]"):
        href = link.attributes.get("href") or ""
        if "page=" not in href or urlsplit(urljoin("http://x" + path, href)).path != path:
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


# -- cleaning (runs in worker processes during a crawl) -------------------------------------------


@dataclass(frozen=True, slots=True)
class CleanJob:
    url: str  # the article URL as discovered: the record's url
    bodies: tuple[bytes, ...]  # page 1..N; one body when the whole article came in one response
    portal: str | None  # rules by name (a replica on 127.0.0.1 is still VIVA); None: by host
    content_type: str | None = None
    fetched_at: str | None = None
    status: int = 200
    own_title: str | None = None  # this article's title from the feeds: not a teaser here
    headline_db: str | None = None  # state.sqlite holding the headline index
    headline_upto: int = 0  # headline rows (ids) known when the job was sent
    settings: CleanSettings = DEFAULT_CLEAN


class _Excluding(Collection[str]):
    """The headline set minus the article's own title, without copying the set per page."""

    def __init__(self, keys: Collection[str], own: str) -> None:
        self.keys, self.own = keys, own

    def __contains__(self, key: object) -> bool:
        return key != self.own and key in self.keys

    def __iter__(self) -> Iterator[str]:
        return (key for key in self.keys if key != self.own)

    def __len__(self) -> int:
        return len(self.keys) - (self.own in self.keys)


class _HeadlineCache:
    """A worker's copy of the headline index, topped up with only the rows it has not seen yet."""

    def __init__(self) -> None:
        self.db: sqlite3.Connection | None = None
        self.path: str | None = None
        self.loaded = 0
        self.keys: set[str] = set()

    def upto(self, path: str, version: int) -> set[str]:
        if path != self.path:  # another crawl's database (a long-lived pool): start over
            if self.db is not None:
                self.db.close()
            self.path, self.loaded, self.keys = path, 0, set()
            self.db = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        if version > self.loaded and self.db is not None:
            rows = self.db.execute(
                "SELECT key FROM headlines WHERE id > ? AND id <= ?", (self.loaded, version)
            ).fetchall()
            self.keys.update(key for (key,) in rows)
            self.loaded = version
        return self.keys


_headline_cache = _HeadlineCache()


def worker_init(parent: int | None = None) -> None:
    """Start-up of a crawl's cleaning process (importing this module loaded the cleaner).

    Ctrl-C reaches the whole process group, and stopping the crawl gracefully is the parent's job.
    A parent killed outright (SIGKILL, OOM) cannot stop its workers, and they would wait forever on
    a queue whose other end they hold themselves: a watchdog ends them when the parent is gone.
    `parent` is the pid the pool was created in: if it died while this worker was still starting,
    getppid() is already another process's (init's), and watching that would never end.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = parent or os.getppid()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watchdog").start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def clean_job(job: CleanJob, headlines: Collection[str] = frozenset()) -> Article | Rejected:
    """Join the pages, clean them with `clean_page`, and report under the discovered URL."""
    rules = _rules(job.portal, job.url)
    if job.headline_db:
        try:
            headlines = _headline_cache.upto(job.headline_db, job.headline_upto)
        except sqlite3.Error:
            headlines = frozenset()  # the index only helps; a page is still cleaned without it
    if job.own_title:
        headlines = _Excluding(headlines, normalise_headline(job.own_title))
    headers = {"Content-Type": job.content_type} if job.content_type else {}
    body: bytes | str = job.bodies[0]
    if len(job.bodies) > 1:
        # An undecodable page: clean_page then classifies page 1 and says why.
        with contextlib.suppress(DecodeError, ValueError):
            body = join_pages(list(job.bodies), job.url, rules, job.content_type)
    page = Page(url=job.url, body=body, headers=headers, status=job.status)
    if job.fetched_at:
        page = replace(page, fetched_at=job.fetched_at)
    # Rules by name: a mirror or the local replica (127.0.0.1) is still the portal.
    result = clean_page(page, job.settings, headlines, rules)
    if isinstance(result, Article):
        result = replace(result, pages=len(job.bodies))
        result.content_hash, result.word_count  # noqa: B018 - computed here, pickled with the record
    return result


def _rules(portal: str | None, url: str) -> PortalRules:
    return (portal_by_name(portal) if portal else None) or portal_for_url(url)


# -- one-off scrape over httpx --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str | None
    status: int


def fetch(client: httpx.Client, url: str, max_bytes: int) -> Fetched:
    """GET with a size bound; every network or HTTP failure becomes a FetchError."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: larger than {max_bytes} bytes")
                chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    content_type = response.headers.get("content-type")
    return Fetched(str(response.url), b"".join(chunks), content_type, response.status_code)


def scrape_url(
    client: httpx.Client, url: str, portal: str | None = None, settings: CleanSettings = DEFAULT_CLEAN
) -> Article | Rejected:
    """Fetch one article (all its pages) and clean it. Raises FetchError when it cannot be fetched."""
    rules = _rules(portal, url)
    first = fetch(client, article_request_url(url, rules), settings.max_bytes)
    bodies, current = [first.body], first.url
    while (following := next_page_url(bodies[-1], current)) and len(bodies) < MAX_PAGES:
        current = following
        bodies.append(fetch(client, current, settings.max_bytes).body)
    job = CleanJob(
        url=url, bodies=tuple(bodies), portal=rules.name, content_type=first.content_type,
        status=first.status, settings=settings,
    )  # fmt: skip
    return clean_job(job)


def scrape_client(timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": USER_AGENT}, timeout=timeout, follow_redirects=True, max_redirects=5
    )
