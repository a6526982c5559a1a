"""A crawl's cleaning job: the fetched pages of one article in, an Article or a Rejected out.

Runs in the crawl's cleaning processes (scraper.crawl.clean_pool) and in `scraper scrape`: joins
the pages of a split article and runs the one `clean_page` on them, with the headline index of
the crawl (topped up from state.sqlite) so that bare-headline teasers of other articles go.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from cleaners.decode import DecodeError
from cleaners.multipage import join_pages
from cleaners.pipeline import clean_page
from cleaners.portals import PortalRules, portal_by_name, portal_for_url
from cleaners.settings import DEFAULT_CLEAN, CleanSettings
from cleaners.teasers import normalise_headline
from cleaners.types import Article, Page, Rejected


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
    """A worker's copy of one crawl's headline index, topped up with only the rows it has not seen."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        self.loaded = 0
        self.keys: set[str] = set()

    def upto(self, version: int) -> set[str]:
        if version > self.loaded:
            rows = self.db.execute(
                "SELECT key FROM headlines WHERE id > ? AND id <= ?", (self.loaded, version)
            ).fetchall()
            self.keys.update(key for (key,) in rows)
            self.loaded = version
        return self.keys


class _HeadlineCaches(dict[str, _HeadlineCache]):
    """One cache per state database: portals crawled side by side share the cleaning processes,
    and their jobs come interleaved."""

    def upto(self, path: str, version: int) -> set[str]:
        cache = self.get(path)
        if cache is None:
            cache = self[path] = _HeadlineCache(path)
        return cache.upto(version)


_headline_cache = _HeadlineCaches()


def worker_init(parent: int | None = None, fn: object = None) -> None:
    """Start-up of a crawl's cleaning process (importing this module loaded the cleaner; `fn`, the
    pool's cleaning function, arrives unpickled, so its module is loaded now too, before any job's
    clock runs).

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
    rules = rules_for(job.portal, job.url)
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


def rules_for(portal: str | None, url: str) -> PortalRules:
    return (portal_by_name(portal) if portal else None) or portal_for_url(url)
