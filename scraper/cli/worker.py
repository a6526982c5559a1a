"""The `worker` and `merge` commands, and the `--redis` branch of `crawl`: crawling on many machines.

    scraper crawl viva --redis redis://10.0.0.5:6379/0 -o output      # discovery, and a worker too
    scraper worker viva --redis redis://10.0.0.5:6379/0 -o output     # more workers, any machine
    scraper merge viva -o output --redis redis://10.0.0.5:6379/0      # -> output/merged/viva/

Each worker writes `<output>/viva/<date>.<worker>.jsonl`. Gather the workers' folders in one place
(rsync; the file names do not collide) and run `merge`: it keeps the one line of each article
that its Redis claim names (without --redis: the newest line of each URL), into one file per day.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scraper.crawl_commands import (
    Backoff,
    Concurrency,
    CrawlDisplay,
    Delay,
    Jobs,
    MaxPages,
    OutputDir,
    RedisTimeout,
    Retries,
    Timeout,
    _fail,
    _setup_logging,
    build_config,
    err,
    print_summary,
)
from scraper.errors import ConfigError, ScraperError

if TYPE_CHECKING:
    from scraper.crawl import CrawlConfig
    from scraper.run_report import CrawlResult
    from scraper.shared_state import SharedState

RedisUrl = Annotated[str, typer.Option("--redis", help="shared queue and state: redis://HOST:PORT/DB")]


def crawl_distributed(
    config: CrawlConfig, redis_url: str, quiet: bool, redis_timeout: float | None, **options: object
) -> CrawlResult:
    """`crawl --redis` (discovery feeds the shared queue; this process works it too) or `worker`."""
    from scraper.worker_run import WorkerOptions, run_distributed

    if redis_timeout is not None:
        if not redis_timeout > 0:
            raise ConfigError(f"--redis-timeout {redis_timeout:g}: give seconds, more than 0")
        options["redis_timeout"] = redis_timeout

    display = CrawlDisplay(enabled=not quiet)
    try:
        return run_distributed(config, WorkerOptions(redis_url, **options), on_start=display.attach)  # type: ignore[arg-type]
    finally:
        display.stop()


def worker(
    portal: Annotated[str, typer.Argument(help="portal name, e.g. viva")],
    redis: RedisUrl,
    output: OutputDir = Path("output"),
    jobs: Jobs = 0,
    concurrency: Concurrency = 8,
    delay: Delay = 1.0,
    retries: Retries = 3,
    backoff: Backoff = 0.5,
    timeout: Timeout = 30.0,
    max_pages: MaxPages = None,
    idle_exit: Annotated[float, typer.Option(help="stop once idle this many seconds; 0: never")] = 10.0,
    worker_id: Annotated[str | None, typer.Option(help="stable id: a restart settles its files")] = None,
    heartbeat: Annotated[float, typer.Option(help="seconds of silence until a worker counts as dead")] = 10,
    redis_timeout: RedisTimeout = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="no live progress")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="log Scrapy's INFO messages")] = False,
) -> None:
    """Fetch and clean articles from the shared queue of a `crawl --redis`, until it stays empty.

    The window, base URL and --refresh are the coordinator's; the other options are this process's.
    --max-pages stops this worker after that many responses (what it holds goes back to the queue).

    Example: scraper worker viva --redis redis://10.0.0.5:6379/0 -o output
    """
    try:
        config = build_config(
            portal, output, None, None, jobs=jobs, concurrency=max(1, concurrency),
            start_delay=max(0.0, delay), retries=max(0, retries), backoff=max(0.0, backoff),
            download_timeout=timeout, max_pages=max_pages, log_level="INFO" if verbose else "WARNING",
        )  # fmt: skip
        _setup_logging(verbose)
        result = crawl_distributed(
            config, redis, quiet, redis_timeout, coordinator=False, worker_id=worker_id,
            idle_exit=max(0.0, idle_exit), heartbeat_ttl=max(1.0, heartbeat),
        )  # fmt: skip
    except ScraperError as exc:
        raise _fail(str(exc)) from None
    print_summary(result)
    if not result.ok:
        raise typer.Exit(130 if result.report.get("interrupted") else 1)


def merge(
    portal: Annotated[str, typer.Argument(help="portal name, e.g. viva")],
    output: Annotated[Path, typer.Option("-o", "--output", help="workers' output folder")] = Path("output"),
    redis: Annotated[str | None, typer.Option("--redis", help="the crawl's Redis: its claims decide")] = None,
    to: Annotated[Path | None, typer.Option(help="target folder (default: OUTPUT/merged/PORTAL)")] = None,
    release_missing: Annotated[
        bool, typer.Option(help="with --redis: free the claims of articles no file has, to fetch again")
    ] = False,
) -> None:
    """Merge the per-worker files of a distributed crawl into one file per day, each article once.

    With --redis, articles claimed as written whose line is in none of the files (a worker's
    files not gathered here, or lost with its machine) are listed in TO/missing.txt; with
    --release-missing their claims are dropped and the next `crawl --redis` fetches them again
    (run it once the job is over: a worker still writing would seem to have lost its newest lines).

    Example: scraper merge viva -o output --redis redis://10.0.0.5:6379/0
    """
    from scraper.shared_state import LINK_ERRORS, SharedState, connect
    from scraper.worker_output import merge as merge_files
    from scraper.worker_output import unmatched_claims

    folder = output / portal
    if not folder.is_dir():
        raise _fail(f"no output folder {folder}")
    if release_missing and not redis:
        raise _fail("--release-missing needs --redis (the claims are there)")
    try:
        shared = SharedState(connect(redis), portal, "merge") if redis else None
        target = to or output / "merged" / portal
        kept, dropped = merge_files(folder, target, shared)
        summary = f"{portal}: {kept} articles merged into {target}, {dropped} extra lines left out"
        err.print(summary, highlight=False, soft_wrap=True)
        if shared is not None:
            _report_missing(unmatched_claims(folder, shared), target / "missing.txt", shared, release_missing)
    except ScraperError as exc:
        raise _fail(str(exc)) from None
    except LINK_ERRORS as exc:  # merged files are complete or untouched (each is renamed into place)
        raise _fail(f"lost Redis at {redis}: {exc}") from None


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


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(merge)
