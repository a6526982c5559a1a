"""Crawl state of one portal: what was fetched and written, the headline index, runs, and the lock.

Layout under `<output>/<portal>/`:

    state.sqlite        seen URLs, headline index, runs, reconciled output offsets (SQLite, WAL)
    .lock               flock held by the running crawl; holds its pid for the error message
    <YYYY-MM-DD>.jsonl  articles by published date (scraper.crawl.output_files.OutputWriter)
    rejects.jsonl       pages that yielded no article
    failures.jsonl      requests that failed for good (network, HTTP, limits); a log, not state

The output files are the truth and the state is an index of them: a record is written first and
recorded right after (with the offset its line ends at), and scraper.crawl.output_files.reconcile
settles any difference at the next start: a record the state missed (a kill between the two steps)
is recorded, so a later crawl never writes it again; a record the file lost (a power cut before
the disk had it) is fetched again.

So a state.sqlite that is corrupt (not a database, or failing SQLite's quick check at open) is set
aside as `state.sqlite.corrupt-<UTC time>` and a new one is rebuilt from the output files, as for a
missing one (`open_state`); what only the state knew is lost with it: earlier failures (asked for
again by the next runs) and the run history; the headline index fills again from the feeds.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from cleaners.types import utc_now_iso
from scraper.errors import ConfigError, CrawlLockedError, OutputError, ScraperError

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    url TEXT PRIMARY KEY, first_seen TEXT NOT NULL, last_fetched TEXT,
    content_hash TEXT, status TEXT NOT NULL, detail TEXT, output TEXT, line_end INTEGER
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
RETRY_FAILED_DAYS = 7  # failed articles are asked for again by later runs for this long
_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # sqlite_errorname prefixes of a damaged file
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


class StateError(ScraperError):
    """The state file cannot be opened; `corrupt`: it is damaged (not a database, malformed)."""

    def __init__(self, message: str, corrupt: bool = False) -> None:
        super().__init__(message)
        self.corrupt = corrupt


class StateStore:
    """SQLite state of one portal. Used from one thread (the crawl's reactor thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)  # autocommit: each step is durable
        try:
            self._open()
        except StateError:
            self.db.close()
            raise
        except sqlite3.DatabaseError as exc:
            self.db.close()
            name = getattr(exc, "sqlite_errorname", "") or ""
            if name.startswith(_CORRUPT):
                raise StateError(f"the crawl state {path} is corrupt ({exc})", corrupt=True) from None
            if name == "SQLITE_FULL":
                raise OutputError(f"no space left on the device writing {path}", "disk_full") from None
            raise StateError(f"cannot open the crawl state {path}: {exc}") from None

    def _open(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        # A damaged file fails here, at open, not half-way through a crawl (~0.15 s per 500,000 URLs).
        if (check := self.db.execute("PRAGMA quick_check(1)").fetchone()[0]) != "ok":
            raise StateError(f"the crawl state {self.path} is corrupt ({check})", corrupt=True)
        self.db.executescript(SCHEMA)
        self._add_columns("seen", output="TEXT", line_end="INTEGER")  # a state from before they were
        self.headline_version = self._max_headline_id()

    def _add_columns(self, table: str, **columns: str) -> None:
        present = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in present:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

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

    def status_detail(self, url: str) -> tuple[str, str] | None:
        """`url`'s status and its detail (a reject's reason), or None if never seen."""
        row = self.db.execute("SELECT status, detail FROM seen WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1] or "") if row else None

    def has_content(self, content_hash: str) -> bool:
        query = "SELECT 1 FROM seen WHERE content_hash = ? AND status = 'written' LIMIT 1"
        return self.db.execute(query, (content_hash,)).fetchone() is not None

    def mark(
        self, url: str, status: str, content_hash: str | None = None, detail: str = "",
        output: str | None = None, line_end: int | None = None,
    ) -> None:  # fmt: skip
        """Record `url`'s status; `output` and `line_end`: the file and offset its line ends at."""
        now = utc_now_iso()
        self.db.execute(
            "INSERT INTO seen (url, first_seen, last_fetched, content_hash, status, detail, output, line_end)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET"
            " last_fetched = excluded.last_fetched,"
            " content_hash = COALESCE(excluded.content_hash, seen.content_hash),"
            " status = excluded.status, detail = excluded.detail,"
            # "written" again without a place: an unchanged refetch, whose line stays where it was.
            " output = COALESCE(excluded.output, CASE excluded.status WHEN 'written' THEN seen.output END),"
            " line_end = COALESCE(excluded.line_end,"
            " CASE excluded.status WHEN 'written' THEN seen.line_end END)",
            (url, now, now, content_hash, status, detail, output, line_end),
        )

    def forget_lost_lines(self, output: str, size: int, present: set[str]) -> list[str]:
        """URLs recorded as ending past `size` in `output` whose line is not in it (`present`): the
        file lost them after they were recorded (a power cut before the disk had them). They are
        marked failed, so the next crawl fetches them again."""
        query = "SELECT url FROM seen WHERE output = ? AND line_end > ? AND status IN ('written', 'rejected')"
        lost = [url for (url,) in self.db.execute(query, (output, size)) if url not in present]
        for url in lost:
            self.mark(url, "failed", detail=f"its line was lost from {output}")
        return lost

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


def open_state(path: Path) -> tuple[StateStore, Path | None]:
    """The state at `path`, and where a corrupt one was set aside (None if it was not): it is
    renamed, with its WAL files, and an empty state takes its place, which the caller rebuilds
    from the output files (scraper.crawl.output_files.reconcile)."""
    try:
        return StateStore(path), None
    except StateError as exc:
        if not exc.corrupt:
            raise
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        for suffix in ("", "-wal", "-shm"):
            part = path.with_name(path.name + suffix)
            if part.exists():
                part.rename(aside.with_name(aside.name + suffix))
    except OSError as rename_error:
        raise StateError(
            f"the crawl state {path} is corrupt and cannot be set aside ({rename_error.strerror}): "
            "move it away; the next crawl rebuilds it from the output files"
        ) from None
    return StateStore(path), aside


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
            if exc.errno in _FULL_ERRNOS:
                raise OutputError(
                    f"no space left on the device for the lock file {self.path}", "disk_full"
                ) from None
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
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:
            os.close(fd)
            if exc.errno in _FULL_ERRNOS:
                raise OutputError(
                    f"no space left on the device for the lock file {self.path}", "disk_full"
                ) from None
            raise ConfigError(f"cannot write lock file {self.path}: {exc.strerror}") from None
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
