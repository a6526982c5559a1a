"""Article metadata from the full page: machine-readable sources first, portal selectors next.

Order per field: JSON-LD NewsArticle, OpenGraph/article meta tags, the portal's CSS selectors, then
generic markup (h1, <time>, itemprop). htmldate is the last resort for dates (it is the slowest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from selectolax.lexbor import LexborHTMLParser

from cleaners.dates import declared_offset, is_midnight, to_iso
from cleaners.portals import PortalRules
from cleaners.record_fields import absolute_url, language_tag, people_only
from cleaners.titles import pick_title, site_labels, unescape

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle"}
_AUTHOR_PREFIX = re.compile(
    r"^[\s:;|·–-]*((oleh|penulis|reporter|editor|by|author|ditulis oleh|fotografer|foto)\b\s*:?\s*)?", re.I
)
# "Kontributor Lhokseumawe, Masriadi": a role and a place, not a name; the name follows.
_ROLE_ONLY = re.compile(r"^(kontributor|koresponden|wartawan|jurnalis)\b", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;/&]|\b(?:and|dan|und|og|och|et)\b)\s*", re.I)
HTMLDATE_PREFIX = 300_000
PUBLISHED_META = (
    "article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "og:published_time",
)
_ORG_WORDS = re.compile(r"\b(pt\.?|media|\.com|\.co\.id|redaksi|news|tim)\b", re.I)


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    modified_at: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    image: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    og_type: str | None = None
    article_body: str | None = None  # JSON-LD articleBody: the text of script-rendered pages
    # Rules-file key -> the portal selector that supplied the field (a crawl's drift figures).
    rule_hits: dict[str, str] = field(default_factory=dict)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


MetaTags = dict[str, list[str]]


def meta_tags(tree: LexborHTMLParser) -> MetaTags:
    """Every <meta> content by its property, name or itemprop (lower-cased), in page order.
    One pass over the page instead of one CSS query per looked-up name."""
    tags: MetaTags = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        content = _clean(attrs.get("content"))
        if not content:
            continue
        for key in ("property", "name", "itemprop"):
            if label := attrs.get(key):
                tags.setdefault(label.strip().lower(), []).append(content)
    return tags


def _meta(tags: MetaTags, *names: str) -> str | None:
    for name in names:
        if values := tags.get(name.lower()):
            return values[0]
    return None


def _meta_all(tags: MetaTags, name: str) -> list[str]:
    return tags.get(name.lower(), [])


def _first_text(
    tree: LexborHTMLParser, selectors: tuple[str, ...], hits: dict[str, str] | None = None, key: str = ""
) -> str | None:
    """The first text of the first selector that has one; `hits[key]` records that selector."""
    for selector in selectors:
        for node in tree.css(selector):
            if text := _clean(node.text(separator=" ")):
                if hits is not None:
                    hits[key] = selector
                return text
    return None


def _all_texts(
    tree: LexborHTMLParser, selectors: tuple[str, ...], hits: dict[str, str] | None = None, key: str = ""
) -> list[str]:
    for selector in selectors:
        texts = [t for n in tree.css(selector) if (t := _clean(n.text(separator=" ")))]
        if texts:
            if hits is not None:
                hits[key] = selector
            return texts
    return []


_LD_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$")


def json_ld_article(tree: LexborHTMLParser) -> dict[str, Any]:
    """The first Article-like object in the page's JSON-LD blocks (graphs flattened)."""
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = orjson.loads(script.text() or "null")
        except orjson.JSONDecodeError:
            try:  # wrapped for old parsers: "//<![CDATA[ {...} //]]>", "<!-- {...} -->"
                data = orjson.loads(_LD_WRAPPER.sub("", script.text() or "") or "null")
            except orjson.JSONDecodeError:
                continue  # pages ship broken JSON-LD; skip it, other sources remain
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                    return item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    return {}


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for v in value for n in _ld_names(v)]
    return []


def _ld_str(value: Any) -> str | None:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return _ld_str(value.get("url") or value.get("@id"))
    if isinstance(value, list) and value:
        return _ld_str(value[0])
    return None


def split_authors(raw: list[str]) -> list[str]:
    names: list[str] = []
    for item in raw:
        item = _AUTHOR_PREFIX.sub("", item)
        for name in _AUTHOR_SPLIT.split(item):
            name = _AUTHOR_PREFIX.sub("", name).strip(" -–|·:;")
            if _ROLE_ONLY.match(name):
                continue
            if name and len(name) <= 60 and not _ORG_WORDS.search(name) and name not in names:
                names.append(name)
    return names


def _strip_site_suffix(title: str) -> str:
    parts = re.split(r"\s+[|–-]\s+", title)
    return max(parts, key=len) if len(parts) > 1 else title


