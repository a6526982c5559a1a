"""The crawl's output files, and their agreement with the state store.

`OutputWriter` writes each record as one whole line, then records it in the state (with the
offset its line ends at) in one commit. `reconcile`, at the start of every crawl, settles what a
kill or a power cut left behind:
- a torn last line is cut (`repair_torn_tail`);
- a record written but not recorded (a kill between the two steps) is recorded, so it is never
  written again;
- a record recorded but no longer in its file (the file is shorter than when the record was
  recorded: the disk never got the line before a power cut) is marked failed, so the crawl fetches
  it again. Lines removed from the middle of a file by hand are left alone: only records that
  ended past the file's new end count as lost.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import orjson

from cleaners.types import Article, Rejected, utc_now_iso
from scraper.crawl.sinks import JsonlSink, LazyJsonlSink, output_error, repair_torn_tail
from scraper.crawl.state import StateStore
from scraper.errors import OutputError

REJECTS_FILE = "rejects.jsonl"
FAILURES_FILE = "failures.jsonl"


@dataclass(frozen=True)
class Reconciled:
    added: int  # records in the files that the state lacked (a kill between write and commit)
    lost: list[str]  # URLs recorded as written whose line the files no longer have


def reconcile(portal_dir: Path, state: StateStore) -> Reconciled:
    """Repair torn tails, record every output record the state lacks, and forget the records a
    file lost (it is shorter than when they were recorded: they are fetched again).

    Only bytes past the last reconciled offset of each file are read, so this stays cheap on a
    large archive; a file that shrank (a power cut, or edited by hand) is read again from the start.
    """
    added, lost = 0, []
    for path in sorted(portal_dir.glob("*.jsonl")):
        repair_torn_tail(path)
        if path.name == FAILURES_FILE:
            continue  # a log of failed requests: nothing in it is done
        size = path.stat().st_size
        start = state.reconciled_bytes(path)
        if start == size:
            continue
        with state.transaction():
            if start > size:
                count, present = _reconcile_file(path, 0, state)
                added += count
                lost += state.forget_lost_lines(path.name, size, present)
            elif start < size:
                added += _reconcile_file(path, start, state)[0]
            state.set_reconciled(path, size)
    return Reconciled(added, lost)


def _reconcile_file(path: Path, start: int, state: StateStore) -> tuple[int, set[str]]:
    """(records marked, URLs of every record read) of `path` from byte `start` on."""
    is_rejects = path.name == REJECTS_FILE
    added, present = 0, set()
    with path.open("rb") as handle:
        handle.seek(start)
        end = start
        for line in handle:
            end += len(line)
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a foreign or damaged line: not ours to interpret
            url = record.get("url") if isinstance(record, dict) else None
            if not url or not isinstance(url, str):
                continue
            present.add(url)
            where = {"output": path.name, "line_end": end}
            if is_rejects:
                if state.status(url) in (None, "failed"):  # rejected on a retry, not recorded
                    state.mark(url, "rejected", detail=str(record.get("reason", "")), **where)
                    added += 1
            elif state.status(url) != "written":
                state.mark(url, "written", record.get("content_hash"), **where)
                added += 1
    return added, present


class OutputWriter:
    """Writes articles to `<YYYY-MM-DD>.jsonl` and rejects to `rejects.jsonl`, then records them.

    The file date is the article's published date in the portal's timezone (a news day is the
    portal's day, not UTC's), falling back to the fetch date when the page gives no date.

    A write that fails (disk full, I/O error) raises OutputError, and so does every write after
    it: the line is cut back off, and one the state could not record is too, so that what the
    state counts as written is exactly what the files hold; the crawl stops (CrawlContext).
    """

    MAX_OPEN = 16  # crawls mostly touch the newest few days; cap open descriptors anyway

    def __init__(self, portal_dir: Path, state: StateStore, tz: tzinfo) -> None:
        self.dir, self.state, self.tz = portal_dir, state, tz
        self._sinks: dict[str, JsonlSink] = {}
        self._rejects = LazyJsonlSink(portal_dir / REJECTS_FILE)
        self._failures = LazyJsonlSink(portal_dir / FAILURES_FILE)
        self.failure: OutputError | None = None  # the first failed write: nothing is written after it

    def write_article(self, article: Article) -> Path:
        sink = self._sink(output_day(article, self.tz))
        assert sink.path is not None
        self._write(
            sink, sink.path, article.to_dict(), article.url, "written", content_hash=article.content_hash
        )
        return sink.path

    def write_reject(self, rejected: Rejected) -> None:
        record = rejected.to_dict()
        self._write(
            self._rejects, self._rejects.path, record, rejected.url, "rejected", detail=str(rejected.reason)
        )

    def write_failure(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        """A line in failures.jsonl; the state (failed, so retried later) is the caller's business."""
        self._write(self._failures, self._failures.path, failure_record(url, reason, detail, kind))

    def _write(
        self, sink: JsonlSink | LazyJsonlSink, path: Path, record: dict, url: str = "", status: str = "",
        **fields: Any,
    ) -> None:  # fmt: skip
        """Write the line, then (with a `status`) record it; OutputError when either fails."""
        if self.failure is not None:
            raise self.failure
        try:
            end = sink.write(record)  # a line that fails half-way is cut off by the sink
        except OSError as exc:
            self.failure = output_error(exc, path)
            raise self.failure from exc
        if not status:
            return
        try:
            self._record(path, url, status, end, **fields)
        except sqlite3.Error as exc:  # the state cannot say so: the line goes too
            sink.cut_last()
            self.failure = output_error(exc, self.state.path)
            raise self.failure from exc

    def _record(self, path: Path, url: str, status: str, end: int, **fields: Any) -> None:
        """Mark `url` with the offset its line ends at, and the file as reconciled up to there (the
        next start need not read it again): one commit, which costs more than the statements."""
        with self.state.transaction():
            self.state.mark(url, status, output=path.name, line_end=end, **fields)
            self.state.set_reconciled(path, end)

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
        self._rejects.close()
        self._failures.close()


def failure_record(url: str, reason: str, detail: str, kind: str) -> dict[str, str]:
    """A line of failures.jsonl (single-process and per-worker alike)."""
    return {"url": url, "reason": reason, "kind": kind, "detail": detail, "at": utc_now_iso()}


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
