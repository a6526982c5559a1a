"""`scraper merge PORTAL`: the per-worker files of a distributed crawl, one file per day, each
article once (with --redis, the line its claim names; without, the newest line of each URL)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scraper.cli.options import Portal, err, fail
from scraper.errors import ScraperError

if TYPE_CHECKING:
    from scraper.distributed.shared_state import SharedState


def merge(
    portal: Portal,
    source: Annotated[
        Path, typer.Argument(metavar="INPUT", help="the workers' output folder, gathered (holds PORTAL/)")
    ] = Path("output"),
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FOLDER",
            help="merged files go to FOLDER/PORTAL/ (default: INPUT/merged)",
        ),
    ] = None,
    redis: Annotated[
        str | None, typer.Option("--redis", metavar="URL", help="the crawl's Redis: its claims decide")
    ] = None,
    to: Annotated[Path | None, typer.Option(hidden=True, help="deprecated: the exact target folder")] = None,
    release_missing: Annotated[
        bool, typer.Option(help="with --redis: free the claims of articles no file has, to fetch again")
    ] = False,
) -> None:
    """Merge the per-worker files of a distributed crawl into one file per day, each article once.

    With --redis, articles claimed as written whose line is in none of the files (a worker's
    files not gathered here, or lost with its machine) are listed in OUTPUT/PORTAL/missing.txt; with
    --release-missing their claims are dropped and the next `crawl --redis` fetches them again
    (run it once the job is over: a worker still writing would seem to have lost its newest lines).

    Example: scraper merge viva output -o merged --redis redis://10.0.0.5:6379/0
    """
    from scraper.distributed.output import merge as merge_files
    from scraper.distributed.output import unmatched_claims, worker_files
    from scraper.distributed.shared_state import LINK_ERRORS, SharedState, connect

    folder = source / portal
    if not folder.is_dir():
        raise fail(f"no output folder {folder}")
    target = to or (output if output is not None else source / "merged") / portal
    if target.resolve() == folder.resolve():
        raise fail(f"-o {output}: the merged files would overwrite the workers' files in {folder}; "
                   "-o names where merged files go, the workers' folder is the INPUT argument")  # fmt: skip
    if release_missing and not redis:
        raise fail("--release-missing needs --redis (the claims are there)")
    if next(worker_files(folder), None) is None:
        raise fail(f"nothing to merge in {folder}: no per-worker files (<date>.<worker>.jsonl); "
                   "single-process crawl output needs no merge", 1)  # fmt: skip
    try:
        shared = SharedState(connect(redis), portal, "merge") if redis else None
        kept, dropped = merge_files(folder, target, shared)
        summary = f"{portal}: {kept} articles merged into {target}, {dropped} extra lines left out"
        err.print(summary, highlight=False, soft_wrap=True)
        if shared is not None:
            _report_missing(unmatched_claims(folder, shared), target / "missing.txt", shared, release_missing)
    except ScraperError as exc:
        raise fail(str(exc)) from None
    except LINK_ERRORS as exc:  # merged files are complete or untouched (each is renamed into place)
        raise fail(f"lost Redis at {redis}: {exc}") from None


def _report_missing(missing: list[str], listing: Path, shared: SharedState, release: bool) -> None:
    listing.unlink(missing_ok=True)
    if not missing:
        return
    listing.write_text("".join(url + "\n" for url in missing), encoding="utf-8")
    err.print(f"{len(missing)} articles claimed as written are in none of these files: listed in {listing}",
              highlight=False, soft_wrap=True)  # fmt: skip
    if release:
        shared.release(missing)
        err.print("their claims are released: the next `scraper crawl --redis` fetches them again",
                  highlight=False, soft_wrap=True)  # fmt: skip
    else:
        err.print("if those files are lost for good, run merge again with --release-missing to fetch them "
                  "again", highlight=False, soft_wrap=True)  # fmt: skip
