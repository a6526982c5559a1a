"""Where records go: JSON lines, one whole line per write, never a torn line left behind.

Each record is serialised first and written with a single `write` of the complete line on a file
opened in append mode, so a reader never sees a partial record from this process. A file that a
killed process left with a partial last line is repaired (the fragment is cut) before appending.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Any

import orjson


def dumps_line(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record) + b"\n"


def repair_torn_tail(path: Path) -> int:
    """Cut a trailing partial line (no final newline) left by a killed writer; return bytes cut."""
    if not path.exists():
        return 0
    with path.open("rb+") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        if size == 0:
            return 0
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return 0
        # Walk back to the last newline: everything after it is the fragment.
        step = 65536
        position = size
        while position > 0:
            start = max(0, position - step)
            handle.seek(start)
            chunk = handle.read(position - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                keep = start + cut + 1
                handle.truncate(keep)
                return size - keep
            position = start
        handle.truncate(0)
        return size


class JsonlSink:
    """Append JSON lines to a file (or a stream such as stdout)."""

    def __init__(self, target: Path | IO[bytes] | None, fsync: bool = False) -> None:
        self.path: Path | None = None
        self._owned = False
        self.fsync = fsync
        self.count = 0
        if target is None:
            self._stream: IO[bytes] = sys.stdout.buffer
        elif isinstance(target, Path):
            target.parent.mkdir(parents=True, exist_ok=True)
            repair_torn_tail(target)
            self.path = target
            self._stream = target.open("ab", buffering=0)
            self._owned = True
        else:
            self._stream = target

    def write(self, record: dict[str, Any]) -> None:
        line = dumps_line(record)
        if self._owned:
            self._write_whole(line)
        else:
            self._stream.write(line)
        if self.fsync and self._owned:
            os.fsync(self._stream.fileno())
        elif not self._owned:
            self._stream.flush()
        self.count += 1

    def _write_whole(self, line: bytes) -> None:
        """All of `line` or nothing: an unbuffered file may take part of a write (then the rest is
        sent), and a failing write (disk full) is cut back off, so no torn line is left for the
        next record to be appended to."""
        start, done = self._stream.tell(), 0
        try:
            while done < len(line):
                sent = self._stream.write(line[done:])
                if not sent:
                    raise OSError(f"write to {self.path} made no progress")
                done += sent
        except BaseException:
            os.ftruncate(self._stream.fileno(), start)
            raise

    def close(self) -> None:
        if self._owned:
            self._stream.close()

    def __enter__(self) -> JsonlSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LazyJsonlSink:
    """A JsonlSink for a side file (rejects, failures) that most runs never write to: the file is
    created by its first record, not before."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sink: JsonlSink | None = None

    def write(self, record: dict[str, Any]) -> None:
        if self._sink is None:
            self._sink = JsonlSink(self.path)
        self._sink.write(record)

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None
