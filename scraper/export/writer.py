"""Export article JSON lines as a dataset: hive-partitioned Parquet and/or per-portal JSONL.

Two passes keep memory flat at ~100k articles: the scan validates every line and keeps only a
small locator per distinct text (exact duplicates resolved, near-duplicate signatures indexed);
the write pass re-reads the kept lines partition by partition. All output goes to a new version
folder inside OUTDIR and is published with one atomic rename (scraper.export.publish), so readers
see the previous export or this one, whole. The dataset card text comes from the caller (`card`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby, islice
from pathlib import Path
from typing import IO, Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from scraper.export import publish as publishing
from scraper.export.dedup import ExactDedup, NearDupIndex
from scraper.export.schema import (
    EXPORT_SCHEMA,
    InvalidRecord,
    export_row,
    fetched_order,
    jsonl_row,
    partition_date,
    validate,
)
from scraper.export.types import ExportError, ExportOptions, ExportResult, Locator, ProgressHook

BATCH_ROWS = 2000  # rows per Arrow conversion and Parquet row group: bounds write-pass memory
# Crawl side files, not articles: rejects.jsonl, failures.jsonl and their per-worker forms.
SKIPPED_PREFIXES = ("rejects.", "failures.")


def find_inputs(inputs: Iterable[Path], exclude: Path | None = None) -> list[Path]:
    """Files as given; folders walked for *.jsonl (sorted), skipping rejects and `exclude`."""
    found: dict[Path, None] = {}
    skip_under = exclude.resolve() if exclude else None
    for path in inputs:
        if path.is_dir():
            for candidate in sorted(path.rglob("*.jsonl")):
                resolved = candidate.resolve()
                # An OUTDIR inside an input folder holds our own output, never input.
                if candidate.name.startswith(SKIPPED_PREFIXES) or (
                    skip_under and resolved.is_relative_to(skip_under)
                ):
                    continue
                if candidate.is_file():
                    found.setdefault(resolved)
        elif path.is_file():
            found.setdefault(path.resolve())
        else:
            raise ExportError(f"input not found: {path}")
    return list(found)


def _lines(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, line) of each non-blank line."""
    offset = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield number, offset, line
            offset += len(line)


def read_records(
    files: list[Path], result: ExportResult, hook: ProgressHook
) -> Iterator[tuple[Locator, dict[str, Any]]]:
    """Every valid record with its locator; malformed lines are noted in `result` and skipped."""
    for index, path in enumerate(files):
        try:
            for number, offset, line in _lines(path):
                result.lines += 1
                hook.advance(len(line))
                try:
                    record = validate(orjson.loads(line))
                    date = partition_date(record)
                except orjson.JSONDecodeError as exc:
                    result.note_problem(path, number, f"not JSON ({exc.msg})")
                    continue
                except InvalidRecord as exc:
                    result.note_problem(path, number, str(exc))
                    continue
                portal, language, content_hash = record["portal"], record["language"], record["content_hash"]
                yield Locator(index, offset, portal, date, language, content_hash), record
        except OSError as exc:
            raise ExportError(f"cannot read {path}: {exc.strerror or exc}") from exc


def scan(
    files: list[Path], options: ExportOptions, result: ExportResult, hook: ProgressHook
) -> tuple[list[Locator], dict[str, str]]:
    """Pass 1: validate, drop exact duplicates, cluster near-duplicates; (kept, hash -> cluster)."""
    hook.start("scan", sum(path.stat().st_size for path in files))
    if not options.dedup:
        return [where for where, _ in read_records(files, result, hook)], {}
    exact: ExactDedup[Locator] = ExactDedup()
    near = NearDupIndex(threshold=options.near_dup_threshold)
    for where, record in read_records(files, result, hook):
        # Only a text not seen before needs a signature: an exact copy has the same one.
        if exact.offer(where.content_hash, fetched_order(record), where):
            started = time.perf_counter()
            near.add(where.content_hash, record["text"])
            result.seconds["minhash"] += time.perf_counter() - started
    result.exact_duplicates = exact.dropped
    clusters = near.clusters()
    result.near_dup_articles = len(clusters)
    result.near_dup_clusters = len(set(clusters.values()))
    return list(exact.items()), clusters


class _LineReader:
    """Re-reads kept lines by offset, holding a few input files open at a time."""

    def __init__(self, files: list[Path], keep_open: int = 16) -> None:
        self.files = files
        self.keep_open = keep_open
        self._open: dict[int, IO[bytes]] = {}

    def record(self, where: Locator) -> dict[str, Any]:
        handle = self._handle(where.file)
        handle.seek(where.offset)
        line = handle.readline()
        try:
            record = validate(orjson.loads(line))
        except (orjson.JSONDecodeError, InvalidRecord):
            record = {}
        if record.get("content_hash") != where.content_hash:
            raise ExportError(f"{self.files[where.file]} changed during the export; run it again")
        return record

    def _handle(self, index: int) -> IO[bytes]:
        if index not in self._open:
            if len(self._open) >= self.keep_open:
                self._open.pop(next(iter(self._open))).close()
            self._open[index] = self.files[index].open("rb")
        return self._open[index]

    def close(self) -> None:
        for handle in self._open.values():
            handle.close()


