"""Crawl state of one portal: what was fetched and written, the headline index, runs, and the lock.

Layout under `<output>/<portal>/`:

    state.sqlite        seen URLs, headline index, runs, reconciled output offsets (SQLite, WAL)
    .lock               flock held by the running crawl; holds its pid for the error message
    <YYYY-MM-DD>.jsonl  articles by published date (OutputWriter)
    rejects.jsonl       pages that yielded no article
    failures.jsonl      requests that failed for good (network, HTTP, limits); a log, not state

The output files are the truth and the state is an index of them: a record is written first and
recorded right after, and `reconcile` adds any record the state missed (a kill between the two
steps), so a later crawl never writes it again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from scraper.errors import ConfigError, CrawlLockedError
from scraper.sinks import JsonlSink, repair_torn_tail
from scraper.types import Article, Rejected, utc_now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    url TEXT PRIMARY KEY, first_seen TEXT NOT NULL, last_fetched TEXT,
    content_hash TEXT, status TEXT NOT NULL, detail TEXT
);
CREATE INDEX IF NOT EXISTS seen_hash ON seen (content_hash);
CREATE TABLE IF NOT EXISTS headlines (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, title TEXT NOT NULL, url TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, finished TEXT, counts TEXT
);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, reconciled_bytes INTEGER NOT NULL);
"""
# A URL in one of these states is not fetched again; "failed" (network, HTTP errors) is retried.
DONE = ("written", "rejected", "duplicate")
REJECTS_FILE = "rejects.jsonl"
FAILURES_FILE = "failures.jsonl"
RETRY_FAILED_DAYS = 7  # failed articles are asked for again by later runs for this long


