"""trafilatura on the scoped subtree, then a line post-filter for residual teasers and labels."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

import trafilatura
from lxml.etree import _Element
from trafilatura.settings import Extractor

from cleaners.portals import PortalRules
from cleaners.teasers import (
    BARE_URL,
    CAPTION_CREDIT,
    CREDIT_LABEL,
    LIST_CREDIT_LABEL,
    MEDIA_LINK,
    PLACEHOLDER,
    is_boilerplate_line,
    is_call_to_action,
    is_credit_or_copyright,
    is_teaser_label,
    looks_like_headline,
    normalise_headline,
)

# Measured on the aeb corpus (README "Benchmarks"): on a scoped subtree, fast mode (no fallback
# extractors) loses 0.001 F1 against the full mode and runs about 2x faster.
TRAFILATURA_OPTIONS = {
    "comments": False,
    "tables": True,
    "images": False,
    "links": False,
    "fast": True,
    "dedup": False,
}


@lru_cache(maxsize=2)
def _extractor(favor_precision: bool) -> Extractor:
    """trafilatura's options, built once per process: bare_extraction builds them from its
    settings file on every call otherwise (~0.2 ms a page). trafilatura copies them before it
    changes anything, so one instance is shared by every call."""
    return Extractor(output_format="python", precision=favor_precision, **TRAFILATURA_OPTIONS)


def run_trafilatura(html: str, favor_precision: bool = False) -> str:
    """Main text of the page as one line per paragraph, list item, heading or table row."""
    document = trafilatura.bare_extraction(html, options=_extractor(favor_precision))
    if document is None or document.body is None:
        return ""
    lines: list[str] = []
    for block in document.body:
        lines.extend(_block_lines(block))
    return "\n".join(lines)


def _block_lines(block: _Element) -> list[str]:
    """Lines of one block of trafilatura's output tree. Source newlines inside a paragraph are
    layout, not breaks (pretty-printed pages split sentences); <lb/> (a <br>) is a break."""
    if block.tag in ("list", "table"):
        return [line for child in block for line in _block_lines(child)]
    if block.tag == "row":
        cells = [" ".join("".join(cell.itertext()).split()) for cell in block]
        return [" | ".join(c for c in cells if c)] if any(cells) else []
    parts: list[str] = [block.text or ""]
    for child in block:
        parts.append("\n" if child.tag == "lb" else "".join(child.itertext()))
        parts.append(child.tail or "")
    return [line for raw in "".join(parts).split("\n") if (line := " ".join(raw.split()))]


@dataclass(frozen=True, slots=True)
class LineContext:
    """What the post-filter knows about the page, beyond its text."""

    title: str | None
    link_texts: Collection[str]  # normalised texts of links to other articles of the site
    headlines: Collection[str]  # normalised titles of other articles (from a crawl), may be empty
    rules: PortalRules

    title_key: str | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "title_key", normalise_headline(self.title or "") or None)


# Teasers, labels, credits and headlines are short lines; longer ones skip those tests (speed).
MAX_SHORT_LINE_WORDS = 40
MAX_HEADLINE_WORDS = 30
MAX_BOILERPLATE_CHARS = 120


def _drop_reason(line: str, ctx: LineContext) -> str | None:
    words = len(line.split())
    if words == 0:
        return "empty"
    if words > MAX_SHORT_LINE_WORDS:
        return _portal_rule(line, ctx)
    key = normalise_headline(line) if words <= MAX_HEADLINE_WORDS else ""
    if key and key == ctx.title_key:
        return "headline"
    if len(line) <= MAX_BOILERPLATE_CHARS and is_boilerplate_line(line):
        return "boilerplate"
    if is_call_to_action(line):
        return "call_to_action"
    if is_teaser_label(line):
        return "teaser_label"
    if LIST_CREDIT_LABEL.match(line) or (words <= 12 and CREDIT_LABEL.match(line)):
        return "credit"
    if is_credit_or_copyright(line):
        return "credit"
    if words <= 30 and CAPTION_CREDIT.search(line):
        return "caption"
    if MEDIA_LINK.match(line):
        return "media_link"
    if key and key in ctx.link_texts:
        return "teaser_link"
    if key and key in ctx.headlines:
        return "known_headline"
    if ctx.rules.bare_headlines and looks_like_headline(line):
        return "bare_headline"
    return _portal_rule(line, ctx)


def _portal_rule(line: str, ctx: LineContext) -> str | None:
    if any(p.search(line) for p in ctx.rules.drop_line_patterns):
        return "portal_rule"
    return None


# A dateline that markup split from its paragraph: "Jakarta -", "LHOKSEUMAWE, KOMPAS.com –".
DATELINE = re.compile(r"^[^\W\d][\w.,'’()/ ]{1,60}\s*[-–—]+$")


def join_datelines(lines: list[str]) -> list[str]:
    joined: list[str] = []
    prefix = ""
    for line in lines:
        if DATELINE.match(line) and len(line.split()) <= 6:
            prefix = f"{prefix}{line} "
            continue
        joined.append(prefix + line)
        prefix = ""
    if prefix:
        joined.append(prefix.strip())
    return joined


def filter_lines(text: str, ctx: LineContext) -> tuple[str, list[tuple[str, str]]]:
    """Return the kept text and the dropped lines with their reasons."""
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []
    after_credit = False
    if "[" in text:
        text = PLACEHOLDER.sub(" ", text)
    lines = [" ".join(raw.split()) for raw in text.splitlines()]
    for line in join_datelines([line for line in lines if line]):
        reason = _drop_reason(line, ctx)
        # A credit label is followed by its list of names ("- AP Photo/..."), short bullet lines.
        if reason is None and after_credit and line.startswith(("-", "•")) and len(line.split()) <= 12:
            reason = "credit"
        after_credit = reason == "credit"
        label_line = bool(kept) and kept[-1].endswith(("Video:", "video:", "Foto:", "foto:"))
        if reason is None and label_line and BARE_URL.match(line):
            reason = "media_link"
        if reason == "media_link" and label_line and len(kept[-1].split()) <= 12:
            dropped.append((kept.pop(), "media_link"))  # its label line: "... Short Film Video:"
        if reason is None:
            kept.append(line)
        elif reason != "empty":
            dropped.append((line, reason))
    return "\n".join(kept), dropped
