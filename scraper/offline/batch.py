"""Clean many saved pages, in order, on one or more processes (cleaning is CPU-bound)."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from cleaners.pipeline import clean_page
from cleaners.portals import portal_by_name
from cleaners.settings import DEFAULT_CLEAN, CleanSettings
from cleaners.types import Article, Rejected, RejectReason
from scraper.offline.inputs import printable, read_page

PARALLEL_FROM = 16  # below this many files, process start-up costs more than it saves


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool  # True: record is an Article, False: a Rejected
    record: dict[str, Any]


_worker_state: dict[str, Any] = {}


def _init_worker(
    settings: CleanSettings, headlines: Collection[str], url: str | None, portal: str | None = None
) -> None:
    rules = portal_by_name(portal) if portal else None  # None: by the page's host
    _worker_state.update(settings=settings, headlines=headlines, url=url, rules=rules)


def _clean_source(source: str) -> Outcome:
    try:
        page = read_page(source, _worker_state.get("url"), _worker_state["settings"].max_bytes)
    except OSError as exc:
        name = printable(source)
        detail = f"cannot read: {printable(exc.strerror or str(exc))}"
        return Outcome(
            False, Rejected(url=name, reason=RejectReason.ERROR, detail=detail, source=name).to_dict()
        )
    result = clean_page(page, _worker_state["settings"], _worker_state["headlines"], _worker_state["rules"])
    return Outcome(isinstance(result, Article), result.to_dict())


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def clean_sources(
    sources: Iterable[str],
    jobs: int = 1,
    settings: CleanSettings = DEFAULT_CLEAN,
    headlines: Collection[str] = frozenset(),
    url: str | None = None,
    portal: str | None = None,
) -> Iterator[Outcome]:
    """Yield one Outcome per source, in input order (`portal`: its rules for every page)."""
    sources = list(sources)
    if jobs <= 1 or len(sources) < PARALLEL_FROM or "-" in sources:
        _init_worker(settings, headlines, url, portal)
        for source in sources:
            yield _clean_source(source)
        return
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(settings, frozenset(headlines), url, portal)
    ) as pool:
        yield from pool.map(_clean_source, sources, chunksize=4)
