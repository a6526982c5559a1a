"""Recognise a known portal from a saved page itself, when its URL is not known.

`scraper clean saved.html` without --url gives the page a file: URI, so the portal's rules (and
with them its credit and copyright lines) would not apply. The page names its site in several
places: the host of its canonical link or og:url, og:site_name, the JSON-LD publisher, and the
hosts of its own links and images, which mostly point to the site itself.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from cleaners.metadata import json_ld_article
from cleaners.portals import PortalRules, all_portals, portal_for_url
from cleaners.teasers import registered_host

_ABSOLUTE = re.compile(r"^(?:https?:)?//([^/:?#]+)", re.IGNORECASE)
# A site's own links and images dominate its pages; a share this high is not an embed or a feed.
MIN_OWN_SHARE = 0.5
MIN_LINKS = 10


def is_web_url(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def _squash(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def _by_name(names: list[str]) -> PortalRules | None:
    squashed = {_squash(name) for name in names if name}
    for portal in all_portals():
        labels = {_squash(portal.name), *(_squash(host.split(".")[0]) for host in portal.hosts)}
        if squashed & labels:
            return portal
    return None


def _by_host(host: str) -> PortalRules | None:
    portal = portal_for_url(f"https://{host}/")
    return portal if portal.hosts else None


def _site_names(tree: LexborHTMLParser) -> list[str]:
    names = [
        node.attributes.get("content") or ""
        for node in tree.css('meta[property="og:site_name"], meta[name="application-name"]')
    ]
    publisher = json_ld_article(tree).get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        names.append(publisher["name"])
    return names


def portal_in_page(tree: LexborHTMLParser) -> PortalRules | None:
    """The portal the page belongs to, from its own markup; None when it names no known portal."""
    for selector, attribute in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = tree.css_first(selector)
        match = _ABSOLUTE.match((node.attributes.get(attribute) or "") if node is not None else "")
        if match and (portal := _by_host(match.group(1))):
            return portal
    if portal := _by_name(_site_names(tree)):
        return portal
    hosts: Counter[str] = Counter()
    for node in tree.css("a[href], img[src]"):
        match = _ABSOLUTE.match(node.attributes.get("href") or node.attributes.get("src") or "")
        if match:
            hosts[registered_host(match.group(1))] += 1
    total = sum(hosts.values())
    if total < MIN_LINKS:
        return None
    host, count = hosts.most_common(1)[0]
    return _by_host(host) if count >= MIN_OWN_SHARE * total else None
