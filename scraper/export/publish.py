"""Publishing an export so that readers see the old dataset or the new one, whole, never a mix.

OUTDIR's entries are symbolic links through one pointer:

    OUTDIR/.versions/<UTC time>-<pid>/   parquet/, jsonl/, README.md   (one complete export each)
    OUTDIR/current   -> .versions/<id>    the pointer: swapped with one atomic rename
    OUTDIR/parquet   -> current/parquet   (fixed links: they never change)
    OUTDIR/jsonl     -> current/jsonl
    OUTDIR/README.md -> current/README.md

An export writes a new version folder, then renames a new `current` link over the old one: every
path a reader opens resolves through `current`, so the card and the files always belong to the same
export. The previous version is kept until the next export (a reader that listed its files just
before the swap can still open them); older and abandoned ones are removed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

VERSIONS = ".versions"
POINTER = "current"
ENTRIES = ("parquet", "jsonl", "README.md")

# Called with the name of each step as it is about to run ("link", "swap", "retire"): tests
# inject a failure there to check that a crash between steps leaves a whole dataset.
StepHook = Callable[[str], None]


def no_hook(step: str) -> None:
    pass


def holds_dataset(outdir: Path) -> bool:
    return any((outdir / name).exists() or (outdir / name).is_symlink() for name in (POINTER, *ENTRIES))


def new_version(outdir: Path) -> Path:
    """A fresh version folder to build the export in (abandoned ones are removed first)."""
    versions = outdir / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    _remove_unused(outdir, keep=set())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = versions / f"{stamp}-{os.getpid()}"
    folder.mkdir()
    return folder


def discard(version: Path) -> None:
    shutil.rmtree(version, ignore_errors=True)


def publish(outdir: Path, version: Path, step: StepHook = no_hook) -> None:
    """Make `version` (a complete export under OUTDIR/.versions) the dataset readers see."""
    previous = current_version(outdir)
    step("link")
    for name in ENTRIES:
        _ensure_link(outdir, name)
    step("swap")
    pointer = outdir / f".{POINTER}-{os.getpid()}"
    pointer.unlink(missing_ok=True)
    pointer.symlink_to(Path(VERSIONS) / version.name)
    os.replace(pointer, outdir / POINTER)  # the one atomic step: old export before, new after
    step("retire")
    for name in ENTRIES:  # a format this export did not write: no dangling link
        link = outdir / name
        if link.is_symlink() and not link.exists():
            link.unlink()
    _remove_unused(outdir, keep={version.name, *([previous.name] if previous else [])})


def current_version(outdir: Path) -> Path | None:
    pointer = outdir / POINTER
    return pointer.resolve() if pointer.is_symlink() and pointer.exists() else None


def _ensure_link(outdir: Path, name: str) -> None:
    """OUTDIR/name -> current/name. An entry left by an export of schema version 1 (a real folder
    or file) is moved into a version folder of its own first: the only moment a reader could find
    it missing, once, when a dataset is first re-exported with this version."""
    link, target = outdir / name, Path(POINTER) / name
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    if link.exists() or link.is_symlink():
        legacy = outdir / VERSIONS / f"legacy-{os.getpid()}"
        legacy.mkdir(parents=True, exist_ok=True)
        os.replace(link, legacy / name)
    temporary = outdir / f".{name}-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _remove_unused(outdir: Path, keep: set[str]) -> None:
    """Version folders that are neither current, kept, nor being built by a live export."""
    current = current_version(outdir)
    keep = keep | ({current.name} if current else set())
    for folder in (outdir / VERSIONS).iterdir():
        if folder.name in keep:
            continue
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue  # another export is building it right now
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
