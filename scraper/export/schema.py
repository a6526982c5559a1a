"""The export's record schema: field list, Arrow schema, per-record validation, dating, and the
conversion of an article record into an export row (real timestamps plus their original offsets).

Times: `published_at`, `modified_at` and `fetched_at` are stored as UTC instants
(`timestamp[us, tz=UTC]` in Parquet, so every reader gets a tz-aware value), and the offset the
portal printed is kept beside them in `published_offset` / `modified_offset` (minutes east of UTC):
`published_at + published_offset` is the portal's wall-clock time. A time without an offset is read
in the portal's zone (cleaners/portals), or UTC for fetched_at and unknown portals.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, tzinfo
from typing import Any

import pyarrow as pa

from cleaners.portals import portal_by_name, portal_tz
from cleaners.types import SCHEMA_VERSION, Article

# The dataset's own schema version: 2 stores times as timestamps, adds the offsets and `date`
# columns, and lays Parquet out as parquet/<portal>/<date>.parquet (1: ISO strings, hive folders).
EXPORT_SCHEMA_VERSION = 2
_SAFE_PORTAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # it becomes a folder name

# Article.to_dict() fields in order: (name, kind, nullable).
FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("schema_version", "int", False), ("url", "str", False), ("canonical_url", "str", True),
    ("portal", "str", False), ("title", "str", False), ("authors", "list", False),
    ("published_at", "time", True), ("modified_at", "time", True), ("section", "str", True),
    ("tags", "list", False), ("language", "str", True), ("image", "str", True),
    ("description", "str", True), ("text", "str", False), ("word_count", "int", False),
    ("content_hash", "str", False), ("pages", "int", False), ("fetched_at", "time", True),
    ("source", "str", True),
)  # fmt: skip
REQUIRED = frozenset({"url", "portal", "title", "text"})
# Columns the export adds to every row: (name, kind).
ADDED_FIELDS: tuple[tuple[str, str], ...] = (
    ("published_offset", "offset"), ("modified_offset", "offset"), ("date", "date"),
    ("near_dup_cluster", "str"),
)  # fmt: skip
OFFSET_OF = {"published_at": "published_offset", "modified_at": "modified_offset"}
ARROW_TYPES = {
    "int": pa.int32(), "str": pa.string(), "list": pa.list_(pa.string()),
    "time": pa.timestamp("us", tz="UTC"), "offset": pa.int16(), "date": pa.date32(),
}  # fmt: skip
EXPORT_SCHEMA = pa.schema(
    [pa.field(name, ARROW_TYPES[kind], nullable=nullable) for name, kind, nullable in FIELDS]
    + [pa.field(name, ARROW_TYPES[kind]) for name, kind in ADDED_FIELDS],
    metadata={
        "article_schema_version": str(SCHEMA_VERSION),
        "export_schema_version": str(EXPORT_SCHEMA_VERSION),
    },
)


class InvalidRecord(ValueError):
    pass


def validate(raw: Any) -> dict[str, Any]:
    """The record with exactly the schema's fields, in order; derived fields filled when absent."""
    if not isinstance(raw, dict):
        raise InvalidRecord(f"not a JSON object ({type(raw).__name__})")
    if missing := sorted(REQUIRED - raw.keys()):
        raise InvalidRecord(f"missing field {', '.join(missing)}")
    record: dict[str, Any] = {}
    for name, kind, nullable in FIELDS:
        value = raw.get(name)
        if value is None and not nullable:
            value = _default(name, raw)
        if value is not None and not _fits(kind, value):
            expected = "str" if kind == "time" else kind
            raise InvalidRecord(f"field {name}: expected {expected}, got {type(value).__name__}")
        record[name] = value
    if not _SAFE_PORTAL.fullmatch(record["portal"]):
        raise InvalidRecord(f"portal {record['portal']!r} is not a plain name")
    return record


def _default(name: str, raw: dict[str, Any]) -> Any:
    if name == "schema_version":
        return SCHEMA_VERSION
    if name in ("authors", "tags"):
        return []
    if name == "pages":
        return 1
    text = raw["text"] if isinstance(raw["text"], str) else ""
    if name == "word_count":
        return len(text.split())
    if name == "content_hash":  # as the cleaner computes it
        return Article(url="", portal="", title="", text=text).content_hash
    raise InvalidRecord(f"field {name} is null")


def _fits(kind: str, value: Any) -> bool:
    if kind in ("str", "time"):
        return isinstance(value, str)
    if kind == "int":  # bool is an int to Python, not to the schema
        return isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def partition_date(record: dict[str, Any]) -> str:
    """published_at's own local date (the day the portal printed), else fetched_at's."""
    for name in ("published_at", "fetched_at"):
        if when := _parse_time(record[name]):
            return when.date().isoformat()
    raise InvalidRecord("no readable published_at or fetched_at to date it by")


def fetched_order(record: dict[str, Any]) -> float:
    """Seconds since the epoch of fetched_at (naive means UTC); unreadable sorts last."""
    when = _parse_time(record["fetched_at"])
    if when is None:
        return math.inf
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


_zones: dict[str, tzinfo] = {}


def _portal_zone(portal: str) -> tzinfo:
    if portal not in _zones:
        rules = portal_by_name(portal)
        _zones[portal] = portal_tz(rules) if rules is not None else UTC
    return _zones[portal]


def export_row(record: dict[str, Any], cluster: str | None) -> tuple[dict[str, Any], int]:
    """(the Parquet row of a validated record, how many of its times were unreadable and left null).
    Times become aware datetimes (Arrow stores them as UTC); offsets and the local date are added."""
    row = dict(record)
    unreadable = 0
    for name, kind, _ in FIELDS:
        if kind != "time" or record[name] is None:
            continue
        when = _parse_time(record[name])
        if when is None:
            unreadable += 1
        elif when.tzinfo is None:
            when = when.replace(tzinfo=UTC if name == "fetched_at" else _portal_zone(record["portal"]))
        row[name] = when
    for name, offset_name in OFFSET_OF.items():
        when = row[name]
        offset = when.utcoffset() if isinstance(when, datetime) else None
        row[offset_name] = None if offset is None else int(offset.total_seconds() // 60)
        if not isinstance(when, datetime):
            row[name] = None
    if not isinstance(row["fetched_at"], datetime):
        row["fetched_at"] = None
    row["date"] = date.fromisoformat(partition_date(record))
    row["near_dup_cluster"] = cluster
    return row, unreadable


def jsonl_row(row: dict[str, Any]) -> dict[str, Any]:
    """The same row for JSON lines: times as ISO 8601 with their original offset (any reader that
    is told the column is a UTC timestamp, e.g. `datasets` with the card's features, gets the same
    instant as from Parquet), the date as YYYY-MM-DD."""
    line = dict(row)
    for name, kind, _ in FIELDS:
        if kind == "time" and line[name] is not None:
            line[name] = line[name].isoformat()
    line["date"] = line["date"].isoformat()
    return line
