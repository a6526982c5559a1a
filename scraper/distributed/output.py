"""Output of a distributed crawl: one set of files per worker, exactly-once by Redis claims, and
the merge into the usual one-file-per-day layout.

    <output>/<portal>/<YYYY-MM-DD>.<worker>.jsonl   articles this worker wrote (only it appends)
    <output>/<portal>/rejects.<worker>.jsonl        its rejects
    <output>/<portal>/failures.<worker>.jsonl       its requests that failed for good (a log)
    <output>/<portal>/state.<worker>.sqlite         its copy of the headline index, its offsets

Exactly once: an article line is appended first, then claimed in Redis (`done[url]`, atomic); a
worker that loses the claim (another worker wrote the URL or the same text first: a request fetched
twice after a worker was presumed dead) cuts its line off again at once. A kill between the append
and the claim leaves one unclaimed line at most, the last one written; the worker restarted under
the same id settles it (claims it, or cuts it), and `merge` keeps only lines whose claim names the
file's worker, so a worker that never comes back costs nothing either.

With --refresh, an article whose text changed is written again (a second line, by whichever worker
fetched it) and its claim moves to the new line, so `merge` keeps the newest version; an unchanged
refetch writes nothing and only moves the claim's fetch time.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path
from typing import NamedTuple

import orjson

from cleaners.types import Article, Rejected
from scraper.crawl.output_files import failure_record, output_day
from scraper.crawl.sinks import LazyJsonlSink, dumps_line, output_error, repair_torn_tail
from scraper.crawl.state import StateStore
from scraper.distributed.shared_state import SharedState, written_token
from scraper.errors import OutputError

_WORKER_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([A-Za-z0-9][A-Za-z0-9_-]*)\.jsonl$")


class WorkerWriter:
    """The OutputWriter of one worker (same `write_article`/`write_reject` calls, so the crawl's
    RejectPipeline works unchanged); `write_article` returns None when written, else who owns it."""

    MAX_OPEN = 16

    def __init__(self, portal_dir: Path, shared: SharedState, state: StateStore, tz: tzinfo) -> None:
        self.dir, self.shared, self.state, self.tz = portal_dir, shared, state, tz
        self.worker_id = shared.worker_id
        self._fds: dict[Path, int] = {}
        self._rejects = LazyJsonlSink(portal_dir / f"rejects.{self.worker_id}.jsonl")
        self._failures = LazyJsonlSink(portal_dir / f"failures.{self.worker_id}.jsonl")
        self.failure: OutputError | None = None  # the first failed write: nothing is written after it

    def write_article(self, article: Article) -> str | None:
        """None when written and claimed, else who owns it; OutputError when the write fails (the
        line is cut off again, and nothing is claimed), and for every write after that."""
        if self.failure is not None:
            raise self.failure
        path = self.dir / f"{output_day(article, self.tz)}.{self.worker_id}.jsonl"
        try:
            fd = self._fd(path)
            start = os.fstat(fd).st_size  # only this worker appends to this file
            try:
                _write_all(fd, dumps_line(article.to_dict()))
            except OSError:
                os.ftruncate(fd, start)
                raise
        except OSError as exc:
            self.failure = output_error(exc, path)
            raise self.failure from exc
        owner = self.shared.claim_written(article.url, article.content_hash, _epoch(article.fetched_at))
        if owner is not None:
            os.ftruncate(fd, start)  # lost the claim: the line was never ours to keep
            return owner
        try:
            self.state.set_reconciled(path, os.fstat(fd).st_size)
        except sqlite3.Error as exc:  # written and claimed; a restart settles the offset (disk full)
            self.failure = output_error(exc, self.state.path)
        return None

    def write_reject(self, rejected: Rejected) -> None:
        # Claimed first: a reject is a diagnostic, losing one to a kill is harmless.
        if not self.shared.claim_rejected(rejected.url, str(rejected.reason)):
            return
        self._side(self._rejects, rejected.to_dict())

    def write_failure(self, url: str, reason: str, detail: str = "", kind: str = "article") -> None:
        self._side(self._failures, failure_record(url, reason, detail, kind))

    def _side(self, sink: LazyJsonlSink, record: dict) -> None:
        if self.failure is not None:
            raise self.failure
        try:
            sink.write(record)
        except OSError as exc:
            self.failure = output_error(exc, sink.path)
            raise self.failure from exc

    def _fd(self, path: Path) -> int:
        fd = self._fds.get(path)
        if fd is None:
            if len(self._fds) >= self.MAX_OPEN:
                os.close(self._fds.pop(next(iter(self._fds))))
            fd = self._fds[path] = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return fd

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        self._rejects.close()
        self._failures.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def worker_files(portal_dir: Path, worker_id: str | None = None) -> Iterator[tuple[Path, str, str]]:
    """(path, day, worker) of the per-worker article files, by name."""
    for path in sorted(portal_dir.glob("*.*.jsonl")):
        match = _WORKER_FILE.match(path.name)
        if match and (worker_id is None or match[2] == worker_id):
            yield path, match[1], match[2]


class Settled(NamedTuple):
    claimed: int  # lines nobody had claimed: claimed now
    cut: int  # lines claimed by another worker, or second copies: removed
    mine: int  # lines this worker had claimed without hearing the answer (a kill, a Redis outage)


def recover_own_files(portal_dir: Path, shared: SharedState, state: StateStore) -> Settled:
    """After a restart under the same worker id, or a claim whose answer was lost: settle the
    lines written after the last claim this worker recorded (at most the one it was writing). A
    line nobody claimed is claimed now; one claimed by another worker, or a second copy of a line
    of this file, is cut."""
    claimed = cut = mine = 0
    for path, _, _ in worker_files(portal_dir, shared.worker_id):
        repair_torn_tail(path)
        start = min(state.reconciled_bytes(path), path.stat().st_size)
        with path.open("rb") as handle:
            head, tail = handle.read(start), handle.read()
        lines = tail.splitlines(keepends=True)
        keep, known = [], _versions(head) if lines else set()
        for line in lines:
            record = _record(line)
            verdict = _settle(record, shared, known) if record else "cut"
            if verdict != "cut":
                claimed += verdict == "claimed"
                mine += verdict == "mine"
                keep.append(line)
                known.add((record["url"], record["content_hash"]))  # type: ignore[index]
        cut += len(lines) - len(keep)
        if len(keep) != len(lines):
            with path.open("rb+") as handle:
                handle.truncate(start)
                handle.seek(start)
                handle.write(b"".join(keep))
        state.set_reconciled(path, path.stat().st_size)
    return Settled(claimed, cut, mine)


def _settle(record: dict, shared: SharedState, known: set[tuple[str, str]]) -> str:
    """ "claimed" (now), "mine" (claimed before the kill), or "cut". A line is never claimed over
    another one here (as a refresh does): it may be older than the claim."""
    url, content_hash = record["url"], record["content_hash"]
    if (url, content_hash) in known:
        return "cut"  # a refetch that was being cut off when the worker died
    owner = shared.claim_written(url, content_hash, _epoch(record.get("fetched_at")), settle=True)
    if owner is None:
        return "claimed"
    return "mine" if owner == written_token(shared.worker_id, content_hash) else "cut"


def _versions(data: bytes) -> set[tuple[str, str]]:
    """(url, content hash) of the records in `data`: a refreshed article may have two."""
    records = (_record(line) for line in data.splitlines())
    return {(record["url"], record["content_hash"]) for record in records if record is not None}


def _epoch(iso: str | None) -> float | None:
    try:
        return datetime.fromisoformat(iso).timestamp() if iso else None
    except ValueError:
        return None


def _record(line: bytes) -> dict | None:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    ok = isinstance(record, dict) and record.get("url") and record.get("content_hash")
    return record if ok else None


def merge(portal_dir: Path, target: Path, shared: SharedState | None) -> tuple[int, int]:
    """Merge every worker's files into `target/<day>.jsonl` (rewritten whole: idempotent), sorted
    by publication time, then URL. With Redis, a line is kept only if the claim of its URL names
    its worker and text; without, the newest line of each URL (by `fetched_at`; a --refresh may
    have written two versions; between equal ones the first by file name). Returns (kept, dropped)."""
    by_day: dict[str, list[tuple[Path, str]]] = {}
    for path, day, worker in worker_files(portal_dir):
        by_day.setdefault(day, []).append((path, worker))
    target.mkdir(parents=True, exist_ok=True)
    kept = dropped = 0
    seen: set[str] = set()
    newest = {} if shared else _newest(portal_dir)
    for day, files in sorted(by_day.items()):
        records = []
        for path, worker in files:
            lines = _records(path)
            chosen = [r for r in lines if newest[r["url"]] == _version(r)] if newest else lines
            for record in _claimed(lines, worker, shared) if shared else chosen:
                if record["url"] not in seen:
                    seen.add(record["url"])
                    records.append(record)
            dropped += len(lines)
        dropped -= len(records)
        records.sort(key=lambda r: (r.get("published_at") or "", r["url"]))
        _replace(target / f"{day}.jsonl", b"".join(dumps_line(r) for r in records))
        kept += len(records)
    return kept, dropped


def unmatched_claims(portal_dir: Path, shared: SharedState) -> list[str]:
    """URLs claimed as written whose claimed line is in none of the worker files in `portal_dir`:
    files not gathered there, or lost with a worker's machine (a crash before the disk had them)."""
    lines = {
        (record["url"], written_token(worker, record["content_hash"]))
        for path, _, worker in worker_files(portal_dir) for record in _records(path)
    }  # fmt: skip
    return sorted(url for url, claim in shared.written_claims() if (url, claim) not in lines)


def _records(path: Path) -> list[dict]:
    return [record for line in path.read_bytes().splitlines() if (record := _record(line)) is not None]


def _version(record: dict) -> tuple[str, str]:
    return record.get("fetched_at") or "", record["content_hash"]


def _newest(portal_dir: Path) -> dict[str, tuple[str, str]]:
    """url -> (fetched_at, content hash) of its newest line in the worker files."""
    newest: dict[str, tuple[str, str]] = {}
    for path, _, _ in worker_files(portal_dir):
        for record in _records(path):
            newest[record["url"]] = max(newest.get(record["url"], ("", "")), _version(record))
    return newest


def _claimed(records: list[dict], worker: str, shared: SharedState) -> list[dict]:
    owners: list[str | None] = []
    for start in range(0, len(records), 1000):
        owners += shared.owners([r["url"] for r in records[start : start + 1000]])
    return [
        record for record, owner in zip(records, owners, strict=True)
        if owner == written_token(worker, record["content_hash"])
    ]  # fmt: skip


def _replace(path: Path, data: bytes) -> None:
    partial = path.with_suffix(".jsonl.partial")
    partial.write_bytes(data)
    partial.replace(path)