class StateStore:
    """SQLite state of one portal. Used from one thread (the crawl's reactor thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)  # autocommit: each step is durable
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.headline_version = self._max_headline_id()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Statements in one commit (the connection autocommits otherwise); rolled back on error."""
        with self.db:
            self.db.execute("BEGIN")
            yield

    # seen URLs

    def should_skip(self, url: str, lastmod: datetime | None = None, refresh: bool = False) -> bool:
        """True when `url` needs no fetch: done before, and (with refresh) not modified since."""
        row = self.db.execute("SELECT status, last_fetched FROM seen WHERE url = ?", (url,)).fetchone()
        if row is None or row[0] not in DONE:
            return False
        if refresh and lastmod is not None and row[1]:
            return lastmod <= datetime.fromisoformat(row[1])
        return True

    def status(self, url: str) -> str | None:
        row = self.db.execute("SELECT status FROM seen WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def has_content(self, content_hash: str) -> bool:
        query = "SELECT 1 FROM seen WHERE content_hash = ? AND status = 'written' LIMIT 1"
        return self.db.execute(query, (content_hash,)).fetchone() is not None

    def mark(self, url: str, status: str, content_hash: str | None = None, detail: str = "") -> None:
        now = utc_now_iso()
        self.db.execute(
            "INSERT INTO seen (url, first_seen, last_fetched, content_hash, status, detail)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET last_fetched = excluded.last_fetched,"
            " content_hash = COALESCE(excluded.content_hash, seen.content_hash),"
            " status = excluded.status, detail = excluded.detail",
            (url, now, now, content_hash, status, detail),
        )

    def failed_urls(self, days: float = RETRY_FAILED_DAYS) -> list[str]:
        """URLs whose last fetch failed, first seen within `days`: a dead link is not retried forever."""
        since = datetime.fromtimestamp(time.time() - days * 86400, UTC).isoformat(timespec="seconds")
        query = "SELECT url FROM seen WHERE status = 'failed' AND first_seen >= ? ORDER BY first_seen"
        return [url for (url,) in self.db.execute(query, (since,))]

    def count(self, status: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM seen WHERE status = ?", (status,)).fetchone()[0]

    # headline index: an append-only log, so workers can load only the rows they lack

    def add_headlines(self, pairs: list[tuple[str, str, str | None]]) -> None:
        """Add (key, title, url) rows; a key already present keeps its first row (and id)."""
        if not pairs:
            return
        with self.transaction():
            self.db.executemany("INSERT OR IGNORE INTO headlines (key, title, url) VALUES (?, ?, ?)", pairs)
        self.headline_version = self._max_headline_id()

    def _max_headline_id(self) -> int:
        return self.db.execute("SELECT COALESCE(MAX(id), 0) FROM headlines").fetchone()[0]

    # runs

    def start_run(self) -> int:
        cursor = self.db.execute("INSERT INTO runs (started) VALUES (?)", (utc_now_iso(),))
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, counts: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, counts = ? WHERE id = ?",
            (utc_now_iso(), orjson.dumps(counts).decode(), run_id),
        )

    # reconciled offsets of output files

    def reconciled_bytes(self, path: Path) -> int:
        row = self.db.execute("SELECT reconciled_bytes FROM outputs WHERE path = ?", (path.name,)).fetchone()
        return row[0] if row else 0

    def set_reconciled(self, path: Path, size: int) -> None:
        self.db.execute(
            "INSERT INTO outputs (path, reconciled_bytes) VALUES (?, ?)"
            " ON CONFLICT(path) DO UPDATE SET reconciled_bytes = excluded.reconciled_bytes",
            (path.name, size),
        )


def reconcile(portal_dir: Path, state: StateStore) -> int:
    """Repair torn tails, then record every output record the state lacks; return how many.

    Only bytes past the last reconciled offset of each file are read, so this stays cheap on a
    large archive; a file that shrank (edited by hand) is read again from the start.
    """
    added = 0
    for path in sorted(portal_dir.glob("*.jsonl")):
        repair_torn_tail(path)
        if path.name == FAILURES_FILE:
            continue  # a log of failed requests: nothing in it is done
        size = path.stat().st_size
        start = state.reconciled_bytes(path)
        if start > size:
            start = 0
        if start < size:
            added += _reconcile_file(path, start, state)
        state.set_reconciled(path, size)
    return added


def _reconcile_file(path: Path, start: int, state: StateStore) -> int:
    is_rejects = path.name == REJECTS_FILE
    added = 0
    with path.open("rb") as handle:
        handle.seek(start)
        for line in handle:
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a foreign or damaged line: not ours to interpret
            url = record.get("url") if isinstance(record, dict) else None
            if not url:
                continue
            if is_rejects:
                if state.status(url) in (None, "failed"):  # rejected on a retry, not recorded
                    state.mark(url, "rejected", detail=str(record.get("reason", "")))
                    added += 1
            elif state.status(url) != "written":
                state.mark(url, "written", record.get("content_hash"))
                added += 1
    return added


class OutputWriter:
    """Writes articles to `<YYYY-MM-DD>.jsonl` and rejects to `rejects.jsonl`, then records them.

    The file date is the article's published date in the portal's timezone (a news day is the
    portal's day, not UTC's), falling back to the fetch date when the page gives no date.
    """

    MAX_OPEN = 16  # crawls mostly touch the newest few days; cap open descriptors anyway

    def __init__(self, portal_dir: Path, state: StateStore, tz: tzinfo) -> None:
        self.dir, self.state, self.tz = portal_dir, state, tz
        self._sinks: dict[str, JsonlSink] = {}
        self._rejects: JsonlSink | None = None
        self._failures: JsonlSink | None = None

    def write_article(self, article: Article) -> Path:
        day = output_day(article, self.tz)
        sink = self._sink(day)
        sink.write(article.to_dict())
        with self.state.transaction():  # one commit for both rows: it costs more than the statements
            self.state.mark(article.url, "written", article.content_hash)  # same step as the write
            return self._advance(sink)

    def write_reject(self, rejected: Rejected) -> None:
        if self._rejects is None:
            self._rejects = JsonlSink(self.dir / REJECTS_FILE)
        self._rejects.write(rejected.to_dict())
        with self.state.transaction():
            self.state.mark(rejected.url, "rejected", detail=str(rejected.reason))
            self._advance(self._rejects)

    def write_failure(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        """A line in failures.jsonl; the state (failed, so retried later) is the caller's business."""
        if self._failures is None:
            self._failures = JsonlSink(self.dir / FAILURES_FILE)
        record = {"url": url, "reason": reason, "kind": kind, "detail": detail, "at": utc_now_iso()}
        self._failures.write(record)

    def _advance(self, sink: JsonlSink) -> Path:
        """Everything up to here is recorded: the next start need not read it again."""
        assert sink.path is not None
        self.state.set_reconciled(sink.path, sink.path.stat().st_size)
        return sink.path

    def _sink(self, day: str) -> JsonlSink:
        sink = self._sinks.get(day)
        if sink is None:
            if len(self._sinks) >= self.MAX_OPEN:
                self._sinks.pop(next(iter(self._sinks))).close()
            sink = self._sinks[day] = JsonlSink(self.dir / f"{day}.jsonl")
        return sink

    def close(self) -> None:
        for sink in self._sinks.values():
            sink.close()
        self._sinks.clear()
        for sink in (self._rejects, self._failures):
            if sink is not None:
                sink.close()
        self._rejects = self._failures = None


def output_day(article: Article, tz: tzinfo) -> str:
    for value in (article.published_at, article.fetched_at):
        if not value:
            continue
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            continue
        when = when.replace(tzinfo=tz) if when.tzinfo is None else when.astimezone(tz)
        return when.date().isoformat()
    return datetime.now(tz).date().isoformat()


class PortalLock:
    """An exclusive `flock` on `<portal_dir>/.lock`: one crawl per portal and output folder.

    flock is released by the kernel when the process dies, so a killed crawl never leaves a stale
    lock; the pid written into the file only serves the error message.
    """

    def __init__(self, portal_dir: Path, portal: str = "") -> None:
        self.path = portal_dir / ".lock"
        self.portal = portal or portal_dir.name
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ConfigError(f"cannot create lock file {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise CrawlLockedError(
                f"another crawl of {self.portal} is running (pid {holder}; lock {self.path}): "
                "wait for it to finish or stop it"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> PortalLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
