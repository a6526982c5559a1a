"""The three records that flow through the pipeline: a fetched Page in, an Article or a Rejected out.

The Article is the published output schema (see README "Output schema"); bump SCHEMA_VERSION on any
change to its fields or their meaning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched (or saved) page, before any cleaning."""

    url: str
    body: bytes | str
    headers: Mapping[str, str] = field(default_factory=dict)
    fetched_at: str = field(default_factory=utc_now_iso)
    source: str | None = None  # input file path for offline cleaning; None for fetched pages
    status: int = 200

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


class RejectReason(StrEnum):
    """Why a page produced no article. Values are stable: they appear in reject files and reports."""

    EMPTY = "empty"  # zero bytes, or only whitespace
    NOT_HTML = "not_html"  # binary, PDF, image, JSON... by Content-Type or by sniffing
    UNDECODABLE = "undecodable"  # no encoding yields mostly-printable text
    TOO_LARGE = "too_large"  # over the configured size limit
    UNPARSABLE = "unparsable"  # the HTML parser gave up (pathological nesting etc.)
    INDEX_PAGE = "index_page"  # index, tag, section or hub page: a list of links, not an article
    NO_CONTENT = "no_content"  # no article text found
    TOO_SHORT = "too_short"  # body below the minimum word count
    TIMEOUT = "timeout"  # cleaning took longer than the per-page limit
    ERROR = "error"  # an unexpected exception in the cleaner; detail holds its type and message


@dataclass(frozen=True, slots=True)
class Rejected:
    url: str
    reason: RejectReason
    detail: str = ""
    source: str | None = None
    at: str = field(default_factory=utc_now_iso)

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["reason"] = str(self.reason)
        return record


@dataclass(frozen=True, slots=True)
class CleanTrace:
    """How the portal's own rules fared on one page. Not part of the output record: a crawl counts
    it into its layout-drift figures (scraper/crawl/quality.py), so that a run can tell when a
    portal's redesign left a rule matching nothing."""

    body_rule: str | None = None  # the portal `body` selector that scoped the article; None: generic
    # (rules-file key, selector) of the metadata the portal's own selectors supplied: title,
    # published, authors, section (authors only where JSON-LD named none: it comes first).
    field_rules: tuple[tuple[str, str], ...] = ()
    drop_rules: tuple[str, ...] = ()  # the portal `drop` selectors that removed something
    teasers_removed: int = 0  # teaser blocks (portal drop rules, generic teaser rules) and lines


@dataclass(frozen=True, slots=True)
class Article:
    """A clean article record: one JSON object per line in the output."""

    url: str
    portal: str
    title: str
    text: str  # paragraphs separated by "\n"
    canonical_url: str | None = None
    authors: tuple[str, ...] = ()
    published_at: str | None = None  # ISO 8601 with offset
    modified_at: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    image: str | None = None
    description: str | None = None
    pages: int = 1  # how many pages of a multi-page article were joined
    fetched_at: str = field(default_factory=utc_now_iso)
    source: str | None = None
    schema_version: int = SCHEMA_VERSION
    trace: CleanTrace | None = field(default=None, repr=False, compare=False)  # not in the output
    # Computed on first use and pickled with the record: a crawl's cleaning process computes them,
    # and the crawl process, which checks, writes and records them, does not go over the text again.
    _hash: str | None = field(default=None, init=False, repr=False, compare=False)
    _words: int | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def word_count(self) -> int:
        if self._words is None:
            object.__setattr__(self, "_words", len(self.text.split()))
        return self._words  # type: ignore[return-value]

    @property
    def content_hash(self) -> str:
        """sha256 of the whitespace-normalised text: equal text, equal hash, whatever the markup."""
        if self._hash is None:
            digest = hashlib.sha256(" ".join(self.text.split()).encode("utf-8")).hexdigest()
            object.__setattr__(self, "_hash", "sha256:" + digest)
        return self._hash  # type: ignore[return-value]

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"schema_version": self.schema_version}
        for name in (
            "url",
            "canonical_url",
            "portal",
            "title",
            "authors",
            "published_at",
            "modified_at",
            "section",
            "tags",
            "language",
            "image",
            "description",
            "text",
        ):
            value = getattr(self, name)
            record[name] = list(value) if isinstance(value, tuple) else value
        record["word_count"] = self.word_count
        record["content_hash"] = self.content_hash
        record["pages"] = self.pages
        record["fetched_at"] = self.fetched_at
        record["source"] = self.source
        return record


CleanResult = Article | Rejected
