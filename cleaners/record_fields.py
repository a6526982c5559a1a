"""Field values as the record schema states them: BCP 47 language tags, authors who are people,
absolute canonical URLs."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_SUBTAG = re.compile(r"[-_]")


def language_tag(value: str | None) -> str | None:
    """ "en_GB", "EN-gb", "de_DE" -> "en-GB", "de-DE"; "zh_hant_tw" -> "zh-Hant-TW" (BCP 47 case)."""
    if not value:
        return None
    parts = [p for p in _SUBTAG.split(value.strip().split(",")[0].strip()) if p]
    if not parts or not parts[0].isalpha():
        return None
    tag = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            tag.append(part.title())  # script
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            tag.append(part.upper())  # region
        else:
            tag.append(part.lower())
    return "-".join(tag)


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def people_only(authors: list[str], site_labels: set[str]) -> list[str]:
    """Authors without the outlet itself ("CNN", "Example News", "example.com")."""
    return [name for name in authors if _squash(name) not in site_labels]


def absolute_url(value: str | None, page_url: str | None) -> str | None:
    """A relative canonical link ("/news/x.html") resolved against the page's URL."""
    if not value:
        return None
    if urlsplit(value).scheme in ("http", "https") or not page_url:
        return value
    if urlsplit(page_url).scheme not in ("http", "https"):
        return value
    return urljoin(page_url, value)
