"""Where records go: JSON lines, one whole line per write, never a torn line left behind.

Each record is serialised first and written with a single `write` of the complete line on a file
opened in append mode, so a reader never sees a partial record from this process. A file that a
killed process left with a partial last line is repaired (the fragment is cut) before appending.
A write that fails (disk full) is cut back off at once; `output_error` names the failure.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import IO, Any

import orjson

from scraper.errors import OutputError

_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


def dumps_line(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record) + b"\n"


def output_error(exc: BaseException, path: Path | str) -> OutputError:
    """An OutputError for a failed write of `path` (an OSError, or sqlite3's for the state):
    reason "disk_full" for no space or quota left, else "write_error"."""
    if getattr(exc, "errno", None) in _FULL_ERRNOS or getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
        return OutputError(f"no space left on the device writing {path}", "disk_full")
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    return OutputError(f"cannot write {path}: {detail}", "write_error")


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
        self._last_start = 0  # where the last line written starts (owned files)
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

    def write(self, record: dict[str, Any]) -> int:
        """Write one line; for a file, return the offset it ends at (0 for a stream)."""
        line = dumps_line(record)
        end = 0
        if self._owned:
            end = self._write_whole(line)
        else:
            self._stream.write(line)
        if self.fsync and self._owned:
            os.fsync(self._stream.fileno())
        elif not self._owned:
            self._stream.flush()
        self.count += 1
        return end

    def cut_last(self) -> None:
        """Take the last line written off again (its record could not be kept, e.g. in the state)."""
        if self._owned:
            os.ftruncate(self._stream.fileno(), self._last_start)
            self.count -= 1

    def _write_whole(self, line: bytes) -> int:
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
        self._last_start = start
        return start + done

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

    def write(self, record: dict[str, Any]) -> int:
        if self._sink is None:
            self._sink = JsonlSink(self.path)
        return self._sink.write(record)

    def cut_last(self) -> None:
        if self._sink is not None:
            self._sink.cut_last()

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None
