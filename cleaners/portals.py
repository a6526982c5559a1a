"""Per-portal knowledge, loaded from one small TOML file per portal in `cleaners/portals/`.

A rules file is data only (see README "Adding a portal"):

    name = "viva"                       # portal id used in records and output paths
    hosts = ["viva.co.id"]              # the host and all its subdomains
    language = "id"
    timezone = "+07:00"                 # offset for dates printed without one (WIB)
    article_url = '/\\d+-[\\w-]+'       # regex searched in the URL path of article pages
    multipage = "page=all"              # query that returns a split article in one response
    bare_headlines = true               # drop title-case headline-like lines inside the body
    body = ["div.main-content-detail"]  # article container selectors, tried in order
    drop = ["div.recommended-article"]  # nodes removed before extraction
    drop_lines = ['^Sumber\\s*:']       # regexes of residual text lines to drop
    title = ["h1.main-content-title"]   # metadata selectors; generic metadata is the fallback
    published = ["div.main-content-date"]
    authors = ["div.main-content-author"]
    section = ["a.breadcrumb-step"]
    tags = ["div.tag-list a"]

    [discovery]                         # where the portal lists its articles (spiders, replica)
    sitemaps = ["/sitemap.xml"]         # sitemap indexes or news sitemaps
    feeds = ["/rss"]                    # RSS or Atom
    index = "/indeks?page={page}"       # a paged list of the newest articles
    index_item = ".article-list-row"    # one entry of it (its article link and date inside)
    index_date = ".article-list-date"   # the entry's date: datetime or title attribute, else text
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from datetime import UTC, timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser


@dataclass(frozen=True, slots=True)
class Discovery:
    """Where a portal lists its articles: the `[discovery]` table of its rules file, read by its
    spider and served by the replica. A source is a path on the base URL or an absolute URL on one
    of the portal's hosts (a sub-site); a mirror given as the base URL serves every source under
    its own host with the same path. What is left empty is undocumented: the spider falls back to
    generic discovery for it (robots.txt, /sitemap.xml, the home page's feed links)."""

    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    index: str | None = None  # a paged index, newest first; "{page}" is 1, 2, ...
    index_item: str | None = None  # one entry of an index page
    index_date: str | None = None  # inside an entry: its date

    @property
    def documented(self) -> bool:
        return bool(self.sitemaps or self.feeds or self.index)


@dataclass(frozen=True, slots=True)
class PortalRules:
    name: str
    hosts: tuple[str, ...] = ()
    language: str | None = None
    timezone: str | None = None
    article_url: str | None = None
    multipage: str | None = None
    bare_headlines: bool = False  # the portal drops other articles' headlines, unlinked, into bodies
    body: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    drop_lines: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    discovery: Discovery = Discovery()

    def matches_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def is_article_url(self, url: str) -> bool | None:
        """True/False by the portal's article pattern; None when the portal declares none."""
        if not self.article_url:
            return None
        return re.search(self.article_url, urlsplit(url).path) is not None

    @property
    def drop_line_patterns(self) -> tuple[re.Pattern[str], ...]:
        return _compile_lines(self.drop_lines)


# Used for pages of unknown sites: generic cleaning only.
GENERIC = PortalRules(name="generic")


@cache
def _compile_lines(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


_FIELD_TYPES: dict[str, type] = {
    f.name: (tuple if "tuple" in str(f.type) else bool if str(f.type) == "bool" else str)
    for f in fields(PortalRules)
    if f.name != "discovery"
}


class RulesError(ValueError):
    """A rules file is malformed: unknown key, wrong type, bad selector or bad regex."""


def parse_rules(text: str, origin: str = "<rules>") -> PortalRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{origin}: {exc}") from exc
    known = {f.name for f in fields(PortalRules)}
    unknown = set(data) - known
    discovery = _parse_discovery(data.pop("discovery", {}), origin)
    if unknown:
        raise RulesError(f"{origin}: unknown keys {sorted(unknown)}")
    if not isinstance(data.get("name"), str):
        raise RulesError(f"{origin}: 'name' (a string) is required")
    values: dict[str, object] = {}
    if not isinstance(data.get("bare_headlines", False), bool):
        raise RulesError(f"{origin}: 'bare_headlines' must be true or false")
    for key, value in data.items():
        expected = _FIELD_TYPES[key]
        if expected is tuple and not isinstance(value, list):
            raise RulesError(f"{origin}: '{key}' must be a list of strings")
        if expected is str and not isinstance(value, str):
            raise RulesError(f"{origin}: '{key}' must be a string")
        if isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                raise RulesError(f"{origin}: '{key}' must be a list of strings")
            value = tuple(value)
        values[key] = value
    rules = PortalRules(**values, discovery=discovery)  # type: ignore[arg-type]
    _validate(rules, origin)
    return rules


def _parse_discovery(table: object, origin: str) -> Discovery:
    if not isinstance(table, dict):
        raise RulesError(f"{origin}: 'discovery' must be a table ([discovery])")
    known = {f.name for f in fields(Discovery)}
    if unknown := set(table) - known:
        raise RulesError(f"{origin}: unknown keys in [discovery]: {sorted(unknown)}")
    values: dict[str, object] = {}
    for key, value in table.items():
        if key in ("sitemaps", "feeds"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise RulesError(f"{origin}: 'discovery.{key}' must be a list of strings")
            value = tuple(value)
        elif not isinstance(value, str):
            raise RulesError(f"{origin}: 'discovery.{key}' must be a string")
        values[key] = value
    discovery = Discovery(**values)  # type: ignore[arg-type]
    for source in (*discovery.sitemaps, *discovery.feeds, *([discovery.index] if discovery.index else [])):
        if not source.startswith(("/", "http://", "https://")):
            raise RulesError(f"{origin}: discovery source {source!r} is neither a path nor an http(s) URL")
    if discovery.index is not None and "{page}" not in discovery.index:
        raise RulesError(f"{origin}: 'discovery.index' needs a {{page}} placeholder")
    if (discovery.index_item or discovery.index_date) and discovery.index is None:
        raise RulesError(f"{origin}: 'discovery.index_item' and 'index_date' need 'discovery.index'")
    return discovery


def _validate(rules: PortalRules, origin: str) -> None:
    probe = LexborHTMLParser("<html><body><p>x</p></body></html>")
    index_selectors = [s for s in (rules.discovery.index_item, rules.discovery.index_date) if s]
    for key in ("body", "drop", "title", "published", "authors", "section", "tags", "discovery"):
        for selector in getattr(rules, key) if key != "discovery" else index_selectors:
            try:
                probe.css(selector)
            except Exception as exc:  # selectolax raises bare exceptions for bad selectors
                raise RulesError(f"{origin}: bad selector in '{key}': {selector!r}") from exc
    for source in (*rules.discovery.sitemaps, *rules.discovery.feeds, rules.discovery.index or ""):
        host = urlsplit(source).hostname
        if host and not rules.matches_host(host):
            raise RulesError(f"{origin}: discovery source {source!r} is not on the portal's hosts")
    for pattern in (*rules.drop_lines, *([rules.article_url] if rules.article_url else [])):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RulesError(f"{origin}: bad regex {pattern!r}: {exc}") from exc


@cache
def all_portals() -> tuple[PortalRules, ...]:
    folder = resources.files("cleaners") / "portals"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found.append(parse_rules(entry.read_text(encoding="utf-8"), origin=entry.name))
    return tuple(found)


def portal_by_name(name: str) -> PortalRules | None:
    return next((p for p in all_portals() if p.name == name), None)


def portal_for_url(url: str) -> PortalRules:
    host = urlsplit(url).hostname or ""
    return next((p for p in all_portals() if p.matches_host(host)), GENERIC)


def portal_tz(rules: PortalRules) -> tzinfo:
    """The portal's fixed offset (its `timezone`), UTC when it has none."""
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", rules.timezone or "+00:00")
    if not match:
        return UTC
    delta = timedelta(hours=int(match[2]), minutes=int(match[3]))
    return timezone(-delta if match[1] == "-" else delta)