def _batches(items: Iterable[Locator], size: int) -> Iterator[list[Locator]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def write(
    files: list[Path],
    kept: list[Locator],
    clusters: dict[str, str],
    version: Path,
    options: ExportOptions,
    result: ExportResult,
    hook: ProgressHook,
) -> None:
    """Pass 2: one Parquet part per (portal, date) and one train.jsonl per portal, in the version folder."""
    kept.sort(key=lambda where: (where.portal, where.date, where.file, where.offset))
    hook.start("write", len(kept))
    reader = _LineReader(files)
    jsonl: IO[bytes] | None = None
    jsonl_portal = None
    try:
        for (portal, date), group in groupby(kept, key=lambda where: (where.portal, where.date)):
            if "jsonl" in options.formats and portal != jsonl_portal:  # sorted: each portal once
                jsonl, jsonl_portal = _reopen(jsonl, version, _jsonl_name(portal), result), portal
            part = _parquet_name(portal, date) if "parquet" in options.formats else None
            writer = _parquet_writer(version, part, result) if part else None
            for batch in _batches(group, BATCH_ROWS):
                rows = []
                for where in batch:
                    row, unreadable = export_row(reader.record(where), clusters.get(where.content_hash))
                    result.unreadable_times += unreadable
                    rows.append(row)
                if writer:
                    writer.write_table(pa.Table.from_pylist(rows, schema=EXPORT_SCHEMA))
                if jsonl:
                    jsonl.write(b"".join(orjson.dumps(jsonl_row(row)) + b"\n" for row in rows))
                hook.advance(len(batch))
            if writer:
                writer.close()
    finally:
        reader.close()
        if jsonl:
            jsonl.close()


def _jsonl_name(portal: str) -> str:
    return f"jsonl/{portal}/train.jsonl"


def _parquet_name(portal: str, date: str) -> str:
    # Not hive folders (portal=...): `portal` and `date` are columns of every file, so readers that
    # infer hive keys would see them twice, with clashing types (string vs dictionary).
    return f"parquet/{portal}/{date}.parquet"


def _reopen(previous: IO[bytes] | None, version: Path, name: str, result: ExportResult) -> IO[bytes]:
    if previous:
        previous.close()
    (version / name).parent.mkdir(parents=True, exist_ok=True)
    result.written.append(name)
    return (version / name).open("wb")


def _parquet_writer(version: Path, name: str, result: ExportResult) -> pq.ParquetWriter:
    (version / name).parent.mkdir(parents=True, exist_ok=True)
    result.written.append(name)
    return pq.ParquetWriter(version / name, EXPORT_SCHEMA, compression="zstd")


def tally(kept: list[Locator], result: ExportResult) -> None:
    for where in kept:
        result.per_portal[where.portal] += 1
        result.languages[where.language or "unknown"] += 1
        first, last = result.dates.get(where.portal, (where.date, where.date))
        result.dates[where.portal] = (min(first, where.date), max(last, where.date))


def export(
    inputs: Iterable[Path],
    outdir: Path,
    options: ExportOptions | None = None,
    hook: ProgressHook | None = None,
    card: Callable[[ExportResult, ExportOptions], str] | None = None,
    step: publishing.StepHook = publishing.no_hook,
) -> ExportResult:
    """Export `inputs` (JSONL files or folders) to `outdir`; raises ExportError on unusable input/output."""
    options = options or ExportOptions()
    hook = hook or ProgressHook()
    files = find_inputs(inputs, exclude=outdir)
    if not files:
        raise ExportError("no .jsonl files in the inputs")
    if not options.overwrite and publishing.holds_dataset(outdir):
        raise ExportError(f"{outdir} already holds a dataset: give --overwrite to replace it")
    try:
        version = publishing.new_version(outdir)  # before the long scan: an unwritable OUTDIR fails fast
    except OSError as exc:
        raise ExportError(f"cannot write to {outdir}: {exc.strerror or exc}") from exc
    result = ExportResult(outdir=str(outdir), files=files)
    published = False
    try:
        started = time.perf_counter()
        kept, clusters = scan(files, options, result, hook)
        result.seconds["scan"] = time.perf_counter() - started
        if not kept:
            raise ExportError(f"no valid articles in the inputs ({result.malformed} malformed lines)")
        tally(kept, result)
        started = time.perf_counter()
        write(files, kept, clusters, version, options, result, hook)
        result.seconds["write"] = time.perf_counter() - started
        if card:
            (version / "README.md").write_text(card(result, options), encoding="utf-8")
        publishing.publish(outdir, version, step)
        published = True
    except OSError as exc:
        raise ExportError(f"cannot write to {outdir}: {exc.strerror or exc}") from exc
    finally:
        if not published and publishing.current_version(outdir) != version.resolve():
            publishing.discard(version)
    return result
