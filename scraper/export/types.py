"""What an export takes and gives: options, the result it reports, its error, its progress hook."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from scraper.errors import ScraperError
from scraper.export.dedup import DEFAULT_THRESHOLD

FORMATS = ("parquet", "jsonl")
MAX_PROBLEMS_KEPT = 1000  # malformed lines beyond this are counted, not listed


class ExportError(ScraperError):
    pass


@dataclass(frozen=True, slots=True)
class ExportOptions:
    formats: tuple[str, ...] = FORMATS
    near_dup_threshold: float = DEFAULT_THRESHOLD
    dedup: bool = True  # False: keep exact duplicates, no near-duplicate clusters
    overwrite: bool = False  # replace a dataset already in OUTDIR (else the export refuses)


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(slots=True)
class Locator:
    """A kept record: where to re-read it, and what the partitioning and the card need."""

    file: int
    offset: int
    portal: str
    date: str
    language: str | None
    content_hash: str


class ProgressHook:
    """Progress callbacks; this default does nothing (the CLI supplies a rich one)."""

    def start(self, stage: str, total: int | None) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


@dataclass
class ExportResult:
    outdir: str = ""
    files: list[Path] = field(default_factory=list)
    lines: int = 0
    malformed: int = 0
    problems: list[Problem] = field(default_factory=list)
    exact_duplicates: int = 0
    near_dup_clusters: int = 0
    near_dup_articles: int = 0
    per_portal: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    dates: dict[str, tuple[str, str]] = field(default_factory=dict)  # portal -> (first, last)
    written: list[str] = field(default_factory=list)  # paths relative to the version folder
    unreadable_times: int = 0  # time fields that were not ISO 8601, stored as null
    seconds: Counter[str] = field(default_factory=Counter)  # scan, minhash (part of scan), write

    @property
    def articles(self) -> int:
        return sum(self.per_portal.values())

    def note_problem(self, path: Path, line: int, reason: str) -> None:
        self.malformed += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(str(path), line, reason))
