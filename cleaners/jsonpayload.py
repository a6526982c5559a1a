"""The article from a JSON payload, for pages whose markup holds no article text.

Script-rendered pages ship the article as data: JSON-LD `articleBody`, Next.js `__NEXT_DATA__`, or
another `application/json` state script. Only used when the markup yielded too little text (the
page would be rejected otherwise), so that a page with text in its markup is never read twice.

In a state object the article sits beside teasers of other articles, so the prose strings are
scoped as the markup is (scope.py): the deepest object or list holding most of the payload's
prose is the article, and its prose strings, in order, are the text.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from selectolax.lexbor import LexborHTMLParser

_STATE_SCRIPT = re.compile(
    r"<script\b[^>]*\btype=[\"']?application/(?:json|ld\+json)[\"']?[^>]*>(.*?)</script>",
    re.IGNORECASE | re.DOTALL,
)
MIN_PROSE_CHARS = 60
SHARE = 0.6
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)\]]\s*$")
_MARKUP = re.compile(r"<[a-zA-Z/][^>]*>")


def _prose(value: str) -> list[str]:
    """Paragraphs of a string if it is prose: plain text, or an HTML fragment of paragraphs."""
    if len(value) < MIN_PROSE_CHARS or " " not in value or value.startswith(("http://", "https://", "{")):
        return []
    if _MARKUP.search(value):
        tree = LexborHTMLParser(f"<body>{value}</body>")
        blocks = tree.css("p, li, h2, h3, blockquote") or ([tree.body] if tree.body else [])
        lines = [" ".join(block.text(separator=" ").split()) for block in blocks]
    else:
        lines = [" ".join(line.split()) for line in value.splitlines()]
    lines = [line for line in lines if line]
    if not any(_SENTENCE_END.search(line) for line in lines):
        return []
    return lines


def _collect(value: Any, out: list[tuple[list[str], list[int]]], path: list[int]) -> None:
    if isinstance(value, str):
        if lines := _prose(value):
            out.append((lines, path))
    elif isinstance(value, dict):
        for index, item in enumerate(value.values()):
            _collect(item, out, [*path, index])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _collect(item, out, [*path, index])


def prose_of(data: Any) -> list[str]:
    """The lines of the part of a JSON value that holds most of its prose."""
    found: list[tuple[list[str], list[int]]] = []
    _collect(data, found, [])
    if not found:
        return []
    totals: dict[tuple[int, ...], int] = {}
    for lines, path in found:
        size = sum(len(line) for line in lines)
        for depth in range(len(path) + 1):
            key = tuple(path[:depth])
            totals[key] = totals.get(key, 0) + size
    needed = SHARE * totals[()]
    scope = max((key for key, total in totals.items() if total >= needed), key=len)
    lines: list[str] = []
    for found_lines, path in found:
        if tuple(path[: len(scope)]) == scope:
            lines.extend(line for line in found_lines if line not in lines)
    return lines


def payload_text(html: str, article_body: str | None) -> str:
    """Article text from JSON-LD articleBody, else from the page's JSON state scripts."""
    if article_body and (lines := _prose(article_body)):
        return "\n".join(lines)
    best: list[str] = []
    for match in _STATE_SCRIPT.finditer(html):
        try:
            data = orjson.loads(match.group(1))
        except orjson.JSONDecodeError:
            continue
        lines = prose_of(data)
        if sum(map(len, lines)) > sum(map(len, best)):
            best = lines
    return "\n".join(best)
