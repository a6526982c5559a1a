"""The headline from the page's several statements of it.

Pages state their headline up to three times: JSON-LD `headline`, og:title and the <h1>. Each can
carry raw entities (JSON-LD written from escaped HTML: `&quot;`, `&#039;`, `&ouml;`), a site suffix
("... | Börsen-Zeitung", "... - Golem.de", "...：朝日新聞デジタル") or, in the <h1>, markup that joins
a kicker to the title. Each is cleaned; when two of them agree, that is the headline (one may be an
SEO variant); otherwise the first in order JSON-LD, og:title, <h1>.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

_SUFFIX = re.compile(r"(?:\s+[|–—-]\s+|\s*[：|]\s*)(?P<part>[^|–—：]{1,60})$")
_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def unescape(text: str) -> str:
    """Entities decoded, twice at most (some JSON-LD is escaped twice: `&amp;ouml;`)."""
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    return text


def site_labels(site_names: list[str], url: str | None) -> set[str]:
    """Squashed names a site suffix may use: og:site_name, the publisher, the host's name."""
    labels = {_squash(name) for name in site_names if name}
    host = urlsplit(url).hostname if url else None
    if host:
        parts = host.lower().removeprefix("www.").split(".")
        labels.update({_squash(host.removeprefix("www.")), _squash(parts[0])})
    return {label for label in labels if len(label) >= 2}


def drop_site_suffix(title: str, labels: set[str]) -> str:
    """Remove trailing "| Site", "- site.com", "| 28.04.2023" parts that name the site or a date."""
    for _ in range(3):
        match = _SUFFIX.search(title)
        if match is None or match.start() == 0:
            return title
        part = match.group("part").strip()
        squashed = _squash(part)
        is_site = bool(squashed) and any(squashed in label or label in squashed for label in labels)
        if not (is_site or _DATE.match(part)):
            return title
        title = title[: match.start()].rstrip()
    return title


def clean_title(text: str | None, labels: set[str]) -> str | None:
    if not text:
        return None
    text = " ".join(unescape(text).split())
    return drop_site_suffix(text, labels) or None


_SEPARATOR = re.compile(r"^\s*[|–—:-]\s")


_KICKER = re.compile(r"^.{2,60}?(?:\s[|–—-]|:|\s/)\s+")


def _agree(a: str, b: str) -> str | None:
    """The title two statements agree on: the same text, or one of them with a suffix after a
    separator ("X | Sport" and "X" agree on "X"), or with a kicker before it ("Kicker: X" and "X",
    "Kicker A: X" and "Kicker B - X" agree on "X")."""
    if a == b:
        return a
    short, long = sorted((a, b), key=len)
    if long.startswith(short) and _SEPARATOR.match(long[len(short) :]):
        return short
    if _KICKER.sub("", long, count=1) == short:
        return short
    head_a, head_b = _KICKER.sub("", a, count=1), _KICKER.sub("", b, count=1)
    if head_a != a and head_a == head_b and len(head_a.split()) >= 3:
        return head_a
    return None


def pick_title(candidates: list[str | None], labels: set[str]) -> str | None:
    """The headline from JSON-LD, og:title and <h1> (in that order), cleaned; two that agree win."""
    cleaned = [title for raw in candidates if (title := clean_title(raw, labels))]
    for index, title in enumerate(cleaned):
        for other in cleaned[index + 1 :]:
            if agreed := _agree(title, other):
                return agreed
    return cleaned[0] if cleaned else None
