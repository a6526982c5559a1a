"""HTML -> article: the cleaning library, usable on its own (no crawler, no network).

    from cleaners import Article, clean_html

    result = clean_html(html, url="https://www.viva.co.id/berita/dunia/1658605-slug")
    if isinstance(result, Article):
        print(result.title, result.published_at, result.text)
    else:
        print("rejected:", result.reason, result.detail)

`clean_html` wraps `clean_page`, the one cleaning path that crawls, scrapes and `scraper clean`
use; a page that yields no article gives a `Rejected` with its reason, never an exception.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from cleaners.page_url import own_url
from cleaners.pipeline import clean_page
from cleaners.portals import PortalRules, all_portals, portal_by_name, portal_for_url
from cleaners.settings import DEFAULT_CLEAN, CleanSettings
from cleaners.teasers import normalise_headline
from cleaners.types import SCHEMA_VERSION, Article, Page, Rejected, RejectReason

__all__ = [
    "DEFAULT_CLEAN",
    "SCHEMA_VERSION",
    "Article",
    "CleanSettings",
    "Page",
    "PortalRules",
    "RejectReason",
    "Rejected",
    "all_portals",
    "clean_html",
    "clean_page",
    "portal_by_name",
    "portal_for_url",
]


def clean_html(
    html: str | bytes,
    url: str | None = None,
    *,
    portal: str | None = None,
    settings: CleanSettings = DEFAULT_CLEAN,
    headlines: Collection[str] = (),
    headers: Mapping[str, str] | None = None,
) -> Article | Rejected:
    """Clean one page. `url` selects the portal's rules (default: the page's own canonical link or
    og:url, else none: generic rules and an empty `url` in the record); `portal` names the rules
    instead (a mirror on another host); `headlines` are titles of other articles of the site, whose
    bare appearance inside the body marks a teaser; `headers` are the response's (Content-Type)."""
    rules = None
    if portal is not None:
        rules = portal_by_name(portal)
        if rules is None:
            raise ValueError(f"unknown portal {portal!r}; known: {', '.join(p.name for p in all_portals())}")
    if url is None:
        raw = html.encode("utf-8", "replace") if isinstance(html, str) else html
        url = own_url(raw) or ""
    keys = frozenset(key for line in headlines if (key := normalise_headline(line)))
    page = Page(url=url, body=html, headers=dict(headers or {}))
    return clean_page(page, settings, keys, rules)