def extract_metadata(
    tree: LexborHTMLParser, rules: PortalRules, html: str, url: str | None = None
) -> Metadata:
    ld = json_ld_article(tree)
    tags = meta_tags(tree)
    machine_published = (
        _ld_str(ld.get("datePublished")) or _meta(tags, *PUBLISHED_META) or _time_element(tree)
    )
    machine_modified = _ld_str(ld.get("dateModified")) or _meta(
        tags, "article:modified_time", "og:updated_time", "dateModified"
    )
    # Dates without an offset are local to the portal (its zone), else to the zone the page's
    # other machine-readable dates declare; with neither they stay without offset (README).
    tz = (
        rules.timezone
        or declared_offset([machine_published, machine_modified])
        or declared_offset([_time_element(tree)])
    )
    meta = Metadata()
    labels = site_labels([*_meta_all(tags, "og:site_name"), *_ld_names(ld.get("publisher"))], url)
    meta.title = (
        _first_text(tree, rules.title, meta.rule_hits, "title")
        or pick_title(
            [
                _ld_str(ld.get("headline")),
                _meta(tags, "og:title", "twitter:title"),
                _first_text(tree, ("h1",)),
            ],
            labels,
            lambda: _first_text(tree, ("title",)),
        )
        or (_strip_site_suffix(unescape(t)) if (t := _first_text(tree, ("title",))) else None)
    )
    machine = to_iso(machine_published, tz)
    visible = to_iso(_first_text(tree, rules.published, meta.rule_hits, "published"), tz)
    if visible is None:
        meta.rule_hits.pop("published", None)  # matched, but no date in it
    meta.published_at = _pick_published(machine, visible) or _htmldate(html, tz)
    meta.modified_at = to_iso(machine_modified, tz)
    meta.authors = _authors(tree, rules, ld, tags, labels, meta.rule_hits)
    meta.section = (
        (_all_texts(tree, rules.section, meta.rule_hits, "section") or [None])[-1]
        or _meta(tags, "article:section")
        or _ld_str(ld.get("articleSection"))
    )
    meta.tags = _tags(tree, tags, rules, ld)
    html_node = tree.css_first("html")
    meta.language = language_tag(
        rules.language
        or _meta(tags, "content-language", "og:locale")
        or (html_node.attributes.get("lang") if html_node is not None else None)
    )
    meta.image = _meta(tags, "og:image", "twitter:image") or _ld_str(ld.get("image"))
    description = _meta(tags, "og:description", "description", "twitter:description")
    # Escaped twice by some CMSs (`CD&amp;amp;V`): as the page shows it, like the title.
    meta.description = unescape(description) if description else None
    canonical = tree.css_first('link[rel="canonical"]')
    meta.canonical_url = absolute_url(
        (_clean(canonical.attributes.get("href")) if canonical is not None else None)
        or _meta(tags, "og:url"),
        url,
    )
    meta.og_type = _meta(tags, "og:type")
    body = ld.get("articleBody")
    meta.article_body = body if isinstance(body, str) else None
    return meta


# Bylines in markup, for pages whose structured data names only the outlet.
_BYLINE = ("[itemprop=author] [itemprop=name]", "a[rel=author]", "[itemprop=author]")


def _authors(
    tree: LexborHTMLParser,
    rules: PortalRules,
    ld: dict[str, Any],
    tags: MetaTags,
    labels: set[str],
    hits: dict[str, str],
) -> list[str]:
    """People who wrote the article: the first source that names any (the outlet is no author);
    `hits["authors"]` records the portal selector when the portal's own rule named them."""
    found: dict[str, str] = {}
    for names in (
        lambda: _ld_names(ld.get("author")),
        lambda: _all_texts(tree, rules.authors, found, "authors"),
        lambda: _meta_all(tags, "author"),
        lambda: _all_texts(tree, _BYLINE),
    ):
        if people := people_only(split_authors(names()), labels):
            hits.update(found)
            return people
        found.clear()
    return []


def _pick_published(machine: str | None, visible: str | None) -> str | None:
    """The machine-readable date is more precise (seconds), but when it disagrees with the date
    printed on the page by a minute or more, the page wins: some CMSs stamp meta dates at export.
    A gap of whole hours is a mislabelled zone (detik writes WIB times with a "Z"): then the
    printed wall clock is right and the machine date still lends its seconds."""
    if not (machine and visible):
        return machine or visible
    stamped, printed = datetime.fromisoformat(machine), datetime.fromisoformat(visible)
    if is_midnight(visible) and printed.date() == stamped.astimezone(printed.tzinfo).date():
        return machine  # the page prints the day only: the machine date adds the time
    gap = abs((stamped - printed).total_seconds())
    if gap < 60:
        return machine
    if gap <= 14 * 3600 and gap % 3600 < 60:
        return printed.replace(second=stamped.second).isoformat()
    return visible


def _tags(
    tree: LexborHTMLParser, tags_by_name: MetaTags, rules: PortalRules, ld: dict[str, Any]
) -> list[str]:
    tags = _all_texts(tree, rules.tags) or _meta_all(tags_by_name, "article:tag")
    if not tags:
        keywords = _meta(tags_by_name, "news_keywords", "keywords") or ld.get("keywords")
        if isinstance(keywords, list):
            tags = [k for k in keywords if isinstance(k, str)]
        elif isinstance(keywords, str):
            tags = [k.strip() for k in keywords.split(",")]
    seen: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if tag and tag.casefold() not in (s.casefold() for s in seen):
            seen.append(tag)
    return seen


def _time_element(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("time[datetime], [itemprop=datePublished]")
    if node is None:
        return None
    return node.attributes.get("datetime") or node.attributes.get("content") or _clean(node.text())


def _htmldate(html: str, tz: str | None) -> str | None:
    from htmldate import find_date  # imported late: slow to import, rarely needed

    try:
        # Dates sit in the head or near the top; a bounded prefix keeps huge pages fast.
        found = find_date(
            html[:HTMLDATE_PREFIX],
            outputformat="%Y-%m-%dT%H:%M:%S",
            original_date=True,
            extensive_search=False,  # markup only: the free-text scan costs ~5 ms a page
        )
    except Exception:  # htmldate raises assorted errors on odd markup; a date is optional
        return None
    return to_iso(found, tz) if found else None
