"""The export's record schema: field list, Arrow schema, per-record validation and dating."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from cleaners.types import SCHEMA_VERSION, Article

_SAFE_PORTAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # it becomes a folder name

# Article.to_dict() fields in order: (name, kind, nullable). Timestamps stay ISO strings so that
# their offsets survive the round trip (Arrow timestamps would normalise them to UTC).
FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("schema_version", "int", False), ("url", "str", False), ("canonical_url", "str", True),
    ("portal", "str", False), ("title", "str", False), ("authors", "list", False),
    ("published_at", "str", True), ("modified_at", "str", True), ("section", "str", True),
    ("tags", "list", False), ("language", "str", True), ("image", "str", True),
    ("description", "str", True), ("text", "str", False), ("word_count", "int", False),
    ("content_hash", "str", False), ("pages", "int", False), ("fetched_at", "str", True),
    ("source", "str", True),
)  # fmt: skip
REQUIRED = frozenset({"url", "portal", "title", "text"})
ADDED_FIELDS = ("near_dup_cluster",)
_ARROW = {"int": pa.int32(), "str": pa.string(), "list": pa.list_(pa.string())}
EXPORT_SCHEMA = pa.schema(
    [pa.field(name, _ARROW[kind], nullable=nullable) for name, kind, nullable in FIELDS]
    + [pa.field(name, pa.string()) for name in ADDED_FIELDS],
    metadata={"article_schema_version": str(SCHEMA_VERSION)},
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
            raise InvalidRecord(f"field {name}: expected {kind}, got {type(value).__name__}")
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
    if kind == "str":
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
